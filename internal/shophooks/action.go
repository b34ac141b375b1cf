package shophooks

import (
	"slices"
	"strconv"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// actionKind is what a delivery asks of the product.
type actionKind int

const (
	actNone        actionKind = iota // acknowledged, nothing to do
	actIngest                        // a new order: its survey
	actEvent                         // a fulfilment or delivery of an order
	actIngestEvent                   // a whole order that is also fulfilled (WooCommerce)
	actCancel                        // a cancelled order
	actRefund                        // a refund: cancels when it is the whole order
	actExport                        // a customer's data requested: mail the export to the owners
	actErase                         // erase a customer
	actEraseShop                     // erase all of the store's customers
)

// action is a delivery mapped onto the product.
type action struct {
	kind    actionKind
	order   closeloop.Order      // actIngest, actIngestEvent
	skip    string               // actIngest: why the order is not surveyed (closeloop.HookSkip…)
	orderID string               // actEvent, actCancel, actRefund
	event   closeloop.OrderEvent // actEvent, actIngestEvent
	// refunded are the refund's items (SKUs as mapped) refunded in full;
	// partial is true when any line is refunded only in part.
	refunded []string
	partial  bool
	email    string // actExport, actErase
	request  string // actExport: the platform's request ID
}

// handled reports whether the receiver queues platform's topic.
func handled(platform, topic string) bool {
	switch platform {
	case closeloop.PlatformShopify:
		return slices.Contains(shopifyTopics, topic)
	case closeloop.PlatformWooCommerce:
		return topic == "order.created" || topic == "order.updated"
	}
	return false
}

// itemsFrom keeps the first item of each SKU, at most
// closeloop.MaxItemsPerOrder, with names cut to what an order allows.
func itemsFrom(items []closeloop.Item) []closeloop.Item {
	out := []closeloop.Item{}
	seen := map[string]bool{}
	for _, it := range items {
		if it.SKU == "" || seen[it.SKU] || len(out) == closeloop.MaxItemsPerOrder {
			continue
		}
		seen[it.SKU] = true
		if r := []rune(it.Name); len(r) > 200 {
			it.Name = string(r[:200])
		}
		out = append(out, it)
	}
	return out
}

// idString shows a platform's numeric ID as an order ID; 0 is none.
func idString(id int64) string {
	if id <= 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
