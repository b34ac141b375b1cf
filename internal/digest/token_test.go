package digest

import (
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
)

func TestUnsubscribeToken(t *testing.T) {
	store := closeloop.Store{StoreID: "demo-shop", CursorKey: "6f1c…the store's own key"}
	token, ok := UnsubscribeToken(store, "  Owner@Example.com ")
	if !ok {
		t.Fatal("no token for a store with a key")
	}
	if strings.Contains(strings.ToLower(token), "owner") || strings.Contains(token, "@") {
		t.Errorf("token %q holds the address", token)
	}
	storeID, hash, mac, ok := parseToken(token)
	if !ok || storeID != store.StoreID || hash != AddressHash("owner@example.com") || !validToken(store, hash, mac) {
		t.Fatalf("parseToken(%q) = %q, %q, valid %v, ok %v", token, storeID, hash, validToken(store, hash, mac), ok)
	}
	if again, _ := UnsubscribeToken(store, "owner@example.com"); again != token {
		t.Errorf("the same address trimmed and lower-cased gives another token: %q, %q", again, token)
	}

	other, _ := UnsubscribeToken(store, "partner@example.com")
	_, otherHash, _, _ := parseToken(other)
	rekeyed := store
	rekeyed.CursorKey = "another key"
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for name, tt := range map[string]struct {
		store closeloop.Store
		token string
	}{
		"a signature changed":               {store, flip(token, len(token)-2)},
		"another address under its MAC":     {store, strings.Replace(token, hash, otherHash, 1)},
		"the store's key changed":           {rekeyed, token},
		"a store without a key of its own":  {closeloop.Store{StoreID: store.StoreID}, token},
		"truncated":                         {store, token[:len(token)-1]},
		"with an address instead of a hash": {store, store.StoreID + ".owner@example.com." + token[len(token)-22:]},
		"empty":                             {store, ""},
	} {
		id, h, m, ok := parseToken(tt.token)
		if ok && id == tt.store.StoreID && validToken(tt.store, h, m) {
			t.Errorf("%s: token %q accepted", name, tt.token)
		}
	}
	// Another store's token never names this one.
	elsewhere, _ := UnsubscribeToken(closeloop.Store{StoreID: "other-shop", CursorKey: store.CursorKey}, "owner@example.com")
	if id, _, _, _ := parseToken(elsewhere); id != "other-shop" {
		t.Errorf("another store's token names %q", id)
	}
	if _, ok := UnsubscribeToken(closeloop.Store{StoreID: "old-shop"}, "owner@example.com"); ok {
		t.Error("a token for a store without a key of its own: anyone could forge it")
	}
}

func TestAddressHash(t *testing.T) {
	if a, b := AddressHash(" Owner@Example.COM"), AddressHash("owner@example.com"); a != b || len(a) != hashLen {
		t.Errorf("AddressHash: %q and %q, want equal and %d hex digits", a, b, hashLen)
	}
	if AddressHash("a@example.com") == AddressHash("b@example.com") {
		t.Error("two addresses share a hash")
	}
}
