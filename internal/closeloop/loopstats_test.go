package closeloop

import (
	"reflect"
	"testing"
	"time"
)

func TestDurationBucket(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int
	}{
		{-time.Minute, 0},
		{0, 0},
		{14 * time.Minute, 0},
		{15 * time.Minute, 1},
		{29 * time.Minute, 1},
		{30 * time.Minute, 2},
		{90 * time.Minute, 3},
		{3 * time.Hour, 4},
		{24 * time.Hour, 7},
		{1023 * time.Hour, 12},
		{1024 * time.Hour, 13},
		{5000 * time.Hour, 13},
	}
	for _, tt := range tests {
		if got := DurationBucket(tt.d); got != tt.want {
			t.Errorf("DurationBucket(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func TestMedianHours(t *testing.T) {
	hist := func(ds ...time.Duration) [DurationBuckets]int {
		var h [DurationBuckets]int
		for _, d := range ds {
			h[DurationBucket(d)]++
		}
		return h
	}
	tests := []struct {
		name string
		h    [DurationBuckets]int
		want *float64
	}{
		{"none", hist(), nil},
		// One in 1–2 h: the middle of its bucket.
		{"one", hist(80 * time.Minute), f(1.5)},
		// 10 min, 45 min, 3 h: the median falls half-way into 30–60 min.
		{"three", hist(10*time.Minute, 45*time.Minute, 3*time.Hour), f(0.8)},
		// Four in 4–8 h: the middle of the bucket.
		{"same bucket", hist(5*time.Hour, 5*time.Hour, 6*time.Hour, 7*time.Hour), f(6)},
		// Beyond 1,024 hours reads as 1,024.
		{"last bucket", hist(2000 * time.Hour), f(1024)},
	}
	for _, tt := range tests {
		if got := MedianHours(tt.h); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: median %v, want %v", tt.name, show(got), show(tt.want))
		}
	}
}

func f(v float64) *float64 { return &v }

func show(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func TestResolutionTallies(t *testing.T) {
	opened := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	c := Case{CaseID: "c_1", OpenedAt: opened, DueBy: opened.Add(24 * time.Hour), Policy: FollowupPolicy{TimeZone: "Europe/Moscow"}}
	r := Resolution{Text: "done", Outcome: OutcomeNotResolved, Reason: "damaged"}

	// The first close, within the SLA, on the Moscow day.
	at := opened.Add(20*time.Hour + 30*time.Minute) // 2026-11-21 06:30 UTC, 09:30 in Moscow
	ts := ResolutionTallies(c, r, at)
	want := Tally{Resolved: 1, ResolveMinutes: 1230, Outcomes: [3]int{0, 1, 0}, Reasons: map[string]int{"damaged": 1}, Closed: 1, ClosedInSLA: 1}
	want.CloseTimes[DurationBucket(20*time.Hour+30*time.Minute)] = 1
	if !reflect.DeepEqual(ts, Tallies{"2026-11-21": want}) {
		t.Errorf("first close %+v, want %+v", ts, want)
	}
	// After the due time: closed, not within the SLA.
	if ts := ResolutionTallies(c, r, opened.Add(25*time.Hour)); ts["2026-11-21"].ClosedInSLA != 0 || ts["2026-11-21"].Closed != 1 {
		t.Errorf("late close %+v", ts)
	}
	// A case resolved before (then reopened): its reason and outcome count,
	// its close does not again.
	first := opened.Add(time.Hour)
	c.FirstResolvedAt = &first
	ts = ResolutionTallies(c, Resolution{Outcome: OutcomeResolved, Reason: "other"}, opened.Add(48*time.Hour))
	got := ts["2026-11-22"]
	if got.Closed != 0 || got.ClosedInSLA != 0 || got.CloseTimes != ([DurationBuckets]int{}) || got.Outcomes != [3]int{1, 0, 0} || got.Reasons["other"] != 1 {
		t.Errorf("second close %+v", got)
	}
}

func TestFirstContactTallies(t *testing.T) {
	opened := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	c := Case{OpenedAt: opened}
	ts := FirstContactTallies(c, opened.Add(3*time.Hour))
	var want Tally
	want.Contacted, want.ContactTimes[4] = 1, 1
	if !reflect.DeepEqual(ts, Tallies{"2026-11-20": want}) {
		t.Errorf("first contact %+v", ts)
	}
	at := opened.Add(time.Hour)
	c.FirstContactAt = &at
	if ts := FirstContactTallies(c, opened.Add(5*time.Hour)); len(ts) != 0 {
		t.Errorf("second contact counted: %+v", ts)
	}
}

func TestTallyReasons(t *testing.T) {
	var zero Tally
	if !zero.Zero() || !(Tally{Reasons: map[string]int{}}).Zero() || (Tally{Reasons: map[string]int{"x": 1}}).Zero() || (Tally{Closed: 1}).Zero() {
		t.Error("Zero is wrong about reasons or loop counters")
	}
	a := Tally{Reasons: map[string]int{"damaged": 1}}
	b := Tally{Reasons: map[string]int{"damaged": 2, "price": 1}}
	sum := a
	sum.Add(b)
	if !reflect.DeepEqual(sum.Reasons, map[string]int{"damaged": 3, "price": 1}) || a.Reasons["damaged"] != 1 {
		t.Errorf("sum %v, a %v (must not change)", sum.Reasons, a.Reasons)
	}
}

func TestSummarizeLoop(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(DayLayout, s); return d }
	t1 := Tally{Opened: 4, Reasons: map[string]int{"delivery": 1, "price": 2}, Outcomes: [3]int{2, 1, 0}, Closed: 3, ClosedInSLA: 2, Contacted: 2}
	t1.CloseTimes[DurationBucket(2*time.Hour)] = 2
	t1.CloseTimes[DurationBucket(30*time.Hour)] = 1
	t1.ContactTimes[DurationBucket(10*time.Minute)] = 2
	t2 := Tally{Reasons: map[string]int{"delivery": 2, "damaged": 3}, Outcomes: [3]int{2, 1, 2}, Closed: 1}
	t2.CloseTimes[DurationBucket(100*time.Hour)] = 1
	sum := Summarize(day("2026-11-20"), day("2026-11-21"), "UTC", map[string]Tally{"2026-11-20": t1, "2026-11-21": t2}, 2, nil)

	wantReasons := []ReasonSummary{
		{Reason: "damaged", Cases: 3, Share: f(0.375)},
		{Reason: "delivery", Cases: 3, Share: f(0.375)},
		{Reason: "price", Cases: 2, Share: f(0.25)},
	}
	if !reflect.DeepEqual(sum.Reasons, wantReasons) {
		t.Errorf("reasons %+v, want %+v", sum.Reasons, wantReasons)
	}
	if sum.Outcomes != (OutcomeSummary{Resolved: 4, NotResolved: 2, Unreachable: 2}) {
		t.Errorf("outcomes %+v", sum.Outcomes)
	}
	l := sum.Followups.LoopSummary
	// Closes: 2 h, 2 h, 30 h, 100 h: the median (2nd of 4) falls at the top
	// of the 2–4 h bucket.
	if l.Closed != 4 || *l.ClosureRate != 1 || l.ClosedWithinSLA != 2 || *l.ClosedWithinSLAShare != 0.5 ||
		*l.MedianHoursToClose != 4 || l.Contacted != 2 || *l.MedianHoursToFirstContact != 0.1 {
		t.Errorf("loop %+v close %v contact %v", l, *l.MedianHoursToClose, *l.MedianHoursToFirstContact)
	}

	empty := Summarize(day("2026-11-20"), day("2026-11-20"), "UTC", nil, 2, nil)
	if empty.Reasons == nil || len(empty.Reasons) != 0 || empty.Followups.ClosureRate != nil || empty.Followups.MedianHoursToClose != nil || empty.Followups.ClosedWithinSLAShare != nil {
		t.Errorf("empty %+v", empty)
	}
}
