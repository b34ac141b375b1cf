// Package followup is support's side of an unhappy answer: the queue of
// follow-up cases and the moves support makes on them (claim, release,
// note, resolve, reopen), the worker that alerts support and acknowledges
// the customer when a case opens, and the SLA check that re-alerts support
// about cases nobody resolved in time.
package followup

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
)

// Cases stores follow-up cases. The DynamoDB adapter implements it. Every
// method answers ENOTFOUND for another store's case; a move the case's
// status does not allow returns the case as it stands with ECONFLICT.
type Cases interface {
	Case(ctx context.Context, storeID, caseID string) (closeloop.Case, error)
	Cases(ctx context.Context, storeID string, f closeloop.CaseFilter) ([]closeloop.Case, string, error)
	CustomerHistory(ctx context.Context, storeID, email string, limit int) ([]closeloop.HistoryEntry, error)
	ClaimCase(ctx context.Context, storeID, caseID, assignee string, at time.Time) (closeloop.Case, error)
	ReleaseCase(ctx context.Context, storeID, caseID string) (closeloop.Case, error)
	ResolveCase(ctx context.Context, storeID, caseID string, r closeloop.Resolution, at time.Time) (closeloop.Case, error)
	ReopenCase(ctx context.Context, storeID, caseID string, dueBy time.Time) (closeloop.Case, error)
	AddNote(ctx context.Context, storeID, caseID string, n closeloop.Note) (closeloop.Case, error)
	// Closing the loop: the store, for the reasons its resolutions and
	// tags may give; TagCase replaces the tags of an open or claimed case.
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
	TagCase(ctx context.Context, storeID, caseID string, tags []string) (closeloop.Case, error)
}

// Conflict is a move the case's status does not allow; Current is the
// case as it stands, for the caller to show.
type Conflict struct {
	Err     *closeloop.Error
	Current closeloop.Case
}

// Error implements error.
func (c *Conflict) Error() string { return c.Err.Error() }

// Unwrap gives the coded error, so ErrorCode reads ECONFLICT.
func (c *Conflict) Unwrap() error { return c.Err }

// conflict wraps an adapter's ECONFLICT with the case it returned; other
// errors (nil included) pass unchanged.
func conflict(c closeloop.Case, err error) error {
	var e *closeloop.Error
	if !errors.As(err, &e) || e.Code != closeloop.ECONFLICT {
		return err
	}
	return &Conflict{Err: closeloop.Errorf(closeloop.ECONFLICT, "%s: it is %s%s", e.Message, c.Status, assigneeNote(c)), Current: c}
}

func assigneeNote(c closeloop.Case) string {
	if c.Status == closeloop.CaseClaimed {
		return ", claimed by " + c.Assignee
	}
	return ""
}

// HistoryLength is how many of the customer's surveys a case shows.
const HistoryLength = 20

// Service is support's moves on a store's cases.
type Service struct {
	cases Cases
	now   func() time.Time
}

// NewService returns a Service; now is the clock.
func NewService(cases Cases, now func() time.Time) *Service {
	return &Service{cases: cases, now: now}
}

// List returns one page of a store's cases, oldest first, and the next
// page's cursor ("" after the last).
func (s *Service) List(ctx context.Context, storeID string, f closeloop.CaseFilter) ([]closeloop.Case, string, error) {
	f.Now = s.now()
	return s.cases.Cases(ctx, storeID, f)
}

// Get returns a store's case with the customer's history in the store:
// their other surveys, answers and cases, newest first.
func (s *Service) Get(ctx context.Context, storeID, caseID string) (closeloop.Case, []closeloop.HistoryEntry, error) {
	c, err := s.cases.Case(ctx, storeID, caseID)
	if err != nil {
		return closeloop.Case{}, nil, err
	}
	history, err := s.cases.CustomerHistory(ctx, storeID, c.Customer.Email, HistoryLength+1)
	if err != nil {
		return closeloop.Case{}, nil, err
	}
	others := history[:0]
	for _, h := range history {
		if h.Survey.SurveyID != c.SurveyID && len(others) < HistoryLength {
			others = append(others, h)
		}
	}
	return c, others, nil
}

