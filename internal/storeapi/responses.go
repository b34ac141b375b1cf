package storeapi

import (
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

// Bounds of a responses listing, in the store's local days.
const (
	defaultResponseDays = 30   // from defaults to 29 days before to
	maxResponseDays     = 1096 // three years, a leap day included
)

// dayLayout is how the API writes a local day.
const dayLayout = "2006-01-02"

// responseRequest is a GET /v1/responses request, checked.
type responseRequest struct {
	filter   closeloop.ResponseFilter
	from, to string // the local days asked for, as YYYY-MM-DD
	csv      bool
}

// parseResponseRequest checks the query of a responses listing and turns
// its local days into instants in loc; now decides what today is. Every
// bad parameter is named in one EINVALID error.
func parseResponseRequest(r *http.Request, loc *time.Location, now time.Time) (responseRequest, error) {
	q := r.URL.Query()
	p := closeloop.Problems{}
	var req responseRequest

	format := q.Get("format")
	switch format {
	case "", "json":
	case "csv":
		req.csv = true
	default:
		p.Add("format", "must be json or csv")
	}

	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	to, toOK := parseDay(q, "to", today, p)
	from, fromOK := parseDay(q, "from", to.AddDate(0, 0, 1-defaultResponseDays), p)
	if q.Get("from") == "" && !toOK {
		fromOK = false // its default depends on the bad to
	}
	if fromOK && toOK {
		// Days are counted on UTC dates: a local day can be 23 or 25 hours.
		days := int(to.Sub(from).Hours()/24) + 1
		switch {
		case days < 1:
			p.Add("from", "must be on or before to ("+to.Format(dayLayout)+")")
		case days > maxResponseDays:
			p.Add("from", "must be at most "+strconv.Itoa(maxResponseDays)+" days before to, both included")
		}
	}
	req.from, req.to = from.Format(dayLayout), to.Format(dayLayout)
	// Each local day runs from its midnight in the store's zone to the
	// next day's (time.Date settles a midnight a DST change skips).
	req.filter.From = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	req.filter.To = time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)

	if raw := strings.Join(q["score"], ","); raw != "" {
		for _, part := range strings.Split(raw, ",") {
			score, err := strconv.Atoi(part)
			if err != nil || score < 1 || score > 5 {
				p.Add("score", "must be scores from 1 to 5, several separated by commas (score=1,2)")
				break
			}
			if !slices.Contains(req.filter.Scores, score) {
				req.filter.Scores = append(req.filter.Scores, score)
			}
		}
	}
	req.filter.SKU = q.Get("sku")
	if len(req.filter.SKU) > 128 {
		p.Add("sku", "must be at most 128 characters")
	}
	switch q.Get("has_comment") {
	case "":
	case "true", "false":
		has := q.Get("has_comment") == "true"
		req.filter.HasComment = &has
	default:
		p.Add("has_comment", "must be true or false")
	}

	// An export is every match: paging does not apply to it.
	if !req.csv {
		limit, err := pageLimit(r)
		var e *closeloop.Error
		if errors.As(err, &e) {
			p.Merge("", e.Fields)
		}
		req.filter.Limit, req.filter.Cursor = limit, q.Get("cursor")
	}
	return req, p.Err("some parameters are not valid")
}

// parseDay reads the local day in parameter name, def when it is absent;
// ok is false when it is not a day (the problem is added to p).
func parseDay(q url.Values, name string, def time.Time, p closeloop.Problems) (day time.Time, ok bool) {
	raw := q.Get(name)
	if raw == "" {
		return def, true
	}
	day, err := time.Parse(dayLayout, raw)
	// Stored times have four-digit years, and the day after to must too.
	if err != nil || day.Year() < 1970 || day.Year() > 9998 {
		p.Add(name, "must be a date as YYYY-MM-DD, from 1970 to 9998")
		return def, false
	}
	return day, true
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
	req.filter.CursorKey = store.CursorKey
	if req.csv {
		return a.exportResponses(w, r, key.StoreID, req)
	}
	page, next, err := a.Responses.Responses(r.Context(), key.StoreID, req.filter)
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

// csvHeader names the export's columns.
var csvHeader = []string{
	"answered_at", "survey_id", "order_id", "email", "name", "locale", "score", "nps",
	"comment", "contact_me", "points", "case_id", "skus", "products",
}

// csvFlushRows is how many rows are sent on at a time: one page of the
// adapter's reads, so that neither end holds the export.
const csvFlushRows = 200

// exportResponses streams every response matching req as CSV. The status
// and headers wait for the first row, so a failure before it is still a
// JSON error.
func (a *API) exportResponses(w http.ResponseWriter, r *http.Request, storeID string, req responseRequest) error {
	out := csv.NewWriter(w)
	out.UseCRLF = true // RFC 4180
	started, rows := false, 0
	start := func() error {
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="responses-`+req.from+`-`+req.to+`.csv"`)
		w.WriteHeader(http.StatusOK)
		started = true
		// The BOM makes Excel read the file as UTF-8, not the system's
		// code page (comments in Cyrillic, names with accents).
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
		return out.Write(csvHeader)
	}
	err := a.Responses.EachResponse(r.Context(), storeID, req.filter, func(it closeloop.ResponseItem) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		if err := out.Write(csvRow(it)); err != nil {
			return err
		}
		if rows++; rows%csvFlushRows == 0 {
			return flush(w, out)
		}
		return nil
	})
	if err == nil && !started {
		err = start() // no match: the header row alone
	}
	if err == nil {
		err = flush(w, out)
	}
	if err != nil && !started {
		return err
	}
	if err != nil {
		// The status and part of the file are sent: the error can no longer
		// be answered, so it is logged and the body ends here. The client
		// sees a file cut short, without its last rows. (Aborting the
		// connection would tell it more, but panicking with
		// http.ErrAbortHandler ends a Lambda execution environment.)
		level := slog.LevelError
		if r.Context().Err() != nil {
			level = slog.LevelInfo // the client went away
		}
		slog.Log(r.Context(), level, "responses export cut short", "route", r.Pattern, "rows", rows, "err", err)
	}
	return nil
}

// flush sends what out holds to the client.
func flush(w http.ResponseWriter, out *csv.Writer) error {
	out.Flush()
	if err := out.Error(); err != nil {
		return err
	}
	// A writer that cannot flush (a wrapping middleware, the Lambda
	// adapter) still sends its buffer as it fills.
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// csvRow is one response as a row of the export. Text columns (survey_id,
// order_id, email, name, locale, comment, case_id, skus, products) come
// from customers and shops and are neutralised against formulas; the
// numbers, booleans and times are ours and written as they are, so a
// spreadsheet still reads them as values.
func csvRow(it closeloop.ResponseItem) []string {
	nps := ""
	if it.NPS != nil {
		nps = strconv.Itoa(*it.NPS)
	}
	skus := make([]string, len(it.Items))
	names := make([]string, len(it.Items))
	for i, item := range it.Items {
		skus[i], names[i] = item.SKU, item.Name
	}
	return []string{
		it.AnsweredAt.UTC().Format(time.RFC3339Nano),
		text(it.SurveyID), text(it.OrderID), text(it.Customer.Email), text(it.Customer.Name), text(it.Customer.Locale),
		strconv.Itoa(it.Score), nps,
		text(it.Comment), strconv.FormatBool(it.ContactMe), strconv.Itoa(it.Points), text(it.CaseID),
		text(strings.Join(skus, "; ")), text(strings.Join(names, "; ")),
	}
}

// text neutralises a cell a spreadsheet would run as a formula: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading single
// quote, as OWASP advises for CSV injection.
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
