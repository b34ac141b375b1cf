package capacity_test

import (
	"context"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/capacity"
)

func TestDumpSurvey(t *testing.T) {
	var raw *dynamodb.Client
	f := apptest.NewWith(t, func(r *dynamodb.Client, table string) []func(*dynamodb.Options) { raw = r; return nil })
	one := apptest.Email("one")
	if r := f.API(t, "POST", "/v1/orders", apptest.Order("d-1", one)); r.Status != http.StatusAccepted {
		t.Fatal(r.Body)
	}
	f.Clock.Advance(time.Minute)
	f.Dispatch(t)
	f.Clock.Advance(time.Duration(f.Settings.ReminderAfterHours)*time.Hour + time.Minute)
	f.Dispatch(t)
	f.Settle(t)
	out, err := raw.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(f.Table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.Items {
		type kv struct {
			k string
			n int
		}
		var kvs []kv
		for k, v := range it {
			kvs = append(kvs, kv{k, len(k) + capacity.ValueSize(v)})
		}
		sort.Slice(kvs, func(i, j int) bool { return kvs[i].n > kvs[j].n })
		pk := it["pk"].(*types.AttributeValueMemberS).Value
		t.Logf("%s %d: %v", pk, capacity.ItemSize(it), kvs)
		if s, ok := it["policy"]; ok {
			t.Logf("policy %#v", s)
		}
	}
}
