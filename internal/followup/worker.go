package followup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sqsbatch"
)

// The tasks the follow-up queue carries.
const (
	TaskOpened   = "opened"   // alert support and acknowledge the customer
	TaskResolved = "resolved" // send the customer the closing email
)

// Task is one message of the follow-up queue.
type Task struct {
	Type    string `json:"type"`
	StoreID string `json:"store_id"`
	CaseID  string `json:"case_id"`
	// ResolvedAt names the resolution a closing email is for: a case
	// reopened and resolved again gets another.
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// CaseReader reads cases.
type CaseReader interface {
	Case(ctx context.Context, storeID, caseID string) (closeloop.Case, error)
}

// Stores reads store settings.
type Stores interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
}

// Mail sends an email once (mailing.Sender).
type Mail interface {
	Send(ctx context.Context, e mailing.Email) (mailing.Result, error)
}

// MailConfig is what composing case emails needs besides the store.
type MailConfig struct {
	PublicBaseURL string // the dashboard's case pages live under it
	DefaultSender string // the From address when a store sets none

	// Customer replies: with ReplyDomain set, each case email to the
	// customer has Reply-To a signed reply address there
	// (closeloop.ReplyAddress), good for closeloop.ReplyTokenTTL from Now.
	ReplyDomain string
	Now         func() time.Time // nil: time.Now
}

// Worker sends the emails of a case: on its opening the alert to support
// and the acknowledgement to the customer, on its resolution the closing
// email when support asked for one. Each email goes out once however often
// its message is delivered.
type Worker struct {
	cases    CaseReader
	stores   Stores
	mail     Mail
	renderer *render.Renderer
	cfg      MailConfig

	// The alert channels and modes besides email (alerts.go, WithAlerts).
	slack  Slack
	hourly HourlyAlerts
	now    func() time.Time
}

// NewWorker returns a Worker.
func NewWorker(cases CaseReader, stores Stores, mail Mail, renderer *render.Renderer, cfg MailConfig) *Worker {
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Worker{cases: cases, stores: stores, mail: mail, renderer: renderer, cfg: cfg, now: cfg.Now}
}

// Handle processes a batch from the follow-up queue and reports the
// messages that failed, to be received again after their visibility
// timeout (and parked in the DLQ after five tries).
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return sqsbatch.Each(ctx, ev, "follow-up task failed", func(ctx context.Context, m events.SQSMessage) error {
		return w.handleMessage(ctx, m.Body)
	}), nil
}

func (w *Worker) handleMessage(ctx context.Context, body string) error {
	var t Task
	if err := json.Unmarshal([]byte(body), &t); err != nil || t.StoreID == "" || t.CaseID == "" {
		// It can never succeed: let it reach the DLQ, where it can be read.
		return fmt.Errorf("not a follow-up task: %v", err)
	}
	return w.Process(ctx, t)
}

// Process does one task.
// The case and its store are read at once.
func (w *Worker) Process(ctx context.Context, t Task) error {
	var (
		wg       sync.WaitGroup
		store    closeloop.Store
		storeErr error
	)
	wg.Go(func() { store, storeErr = w.stores.Store(ctx, t.StoreID) })
	c, err := w.cases.Case(ctx, t.StoreID, t.CaseID)
	wg.Wait()
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		slog.WarnContext(ctx, "follow-up task for a case that does not exist", "case_id", t.CaseID)
		return nil
	}
	if err != nil {
		return err
	}
	if storeErr != nil {
		return storeErr
	}
	switch t.Type {
	case TaskOpened:
		return w.opened(ctx, c, store)
	case TaskResolved:
		return w.resolved(ctx, c, store, t.ResolvedAt)
	}
	return fmt.Errorf("unknown follow-up task %q", t.Type)
}

