package closeloop

import (
	"strings"
	"time"
)

// The recovery check (issue "close the loop", item 3): a while after a
// case is resolved, the customer is asked once whether the issue was put
// right ("yes" / "no") and for a new score. "No" reopens the case.
//
// Once per case: a case gets at most one recovery check in its life. A
// case resolved, reopened (by support, or by a "no") and resolved again is
// not asked again: a customer who said "no" already told the store, and
// asking after every resolution would nag. A resolution before the check
// went out moves its due time instead (the check follows the last
// resolution). The check's block on the case, once set (sent, or skipped
// because the address is suppressed or the store turned the check off),
// is what makes it once.

// RecheckPolicy is whether and when a store's resolved cases get the
// recovery check, copied from the settings onto each survey (with the
// rest of FollowupPolicy) and from it onto its case, so that the sender
// decides from the case alone.
type RecheckPolicy struct {
	On         bool `json:"on"`
	AfterHours int  `json:"after_hours"` // 0: at once
}

// recheckPolicy is the settings' recovery check, for FollowupPolicy.
func (s Settings) recheckPolicy() *RecheckPolicy {
	return &RecheckPolicy{On: s.Recheck, AfterHours: s.RecheckAfterHours}
}

// RecheckPolicy is the policy's recovery check; a survey created before
// the check existed has none and gets the defaults (on, a week).
func (p FollowupPolicy) RecheckPolicy() RecheckPolicy {
	if p.Recheck == nil {
		return RecheckPolicy{On: true, AfterHours: DefaultRecheckAfterHours}
	}
	return *p.Recheck
}

// Why a recovery check was not sent (CaseRecheck.Skipped).
const (
	RecheckSuppressed = "suppressed" // the customer's address is suppressed in the store
	RecheckOff        = "off"        // the store turned the check off before it was due
	RecheckRejected   = "rejected"   // the mail provider refused the email for good
	RecheckGaveUp     = "gave_up"    // every attempt failed for passing reasons
)

// MaxRecheckAttempts bounds the tries of one recovery check email; each
// try's link token hash is kept, so the bound also bounds the case item.
const MaxRecheckAttempts = 5

// CaseRecheck is a case's recovery check: set when it is sent (or
// skipped), then answered at most once.
type CaseRecheck struct {
	SentAt     *time.Time `json:"sent_at"`
	AnsweredAt *time.Time `json:"answered_at"`
	Recovered  *bool      `json:"recovered"` // the customer's "yes" (true) or "no"
	NewScore   *int       `json:"new_score"` // 1–5, nil when not given
	Skipped    string     `json:"skipped,omitempty"`
	// Brand is the store's branding when the check was sent, for its page
	// (a case holds no branding of its own).
	Brand Branding `json:"brand"`
}

// RecheckDue reports when case c, resolved at resolvedAt, is due for its
// recovery check; ok is false when it gets none (the store's check is off,
// or the case had one).
func (c Case) RecheckDue(resolvedAt time.Time) (due time.Time, ok bool) {
	p := c.Policy.RecheckPolicy()
	if !p.On || c.Recheck != nil {
		return time.Time{}, false
	}
	return resolvedAt.Add(time.Duration(p.AfterHours) * time.Hour), true
}

// RecheckAnswered reports whether the case's recovery check was answered.
func (c Case) RecheckAnswered() bool { return c.Recheck != nil && c.Recheck.AnsweredAt != nil }

// DueRecheck is a resolved case whose recovery check is due, with Mark,
// the storage's opaque mark of the state it was read in, and Attempts,
// the tries so far.
type DueRecheck struct {
	Case     Case
	Mark     string
	Attempts int
}

// RecheckAnswer is a customer's answer to the recovery check.
type RecheckAnswer struct {
	Recovered bool
	NewScore  *int
}

// RecheckForm is the recovery check's form as posted: answer "yes" or
// "no", score "" or 1–5.
type RecheckForm struct {
	Answer string
	Score  string
}

// Parse checks a posted recovery check form.
func (f RecheckForm) Parse() (RecheckAnswer, Problems) {
	p := Problems{}
	var a RecheckAnswer
	switch strings.TrimSpace(f.Answer) {
	case "yes":
		a.Recovered = true
	case "no":
	case "":
		p.Add("answer", "required")
	default:
		p.Add("answer", "range")
	}
	if s := strings.TrimSpace(f.Score); s != "" {
		score, ok := atoi(s)
		if !ok || score < 1 || score > 5 {
			p.Add("score", "range")
		} else {
			a.NewScore = &score
		}
	}
	return a, p
}

