package followup

import (
	"context"
	"log/slog"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/secret"
)

// Rechecks is the storage of the recovery check's sender (closeloop/
// recheck.go). The DynamoDB adapter implements it with the "due" index: no
// scan.
type Rechecks interface {
	DueRechecks(ctx context.Context, now time.Time, limit int) ([]closeloop.DueRecheck, error)
	ClaimRecheck(ctx context.Context, due closeloop.DueRecheck, leaseUntil time.Time, tokenHash string) (lease string, ok bool, err error)
	MarkRecheckSent(ctx context.Context, c closeloop.Case, lease string, sentAt time.Time, brand closeloop.Branding) (bool, error)
	SkipRecheck(ctx context.Context, c closeloop.Case, mark, reason string) (bool, error)
}

// RecheckReport counts what one run of the recovery check sender did.
type RecheckReport struct {
	Due     int `json:"due"`     // resolved cases whose check was due
	Sent    int `json:"sent"`    // checks sent now
	Skipped int `json:"skipped"` // not sent, for good: suppressed, turned off, refused, given up
	Lost    int `json:"lost"`    // changed since read (reopened, or taken by another run)
	Failed  int `json:"failed"`  // left for a later run
	// Deferred were left due for the next run: the run's deadline came near.
	Deferred int `json:"deferred"`
}

// recheckLease is how long a sender holds a recovery check: far longer
// than one send, so that it runs out only when the sender crashed.
const recheckLease = 5 * time.Minute

// recheckReserve is the time left before the run's deadline at which it
// stops taking checks, so that one taken is always finished.
const recheckReserve = 5 * time.Second

// Rechecker sends the recovery checks that are due, each once per case,
// through the worker's mail path: never to a suppressed address, and
// counted against no contact budget.
type Rechecker struct {
	rechecks Rechecks
	w        *Worker
	now      func() time.Time
}

// NewRechecker returns a Rechecker sending through w.
func NewRechecker(rechecks Rechecks, w *Worker, now func() time.Time) *Rechecker {
	return &Rechecker{rechecks: rechecks, w: w, now: now}
}

// Run sends every recovery check due now. One check's failure does not
// stop the others; it comes back once its lease runs out.
func (r *Rechecker) Run(ctx context.Context) (RecheckReport, error) {
	var rep RecheckReport
	now := r.now()
	due, err := r.rechecks.DueRechecks(ctx, now, checkBatch)
	if err != nil {
		return rep, err
	}
	rep.Due = len(due)
	stores := map[string]closeloop.Store{}
	for i, d := range due {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < recheckReserve {
			rep.Deferred = len(due) - i
			break
		}
		if err := r.send(ctx, d, stores, &rep); err != nil {
			rep.Failed++
			slog.ErrorContext(ctx, "recovery check failed", "case_id", d.Case.CaseID, "err", err)
		}
	}
	return rep, nil
}

func (r *Rechecker) send(ctx context.Context, d closeloop.DueRecheck, stores map[string]closeloop.Store, rep *RecheckReport) error {
	store, ok := stores[d.Case.StoreID]
	if !ok {
		var err error
		if store, err = r.w.stores.Store(ctx, d.Case.StoreID); err != nil {
			return err
		}
		stores[d.Case.StoreID] = store
	}
	// The store may have turned the check off since the case copied its
	// policy: the owner's latest word wins.
	switch {
	case !store.Settings.Recheck:
		return r.skip(ctx, d.Case, d.Mark, closeloop.RecheckOff, rep)
	case d.Attempts >= closeloop.MaxRecheckAttempts:
		return r.skip(ctx, d.Case, d.Mark, closeloop.RecheckGaveUp, rep)
	}
	token, hash := secret.NewToken(d.Case.CaseID)
	lease, ok, err := r.rechecks.ClaimRecheck(ctx, d, r.now().Add(recheckLease), hash)
	if err != nil || !ok {
		if err == nil {
			rep.Lost++
		}
		return err
	}
	email, err := r.w.renderer.RenderEmail(render.NewRecheckEmail(d.Case, store.Settings.Branding, RecheckURL(r.w.cfg.PublicBaseURL, token)))
	if err != nil {
		return err
	}
	m := closeloop.Message{
		From: store.From(r.w.cfg.DefaultSender), To: d.Case.Customer.Email,
		Subject: email.Subject, HTML: email.HTML, Text: email.Text,
		Tags: []closeloop.Tag{{Name: "case", Value: d.Case.CaseID}, {Name: "survey", Value: d.Case.SurveyID}},
	}
	if store.Settings.ReplyTo != "" {
		m.ReplyTo = []string{store.Settings.ReplyTo}
	}
	// One key per case: the check is sent once per case (closeloop/
	// recheck.go), and a crash after the send finds it sent.
	result, err := r.w.mail.Send(ctx, mailing.Email{StoreID: d.Case.StoreID, Kind: closeloop.KindRecheck, About: d.Case.CaseID, Message: m})
	if err != nil {
		// Left to the lease: the next run after it tries again.
		return err
	}
	switch result {
	case mailing.Suppressed:
		return r.skip(ctx, d.Case, lease, closeloop.RecheckSuppressed, rep)
	case mailing.Rejected:
		return r.skip(ctx, d.Case, lease, closeloop.RecheckRejected, rep)
	}
	// Sent now, or before a crash (Duplicate): either way it is out.
	sent, err := r.rechecks.MarkRecheckSent(ctx, d.Case, lease, r.now().UTC(), store.Settings.Branding)
	switch {
	case err != nil:
		return err
	case sent:
		rep.Sent++
	default:
		rep.Lost++
	}
	return nil
}

