package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// fuzzOrder and fuzzOrdersBody mirror storeapi's order body (orderInput
// and ordersBody), so that the fuzz target needs no stack.
type fuzzOrder struct {
	OrderID     string             `json:"order_id"`
	Customer    closeloop.Customer `json:"customer"`
	Items       []closeloop.Item   `json:"items"`
	PurchasedAt string             `json:"purchased_at"`
}

type fuzzOrdersBody struct {
	OrderID     string             `json:"order_id"`
	Customer    closeloop.Customer `json:"customer"`
	Items       []closeloop.Item   `json:"items"`
	PurchasedAt string             `json:"purchased_at"`
	Orders      []fuzzOrder        `json:"orders"`
}

var fuzzTopNames = map[string]bool{"order_id": true, "customer": true, "items": true, "purchased_at": true, "orders": true}

// FuzzDecodeOrderBody checks that Decode never panics on an order body,
// that it fails only with an invalid error, and that a body it accepts
// names no field twice in any object and spells its names exactly.
func FuzzDecodeOrderBody(f *testing.F) {
	for _, s := range []string{
		`{"order_id":"o1","customer":{"email":"ada@example.com","name":"Ada","locale":"en"},"items":[{"sku":"A1"}],"purchased_at":"2026-11-20T10:00:00Z"}`,
		`{"orders":[{"order_id":"o1","customer":{"email":"a@example.com"}},{"order_id":"o2"}]}`,
		`{"order_id":"2","order_id":"3"}`,
		`{"order_id":"2","order\u005fid":"3"}`,
		`{"Order_ID":"2"}`,
		`{"customer":{"email":"a@example.com","email":"b@example.com"}}`,
		`{"orders":[{"items":[{"sku":"1","sku":"2"}]}]}`,
		`{"order_id":1}`,
		`{} {}`,
		`[]`,
		`null`,
		``,
		`{"order_id":"\x"}`,
		`{"order_id" 1}`,
		"{\"order_id\":\"\xff\",\"\xfe\":1,\"\xfd\":2}",
		`{"orders":null,"unknown":true}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := httptest.NewRequest("POST", "/v1/orders", bytes.NewReader(data))
		w := httptest.NewRecorder()
		var body fuzzOrdersBody
		err := Decode(w, r, &body, MaxJSONBody)
		if err != nil {
			var e *closeloop.Error
			if !errors.As(err, &e) || e.Code != closeloop.EINVALID {
				t.Fatalf("Decode(%q) = %v (%T); want a *closeloop.Error of code invalid", data, err, err)
			}
			return
		}
		if w.Code != 200 || w.Body.Len() != 0 {
			t.Fatalf("Decode(%q) wrote a response: %d %q", data, w.Code, w.Body.String())
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			if tok != nil {
				t.Fatalf("Decode(%q) accepts a body that is %v, not an object", data, tok)
			}
			return // null
		}
		if dup, err := repeatedName(dec, true); err != nil {
			t.Fatalf("Decode(%q) accepts a body the checker cannot walk: %v", data, err)
		} else if dup != "" {
			t.Fatalf("Decode(%q) accepts a body that names %q twice in one object", data, dup)
		}
	})
}

// repeatedName walks the rest of an object whose { dec has read, and the
// values inside it, returning a name repeated in any one object, "" when
// none is. With top, it also fails on a name the order body does not
// spell exactly.
func repeatedName(dec *json.Decoder, top bool) (string, error) {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		name := tok.(string)
		if seen[name] {
			return name, nil
		}
		seen[name] = true
		if top && !fuzzTopNames[name] {
			return "", errors.New("unknown top-level name " + name)
		}
		if dup, err := repeatedValue(dec); dup != "" || err != nil {
			return dup, err
		}
	}
	_, err := dec.Token() // }
	return "", err
}

func repeatedValue(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	switch tok {
	case json.Delim('{'):
		return repeatedName(dec, false)
	case json.Delim('['):
		for dec.More() {
			if dup, err := repeatedValue(dec); dup != "" || err != nil {
				return dup, err
			}
		}
		_, err := dec.Token() // ]
		return "", err
	}
	return "", nil
}
