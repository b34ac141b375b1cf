// Package relay turns what the table's stream says happened into the work
// that follows, each piece idempotent so that a redelivered record does
// nothing twice: a new response without a case gets the thank-you email
// announcing the points; a new case goes to the follow-up queue; a case
// resolved with "notify the customer" goes there too, for the closing
// email; every event a store can subscribe to goes to the webhook queue;
// and sends, answers and cases are counted per product.
package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
)

// Stores reads store settings.
type Stores interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
}

// Mail sends an email once (mailing.Sender).
type Mail interface {
	Send(ctx context.Context, e mailing.Email) (mailing.Result, error)
}

// Counters applies products' counters once per fact: each change's
// Products under its Mark.
type Counters interface {
	AddProductFacts(ctx context.Context, facts []closeloop.Change) error
}

// Queue takes messages for a worker (an SQS queue).
type Queue interface {
	Send(ctx context.Context, v any) error
}

// Decode reads a stream record; ok is false for a record the relay has no
// work for. The DynamoDB adapter's DecodeChange is one.
type Decode func(events.DynamoDBEventRecord) (c closeloop.Change, ok bool, err error)

// Config is what the relay needs besides its ports.
type Config struct {
	DefaultSender string        // the From address when a store sets none
	StoreTTL      time.Duration // how long a store's settings are reused (default 30 s)
}

// Relay handles the table's stream.
type Relay struct {
	decode    Decode
	counters  Counters
	stores    *storeCache
	mail      Mail
	followups Queue
	webhooks  Queue
	renderer  *render.Renderer
	cfg       Config
	now       func() time.Time
}

// New returns a Relay.
func New(decode Decode, counters Counters, stores Stores, mail Mail, followups, webhooks Queue, renderer *render.Renderer, cfg Config, now func() time.Time) *Relay {
	if cfg.StoreTTL <= 0 {
		cfg.StoreTTL = 30 * time.Second
	}
	return &Relay{
		decode: decode, counters: counters, stores: &storeCache{stores: stores, ttl: cfg.StoreTTL, now: now, entries: map[string]cachedStore{}},
		mail: mail, followups: followups, webhooks: webhooks, renderer: renderer, cfg: cfg, now: now,
	}
}

// Handle processes a batch of stream records in order. At the first record
// that fails it stops and reports that record: Lambda retries the batch
// from it (the records before are done), so the order of one shard holds.
// Products' counters stay out of the customer's transaction (an order may
// hold 50 products): the batch's are applied first, all together
// (Counters.AddProductFacts), once per fact; when that fails, the records
// before the first with products are still handled, and that one is
// reported.
func (r *Relay) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	changes := make([]*closeloop.Change, len(ev.Records))
	failAt, failErr := len(ev.Records), error(nil)
	var facts []closeloop.Change
	firstFact := -1
	for i, rec := range ev.Records {
		c, err := r.change(rec)
		if err != nil {
			failAt, failErr = i, err
			break
		}
		changes[i] = c
		if c != nil && len(c.Products) > 0 {
			facts = append(facts, *c)
			if firstFact < 0 {
				firstFact = i
			}
		}
	}
	if len(facts) > 0 {
		if err := r.counters.AddProductFacts(ctx, facts); err != nil {
			failAt, failErr = firstFact, err
		}
	}
	for i := range failAt {
		if changes[i] == nil {
			continue
		}
		if err := r.work(ctx, *changes[i]); err != nil {
			failAt, failErr = i, err
			break
		}
	}
	if failErr != nil {
		rec := ev.Records[failAt]
		slog.ErrorContext(ctx, "stream record failed", "event_id", rec.EventID, "err", failErr)
		resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: rec.Change.SequenceNumber}}
	}
	return resp, nil
}

// change decodes what a record says happened; nil when the relay has no
// work for it.
func (r *Relay) change(rec events.DynamoDBEventRecord) (*closeloop.Change, error) {
	// The event source mapping filters in AWS; nothing filters locally.
	if !Wanted(rec) {
		return nil, nil
	}
	change, ok, err := r.decode(rec)
	if err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	if !ok {
		return nil, nil
	}
	return &change, nil
}

// work is what follows a change besides its products' counters.
func (r *Relay) work(ctx context.Context, change closeloop.Change) error {
	switch {
	case change.Response != nil:
		return r.response(ctx, *change.Response)
	case change.Case != nil && change.Resolved:
		return r.resolved(ctx, *change.Case)
	case change.Case != nil:
		return r.opened(ctx, *change.Case)
	}
	return nil
}

// response sends the thank-you when the answer opened no case (the case's
// acknowledgement names the points instead: a customer never gets both),
// and the store's response and points events.
func (r *Relay) response(ctx context.Context, resp closeloop.ResponseItem) error {
	store, err := r.stores.get(ctx, resp.StoreID)
	if err != nil {
		return err
	}
	// The thank-you and the events are independent: sent at once.
	var (
		wg       sync.WaitGroup
		thankErr error
		errs     []error
	)
	if resp.CaseID == "" {
		wg.Go(func() { thankErr = r.thank(ctx, resp, store) })
	}
	if store.Webhooks() {
		events := []event{{closeloop.EventResponseCreated, resp.SurveyID, resp.AnsweredAt, resp}}
		if resp.Points > 0 {
			events = append(events, event{closeloop.EventPointsAwarded, resp.SurveyID, resp.AnsweredAt, pointsAwarded{
				SurveyID: resp.SurveyID, OrderID: resp.OrderID, Email: resp.Customer.Email,
				Points: resp.Points, Reason: "survey_answered", At: resp.AnsweredAt,
			}})
		}
		errs = append(errs, r.publish(ctx, store.StoreID, events...))
	}
	wg.Wait()
	return errors.Join(append(errs, thankErr)...)
}

