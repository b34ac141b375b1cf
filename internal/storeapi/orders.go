package storeapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/web"
)

// orderInput is an order as posted. purchased_at is read as a string so that
// a bad time is reported against its field.
type orderInput struct {
	OrderID     string             `json:"order_id"`
	Customer    closeloop.Customer `json:"customer"`
	Items       []closeloop.Item   `json:"items"`
	PurchasedAt string             `json:"purchased_at"`
	// Optional, as purchased_at (events.go).
	FulfilledAt string `json:"fulfilled_at"`
	DeliveredAt string `json:"delivered_at"`
}

// ordersBody is one order, or a batch under "orders". The single order's
// fields are spelled out, not embedded, so that decoding errors name them
// as the client wrote them.
type ordersBody struct {
	OrderID     string             `json:"order_id"`
	Customer    closeloop.Customer `json:"customer"`
	Items       []closeloop.Item   `json:"items"`
	PurchasedAt string             `json:"purchased_at"`
	Orders      []orderInput       `json:"orders"`
	// Optional, as purchased_at (events.go).
	FulfilledAt string `json:"fulfilled_at"`
	DeliveredAt string `json:"delivered_at"`
}

type surveyRef struct {
	OrderID  string           `json:"order_id"`
	SurveyID string           `json:"survey_id"`
	Status   closeloop.Status `json:"status"`
	SendAt   time.Time        `json:"send_at"`
	// Created is false for an order posted before: this is its original
	// survey.
	Created bool `json:"created"`
}

func (a *API) postOrders(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var body ordersBody
	if err := web.Decode(w, r, &body, web.MaxJSONBody); err != nil {
		return err
	}
	single := orderInput{OrderID: body.OrderID, Customer: body.Customer, Items: body.Items, PurchasedAt: body.PurchasedAt,
		FulfilledAt: body.FulfilledAt, DeliveredAt: body.DeliveredAt}
	inputs, batch := []orderInput{single}, false
	if body.Orders != nil {
		if single.OrderID != "" || single.Customer != (closeloop.Customer{}) || single.Items != nil || single.PurchasedAt != "" ||
			single.FulfilledAt != "" || single.DeliveredAt != "" {
			return closeloop.Errorf(closeloop.EINVALID, "post one order, or a batch under \"orders\", not both")
		}
		inputs, batch = body.Orders, true
	}
	switch {
	case batch && len(inputs) == 0:
		return &closeloop.Error{Code: closeloop.EINVALID, Message: "the batch is empty", Fields: map[string]string{"orders": "must list 1 to 100 orders"}}
	case len(inputs) > closeloop.MaxOrdersPerBatch:
		return &closeloop.Error{Code: closeloop.EINVALID, Message: "the batch is too large", Fields: map[string]string{"orders": "must list 1 to 100 orders"}}
	}
	orders := make([]closeloop.Order, len(inputs))
	problems := closeloop.Problems{}
	for i, in := range inputs {
		orders[i] = closeloop.Order{OrderID: in.OrderID, Customer: in.Customer, Items: in.Items}
		prefix := ""
		if batch {
			prefix = "orders[" + strconv.Itoa(i) + "]."
		}
		orders[i].FulfilledAt = optionalTime(in.FulfilledAt, prefix+"fulfilled_at", problems)
		orders[i].DeliveredAt = optionalTime(in.DeliveredAt, prefix+"delivered_at", problems)
		if in.PurchasedAt == "" {
			continue // Validate reports it as required.
		}
		t, err := time.Parse(time.RFC3339, in.PurchasedAt)
		if err != nil {
			field := "purchased_at"
			if batch {
				field = "orders[" + strconv.Itoa(i) + "]." + field
			}
			problems.Add(field, "must be an RFC 3339 time, e.g. 2026-11-20T10:00:00Z")
		}
		orders[i].PurchasedAt = t
	}
	if len(problems) > 0 {
		// Report every problem at once, the unreadable times with the rest;
		// Merge keeps the first problem of a field, so an unreadable time is
		// not also called missing.
		problems.Merge("", survey.ValidateOrders(orders, batch, a.now()))
		return problems.Err("some orders are not valid")
	}
	store, err := a.Stores.Store(r.Context(), key.StoreID)
	if err != nil {
		return err
	}
	results, err := a.Ingest.Ingest(r.Context(), store, orders, batch)
	if err != nil {
		return err
	}
	refs := make([]surveyRef, len(results))
	status := http.StatusOK
	for i, res := range results {
		s := res.Survey
		refs[i] = surveyRef{OrderID: s.OrderID, SurveyID: s.SurveyID, Status: s.Status, SendAt: s.SendAt, Created: res.Created}
		if res.Created {
			status = http.StatusAccepted
		}
	}
	web.JSON(w, status, map[string]any{"surveys": refs})
	return nil
}

func (a *API) cancelOrder(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	s, err := a.Ingest.Cancel(r.Context(), key.StoreID, r.PathValue("order_id"))
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, newSurveyView(s))
	return nil
}

// getOrder answers the survey of one of the store's orders, by the
// store's own order ID.
func (a *API) getOrder(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	s, err := a.Surveys.OrderSurvey(r.Context(), key.StoreID, r.PathValue("order_id"))
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, newSurveyView(s))
	return nil
}
