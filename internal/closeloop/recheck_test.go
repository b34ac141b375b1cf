package closeloop

import (
	"reflect"
	"testing"
	"time"
)

func TestRecheckDue(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	sent := at
	for _, c := range []struct {
		name    string
		policy  FollowupPolicy
		recheck *CaseRecheck
		want    time.Time
		ok      bool
	}{
		{"a survey before the check: the defaults", FollowupPolicy{}, nil, at.Add(168 * time.Hour), true},
		{"the settings' default", DefaultSettings().Policy(), nil, at.Add(168 * time.Hour), true},
		{"after 0 hours", FollowupPolicy{Recheck: &RecheckPolicy{On: true, AfterHours: 0}}, nil, at, true},
		{"off", FollowupPolicy{Recheck: &RecheckPolicy{On: false, AfterHours: 5}}, nil, time.Time{}, false},
		{"sent before", FollowupPolicy{}, &CaseRecheck{SentAt: &sent}, time.Time{}, false},
		{"skipped before", FollowupPolicy{}, &CaseRecheck{Skipped: RecheckSuppressed}, time.Time{}, false},
	} {
		got, ok := Case{Policy: c.policy, Recheck: c.recheck}.RecheckDue(at)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("%s: RecheckDue = %s, %v; want %s, %v", c.name, got, ok, c.want, c.ok)
		}
	}
	s := DefaultSettings()
	s.Recheck, s.RecheckAfterHours = false, 3
	if p := s.Policy().RecheckPolicy(); p != (RecheckPolicy{On: false, AfterHours: 3}) {
		t.Errorf("the settings' policy %+v", p)
	}
}

func TestRecheckFormParse(t *testing.T) {
	four := 4
	for _, c := range []struct {
		form     RecheckForm
		want     RecheckAnswer
		problems Problems
	}{
		{RecheckForm{Answer: "yes"}, RecheckAnswer{Recovered: true}, Problems{}},
		{RecheckForm{Answer: "no", Score: "4"}, RecheckAnswer{NewScore: &four}, Problems{}},
		{RecheckForm{}, RecheckAnswer{}, Problems{"answer": "required"}},
		{RecheckForm{Answer: "maybe", Score: "6"}, RecheckAnswer{}, Problems{"answer": "range", "score": "range"}},
		{RecheckForm{Answer: "yes", Score: "x"}, RecheckAnswer{Recovered: true}, Problems{"score": "range"}},
	} {
		got, p := c.form.Parse()
		if got.Recovered != c.want.Recovered || (got.NewScore == nil) != (c.want.NewScore == nil) ||
			(got.NewScore != nil && *got.NewScore != *c.want.NewScore) || len(p) != len(c.problems) {
			t.Errorf("%+v: %+v %v; want %+v %v", c.form, got, p, c.want, c.problems)
		}
		for f, want := range c.problems {
			if p[f] != want {
				t.Errorf("%+v: problem %s = %q, want %q", c.form, f, p[f], want)
			}
		}
	}
}

func TestRecheckAnswerMovesAndTallies(t *testing.T) {
	opened := time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)
	sent := time.Date(2026, 11, 19, 23, 30, 0, 0, time.UTC) // 20 Nov in Berlin
	at := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	resolvedAt := opened.Add(time.Hour)
	c := Case{Score: 2, Status: CaseResolved, Assignee: "ole@shop.test", ResolvedAt: &resolvedAt, OpenedAt: opened,
		Policy: FollowupPolicy{SLAHours: 4, TimeZone: "Europe/Berlin"}, Recheck: &CaseRecheck{SentAt: &sent}}
	three := 3
	no := c.WithRecheckAnswer(RecheckAnswer{NewScore: &three}, at)
	if no.Status != CaseOpen || no.Assignee != "" || no.ResolvedAt != nil || !no.DueBy.Equal(at.Add(4*time.Hour)) ||
		!no.RecheckAnswered() || *no.Recheck.Recovered || *no.Recheck.SentAt != sent {
		t.Errorf("after no: %+v", no)
	}
	if !CaseResolved.CanMove(CaseOpen) {
		t.Error("the status table no longer lets a recheck's no reopen a resolved case")
	}
	yes := c.WithRecheckAnswer(RecheckAnswer{Recovered: true}, at)
	if yes.Status != CaseResolved || yes.Assignee != "ole@shop.test" || !*yes.Recheck.Recovered {
		t.Errorf("after yes: %+v", yes)
	}
	// Counted on the send day, store-local.
	ts := RecheckAnswerTallies(c, RecheckAnswer{NewScore: &three}, at)
	if len(ts) != 1 || !reflect.DeepEqual(ts["2026-11-20"], Tally{RecheckAnswered: 1, ScoreChange: 1, ScoreChanges: 1}) {
		t.Errorf("no with 3 from 2: %v", ts)
	}
	ts = RecheckAnswerTallies(c, RecheckAnswer{Recovered: true}, at)
	if !reflect.DeepEqual(ts["2026-11-20"], Tally{RecheckAnswered: 1, Recovered: 1}) {
		t.Errorf("yes without a score: %v", ts)
	}
	if ts := RecheckSentTallies(c, sent); !reflect.DeepEqual(ts["2026-11-20"], Tally{Rechecked: 1}) {
		t.Errorf("sent: %v", ts)
	}
}

func TestSummarizeRecovery(t *testing.T) {
	var total Tally
	total.Add(Tally{Rechecked: 2, RecheckAnswered: 1, Recovered: 1, ScoreChange: 3, ScoreChanges: 1})
	total.Add(Tally{Rechecked: 1, RecheckAnswered: 1, ScoreChange: -2, ScoreChanges: 1})
	r := SummarizeRecovery(total)
	if r.Rechecked != 3 || r.Answered != 2 || r.Recovered != 1 || *r.RecoveryRate != 0.333 || *r.MeanScoreChange != 0.5 {
		t.Errorf("recovery %+v", r)
	}
	if r := SummarizeRecovery(Tally{}); r.RecoveryRate != nil || r.MeanScoreChange != nil {
		t.Errorf("nothing rechecked: %+v, want nulls", r)
	}
}
