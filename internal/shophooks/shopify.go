package shophooks

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// shopifyTopics are the Shopify topics the product acts on.
var shopifyTopics = []string{
	"orders/create", "orders/fulfilled", "orders/cancelled",
	"fulfillments/create", "fulfillments/update", "refunds/create",
	"customers/data_request", "customers/redact", "shop/redact",
}

// shopifyOrder is the part of Shopify's Order resource the product reads.
type shopifyOrder struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"` // "#1001": no place on a survey, not kept
	Email          string `json:"email"`
	ContactEmail   string `json:"contact_email"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
	Test           bool   `json:"test"`
	CustomerLocale string `json:"customer_locale"`
	Customer       *struct {
		Email     string `json:"email"`
		FirstName string `json:"first_name"`
	} `json:"customer"`
	BillingAddress *struct {
		FirstName string `json:"first_name"`
	} `json:"billing_address"`
	LineItems    []shopifyLineItem `json:"line_items"`
	Fulfillments []struct {
		Status    string `json:"status"`
		CreatedAt string `json:"created_at"`
	} `json:"fulfillments"`
}

type shopifyLineItem struct {
	ID        int64  `json:"id"`
	SKU       string `json:"sku"`
	ProductID int64  `json:"product_id"`
	Title     string `json:"title"`
	Quantity  int    `json:"quantity"`
	GiftCard  bool   `json:"gift_card"`
}

// sku is the line's SKU, else its product's ID, else its own.
func (l shopifyLineItem) sku() string {
	switch {
	case l.SKU != "":
		return l.SKU
	case l.ProductID > 0:
		return "product-" + idString(l.ProductID)
	}
	return "line-" + idString(l.ID)
}

// shopifyFulfillment is Shopify's Fulfillment resource, in part.
type shopifyFulfillment struct {
	OrderID        int64  `json:"order_id"`
	Status         string `json:"status"`
	ShipmentStatus string `json:"shipment_status"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

// shopifyRefund is Shopify's Refund resource, in part.
type shopifyRefund struct {
	OrderID         int64 `json:"order_id"`
	RefundLineItems []struct {
		Quantity int             `json:"quantity"`
		LineItem shopifyLineItem `json:"line_item"`
	} `json:"refund_line_items"`
}

// shopifyPrivacy is the body of the privacy topics.
type shopifyPrivacy struct {
	Customer *struct {
		Email string `json:"email"`
	} `json:"customer"`
	DataRequest *struct {
		ID int64 `json:"id"`
	} `json:"data_request"`
}

// mapShopify maps a Shopify delivery; an error is a body that does not
// read as its topic's resource, which no retry mends.
func mapShopify(topic string, body []byte) (action, error) {
	switch topic {
	case "orders/create":
		var o shopifyOrder
		if err := json.Unmarshal(body, &o); err != nil {
			return action{}, fmt.Errorf("%s: not an order", topic)
		}
		return shopifyIngest(o)
	case "orders/fulfilled":
		var o shopifyOrder
		if err := json.Unmarshal(body, &o); err != nil || o.ID <= 0 {
			return action{}, fmt.Errorf("%s: not an order", topic)
		}
		// The last successful fulfilment is when the order became fulfilled.
		at := parseShopifyTime(o.UpdatedAt)
		var latest time.Time
		for _, f := range o.Fulfillments {
			if t := parseShopifyTime(f.CreatedAt); f.Status != "cancelled" && t.After(latest) {
				latest = t
			}
		}
		if !latest.IsZero() {
			at = latest
		}
		if at.IsZero() {
			return action{}, fmt.Errorf("%s: no time", topic)
		}
		return action{kind: actEvent, orderID: idString(o.ID), event: closeloop.OrderEvent{Type: closeloop.OrderFulfilled, At: at}}, nil
	case "fulfillments/create", "fulfillments/update":
		var f shopifyFulfillment
		if err := json.Unmarshal(body, &f); err != nil || f.OrderID <= 0 {
			return action{}, fmt.Errorf("%s: not a fulfillment", topic)
		}
		return shopifyFulfillmentEvent(f)
	case "orders/cancelled":
		var o shopifyOrder
		if err := json.Unmarshal(body, &o); err != nil || o.ID <= 0 {
			return action{}, fmt.Errorf("%s: not an order", topic)
		}
		return action{kind: actCancel, orderID: idString(o.ID)}, nil
	case "refunds/create":
		var r shopifyRefund
		if err := json.Unmarshal(body, &r); err != nil || r.OrderID <= 0 {
			return action{}, fmt.Errorf("%s: not a refund", topic)
		}
		a := action{kind: actRefund, orderID: idString(r.OrderID)}
		for _, l := range r.RefundLineItems {
			if l.LineItem.Quantity > 0 && l.Quantity < l.LineItem.Quantity {
				a.partial = true
			}
			a.refunded = append(a.refunded, l.LineItem.sku())
		}
		return a, nil
	case "customers/data_request", "customers/redact":
		var p shopifyPrivacy
		if err := json.Unmarshal(body, &p); err != nil {
			return action{}, fmt.Errorf("%s: not a privacy request", topic)
		}
		a := action{kind: actErase}
		if topic == "customers/data_request" {
			a.kind = actExport
			if p.DataRequest != nil {
				a.request = idString(p.DataRequest.ID)
			}
		}
		if p.Customer != nil {
			a.email = p.Customer.Email
		}
		if a.email == "" {
			return action{}, nil // a customer known only by phone has nothing here
		}
		return a, nil
	case "shop/redact":
		return action{kind: actEraseShop}, nil
	}
	return action{}, nil
}

