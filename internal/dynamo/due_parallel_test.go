package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

// inflight passes every call to DynamoDB Local and records how many
// queries of the due index were in flight at once. Each such query waits
// (up to a second) until gate of them are in flight, so that queries sent
// one after another show as one at a time however fast the emulator is.
type inflight struct {
	dynamo.API
	gate    int
	fail    string // a due_pk whose query fails, as DynamoDB's throttling would
	mu      sync.Mutex
	current int
	most    int
	queries int
	opened  chan struct{}
}

func (f *inflight) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if aws.ToString(in.IndexName) != "due" {
		return f.API.Query(ctx, in, opts...)
	}
	f.mu.Lock()
	f.current++
	f.queries++
	f.most = max(f.most, f.current)
	if f.current == f.gate {
		close(f.opened)
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.current--
		f.mu.Unlock()
	}()
	select {
	case <-f.opened:
	case <-time.After(time.Second):
	}
	if shard := in.ExpressionAttributeValues[":shard"].(*types.AttributeValueMemberS).Value; shard == f.fail {
		return nil, &types.ProvisionedThroughputExceededException{Message: aws.String("Rate of requests exceeds the allowed throughput")}
	}
	return f.API.Query(ctx, in, opts...)
}

func newInflight(t *testing.T, fail string) (*inflight, *dynamo.DB, *dynamo.DB) {
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	f := &inflight{API: client, gate: 4, fail: fail, opened: make(chan struct{})}
	return f, dynamo.New(f, table), dynamo.New(client, table)
}

// The due index's four shards are queried at once, and every due survey
// of every shard comes back, shard by shard as before.
func TestDueSurveysQueriesTheShardsAtOnce(t *testing.T) {
	ctx := context.Background()
	f, db, plain := newInflight(t, "")
	now := time.Now().UTC().Truncate(time.Second)
	var want []string
	for i := range 16 {
		s := closeloop.Survey{
			SurveyID: fmt.Sprintf("s_due%02d", i), StoreID: "shop", OrderID: fmt.Sprintf("o-%d", i),
			Customer: closeloop.Customer{Email: fmt.Sprintf("c%d@example.com", i)}, Status: closeloop.StatusScheduled,
			SendAt: now.Add(-time.Duration(i) * time.Minute), ClosesAt: now.Add(time.Hour),
		}
		if _, _, err := plain.CreateSurvey(ctx, s, 0); err != nil {
			t.Fatal(err)
		}
		want = append(want, s.SurveyID)
	}
	due, err := db.DueSurveys(ctx, now, 100)
	if err != nil {
		t.Fatal(err)
	}
	if f.queries != 4 || f.most != 4 {
		t.Errorf("%d due index queries, at most %d in flight at once; want 4 and 4", f.queries, f.most)
	}
	var got []string
	for _, d := range due {
		got = append(got, d.Survey.SurveyID)
	}
	// The same order as the plain client's (whose queries pass no gate).
	again, err := plain.DueSurveys(ctx, now, 100)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, d := range again {
		order = append(order, d.Survey.SurveyID)
	}
	if !slices.Equal(got, order) {
		t.Errorf("due surveys in order %v, want %v", got, order)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("due surveys %v, want %v", got, want)
	}
}

// One shard's failed query fails the listing as unavailable, after the
// other shards' queries are done (none is left running).
func TestDueSurveysFailsWithAShard(t *testing.T) {
	f, db, _ := newInflight(t, "DUE#2")
	_, err := db.DueSurveys(context.Background(), time.Now(), 10)
	if code := closeloop.ErrorCode(err); code != closeloop.EUNAVAILABLE {
		t.Fatalf("a shard's throttled query: code %q (%v), want unavailable", code, err)
	}
	var throttled *types.ProvisionedThroughputExceededException
	if !errors.As(err, &throttled) {
		t.Errorf("error %v does not wrap the throttling", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.current != 0 || f.queries != 4 {
		t.Errorf("%d queries still in flight of %d, want 0 of 4", f.current, f.queries)
	}
}