// ReopensOnRecheck reports whether answer a reopens case c: a "no" on a
// case still resolved (support may have reopened it meanwhile).
func (c Case) ReopensOnRecheck(a RecheckAnswer) bool {
	return !a.Recovered && c.Status == CaseResolved
}

// WithRecheckAnswer is case c after answer a at at: the answer recorded
// and, on a "no", the case reopened, unassigned, with a new SLA period.
func (c Case) WithRecheckAnswer(a RecheckAnswer, at time.Time) Case {
	rc := CaseRecheck{}
	if c.Recheck != nil {
		rc = *c.Recheck
	}
	recovered := a.Recovered
	rc.AnsweredAt, rc.Recovered, rc.NewScore = &at, &recovered, a.NewScore
	if c.ReopensOnRecheck(a) {
		c.Status, c.Assignee, c.ClaimedAt, c.ResolvedAt = CaseOpen, "", nil, nil
		c.NotifyCustomer, c.CustomerMessage = false, ""
		c.DueBy, c.OverdueAlerts = at.Add(c.Policy.SLA()), 0
	}
	c.Recheck = &rc
	return c
}

// RecheckSentTallies counts a recovery check sent at sentAt.
func RecheckSentTallies(c Case, sentAt time.Time) Tallies {
	return Tallies{Day(sentAt, c.Policy.withDefaults().TimeZone): {Rechecked: 1}}
}

// RecheckAnswerTallies counts answer a to case c's recovery check, on the
// day the check was sent (as answers are counted on their survey's send
// day), so that recovered/rechecked over a range is a rate: the answer,
// whether it was a recovery, and the change from the case's score to the
// new one when one was given.
func RecheckAnswerTallies(c Case, a RecheckAnswer, at time.Time) Tallies {
	sentAt := at
	if c.Recheck != nil && c.Recheck.SentAt != nil {
		sentAt = *c.Recheck.SentAt
	}
	t := Tally{RecheckAnswered: 1}
	if a.Recovered {
		t.Recovered = 1
	}
	if a.NewScore != nil && c.Score >= 1 && c.Score <= 5 {
		t.ScoreChange, t.ScoreChanges = *a.NewScore-c.Score, 1
	}
	return Tallies{Day(sentAt, c.Policy.withDefaults().TimeZone): t}
}

// addRecheck adds o's recovery check counters to t.
func (t *Tally) addRecheck(o Tally) {
	t.Rechecked += o.Rechecked
	t.RecheckAnswered += o.RecheckAnswered
	t.Recovered += o.Recovered
	t.ScoreChange += o.ScoreChange
	t.ScoreChanges += o.ScoreChanges
}

// RecoverySummary is the recovery checks over a range: sent, answered,
// recovered; the recovery rate (recovered / rechecked, nil before any was
// sent) and the mean change from a case's score to the customer's new
// one (nil without new scores).
type RecoverySummary struct {
	Rechecked       int      `json:"rechecked"`
	Answered        int      `json:"answered"`
	Recovered       int      `json:"recovered"`
	RecoveryRate    *float64 `json:"recovery_rate"`
	MeanScoreChange *float64 `json:"mean_score_change"`
}

// SummarizeRecovery is the recovery summary of t.
func SummarizeRecovery(t Tally) RecoverySummary {
	r := RecoverySummary{Rechecked: t.Rechecked, Answered: t.RecheckAnswered, Recovered: t.Recovered}
	if t.Rechecked > 0 {
		r.RecoveryRate = ratio(float64(t.Recovered), float64(t.Rechecked))
	}
	if t.ScoreChanges > 0 {
		r.MeanScoreChange = round1(float64(t.ScoreChange) / float64(t.ScoreChanges))
	}
	return r
}

// RecheckView is a case's recovery check as the API shows it.
type RecheckView struct {
	SentAt     *time.Time `json:"sent_at"`
	AnsweredAt *time.Time `json:"answered_at"`
	Recovered  *bool      `json:"recovered"`
	NewScore   *int       `json:"new_score"`
	Skipped    string     `json:"skipped"`
}

// recheckView shows rc, nil when the case has none yet.
func recheckView(rc *CaseRecheck) *RecheckView {
	if rc == nil {
		return nil
	}
	return &RecheckView{SentAt: rc.SentAt, AnsweredAt: rc.AnsweredAt, Recovered: rc.Recovered, NewScore: rc.NewScore, Skipped: rc.Skipped}
}
