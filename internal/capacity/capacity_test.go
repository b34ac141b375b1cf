package capacity

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestItemSize(t *testing.T) {
	item := map[string]types.AttributeValue{
		"pk":   &types.AttributeValueMemberS{Value: "STORE#s1"},           // 2 + 8
		"n":    &types.AttributeValueMemberN{Value: "12345"},              // 1 + 4
		"ok":   &types.AttributeValueMemberBOOL{Value: true},              // 2 + 1
		"tags": &types.AttributeValueMemberSS{Value: []string{"a", "bc"}}, // 4 + 3
		"items": &types.AttributeValueMemberL{Value: []types.AttributeValue{ // 5 + 3 + (1+1) + (1 + 3+1+3+2)
			&types.AttributeValueMemberS{Value: "x"},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": &types.AttributeValueMemberN{Value: "10"}}},
		}},
	}
	if got, want := ItemSize(item), 10+5+3+7+5+3+2+10; got != want {
		t.Fatalf("ItemSize = %d, want %d", got, want)
	}
}

func TestNumberSize(t *testing.T) {
	for in, want := range map[string]int{"0": 1, "1": 2, "12": 2, "123": 3, "1000": 2, "-0.0012": 2, "123.45": 4, "1.5E10": 2} {
		if got := NumberSize(in); got != want {
			t.Errorf("NumberSize(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestUnits(t *testing.T) {
	for _, c := range []struct {
		size  int
		tx    bool
		units float64
	}{{0, false, 1}, {1024, false, 1}, {1025, false, 2}, {1025, true, 4}, {300, true, 2}} {
		if got := WriteUnits(c.size, c.tx); got != c.units {
			t.Errorf("WriteUnits(%d, %v) = %v, want %v", c.size, c.tx, got, c.units)
		}
	}
	for _, c := range []struct {
		size           int
		consistent, tx bool
		units          float64
	}{{100, true, false, 1}, {100, false, false, 0.5}, {4097, false, false, 1}, {8192, true, false, 2}, {4097, true, true, 4}} {
		if got := ReadUnits(c.size, c.consistent, c.tx); got != c.units {
			t.Errorf("ReadUnits(%d, %v, %v) = %v, want %v", c.size, c.consistent, c.tx, got, c.units)
		}
	}
	if s := ItemSize(map[string]types.AttributeValue{"b": &types.AttributeValueMemberS{Value: strings.Repeat("é", 512)}}); WriteUnits(s, false) != 2 {
		t.Errorf("a 1025-byte item (multi-byte string) is 2 write units, size %d", s)
	}
}