// Claim gives an open case to assignee (a support person's email). The
// same assignee claiming again is answered with the case unchanged;
// another assignee's claim is a Conflict.
func (s *Service) Claim(ctx context.Context, storeID, caseID, assignee string) (closeloop.Case, error) {
	assignee, err := closeloop.ValidAssignee(assignee)
	if err != nil {
		return closeloop.Case{}, err
	}
	c, err := s.cases.ClaimCase(ctx, storeID, caseID, assignee, s.now().UTC())
	if closeloop.ErrorCode(err) == closeloop.ECONFLICT && c.Status == closeloop.CaseClaimed && c.Assignee == assignee {
		return c, nil
	}
	return c, conflict(c, err)
}

// Release gives a claimed case back to the queue.
func (s *Service) Release(ctx context.Context, storeID, caseID string) (closeloop.Case, error) {
	c, err := s.cases.ReleaseCase(ctx, storeID, caseID)
	return c, conflict(c, err)
}

// Note adds a note by author to a case, in any status.
func (s *Service) Note(ctx context.Context, storeID, caseID, author, text string) (closeloop.Case, closeloop.Note, error) {
	text, err := closeloop.ValidNoteText("text", text)
	if err != nil {
		return closeloop.Case{}, closeloop.Note{}, err
	}
	author = strings.TrimSpace(author)
	if author == "" || utf8.RuneCountInString(author) > 200 || strings.IndexFunc(author, unicode.IsControl) >= 0 {
		return closeloop.Case{}, closeloop.Note{}, &closeloop.Error{Code: closeloop.EINVALID, Message: "the note is not valid",
			Fields: map[string]string{"author": "must be 1 to 200 characters"}}
	}
	n := closeloop.Note{NoteID: secret.NewID("n"), Author: author, Text: text, At: s.now().UTC().Truncate(time.Millisecond)}
	c, err := s.cases.AddNote(ctx, storeID, caseID, n)
	return c, n, conflict(c, err)
}

// Resolve closes an open or claimed case with an outcome and one of the
// store's case reasons. When r asks to notify the customer, the closing
// email follows (the stream relay hands it to the worker).
func (s *Service) Resolve(ctx context.Context, storeID, caseID string, r closeloop.Resolution) (closeloop.Case, error) {
	store, err := s.cases.Store(ctx, storeID)
	if err != nil {
		return closeloop.Case{}, err
	}
	if err := r.Validate(store.Settings.CaseReasons); err != nil {
		return closeloop.Case{}, err
	}
	c, err := s.cases.ResolveCase(ctx, storeID, caseID, r, s.now().UTC())
	return c, conflict(c, err)
}

// Reopen opens a resolved case again, unassigned, with a new SLA period
// from now.
func (s *Service) Reopen(ctx context.Context, storeID, caseID string) (closeloop.Case, error) {
	c, err := s.cases.Case(ctx, storeID, caseID)
	if err != nil {
		return closeloop.Case{}, err
	}
	if c.Status != closeloop.CaseResolved {
		return c, conflict(c, closeloop.Errorf(closeloop.ECONFLICT, "only a resolved follow-up can be reopened"))
	}
	c, err = s.cases.ReopenCase(ctx, storeID, caseID, s.now().UTC().Add(c.Policy.SLA()))
	return c, conflict(c, err)
}

// Tag replaces the tags of an open or claimed case with tags, each one of
// the store's case reasons; a resolved case is a Conflict.
func (s *Service) Tag(ctx context.Context, storeID, caseID string, tags []string) (closeloop.Case, error) {
	store, err := s.cases.Store(ctx, storeID)
	if err != nil {
		return closeloop.Case{}, err
	}
	tags, err = closeloop.ValidTags(tags, store.Settings.CaseReasons)
	if err != nil {
		return closeloop.Case{}, err
	}
	c, err := s.cases.TagCase(ctx, storeID, caseID, tags)
	return c, conflict(c, err)
}
