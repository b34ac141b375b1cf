// Package responses is how a store's survey responses are asked for and
// exported, shared by the store API (GET /v1/responses) and the
// dashboard's responses page: the query's filter in the store's local
// days, and the CSV export streamed row by row.
package responses

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Bounds of a responses listing, in the store's local days.
const (
	DefaultDays = 30   // from defaults to 29 days before to
	MaxDays     = 1096 // three years, a leap day included
)

// DayLayout is how a local day is written: YYYY-MM-DD.
const DayLayout = "2006-01-02"

// Request is a responses query, checked.
type Request struct {
	Filter   closeloop.ResponseFilter
	From, To string // the local days asked for, as YYYY-MM-DD
	CSV      bool   // format=csv: every match, as a CSV file
}

// Parse checks the query of a responses listing (format, from, to, score,
// sku, has_comment) and turns its local days into instants in loc; now
// decides what today is. It leaves paging (limit, cursor) to the caller
// and returns every bad parameter in p, for the caller to add its own to
// before p.Err.
func Parse(q url.Values, loc *time.Location, now time.Time) (req Request, p closeloop.Problems) {
	p = closeloop.Problems{}

	switch q.Get("format") {
	case "", "json":
	case "csv":
		req.CSV = true
	default:
		p.Add("format", "must be json or csv")
	}

	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	to, toOK := parseDay(q, "to", today, p)
	from, fromOK := parseDay(q, "from", to.AddDate(0, 0, 1-DefaultDays), p)
	if q.Get("from") == "" && !toOK {
		fromOK = false // its default depends on the bad to
	}
	if fromOK && toOK {
		// Days are counted on UTC dates: a local day can be 23 or 25 hours.
		days := int(to.Sub(from).Hours()/24) + 1
		switch {
		case days < 1:
			p.Add("from", "must be on or before to ("+to.Format(DayLayout)+")")
		case days > MaxDays:
			p.Add("from", "must be at most "+strconv.Itoa(MaxDays)+" days before to, both included")
		}
	}
	req.From, req.To = from.Format(DayLayout), to.Format(DayLayout)
	// Each local day runs from its midnight in the store's zone to the
	// next day's (time.Date settles a midnight a DST change skips).
	req.Filter.From = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	req.Filter.To = time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)

	if raw := strings.Join(q["score"], ","); raw != "" {
		for _, part := range strings.Split(raw, ",") {
			score, err := strconv.Atoi(part)
			if err != nil || score < 1 || score > 5 {
				p.Add("score", "must be scores from 1 to 5, several separated by commas (score=1,2)")
				break
			}
			if !slices.Contains(req.Filter.Scores, score) {
				req.Filter.Scores = append(req.Filter.Scores, score)
			}
		}
	}
	req.Filter.SKU = q.Get("sku")
	if len(req.Filter.SKU) > 128 {
		p.Add("sku", "must be at most 128 characters")
	}
	switch q.Get("has_comment") {
	case "":
	case "true", "false":
		has := q.Get("has_comment") == "true"
		req.Filter.HasComment = &has
	default:
		p.Add("has_comment", "must be true or false")
	}
	return req, p
}

// parseDay reads the local day in parameter name, def when it is absent;
// ok is false when it is not a day (the problem is added to p).
func parseDay(q url.Values, name string, def time.Time, p closeloop.Problems) (day time.Time, ok bool) {
	raw := q.Get(name)
	if raw == "" {
		return def, true
	}
	day, err := time.Parse(DayLayout, raw)
	// Stored times have four-digit years, and the day after to must too.
	if err != nil || day.Year() < 1970 || day.Year() > 9998 {
		p.Add(name, "must be a date as YYYY-MM-DD, from 1970 to 9998")
		return def, false
	}
	return day, true
}
