package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

// regionalLocale is a customer locale of each language as orders carry
// it: a region, and for Serbian the script or none.
var regionalLocale = map[string]string{
	"en": "en-GB", "ru": "ru-RU", "de": "de-AT", "es": "es-MX", "fr": "fr-CA", "sr-Latn": "sr-RS", "sr-Cyrl": "sr-Cyrl-RS",
}

// leftVerb is a fmt verb a text printed without its arguments.
var leftVerb = regexp.MustCompile(`%(\[\d+\])?[sdvq]\b`)

// rendered is one page or email as a reader gets it.
type rendered struct {
	lang    string // the <html lang> it must carry
	subject string // "" for a page
	title   string // a page's title
	output  string // every part, subject included
	email   bool
}

// customerOutputs renders every page and email a customer reads, for a
// customer whose locale is locale, from fixed data.
func customerOutputs(t *testing.T, locale string) map[string]rendered {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s := testSurvey(locale)
	c := testCase(locale)
	resolved := c
	resolved.Status, resolved.NotifyCustomer, resolved.CustomerMessage = closeloop.CaseResolved, true, "A new mug is on its way."
	sent := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	recovered := true
	rechecked := c
	rechecked.Recheck = &closeloop.CaseRecheck{SentAt: &sent, Brand: testBrand, Recovered: &recovered}

	pages := map[string]struct {
		name string
		data Page
	}{
		"survey":                   {PageSurvey, SurveyPage(s, "/s/x", closeloop.Answer{}, 0, nil)},
		"survey with errors":       {PageSurvey, SurveyPage(s, "/s/x", closeloop.Answer{Score: "9", NPS: "3", Comment: "x"}, 4, closeloop.Problems{"score": "range", "nps": "range", "comment": "long"})},
		"thanks":                   {PageThanks, ThanksPage(s)},
		"closed":                   {PageClosed, ClosedPage("pt-BR,pt;q=0.9," + locale + ";q=0.8,en;q=0.5")},
		"unsubscribe":              {PageUnsubscribe, UnsubscribePage(s, "/u/x", false)},
		"unsubscribed":             {PageUnsubscribe, UnsubscribePage(s, "/u/x", true)},
		"recheck":                  {PageRecheck, RecheckPage(rechecked, "/r/x", "no", 2, nil)},
		"recheck with errors":      {PageRecheck, RecheckPage(rechecked, "/r/x", "", 0, closeloop.Problems{"answer": "required", "score": "range", "busy": "later"})},
		"recheck thanks":           {PageRecheck, RecheckThanksPage(rechecked, false)},
		"recheck answered already": {PageRecheck, RecheckThanksPage(c, true)},
	}
	survey := NewSurveyEmail(s, s.Brand, "en", "https://f.test/s/x", "https://f.test/u/y")
	anonymous := s
	anonymous.Customer.Name = ""
	emails := map[string]EmailData{
		"survey email":                survey,
		"reminder email":              survey.AsReminder(),
		"survey email, no name":       NewSurveyEmail(anonymous, s.Brand, "en", "https://f.test/s/x", "https://f.test/u/y"),
		"thanks email":                NewThanksEmail(c.Customer, c.OrderID, 75, testBrand, "en"),
		"thanks email, no points":     NewThanksEmail(c.Customer, c.OrderID, 0, testBrand, "en"),
		"acknowledgement":             NewAcknowledgement(c, testBrand),
		"acknowledgement, contact me": NewAcknowledgement(contactCase(locale), testBrand),
		"closing email":               NewClosingEmail(resolved, testBrand),
		"recheck email":               NewRecheckEmail(rechecked, testBrand, "https://f.test/r/x"),
	}
	out := map[string]rendered{}
	for name, p := range pages {
		var buf bytes.Buffer
		if err := r.WritePage(&buf, p.name, p.data); err != nil {
			t.Fatalf("%s page: %v", name, err)
		}
		out[name] = rendered{title: p.data.Title, output: buf.String()}
	}
	for name, e := range emails {
		email, err := r.RenderEmail(e)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = rendered{subject: email.Subject, output: email.Subject + "\n" + email.HTML + "\n" + email.Text, email: true}
	}
	return out
}

