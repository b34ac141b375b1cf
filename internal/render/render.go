// Package render turns domain data into what people read, in their
// language: the survey email and the survey, thank-you, closed and
// unsubscribe pages; after an answer, the thank-you or acknowledgement
// email, the alert to support and the closing email of a case.
package render

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/closeloop/closeloop/internal/closeloop"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	texttemplate "github.com/closeloop/closeloop/internal/gotemplate/text"
	"github.com/closeloop/closeloop/internal/i18n"
	"github.com/closeloop/closeloop/templates"
)

// Page names.
const (
	PageSurvey      = "survey"
	PageThanks      = "thanks"
	PageClosed      = "closed"
	PageUnsubscribe = "unsubscribe"
	// PageDigestUnsubscribe turns an owner's weekly digest off.
	PageDigestUnsubscribe = "digest_unsubscribe"
)

var pageNames = []string{PageSurvey, PageThanks, PageClosed, PageUnsubscribe, PageDigestUnsubscribe}

// Renderer holds the templates, each parsed on its first use: a function
// parses only what it renders (the survey pages none of the emails,
// dispatch only the survey email), and not at cold start.
type Renderer struct {
	pages     map[string]func() (*htmltemplate.Template, error)
	emailHTML map[string]func() (*htmltemplate.Template, error)
	emailText map[string]func() (*texttemplate.Template, error)
}

// New returns the renderer of every page, inside the page layout, and of
// every email kind's templates/<kind>_email.html and .txt, inside the email
// layout. Parsing them all took 2 to 6 ms of each function's cold start.
func New() (*Renderer, error) {
	r := &Renderer{
		pages:     map[string]func() (*htmltemplate.Template, error){},
		emailHTML: map[string]func() (*htmltemplate.Template, error){},
		emailText: map[string]func() (*texttemplate.Template, error){},
	}
	for _, name := range pageNames {
		r.pages[name] = sync.OnceValues(func() (*htmltemplate.Template, error) {
			t, err := htmltemplate.ParseFS(templates.FS, "layout.html", name+".html")
			if err != nil {
				return nil, fmt.Errorf("parse page %s: %w", name, err)
			}
			return t, nil
		})
	}
	for _, kind := range emailKinds {
		r.emailHTML[kind] = sync.OnceValues(func() (*htmltemplate.Template, error) {
			t, err := htmltemplate.New(kind).Funcs(emailFuncs).ParseFS(templates.FS, "email_layout.html", kind+"_email.html")
			if err != nil {
				return nil, fmt.Errorf("parse %s email: %w", kind, err)
			}
			return t, nil
		})
		r.emailText[kind] = sync.OnceValues(func() (*texttemplate.Template, error) {
			t, err := texttemplate.ParseFS(templates.FS, "email_layout.txt", kind+"_email.txt")
			if err != nil {
				return nil, fmt.Errorf("parse %s email text: %w", kind, err)
			}
			return t, nil
		})
	}
	return r, nil
}

