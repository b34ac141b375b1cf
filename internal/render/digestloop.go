package render

import (
	"math"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

// loopMetrics are the digest's follow-up lines (closing the loop): cases
// opened and closed, the closure rate, the median times to first contact
// and to close, and the share closed within the SLA, each against the
// week before.
func loopMetrics(t i18n.Text, last, before closeloop.FollowupSummary) []DigestMetric {
	opened := countMetric(t, t.Get("digest.loop_opened"), last.Opened, before.Opened)
	opened.LowerIsBetter = true
	return []DigestMetric{
		opened,
		countMetric(t, t.Get("digest.loop_closed"), last.Closed, before.Closed),
		scoreMetric(t, t.Get("digest.loop_closure_rate"), percent(last.ClosureRate), percent(before.ClosureRate), true),
		hoursMetric(t, t.Get("digest.loop_first_contact"), last.MedianHoursToFirstContact, before.MedianHoursToFirstContact),
		hoursMetric(t, t.Get("digest.loop_close"), last.MedianHoursToClose, before.MedianHoursToClose),
		scoreMetric(t, t.Get("digest.loop_within_sla"), percent(last.ClosedWithinSLAShare), percent(before.ClosedWithinSLAShare), true),
	}
}

// hoursMetric is a median time in hours with its change: "5.1 h",
// "▼ 1.2 h". Fewer hours are better.
func hoursMetric(t i18n.Text, label string, last, before *float64) DigestMetric {
	m := DigestMetric{Label: label, Value: "—", LowerIsBetter: true}
	if last == nil {
		return m
	}
	m.Value = t.Get("digest.hours", decimal(t, *last))
	if before == nil {
		m.Change = t.Get("digest.no_previous")
		return m
	}
	m.Change = t.Get("digest.unchanged")
	switch diff := math.Round((*last-*before)*10) / 10; {
	case diff > 0:
		m.Change, m.Trend = "▲ "+t.Get("digest.hours", decimal(t, diff)), 1
	case diff < 0:
		m.Change, m.Trend = "▼ "+t.Get("digest.hours", decimal(t, -diff)), -1
	}
	return m
}
