package storeapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/responses"
	"github.com/closeloop/closeloop/internal/web"
)

// parseResponseRequest checks the query of a responses listing (the
// shared parse, with the API's paging) and turns its local days into
// instants in loc; now decides what today is. Every bad parameter is
// named in one EINVALID error.
func parseResponseRequest(r *http.Request, loc *time.Location, now time.Time) (responses.Request, error) {
	req, p := responses.Parse(r.URL.Query(), loc, now)
	// An export is every match: paging does not apply to it.
	if !req.CSV {
		limit, err := pageLimit(r)
		var e *closeloop.Error
		if errors.As(err, &e) {
			p.Merge("", e.Fields)
		}
		req.Filter.Limit, req.Filter.Cursor = limit, r.URL.Query().Get("cursor")
	}
	return req, p.Err("some parameters are not valid")
}

// customerView and itemView show every field, even when empty, unlike
// the domain's types, which leave empty ones out of storage.
type customerView struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Locale string `json:"locale"`
}

type itemView struct {
	SKU  string `json:"sku"`
	Name string `json:"name"`
}

// responseView is a response as the API lists it.
type responseView struct {
	SurveyID   string       `json:"survey_id"`
	OrderID    string       `json:"order_id"`
	Customer   customerView `json:"customer"`
	Items      []itemView   `json:"items"`
	AnsweredAt time.Time    `json:"answered_at"`
	Score      int          `json:"score"`
	NPS        *int         `json:"nps"`
	Comment    string       `json:"comment"`
	ContactMe  bool         `json:"contact_me"`
	Points     int          `json:"points"`
	CaseID     *string      `json:"case_id"` // null when the answer opened no case
}

func newResponseView(it closeloop.ResponseItem) responseView {
	v := responseView{
		SurveyID: it.SurveyID, OrderID: it.OrderID,
		Customer: customerView{Email: it.Customer.Email, Name: it.Customer.Name, Locale: it.Customer.Locale},
		Items:    make([]itemView, len(it.Items)), AnsweredAt: it.AnsweredAt.UTC(),
		Score: it.Score, NPS: it.NPS, Comment: it.Comment, ContactMe: it.ContactMe, Points: it.Points,
	}
	for i, item := range it.Items {
		v.Items[i] = itemView{SKU: item.SKU, Name: item.Name}
	}
	if it.CaseID != "" {
		v.CaseID = &it.CaseID
	}
	return v
}

func (a *API) listResponses(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	// The store's time zone says what its days are; its key signs cursors.
	store, err := a.Stores.Store(r.Context(), key.StoreID)
	if err != nil {
		return err
	}
	req, err := parseResponseRequest(r, store.Settings.Location(), a.now())
	if err != nil {
		return err
	}
	req.Filter.CursorKey = store.CursorKey
	if req.CSV {
		return responses.Export(w, r, a.Responses, key.StoreID, req)
	}
	page, next, err := a.Responses.Responses(r.Context(), key.StoreID, req.Filter)
	if err != nil {
		return err
	}
	items := make([]responseView, len(page))
	for i, it := range page {
		items[i] = newResponseView(it)
	}
	var cursor *string
	if next != "" {
		cursor = &next
	}
	web.JSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": cursor})
	return nil
}
