package dashboard

import (
	"net/http"
	"strconv"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

// overviewView is the overview page: the range, the numbers in groups
// with their changes, and the daily charts.
type overviewView struct {
	Range  rangeForm
	SKU    string // the product the numbers are of, "" for the store
	Groups []statGroup
	Charts []chartView
}

// statGroup is one card of numbers.
type statGroup struct {
	Title string
	Stats []stat
	card  string
}

// stat is one number with its change from the range before.
type stat struct {
	// Key names the number's field in GET /v1/summary ("csat.score"), in
	// the page's data-metric attribute, for tests to compare.
	Key    string
	Label  string
	Value  string
	Change *change // nil for the current case load, which has no past
	Note   string  // instead of a change
}

// chartView is a chart with the table of its numbers.
type chartView struct {
	ID    string // the anchor of the chart's section
	Chart chart
	Head  []string
	Rows  [][]string
}

// overview shows CSAT, NPS, the response rate, points and follow-ups of
// the chosen range against the range before, as GET /v1/summary gives
// them, with daily charts.
func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request, v Viewer) error {
	t := Lang(r)
	nr := d.readRange(r, v)
	view := overviewView{Range: nr.form(t, r, "/app/overview", v.Store.Settings.TimeZone), SKU: nr.SKU}
	title := t.Get("app.overview.title")
	if nr.SKU != "" {
		title = t.Get("app.overview.title_sku", nr.SKU)
	}
	page := Page{T: t, V: &v, Title: title, Nav: "overview", Data: &view}
	if nr.Problems != nil {
		d.write(w, r, http.StatusBadRequest, "overview", page)
		return nil
	}
	cur, prev, err := d.Summaries.Compare(r.Context(), v.Store, nr.Cur, nr.Prev, nr.SKU)
	if err != nil {
		return err
	}
	view.Groups = summaryGroups(t, cur, prev)
	view.Charts = dailyCharts(t, cur)
	d.write(w, r, http.StatusOK, "overview", page)
	return nil
}

// figure is one number of a summary: the card it is shown in, its field
// in GET /v1/summary, its measure. Now marks the current case load, the
// same for any range, which has no change to show.
type figure struct {
	Card, Key string
	M         measure
	Now       bool
}

// summaryFigures are a summary's numbers in the order the page shows them.
func summaryFigures(s closeloop.Summary) []figure {
	out := []figure{
		{"responses", "sent", intMeasure(s.Sent, 0), false},
		{"responses", "answered", intMeasure(s.Answered, 1), false},
		{"responses", "response_rate", measure{Value: percentOf(s.ResponseRate), Percent: true, Better: 1}, false},
		{"csat", "csat.score", measure{Value: s.CSAT.Score, Better: 1}, false},
		{"csat", "csat.answers", intMeasure(s.CSAT.Answers, 1), false},
		{"csat", "csat.satisfied", intMeasure(s.CSAT.Satisfied, 1), false},
		{"csat", "csat.neutral", intMeasure(s.CSAT.Neutral, 0), false},
		{"csat", "csat.unsatisfied", intMeasure(s.CSAT.Unsatisfied, -1), false},
	}
	for score := 5; score >= 1; score-- {
		better := 0
		switch {
		case score >= 4:
			better = 1
		case score <= 2:
			better = -1
		}
		key := strconv.Itoa(score)
		out = append(out, figure{"csat", "csat.distribution." + key, intMeasure(s.CSAT.Distribution[key], better), false})
	}
	out = append(out,
		figure{"nps", "nps.score", measure{Value: s.NPS.Score, Better: 1}, false},
		figure{"nps", "nps.answers", intMeasure(s.NPS.Answers, 1), false},
		figure{"nps", "nps.promoters", intMeasure(s.NPS.Promoters, 1), false},
		figure{"nps", "nps.passives", intMeasure(s.NPS.Passives, 0), false},
		figure{"nps", "nps.detractors", intMeasure(s.NPS.Detractors, -1), false},
		figure{"points", "points_awarded", intMeasure(s.PointsAwarded, 0), false},
		figure{"followups", "followups.opened", intMeasure(s.Followups.Opened, -1), false},
		figure{"followups", "followups.resolved", intMeasure(s.Followups.Resolved, 1), false},
		figure{"followups", "followups.mean_hours_to_resolve", measure{Value: s.Followups.MeanHoursToResolve, Better: -1}, false},
	)
	// A product has no case load of its own (nil).
	if s.Followups.Open != nil {
		out = append(out, figure{"followups", "followups.open", intMeasure(*s.Followups.Open, -1), true})
	}
	if s.Followups.Overdue != nil {
		out = append(out, figure{"followups", "followups.overdue", intMeasure(*s.Followups.Overdue, -1), true})
	}
	return out
}

// summaryGroups lays cur's numbers out in cards, each with its change
// from prev.
func summaryGroups(t i18n.Text, cur, prev closeloop.Summary) []statGroup {
	before := map[string]measure{}
	for _, f := range summaryFigures(prev) {
		before[f.Key] = f.M
	}
	var groups []statGroup
	for _, f := range summaryFigures(cur) {
		if len(groups) == 0 || groups[len(groups)-1].card != f.Card {
			groups = append(groups, statGroup{Title: t.Get("app.overview.group." + f.Card), card: f.Card})
		}
		s := stat{Key: f.Key, Label: t.Get("app.overview." + f.Key), Value: f.M.text(t)}
		if f.Now {
			s.Note = t.Get("app.overview.now")
		} else {
			c := f.M.changeFrom(t, before[f.Key])
			s.Change = &c
		}
		g := &groups[len(groups)-1]
		g.Stats = append(g.Stats, s)
	}
	return groups
}

// dailyCharts draws the summary's days: the CSAT score, and the response
// rate of the surveys sent each day.
func dailyCharts(t i18n.Text, s closeloop.Summary) []chartView {
	days := make([]string, len(s.Daily))
	csat := make([]*float64, len(s.Daily))
	rate := make([]*float64, len(s.Daily))
	csatRows := make([][]string, len(s.Daily))
	rateRows := make([][]string, len(s.Daily))
	for i, day := range s.Daily {
		days[i] = dayLabel(t, day.Date)
		csat[i] = day.CSATScore
		var r *float64
		if day.Sent > 0 {
			// As GET /v1/summary rounds a response rate.
			r = percentOf(ptr(float64(day.Answered) / float64(day.Sent)))
		}
		rate[i] = r
		csatRows[i] = []string{day.Date, measure{Value: day.CSATScore}.text(t)}
		rateRows[i] = []string{day.Date, decimal(t, float64(day.Sent)), decimal(t, float64(day.Answered)), measure{Value: r, Percent: true}.text(t)}
	}
	label := t.Get("app.overview.chart_label", s.From, s.To)
	return []chartView{
		{
			ID:    "csat-chart",
			Chart: chart{Title: t.Get("app.overview.chart_csat"), Label: label, Days: days, Values: csat, Max: 100, Ticks: []float64{0, 25, 50, 75, 100}},
			Head:  []string{t.Get("app.overview.day"), t.Get("app.overview.csat.score")},
			Rows:  csatRows,
		},
		{
			ID:    "rate-chart",
			Chart: chart{Title: t.Get("app.overview.chart_rate"), Label: label, Days: days, Values: rate, Max: 100, Ticks: []float64{0, 25, 50, 75, 100}, Unit: "%"},
			Head:  []string{t.Get("app.overview.day"), t.Get("app.overview.sent"), t.Get("app.overview.answered"), t.Get("app.overview.response_rate")},
			Rows:  rateRows,
		},
	}
}

func ptr[T any](v T) *T { return &v }
