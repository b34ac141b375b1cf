package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

var (
	_ digest.Stores    = (*dynamo.DB)(nil)
	_ digest.Responses = (*dynamo.DB)(nil)
	_ digest.Cases     = (*dynamo.DB)(nil)
	_ digest.OptOuts   = (*dynamo.DB)(nil)
)

// TestEachStorePagesThroughEveryStore: more stores than one page holds
// are each handed over once, in ID order, with no scan.
func TestEachStorePagesThroughEveryStore(t *testing.T) {
	counter := &testenv.RequestCounter{}
	client := testenv.DynamoDB(t, counter.Register)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	var want []string
	for i := range 130 {
		id := fmt.Sprintf("shop-%03d", i)
		want = append(want, id)
		store := closeloop.Store{StoreID: id, Settings: closeloop.DefaultSettings(), CreatedAt: time.Now(), CursorKey: "k"}
		if err := db.CreateStore(ctx, store, closeloop.Key{KeyID: "k_" + id, StoreID: id, Role: closeloop.RoleOwner, Name: "o"}, "hash-"+id); err != nil {
			t.Fatal(err)
		}
	}
	counter.Reset()
	var got []string
	err := db.EachStore(ctx, func(s closeloop.Store) error {
		if s.Settings.DigestWeekday != "monday" || s.CursorKey != "k" {
			t.Errorf("store %s read as %+v", s.StoreID, s)
		}
		got = append(got, s.StoreID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("stores %q,\nwant %q", got, want)
	}
	if counts := counter.Counts(); counts["Query"] != 2 || counter.Total() != 2 {
		t.Errorf("requests %v, want two queries (pages of 100)", counts)
	}

	stop := errors.New("stop")
	seen := 0
	if err := db.EachStore(ctx, func(closeloop.Store) error { seen++; return stop }); !errors.Is(err, stop) || seen != 1 {
		t.Errorf("EachStore after each failed: %v, %d stores seen; want the error after one", err, seen)
	}
}

func TestOptOutOfDigest(t *testing.T) {
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	store := closeloop.Store{StoreID: "shop", Settings: closeloop.DefaultSettings(), CreatedAt: time.Now(), CursorKey: "k"}
	if err := db.CreateStore(ctx, store, closeloop.Key{KeyID: "k_1", StoreID: "shop", Role: closeloop.RoleOwner, Name: "o"}, "hash"); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"aa", "bb", "aa"} {
		if err := db.OptOutOfDigest(ctx, "shop", h); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.UpdateSettings(ctx, store, closeloop.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	got, err := db.Store(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got.DigestOptOut)
	if !slices.Equal(got.DigestOptOut, []string{"aa", "bb"}) {
		t.Errorf("opt-outs %q after two addresses, one twice, and a settings update; want [aa bb]", got.DigestOptOut)
	}
	if err := db.OptOutOfDigest(ctx, "no-such-shop", "aa"); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Errorf("opting out of a missing store: %v, want ENOTFOUND", err)
	}
	if _, err := db.Store(ctx, "no-such-shop"); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Errorf("the missing store after an opt-out: %v, want still none", err)
	}
}
