package closeloop

import (
	"slices"
	"strings"
	"time"
)

// How a resolution ended for the customer (a resolution's outcome).
const (
	OutcomeResolved    = "resolved"     // the issue was put right
	OutcomeNotResolved = "not_resolved" // support closed it without putting it right
	OutcomeUnreachable = "unreachable"  // the customer could not be reached
)

// CaseOutcomes lists every outcome, in the order the counters keep them.
var CaseOutcomes = []string{OutcomeResolved, OutcomeNotResolved, OutcomeUnreachable}

// validateOutcome adds to p what is wrong with r's outcome and reason:
// the outcome must be one of CaseOutcomes, the reason one of reasons (the
// store's case_reasons).
func (r *Resolution) validateOutcome(p Problems, reasons []string) {
	r.Outcome, r.Reason = strings.TrimSpace(r.Outcome), strings.TrimSpace(r.Reason)
	if !slices.Contains(CaseOutcomes, r.Outcome) {
		p.Add("outcome", "must be "+strings.Join(CaseOutcomes, ", "))
	}
	if !slices.Contains(reasons, r.Reason) {
		p.Add("reason", "must be one of the store's case_reasons: "+strings.Join(reasons, ", "))
	}
}

// ValidTags checks the tags support gives a case, which replace its set:
// each one of reasons (the store's case_reasons). It returns them without
// repeats, in the order given; an empty list clears the tags.
func ValidTags(tags, reasons []string) ([]string, error) {
	out := []string{}
	for _, tag := range tags {
		tag = strings.TrimSpace(tag)
		if !slices.Contains(reasons, tag) {
			return nil, &Error{Code: EINVALID, Message: "the tags are not valid",
				Fields: map[string]string{"tags": "must list the store's case_reasons (" + strings.Join(reasons, ", ") + "): " + tag}}
		}
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	return out, nil
}

// Taggable reports whether a case in status s can be tagged: while open
// or claimed, not once resolved.
func (s CaseStatus) Taggable() bool { return s != CaseResolved }

// TaggableCaseStatuses lists the statuses in which a case can be tagged,
// in the order of CaseStatuses.
func TaggableCaseStatuses() []CaseStatus {
	var out []CaseStatus
	for _, s := range CaseStatuses {
		if s.Taggable() {
			out = append(out, s)
		}
	}
	return out
}

// Contacted reports whether support or the customer has been in touch on
// the case since it opened (a claim, a note or a customer reply).
func (c Case) Contacted() bool { return c.FirstContactAt != nil }

// FirstContactTallies counts the first contact on case c at at (a claim,
// a note, or the customer's reply): by the time it took from opening, on
// its store-local day. It counts nothing when c was contacted before, so
// adapters add it with a write made on condition the case still has no
// first contact, and record at as its FirstContactAt in the same write.
func FirstContactTallies(c Case, at time.Time) Tallies {
	if c.Contacted() {
		return Tallies{}
	}
	var t Tally
	t.Contacted = 1
	t.ContactTimes[DurationBucket(at.Sub(c.OpenedAt))] = 1
	return Tallies{Day(at, c.Policy.withDefaults().TimeZone): t}
}
