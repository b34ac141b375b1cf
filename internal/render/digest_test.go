package render

import (
	"bytes"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

func f64(v float64) *float64 { return &v }

// digestFacts is a week worse than the one before, in lang's store.
func digestFacts(lang string) DigestFacts {
	store := closeloop.Store{StoreID: "demo", Settings: closeloop.DefaultSettings()}
	store.Settings.DefaultLocale = lang
	store.Settings.TimeZone = "Europe/Berlin"
	store.Settings.Branding = closeloop.Branding{Name: "Demo Coffee Roasters", Color: "#7a3e12"}
	nps := 0
	return DigestFacts{
		Store: store,
		Week:  closeloop.DayRange{From: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)},
		Last: closeloop.Summary{Sent: 42, Answered: 21, ResponseRate: f64(0.5),
			CSAT: closeloop.CSATSummary{Score: f64(86), Answers: 42}, NPS: closeloop.NPSSummary{Score: f64(-25)}},
		Before: closeloop.Summary{Sent: 40, Answered: 21, ResponseRate: f64(0.525),
			CSAT: closeloop.CSATSummary{Score: f64(82.8), Answers: 21}, NPS: closeloop.NPSSummary{Score: f64(-24)}},
		Worst: []closeloop.ProductSummary{{SKU: "KETTLE", Name: "Gooseneck kettle",
			CSAT: closeloop.CSATSummary{Score: f64(0), Answers: 2}}},
		Unhappy: []closeloop.ResponseItem{{OrderID: "1003", AnsweredAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
			Response: closeloop.Response{Score: 1, NPS: &nps, Comment: "It never arrived.\n<b>Nobody answers</b>"}}},
		Overdue:      []closeloop.Case{{OrderID: "1002", Score: 2, DueBy: time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC)}},
		DashboardURL: "https://feedback.test/app", UnsubscribeURL: "https://feedback.test/d/demo.x.y",
	}
}

func TestDigestEmail(t *testing.T) {
	tests := []struct {
		lang    string
		subject string
		want    []string
	}{
		{"en", "Your week at Demo Coffee Roasters: CSAT 86 (▲ 3), 42 answers", []string{
			"Your week at Demo Coffee Roasters",
			"from 16 November to 22 November",
			"Surveys sent", "42", "▲ 2",
			"Response rate", "50%", "▼ 2.5 points",
			"86", "▲ 3.2 points",
			"-25", "▼ 1 point",
			"Gooseneck kettle (KETTLE): CSAT 0, 2 answers",
			"Order 1003 · 1/5 — Very dissatisfied · Fri 20 Nov 10:00",
			"It never arrived.", "<b>Nobody answers</b>",
			"Order 1002, 2/5 — Dissatisfied — due Sat 21 Nov 14:00",
			"https://feedback.test/app",
			"Unsubscribe from the weekly digest", "https://feedback.test/d/demo.x.y",
			"owner address of Demo Coffee Roasters",
		}},
		{"ru", "Ваша неделя в Demo Coffee Roasters: CSAT 86 (▲ 3), 42 ответа", []string{
			"с 16 ноября по 22 ноября",
			"Отправлено опросов", "▲ 2",
			"50 %", "▼ 2,5 пункта",
			"▲ 3,2 пункта",
			"▼ 1 пункт",
			"Gooseneck kettle (KETTLE): CSAT 0, 2 ответа",
			"Заказ 1003 · 1/5 — Очень недоволен · пт, 20 нояб., 10:00",
			"Заказ 1002, 2/5 — Недоволен — срок сб, 21 нояб., 14:00",
			"Отписаться от еженедельного отчёта",
			"Открыть панель управления",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			email := renderEmail(t, NewDigestEmail(digestFacts(tt.lang)))
			if email.Subject != tt.subject {
				t.Errorf("subject %q, want %q", email.Subject, tt.subject)
			}
			checkContains(t, email, tt.want, []string{"digest.", "Unsubscribe from feedback emails", "Отписаться от писем с опросами"})
			if !strings.Contains(email.HTML, `<html lang="`+tt.lang+`">`) {
				t.Errorf("HTML part is not marked lang=%s", tt.lang)
			}
			if strings.Contains(email.HTML, "<b>Nobody") || !strings.Contains(email.HTML, "&lt;b&gt;Nobody") {
				t.Error("the customer's comment is not escaped in the HTML part")
			}
			checkMailSafe(t, email.HTML)
			for _, m := range href.FindAllStringSubmatch(email.HTML, -1) {
				if link := html.UnescapeString(m[1]); !strings.Contains(email.Text, link) {
					t.Errorf("the text part lacks the link %q", link)
				}
			}
		})
	}
}

