package dynamo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

func adjustment(points int, key string) closeloop.Adjustment {
	return closeloop.Adjustment{
		StoreID: "shop", Email: "ada@example.com", Points: points, Reason: "test",
		IdempotencyKey: key, At: time.Now().UTC().Truncate(time.Millisecond),
	}
}

func TestAdjustPointsRetriesTransactionConflicts(t *testing.T) {
	f, db := newFaulty(t)
	f.conflicts.Store(3)
	res, replay, err := db.AdjustPoints(context.Background(), adjustment(40, "k-1"))
	if err != nil || replay || res.Balance != 40 {
		t.Fatalf("adjust after 3 conflicts: %+v %v %v", res, replay, err)
	}
	if got := f.calls.Load(); got != 4 {
		t.Fatalf("%d transaction calls, want 4 (3 conflicts, then success)", got)
	}
	p, err := db.Points(context.Background(), "shop", "ada@example.com")
	if err != nil || p.Balance != 40 || len(p.Ledger) != 1 {
		t.Fatalf("points %+v %v, want 40 once", p, err)
	}
}

// interleaving lets another write in between an adjustment's read of the
// balance and its transaction, the race the balance condition guards.
type interleaving struct {
	dynamo.API
	once    sync.Once
	between func()
}

func (i *interleaving) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	i.once.Do(i.between)
	return i.API.TransactWriteItems(ctx, in, opts...)
}

func TestAdjustPointsRereadsAMovedBalance(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	plain := dynamo.New(client, table)
	if _, _, err := plain.AdjustPoints(ctx, adjustment(100, "grant")); err != nil {
		t.Fatal(err)
	}
	racing := dynamo.New(&interleaving{API: client, between: func() {
		if _, _, err := plain.AdjustPoints(ctx, adjustment(50, "between")); err != nil {
			t.Error(err)
		}
	}}, table)
	res, replay, err := racing.AdjustPoints(ctx, adjustment(-30, "redeem"))
	// The redemption read 100, lost to the grant, read 150 and applied.
	if err != nil || replay || res.Balance != 120 {
		t.Fatalf("redeem 30 while 50 were granted: %+v %v %v, want balance 120", res, replay, err)
	}
	p, err := plain.Points(ctx, "shop", "ada@example.com")
	if err != nil || p.Balance != 120 || len(p.Ledger) != 3 {
		t.Fatalf("points %+v %v, want 120 from three entries", p, err)
	}
}
