package localaws_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/localaws"
	"github.com/closeloop/closeloop/internal/testenv"
)

// streamTest is a table of the test's own and a poller on its stream whose
// handler records every invocation.
type streamTest struct {
	db     *dynamodb.Client
	table  string
	poller *localaws.StreamPoller

	mu    sync.Mutex
	calls [][]events.DynamoDBEventRecord
	// respond decides an invocation's outcome; nil succeeds.
	respond func(call int, e events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
}

func newStreamTest(t *testing.T) *streamTest {
	t.Helper()
	db := testenv.DynamoDB(t)
	st := &streamTest{db: db, table: testenv.NewTable(t, db)}
	st.poller = &localaws.StreamPoller{
		Streams:  testenv.Streams(t),
		DynamoDB: db,
		Table:    st.table,
		Region:   testenv.Region,
		Handler: func(_ context.Context, e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			st.mu.Lock()
			st.calls = append(st.calls, e.Records)
			call, respond := len(st.calls), st.respond
			st.mu.Unlock()
			if respond == nil {
				return events.DynamoDBEventResponse{}, nil
			}
			return respond(call, e)
		},
	}
	return st
}

// put writes an item with key (pk, sk) and the given other attributes.
func (st *streamTest) put(t *testing.T, pk, sk string, attrs map[string]types.AttributeValue) {
	t.Helper()
	item := map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}
	maps.Copy(item, attrs)
	if _, err := st.db.PutItem(testContext(t), &dynamodb.PutItemInput{TableName: aws.String(st.table), Item: item}); err != nil {
		t.Fatal(err)
	}
}

// putN writes items n-1 … n-count in that order.
func (st *streamTest) putN(t *testing.T, from, count int) {
	t.Helper()
	for i := from; i < from+count; i++ {
		st.put(t, "n", fmt.Sprint(i), nil)
	}
}

func (st *streamTest) drain(t *testing.T) {
	t.Helper()
	if err := st.poller.Drain(testContext(t)); err != nil {
		t.Fatal(err)
	}
}

// sortKeys returns the sk of each record of each invocation.
func (st *streamTest) sortKeys() [][]string {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([][]string, len(st.calls))
	for i, call := range st.calls {
		out[i] = sortKeys(call)
	}
	return out
}

func sortKeys(records []events.DynamoDBEventRecord) []string {
	sks := make([]string, len(records))
	for i, r := range records {
		sks[i] = r.Change.Keys["sk"].String()
	}
	return sks
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// everyType is an item holding each DynamoDB type, nested ones included.
// Numbers are in DynamoDB's normal form, as it returns them.
func everyType() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"s":    str("héllo"),
		"n":    &types.AttributeValueMemberN{Value: "-12.5"},
		"b":    &types.AttributeValueMemberB{Value: []byte{0, 1, 0xff}},
		"ss":   &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns":   &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs":   &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
		"bool": &types.AttributeValueMemberBOOL{Value: true},
		"none": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		"null": &types.AttributeValueMemberNULL{Value: true},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			str("x"), &types.AttributeValueMemberN{Value: "7"}, &types.AttributeValueMemberBOOL{Value: false},
			&types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"inner": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"deep": &types.AttributeValueMemberNULL{Value: true}}},
			"list":  &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberSS{Value: []string{"z"}}}},
			"empty": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
	}
}

// normalized sorts the members of sets, whose order DynamoDB does not keep.
func normalized(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	if item == nil {
		return nil
	}
	out := make(map[string]types.AttributeValue, len(item))
	for k, v := range item {
		out[k] = normalizedValue(v)
	}
	return out
}

func normalizedValue(v types.AttributeValue) types.AttributeValue {
	switch v := v.(type) {
	case *types.AttributeValueMemberSS:
		return &types.AttributeValueMemberSS{Value: slices.Sorted(slices.Values(v.Value))}
	case *types.AttributeValueMemberNS:
		return &types.AttributeValueMemberNS{Value: slices.Sorted(slices.Values(v.Value))}
	case *types.AttributeValueMemberBS:
		return &types.AttributeValueMemberBS{Value: slices.SortedFunc(slices.Values(v.Value), bytes.Compare)}
	case *types.AttributeValueMemberL:
		l := make([]types.AttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = normalizedValue(e)
		}
		return &types.AttributeValueMemberL{Value: l}
	case *types.AttributeValueMemberM:
		return &types.AttributeValueMemberM{Value: normalized(v.Value)}
	default:
		return v
	}
}

