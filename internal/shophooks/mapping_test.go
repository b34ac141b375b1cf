package shophooks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSignatureIsBase64HMACOfTheRawBody(t *testing.T) {
	body := readFixture(t, "shopify-orders-create.json")
	sig := Sign("hush-hush-secret", body)
	for _, tc := range []struct {
		name      string
		secret    string
		body      []byte
		signature string
		want      bool
	}{
		{"good", "hush-hush-secret", body, sig, true},
		{"other secret", "another-secret", body, sig, false},
		{"body changed", "hush-hush-secret", append(slices.Clone(body), ' '), sig, false},
		{"no signature", "hush-hush-secret", body, "", false},
		{"not base64", "hush-hush-secret", body, "%%%", false},
		{"no secret", "", body, Sign("", body), false},
	} {
		if got := Verify(tc.secret, tc.body, tc.signature); got != tc.want {
			t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestShopifyOrderMapping(t *testing.T) {
	a, err := mapShopify("orders/create", readFixture(t, "shopify-orders-create.json"))
	if err != nil {
		t.Fatal(err)
	}
	if a.kind != actIngest || a.skip != "" {
		t.Fatalf("kind %v skip %q, want an ingest", a.kind, a.skip)
	}
	o := a.order
	wantAt := time.Date(2026, 11, 27, 22, 30, 7, 0, time.UTC)
	if o.OrderID != "820982911946154508" || !o.PurchasedAt.Equal(wantAt) {
		t.Errorf("order %q at %v, want 820982911946154508 at %v (the offset counted)", o.OrderID, o.PurchasedAt, wantAt)
	}
	// The order's own email wins over the customer's.
	if o.Customer != (closeloop.Customer{Email: "jon@example.com", Name: "John", Locale: "en-CA"}) {
		t.Errorf("customer %+v", o.Customer)
	}
	want := []closeloop.Item{{SKU: "IPOD2008PINK", Name: "IPod Nano - 8GB"}, {SKU: "product-632910393", Name: "IPod Nano - 8GB Black"}}
	if !slices.Equal(o.Items, want) {
		t.Errorf("items %+v, want %+v", o.Items, want)
	}
}

func TestShopifySkips(t *testing.T) {
	base := readFixture(t, "shopify-orders-create.json")
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(base, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"test order", edit(func(m map[string]any) { m["test"] = true }), closeloop.HookSkipTest},
		{"no email", edit(func(m map[string]any) {
			m["email"], m["contact_email"] = "", nil
			m["customer"].(map[string]any)["email"] = nil
		}), closeloop.HookSkipNoEmail},
		{"customer email only", edit(func(m map[string]any) { m["email"], m["contact_email"] = "", nil }), ""},
		{"gift cards only", edit(func(m map[string]any) {
			for _, l := range m["line_items"].([]any) {
				l.(map[string]any)["gift_card"] = true
			}
		}), closeloop.HookSkipGiftCards},
	} {
		a, err := mapShopify("orders/create", tc.body)
		if err != nil {
			t.Fatal(err)
		}
		if a.skip != tc.want {
			t.Errorf("%s: skip %q, want %q", tc.name, a.skip, tc.want)
		}
	}
}

func TestShopifyFulfillmentMapping(t *testing.T) {
	body := readFixture(t, "shopify-fulfillments-update.json")
	a, err := mapShopify("fulfillments/update", body)
	if err != nil {
		t.Fatal(err)
	}
	want := closeloop.OrderEvent{Type: closeloop.OrderDelivered, At: time.Date(2026, 11, 30, 19, 2, 11, 0, time.UTC)}
	if a.kind != actEvent || a.orderID != "820982911946154508" || a.event.Type != want.Type || !a.event.At.Equal(want.At) {
		t.Errorf("delivered: %+v, want order 820982911946154508 %+v", a, want)
	}
	inTransit := []byte(strings.Replace(string(body), `"delivered"`, `"in_transit"`, 1))
	a, err = mapShopify("fulfillments/update", inTransit)
	if err != nil {
		t.Fatal(err)
	}
	want = closeloop.OrderEvent{Type: closeloop.OrderFulfilled, At: time.Date(2026, 11, 28, 14, 15, 0, 0, time.UTC)}
	if a.kind != actEvent || a.event.Type != want.Type || !a.event.At.Equal(want.At) {
		t.Errorf("in transit: %+v, want %+v", a.event, want)
	}
	cancelled := []byte(strings.Replace(string(body), `"status": "success"`, `"status": "cancelled"`, 1))
	if a, _ := mapShopify("fulfillments/update", cancelled); a.kind != actNone {
		t.Errorf("a cancelled fulfilment maps to %v, want nothing", a.kind)
	}
}

func TestWholeRefund(t *testing.T) {
	full, err := mapShopify("refunds/create", readFixture(t, "shopify-refunds-create.json"))
	if err != nil {
		t.Fatal(err)
	}
	sv := closeloop.Survey{Items: []closeloop.Item{{SKU: "IPOD2008PINK"}, {SKU: "product-632910393"}}}
	if !wholeRefund(sv, full) {
		t.Error("a refund of every line in full is not the whole order")
	}
	one := full
	one.refunded = one.refunded[:1]
	if wholeRefund(sv, one) {
		t.Error("a refund of one of two lines is the whole order")
	}
	partial := full
	partial.partial = true
	if wholeRefund(sv, partial) {
		t.Error("a refund of part of a line's quantity is the whole order")
	}
	if wholeRefund(sv, action{kind: actRefund}) {
		t.Error("a refund of an amount alone is the whole order")
	}
}

func TestWooMapping(t *testing.T) {
	body := readFixture(t, "woocommerce-order.json")
	a, err := mapWoo("order.created", body)
	if err != nil {
		t.Fatal(err)
	}
	if a.kind != actIngest || a.order.OrderID != "727" || a.order.Customer.Email != "john.doe@example.com" || a.order.Customer.Name != "John" ||
		!a.order.PurchasedAt.Equal(time.Date(2026, 11, 27, 16, 28, 2, 0, time.UTC)) {
		t.Errorf("order.created: %+v", a)
	}
	if want := []closeloop.Item{{SKU: "product-93", Name: "Woo Single #1"}, {SKU: "SHIP-IDEA-BLK-M", Name: "Ship Your Idea &ndash; Color: Black, Size: M Test"}}; !slices.Equal(a.order.Items, want) {
		t.Errorf("items %+v, want %+v", a.order.Items, want)
	}
	status := func(s, completed string) []byte {
		out := strings.Replace(string(body), `"status": "processing"`, `"status": "`+s+`"`, 1)
		return []byte(strings.Replace(out, `"date_completed_gmt": null`, `"date_completed_gmt": `+completed, 1))
	}
	a, _ = mapWoo("order.updated", status("completed", `"2026-11-29T08:00:00"`))
	if a.kind != actIngestEvent || a.event.Type != closeloop.OrderFulfilled || !a.event.At.Equal(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("completed: %v %+v", a.kind, a.event)
	}
	for _, s := range []string{"cancelled", "refunded"} {
		if a, _ := mapWoo("order.updated", status(s, "null")); a.kind != actCancel || a.orderID != "727" {
			t.Errorf("%s: %v", s, a.kind)
		}
	}
	if a, _ := mapWoo("order.created", status("pending", "null")); a.kind != actNone {
		t.Errorf("pending: %v, want nothing yet", a.kind)
	}
}
