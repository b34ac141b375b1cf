package dynamo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

// countingTx counts the transactions and their actions that reach
// DynamoDB Local.
type countingTx struct {
	dynamo.API
	transactions, actions int
}

func (c *countingTx) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.transactions++
	c.actions += len(in.TransactItems)
	return c.API.TransactWriteItems(ctx, in, opts...)
}

// TestProductFactsCountOnceTogether: a stream batch's facts about the same
// products are applied in one transaction (a marker each, one update per
// counter), each fact exactly once however the batch is redelivered,
// whole or in part, and a fact too big to share a transaction still
// counts.
func TestProductFactsCountOnceTogether(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	c := &countingTx{API: client}
	db := dynamo.New(c, testenv.NewTable(t, client))
	const day = "2026-11-28"
	sent := func(store, mark string, skus ...string) closeloop.Change {
		var pts []closeloop.ProductTally
		for _, sku := range skus {
			pts = append(pts, closeloop.ProductTally{SKU: sku, Name: "Name of " + sku, Day: day, Tally: closeloop.Tally{Sent: 1}})
		}
		return closeloop.Change{StoreID: store, Mark: mark, Products: pts}
	}
	var batch []closeloop.Change
	for i := range 30 {
		batch = append(batch, sent("shop", fmt.Sprintf("sent#s_%02d", i), "MUG-1", "TOWEL", "COASTERS"))
	}
	batch = append(batch, sent("other", "sent#s_other", "MUG-1"))
	if err := db.AddProductFacts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// 31 markers and 2 × 4 counters: one transaction.
	if c.transactions != 1 || c.actions != 31+8 {
		t.Errorf("%d transactions of %d actions, want 1 of 39", c.transactions, c.actions)
	}
	want := map[string]map[string]int{"shop": {"MUG-1": 30, "TOWEL": 30, "COASTERS": 30}, "other": {"MUG-1": 1}}
	check := func(when string) {
		t.Helper()
		for store, skus := range want {
			days, err := db.ProductDays(ctx, store, day, day)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, d := range days {
				got[d.SKU] += d.Sent
			}
			if fmt.Sprint(got) != fmt.Sprint(skus) {
				t.Errorf("%s: %s's day counts %v, want %v", when, store, got, skus)
			}
			month, err := db.ProductMonth(ctx, store, day[:7])
			if err != nil {
				t.Fatal(err)
			}
			for sku, n := range skus {
				if month[sku].Sent != n || month[sku].Name != "Name of "+sku {
					t.Errorf("%s: %s's month of %s %+v, want %d sent and its name", when, store, sku, month[sku], n)
				}
			}
		}
	}
	check("first delivery")

	// The batch again, with new facts among the old: the old count
	// nothing, the new once.
	again := append(batch[10:], sent("shop", "sent#s_new1", "MUG-1"), sent("shop", "sent#s_new2", "VASE"))
	if err := db.AddProductFacts(ctx, again); err != nil {
		t.Fatal(err)
	}
	want["shop"]["MUG-1"]++
	want["shop"]["VASE"] = 1
	check("redelivery")

	// A fact of 60 products (120 counters) takes transactions of its own.
	var skus []string
	for i := range 60 {
		skus = append(skus, fmt.Sprintf("SKU-%02d", i))
		want["other"][skus[i]] = 1
	}
	big := sent("other", "sent#s_big", skus...)
	if err := db.AddProductFacts(ctx, []closeloop.Change{sent("other", "sent#s_small", "MUG-1"), big}); err != nil {
		t.Fatal(err)
	}
	want["other"]["MUG-1"]++
	check("a big fact")
	if err := db.AddProductFacts(ctx, []closeloop.Change{big}); err != nil {
		t.Fatal(err)
	}
	check("the big fact again")
}
