package render

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/i18n"
)

// A customer gets exactly one email after answering: ThanksEmail when no
// case opened, Acknowledgement when one did. Support gets a SupportAlert
// for each case, again as it falls overdue, and the customer a
// ClosingEmail when support resolves the case and asks to tell them.

// ThanksEmail is the data of the thank-you email, sent after an answer that
// opened no case: it announces the points earned.
type ThanksEmail struct {
	T       i18n.Text
	Brand   closeloop.Branding
	Subject string
	Name    string
	OrderID string
	Points  string // "75 points"; "" when the answer earned none
	// Line thanks for the feedback: the product's words or the store's
	// own (WithStoreTexts).
	Line string
}

// NewThanksEmail builds the thank-you email to customer for answering the
// survey of order orderID, which earned points.
func NewThanksEmail(customer closeloop.Customer, orderID string, points int, brand closeloop.Branding, defaultLocale string) ThanksEmail {
	t := textFor(customer.Locale, defaultLocale)
	e := ThanksEmail{T: t, Brand: brand, Subject: t.Get("thanks_email.subject_plain"), Name: customer.Name, OrderID: orderID,
		Line: t.Get("thanks_email.intro", orderID)}
	if points > 0 {
		e.Points = t.Points(points)
		e.Subject = t.Get("thanks_email.subject", e.Points)
	}
	return e
}

// Color is the brand colour, which marks the points line.
func (e ThanksEmail) Color() htmltemplate.CSS { return brandColor(e.Brand) }

// Footer is the store's footer.
func (e ThanksEmail) Footer() Footer {
	return customerFooter(e.T, e.Brand.Name, e.Brand.PostalAddress, e.Brand.PrivacyURL)
}

func (e ThanksEmail) kind() string    { return kindThanks }
func (e ThanksEmail) subject() string { return e.Subject }

// Acknowledgement is the data of the email that answers a case at once: an
// apology (or, when the customer only asked to be contacted, a note that
// we will), what we understood, who contacts them by when, and the points.
type Acknowledgement struct {
	T          i18n.Text
	Brand      closeloop.Branding
	Subject    string
	Name       string
	OrderID    string
	Unhappy    bool
	Score      int
	ScoreLabel string
	Comment    Quote
	Due        string // in the customer's language and the store's time zone
	Points     string // "75 points"; "" when the answer earned none
}

// NewAcknowledgement builds the acknowledgement of case c, in the
// customer's language.
func NewAcknowledgement(c closeloop.Case, brand closeloop.Branding) Acknowledgement {
	t := textFor(c.Customer.Locale, c.DefaultLocale)
	e := Acknowledgement{
		T: t, Brand: brand, Name: c.Customer.Name, OrderID: c.OrderID, Unhappy: c.Unhappy(),
		Score: c.Score, ScoreLabel: scoreLabel(t, c.Score), Comment: quote(c.Comment, brandColor(brand)),
		Due: t.DateTime(c.DueBy, c.Location()),
	}
	if e.Unhappy {
		e.Subject = t.Get("ack.subject_sorry", c.OrderID)
	} else {
		e.Subject = t.Get("ack.subject_contact", c.OrderID)
	}
	if c.Points > 0 {
		e.Points = t.Points(c.Points)
	}
	return e
}

// Footer is the store's footer.
func (e Acknowledgement) Footer() Footer {
	return customerFooter(e.T, e.Brand.Name, e.Brand.PostalAddress, e.Brand.PrivacyURL)
}

func (e Acknowledgement) kind() string    { return kindAcknowledgement }
func (e Acknowledgement) subject() string { return e.Subject }

// SupportAlert is the data of the email telling the store's support about
// a case: everything needed to act on it without opening the dashboard,
// and the link to the case there.
type SupportAlert struct {
	T         i18n.Text
	Brand     closeloop.Branding
	Subject   string
	Unhappy   bool
	Customer  string // "Ada <ada@example.com>"
	OrderID   string
	Items     []closeloop.Item
	ScoreText string // "1/5 — Very dissatisfied"
	NPS       string // "3/10"; "" when not given
	Comment   Quote
	Reasons   string // why the case opened, in words
	Due       string
	Assignee  string // "" while nobody has claimed the case
	CaseURL   string

	// The overdue re-alert.
	Overdue       bool
	OverdueSince  string
	Reminders     int
	RemindersText string

	plainSubject string
	loc          *time.Location
}

