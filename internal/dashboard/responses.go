package dashboard

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/responses"
)

// responsesPageSize is how many answers a page of responses lists (a
// variable only so that tests can page through a few).
var responsesPageSize = 25

// responsesView is the responses page: the filter form as sent, its
// problems, one page of answers and the links to the next page and to the
// CSV of the same filter.
type responsesView struct {
	From, To   string
	Scores     map[int]bool
	SKU        string
	HasComment string // "", "true" or "false"
	Errors     map[string]string
	Items      []closeloop.ResponseItem
	Next, CSV  string
	Loc        *time.Location
}

// filterQuery keeps the filter parameters of q, the ones the form sends,
// for the next page's and the CSV's links.
func filterQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, name := range []string{"from", "to", "score", "sku", "has_comment"} {
		for _, value := range q[name] {
			if value != "" {
				out.Add(name, value)
			}
		}
	}
	return out
}

// responses lists the store's answers, newest first, with the filter of
// GET /v1/responses, a page at a time.
func (d *Dashboard) responses(w http.ResponseWriter, r *http.Request, v Viewer) error {
	q := filterQuery(r.URL.Query())
	loc := v.Store.Settings.Location()
	req, problems := responses.Parse(q, loc, d.now())
	view := responsesView{
		From: req.From, To: req.To, Scores: map[int]bool{}, SKU: req.Filter.SKU, HasComment: q.Get("has_comment"),
		CSV: "/app/responses.csv", Loc: loc,
	}
	for _, s := range req.Filter.Scores {
		view.Scores[s] = true
	}
	t := Lang(r)
	page := Page{T: t, V: &v, Title: t.Get("app.responses.title"), Nav: "responses", Data: &view}
	if len(problems) > 0 {
		// The form shows what was sent, so it can be put right.
		view.From, view.To = r.URL.Query().Get("from"), r.URL.Query().Get("to")
		view.Errors = map[string]string{}
		for field := range problems {
			view.Errors[field] = t.Get("app.responses.invalid." + field)
		}
		d.write(w, r, http.StatusBadRequest, "responses", page)
		return nil
	}
	if len(q) > 0 {
		view.CSV += "?" + q.Encode()
	}
	req.Filter.Limit, req.Filter.Cursor, req.Filter.CursorKey = responsesPageSize, r.URL.Query().Get("cursor"), v.Store.CursorKey
	items, next, err := d.Responses.Responses(r.Context(), v.StoreID, req.Filter)
	var bad *closeloop.Error
	if errors.As(err, &bad) && bad.Code == closeloop.EINVALID {
		// A cursor of another filter, or tampered with: the first page.
		return closeloop.Errorf(closeloop.EINVALID, "%s", t.Get("app.responses.invalid.cursor"))
	}
	if err != nil {
		return err
	}
	view.Items = items
	if next != "" {
		nq := filterQuery(q)
		nq.Set("cursor", next)
		view.Next = "/app/responses?" + nq.Encode()
	}
	d.write(w, r, http.StatusOK, "responses", page)
	return nil
}

// responsesCSV is the CSV of every answer the filter keeps, byte for byte
// what GET /v1/responses?format=csv answers for the same filter.
func (d *Dashboard) responsesCSV(w http.ResponseWriter, r *http.Request, v Viewer) error {
	req, problems := responses.Parse(filterQuery(r.URL.Query()), v.Store.Settings.Location(), d.now())
	if len(problems) > 0 {
		return closeloop.Errorf(closeloop.EINVALID, "%s", Lang(r).Get("app.responses.invalid"))
	}
	return responses.Export(w, r, d.Responses, v.StoreID, req)
}

func init() {
	funcs["scores"] = func() []int { return []int{1, 2, 3, 4, 5} }
	// iso writes a time for a <time datetime> attribute.
	funcs["iso"] = func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
}