// format writes an item as sorted, readable text, to compare and show items.
func format(item map[string]types.AttributeValue) string {
	if item == nil {
		return "<nil>"
	}
	var b strings.Builder
	formatMap(&b, item)
	return b.String()
}

func formatMap(b *strings.Builder, m map[string]types.AttributeValue) {
	b.WriteString("{")
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%s: ", k)
		formatValue(b, m[k])
	}
	b.WriteString("}")
}

func formatValue(b *strings.Builder, v types.AttributeValue) {
	switch v := v.(type) {
	case *types.AttributeValueMemberL:
		b.WriteString("L[")
		for i, e := range v.Value {
			if i > 0 {
				b.WriteString(", ")
			}
			formatValue(b, e)
		}
		b.WriteString("]")
	case *types.AttributeValueMemberM:
		b.WriteString("M")
		formatMap(b, v.Value)
	case *types.AttributeValueMemberS:
		fmt.Fprintf(b, "S%q", v.Value)
	case *types.AttributeValueMemberN:
		fmt.Fprintf(b, "N(%s)", v.Value)
	case *types.AttributeValueMemberB:
		fmt.Fprintf(b, "B%x", v.Value)
	case *types.AttributeValueMemberSS:
		fmt.Fprintf(b, "SS%q", v.Value)
	case *types.AttributeValueMemberNS:
		fmt.Fprintf(b, "NS%v", v.Value)
	case *types.AttributeValueMemberBS:
		fmt.Fprintf(b, "BS%x", v.Value)
	case *types.AttributeValueMemberBOOL:
		fmt.Fprintf(b, "BOOL(%t)", v.Value)
	case *types.AttributeValueMemberNULL:
		fmt.Fprintf(b, "NULL(%t)", v.Value)
	default:
		fmt.Fprintf(b, "%T", v)
	}
}

// image converts an event image back with dynamo.FromStreamImage.
func image(t *testing.T, img map[string]events.DynamoDBAttributeValue) map[string]types.AttributeValue {
	t.Helper()
	item, err := dynamo.FromStreamImage(img)
	if err != nil {
		t.Fatal(err)
	}
	return normalized(item)
}

