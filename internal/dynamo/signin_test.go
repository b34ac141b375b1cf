package dynamo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/testenv"
)

func staffStores(t *testing.T, db *dynamo.DB, email string) []string {
	t.Helper()
	ids, err := db.StaffStores(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

// A store's owner and support addresses are listed under STAFF# from its
// creation, and move with every change of the settings, in the change's
// own transaction: a refused change moves nothing.
func TestStaffItemsFollowSettings(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	settings := closeloop.DefaultSettings()
	settings.OwnerEmails, settings.SupportEmails = []string{"Ann@Shop.test"}, []string{"bob@shop.test", "ann@shop.test"}
	if _, _, err := stores.Create(ctx, db, "shop-a", settings, time.Now()); err != nil {
		t.Fatal(err)
	}
	settings.OwnerEmails, settings.SupportEmails = []string{"ann@shop.test"}, nil
	if _, _, err := stores.Create(ctx, db, "shop-b", settings, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := staffStores(t, db, "ann@shop.test"); !slices.Equal(got, []string{"shop-a", "shop-b"}) {
		t.Errorf("ann's stores %q, want both", got)
	}
	if got := staffStores(t, db, "bob@shop.test"); !slices.Equal(got, []string{"shop-a"}) {
		t.Errorf("bob's stores %q, want shop-a", got)
	}

	store, err := db.Store(ctx, "shop-a")
	if err != nil {
		t.Fatal(err)
	}
	s := store.Settings
	s.SupportEmails = []string{"cat@shop.test"}
	// A change from a stale version is refused and moves nothing.
	stale := store
	stale.SettingsVersion++
	if err := db.UpdateSettings(ctx, stale, s); closeloop.ErrorCode(err) != closeloop.ECONFLICT {
		t.Fatalf("a stale change: %v, want ECONFLICT", err)
	}
	if got := staffStores(t, db, "cat@shop.test"); len(got) != 0 {
		t.Errorf("a refused change listed cat in %q", got)
	}
	if err := db.UpdateSettings(ctx, closeloop.Store{StoreID: "shop-gone"}, s); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Errorf("a change of no store: %v, want ENOTFOUND", err)
	}
	if err := db.UpdateSettings(ctx, store, s); err != nil {
		t.Fatal(err)
	}
	if got := staffStores(t, db, "bob@shop.test"); len(got) != 0 {
		t.Errorf("bob, removed, still lists %q", got)
	}
	if got := staffStores(t, db, "cat@shop.test"); !slices.Equal(got, []string{"shop-a"}) {
		t.Errorf("cat, added, lists %q", got)
	}
	if got := staffStores(t, db, "ann@shop.test"); !slices.Equal(got, []string{"shop-a", "shop-b"}) {
		t.Errorf("ann, kept, lists %q", got)
	}
	// The version moved as with any change: the next one is from it.
	if err := db.UpdateSettings(ctx, store, s); closeloop.ErrorCode(err) != closeloop.ECONFLICT {
		t.Errorf("a second change from the same version: %v, want ECONFLICT", err)
	}

	got, err := db.StoresByID(ctx, []string{"shop-b", "shop-gone", "shop-a"})
	if err != nil || len(got) != 2 || got[0].StoreID != "shop-b" || got[1].StoreID != "shop-a" {
		t.Errorf("StoresByID: %v %v, want shop-b and shop-a in that order", got, err)
	}
}

// storectl upgrade lists the staff of stores from before sign-in, once.
func TestUpgradeListsOldStaff(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)
	list := func(addrs ...string) types.AttributeValue {
		l := &types.AttributeValueMemberL{}
		for _, a := range addrs {
			l.Value = append(l.Value, attrS(a))
		}
		return l
	}
	putRaw(t, client, table, map[string]types.AttributeValue{
		"pk": attrS("STORE#old"), "sk": attrS("#SETTINGS"), "store_id": attrS("old"), "created_at": attrS("2026-01-05T09:30:00.000Z"),
		"list_pk": attrS("STORES"), "list_sk": attrS("old"), "cursor_key": attrS("k-old"), "sender_identities": list(),
		"settings": attrM(map[string]types.AttributeValue{
			"time_zone": attrS("UTC"), "owner_emails": list("own@old.test"), "support_emails": list("sup@old.test", "own@old.test"),
		}),
	})
	first, err := db.Upgrade(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (dynamo.UpgradeReport{Scanned: 1, StaffListed: 2}); first != want {
		t.Fatalf("first run: %+v, want %+v", first, want)
	}
	for _, email := range []string{"own@old.test", "sup@old.test"} {
		if got := staffStores(t, db, email); !slices.Equal(got, []string{"old"}) {
			t.Errorf("%s lists %q after the upgrade", email, got)
		}
	}
	second, err := db.Upgrade(ctx, nil)
	if err != nil || second.Changes() != 0 {
		t.Errorf("second run: %+v %v, want no changes", second, err)
	}
}

// Counts against several limits are taken all or none, and a used-up
// window refuses until the next.
func TestCountSignIn(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	small := closeloop.RateLimit{Name: "test-small", Max: 2, Window: time.Minute}
	large := closeloop.RateLimit{Name: "test-large", Max: 10, Window: time.Minute}
	now := time.Date(2026, 11, 20, 10, 0, 5, 0, time.UTC)
	both := []closeloop.RateCount{{Limit: small, Subject: "a"}, {Limit: large, Subject: "x"}}
	for i := range 2 {
		if err := db.CountSignIn(ctx, both, now); err != nil {
			t.Fatalf("count %d: %v", i+1, err)
		}
	}
	if err := db.CountSignIn(ctx, both, now); closeloop.ErrorCode(err) != closeloop.ERATELIMITED {
		t.Fatalf("past the small limit: %v, want ERATELIMITED", err)
	}
	// The refused count took none: the large limit has 8 left, not 7.
	for i := range 8 {
		if err := db.CountSignIn(ctx, []closeloop.RateCount{{Limit: large, Subject: "x"}}, now); err != nil {
			t.Fatalf("large count %d: %v", i+3, err)
		}
	}
	if err := db.CountSignIn(ctx, []closeloop.RateCount{{Limit: large, Subject: "x"}}, now); closeloop.ErrorCode(err) != closeloop.ERATELIMITED {
		t.Errorf("past the large limit: %v", err)
	}
	if err := db.CountSignIn(ctx, []closeloop.RateCount{{Limit: small, Subject: "b"}}, now); err != nil {
		t.Errorf("another subject: %v", err)
	}
	if err := db.CountSignIn(ctx, both, now.Add(time.Minute)); err != nil {
		t.Errorf("the next window: %v", err)
	}
}

// A link is taken once, and not once expired; a session ends when
// deleted or expired.
func TestSignInLinkAndSession(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	link := closeloop.SignInLink{Email: "ann@shop.test", StoreIDs: []string{"shop-a"}, Next: "/app/followups/c_1", CreatedAt: now}
	if err := db.PutSignInLink(ctx, "h1", link); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSignInLink(ctx, "h2", link); err != nil {
		t.Fatal(err)
	}
	got, err := db.TakeSignInLink(ctx, "h1", now.Add(closeloop.SignInLinkTTL-time.Millisecond))
	if err != nil || got.Email != link.Email || !slices.Equal(got.StoreIDs, link.StoreIDs) || got.Next != link.Next || !got.CreatedAt.Equal(now) {
		t.Fatalf("take: %+v %v", got, err)
	}
	if _, err := db.TakeSignInLink(ctx, "h1", now); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Errorf("second take: %v, want ENOTFOUND", err)
	}
	if _, err := db.TakeSignInLink(ctx, "h2", now.Add(closeloop.SignInLinkTTL)); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Errorf("take at expiry: %v, want ENOTFOUND", err)
	}

	s := closeloop.Session{Email: "ann@shop.test", StoreID: "shop-a", Stores: 1, CSRF: "c", CreatedAt: now, SeenAt: now}
	if err := db.PutSession(ctx, "s1", s); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Session(ctx, "s1", now.Add(time.Hour)); err != nil || got != s {
		t.Errorf("session: %+v %v, want %+v", got, err, s)
	}
	if _, err := db.Session(ctx, "s1", now.Add(closeloop.SessionIdle)); closeloop.ErrorCode(err) != closeloop.EUNAUTHORIZED {
		t.Errorf("an idle session: %v, want EUNAUTHORIZED", err)
	}
	s.StoreID, s.SeenAt = "", now.Add(time.Hour)
	if err := db.TouchSession(ctx, "s1", s); err != nil {
		t.Fatal(err)
	}
	got2, err := db.Session(ctx, "s1", now.Add(closeloop.SessionIdle))
	if err != nil || got2.StoreID != "shop-a" || !got2.SeenAt.Equal(s.SeenAt) {
		t.Errorf("after a touch: %+v %v, want the store kept and the use moved", got2, err)
	}
	if err := db.DeleteSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "s1", now); closeloop.ErrorCode(err) != closeloop.EUNAUTHORIZED {
		t.Errorf("a deleted session: %v", err)
	}
	if err := db.TouchSession(ctx, "s1", s); closeloop.ErrorCode(err) != closeloop.EUNAUTHORIZED {
		t.Errorf("touching a deleted session: %v, want EUNAUTHORIZED (not recreated)", err)
	}
}