// NewSupportAlert builds the alert about case c to the store's support, in
// staffLocale (the store's default locale; English unless it is Russian,
// the one other language staff texts are written in), linking to the case at caseURL (see CaseURL).
func NewSupportAlert(c closeloop.Case, brand closeloop.Branding, staffLocale, caseURL string) SupportAlert {
	t := i18n.For(i18n.PickStaff(staffLocale))
	loc := c.Location()
	e := SupportAlert{
		T: t, Brand: brand, Unhappy: c.Unhappy(), Customer: c.Customer.Email, OrderID: c.OrderID, Items: c.Items,
		ScoreText: strconv.Itoa(c.Score) + "/5", Comment: quote(c.Comment, brandColor(brand)),
		Due: t.DateTime(c.DueBy, loc), CaseURL: caseURL, loc: loc,
	}
	if c.Customer.Name != "" {
		e.Customer = c.Customer.Name + " <" + c.Customer.Email + ">"
	}
	if label := scoreLabel(t, c.Score); label != "" {
		e.ScoreText += " — " + label
	}
	if c.NPS != nil {
		e.NPS = strconv.Itoa(*c.NPS) + "/10"
	}
	if c.Status == closeloop.CaseClaimed {
		e.Assignee = c.Assignee
	}
	reasons := make([]string, 0, len(c.OpenReasons))
	for _, r := range c.OpenReasons {
		reasons = append(reasons, reasonWords(t, r))
	}
	e.Reasons = strings.Join(reasons, ", ")
	// The subject names the strongest reason: a low score or a
	// detractor's NPS, else the keyword rule that fired (a happy score
	// with "the courier was rude"), else the request to be contacted.
	key := "alert.subject_contact"
	switch {
	case slices.Contains(c.OpenReasons, closeloop.OpenedLowScore) || slices.Contains(c.OpenReasons, closeloop.OpenedDetractor):
		key = "alert.subject_unhappy"
	case c.KeywordRule != "":
		key = "alert.subject_keyword"
	}
	e.plainSubject = t.Get(key, c.OrderID, c.Score, t.ShortDateTime(c.DueBy, loc), c.KeywordRule)
	e.Subject = e.plainSubject
	return e
}

// AsOverdue turns the alert into the re-alert of a case overdue since since
// (its due time); reminders is how many re-alerts support got before this
// one (the case's OverdueAlerts before it counts this one; 0 for the first).
func (e SupportAlert) AsOverdue(since time.Time, reminders int) SupportAlert {
	e.Overdue = true
	e.OverdueSince = e.T.DateTime(since, e.loc)
	e.Reminders = reminders
	e.RemindersText = e.T.Count("alert.reminders.forms", reminders)
	e.Subject = e.T.Get("alert.subject_overdue", e.plainSubject)
	return e
}

// Color is the brand colour, which marks the quote and the case link.
func (e SupportAlert) Color() htmltemplate.CSS { return brandColor(e.Brand) }

// Footer says why support receives the alert; the store's address and
// privacy link are for customers.
func (e SupportAlert) Footer() Footer {
	return Footer{T: e.T, Why: e.T.Get("alert.why", e.Brand.Name)}
}

func (e SupportAlert) kind() string    { return kindSupportAlert }
func (e SupportAlert) subject() string { return e.Subject }

// ClosingEmail is the data of the email telling the customer that their
// case is resolved, with support's own words when they wrote some.
type ClosingEmail struct {
	T       i18n.Text
	Brand   closeloop.Branding
	Subject string
	Name    string
	OrderID string
	Message Quote
}

// NewClosingEmail builds the closing email of resolved case c, in the
// customer's language.
func NewClosingEmail(c closeloop.Case, brand closeloop.Branding) ClosingEmail {
	t := textFor(c.Customer.Locale, c.DefaultLocale)
	return ClosingEmail{
		T: t, Brand: brand, Subject: t.Get("closing.subject", c.OrderID),
		Name: c.Customer.Name, OrderID: c.OrderID, Message: quote(c.CustomerMessage, brandColor(brand)),
	}
}

// Footer is the store's footer.
func (e ClosingEmail) Footer() Footer {
	return customerFooter(e.T, e.Brand.Name, e.Brand.PostalAddress, e.Brand.PrivacyURL)
}

func (e ClosingEmail) kind() string    { return kindClosing }
func (e ClosingEmail) subject() string { return e.Subject }

// scoreLabel is a CSAT score in words, "" for a score outside 1–5.
func scoreLabel(t i18n.Text, score int) string {
	if score < 1 || score > 5 {
		return ""
	}
	return t.Get("score." + strconv.Itoa(score))
}

// reasonWords names why a case opened; a reason this version does not know
// shows as its code rather than as nothing.
func reasonWords(t i18n.Text, reason string) string {
	switch reason {
	case closeloop.OpenedLowScore:
		return t.Get("alert.reason.low_score")
	case closeloop.OpenedDetractor:
		return t.Get("alert.reason.detractor")
	case closeloop.OpenedContactMe:
		return t.Get("alert.reason.contact_me")
	case closeloop.OpenedKeyword:
		return t.Get("alert.reason.keyword")
	}
	return reason
}