func TestDigestNumbers(t *testing.T) {
	en, ru := i18n.For("en"), i18n.For("ru")
	tests := []struct {
		got, want string
	}{
		{scoreMetric(en, "CSAT", f64(86), f64(82.8), false).Change, "▲ 3.2 points"},
		{scoreMetric(en, "CSAT", f64(80), f64(81), false).Change, "▼ 1 point"},
		{scoreMetric(en, "CSAT", f64(80), f64(80.04), false).Change, "unchanged"},
		{scoreMetric(en, "CSAT", f64(80), nil, false).Change, "no data the week before"},
		{scoreMetric(en, "CSAT", nil, f64(80), false).Value, "—"},
		{scoreMetric(ru, "CSAT", f64(40), f64(66.7), false).Change, "▼ 26,7 пункта"},
		{scoreMetric(ru, "NPS", f64(10), f64(5), false).Change, "▲ 5 пунктов"},
		{scoreMetric(ru, "NPS", f64(10), f64(8), false).Change, "▲ 2 пункта"},
		{scoreMetric(en, "rate", percent(f64(0.833)), percent(f64(0.75)), true).Value, "83.3%"},
		{scoreMetric(en, "rate", percent(f64(0.833)), percent(f64(0.75)), true).Change, "▲ 8.3 points"},
		{countMetric(en, "Sent", 4, 6).Change, "▼ 2"},
		{countMetric(en, "Sent", 6, 6).Change, "unchanged"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: %q, want %q", i, tt.got, tt.want)
		}
	}
	quiet := digestFacts("en")
	quiet.Last = closeloop.Summary{}
	if got, want := NewDigestEmail(quiet).Subject, "Your week at Demo Coffee Roasters: 0 answers"; got != want {
		t.Errorf("a week without answers: subject %q, want %q", got, want)
	}
	first := digestFacts("ru")
	first.Before = closeloop.Summary{}
	first.Last.CSAT.Answers = 1
	if got, want := NewDigestEmail(first).Subject, "Ваша неделя в Demo Coffee Roasters: CSAT 86, 1 ответ"; got != want {
		t.Errorf("a first week: subject %q, want %q", got, want)
	}
}

func TestDigestUnsubscribePage(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	store := digestFacts("ru").Store
	for _, tt := range []struct {
		name    string
		page    Page
		want    []string
		wantNot []string
	}{
		{"ask", DigestUnsubscribePage(store, "owner@example.com", "/d/tok", false),
			[]string{`<html lang="ru">`, "Отписка от еженедельного отчёта", "o•••@example.com", `action="/d/tok"`, `method="post"`}, []string{"owner@example.com"}},
		{"ask without the address", DigestUnsubscribePage(store, "", "/d/tok", false),
			[]string{"на этот адрес?", `action="/d/tok"`}, nil},
		{"done", DigestUnsubscribePage(store, "owner@example.com", "/d/tok", true),
			[]string{"Вы отписались от отчёта", "Demo Coffee Roasters"}, []string{"<form"}},
	} {
		var buf bytes.Buffer
		if err := r.WritePage(&buf, PageDigestUnsubscribe, tt.page); err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("%s: page lacks %q", tt.name, w)
			}
		}
		for _, w := range append(tt.wantNot, "digest_unsubscribe.") {
			if strings.Contains(buf.String(), w) {
				t.Errorf("%s: page holds %q", tt.name, w)
			}
		}
	}
}
