package dashboard

// What the overview and products pages share: the range they show, read
// from the query as GET /v1/summary reads it, the range before it, and how
// the numbers and their changes are written.

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/i18n"
	"github.com/closeloop/closeloop/templates"
)

// rangePresets are the ranges offered as one link each, in days to today.
var rangePresets = []int{7, 30, 90}

// maxSKU is the longest SKU a page is filtered by, as the store API allows.
const maxSKU = 128

// numbersRange is the range a numbers page shows and the one of the same
// length just before it, which its changes compare against.
type numbersRange struct {
	Cur, Prev closeloop.DayRange
	Days      int    // the preset chosen (?days=), 0 for from/to
	SKU       string // the product the overview is filtered by
	// Problems are the query's mistakes, by field (days, from, to, sku):
	// the page then shows the form again and no numbers.
	Problems map[string]string
}

// readRange reads a numbers page's range from the query: days=N for the
// last N days to the store's today, or from and to as GET /v1/summary
// reads them (closeloop.ParseDayRange: either may be left out; with
// neither, the last 30 days).
func (d *Dashboard) readRange(r *http.Request, v Viewer) numbersRange {
	q := r.URL.Query()
	today := d.Summaries.Today(v.Store)
	nr := numbersRange{SKU: strings.TrimSpace(q.Get("sku"))}
	problems := closeloop.Problems{}
	if len(nr.SKU) > maxSKU {
		problems.Add("sku", "must be at most 128 characters")
	}
	from, to := strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	if days := q.Get("days"); days != "" && from == "" && to == "" {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > closeloop.MaxSummaryDays {
			problems.Add("days", "must be a number of days from 1 to "+strconv.Itoa(closeloop.MaxSummaryDays))
		} else {
			nr.Days = n
			end, _ := time.Parse(closeloop.DayLayout, today)
			from, to = end.AddDate(0, 0, 1-n).Format(closeloop.DayLayout), today
		}
	}
	rng, err := closeloop.ParseDayRange(from, to, today)
	if e := (*closeloop.Error)(nil); errors.As(err, &e) {
		for field, problem := range e.Fields {
			problems.Add(field, problem)
		}
	}
	if len(problems) > 0 {
		nr.Problems = problems
		return nr
	}
	if q.Get("from") == "" && q.Get("to") == "" && nr.Days == 0 {
		nr.Days = rng.Days() // the default range is a preset too
	}
	nr.Cur = rng
	nr.Prev = closeloop.DayRange{From: rng.From.AddDate(0, 0, -rng.Days()), To: rng.From.AddDate(0, 0, -1)}
	return nr
}

// rangeForm is what the range form and its description show.
type rangeForm struct {
	T        i18n.Text
	Action   string // the page's path
	From, To string // the dates in the inputs
	SKU      string
	Presets  []rangePreset
	// Shown, Before and TimeZone describe the ranges compared.
	Shown, Before, TimeZone string
	Problems                map[string]string
}

// rangePreset is one link of the range picker.
type rangePreset struct {
	Label   string
	Href    string
	Current bool
}

// form describes the range for the form on the page at path.
func (nr numbersRange) form(t i18n.Text, r *http.Request, path, timeZone string) rangeForm {
	f := rangeForm{T: t, Action: path, SKU: nr.SKU, TimeZone: timeZone, Problems: nr.Problems}
	if nr.Problems != nil {
		// The form shows what was typed, to be corrected.
		f.From, f.To = r.URL.Query().Get("from"), r.URL.Query().Get("to")
	} else {
		f.From, f.To = nr.Cur.From.Format(closeloop.DayLayout), nr.Cur.To.Format(closeloop.DayLayout)
		f.Shown = t.Get("app.numbers.range_shown", t.Count("app.numbers.days.forms", nr.Cur.Days()), f.From, f.To)
		f.Before = t.Get("app.numbers.range_before", nr.Prev.From.Format(closeloop.DayLayout), nr.Prev.To.Format(closeloop.DayLayout))
	}
	for _, n := range rangePresets {
		q := url.Values{"days": {strconv.Itoa(n)}}
		if nr.SKU != "" {
			q.Set("sku", nr.SKU)
		}
		f.Presets = append(f.Presets, rangePreset{Label: t.Get("app.numbers.last_days", n), Href: path + "?" + q.Encode(), Current: nr.Days == n})
	}
	return f
}

