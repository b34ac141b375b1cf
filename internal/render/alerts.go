package render

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/closeloop"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/i18n"
	"github.com/closeloop/closeloop/internal/slack"
)

// The alerts of new cases where support lives: the hourly email listing an
// hour's new cases, and the Slack messages of a case (new or overdue) and
// of an hour. All are in the store's default language.

const kindHourlyAlert = "hourly_alert"

func init() { emailKinds = append(emailKinds, kindHourlyAlert) }

// excerptRunes is how much of a comment an alert listing cases shows.
const excerptRunes = 200

// MaxHourlyCases is the most cases one hourly alert lists; the rest are
// counted, for the queue shows them all. It keeps the Slack message within
// its 50 blocks.
const MaxHourlyCases = 40

// HourlyCase is one case in an hourly alert.
type HourlyCase struct {
	Title    string // "Order 1001, score 1/5 — Very dissatisfied"
	Reasons  string
	Due      string
	Excerpt  string // the comment's start, on one line; "" without one
	Resolved bool
	CaseURL  string
}

// HourlyAlert is the data of the email listing the cases a store opened in
// an hour, sent instead of one alert per case when the store asks for it.
type HourlyAlert struct {
	T        i18n.Text
	Brand    closeloop.Branding
	Subject  string
	Intro    string
	Cases    []HourlyCase
	More     int // cases opened but not listed
	QueueURL string
}

// NewHourlyAlert builds the hourly alert of store's cases (those of the
// hour beginning at hour, as many as were read; total counts them all),
// linking to the dashboard under baseURL.
func NewHourlyAlert(store closeloop.Store, hour time.Time, cases []closeloop.Case, total int, baseURL string) HourlyAlert {
	s := store.Settings
	t := i18n.For(i18n.PickStaff(s.DefaultLocale))
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	e := HourlyAlert{
		T: t, Brand: s.Branding, Subject: t.Get("hourly.subject", s.Branding.Name, t.Count("hourly.forms", total)),
		Intro:    t.Get("hourly.intro", s.Branding.Name, t.ShortDateTime(hour, loc), t.DateTime(hour.Add(time.Hour), loc)),
		QueueURL: strings.TrimRight(baseURL, "/") + "/app/followups",
	}
	for _, c := range cases[:min(len(cases), MaxHourlyCases)] {
		e.Cases = append(e.Cases, HourlyCase{
			Title:   t.Get("hourly.case", c.OrderID, scoreText(t, c.Score)),
			Reasons: reasonsWords(t, c.OpenReasons), Due: t.DateTime(c.DueBy, c.Location()),
			Excerpt: excerpt(c.Comment), Resolved: c.Status == closeloop.CaseResolved,
			CaseURL: CaseURL(baseURL, c.CaseID),
		})
	}
	e.More = total - len(e.Cases)
	return e
}

// Footer says why support receives the alert.
func (e HourlyAlert) Footer() Footer {
	return Footer{T: e.T, Why: e.T.Get("alert.why", e.Brand.Name)}
}

// Color is the brand colour, which marks the links.
func (e HourlyAlert) Color() htmltemplate.CSS { return brandColor(e.Brand) }

func (e HourlyAlert) kind() string    { return kindHourlyAlert }
func (e HourlyAlert) subject() string { return e.Subject }

// Slack is the hourly alert as a Slack message: a heading, then each case
// with its link, score, reasons, due time and comment excerpt.
func (e HourlyAlert) Slack() slack.Message {
	blocks := []slack.Block{slack.Section("*" + slack.Escape(e.Intro) + "*")}
	for _, c := range e.Cases {
		line := slack.Link(c.CaseURL, c.Title)
		if c.Resolved {
			line += " (" + slack.Escape(e.T.Get("hourly.resolved")) + ")"
		}
		line += "\n" + slack.Escape(e.T.Get("alert.reasons")+": "+c.Reasons) +
			"\n" + slack.Escape(e.T.Get("alert.due")+": "+c.Due)
		if c.Excerpt != "" {
			line += "\n" + slack.Quote(c.Excerpt)
		}
		blocks = append(blocks, slack.Section(line))
	}
	if e.More > 0 {
		blocks = append(blocks, slack.Context(slack.Escape(e.T.Get("hourly.more", e.More))))
	}
	blocks = append(blocks, slack.Context(slack.Link(e.QueueURL, e.T.Get("hourly.open_queue"))))
	return slack.NewMessage(slack.Escape(e.Subject), blocks...)
}

// Slack is the alert as a Slack message: the subject as the notification
// text; the store, what happened, the facts as fields, the comment's
// excerpt quoted and the link to the case. The customer's address is left
// out: a channel is read more widely than the support mailbox.
func (e SupportAlert) Slack() slack.Message {
	intro := e.T.Get("alert.intro_contact", e.Brand.Name)
	if e.Unhappy {
		intro = e.T.Get("alert.intro_unhappy", e.Brand.Name)
	}
	var blocks []slack.Block
	if e.Overdue {
		over := e.T.Get("alert.overdue_since", e.OverdueSince) + " "
		if e.Reminders > 0 {
			over += e.T.Get("alert.reminded", e.RemindersText)
		} else {
			over += e.T.Get("alert.reminded_none")
		}
		blocks = append(blocks, slack.Section(":warning: *"+slack.Escape(over)+"*"))
	}
	blocks = append(blocks,
		slack.Section("*"+slack.Escape(intro)+"*"),
		slack.FieldsSection(
			"*"+slack.Escape(e.T.Get("alert.score"))+"*\n"+slack.Escape(e.ScoreText),
			"*"+slack.Escape(e.T.Get("alert.order"))+"*\n"+slack.Escape(e.OrderID),
			"*"+slack.Escape(e.T.Get("alert.reasons"))+"*\n"+slack.Escape(e.Reasons),
			"*"+slack.Escape(e.T.Get("alert.due"))+"*\n"+slack.Escape(e.Due),
		))
	comment := "*" + slack.Escape(e.T.Get("alert.comment")) + "*\n"
	if text := strings.Join(e.Comment.Lines, "\n"); text != "" {
		comment += slack.Quote(excerptLines(text))
	} else {
		comment += slack.Escape(e.T.Get("alert.no_comment"))
	}
	blocks = append(blocks, slack.Section(comment))
	if e.CaseURL != "" {
		blocks = append(blocks, slack.Section(slack.Link(e.CaseURL, e.T.Get("alert.open_case"))))
	}
	blocks = append(blocks, slack.Context(slack.Escape(e.T.Get("slack.from", e.Brand.Name))))
	return slack.NewMessage(slack.Escape("["+e.Brand.Name+"] "+e.Subject), blocks...)
}

// reasonsWords names why a case opened, every reason in words.
func reasonsWords(t i18n.Text, reasons []string) string {
	words := make([]string, 0, len(reasons))
	for _, r := range reasons {
		words = append(words, reasonWords(t, r))
	}
	return strings.Join(words, ", ")
}

// excerpt is the start of a comment on one line.
func excerpt(comment string) string {
	return cutRunes(strings.Join(strings.Fields(comment), " "), excerptRunes)
}

// excerptLines is the start of a comment keeping its lines, for a quote.
func excerptLines(comment string) string {
	return cutRunes(strings.TrimSpace(comment), excerptRunes*3)
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