// opened alerts support and acknowledges the customer. The customer's
// acknowledgement goes out even when support resolved the case first: it
// is the answer to their complaint. Support is not alerted about a case
// already resolved. The alert and the acknowledgement go out at once.
func (w *Worker) opened(ctx context.Context, c closeloop.Case, store closeloop.Store) error {
	var (
		wg       sync.WaitGroup
		alertErr error
	)
	if c.Status != closeloop.CaseResolved {
		wg.Go(func() { alertErr = w.alertOpened(ctx, c, store) })
	}
	ack, err := w.renderer.RenderEmail(render.NewAcknowledgement(c, store.Settings.Branding))
	if err == nil {
		err = w.toCustomer(ctx, c, store, closeloop.KindAcknowledgment, c.CaseID, ack)
	}
	wg.Wait()
	return errors.Join(alertErr, err)
}

// resolved sends the closing email of the resolution at resolvedAt, when
// the case still stands resolved by it and support asked to notify.
func (w *Worker) resolved(ctx context.Context, c closeloop.Case, store closeloop.Store, resolvedAt *time.Time) error {
	if c.Status != closeloop.CaseResolved || !c.NotifyCustomer || c.ResolvedAt == nil ||
		resolvedAt == nil || !c.ResolvedAt.Equal(*resolvedAt) {
		return nil // reopened or resolved again since: that resolution has its own task
	}
	email, err := w.renderer.RenderEmail(render.NewClosingEmail(c, store.Settings.Branding))
	if err != nil {
		return err
	}
	return w.toCustomer(ctx, c, store, closeloop.KindClosing, c.CaseID+"@"+c.ResolvedAt.UTC().Format(time.RFC3339Nano), email)
}

// alert sends a support alert to each of the store's support addresses,
// with Reply-To the customer so that support can answer them directly.
func (w *Worker) alert(ctx context.Context, c closeloop.Case, store closeloop.Store, data render.SupportAlert, kind, about string) error {
	email, err := w.renderer.RenderEmail(data)
	if err != nil {
		return err
	}
	to := store.Settings.SupportAddresses()
	if len(to) == 0 {
		slog.WarnContext(ctx, "store has no support, reply-to or owner address: follow-up alert not sent", "store_id", c.StoreID, "case_id", c.CaseID)
		return nil
	}
	// One email per address, sent at once.
	errs := make([]error, len(to))
	var wg sync.WaitGroup
	for i, addr := range to {
		wg.Go(func() {
			errs[i] = w.send(ctx, c, kind, about, closeloop.Message{
				From: store.From(w.cfg.DefaultSender), To: addr, ReplyTo: []string{c.Customer.Email},
				Subject: email.Subject, HTML: email.HTML, Text: email.Text,
			})
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// toCustomer sends a case email to the customer, with Reply-To the case's
// reply address, so that their reply lands on the case, or else the
// store's support address, so that it reaches a person.
func (w *Worker) toCustomer(ctx context.Context, c closeloop.Case, store closeloop.Store, kind, about string, email render.Email) error {
	m := closeloop.Message{
		From: store.From(w.cfg.DefaultSender), To: c.Customer.Email,
		Subject: email.Subject, HTML: email.HTML, Text: email.Text,
	}
	if addr, ok := closeloop.ReplyAddress(store, c.CaseID, w.cfg.ReplyDomain, w.cfg.Now()); ok {
		m.ReplyTo = []string{addr}
	} else if store.Settings.ReplyTo != "" {
		m.ReplyTo = []string{store.Settings.ReplyTo}
	}
	return w.send(ctx, c, kind, about, m)
}

func (w *Worker) send(ctx context.Context, c closeloop.Case, kind, about string, m closeloop.Message) error {
	m.Tags = []closeloop.Tag{{Name: "case", Value: c.CaseID}, {Name: "survey", Value: c.SurveyID}}
	result, err := w.mail.Send(ctx, mailing.Email{StoreID: c.StoreID, Kind: kind, About: about, Message: m})
	if err != nil {
		return err
	}
	if result != mailing.Sent {
		slog.InfoContext(ctx, "case email not sent", "kind", kind, "case_id", c.CaseID, "result", result.String())
	}
	return nil
}