// query is the range as a query string, for links between the pages.
func (nr numbersRange) query() url.Values {
	if nr.Days > 0 {
		return url.Values{"days": {strconv.Itoa(nr.Days)}}
	}
	return url.Values{"from": {nr.Cur.From.Format(closeloop.DayLayout)}, "to": {nr.Cur.To.Format(closeloop.DayLayout)}}
}

// parts are the pieces both numbers pages draw (templates/app/parts):
// the range form and a card's list of numbers. Parsed on first use, as the
// pages are: parsing them in init cost every cold start of the function.
var parts = sync.OnceValues(func() (*htmltemplate.Template, error) {
	return htmltemplate.New("parts").ParseFS(templates.App, "app/parts/*.html")
})

func init() {
	// part draws the piece name with data; html/template escapes it as
	// it draws it.
	funcs["part"] = func(name string, data any) (htmltemplate.HTML, error) {
		var b strings.Builder
		t, err := parts()
		if err != nil {
			return "", err
		}
		if err := t.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		return htmltemplate.HTML(b.String()), nil
	}
}

// How the numbers are written. Every number is shown as GET /v1/summary
// gives it, in Go's shortest form (83.3, 100, -20), with the language's
// decimal sign (83,3 in Russian); a response rate, a share 0–1 in the API
// (0.833), is shown as a percentage with at most one decimal ("83.3%").
// A number the API gives as null is shown as the words "no data".

// decimal writes v as the API gives it.
func decimal(t i18n.Text, v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", t.Get("app.numbers.decimal"), 1)
}

// percentOf is a response rate as the percentage shown.
func percentOf(rate *float64) *float64 {
	if rate == nil {
		return nil
	}
	p := math.Round(*rate*1000) / 10
	return &p
}

// measure is one number on a numbers page: its value, and how to write
// it and its change.
type measure struct {
	Value   *float64 // nil: no data
	Percent bool     // written with a percent sign
	// Better is +1 when a rise is good news, -1 when it is bad (unhappy
	// customers, overdue cases), 0 when it is neither.
	Better int
}

func intMeasure(n int, better int) measure {
	v := float64(n)
	return measure{Value: &v, Better: better}
}

// text writes the measure's value.
func (m measure) text(t i18n.Text) string {
	if m.Value == nil {
		return t.Get("app.numbers.no_data")
	}
	if m.Percent {
		return t.Get("app.numbers.percent", decimal(t, *m.Value))
	}
	return decimal(t, *m.Value)
}

// change is a number's change from the range before, in words with an
// arrow: the arrow and the colour only repeat what the words say.
type change struct {
	Arrow string // ▲, ▼ or =, hidden from screen readers
	Text  string // "up 4.2 from 79.1"
	Class string // good, bad or none (the colour)
	Prev  string // the value before, as written on the page
}

// changeFrom is m's change from prev.
func (m measure) changeFrom(t i18n.Text, prev measure) change {
	c := change{Prev: prev.text(t), Class: "none"}
	if m.Value == nil || prev.Value == nil {
		c.Text = t.Get("app.numbers.change_none", c.Prev)
		return c
	}
	diff := math.Round((*m.Value-*prev.Value)*10) / 10
	amount := decimal(t, math.Abs(diff))
	if m.Percent {
		amount = t.Get("app.numbers.points", amount)
	}
	switch {
	case diff > 0:
		c.Arrow, c.Text = "▲", t.Get("app.numbers.change_up", amount, c.Prev)
	case diff < 0:
		c.Arrow, c.Text = "▼", t.Get("app.numbers.change_down", amount, c.Prev)
	default:
		c.Arrow, c.Text = "=", t.Get("app.numbers.change_same", c.Prev)
	}
	switch {
	case diff == 0 || m.Better == 0:
	case (diff > 0) == (m.Better > 0):
		c.Class = "good"
	default:
		c.Class = "bad"
	}
	return c
}

// dayLabel writes a day for a chart's axis: "29 Nov", "29 нояб.".
func dayLabel(t i18n.Text, day string) string {
	d, err := time.Parse(closeloop.DayLayout, day)
	if err != nil {
		return day
	}
	months := strings.Split(t.Get("date.months_short"), "|")
	if len(months) != 12 {
		return day
	}
	return strconv.Itoa(d.Day()) + " " + months[d.Month()-1]
}
