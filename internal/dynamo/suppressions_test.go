package dynamo

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/sesevents"
	"github.com/closeloop/closeloop/internal/storeapi"
	"github.com/closeloop/closeloop/internal/testenv"
)

// The suppression ports DB implements, checked when the tests compile.
var (
	_ storeapi.Suppressions  = (*DB)(nil)
	_ sesevents.Suppressions = (*DB)(nil)
)

// TestSuppressKeepsTheFirst: suppressing again, for any reason, writes
// nothing (the profile's item is not even touched), and lifting removes
// the suppression and the list entry together.
func TestSuppressKeepsTheFirst(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	db := New(client, testenv.NewTable(t, client))
	at := time.Date(2026, 11, 20, 18, 3, 27, 514e6, time.UTC)
	const store, email = "shop-1", "ada@example.com"
	if err := db.Suppress(ctx, store, email, closeloop.SuppressedBounced, at); err != nil {
		t.Fatal(err)
	}
	profile := func() map[string]string {
		t.Helper()
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(db.table), Key: key(customerPK(store, email), "#PROFILE"), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, name := range []string{"suppressed_at", "suppressed_reason", "list_pk", "list_sk"} {
			got[name] = stringAttr(out.Item[name])
		}
		return got
	}
	want := map[string]string{
		"suppressed_at": "2026-11-20T18:03:27.514Z", "suppressed_reason": "bounced",
		"list_pk": "STORE#shop-1#SUPPRESSED", "list_sk": "2026-11-20T18:03:27.514Z#ada@example.com",
	}
	if got := profile(); !maps.Equal(got, want) {
		t.Fatalf("profile %v, want %v", got, want)
	}
	if err := db.Suppress(ctx, store, email, closeloop.SuppressedComplained, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := profile(); !maps.Equal(got, want) {
		t.Fatalf("profile after a second suppression %v, want the first %v", got, want)
	}
	if err := db.Unsuppress(ctx, store, email); err != nil {
		t.Fatal(err)
	}
	if got := profile(); !maps.Equal(got, map[string]string{"suppressed_at": "", "suppressed_reason": "", "list_pk": "", "list_sk": ""}) {
		t.Fatalf("profile after the lift %v", got)
	}
	if err := db.Unsuppress(ctx, store, email); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Fatalf("lifting twice: %v, want ENOTFOUND", err)
	}
}

// TestErasedSuppressionIsListedMasked: what erase leaves is listed without
// the address, and holds it nowhere but hashed.
func TestErasedSuppressionIsListedMasked(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	db := New(client, testenv.NewTable(t, client))
	at := time.Date(2026, 11, 20, 18, 3, 27, 0, time.UTC)
	if err := db.PutErasedSuppression(ctx, "shop-1", "grace@example.com", closeloop.SuppressedComplained, at); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(db.table), Key: erasedSuppressionKey("shop-1", "grace@example.com")})
	if err != nil || out.Item == nil {
		t.Fatalf("no erased entry: %v", err)
	}
	for name, v := range out.Item {
		if s := stringAttr(v); len(s) >= 5 && strings.Contains(s, "grace") {
			t.Errorf("attribute %s holds the address: %q", name, s)
		}
	}
	items, next, err := db.Suppressions(ctx, "shop-1", 10, "")
	if err != nil || next != "" || len(items) != 1 {
		t.Fatalf("list %+v, %q, %v", items, next, err)
	}
	if e := items[0]; e.Email != nil || e.Masked == nil || *e.Masked != "g•••@example.com" || e.Reason != closeloop.SuppressedComplained || !e.SuppressedAt.Equal(at) {
		t.Fatalf("entry %+v", e)
	}
}

// TestTransientBouncesCountOnce counts two events, one of them three times.
func TestTransientBouncesCountOnce(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	db := New(client, testenv.NewTable(t, client))
	at := time.Now()
	for i, k := range []string{"a", "a", "b", "a"} {
		counted, err := db.CountTransientBounce(ctx, "shop-1", k, at)
		if err != nil {
			t.Fatal(err)
		}
		if want := i < 1 || i == 2; counted != want {
			t.Errorf("event %d (%s): counted %v, want %v", i, k, counted, want)
		}
	}
	if n, err := db.TransientBounces(ctx, "shop-1"); err != nil || n != 2 {
		t.Fatalf("%d counted, %v; want 2", n, err)
	}
	if n, err := db.TransientBounces(ctx, "shop-2"); err != nil || n != 0 {
		t.Fatalf("another store: %d counted, %v; want 0", n, err)
	}
}

// TestListSuppressionUpgradesOldProfiles lists a profile an earlier release
// suppressed (no list keys), at its original time, once.
func TestListSuppressionUpgradesOldProfiles(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	db := New(client, testenv.NewTable(t, client))
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	old := map[string]types.AttributeValue{
		"pk": s(customerPK("shop-1", "ada@example.com")), "sk": s("#PROFILE"), "store_id": s("shop-1"), "email": s("ada@example.com"),
		"suppressed_at": s("2026-10-02T11:47:13.2Z"), "suppressed_reason": s("unsubscribed"),
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(db.table), Item: old}); err != nil {
		t.Fatal(err)
	}
	notSuppressed := map[string]types.AttributeValue{"pk": s(customerPK("shop-1", "bob@example.com")), "sk": s("#PROFILE"), "store_id": s("shop-1"), "email": s("bob@example.com")}
	placeholder := map[string]types.AttributeValue{"pk": s(customerPK("shop-1", "erased@x.invalid")), "sk": s("#PROFILE"), "store_id": s("shop-1"),
		"email": s("erased@x.invalid"), "suppressed_at": s("2026-10-02T11:47:13.200Z"), "suppressed_reason": s(closeloop.SuppressedErased)}
	for _, item := range []map[string]types.AttributeValue{notSuppressed, placeholder, {"pk": s("SURVEY#s_1"), "sk": s("#SURVEY"), "suppressed_at": s("x")}} {
		if listed, err := db.listSuppression(ctx, item); listed || err != nil {
			t.Fatalf("listed %v, %v: not a suppressed profile", listed, err)
		}
	}
	if listed, err := db.listSuppression(ctx, old); !listed || err != nil {
		t.Fatalf("listed %v, %v; want the old profile listed", listed, err)
	}
	if listed, err := db.listSuppression(ctx, old); listed || err != nil {
		t.Fatalf("again: listed %v, %v; want nothing done", listed, err)
	}
	items, _, err := db.Suppressions(ctx, "shop-1", 10, "")
	want := time.Date(2026, 10, 2, 11, 47, 13, 2e8, time.UTC)
	if err != nil || len(items) != 1 || *items[0].Email != "ada@example.com" || !items[0].SuppressedAt.Equal(want) || items[0].Reason != "unsubscribed" {
		t.Fatalf("list %+v, %v", items, err)
	}
}
