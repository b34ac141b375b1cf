package render

import (
	"strconv"

	"github.com/closeloop/closeloop/internal/closeloop"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/i18n"
)

// The recovery check (closeloop/recheck.go): its email, and its page at
// /r/{token}, a form or a thank-you.
const (
	kindRecheck = "recheck"
	// PageRecheck is the recovery check's page.
	PageRecheck = "recheck"
)

// The recovery check's email and page join the lists New parses.
func init() {
	emailKinds = append(emailKinds, kindRecheck)
	pageNames = append(pageNames, PageRecheck)
}

// RecheckEmail is the data of the recovery check email: one question, two
// one-click links.
type RecheckEmail struct {
	T       i18n.Text
	Brand   closeloop.Branding
	Subject string
	Name    string
	OrderID string
	YesURL  string
	NoURL   string
}

// NewRecheckEmail builds the recovery check email of case c, in the
// customer's language, linking to its page at pageURL (the links add
// ?answer=yes or no).
func NewRecheckEmail(c closeloop.Case, brand closeloop.Branding, pageURL string) RecheckEmail {
	t := textFor(c.Customer.Locale, c.DefaultLocale)
	return RecheckEmail{
		T: t, Brand: brand, Subject: t.Get("recheck.subject", c.OrderID), Name: c.Customer.Name, OrderID: c.OrderID,
		YesURL: pageURL + "?answer=yes", NoURL: pageURL + "?answer=no",
	}
}

// Color is the brand colour of the answer buttons' borders.
func (e RecheckEmail) Color() htmltemplate.CSS { return brandColor(e.Brand) }

// Footer is the store's footer.
func (e RecheckEmail) Footer() Footer {
	return customerFooter(e.T, e.Brand.Name, e.Brand.PostalAddress, e.Brand.PrivacyURL)
}

func (e RecheckEmail) kind() string    { return kindRecheck }
func (e RecheckEmail) subject() string { return e.Subject }

// RecheckChoice is the recovery check page's own part of Page.
type RecheckChoice struct {
	Answer   string // "yes", "no" or "": the choice shown selected
	Answered bool   // the thank-you rather than the form
	Already  bool   // answered before this visit
}

// RecheckPage builds the recovery check form of case c, posting to action,
// with answer ("yes", "no" or "") and score (0 for none) selected, and
// the problems of a rejected post.
func RecheckPage(c closeloop.Case, action, answer string, score int, problems closeloop.Problems) Page {
	t := textFor(c.Customer.Locale, c.DefaultLocale)
	brand := recheckBrand(c)
	if answer != "yes" && answer != "no" {
		answer = ""
	}
	p := Page{T: t, Brand: brand, Title: t.Get("recheck.page_title", brand.Name), Action: action, OrderID: c.OrderID,
		Recheck: &RecheckChoice{Answer: answer}}
	for v := 1; v <= 5; v++ {
		p.Scores = append(p.Scores, Option{Value: v, Label: t.Get("score." + strconv.Itoa(v)), Checked: v == score})
	}
	if len(problems) > 0 {
		p.Errors = map[string]string{}
		for field := range problems {
			p.Errors[field] = t.Get("recheck.error." + field)
		}
	}
	return p
}

// RecheckThanksPage is the thank-you of an answered recovery check;
// already is true when it was answered before this visit.
func RecheckThanksPage(c closeloop.Case, already bool) Page {
	t := textFor(c.Customer.Locale, c.DefaultLocale)
	brand := recheckBrand(c)
	choice := &RecheckChoice{Answered: true, Already: already, Answer: "no"}
	if c.Recheck != nil && c.Recheck.Recovered != nil && *c.Recheck.Recovered {
		choice.Answer = "yes"
	}
	return Page{T: t, Brand: brand, Title: t.Get("recheck.thanks_title"), OrderID: c.OrderID, Recheck: choice}
}

func recheckBrand(c closeloop.Case) closeloop.Branding {
	if c.Recheck == nil {
		return closeloop.Branding{}
	}
	return c.Recheck.Brand
}

// recoveryMetrics are the digest's recovery check numbers: the recovery
// rate and the mean score change, while the store checks or either week
// has checks to show.
func recoveryMetrics(t i18n.Text, set closeloop.Settings, last, before closeloop.Summary) []DigestMetric {
	if !set.Recheck && last.Recovery.Rechecked == 0 && before.Recovery.Rechecked == 0 {
		return nil
	}
	return []DigestMetric{
		scoreMetric(t, t.Get("digest.recovery_rate"), percent(last.Recovery.RecoveryRate), percent(before.Recovery.RecoveryRate), true),
		scoreMetric(t, t.Get("digest.score_change"), last.Recovery.MeanScoreChange, before.Recovery.MeanScoreChange, false),
	}
}