// checkRendered reports what a reader must never see: a catalog key
// instead of its text, a fmt error, an empty subject or title, and the
// wrong language on the HTML.
func checkRendered(t *testing.T, name string, got rendered, lang string) {
	t.Helper()
	if !strings.Contains(got.output, `<html lang="`+lang+`">`) {
		t.Errorf("%s is not marked lang=%s", name, lang)
	}
	if got.email && (strings.TrimSpace(got.subject) == "" || strings.ContainsAny(got.subject, "\r\n")) {
		t.Errorf("%s: subject %q is empty or spans lines", name, got.subject)
	}
	if !got.email && strings.TrimSpace(got.title) == "" {
		t.Errorf("%s: the page has no title", name)
	}
	if i := strings.Index(got.output, "%!"); i >= 0 {
		t.Errorf("%s: fmt error %q", name, got.output[i:min(len(got.output), i+30)])
	}
	if m := leftVerb.FindString(got.output); m != "" {
		t.Errorf("%s shows the fmt verb %q of a text given no argument", name, m)
	}
	if m := untranslated.FindString(got.output); m != "" {
		t.Errorf("%s: untranslated key %q", name, m)
	}
	for _, key := range i18n.Keys("en") {
		if strings.Contains(got.output, key) {
			t.Errorf("%s shows the key %q instead of its text", name, key)
		}
	}
}

// TestEveryCustomerPageAndEmailInEveryLanguage renders each page and
// email a customer reads, for a customer of each language (by a regional
// locale), and checks it reads as that language.
func TestEveryCustomerPageAndEmailInEveryLanguage(t *testing.T) {
	for _, lang := range i18n.Languages() {
		locale, ok := regionalLocale[lang]
		if !ok {
			t.Fatalf("no locale to test %s with", lang)
		}
		t.Run(lang, func(t *testing.T) {
			text := i18n.For(lang)
			outputs := customerOutputs(t, locale)
			if len(outputs) < 19 {
				t.Fatalf("only %d pages and emails", len(outputs))
			}
			for name, got := range outputs {
				checkRendered(t, name, got, lang)
			}
			// Each in the language's own words, not English's.
			for name, want := range map[string]string{
				"survey": text.Get("page.submit"), "survey with errors": text.Get("page.error.score"), "thanks": text.Get("thanks.received"),
				"closed": text.Get("closed.body"), "unsubscribe": text.Get("unsubscribe.button"), "recheck": text.Get("recheck.submit"),
				"recheck thanks": text.Get("recheck.thanks_yes"), "recheck answered already": text.Get("recheck.thanks_already"),
				"survey email": text.Get("email.tap"), "reminder email": text.Get("email.reminder_subject", "Shop"),
				"thanks email": text.Get("email.points_note", "Shop"), "acknowledgement": text.Get("ack.next_heading"),
				"closing email": text.Get("closing.thanks"), "recheck email": text.Get("recheck.question"),
				// Labels take the language's colon: French puts a no-break space before it.
				"survey email, no name": text.Get("punct.label", text.Get("email.privacy")) + " https://shop.test/privacy",
			} {
				if !strings.Contains(outputs[name].output, want) {
					t.Errorf("%s lacks %s %q", name, lang, want)
				}
			}
			if got := outputs["thanks email"].subject; !strings.Contains(got, text.Points(75)) {
				t.Errorf("thanks email subject %q does not name %q", got, text.Points(75))
			}
		})
	}
}

// TestStaffEmailsStayInEnglishOrRussian: a store whose customers read
// German or Serbian still gets its alerts, digest and export in English
// (Russian for a Russian store), whole and marked as such.
func TestStaffEmailsStayInEnglishOrRussian(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Languages() {
		locale := regionalLocale[lang]
		want := i18n.PickStaff(locale)
		if lang != "ru" && want != "en" || lang == "ru" && want != "ru" {
			t.Fatalf("PickStaff(%q) = %q", locale, want)
		}
		c := testCase(locale)
		store := hourlyStore(locale)
		facts := digestFacts(locale)
		emails := map[string]EmailData{
			"support alert": NewSupportAlert(c, testBrand, locale, caseURL),
			"overdue alert": NewSupportAlert(c, testBrand, locale, caseURL).AsOverdue(due, 2),
			"hourly alert":  NewHourlyAlert(store, due.Add(-time.Hour), []closeloop.Case{c}, 1, "https://feedback.test"),
			"reply alert":   NewReplyAlert(c, closeloop.Note{Author: "customer", Text: "Still broken.", At: due}, true, testBrand, locale, caseURL),
			"digest":        NewDigestEmail(facts),
			"export":        NewExportEmail(testBrand, locale, "Shopify", "ada@example.com", "r_1", `{"a":1}`),
		}
		for name, e := range emails {
			email, err := r.RenderEmail(e)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, name, err)
			}
			checkRendered(t, lang+" store's "+name, rendered{subject: email.Subject, output: email.Subject + "\n" + email.HTML + "\n" + email.Text, email: true}, want)
		}
		var buf bytes.Buffer
		page := DigestUnsubscribePage(facts.Store, "owner@example.com", "/d/x", false)
		if err := r.WritePage(&buf, PageDigestUnsubscribe, page); err != nil {
			t.Fatal(err)
		}
		checkRendered(t, lang+" store's digest unsubscribe page", rendered{title: page.Title, output: buf.String()}, want)
	}
}
