// Package dispatch sends the survey emails that are due. Each survey is
// claimed with a conditional write and a lease before its email is sent and
// marked sent after, so overlapping runs never send one survey twice; a
// crash between the send and the mark can resend once after the lease runs
// out (SES has no idempotency key), never more than once per lease.
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/secret"
)

// Surveys is the storage dispatch works on. The DynamoDB adapter implements it.
type Surveys interface {
	DueSurveys(ctx context.Context, now time.Time, limit int) ([]closeloop.DueSurvey, error)
	Claim(ctx context.Context, due closeloop.DueSurvey, leaseUntil time.Time, tokenHash, unsubscribeHash string) (closeloop.Lease, closeloop.ClaimResult, error)
	MarkSent(ctx context.Context, lease closeloop.Lease, sentAt, nextDue time.Time, brand closeloop.Branding, defaultLocale string) (bool, error)
	EndReminder(ctx context.Context, lease closeloop.Lease, remindedAt *time.Time, closesAt time.Time) (bool, error)
	MarkFailed(ctx context.Context, lease closeloop.Lease, reason string) (bool, error)
	Retry(ctx context.Context, lease closeloop.Lease, retryAt time.Time) (bool, error)
	Expire(ctx context.Context, due closeloop.DueSurvey) (bool, error)
}

// Stores reads store settings.
type Stores interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
}

// Config is what a Dispatcher needs besides its ports.
type Config struct {
	PublicBaseURL string        // where the survey pages are served, e.g. https://feedback.example.com
	DefaultSender string        // the From address when a store sets none
	Lease         time.Duration // how long a claim holds a survey
	Batch         int           // most surveys per shard per run
	// Reserve is the time left before the run's deadline at which it stops
	// taking new surveys, so that a claimed survey is always finished.
	Reserve time.Duration
}

// Dispatcher sends due surveys.
type Dispatcher struct {
	surveys  Surveys
	stores   Stores
	mailer   closeloop.Mailer
	renderer *render.Renderer
	cfg      Config
	now      func() time.Time
}

// New returns a Dispatcher.
func New(surveys Surveys, stores Stores, mailer closeloop.Mailer, renderer *render.Renderer, cfg Config, now func() time.Time) *Dispatcher {
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.Reserve <= 0 {
		cfg.Reserve = 5 * time.Second
	}
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	return &Dispatcher{surveys: surveys, stores: stores, mailer: mailer, renderer: renderer, cfg: cfg, now: now}
}

// Report counts what one run did.
type Report struct {
	Due        int `json:"due"`
	Sent       int `json:"sent"`
	Reminded   int `json:"reminded"`   // reminders sent for unanswered surveys
	Skipped    int `json:"skipped"`    // claimed by another run, or changed since read
	Suppressed int `json:"suppressed"` // the customer unsubscribed or bounced
	Expired    int `json:"expired"`    // answer window over, unanswered
	Failed     int `json:"failed"`     // refused for good, marked failed
	Retried    int `json:"retried"`    // a passing failure, due again later
	Deferred   int `json:"deferred"`   // left for the next run: the deadline came near
}

// Run sends every survey due now, each store's at most at its maximum send
// rate, and expires the sent ones whose answer window closed. One survey's
// failure does not stop the others; the error returned is the first that
// prevented work entirely. It stops taking surveys when ctx's deadline is
// near; they stay due for the next run.
func (d *Dispatcher) Run(ctx context.Context) (Report, error) {
	var rep Report
	due, err := d.surveys.DueSurveys(ctx, d.now(), d.cfg.Batch)
	if err != nil {
		return rep, err
	}
	rep.Due = len(due)
	run := &run{Dispatcher: d, rep: &rep, storeCache: map[string]closeloop.Store{}, pace: newPacer()}
	for i, item := range due {
		if ctx.Err() != nil || d.nearDeadline(ctx) {
			rep.Deferred += len(due) - i
			break
		}
		var err error
		if item.Survey.Status == closeloop.StatusSent && !d.now().Before(item.Survey.ClosesAt) {
			err = run.expire(ctx, item)
		} else {
			err = run.send(ctx, item) // a first send, or a sent survey's reminder
		}
		if err != nil {
			slog.ErrorContext(ctx, "dispatch survey", "survey_id", item.Survey.SurveyID, "err", err)
		}
	}
	return rep, nil
}

func (d *Dispatcher) nearDeadline(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < d.cfg.Reserve
}

// run is the state of one Run: its report, the stores read so far and the
// send pacing.
type run struct {
	*Dispatcher
	rep        *Report
	storeCache map[string]closeloop.Store
	pace       *pacer
}

func (r *run) store(ctx context.Context, storeID string) (closeloop.Store, error) {
	if store, ok := r.storeCache[storeID]; ok {
		return store, nil
	}
	store, err := r.stores.Store(ctx, storeID)
	if err == nil {
		r.storeCache[storeID] = store
	}
	return store, err
}

