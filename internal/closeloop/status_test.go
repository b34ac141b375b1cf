package closeloop

import (
	"slices"
	"testing"
)

// TestSurveyMoves walks every pair of survey statuses against the moves the
// product allows, written out here once more so a change to the table is a
// deliberate one.
func TestSurveyMoves(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusScheduled, StatusScheduled}: true, {StatusScheduled, StatusSending}: true, {StatusScheduled, StatusFailed}: true,
		{StatusScheduled, StatusSuppressed}: true, {StatusScheduled, StatusCancelled}: true,
		{StatusSending, StatusSending}: true, {StatusSending, StatusSent}: true, {StatusSending, StatusFailed}: true,
		{StatusSending, StatusSuppressed}: true, {StatusSending, StatusAnswered}: true, {StatusSending, StatusCancelled}: true,
		{StatusSent, StatusSent}: true, {StatusSent, StatusAnswered}: true, {StatusSent, StatusExpired}: true, {StatusSent, StatusCancelled}: true,
		{StatusCapped, StatusCancelled}: true, {StatusSuppressed, StatusCancelled}: true,
		{StatusPending, StatusPending}: true, {StatusPending, StatusScheduled}: true, {StatusPending, StatusSending}: true,
		{StatusPending, StatusExpired}: true, {StatusPending, StatusFailed}: true, {StatusPending, StatusSuppressed}: true,
		{StatusPending, StatusCancelled}: true,
	}
	for _, from := range SurveyStatuses {
		for _, to := range SurveyStatuses {
			if got, want := from.CanMove(to), allowed[[2]Status{from, to}]; got != want {
				t.Errorf("%s → %s: CanMove = %v, want %v", from, to, got, want)
			}
			if got, want := slices.Contains(SurveyStatusesInto(to), from), allowed[[2]Status{from, to}]; got != want {
				t.Errorf("SurveyStatusesInto(%s) holds %s: %v, want %v", to, from, got, want)
			}
		}
	}
	for _, final := range []Status{StatusAnswered, StatusExpired, StatusCancelled, StatusFailed} {
		for _, to := range SurveyStatuses {
			if final.CanMove(to) {
				t.Errorf("%s is final but may move to %s", final, to)
			}
		}
	}
}

func TestCaseMoves(t *testing.T) {
	allowed := map[[2]CaseStatus]bool{
		{CaseOpen, CaseClaimed}: true, {CaseOpen, CaseResolved}: true,
		{CaseClaimed, CaseOpen}: true, {CaseClaimed, CaseResolved}: true,
		{CaseResolved, CaseOpen}: true,
	}
	for _, from := range CaseStatuses {
		for _, to := range CaseStatuses {
			if got, want := from.CanMove(to), allowed[[2]CaseStatus{from, to}]; got != want {
				t.Errorf("%s → %s: CanMove = %v, want %v", from, to, got, want)
			}
			if got, want := slices.Contains(CaseStatusesInto(to), from), allowed[[2]CaseStatus{from, to}]; got != want {
				t.Errorf("CaseStatusesInto(%s) holds %s: %v, want %v", to, from, got, want)
			}
		}
	}
}
