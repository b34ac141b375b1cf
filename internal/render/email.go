package render

import (
	"net/url"
	"strings"

	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/i18n"
)

// Email kinds: each is templates/<kind>_email.html and .txt, rendered
// inside templates/email_layout.html and .txt.
const (
	kindSurvey          = "survey"
	kindThanks          = "thanks"
	kindAcknowledgement = "acknowledgement"
	kindSupportAlert    = "support_alert"
	kindClosing         = "closing"
	kindDigest          = "digest"
)

var emailKinds = []string{kindSurvey, kindThanks, kindAcknowledgement, kindSupportAlert, kindClosing, kindDigest}

// kindReplyAlert tells support that a customer replied to a case by email.
const kindReplyAlert = "reply_alert"

func init() { emailKinds = append(emailKinds, kindReplyAlert) }

// Email is a rendered email.
type Email struct {
	Subject string
	HTML    string
	Text    string
}

// EmailData is the data of one email, as NewSurveyEmail, NewThanksEmail,
// NewAcknowledgement, NewSupportAlert and NewClosingEmail build it. Only
// this package's types satisfy it, since only this package has their
// templates.
type EmailData interface {
	kind() string
	subject() string
}

// Footer is the bottom every email shares: why the reader receives it and,
// for customers, the store's postal address and privacy link (the law asks
// for both), plus the unsubscribe link where there is one.
type Footer struct {
	T              i18n.Text
	Why            string
	PostalAddress  string
	PrivacyURL     string
	UnsubscribeURL string
	// UnsubscribeLabel names what the link turns off when it is not the
	// survey emails (the owners' digest); "" for those.
	UnsubscribeLabel string
}

// customerFooter is the footer of the emails a customer gets after
// answering: no unsubscribe link, since each answers what they did.
func customerFooter(t i18n.Text, name, postalAddress, privacyURL string) Footer {
	return Footer{T: t, Why: t.Get("email.why_answered", name), PostalAddress: postalAddress, PrivacyURL: privacyURL}
}

// Quote is a text quoted in an email, as its author wrote it: the
// customer's comment or support's words, line by line so that the HTML part
// keeps the line breaks while escaping each line.
type Quote struct {
	Lines []string
	Color htmltemplate.CSS
}

// quote splits text into its lines; an empty text has none, so templates
// leave the quote out.
func quote(text string, color htmltemplate.CSS) Quote {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return Quote{Color: color}
	}
	return Quote{Lines: strings.Split(text, "\n"), Color: color}
}

// CaseURL is the address of a case in the dashboard, under baseURL (the
// deployment's public address, such as https://feedback.example.com).
func CaseURL(baseURL, caseID string) string {
	return strings.TrimRight(baseURL, "/") + "/app/followups/" + url.PathEscape(caseID)
}

// Button is a link drawn as a button in an HTML email.
type Button struct {
	URL   string
	Label string
	Color htmltemplate.CSS
}

// emailFuncs are the HTML emails' template functions: button builds a
// Button for the layout's "button" template.
var emailFuncs = htmltemplate.FuncMap{
	"button": func(url, label string, color htmltemplate.CSS) Button {
		return Button{URL: url, Label: label, Color: color}
	},
}
