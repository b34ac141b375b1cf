package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

func TestRecheckEmailAndPage(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	brand := closeloop.Branding{Name: "Demo Coffee Roasters", Color: "#7a3e12"}
	for _, tc := range []struct {
		locale  string
		subject string
		want    []string
	}{
		{"en-GB", "Was your issue with order 1042 put right?", []string{"Hi Ada,", "Yes, it was put right", "No, it still is not right",
			"https://f.test/r/tok?answer=yes", "https://f.test/r/tok?answer=no", "The Demo Coffee Roasters team"}},
		{"ru", "Удалось ли решить проблему с заказом 1042?", []string{"Ada", "Да, всё исправлено", "Нет, всё ещё не так",
			"https://f.test/r/tok?answer=yes", "https://f.test/r/tok?answer=no"}},
	} {
		c := closeloop.Case{CaseID: "c_1", OrderID: "1042", Score: 1, Customer: closeloop.Customer{Name: "Ada", Locale: tc.locale},
			Recheck: &closeloop.CaseRecheck{SentAt: &sent, Brand: brand}}
		email, err := r.RenderEmail(NewRecheckEmail(c, brand, "https://f.test/r/tok"))
		if err != nil {
			t.Fatal(err)
		}
		if email.Subject != tc.subject {
			t.Errorf("%s subject %q, want %q", tc.locale, email.Subject, tc.subject)
		}
		for _, part := range []string{email.Text, email.HTML} {
			for _, w := range tc.want {
				if !strings.Contains(part, w) {
					t.Errorf("%s email lacks %q:\n%s", tc.locale, w, part)
				}
			}
		}
		var page bytes.Buffer
		if err := r.WritePage(&page, PageRecheck, RecheckPage(c, "/r/tok", "no", 0, nil)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(page.String(), `value="no" required checked`) || strings.Contains(page.String(), `value="yes" required checked`) ||
			!strings.Contains(page.String(), `action="/r/tok"`) || !strings.Contains(page.String(), "Demo Coffee Roasters") {
			t.Errorf("%s page with no selected:\n%s", tc.locale, page.String())
		}
		page.Reset()
		if err := r.WritePage(&page, PageRecheck, RecheckPage(c, "/r/tok", "<script>", 0, nil)); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(page.String(), "required checked") {
			t.Errorf("%s page with a made-up choice selects one", tc.locale)
		}
	}
}

func TestDigestShowsRecovery(t *testing.T) {
	f := digestFacts("en")
	f.Last.Recovery = closeloop.SummarizeRecovery(closeloop.Tally{Rechecked: 4, Recovered: 3, RecheckAnswered: 4, ScoreChange: 6, ScoreChanges: 4})
	f.Before.Recovery = closeloop.SummarizeRecovery(closeloop.Tally{Rechecked: 2, Recovered: 1, RecheckAnswered: 2, ScoreChange: 1, ScoreChanges: 1})
	e := NewDigestEmail(f)
	var got []string
	for _, m := range e.Metrics {
		got = append(got, m.Label+": "+m.Value+" ("+m.Change+")")
	}
	joined := strings.Join(got, "\n")
	for _, w := range []string{"Recovered after a follow-up: 75% (▲ 25 points)", "Mean score change after a follow-up: 1.5 (▲ 0.5 points)"} {
		if !strings.Contains(joined, w) {
			t.Errorf("digest metrics lack %q:\n%s", w, joined)
		}
	}
	// A store that does not check and had no checks shows no such line.
	f = digestFacts("en")
	f.Store.Settings.Recheck = false
	for _, m := range NewDigestEmail(f).Metrics {
		if strings.Contains(m.Label, "follow-up") {
			t.Errorf("a store without checks shows %q", m.Label)
		}
	}
}