func (r *run) expire(ctx context.Context, due closeloop.DueSurvey) error {
	expired, err := r.surveys.Expire(ctx, due)
	if expired {
		r.rep.Expired++
	} else if err == nil {
		r.rep.Skipped++
	}
	return err
}

// send sends a due survey's email: its first, or for a sent survey still
// open, its one reminder.
func (r *run) send(ctx context.Context, due closeloop.DueSurvey) error {
	s := due.Survey
	reminder := s.Status == closeloop.StatusSent
	store, err := r.store(ctx, s.StoreID)
	if err != nil {
		return fmt.Errorf("load store: %w", err) // nothing claimed: the survey stays due
	}
	token, hash := secret.NewToken(s.SurveyID)
	unsubscribe, unsubscribeHash := secret.NewToken(s.SurveyID)
	lease, result, err := r.surveys.Claim(ctx, due, r.now().Add(r.cfg.Lease), hash, unsubscribeHash)
	switch {
	case err != nil:
		return fmt.Errorf("claim: %w", err)
	case result == closeloop.Lost:
		r.rep.Skipped++
		return nil
	case result == closeloop.Suppressed:
		r.rep.Suppressed++
		return nil
	}
	msg, err := r.message(s, store, token, unsubscribe, reminder)
	if err != nil {
		return err // the lease runs out and the survey comes back
	}
	// Pace right before the send, so SES sees the store's rate. The wait is
	// at most 10 s (the lowest rate is 0.1/s), far inside the lease.
	if err := r.pace.wait(ctx, s.StoreID, store.Settings.MaxSendPerSecond); err != nil {
		r.rep.Deferred++
		_, err := r.surveys.Retry(context.WithoutCancel(ctx), lease, r.now())
		return err
	}
	if _, err := r.mailer.Send(ctx, msg); err != nil {
		switch {
		case errors.Is(err, closeloop.ErrRejected) && reminder:
			r.rep.Failed++
			_, markErr := r.surveys.EndReminder(ctx, lease, nil, s.ClosesAt) // the survey itself stays open
			return errors.Join(err, markErr)
		case errors.Is(err, closeloop.ErrRejected):
			r.rep.Failed++
			_, markErr := r.surveys.MarkFailed(ctx, lease, closeloop.ReasonRejected)
			return errors.Join(err, markErr)
		}
		r.rep.Retried++
		_, markErr := r.surveys.Retry(ctx, lease, r.now().Add(time.Minute))
		return errors.Join(fmt.Errorf("send: %w", err), markErr)
	}
	now := r.now()
	var held bool
	if reminder {
		held, err = r.surveys.EndReminder(ctx, lease, &now, s.ClosesAt)
		r.rep.Reminded++
	} else {
		held, err = r.surveys.MarkSent(ctx, lease, now, nextDue(now, s.ClosesAt, store.Settings), store.Settings.Branding, store.Settings.DefaultLocale)
		r.rep.Sent++
	}
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	if !held {
		slog.WarnContext(ctx, "lease lost before mark sent: the email may be sent again, or the survey was answered meanwhile", "survey_id", s.SurveyID)
	}
	return nil
}

// nextDue is when a survey just sent needs the dispatcher again: for its
// reminder, when the store sends one and it falls a day or more before
// the survey closes; else when it closes, to expire.
func nextDue(sentAt, closesAt time.Time, set closeloop.Settings) time.Time {
	if set.ReminderAfterHours > 0 {
		remindAt := sentAt.Add(time.Duration(set.ReminderAfterHours) * time.Hour)
		if !remindAt.After(closesAt.Add(-24 * time.Hour)) {
			return remindAt
		}
	}
	return closesAt
}

// message composes the survey email of s.
func (d *Dispatcher) message(s closeloop.Survey, store closeloop.Store, token, unsubscribe string, reminder bool) (closeloop.Message, error) {
	set := store.Settings
	unsubscribeURL := d.cfg.PublicBaseURL + "/u/" + unsubscribe
	data := render.NewSurveyEmail(s, set.Branding, set.DefaultLocale, d.cfg.PublicBaseURL+"/s/"+token, unsubscribeURL)
	if reminder {
		data = data.AsReminder()
	}
	email, err := d.renderer.RenderSurveyEmail(data)
	if err != nil {
		return closeloop.Message{}, err
	}
	m := closeloop.Message{
		From:    set.From(d.cfg.DefaultSender),
		To:      s.Customer.Email,
		Subject: email.Subject,
		HTML:    email.HTML,
		Text:    email.Text,
		// RFC 8058 one-click unsubscribe: mail clients show an unsubscribe
		// button and POST the body to the URL.
		Headers: []closeloop.Header{
			{Name: "List-Unsubscribe", Value: "<" + unsubscribeURL + ">"},
			{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
		},
	}
	if set.ReplyTo != "" {
		m.ReplyTo = []string{set.ReplyTo}
	}
	return m, nil
}