// pointsAwarded is the data of a points.awarded event.
type pointsAwarded struct {
	SurveyID string    `json:"survey_id"`
	OrderID  string    `json:"order_id"`
	Email    string    `json:"email"`
	Points   int       `json:"points"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

func (r *Relay) thank(ctx context.Context, resp closeloop.ResponseItem, store closeloop.Store) error {
	set := store.Settings
	email, err := r.renderer.RenderEmail(render.NewThanksEmail(resp.Customer, resp.OrderID, resp.Points, set.Branding, set.DefaultLocale).WithStoreTexts(set.Texts, resp.Items))
	if err != nil {
		return err
	}
	m := closeloop.Message{
		From: store.From(r.cfg.DefaultSender), To: resp.Customer.Email,
		Subject: email.Subject, HTML: email.HTML, Text: email.Text,
		Tags: []closeloop.Tag{{Name: "survey", Value: resp.SurveyID}},
	}
	if set.ReplyTo != "" {
		m.ReplyTo = []string{set.ReplyTo}
	}
	result, err := r.mail.Send(ctx, mailing.Email{StoreID: resp.StoreID, Kind: closeloop.KindThanks, About: resp.SurveyID, Message: m})
	if err == nil && result != mailing.Sent {
		slog.InfoContext(ctx, "thank-you not sent", "survey_id", resp.SurveyID, "result", result.String())
	}
	return err
}

// opened hands a new case to the follow-up worker and tells the store.
// The two are independent: sent at once.
func (r *Relay) opened(ctx context.Context, c closeloop.Case) error {
	var (
		wg      sync.WaitGroup
		taskErr error
	)
	wg.Go(func() {
		if err := r.followups.Send(ctx, followup.Task{Type: followup.TaskOpened, StoreID: c.StoreID, CaseID: c.CaseID}); err != nil {
			taskErr = fmt.Errorf("queue follow-up: %w", err)
		}
	})
	eventErr := r.caseEvent(ctx, c, closeloop.EventFollowupOpened, c.OpenedAt)
	wg.Wait()
	return errors.Join(taskErr, eventErr)
}

// resolved asks the worker for the closing email when support asked to
// notify the customer, and tells the store.
func (r *Relay) resolved(ctx context.Context, c closeloop.Case) error {
	if c.NotifyCustomer && c.ResolvedAt != nil {
		task := followup.Task{Type: followup.TaskResolved, StoreID: c.StoreID, CaseID: c.CaseID, ResolvedAt: c.ResolvedAt}
		if err := r.followups.Send(ctx, task); err != nil {
			return fmt.Errorf("queue closing email: %w", err)
		}
	}
	if c.ResolvedAt == nil {
		return nil
	}
	return r.caseEvent(ctx, c, closeloop.EventFollowupResolved, *c.ResolvedAt)
}

func (r *Relay) caseEvent(ctx context.Context, c closeloop.Case, typ string, version time.Time) error {
	store, err := r.stores.get(ctx, c.StoreID)
	if err != nil {
		return err
	}
	if !store.Webhooks() {
		return nil
	}
	return r.publish(ctx, c.StoreID, event{typ, c.CaseID, version, closeloop.NewCaseView(c, r.now())})
}

// event is a webhook event to publish: its type, the entity it is about
// and the time of the fact (which with them makes its ID), and its data.
type event struct {
	typ     string
	entity  string
	version time.Time
	data    any
}

// publish puts events on the webhook queue. An event's ID follows from
// the fact, so a redelivered record queues the same IDs again and the
// webhook worker delivers each once.
func (r *Relay) publish(ctx context.Context, storeID string, evs ...event) error {
	for _, e := range evs {
		ev, err := closeloop.NewEvent(e.typ, storeID, e.entity, e.version, e.version, e.data)
		if err != nil {
			return err
		}
		if err := r.webhooks.Send(ctx, ev); err != nil {
			return fmt.Errorf("queue webhook event: %w", err)
		}
	}
	return nil
}

// storeCache keeps stores' settings for a short while: a batch of records
// is mostly one store's, and settings change rarely.
type storeCache struct {
	stores  Stores
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]cachedStore
}

type cachedStore struct {
	store closeloop.Store
	at    time.Time
}

func (c *storeCache) get(ctx context.Context, storeID string) (closeloop.Store, error) {
	c.mu.Lock()
	e, ok := c.entries[storeID]
	c.mu.Unlock()
	if ok && c.now().Sub(e.at) < c.ttl {
		return e.store, nil
	}
	store, err := c.stores.Store(ctx, storeID)
	if err != nil {
		return closeloop.Store{}, err
	}
	c.mu.Lock()
	c.entries[storeID] = cachedStore{store: store, at: c.now()}
	c.mu.Unlock()
	return store, nil
}