// beforeTransaction runs once, before the first transaction it passes on.
type beforeTransaction struct {
	dynamo.API
	once func()
}

func (b *beforeTransaction) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if b.once != nil {
		once := b.once
		b.once = nil
		once()
	}
	return b.API.TransactWriteItems(ctx, in, opts...)
}

// Two changes of the staff race: the one whose version went stale
// between its read and its transaction is refused whole, and the STAFF
// items are the winner's.
func TestStaffChangeLosingARaceChangesNothing(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)
	settings := closeloop.DefaultSettings()
	settings.OwnerEmails = []string{"ann@shop.test"}
	if _, _, err := stores.Create(ctx, db, "shop-a", settings, time.Now()); err != nil {
		t.Fatal(err)
	}
	read := closeloop.Store{StoreID: "shop-a", Settings: settings}
	winner, loser := settings, settings
	winner.SupportEmails = []string{"win@shop.test"}
	loser.SupportEmails = []string{"lose@shop.test"}
	racing := &beforeTransaction{API: client, once: func() {
		if err := db.UpdateSettings(ctx, read, winner); err != nil {
			t.Errorf("the winning change: %v", err)
		}
	}}
	err := dynamo.New(racing, table).UpdateSettings(ctx, read, loser)
	if closeloop.ErrorCode(err) != closeloop.ECONFLICT {
		t.Fatalf("the losing change: %v, want ECONFLICT", err)
	}
	if got := staffStores(t, db, "lose@shop.test"); len(got) != 0 {
		t.Errorf("the losing change listed its address in %q", got)
	}
	if got := staffStores(t, db, "win@shop.test"); !slices.Equal(got, []string{"shop-a"}) {
		t.Errorf("the winner's address lists %q", got)
	}
}
