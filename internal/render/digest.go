package render

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/i18n"
)

// DigestFacts are what a store's weekly digest reports, as the digest
// service gathered them.
type DigestFacts struct {
	Store closeloop.Store
	// Week is the seven store-local days reported; Last is their summary
	// and Before that of the seven days before them.
	Week         closeloop.DayRange
	Last, Before closeloop.Summary
	Worst        []closeloop.ProductSummary // the week's worst products, worst first
	Unhappy      []closeloop.ResponseItem   // the week's newest unhappy answers with a comment
	Overdue      []closeloop.Case           // follow-ups overdue now, oldest first
	MoreOverdue  bool                       // more are overdue than Overdue holds
	// DashboardURL is where the owner reads more; UnsubscribeURL turns this
	// recipient's digest off.
	DashboardURL   string
	UnsubscribeURL string
}

// DigestEmail is the data of the weekly digest to a store owner: the
// week's numbers against the week before, what needs attention, and the
// dashboard link. It is in the store's language: the owners' is not known.
type DigestEmail struct {
	T              i18n.Text
	Brand          closeloop.Branding
	Subject        string
	Intro          string
	Metrics        []DigestMetric
	Products       []DigestProduct
	Comments       []DigestComment
	Overdue        []DigestCase
	MoreOverdue    bool
	DashboardURL   string
	UnsubscribeURL string
	// Loop is the follow-up numbers of the week (closing the loop).
	Loop []DigestMetric
}

// DigestMetric is one number of the week with its change.
type DigestMetric struct {
	Label  string
	Value  string // "83.3%"; "—" without data
	Change string // "▲ 8.3 points", "unchanged", or that the week before had no data
	Trend  int    // 1 up, -1 down, 0 neither
	// LowerIsBetter colours a rise red: cases opened, hours to close.
	LowerIsBetter bool
}

// ChangeColor colours the change: green for better, red for worse, grey
// otherwise. Numbers are better higher unless LowerIsBetter.
func (m DigestMetric) ChangeColor() htmltemplate.CSS {
	trend := m.Trend
	if m.LowerIsBetter {
		trend = -trend
	}
	switch trend {
	case 1:
		return "#0d652d"
	case -1:
		return "#b3261e"
	}
	return "#555555"
}

// DigestProduct is one of the week's worst products.
type DigestProduct struct {
	Name   string // "Kettle (KETTLE-1)"
	Detail string // "CSAT 0, 1 answer"
}

// DigestComment is one unhappy comment of the week.
type DigestComment struct {
	About   string // order, score and day
	Comment Quote
}

// DigestCase is one follow-up overdue now.
type DigestCase struct {
	Line string // order, score and due time
}

// NewDigestEmail builds the digest of f, in the store's default language.
func NewDigestEmail(f DigestFacts) DigestEmail {
	set := f.Store.Settings
	t := i18n.For(i18n.PickStaff(set.DefaultLocale))
	loc := set.Location()
	e := DigestEmail{
		T: t, Brand: set.Branding, DashboardURL: f.DashboardURL, UnsubscribeURL: f.UnsubscribeURL,
		Intro:       t.Get("digest.intro", set.Branding.Name, dayName(t, f.Week.From), dayName(t, f.Week.To)),
		MoreOverdue: f.MoreOverdue,
	}
	last, before := f.Last, f.Before
	e.Metrics = []DigestMetric{
		countMetric(t, t.Get("digest.sent"), last.Sent, before.Sent),
		countMetric(t, t.Get("digest.answered"), last.Answered, before.Answered),
		scoreMetric(t, t.Get("digest.response_rate"), percent(last.ResponseRate), percent(before.ResponseRate), true),
		scoreMetric(t, t.Get("digest.csat"), last.CSAT.Score, before.CSAT.Score, false),
		scoreMetric(t, t.Get("digest.nps"), last.NPS.Score, before.NPS.Score, false),
	}
	e.Metrics = append(e.Metrics, recoveryMetrics(t, set, last, before)...)
	e.Loop = loopMetrics(t, last.Followups, before.Followups)
	for _, p := range f.Worst {
		name := p.SKU
		if p.Name != "" {
			name = p.Name + " (" + p.SKU + ")"
		}
		e.Products = append(e.Products, DigestProduct{Name: name,
			Detail: t.Get("digest.product", valueText(t, p.CSAT.Score, false), t.Count("digest.answers.forms", p.CSAT.Answers))})
	}
	for _, r := range f.Unhappy {
		e.Comments = append(e.Comments, DigestComment{
			About:   t.Get("digest.comment_about", r.OrderID, scoreText(t, r.Score), t.ShortDateTime(r.AnsweredAt, loc)),
			Comment: quote(r.Comment, brandColor(set.Branding)),
		})
	}
	for _, c := range f.Overdue {
		e.Overdue = append(e.Overdue, DigestCase{Line: t.Get("digest.overdue_case", c.OrderID, scoreText(t, c.Score), t.ShortDateTime(c.DueBy, loc))})
	}
	e.Subject = digestSubject(t, set.Branding.Name, last, before)
	return e
}

