package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Stores reads a store's settings and signing secrets.
type Stores interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
}

// Deliveries remembers which events reached their store, so that a
// message SQS hands out again after a success is not sent twice.
type Deliveries interface {
	Delivered(ctx context.Context, eventID string) (bool, error)
	MarkDelivered(ctx context.Context, eventID string, at time.Time) error
}

// Visibility hides a received message for a while; the SQS adapter
// implements it with ChangeMessageVisibility.
type Visibility interface {
	ChangeVisibility(ctx context.Context, receiptHandle string, d time.Duration) error
}

// UserAgent names the sender in each delivery.
const UserAgent = "closeloop-webhooks/1"

// The headers of a delivery besides Content-Type, User-Agent and
// SignatureHeader.
const (
	EventIDHeader   = "Closeloop-Event-Id"
	EventTypeHeader = "Closeloop-Event-Type"
)

// maxBackoff is the longest a failed message is hidden. SQS refuses a
// visibility that would end more than 12 h after the message was received,
// and a few seconds have passed since then: the margin keeps the call
// valid. Should it fail anyway, the queue's own timeout brings it back.
const maxBackoff = 12*time.Hour - 5*time.Minute

// maxConcurrent bounds the deliveries in flight in one batch, so that a
// large batch does not open hundreds of connections at once.
const maxConcurrent = 10

// Config is what a Worker needs besides its ports.
type Config struct {
	// Base is the delay after a first failed delivery; each further one
	// doubles it. 30 s in production, about 1 s in tests.
	Base time.Duration
	// Client configures the delivery client.
	Client ClientConfig
}

// Worker delivers the events of the webhook queue.
type Worker struct {
	stores     Stores
	deliveries Deliveries
	visibility Visibility
	client     *http.Client
	base       time.Duration
	now        func() time.Time
}

// New returns a Worker. A Base of 0 means 30 s.
func New(stores Stores, deliveries Deliveries, visibility Visibility, cfg Config, now func() time.Time) *Worker {
	if cfg.Base <= 0 {
		cfg.Base = 30 * time.Second
	}
	return &Worker{
		stores: stores, deliveries: deliveries, visibility: visibility,
		client: NewClient(cfg.Client), base: cfg.Base, now: now,
	}
}

