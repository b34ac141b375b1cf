package shophooks

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// fuzzTopics are the topics a delivery can name: every one the receiver
// queues for either platform, and one it does not.
var fuzzTopics = append(append([]string{}, shopifyTopics...), "order.created", "order.updated", "app/uninstalled")

// FuzzMapDelivery maps any body under any topic of either platform, and
// checks what the worker relies on: mapping never panics and gives the
// same action for the same delivery; a body that does not read is an
// error and no action; an action names what it acts on (an order ID, an
// order with an ID and at most MaxItemsPerOrder distinct, non-empty SKUs
// with names of at most 200 characters and, unless skipped, an email; an
// erased or exported customer's email); a Shopify event has its time.
func FuzzMapDelivery(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for i, name := range seeds {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), body)
	}
	f.Add(uint8(0), []byte(`{"id":1,"email":"a@b.co","line_items":[{"sku":"","title":"x","product_id":2},{"sku":"","title":"y","product_id":2}]}`))
	f.Add(uint8(9), []byte(`{"id":7,"status":"completed","billing":{"email":"w@b.co"},"line_items":[]}`))
	f.Add(uint8(5), []byte(`{"order_id":3,"refund_line_items":[{"quantity":1,"line_item":{"quantity":0}}]}`))
	f.Fuzz(func(t *testing.T, topicIndex uint8, body []byte) {
		topic := fuzzTopics[int(topicIndex)%len(fuzzTopics)]
		for platform, mapDelivery := range map[string]func(string, []byte) (action, error){
			closeloop.PlatformShopify: mapShopify, closeloop.PlatformWooCommerce: mapWoo,
		} {
			a, err := mapDelivery(topic, body)
			again, err2 := mapDelivery(topic, body)
			if !reflect.DeepEqual(a, again) || (err == nil) != (err2 == nil) {
				t.Fatalf("%s %s: two mappings of one delivery differ", platform, topic)
			}
			if err != nil {
				if !reflect.DeepEqual(a, action{}) {
					t.Fatalf("%s %s: an error (%v) with an action %+v", platform, topic, err, a)
				}
				continue
			}
			checkAction(t, platform+" "+topic, a)
			if platform == closeloop.PlatformShopify && a.kind == actEvent && a.event.At.IsZero() {
				t.Fatalf("%s: an event with no time", topic)
			}
		}
	})
}

func checkAction(t *testing.T, what string, a action) {
	t.Helper()
	switch a.kind {
	case actEvent, actCancel, actRefund:
		if a.orderID == "" {
			t.Fatalf("%s: action %d names no order", what, a.kind)
		}
	case actIngest, actIngestEvent:
		o := a.order
		if o.OrderID == "" || (a.skip == "" && o.Customer.Email == "") {
			t.Fatalf("%s: order %+v (skip %q) has no ID or no email", what, o, a.skip)
		}
		if len(o.Items) > closeloop.MaxItemsPerOrder {
			t.Fatalf("%s: %d items", what, len(o.Items))
		}
		seen := map[string]bool{}
		for _, it := range o.Items {
			if it.SKU == "" || seen[it.SKU] || utf8.RuneCountInString(it.Name) > 200 {
				t.Fatalf("%s: item %+v (a SKU empty or twice, or a name too long)", what, it)
			}
			seen[it.SKU] = true
		}
	case actExport, actErase:
		if a.email == "" {
			t.Fatalf("%s: a privacy request names no customer", what)
		}
	}
}