// digestSubject sums the week up in whole numbers: "Your week at Shop:
// CSAT 86 (▲ 3), 42 answers".
func digestSubject(t i18n.Text, store string, last, before closeloop.Summary) string {
	answers := t.Count("digest.answers.forms", last.CSAT.Answers)
	switch {
	case last.CSAT.Score == nil:
		return t.Get("digest.subject_quiet", store, answers)
	case before.CSAT.Score == nil:
		return t.Get("digest.subject_new", store, wholeNumber(*last.CSAT.Score), answers)
	}
	change := "±0"
	switch diff := math.Round(*last.CSAT.Score) - math.Round(*before.CSAT.Score); {
	case diff > 0:
		change = "▲ " + wholeNumber(diff)
	case diff < 0:
		change = "▼ " + wholeNumber(-diff)
	}
	return t.Get("digest.subject", store, wholeNumber(*last.CSAT.Score), change, answers)
}

// countMetric is a count with its change: "6", "▲ 2".
func countMetric(t i18n.Text, label string, last, before int) DigestMetric {
	m := DigestMetric{Label: label, Value: strconv.Itoa(last), Change: t.Get("digest.unchanged")}
	switch diff := last - before; {
	case diff > 0:
		m.Change, m.Trend = "▲ "+strconv.Itoa(diff), 1
	case diff < 0:
		m.Change, m.Trend = "▼ "+strconv.Itoa(-diff), -1
	}
	return m
}

// scoreMetric is a score (a percentage when pct) with its change in
// points: "▲ 4.2 points". A score without data shows "—".
func scoreMetric(t i18n.Text, label string, last, before *float64, pct bool) DigestMetric {
	m := DigestMetric{Label: label, Value: valueText(t, last, pct)}
	switch {
	case last == nil:
		m.Change = ""
	case before == nil:
		m.Change = t.Get("digest.no_previous")
	default:
		diff := math.Round((*last-*before)*10) / 10
		m.Change = t.Get("digest.unchanged")
		if diff > 0 {
			m.Change, m.Trend = "▲ "+points(t, diff), 1
		} else if diff < 0 {
			m.Change, m.Trend = "▼ "+points(t, -diff), -1
		}
	}
	return m
}

// percent turns a rate (0–1) into a percentage.
func percent(rate *float64) *float64 {
	if rate == nil {
		return nil
	}
	p := math.Round(*rate*1000) / 10
	return &p
}

// valueText writes a score, a percentage when pct; "—" for none.
func valueText(t i18n.Text, v *float64, pct bool) string {
	if v == nil {
		return "—"
	}
	if pct {
		return t.Get("digest.percent", decimal(t, *v))
	}
	return decimal(t, *v)
}

// points names a change of v points with the plural the language gives
// it: whole numbers by count ("1 point", "2 пункта"), fractions by the
// form CLDR gives them ("4.2 points", "4,2 пункта").
func points(t i18n.Text, v float64) string {
	if v == math.Trunc(v) {
		return t.Count("digest.points.forms", int(v))
	}
	return decimal(t, v) + " " + t.Get("digest.points_fraction")
}

// decimal writes v to one decimal, without it for a whole number, with the
// language's decimal separator: "4.2", "4,2", "86".
func decimal(t i18n.Text, v float64) string {
	v = math.Round(v*10) / 10
	if v == math.Trunc(v) {
		return wholeNumber(v)
	}
	return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", t.Get("digest.decimal"), 1)
}

func wholeNumber(v float64) string { return strconv.Itoa(int(math.Round(v))) }

// scoreText is "2/5 — Dissatisfied".
func scoreText(t i18n.Text, score int) string {
	s := strconv.Itoa(score) + "/5"
	if label := scoreLabel(t, score); label != "" {
		s += " — " + label
	}
	return s
}

// dayName names a store-local day (a DayRange date): "16 November",
// "16 ноября" (the catalog's months are in the case a date needs).
func dayName(t i18n.Text, day time.Time) string {
	month := "?"
	if months := strings.Split(t.Get("date.months"), "|"); len(months) == 12 {
		month = months[day.Month()-1]
	}
	return t.Get("digest.day", day.Day(), month)
}

// Color is the brand colour, which marks the dashboard button and quotes.
func (e DigestEmail) Color() htmltemplate.CSS { return brandColor(e.Brand) }

// Footer says why an owner gets the digest, with the link that turns the
// digest alone off.
func (e DigestEmail) Footer() Footer {
	return Footer{T: e.T, Why: e.T.Get("digest.why", e.Brand.Name),
		UnsubscribeURL: e.UnsubscribeURL, UnsubscribeLabel: e.T.Get("digest.unsubscribe")}
}

func (e DigestEmail) kind() string    { return kindDigest }
func (e DigestEmail) subject() string { return e.Subject }

// DigestUnsubscribePage asks an owner to confirm leaving the store's weekly
// digest, or says it is done, in the store's language. address is "" when
// the link's address is no longer among the store's owners.
func DigestUnsubscribePage(store closeloop.Store, address, action string, done bool) Page {
	t := i18n.For(i18n.PickStaff(store.Settings.DefaultLocale))
	p := Page{T: t, Brand: store.Settings.Branding, Title: t.Get("digest_unsubscribe.title"), Action: action, Email: address, Unsubscribed: done}
	if address != "" {
		// The link never expires: whoever holds it sees the address masked.
		p.Email = closeloop.MaskEmail(address)
	}
	if done {
		p.Title = t.Get("digest_unsubscribe.done")
	}
	return p
}
