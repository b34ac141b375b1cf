package closeloop

import (
	"math"
	"slices"
	"strings"
	"time"
)

// The loop numbers (closing the loop): how many cases closed, how soon
// support got in touch and closed them, and why they closed. Like the
// rest of the summary they come from counters, never from reading cases:
// a median is read off a histogram of durations.
//
// Durations are counted in DurationBuckets log-scale buckets: bucket 0
// holds under 15 minutes, bucket i (1–12) from 15·2^(i-1) up to 15·2^i
// minutes (15–30 min, 30–60 min, 1–2 h, … 512–1,024 h), and the last one
// 1,024 hours (about six weeks) and more. A median is interpolated
// linearly inside the bucket it falls in, so it is exact to within that
// bucket: at worst a factor of 2 (say "between 4 and 8 hours"), and in
// the last bucket it reads as its lower bound, 1,024 hours.

// DurationBuckets is how many buckets a histogram of durations has.
const DurationBuckets = 14

// firstBucketMinutes is the upper bound of bucket 0.
const firstBucketMinutes = 15

// DurationBucket is the bucket a duration is counted in; negative ones
// (clocks apart) count as none.
func DurationBucket(d time.Duration) int {
	minutes := d.Minutes()
	b := 0
	for upper := float64(firstBucketMinutes); b < DurationBuckets-1 && minutes >= upper; upper *= 2 {
		b++
	}
	return b
}

// bucketBounds are bucket b's bounds in minutes; the last bucket's upper
// bound is its lower one (it has none).
func bucketBounds(b int) (lower, upper float64) {
	upper = firstBucketMinutes * math.Pow(2, float64(b))
	if b > 0 {
		lower = upper / 2
	}
	if b == DurationBuckets-1 {
		upper = lower
	}
	return lower, upper
}

// MedianHours is the median of a histogram of durations in hours (one
// decimal), interpolated in the bucket it falls in; nil for an empty one.
func MedianHours(h [DurationBuckets]int) *float64 {
	n := 0
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return nil
	}
	half, below := float64(n)/2, 0.0
	for b, c := range h {
		if c == 0 || below+float64(c) < half {
			below += float64(c)
			continue
		}
		lower, upper := bucketBounds(b)
		return round1((lower + (upper-lower)*(half-below)/float64(c)) / 60)
	}
	return nil // not reached: half ≤ n
}

// addLoop adds o's loop counters to t.
func (t *Tally) addLoop(o Tally) {
	for i := range t.Outcomes {
		t.Outcomes[i] += o.Outcomes[i]
	}
	if len(o.Reasons) > 0 {
		// A fresh map: a tally's map may be shared with the copy it came from.
		merged := make(map[string]int, len(t.Reasons)+len(o.Reasons))
		for r, n := range t.Reasons {
			merged[r] += n
		}
		for r, n := range o.Reasons {
			merged[r] += n
		}
		t.Reasons = merged
	}
	t.Closed += o.Closed
	t.ClosedInSLA += o.ClosedInSLA
	for i := range t.CloseTimes {
		t.CloseTimes[i] += o.CloseTimes[i]
	}
	t.Contacted += o.Contacted
	for i := range t.ContactTimes {
		t.ContactTimes[i] += o.ContactTimes[i]
	}
}

// ResolutionTallies counts resolution r of case c (as it stood before) at
// resolvedAt: what ResolveTallies counts, with the outcome and reason, and
// when c was never resolved before, its first close: how long it took and
// whether it came by the case's due time.
func ResolutionTallies(c Case, r Resolution, resolvedAt time.Time) Tallies {
	ts := ResolveTallies(c, resolvedAt)
	var t Tally
	if i := slices.Index(CaseOutcomes, r.Outcome); i >= 0 {
		t.Outcomes[i] = 1
	}
	if r.Reason != "" {
		t.Reasons = map[string]int{r.Reason: 1}
	}
	if c.FirstResolvedAt == nil {
		t.Closed = 1
		t.CloseTimes[DurationBucket(resolvedAt.Sub(c.OpenedAt))] = 1
		if !resolvedAt.After(c.DueBy) {
			t.ClosedInSLA = 1
		}
	}
	ts.add(Day(resolvedAt, c.Policy.withDefaults().TimeZone), t)
	return ts
}

// LoopSummary is how the loop closed over a range: cases closed for the
// first time (closed), closed / opened (closure_rate; above 1 when cases
// opened before the range closed in it), the median times from opening
// to first contact and to first close (see DurationBuckets for their
// precision), and the share of closed cases closed by their due time.
type LoopSummary struct {
	Closed                    int      `json:"closed"`
	ClosureRate               *float64 `json:"closure_rate"`
	Contacted                 int      `json:"contacted"`
	MedianHoursToFirstContact *float64 `json:"median_hours_to_first_contact"`
	MedianHoursToClose        *float64 `json:"median_hours_to_close"`
	ClosedWithinSLA           int      `json:"closed_within_sla"`
	ClosedWithinSLAShare      *float64 `json:"closed_within_sla_share"`
}

// SummarizeLoop makes the loop numbers of t.
func SummarizeLoop(t Tally) LoopSummary {
	l := LoopSummary{
		Closed: t.Closed, Contacted: t.Contacted, ClosedWithinSLA: t.ClosedInSLA,
		MedianHoursToFirstContact: MedianHours(t.ContactTimes), MedianHoursToClose: MedianHours(t.CloseTimes),
	}
	if t.Opened > 0 {
		l.ClosureRate = ratio(float64(t.Closed), float64(t.Opened))
	}
	if t.Closed > 0 {
		l.ClosedWithinSLAShare = ratio(float64(t.ClosedInSLA), float64(t.Closed))
	}
	return l
}

// ReasonSummary is how many resolutions gave a reason over a range, and
// their share of all resolutions (3 decimals).
type ReasonSummary struct {
	Reason string   `json:"reason"`
	Cases  int      `json:"cases"`
	Share  *float64 `json:"share"`
}

// SummarizeReasons lists t's resolutions by reason, worst (most cases)
// first, then by reason.
func SummarizeReasons(t Tally) []ReasonSummary {
	total := 0
	for _, n := range t.Reasons {
		total += n
	}
	out := []ReasonSummary{}
	for r, n := range t.Reasons {
		if n > 0 {
			out = append(out, ReasonSummary{Reason: r, Cases: n, Share: ratio(float64(n), float64(total))})
		}
	}
	slices.SortFunc(out, func(a, b ReasonSummary) int {
		if a.Cases != b.Cases {
			return b.Cases - a.Cases
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return out
}

// OutcomeSummary counts resolutions by outcome over a range.
type OutcomeSummary struct {
	Resolved    int `json:"resolved"`
	NotResolved int `json:"not_resolved"`
	Unreachable int `json:"unreachable"`
}

// SummarizeOutcomes counts t's resolutions by outcome.
func SummarizeOutcomes(t Tally) OutcomeSummary {
	return OutcomeSummary{Resolved: t.Outcomes[0], NotResolved: t.Outcomes[1], Unreachable: t.Outcomes[2]}
}
