package render

import (
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

func TestDigestLoopLines(t *testing.T) {
	tests := []struct {
		lang string
		want []string
	}{
		{"en", []string{
			"Follow-ups",
			"Cases opened: 6 (▲ 2)",
			"Cases closed: 5 (▲ 1)",
			"Closure rate: 83.3% (▼ 16.7 points)",
			"Median time to first contact: 1.5 h (▼ 0.5 h)",
			"Median time to close: 6 h (no data the week before)",
			"Closed within the SLA: 80% (unchanged)",
		}},
		{"ru", []string{
			"Обращения",
			"Открыто обращений: 6 (▲ 2)",
			"Закрыто обращений: 5 (▲ 1)",
			"Доля закрытых: 83,3 % (▼ 16,7 пункта)",
			"Медиана времени до первого контакта: 1,5 ч (▼ 0,5 ч)",
			"Медиана времени до закрытия: 6 ч (нет данных за неделю до)",
			"Закрыто в срок (SLA): 80 % (без изменений)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			facts := digestFacts(tt.lang)
			facts.Last.Followups = closeloop.FollowupSummary{Opened: 6, LoopSummary: closeloop.LoopSummary{
				Closed: 5, ClosureRate: f64(0.833), MedianHoursToFirstContact: f64(1.5), MedianHoursToClose: f64(6), ClosedWithinSLAShare: f64(0.8)}}
			facts.Before.Followups = closeloop.FollowupSummary{Opened: 4, LoopSummary: closeloop.LoopSummary{
				Closed: 4, ClosureRate: f64(1), MedianHoursToFirstContact: f64(2), ClosedWithinSLAShare: f64(0.8)}}
			email := renderEmail(t, NewDigestEmail(facts))
			html := visible(email.HTML)
			for _, line := range tt.want {
				if !strings.Contains(email.Text, line) {
					t.Errorf("the text part lacks %q:\n%s", line, email.Text)
				}
				// The HTML part's table: label, value and change in cells.
				label, rest, _ := strings.Cut(line, ": ")
				value, change, _ := strings.Cut(rest, " (")
				for _, cell := range []string{label, value, strings.TrimSuffix(change, ")")} {
					if !strings.Contains(html, cell) {
						t.Errorf("the HTML part lacks %q:\n%s", cell, html)
					}
				}
			}
			if strings.Contains(email.Text+html, "digest.") {
				t.Error("a catalog key shows")
			}
		})
	}
}

func TestDigestLoopColours(t *testing.T) {
	en := i18n.For("en")
	lines := loopMetrics(en, closeloop.FollowupSummary{Opened: 6, LoopSummary: closeloop.LoopSummary{Closed: 5, MedianHoursToClose: f64(8)}},
		closeloop.FollowupSummary{Opened: 4, LoopSummary: closeloop.LoopSummary{Closed: 4, MedianHoursToClose: f64(4)}})
	// More cases opened and slower closes are worse: red; more closed, green.
	for i, want := range map[int]string{0: "#b3261e", 1: "#0d652d", 4: "#b3261e"} {
		if got := string(lines[i].ChangeColor()); got != want {
			t.Errorf("%s: colour %s, want %s", lines[i].Label, got, want)
		}
	}
	if quiet := loopMetrics(en, closeloop.FollowupSummary{}, closeloop.FollowupSummary{}); quiet[3].Value != "—" || quiet[3].Change != "" || quiet[2].Value != "—" {
		t.Errorf("a week without cases: %+v", quiet)
	}
}
