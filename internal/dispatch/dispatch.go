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
	"net/mail"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/secret"
)

// Surveys is the storage dispatch works on. The DynamoDB adapter implements it.
type Surveys interface {
	DueSurveys(ctx context.Context, now time.Time, limit int) ([]string, error)
	Claim(ctx context.Context, surveyID string, now, leaseUntil time.Time, tokenHash string) (closeloop.Survey, closeloop.Lease, bool, error)
	MarkSent(ctx context.Context, lease closeloop.Lease, sentAt time.Time, brand closeloop.Branding, defaultLocale string) (bool, error)
	MarkFailed(ctx context.Context, lease closeloop.Lease, reason string) (bool, error)
	Retry(ctx context.Context, lease closeloop.Lease, retryAt time.Time) (bool, error)
}

// Stores reads store settings.
type Stores interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
}

// Mailer sends one email and returns the provider's message ID.
type Mailer interface {
	Send(ctx context.Context, m closeloop.Message) (string, error)
}

// ErrRejected marks a send the provider refused for good (a bad address,
// say): retrying would not help.
var ErrRejected = errors.New("rejected by the mail provider")

// Config is what a Dispatcher needs besides its ports.
type Config struct {
	PublicBaseURL string        // where the survey pages are served, e.g. https://feedback.example.com
	DefaultSender string        // the From address when a store sets none
	Lease         time.Duration // how long a claim holds a survey
	Batch         int           // most surveys per shard per run
}

// Dispatcher sends due surveys.
type Dispatcher struct {
	surveys  Surveys
	stores   Stores
	mailer   Mailer
	renderer *render.Renderer
	cfg      Config
	now      func() time.Time
}

// New returns a Dispatcher.
func New(surveys Surveys, stores Stores, mailer Mailer, renderer *render.Renderer, cfg Config, now func() time.Time) *Dispatcher {
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	return &Dispatcher{surveys: surveys, stores: stores, mailer: mailer, renderer: renderer, cfg: cfg, now: now}
}

// Report counts what one run did.
type Report struct {
	Due     int `json:"due"`
	Sent    int `json:"sent"`
	Skipped int `json:"skipped"` // claimed by another run, or no longer due
	Failed  int `json:"failed"`  // refused for good, marked failed
	Retried int `json:"retried"` // a passing failure, due again later
}

// Run sends every survey due now. One survey's failure does not stop the
// others; the error returned is the first that prevented work entirely.
func (d *Dispatcher) Run(ctx context.Context) (Report, error) {
	var rep Report
	ids, err := d.surveys.DueSurveys(ctx, d.now(), d.cfg.Batch)
	if err != nil {
		return rep, err
	}
	rep.Due = len(ids)
	stores := map[string]closeloop.Store{}
	for _, id := range ids {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if err := d.send(ctx, id, stores, &rep); err != nil {
			slog.ErrorContext(ctx, "dispatch survey", "survey_id", id, "err", err)
		}
	}
	return rep, nil
}

func (d *Dispatcher) send(ctx context.Context, surveyID string, stores map[string]closeloop.Store, rep *Report) error {
	now := d.now()
	token, hash := secret.NewToken(surveyID)
	s, lease, ok, err := d.surveys.Claim(ctx, surveyID, now, now.Add(d.cfg.Lease), hash)
	if err != nil {
		return fmt.Errorf("claim: %w", err)
	}
	if !ok {
		rep.Skipped++
		return nil
	}
	store, ok := stores[s.StoreID]
	if !ok {
		if store, err = d.stores.Store(ctx, s.StoreID); err != nil {
			return fmt.Errorf("load store: %w", err) // the lease runs out and the survey comes back
		}
		stores[s.StoreID] = store
	}
	msg, err := d.message(s, store, token)
	if err != nil {
		return err
	}
	if _, err := d.mailer.Send(ctx, msg); err != nil {
		if errors.Is(err, ErrRejected) {
			rep.Failed++
			_, markErr := d.surveys.MarkFailed(ctx, lease, "rejected: "+err.Error())
			return errors.Join(err, markErr)
		}
		rep.Retried++
		_, markErr := d.surveys.Retry(ctx, lease, d.now().Add(time.Minute))
		return errors.Join(fmt.Errorf("send: %w", err), markErr)
	}
	held, err := d.surveys.MarkSent(ctx, lease, d.now(), store.Settings.Branding, store.Settings.DefaultLocale)
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	if !held {
		slog.WarnContext(ctx, "lease lost before mark sent: the survey may be sent again", "survey_id", surveyID)
	}
	rep.Sent++
	return nil
}

// message composes the survey email of s.
func (d *Dispatcher) message(s closeloop.Survey, store closeloop.Store, token string) (closeloop.Message, error) {
	set := store.Settings
	data := render.NewSurveyEmail(s, set.Branding, set.DefaultLocale, d.cfg.PublicBaseURL+"/s/"+token, "")
	email, err := d.renderer.RenderSurveyEmail(data)
	if err != nil {
		return closeloop.Message{}, err
	}
	m := closeloop.Message{
		From:    sender(set, d.cfg.DefaultSender),
		To:      s.Customer.Email,
		Subject: email.Subject,
		HTML:    email.HTML,
		Text:    email.Text,
	}
	if set.ReplyTo != "" {
		m.ReplyTo = []string{set.ReplyTo}
	}
	return m, nil
}

// sender is the From of a store's emails: its sender address (or the
// deployment's) under its display name.
func sender(set closeloop.Settings, fallback string) string {
	addr := set.SenderEmail
	if addr == "" {
		addr = fallback
	}
	name := set.SenderName
	if name == "" {
		name = set.Branding.Name
	}
	return (&mail.Address{Name: name, Address: addr}).String()
}
