package closeloop

import "slices"

// surveyMoves is every status change a survey may make, from → to. A
// status moving to itself is a new lease or due time in the same state
// (a re-claim after a crashed sender, a reminder, a retry, a survey held
// while its store's sending is paused). A scheduled survey fails without
// a claim when it closed before it could be sent (gave_up). A pending
// survey becomes scheduled when its order's event comes, or expired when
// that is too old; at its max-wait time dispatch claims it (on_no_event
// send) or expires it (expire). Adapters
// build their write conditions from this table, so a change of the rules
// is made here once.
var surveyMoves = map[Status][]Status{
	StatusScheduled:  {StatusScheduled, StatusSending, StatusFailed, StatusSuppressed, StatusCancelled},
	StatusPending:    {StatusPending, StatusScheduled, StatusSending, StatusExpired, StatusFailed, StatusSuppressed, StatusCancelled},
	StatusSending:    {StatusSending, StatusSent, StatusFailed, StatusSuppressed, StatusAnswered, StatusCancelled},
	StatusSent:       {StatusSent, StatusAnswered, StatusExpired, StatusCancelled},
	StatusCapped:     {StatusCancelled},
	StatusSuppressed: {StatusCancelled},
}

// SurveyStatuses lists every survey status.
var SurveyStatuses = []Status{
	StatusScheduled, StatusSending, StatusSent, StatusAnswered, StatusExpired,
	StatusCapped, StatusSuppressed, StatusCancelled, StatusFailed,
	StatusPending,
}

// CanMove reports whether a survey may change from status s to status to.
func (s Status) CanMove(to Status) bool { return slices.Contains(surveyMoves[s], to) }

// SurveyStatusesInto lists the statuses a survey may move to status to
// from, in the order of SurveyStatuses.
func SurveyStatusesInto(to Status) []Status {
	var from []Status
	for _, s := range SurveyStatuses {
		if s.CanMove(to) {
			from = append(from, s)
		}
	}
	return from
}

// caseMoves is every status change a follow-up case may make. Claiming a
// case one already holds, and adding notes, change no status.
var caseMoves = map[CaseStatus][]CaseStatus{
	CaseOpen:     {CaseClaimed, CaseResolved},
	CaseClaimed:  {CaseOpen, CaseResolved},
	CaseResolved: {CaseOpen},
}

// CaseStatuses lists every case status.
var CaseStatuses = []CaseStatus{CaseOpen, CaseClaimed, CaseResolved}

// CanMove reports whether a case may change from status s to status to.
func (s CaseStatus) CanMove(to CaseStatus) bool { return slices.Contains(caseMoves[s], to) }

// CaseStatusesInto lists the statuses a case may move to status to from,
// in the order of CaseStatuses.
func CaseStatusesInto(to CaseStatus) []CaseStatus {
	var from []CaseStatus
	for _, s := range CaseStatuses {
		if s.CanMove(to) {
			from = append(from, s)
		}
	}
	return from
}