func (r *Rechecker) skip(ctx context.Context, c closeloop.Case, mark, reason string, rep *RecheckReport) error {
	done, err := r.rechecks.SkipRecheck(ctx, c, mark, reason)
	switch {
	case err != nil:
		return err
	case done:
		rep.Skipped++
		slog.InfoContext(ctx, "recovery check not sent", "case_id", c.CaseID, "reason", reason)
	default:
		rep.Lost++
	}
	return nil
}

// RecheckURL is the address of the recovery check's page for token; the
// email's links add ?answer=yes or no.
func RecheckURL(baseURL, token string) string { return baseURL + "/r/" + token }

// RecheckStore is what the customer's recovery check page needs of the
// storage. The DynamoDB adapter implements it.
type RecheckStore interface {
	RecheckTokens(ctx context.Context, caseID string) (closeloop.Case, []string, error)
	AnswerRecheck(ctx context.Context, c closeloop.Case, a closeloop.RecheckAnswer, at time.Time) (closeloop.Case, bool, error)
}

// RecheckState is what a recovery check link shows.
type RecheckState int

// The states of a recovery check link.
const (
	RecheckClosed   RecheckState = iota // unknown or not a sent check: the neutral page
	RecheckOpen                         // the form
	RecheckAnswered                     // answered before: the thank-you
	RecheckRecorded                     // answered just now: the thank-you
)

// RecheckAnswers is the customer's side of the recovery check: opening its
// link and answering it.
type RecheckAnswers struct {
	store RecheckStore
	now   func() time.Time
}

// NewRecheckAnswers returns RecheckAnswers; now is the clock.
func NewRecheckAnswers(store RecheckStore, now func() time.Time) *RecheckAnswers {
	return &RecheckAnswers{store: store, now: now}
}

// Open finds the case of a recovery check link. It never writes: mail
// scanners follow links before customers do.
func (s *RecheckAnswers) Open(ctx context.Context, token string) (closeloop.Case, RecheckState, error) {
	caseID, hash, ok := secret.ParseToken(token)
	if !ok {
		return closeloop.Case{}, RecheckClosed, nil
	}
	c, hashes, err := s.store.RecheckTokens(ctx, caseID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return closeloop.Case{}, RecheckClosed, nil
	}
	if err != nil {
		return closeloop.Case{}, RecheckClosed, err
	}
	if !secret.TokenIn(hash, hashes) || c.Recheck == nil || c.Recheck.SentAt == nil {
		return closeloop.Case{}, RecheckClosed, nil
	}
	if c.RecheckAnswered() {
		return c, RecheckAnswered, nil
	}
	return c, RecheckOpen, nil
}

// Answer records the answer posted through a recovery check link: "no"
// reopens the case with a new SLA period. A form with problems writes
// nothing and returns them; a second answer changes nothing and returns
// the case as first answered, RecheckAnswered (RecheckRecorded when this
// one counted): one read and one write.
func (s *RecheckAnswers) Answer(ctx context.Context, token string, f closeloop.RecheckForm) (closeloop.Case, RecheckState, closeloop.Problems, error) {
	c, state, err := s.Open(ctx, token)
	if err != nil || state != RecheckOpen {
		return c, state, nil, err
	}
	a, problems := f.Parse()
	if len(problems) > 0 {
		return c, RecheckOpen, problems, nil
	}
	after, recorded, err := s.store.AnswerRecheck(ctx, c, a, s.now().UTC().Truncate(time.Millisecond))
	switch {
	case err != nil:
		return c, RecheckOpen, nil, err
	case recorded:
		return after, RecheckRecorded, nil, nil
	}
	return after, RecheckAnswered, nil, nil
}
