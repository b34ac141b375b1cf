package shophooks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// wooOrder is the part of WooCommerce's order (REST API v3) the product
// reads.
type wooOrder struct {
	ID               int64  `json:"id"`
	Status           string `json:"status"`
	DateCreatedGMT   string `json:"date_created_gmt"`
	DateModifiedGMT  string `json:"date_modified_gmt"`
	DateCompletedGMT string `json:"date_completed_gmt"`
	Billing          struct {
		FirstName string `json:"first_name"`
		Email     string `json:"email"`
	} `json:"billing"`
	LineItems []struct {
		ID        int64  `json:"id"`
		Name      string `json:"name"`
		ProductID int64  `json:"product_id"`
		SKU       string `json:"sku"`
	} `json:"line_items"`
}

// wooWaiting are the statuses of an order not paid (or never to be):
// no survey yet.
var wooWaiting = []string{"pending", "failed", "checkout-draft", "draft"}

// mapWoo maps a WooCommerce order.created or order.updated: completed is
// the fulfilment (the order is ingested too, as WooCommerce sends the
// whole order, so the order of deliveries does not matter); cancelled
// and refunded cancel; a paid order is ingested (again: ingesting is
// idempotent); an unpaid one waits for its update.
func mapWoo(topic string, body []byte) (action, error) {
	var o wooOrder
	if err := json.Unmarshal(body, &o); err != nil || o.ID <= 0 {
		return action{}, fmt.Errorf("%s: not an order", topic)
	}
	orderID := idString(o.ID)
	switch {
	case o.Status == "cancelled" || o.Status == "refunded":
		return action{kind: actCancel, orderID: orderID}, nil
	case slices.Contains(wooWaiting, o.Status):
		return action{}, nil
	}
	order := closeloop.Order{
		OrderID:     orderID,
		PurchasedAt: parseWooTime(o.DateCreatedGMT),
		Customer:    closeloop.Customer{Email: o.Billing.Email, Name: strings.TrimSpace(o.Billing.FirstName)},
	}
	var items []closeloop.Item
	for _, l := range o.LineItems {
		sku := l.SKU
		switch {
		case sku != "":
		case l.ProductID > 0:
			sku = "product-" + idString(l.ProductID)
		default:
			sku = "line-" + idString(l.ID)
		}
		items = append(items, closeloop.Item{SKU: sku, Name: l.Name})
	}
	order.Items = itemsFrom(items)
	a := action{kind: actIngest, order: order}
	if order.Customer.Email == "" {
		a.skip = closeloop.HookSkipNoEmail
	}
	if o.Status == "completed" && a.skip == "" {
		at := parseWooTime(o.DateCompletedGMT)
		if at.IsZero() {
			at = parseWooTime(o.DateModifiedGMT)
		}
		a.kind, a.event = actIngestEvent, closeloop.OrderEvent{Type: closeloop.OrderFulfilled, At: at}
	}
	// Skips are counted once, on the order's creation.
	if a.skip != "" && topic != "order.created" {
		return action{}, nil
	}
	return a, nil
}

// parseWooTime reads WooCommerce's GMT times, which carry no zone
// ("2026-11-20T10:00:00"); zero when absent or unreadable.
func parseWooTime(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
