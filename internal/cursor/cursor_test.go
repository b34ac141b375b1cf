package cursor_test

import (
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/cursor"
)

type position struct {
	PK string `json:"pk"`
	SK string `json:"sk"`
}

var (
	key   = cursor.StoreKey("shop-a", "5f2b0c7e4d3a29180f6e5d4c3b2a19087f6e5d4c3b2a19087f6e5d4c3b2a1908")
	start = position{PK: "STORE#shop-a#RESPONSES", SK: "2026-03-01T10:00:00.000Z#s_abc"}
)

// wantInvalid fails unless err is EINVALID naming the cursor.
func wantInvalid(t *testing.T, err error) {
	t.Helper()
	e, ok := err.(*closeloop.Error)
	if !ok || e.Code != closeloop.EINVALID || e.Fields["cursor"] == "" {
		t.Fatalf("err %v (%T), want an EINVALID *closeloop.Error naming cursor", err, err)
	}
}

func TestRoundTrip(t *testing.T) {
	s := cursor.Encode(key, start)
	if strings.ContainsAny(s, "+/=?&% ") {
		t.Fatalf("cursor %q needs escaping in a query string", s)
	}
	if _, sig, _ := strings.Cut(s, "."); len(sig) < 22 {
		t.Fatalf("signature %q is shorter than 128 bits", sig)
	}
	var got position
	if err := cursor.Decode(key, s, &got); err != nil {
		t.Fatal(err)
	}
	if got != start {
		t.Fatalf("decoded %+v, want %+v", got, start)
	}
	if strings.Contains(s, "STORE#") || strings.Contains(s, start.SK) {
		t.Fatalf("cursor %q shows its key in the clear; it should be opaque base64", s)
	}
}

// TestEveryChangeIsRefused flips every character of a cursor to every
// other character of its alphabet: none of the results may decode.
func TestEveryChangeIsRefused(t *testing.T) {
	s := cursor.Encode(key, start)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	for i := range len(s) {
		for _, c := range alphabet {
			if byte(c) == s[i] {
				continue
			}
			changed := s[:i] + string(c) + s[i+1:]
			var got position
			if err := cursor.Decode(key, changed, &got); err == nil {
				t.Fatalf("changing byte %d to %q was accepted: %+v", i, c, got)
			}
		}
	}
}

func TestRefused(t *testing.T) {
	s := cursor.Encode(key, start)
	payload, sig, _ := strings.Cut(s, ".")
	forged := cursor.Encode(cursor.StoreKey("shop-a", "another key"), position{PK: "STORE#shop-b#RESPONSES", SK: start.SK})
	tests := []struct {
		name, cursor string
	}{
		{"empty", ""},
		{"no signature", payload},
		{"empty signature", payload + "."},
		{"truncated signature", s[:len(s)-1]},
		{"truncated payload", payload[:len(payload)-2] + "." + sig},
		{"signature only", "." + sig},
		{"extra dot", s + ".x"},
		{"other key", forged},
		{"other store, no key", cursor.Encode(cursor.StoreKey("shop-b", ""), start)},
		{"oversized", s + strings.Repeat("A", cursor.MaxLen)},
		{"padded base64", payload + "==." + sig},
		{"not base64", "%%%." + sig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got position
			wantInvalid(t, cursor.Decode(key, tt.cursor, &got))
		})
	}
}

// TestSignedButUnexpected: a cursor the store's key signed for another
// list (other fields) is refused, not half-read.
func TestSignedButUnexpected(t *testing.T) {
	other := cursor.Encode(key, map[string]string{"pk": start.PK, "sk": start.SK, "list_pk": "x"})
	var got position
	wantInvalid(t, cursor.Decode(key, other, &got))
	notObject := cursor.Encode(key, []string{"pk"})
	wantInvalid(t, cursor.Decode(key, notObject, &got))
}

// TestStoreKey: stores without a key of their own still get distinct keys,
// and a store's own key is what signs once it has one.
func TestStoreKey(t *testing.T) {
	a, b := cursor.StoreKey("shop-a", ""), cursor.StoreKey("shop-b", "")
	if len(a) < 16 || string(a) == string(b) {
		t.Fatalf("derived keys %x and %x: want distinct keys of at least 128 bits", a, b)
	}
	if string(cursor.StoreKey("shop-a", "k1")) == string(a) {
		t.Fatal("a store's own key is ignored")
	}
	s := cursor.Encode(a, start)
	var got position
	wantInvalid(t, cursor.Decode(cursor.StoreKey("shop-a", "k1"), s, &got))
}

func TestOversizedIsRefusedBeforeWork(t *testing.T) {
	big := cursor.Encode(key, position{PK: strings.Repeat("p", cursor.MaxLen), SK: "x"})
	var got position
	wantInvalid(t, cursor.Decode(key, big, &got))
}

func TestEmptyKey(t *testing.T) {
	var got position
	if err := cursor.Decode(nil, cursor.Encode(key, start), &got); err == nil {
		t.Fatal("decode with no key succeeded")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("encode with no key did not panic")
		}
	}()
	cursor.Encode(nil, start)
}