// TestStreamOrderAndImages checks that a put, an update, another put and a
// delete arrive once, in order, as INSERT, MODIFY, INSERT, REMOVE with the
// images Lambda would give, every attribute type surviving the trip.
func TestStreamOrderAndImages(t *testing.T) {
	t.Parallel()
	st := newStreamTest(t)
	ctx := testContext(t)
	key := map[string]types.AttributeValue{"pk": str("p"), "sk": str("a")}
	v1 := everyType()
	maps.Copy(v1, key)
	start := time.Now()
	st.put(t, "p", "a", v1)
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.table),
		Key:                       key,
		UpdateExpression:          aws.String("SET s = :s REMOVE b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": str("changed")},
	})
	if err != nil {
		t.Fatal(err)
	}
	v2 := maps.Clone(v1)
	v2["s"] = str("changed")
	delete(v2, "b")
	st.put(t, "p", "b", nil)
	if _, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(st.table), Key: key}); err != nil {
		t.Fatal(err)
	}
	st.drain(t)

	var records []events.DynamoDBEventRecord
	for _, call := range st.calls {
		records = append(records, call...)
	}
	bKey := map[string]types.AttributeValue{"pk": str("p"), "sk": str("b")}
	want := []struct {
		name     string
		keys     map[string]types.AttributeValue
		old, new map[string]types.AttributeValue
	}{
		{"INSERT", key, nil, v1},
		{"MODIFY", key, v1, v2},
		{"INSERT", bKey, nil, bKey},
		{"REMOVE", key, v2, nil},
	}
	if len(records) != len(want) {
		t.Fatalf("%d records, want %d: %v", len(records), len(want), st.sortKeys())
	}
	desc, err := st.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(st.table)})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(desc.Table.LatestStreamArn)
	var lastSeq string
	for i, w := range want {
		r := records[i]
		if r.EventName != w.name {
			t.Errorf("record %d: eventName %s, want %s", i, r.EventName, w.name)
		}
		if got, want := format(image(t, r.Change.Keys)), format(normalized(w.keys)); got != want {
			t.Errorf("record %d: Keys\n got %s\nwant %s", i, got, want)
		}
		if got, want := format(image(t, r.Change.OldImage)), format(normalized(w.old)); got != want {
			t.Errorf("record %d: OldImage\n got %s\nwant %s", i, got, want)
		}
		if got, want := format(image(t, r.Change.NewImage)), format(normalized(w.new)); got != want {
			t.Errorf("record %d: NewImage\n got %s\nwant %s", i, got, want)
		}
		fields := []struct{ field, got, want string }{
			{"eventSource", r.EventSource, "aws:dynamodb"},
			{"eventVersion", r.EventVersion, "1.1"},
			{"awsRegion", r.AWSRegion, testenv.Region},
			{"eventSourceARN", r.EventSourceArn, streamARN},
			{"StreamViewType", r.Change.StreamViewType, "NEW_AND_OLD_IMAGES"},
		}
		for _, f := range fields {
			if f.got != f.want {
				t.Errorf("record %d: %s = %q, want %q", i, f.field, f.got, f.want)
			}
		}
		if r.EventID == "" || r.Change.SizeBytes <= 0 {
			t.Errorf("record %d: eventID %q, SizeBytes %d; want both set", i, r.EventID, r.Change.SizeBytes)
		}
		if r.Change.SequenceNumber <= lastSeq {
			t.Errorf("record %d: SequenceNumber %s after %s, want increasing", i, r.Change.SequenceNumber, lastSeq)
		}
		lastSeq = r.Change.SequenceNumber
		// DynamoDB Local rounds the time down to the minute.
		if at := r.Change.ApproximateCreationDateTime.Time; at.Before(start.Add(-time.Minute)) || at.After(time.Now()) {
			t.Errorf("record %d: ApproximateCreationDateTime %v, want within a minute before %v", i, at, start)
		}
	}

	// Nothing is delivered twice.
	calls := len(st.calls)
	st.drain(t)
	if len(st.calls) != calls {
		t.Errorf("a second Drain invoked the handler %d more times, want 0", len(st.calls)-calls)
	}
}

// TestStreamEventJSON checks that the event survives a round trip through
// JSON into aws-lambda-go's types, as the events/*.json fixtures take, with a
// record's fields named as Lambda names them.
func TestStreamEventJSON(t *testing.T) {
	t.Parallel()
	st := newStreamTest(t)
	st.put(t, "p", "a", everyType())
	st.put(t, "p", "a", map[string]types.AttributeValue{"s": str("v2")})
	st.drain(t)
	if len(st.calls) != 1 {
		t.Fatalf("%d invocations, want 1", len(st.calls))
	}
	got := events.DynamoDBEvent{Records: st.calls[0]}

	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back events.DynamoDBEvent
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for i := range back.Records {
		b, g := &back.Records[i].Change, got.Records[i].Change
		if !b.ApproximateCreationDateTime.Equal(g.ApproximateCreationDateTime.Time) {
			t.Errorf("record %d: ApproximateCreationDateTime %v after the round trip, want %v", i, b.ApproximateCreationDateTime, g.ApproximateCreationDateTime)
		}
		// Only the location differs once times are equal.
		b.ApproximateCreationDateTime = g.ApproximateCreationDateTime
	}
	if !reflect.DeepEqual(back, got) {
		t.Errorf("JSON round trip changed the event:\n got %s", data)
	}

	var records []map[string]json.RawMessage
	if err := json.Unmarshal(data, &struct {
		Records *[]map[string]json.RawMessage `json:"Records"`
	}{&records}); err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"awsRegion", "dynamodb", "eventID", "eventName", "eventSource", "eventSourceARN", "eventVersion"}
	// An INSERT has no OldImage, a MODIFY both images.
	wantChange := [][]string{
		{"ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber", "SizeBytes", "StreamViewType"},
		{"ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SequenceNumber", "SizeBytes", "StreamViewType"},
	}
	if len(records) != len(wantChange) {
		t.Fatalf("%d records in the JSON, want %d", len(records), len(wantChange))
	}
	for i, r := range records {
		if keys := slices.Sorted(maps.Keys(r)); !slices.Equal(keys, wantKeys) {
			t.Errorf("record %d keys = %v, want %v", i, keys, wantKeys)
		}
		var change map[string]json.RawMessage
		if err := json.Unmarshal(r["dynamodb"], &change); err != nil {
			t.Fatal(err)
		}
		if keys := slices.Sorted(maps.Keys(change)); !slices.Equal(keys, wantChange[i]) {
			t.Errorf("record %d dynamodb keys = %v, want %v", i, keys, wantChange[i])
		}
	}
	// Attribute values in DynamoDB JSON, numbers as strings, as Lambda writes them.
	if !strings.Contains(string(data), `"n":{"N":"-12.5"}`) {
		t.Errorf("number attribute not in DynamoDB JSON: %s", data)
	}
}

