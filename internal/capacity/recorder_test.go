package capacity

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestIndexUnits(t *testing.T) {
	r := &Recorder{Keys: []string{"pk", "sk"}, Indexes: []Index{
		{Name: "due", Keys: []string{"due_pk", "due_sk"}, Type: types.ProjectionTypeAll},
		{Name: "slim", Keys: []string{"due_pk", "due_sk"}, Type: types.ProjectionTypeKeysOnly},
	}}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	item := func(due, body string) Item {
		it := Item{"pk": s("a"), "sk": s("b"), "body": s(body)}
		if due != "" {
			it["due_pk"], it["due_sk"] = s("D"), s(due)
		}
		return it
	}
	big := strings.Repeat("x", 1100)
	for _, c := range []struct {
		name          string
		before, after Item
		want          float64
	}{
		{"not in the index", item("", "1"), item("", "2"), 0},
		{"put into both", nil, item("1", big), 2 + 1},
		{"deleted from both", item("1", "x"), item("", "x"), 1 + 1},
		{"unchanged", item("1", "x"), item("1", "x"), 0},
		{"a projected attribute changed (ALL only)", item("1", "x"), item("1", big), 2},
		{"the index key changed: delete and put in both", item("1", "x"), item("2", "x"), 2 + 2},
	} {
		if got := r.indexUnits(c.before, c.after); got != c.want {
			t.Errorf("%s: %v units, want %v", c.name, got, c.want)
		}
	}
}
