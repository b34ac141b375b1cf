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

// untranslated finds a catalog key left in output: a missing text shows as
// its key.
var untranslated = regexp.MustCompile(`\b(email|page|thanks|thanks_email|closed|unsubscribe|score|points|reminders|date|ack|alert|closing)\.[a-z_.0-9]+\b`)

func testSurvey(locale string) closeloop.Survey {
	answered := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	return closeloop.Survey{
		SurveyID: "s_x", OrderID: "1001", Customer: closeloop.Customer{Email: "a@example.com", Name: "Ada", Locale: locale},
		Offer:  closeloop.PointsOffer{PerAnswer: 50, CommentBonus: 25, MinCommentLength: 20},
		Brand:  closeloop.Branding{Name: "Shop", PostalAddress: "1 Main St", PrivacyURL: "https://shop.test/privacy"},
		Status: closeloop.StatusAnswered, AnsweredAt: &answered,
		Response: &closeloop.Response{Score: 4, Points: 75, ContactMe: true},
	}
}

func TestEveryPageAndEmailInEveryLanguage(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"en":      {"75 points", "How was your order from Shop?"},
		"ru":      {"75 баллов", "Как вам заказ в Shop?"},
		"de":      {"75 Punkte", "Wie war Ihre Bestellung bei Shop?"},
		"es":      {"75 puntos", "¿Qué tal tu pedido en Shop?"},
		"fr":      {"75 points", "Comment s’est passée votre commande chez Shop\u00a0?"},
		"sr-Latn": {"75 bodova", "Kako vam se dopala porudžbina iz prodavnice Shop?"},
		"sr-Cyrl": {"75 бодова", "Како вам се допала поруџбина из продавнице Shop?"},
	}
	for _, lang := range i18n.Languages() {
		t.Run(lang, func(t *testing.T) {
			s := testSurvey(lang + "-XX")
			pages := map[string]Page{
				PageSurvey:      SurveyPage(s, "/s/x", closeloop.Answer{Score: "9"}, 4, closeloop.Problems{"score": "range", "nps": "range", "comment": "long"}),
				PageThanks:      ThanksPage(s),
				PageClosed:      ClosedPage(lang + "-XX,en;q=0.5"),
				PageUnsubscribe: UnsubscribePage(s, "/u/x", false),
			}
			var all strings.Builder
			for name, data := range pages {
				var buf bytes.Buffer
				if err := r.WritePage(&buf, name, data); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !strings.Contains(buf.String(), `<html lang="`+lang+`">`) {
					t.Errorf("%s page is not marked lang=%s", name, lang)
				}
				all.WriteString(buf.String())
			}
			email, err := r.RenderSurveyEmail(NewSurveyEmail(s, s.Brand, "en", "https://f.test/s/x", "https://f.test/u/y"))
			if err != nil {
				t.Fatal(err)
			}
			all.WriteString(email.Subject + email.HTML + email.Text)
			if m := untranslated.FindString(all.String()); m != "" {
				t.Errorf("untranslated key %q in the %s output", m, lang)
			}
			for _, w := range want[lang] {
				if !strings.Contains(all.String(), w) {
					t.Errorf("%s output lacks %q", lang, w)
				}
			}
		})
	}
	if len(want) != len(i18n.Languages()) {
		t.Errorf("this test expects texts for %d languages, the catalog has %d", len(want), len(i18n.Languages()))
	}
}

func TestTextPartIsNotHTMLEscaped(t *testing.T) {
	r, _ := New()
	s := testSurvey("en")
	s.Brand.Name = `Tom & Jerry's`
	email, err := r.RenderSurveyEmail(NewSurveyEmail(s, s.Brand, "en", "https://f.test/s/x", ""))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(email.Text, `Tom & Jerry's`) || strings.Contains(email.Text, "&amp;") {
		t.Errorf("text part mangles the store name:\n%s", email.Text)
	}
	if !strings.Contains(email.HTML, `Tom &amp; Jerry&#39;s`) {
		t.Errorf("HTML part does not escape the store name")
	}
}

func TestOnColorContrast(t *testing.T) {
	tests := map[string]string{"#ffffff": "#000000", "#000000": "#ffffff", "#1f5fbf": "#ffffff", "#ffd700": "#000000"}
	for bg, want := range tests {
		if got := string(onColor(bg)); got != want {
			t.Errorf("onColor(%s) = %s, want %s", bg, got, want)
		}
	}
	if got := brandColor(closeloop.Branding{Color: "red;}</style><script>"}); got != defaultColor {
		t.Errorf("unsafe colour passed through as %q", got)
	}
}
