package dynamo_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/testenv"
)

// TestGrantAndRevokeSender: a grant adds an identity once, a revoke takes
// one back and leaves the list (empty at the last), so that the upgrade
// does not grant the store's sender again.
func TestGrantAndRevokeSender(t *testing.T) {
	ctx := context.Background()
	var counter testenv.RequestCounter
	client := testenv.DynamoDB(t, counter.Register)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)

	change := func(f func(context.Context, string, string) ([]string, error), storeID, identity string, want ...string) {
		t.Helper()
		got, err := f(ctx, storeID, identity)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s %s: %q, %v; want %q", storeID, identity, got, err, want)
		}
		if store, err := db.Store(ctx, storeID); err != nil || !slices.Equal(store.SenderIdentities, want) {
			t.Fatalf("%s %s: the store read back holds %q, %v; want %q", storeID, identity, store.SenderIdentities, err, want)
		}
	}

	// A store created without a sender has no identities, not even an
	// empty list.
	if _, _, err := stores.Create(ctx, db, "plain", closeloop.DefaultSettings(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, has := getRaw(t, client, table, "STORE#plain", "#SETTINGS")["sender_identities"]; has {
		t.Fatal("a store created without a sender has sender_identities")
	}
	change(db.GrantSender, "plain", "ada@plain.example", "ada@plain.example")
	change(db.GrantSender, "plain", "ada@plain.example", "ada@plain.example")

	// A store created with a sender is granted it.
	settings := closeloop.DefaultSettings()
	settings.SenderEmail = "feedback@shop.example"
	if _, _, err := stores.Create(ctx, db, "shop", settings, time.Now()); err != nil {
		t.Fatal(err)
	}
	if store, err := db.Store(ctx, "shop"); err != nil || !slices.Equal(store.SenderIdentities, []string{"feedback@shop.example"}) || !store.SenderGranted() {
		t.Fatalf("the new store's identities %q, %v; want its sender", store.SenderIdentities, err)
	}
	change(db.GrantSender, "shop", "feedback@shop.example", "feedback@shop.example")
	change(db.GrantSender, "shop", "shop.example", "feedback@shop.example", "shop.example")
	change(db.GrantSender, "shop", "shop.example", "feedback@shop.example", "shop.example")

	// Revoking what the store does not hold writes nothing.
	counter.Reset()
	change(db.RevokeSender, "shop", "other@shop.example", "feedback@shop.example", "shop.example")
	if c := counter.Counts(); c["UpdateItem"]+c["PutItem"] != 0 {
		t.Fatalf("revoking an identity not held wrote: %v", c)
	}

	// Its sender stays granted through its domain, then not at all.
	change(db.RevokeSender, "shop", "feedback@shop.example", "shop.example")
	if store, _ := db.Store(ctx, "shop"); !store.SenderGranted() {
		t.Fatal("the store's sender is not granted through its domain")
	}
	change(db.RevokeSender, "shop", "shop.example")
	change(db.RevokeSender, "shop", "shop.example")
	store, err := db.Store(ctx, "shop")
	if err != nil || len(store.SenderIdentities) != 0 || store.SenderGranted() || store.Settings.SenderEmail != "feedback@shop.example" {
		t.Fatalf("after every revoke: %q, granted %v, sender %q, %v", store.SenderIdentities, store.SenderGranted(), store.Settings.SenderEmail, err)
	}
	none := &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
	if got, has := getRaw(t, client, table, "STORE#shop", "#SETTINGS")["sender_identities"]; !has || !reflect.DeepEqual(got, none) {
		t.Fatalf("sender_identities after every revoke %#v, want the empty list", got)
	}

	// The upgrade leaves the revoked store's sender revoked.
	report, err := db.Upgrade(ctx, nil)
	if err != nil || report.SendersGranted != 0 {
		t.Fatalf("upgrade: %+v, %v; want no sender granted", report, err)
	}
	if store, err := db.Store(ctx, "shop"); err != nil || len(store.SenderIdentities) != 0 {
		t.Fatalf("after the upgrade the store holds %q, %v; want nothing", store.SenderIdentities, err)
	}

	// No such store: neither change creates one.
	for name, f := range map[string]func(context.Context, string, string) ([]string, error){"grant": db.GrantSender, "revoke": db.RevokeSender} {
		if got, err := f(ctx, "missing", "ada@missing.example"); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
			t.Errorf("%s on a missing store: %q, %v; want ENOTFOUND", name, got, err)
		}
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{"pk": attrS("STORE#missing"), "sk": attrS("#SETTINGS")}, ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item != nil {
		t.Fatalf("the missing store after the grant: %v, %v", out.Item, err)
	}
}
