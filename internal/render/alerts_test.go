package render

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
	"github.com/closeloop/closeloop/internal/slack"
)

func hourlyStore(lang string) closeloop.Store {
	s := closeloop.DefaultSettings()
	s.Branding, s.DefaultLocale, s.TimeZone = testBrand, lang, "Europe/Berlin"
	return closeloop.Store{StoreID: "shop", Settings: s}
}

func TestHourlyAlertInEveryLanguage(t *testing.T) {
	want := map[string][]string{
		"en": {"Shop: 3 new cases in the last hour", "New cases at Shop from", "Order 1001, score 1/5 — Very dissatisfied", "already resolved", "…and 1 more", "Open the follow-up queue"},
		"ru": {"Shop: 3 новых обращения за последний час", "Новые обращения в магазине Shop", "Заказ 1001, оценка 1/5", "уже решено", "…и ещё 1", "Открыть очередь обращений"},
	}
	hour := due.Add(-2 * time.Hour)
	for _, lang := range i18n.StaffLanguages() {
		t.Run(lang, func(t *testing.T) {
			a, b := testCase("en"), contactCase("en")
			b.CaseID, b.Status = "c_y", closeloop.CaseResolved
			alert := NewHourlyAlert(hourlyStore(lang), hour, []closeloop.Case{a, b}, 3, "https://feedback.test/")
			email := renderEmail(t, alert)
			slackText := slackTexts(t, alert.Slack())
			all := email.Subject + email.HTML + email.Text + slackText
			if m := untranslated.FindString(all); m != "" {
				t.Errorf("untranslated key %q", m)
			}
			for _, w := range want[lang] {
				if !strings.Contains(email.Subject+email.Text, w) {
					t.Errorf("the email lacks %q:\n%s\n%s", w, email.Subject, email.Text)
				}
			}
			for _, link := range []string{"https://feedback.test/app/followups/c_x", "https://feedback.test/app/followups/c_y", "https://feedback.test/app/followups"} {
				if !strings.Contains(email.HTML, `href="`+link+`"`) || !strings.Contains(email.Text, link) || !strings.Contains(slackText, "<"+link+"|") {
					t.Errorf("a part lacks the link %s", link)
				}
			}
			// The comment's markup is escaped in the HTML part and in Slack.
			if strings.Contains(email.HTML, "<script>") || strings.Contains(slackText, "<script>") {
				t.Error("the customer's markup is live")
			}
			if !strings.Contains(slackText, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; no reply") {
				t.Errorf("Slack's excerpt is not escaped as Slack asks: %s", slackText)
			}
		})
	}
	if len(want) != len(i18n.StaffLanguages()) {
		t.Errorf("this test expects texts for %d languages, staff read %d", len(want), len(i18n.StaffLanguages()))
	}
}

func TestSlackCaseAlertIsInTheStoresLanguage(t *testing.T) {
	for lang, want := range map[string][]string{
		"en": {"[Shop] Unhappy customer: order 1001", "A customer of Shop is not happy", "*Score*\n1/5 — Very dissatisfied", "Reply by", "low score, detractor (NPS 0–6)", "<" + caseURL + "|Open the case>"},
		"ru": {"[Shop] Недовольный покупатель: заказ 1001", "*Оценка*\n1/5", "Ответить до", "низкая оценка", "<" + caseURL + "|Открыть обращение>"},
	} {
		// The customer writes English; support reads the store's language.
		all := slackTexts(t, NewSupportAlert(testCase("en"), testBrand, lang, caseURL).Slack())
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: the Slack alert lacks %q:\n%s", lang, w, all)
			}
		}
		if strings.Contains(all, "ada@example.com") {
			t.Errorf("%s: the Slack alert names the customer's address", lang)
		}
		overdue := NewSupportAlert(testCase("en"), testBrand, lang, caseURL).AsOverdue(due, 1).Slack()
		if overdue.Blocks[0].Text == nil || !strings.HasPrefix(overdue.Blocks[0].Text.Text, ":warning:") {
			t.Errorf("%s: the overdue re-alert does not open with the warning", lang)
		}
	}
}

// slackTexts is every text of a message, after a round trip through JSON.
func slackTexts(t *testing.T, m slack.Message) string {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back slack.Message
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	texts := []string{back.Text}
	for _, b := range back.Blocks {
		if b.Text != nil {
			texts = append(texts, b.Text.Text)
		}
		for _, f := range slices.Concat(b.Fields, b.Elements) {
			texts = append(texts, f.Text)
		}
	}
	return strings.Join(texts, "\n")
}