// Check parses every template, for the tests: a function parses only
// those it renders, when it first renders them.
func (r *Renderer) Check() error {
	for _, name := range slices.Sorted(maps.Keys(r.pages)) {
		if _, err := r.pages[name](); err != nil {
			return err
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(r.emailHTML)) {
		if _, err := r.emailHTML[kind](); err != nil {
			return err
		}
		if _, err := r.emailText[kind](); err != nil {
			return err
		}
	}
	return nil
}

// Option is one choice of a radio group.
type Option struct {
	Value   int
	Label   string
	Checked bool
}

// Page is what every page shows; the fields below Title serve some pages.
type Page struct {
	T     i18n.Text
	Brand closeloop.Branding
	Title string

	// The survey form.
	Action    string
	OrderID   string
	Promise   string
	BonusHint string
	Scores    []Option
	NPS       []Option
	Comment   string
	ContactMe bool
	Errors    map[string]string

	// The thank-you page.
	PointsText string

	// The unsubscribe page.
	Email        string
	Unsubscribed bool

	// The recovery check page (recheck.go).
	Recheck *RecheckChoice

	// Products names what the survey's order bought (products.go).
	Products string
}

// Color is the brand colour for CSS, a safe default when unset.
func (p Page) Color() htmltemplate.CSS { return brandColor(p.Brand) }

// OnColor is black or white, whichever reads better on Color.
func (p Page) OnColor() htmltemplate.CSS { return onColor(string(brandColor(p.Brand))) }

// WritePage renders page name with data to w.
func (r *Renderer) WritePage(w io.Writer, name string, data Page) error {
	parse, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	t, err := parse()
	if err != nil {
		return err
	}
	return t.ExecuteTemplate(w, "layout", data)
}

// SurveyPage builds the survey form's data for survey s, with selected
// pre-chosen (0 for none) and the values a rejected submit carried.
func SurveyPage(s closeloop.Survey, action string, answer closeloop.Answer, selected int, problems closeloop.Problems) Page {
	t := textFor(s.Customer.Locale, s.DefaultLocale)
	p := Page{
		T: t, Brand: s.Brand, Title: t.Get("page.title", s.Brand.Name),
		Action: action, OrderID: s.OrderID, Promise: Promise(t, s.Offer, "page"),
		Comment: answer.Comment, ContactMe: answer.ContactMe, Products: Products(t, s.Items),
	}
	if s.Offer.CommentBonus > 0 {
		p.BonusHint = t.Get("page.comment_bonus", max(s.Offer.MinCommentLength, 1), t.Points(s.Offer.CommentBonus))
	}
	for v := 1; v <= 5; v++ {
		p.Scores = append(p.Scores, Option{Value: v, Label: t.Get("score." + strconv.Itoa(v)), Checked: v == selected})
	}
	nps, npsErr := strconv.Atoi(answer.NPS)
	for v := 0; v <= 10; v++ {
		p.NPS = append(p.NPS, Option{Value: v, Checked: answer.NPS != "" && npsErr == nil && v == nps})
	}
	if len(problems) > 0 {
		p.Errors = map[string]string{}
		for field := range problems {
			p.Errors[field] = t.Get("page.error." + field)
		}
	}
	return p
}

// textFor is the texts in the customer's language: their locale, else the
// store's default, else English.
func textFor(customerLocale, storeLocale string) i18n.Text {
	return i18n.For(i18n.Pick(customerLocale, storeLocale))
}

// ThanksPage builds the thank-you page of an answered survey.
func ThanksPage(s closeloop.Survey) Page {
	t := textFor(s.Customer.Locale, s.DefaultLocale)
	p := Page{T: t, Brand: s.Brand, Title: t.Get("thanks.title")}
	if s.Response != nil {
		p.PointsText = t.Get("thanks.points", t.Points(s.Response.Points))
		p.ContactMe = s.Response.ContactMe
	}
	return p
}

// ClosedPage is the one neutral page for unknown, expired and closed links.
// It shows no store, so it never tells whether a token existed.
func ClosedPage(acceptLanguage string) Page {
	// The browser's most preferred language the product speaks:
	// "pt-BR,pt;q=0.9,es;q=0.8" gives es.
	t := textFor(closeloop.AcceptedLanguage(acceptLanguage), "")
	return Page{T: t, Brand: closeloop.Branding{}, Title: t.Get("closed.title")}
}

// UnsubscribePage asks to confirm unsubscribing the survey's customer, or
// says it is done.
func UnsubscribePage(s closeloop.Survey, action string, done bool) Page {
	t := textFor(s.Customer.Locale, s.DefaultLocale)
	// The link never expires: whoever holds it sees the address masked.
	p := Page{T: t, Brand: s.Brand, Title: t.Get("unsubscribe.title"), Action: action, Email: closeloop.MaskEmail(s.Customer.Email), Unsubscribed: done}
	if done {
		p.Title = t.Get("unsubscribe.done")
	}
	return p
}

// Promise is the sentence promising points for answering; prefix is
// "email" or "page".
func Promise(t i18n.Text, offer closeloop.PointsOffer, prefix string) string {
	if offer.CommentBonus > 0 {
		return t.Get(prefix+".promise_bonus", t.Points(offer.PerAnswer), t.Points(offer.Max()))
	}
	return t.Get(prefix+".promise", t.Points(offer.PerAnswer))
}

// ScoreLink is one of the five one-click rating links.
type ScoreLink struct {
	Score int
	Label string
	URL   string
}

// SurveyEmail is the data of a survey email.
type SurveyEmail struct {
	T              i18n.Text
	Brand          closeloop.Branding
	Subject        string
	Name           string
	OrderID        string
	Promise        string
	Links          []ScoreLink
	UnsubscribeURL string
	Reminder       bool
	// Products names what was bought ("Mug, Kettle, Teapot and 2 more
	// items"); "" for an order without items.
	Products string
	// Greeting and Intro open the email: the product's words, or the
	// store's own (WithStoreTexts).
	Greeting string
	Intro    string

	points string // the points an answer earns, for the store's texts
}

// AsReminder turns the email into the one reminder of an unanswered survey.
// The store's own subject and intro are for the first email: the
// reminder says that it reminds.
func (e SurveyEmail) AsReminder() SurveyEmail {
	e.Reminder = true
	e.Subject = e.T.Get("email.reminder_subject", e.Brand.Name)
	e.Intro = e.T.Get("email.reminder_intro", e.OrderID, e.Brand.Name)
	return e
}

// Color is the brand colour for the rating buttons' borders.
func (e SurveyEmail) Color() htmltemplate.CSS { return brandColor(e.Brand) }

// Footer is the store's footer, with the unsubscribe link: surveys are the
// one email a customer can turn off.
func (e SurveyEmail) Footer() Footer {
	return Footer{T: e.T, Why: e.T.Get("email.why", e.Brand.Name), PostalAddress: e.Brand.PostalAddress,
		PrivacyURL: e.Brand.PrivacyURL, UnsubscribeURL: e.UnsubscribeURL}
}

func (e SurveyEmail) kind() string    { return kindSurvey }
func (e SurveyEmail) subject() string { return e.Subject }

// NewSurveyEmail builds the email data for survey s, whose page is at
// surveyURL (the rating links add ?score=N).
func NewSurveyEmail(s closeloop.Survey, brand closeloop.Branding, defaultLocale, surveyURL, unsubscribeURL string) SurveyEmail {
	t := textFor(s.Customer.Locale, defaultLocale)
	e := SurveyEmail{
		T: t, Brand: brand, Subject: t.Get("email.subject", brand.Name),
		Name: s.Customer.Name, OrderID: s.OrderID, Promise: Promise(t, s.Offer, "email"),
		UnsubscribeURL: unsubscribeURL, Products: Products(t, s.Items),
		Greeting: greeting(t, s.Customer.Name), Intro: t.Get("email.intro", s.OrderID, brand.Name),
		points: t.Points(s.Offer.PerAnswer),
	}
	for v := 1; v <= 5; v++ {
		e.Links = append(e.Links, ScoreLink{Score: v, Label: t.Get("score." + strconv.Itoa(v)), URL: surveyURL + "?score=" + strconv.Itoa(v)})
	}
	return e
}

// RenderSurveyEmail renders both parts of a survey email.
func (r *Renderer) RenderSurveyEmail(e SurveyEmail) (Email, error) {
	return r.RenderEmail(e)
}

// RenderEmail renders the subject and both parts of any email kind.
func (r *Renderer) RenderEmail(e EmailData) (Email, error) {
	kind := e.kind()
	parseHTML, parseText := r.emailHTML[kind], r.emailText[kind]
	if parseHTML == nil || parseText == nil {
		return Email{}, fmt.Errorf("no %s email template", kind)
	}
	html, err := parseHTML()
	if err != nil {
		return Email{}, err
	}
	text, err := parseText()
	if err != nil {
		return Email{}, err
	}
	var h, t bytes.Buffer
	if err := html.ExecuteTemplate(&h, "email", e); err != nil {
		return Email{}, fmt.Errorf("render %s email: %w", kind, err)
	}
	if err := text.ExecuteTemplate(&t, "email", e); err != nil {
		return Email{}, fmt.Errorf("render %s email text: %w", kind, err)
	}
	return Email{Subject: e.subject(), HTML: h.String(), Text: t.String()}, nil
}