// shopifyIngest maps a new order, or says why it is skipped.
func shopifyIngest(o shopifyOrder) (action, error) {
	if o.ID <= 0 {
		return action{}, fmt.Errorf("orders/create: no order id")
	}
	order := closeloop.Order{OrderID: idString(o.ID), PurchasedAt: parseShopifyTime(o.CreatedAt)}
	order.Customer.Email = o.Email
	if o.Customer != nil {
		if order.Customer.Email == "" {
			order.Customer.Email = o.Customer.Email
		}
		order.Customer.Name = strings.TrimSpace(o.Customer.FirstName)
	}
	if order.Customer.Email == "" {
		order.Customer.Email = o.ContactEmail
	}
	if order.Customer.Name == "" && o.BillingAddress != nil {
		order.Customer.Name = strings.TrimSpace(o.BillingAddress.FirstName)
	}
	if closeloop.ValidLocale(o.CustomerLocale) {
		order.Customer.Locale = o.CustomerLocale
	}
	var items []closeloop.Item
	giftCardsOnly := len(o.LineItems) > 0
	for _, l := range o.LineItems {
		if l.GiftCard {
			continue
		}
		giftCardsOnly = false
		items = append(items, closeloop.Item{SKU: l.sku(), Name: l.Title})
	}
	order.Items = itemsFrom(items)
	a := action{kind: actIngest, order: order}
	switch {
	case o.Test:
		a.skip = closeloop.HookSkipTest
	case order.Customer.Email == "":
		a.skip = closeloop.HookSkipNoEmail
	case giftCardsOnly:
		a.skip = closeloop.HookSkipGiftCards
	}
	return a, nil
}

// shopifyFulfillmentEvent maps a fulfilment: delivered when its shipment
// says so (at its last update), else fulfilled (at its creation). A
// cancelled or failed fulfilment is nothing.
func shopifyFulfillmentEvent(f shopifyFulfillment) (action, error) {
	switch f.Status {
	case "cancelled", "error", "failure":
		return action{}, nil
	}
	e := closeloop.OrderEvent{Type: closeloop.OrderFulfilled, At: parseShopifyTime(f.CreatedAt)}
	if f.ShipmentStatus == "delivered" {
		e = closeloop.OrderEvent{Type: closeloop.OrderDelivered, At: parseShopifyTime(f.UpdatedAt)}
	}
	if e.At.IsZero() {
		return action{}, fmt.Errorf("fulfillment: no time")
	}
	return action{kind: actEvent, orderID: idString(f.OrderID), event: e}, nil
}

// parseShopifyTime reads Shopify's ISO 8601 times with their offset
// ("2026-11-20T10:00:00-05:00"); zero when absent or unreadable.
func parseShopifyTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
