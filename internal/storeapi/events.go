package storeapi

import (
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

// optionalTime reads an optional RFC 3339 time of an order, adding a
// problem under field when it is unreadable; nil when absent or bad.
func optionalTime(raw, field string, problems closeloop.Problems) *time.Time {
	if raw == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		problems.Add(field, "must be an RFC 3339 time, e.g. 2026-11-20T10:00:00Z")
		return nil
	}
	return &t
}

// eventBody is an order event as posted; at is read as a string so that
// a bad time is reported against its field.
type eventBody struct {
	Type closeloop.OrderEventType `json:"type"`
	At   string                   `json:"at"`
}

// postOrderEvent records an order's fulfilment or delivery (idempotent:
// the same event again changes nothing) and answers the order's survey.
func (a *API) postOrderEvent(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var body eventBody
	if err := web.Decode(w, r, &body, web.MaxJSONBody); err != nil {
		return err
	}
	e := closeloop.OrderEvent{Type: body.Type}
	problems := closeloop.Problems{}
	if body.At != "" {
		t, err := time.Parse(time.RFC3339, body.At)
		if err != nil {
			problems.Add("at", "must be an RFC 3339 time, e.g. 2026-11-20T10:00:00Z")
		}
		e.At = t
	}
	if len(problems) > 0 {
		problems.Merge("", e.Validate(a.now()))
		return problems.Err("the event is not valid")
	}
	store, err := a.Stores.Store(r.Context(), key.StoreID)
	if err != nil {
		return err
	}
	s, err := a.Ingest.RecordEvent(r.Context(), store, r.PathValue("order_id"), e)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, newSurveyView(s))
	return nil
}