// Handle delivers a batch of webhook messages and reports the ones to
// receive again (partial batch response; the event source mapping needs
// ReportBatchItemFailures). It returns no error of its own: one failing
// store must not make the other stores' events go round again.
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	failed := make([]bool, len(ev.Records))
	slots := make(chan struct{}, maxConcurrent)
	var wg sync.WaitGroup
	for i, msg := range ev.Records {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			failed[i] = !w.handle(ctx, msg)
		})
	}
	wg.Wait()
	var resp events.SQSEventResponse
	for i, msg := range ev.Records {
		if failed[i] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

// handle processes one message and reports whether it is done with.
func (w *Worker) handle(ctx context.Context, msg events.SQSMessage) bool {
	attempt := receiveCount(msg)
	event, err := decodeEvent(msg.Body)
	if err != nil {
		// A body that is not an event is reported as failed, not dropped:
		// it can never be delivered as it is, but the likely cause is a
		// relay and a worker of different versions, which a deploy fixes.
		// After the queue's maxReceiveCount it is parked in the DLQ, to
		// be read and redriven, where a drop would lose the event. Its
		// visibility is left alone: there is no point retrying it sooner.
		// The body is never logged: it holds customers' answers.
		slog.ErrorContext(ctx, "webhook message is not an event: left for the dead-letter queue",
			"message_id", msg.MessageId, "receive_count", attempt, "problem", err)
		return false
	}
	logger := slog.With("message_id", msg.MessageId, "event_id", event.EventID, "event_type", event.Type,
		"store_id", event.StoreID, "receive_count", attempt)

	store, err := w.stores.Store(ctx, event.StoreID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		logger.InfoContext(ctx, "webhook event dropped: the store no longer exists")
		return true
	}
	if err != nil {
		return w.retry(ctx, logger, msg, attempt, "read store", err)
	}
	if !store.Webhooks() {
		logger.InfoContext(ctx, "webhook event dropped: the store has no webhook URL or secret")
		return true
	}
	done, err := w.deliveries.Delivered(ctx, event.EventID)
	if err != nil {
		return w.retry(ctx, logger, msg, attempt, "read delivery mark", err)
	}
	if done {
		logger.InfoContext(ctx, "webhook event already delivered")
		return true
	}
	target, err := url.Parse(store.Settings.WebhookURL)
	if err != nil {
		// Settings validation makes this unreachable; the store may fix
		// its URL before the retries run out.
		return w.retry(ctx, logger, msg, attempt, "parse webhook URL", errors.New("the URL does not parse"))
	}
	logger = logger.With("host", target.Host)
	status, err := w.post(ctx, target, store.WebhookSecrets.Signing(w.now()), event)
	if err != nil {
		return w.retry(ctx, logger, msg, attempt, "deliver", err)
	}
	if status < 200 || status > 299 {
		return w.retry(ctx, logger, msg, attempt, "deliver", fmt.Errorf("the store answered %d", status))
	}
	if err := w.deliveries.MarkDelivered(ctx, event.EventID, w.now()); err != nil {
		// The store has the event: a retry would only send it again. Only
		// a duplicate of this message can still redeliver it.
		logger.ErrorContext(ctx, "webhook delivered but not marked", "err", err)
		return true
	}
	logger.InfoContext(ctx, "webhook delivered", "status", status)
	return true
}

// retry hides the message for its backoff so that SQS hands it out again
// later, and reports it failed.
func (w *Worker) retry(ctx context.Context, logger *slog.Logger, msg events.SQSMessage, attempt int, op string, cause error) bool {
	d := backoff(w.base, attempt)
	logger.WarnContext(ctx, "webhook delivery failed: retrying", "op", op, "err", cause, "retry_in", d.String())
	// The delivery may have failed because ctx ran out; the backoff must
	// still be set, or the message comes back at the queue's default.
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	if err := w.visibility.ChangeVisibility(vctx, msg.ReceiptHandle, d); err != nil {
		logger.ErrorContext(ctx, "webhook backoff not set: the message comes back after the queue's visibility timeout", "err", err)
	}
	return false
}

// post sends the event and returns the status the store answered. The
// error never holds the URL (url.Error would print its query string,
// which may carry the store's own token).
func (w *Worker) post(ctx context.Context, target *url.URL, secrets []string, event closeloop.Event) (int, error) {
	// Re-encoded rather than forwarded, so only the contract's fields go
	// out; the encoding is the same on every attempt.
	body, err := json.Marshal(event)
	if err != nil {
		return 0, fmt.Errorf("encode event: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("the URL cannot be requested")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(SignatureHeader, Sign(secrets, w.now(), body))
	req.Header.Set(EventIDHeader, event.EventID)
	req.Header.Set(EventTypeHeader, event.Type)
	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, err
	}
	defer resp.Body.Close()
	// Read (a bounded part of) the answer so the connection can be reused;
	// its content is the store's and is never kept or logged.
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead))
	return resp.StatusCode, nil
}

// backoff is base × 2^(attempt−1), at most maxBackoff.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// receiveCount is the message's ApproximateReceiveCount, 1 when missing:
// the first attempt gets the base delay.
func receiveCount(msg events.SQSMessage) int {
	n, err := strconv.Atoi(msg.Attributes["ApproximateReceiveCount"])
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// decodeEvent reads a message body as an event. Its errors are written
// here rather than taken from encoding/json, which can quote the body.
func decodeEvent(body string) (closeloop.Event, error) {
	var e closeloop.Event
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		var timeErr *time.ParseError
		switch {
		case errors.As(err, &timeErr):
			return e, errors.New("created_at is not an RFC 3339 time")
		case errors.As(err, &typeErr):
			return e, fmt.Errorf("field %q has the wrong type", typeErr.Field)
		case errors.As(err, &syntaxErr):
			return e, fmt.Errorf("not JSON (at byte %d)", syntaxErr.Offset)
		default:
			return e, errors.New("not an event object")
		}
	}
	switch {
	case e.EventID == "":
		return e, errors.New("no id")
	case e.Type == "":
		return e, errors.New("no type")
	case e.StoreID == "":
		return e, errors.New("no store_id")
	case e.CreatedAt.IsZero():
		return e, errors.New("no created_at")
	case len(e.Data) == 0:
		return e, errors.New("no data")
	}
	return e, nil
}
