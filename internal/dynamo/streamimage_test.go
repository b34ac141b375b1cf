package dynamo_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/dynamo"
)

// streamImageJSON is a NewImage as Lambda delivers it, with every type.
const streamImageJSON = `{
	"s": {"S": "héllo"},
	"n": {"N": "-12.5"},
	"b": {"B": "AAH/"},
	"ss": {"SS": ["a", "b"]},
	"ns": {"NS": ["1", "2.5"]},
	"bs": {"BS": ["AQ==", "AgM="]},
	"bool": {"BOOL": true},
	"null": {"NULL": true},
	"l": {"L": [{"S": "x"}, {"N": "7"}, {"L": []}, {"M": {}}]},
	"m": {"M": {"inner": {"M": {"deep": {"BOOL": false}}}, "empty": {"M": {}}}}
}`

// streamImageItem is streamImageJSON as the SDK's attribute values.
func streamImageItem() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"s":    &types.AttributeValueMemberS{Value: "héllo"},
		"n":    &types.AttributeValueMemberN{Value: "-12.5"},
		"b":    &types.AttributeValueMemberB{Value: []byte{0, 1, 0xff}},
		"ss":   &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns":   &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs":   &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
		"bool": &types.AttributeValueMemberBOOL{Value: true},
		"null": &types.AttributeValueMemberNULL{Value: true},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "x"},
			&types.AttributeValueMemberN{Value: "7"},
			&types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"inner": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"deep": &types.AttributeValueMemberBOOL{Value: false},
			}},
			"empty": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
	}
}

func TestFromStreamImage(t *testing.T) {
	var image map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal([]byte(streamImageJSON), &image); err != nil {
		t.Fatal(err)
	}
	got, err := dynamo.FromStreamImage(image)
	if err != nil {
		t.Fatal(err)
	}
	if want := streamImageItem(); !reflect.DeepEqual(got, want) {
		t.Errorf("FromStreamImage:\n got %s\nwant %s", show(t, got), show(t, want))
	}

	// The image marshalled again by the events package (as a fixture is
	// written) and read back converts to the same item. The trip from a
	// written item through a real stream is in internal/localaws's tests.
	back, err := json.Marshal(image)
	if err != nil {
		t.Fatal(err)
	}
	var again map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal(back, &again); err != nil {
		t.Fatal(err)
	}
	if got2, err := dynamo.FromStreamImage(again); err != nil || !reflect.DeepEqual(got2, got) {
		t.Errorf("after a JSON round trip: %s, %v; want %s", show(t, got2), err, show(t, got))
	}
}

// TestFromStreamImageDecodes checks the purpose: a stream image decodes with
// attributevalue into the same Go value as the item it came from.
func TestFromStreamImageDecodes(t *testing.T) {
	type nested struct {
		Deep bool `json:"deep"`
	}
	type record struct {
		S    string            `json:"s"`
		N    float64           `json:"n"`
		B    []byte            `json:"b"`
		SS   []string          `json:"ss,stringset"`
		NS   []float64         `json:"ns,numberset"`
		Bool bool              `json:"bool"`
		Null *string           `json:"null"`
		M    map[string]nested `json:"m"`
	}
	want := record{S: "héllo", N: -12.5, B: []byte{0, 1, 0xff}, SS: []string{"a", "b"}, NS: []float64{1, 2.5}, Bool: true,
		M: map[string]nested{"inner": {Deep: false}, "empty": {}}}

	var image map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal([]byte(streamImageJSON), &image); err != nil {
		t.Fatal(err)
	}
	item, err := dynamo.FromStreamImage(image)
	if err != nil {
		t.Fatal(err)
	}
	var got record
	if err := attributevalue.UnmarshalMapWithOptions(item, &got, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
}

func TestFromStreamImageEdges(t *testing.T) {
	if got, err := dynamo.FromStreamImage(nil); got != nil || err != nil {
		t.Errorf("FromStreamImage(nil) = %v, %v; want nil, nil", got, err)
	}
	// A hand-built event can hold the zero value, which has no type.
	bad := map[string]events.DynamoDBAttributeValue{
		"m": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"x": {}}),
	}
	_, err := dynamo.FromStreamImage(bad)
	if err == nil || !strings.Contains(err.Error(), `"m"`) || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("FromStreamImage(zero value inside m) error = %v, want one naming m and x", err)
	}
}

// show writes an item readably for failure messages: as the Go values
// attributevalue decodes it to.
func show(t *testing.T, item map[string]types.AttributeValue) string {
	t.Helper()
	var v map[string]any
	if err := attributevalue.UnmarshalMap(item, &v); err != nil {
		return fmt.Sprintf("(undecodable: %v)", err)
	}
	return fmt.Sprintf("%v", v)
}