// TestStreamBatchItemFailures checks that a BatchItemFailures response
// redelivers from the first failed record, not the ones before, and that a
// handler error (or a failure naming no record of the batch) redelivers the
// whole batch.
func TestStreamBatchItemFailures(t *testing.T) {
	failOnce := func(resp func(e events.DynamoDBEvent) (events.DynamoDBEventResponse, error)) func(int, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return func(call int, e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			if call > 1 {
				return events.DynamoDBEventResponse{}, nil
			}
			return resp(e)
		}
	}
	failures := func(e events.DynamoDBEvent, indexes ...int) events.DynamoDBEventResponse {
		var resp events.DynamoDBEventResponse
		for _, i := range indexes {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: e.Records[i].Change.SequenceNumber})
		}
		return resp
	}
	tests := []struct {
		name    string
		respond func(int, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
		want    [][]string
	}{
		{
			name: "records 3 and 4 failed",
			respond: failOnce(func(e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
				return failures(e, 3, 2), nil
			}),
			want: [][]string{{"0", "1", "2", "3", "4"}, {"2", "3", "4"}},
		},
		{
			name: "last record failed",
			respond: failOnce(func(e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
				return failures(e, 4), nil
			}),
			want: [][]string{{"0", "1", "2", "3", "4"}, {"4"}},
		},
		{
			name: "handler error",
			respond: failOnce(func(events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
				return events.DynamoDBEventResponse{}, errors.New("downstream down")
			}),
			want: [][]string{{"0", "1", "2", "3", "4"}, {"0", "1", "2", "3", "4"}},
		},
		{
			name: "unknown sequence number",
			respond: failOnce(func(events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
				return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: "1"}}}, nil
			}),
			want: [][]string{{"0", "1", "2", "3", "4"}, {"0", "1", "2", "3", "4"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newStreamTest(t)
			st.respond = tt.respond
			st.putN(t, 0, 5)
			st.drain(t)
			if got := st.sortKeys(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("invocations (sort keys) = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestStreamRetryIsLaterRound checks that PollOnce leaves a failed batch to
// the next round instead of retrying at once, and that records written in
// between join the retried batch.
func TestStreamRetryIsLaterRound(t *testing.T) {
	t.Parallel()
	st := newStreamTest(t)
	st.respond = func(call int, e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if call == 1 {
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: e.Records[1].Change.SequenceNumber}}}, nil
		}
		return events.DynamoDBEventResponse{}, nil
	}
	ctx := testContext(t)
	st.putN(t, 0, 2)
	if n, err := st.poller.PollOnce(ctx); err != nil || n != 2 {
		t.Fatalf("first PollOnce = %d, %v; want 2, nil", n, err)
	}
	st.putN(t, 2, 1)
	if n, err := st.poller.PollOnce(ctx); err != nil || n != 2 {
		t.Fatalf("second PollOnce = %d, %v; want 2, nil", n, err)
	}
	if n, err := st.poller.PollOnce(ctx); err != nil || n != 0 {
		t.Fatalf("third PollOnce = %d, %v; want 0, nil", n, err)
	}
	if got, want := st.sortKeys(), [][]string{{"0", "1"}, {"1", "2"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("invocations (sort keys) = %v, want %v", got, want)
	}
}

// TestStreamGivesUp checks that a record failing more than MaxRetries times
// reaches OnFailure once and that the records after it still flow.
func TestStreamGivesUp(t *testing.T) {
	tests := []struct {
		name       string
		maxRetries int
		attempts   int
	}{
		{"default of 3 retries", 0, 4},
		{"1 retry", 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newStreamTest(t)
			st.poller.BatchSize = 1
			st.poller.MaxRetries = tt.maxRetries
			var givenUp [][]string
			st.poller.OnFailure = func(_ context.Context, e events.DynamoDBEvent) error {
				givenUp = append(givenUp, sortKeys(e.Records))
				return nil
			}
			st.respond = func(_ int, e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
				var resp events.DynamoDBEventResponse
				for _, r := range e.Records {
					if r.Change.Keys["sk"].String() == "1" {
						resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
					}
				}
				return resp, nil
			}
			st.putN(t, 0, 3)
			st.drain(t)
			want := [][]string{{"0"}}
			for range tt.attempts {
				want = append(want, []string{"1"})
			}
			want = append(want, []string{"2"})
			if got := st.sortKeys(); !reflect.DeepEqual(got, want) {
				t.Errorf("invocations (sort keys) = %v, want %v", got, want)
			}
			if want := [][]string{{"1"}}; !reflect.DeepEqual(givenUp, want) {
				t.Errorf("OnFailure got %v, want %v", givenUp, want)
			}

			st.putN(t, 3, 1)
			st.drain(t)
			if got := st.sortKeys(); !reflect.DeepEqual(got[len(got)-1], []string{"3"}) || len(got) != len(want)+1 {
				t.Errorf("after a new write, invocations = %v, want one more with [3]", got)
			}
		})
	}
}

// TestStreamOnFailureError checks that records OnFailure could not take are
// not skipped: the next round tries them (and OnFailure) again.
func TestStreamOnFailureError(t *testing.T) {
	t.Parallel()
	st := newStreamTest(t)
	st.poller.MaxRetries = 1
	var offered int
	st.poller.OnFailure = func(context.Context, events.DynamoDBEvent) error {
		offered++
		if offered == 1 {
			return errors.New("destination down")
		}
		return nil
	}
	st.respond = func(int, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return events.DynamoDBEventResponse{}, errors.New("always failing")
	}
	st.putN(t, 0, 1)
	if err := st.poller.Drain(testContext(t)); err == nil || !strings.Contains(err.Error(), "destination down") {
		t.Fatalf("Drain = %v, want the OnFailure error", err)
	}
	st.drain(t)
	if offered != 2 {
		t.Errorf("OnFailure called %d times, want 2", offered)
	}
	// Two attempts before the failed hand-over, one more before the second.
	if got, want := st.sortKeys(), [][]string{{"0"}, {"0"}, {"0"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("invocations (sort keys) = %v, want %v", got, want)
	}
}

// TestStreamRun checks that Run delivers what is written and ends with its
// context.
func TestStreamRun(t *testing.T) {
	t.Parallel()
	st := newStreamTest(t)
	got := make(chan string, 10)
	st.respond = func(_ int, e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		for _, r := range e.Records {
			got <- r.Change.Keys["sk"].String()
		}
		return events.DynamoDBEventResponse{}, nil
	}
	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() { done <- st.poller.Run(ctx, 50*time.Millisecond) }()
	st.putN(t, 0, 1)
	select {
	case sk := <-got:
		if sk != "0" {
			t.Errorf("delivered %q, want 0", sk)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run delivered nothing within 10 s")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
