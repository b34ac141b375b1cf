package shophooks

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/sqsbatch"
	"github.com/closeloop/closeloop/internal/survey"
)

// Orders is what the worker asks of the survey service.
type Orders interface {
	Ingest(ctx context.Context, store closeloop.Store, orders []closeloop.Order, batch bool) ([]survey.Result, error)
	Cancel(ctx context.Context, storeID, orderID string) (closeloop.Survey, error)
	RecordEvent(ctx context.Context, store closeloop.Store, orderID string, e closeloop.OrderEvent) (closeloop.Survey, error)
}

// Marks remembers handled deliveries and counts skipped orders; the
// DynamoDB adapter implements it.
type Marks interface {
	HookDone(ctx context.Context, platform, storeID, deliveryID string) (bool, error)
	MarkHookDone(ctx context.Context, platform, storeID, deliveryID string, at time.Time) error
	CountHookSkip(ctx context.Context, storeID, reason string) error
}

// Surveys reads the survey of an order (a refund is compared with it).
type Surveys interface {
	OrderSurvey(ctx context.Context, storeID, orderID string) (closeloop.Survey, error)
}

// Privacy answers the platforms' privacy requests.
type Privacy interface {
	// MailExport emails the customer's export to the store's owners;
	// request names the platform's request (sent once per request).
	MailExport(ctx context.Context, store closeloop.Store, email, request string) error
	EraseCustomer(ctx context.Context, storeID, email string, at time.Time) (closeloop.Erasure, error)
	// EraseStore erases every customer of the store and disconnects
	// platform.
	EraseStore(ctx context.Context, store closeloop.Store, platform string, at time.Time) error
}

// DefaultEventAttempts is how often an event of an order not yet
// received is tried: the queue hands it back after its visibility
// timeout (180 s), so an order arriving within about 9 minutes of its
// fulfilment still gets it. Below the queue's maxReceiveCount (5), so
// that only real failures reach the DLQ.
const DefaultEventAttempts = 4

// Worker maps queued deliveries onto the product.
type Worker struct {
	stores        Stores
	marks         Marks
	surveys       Surveys
	orders        Orders
	privacy       Privacy
	eventAttempts int
	now           func() time.Time
}

// NewWorker returns a Worker; now is the clock.
func NewWorker(stores Stores, marks Marks, surveys Surveys, orders Orders, privacy Privacy, now func() time.Time) *Worker {
	return &Worker{stores: stores, marks: marks, surveys: surveys, orders: orders, privacy: privacy, eventAttempts: DefaultEventAttempts, now: now}
}

// errRetry asks for the message again later: the order of an event has
// not arrived yet.
var errRetry = fmt.Errorf("order not received yet: %w", sqsbatch.ErrLater)

// Handle handles a batch one message at a time and reports the ones to
// receive again (partial batch response).
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return sqsbatch.Each(ctx, ev, "shop webhook", w.handle), nil
}

// handle does one delivery once: a delivery marked done is dropped, and
// the mark is written only after it succeeded (each step is idempotent,
// so a crash before the mark repeats nothing that shows).
func (w *Worker) handle(ctx context.Context, msg events.SQSMessage) error {
	var d Delivery
	if err := json.Unmarshal([]byte(msg.Body), &d); err != nil || d.StoreID == "" || d.DeliveryID == "" {
		return fmt.Errorf("not a shop delivery")
	}
	done, err := w.marks.HookDone(ctx, d.Platform, d.StoreID, d.DeliveryID)
	if err != nil || done {
		return err
	}
	store, err := w.stores.Store(ctx, d.StoreID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		slog.WarnContext(ctx, "shop webhook of a store gone", "platform", d.Platform, "topic", d.Topic)
		return nil
	}
	if err != nil {
		return err
	}
	var a action
	switch d.Platform {
	case closeloop.PlatformShopify:
		a, err = mapShopify(d.Topic, d.Body)
	case closeloop.PlatformWooCommerce:
		a, err = mapWoo(d.Topic, d.Body)
	default:
		err = fmt.Errorf("unknown platform")
	}
	if err != nil {
		// Signed by the shop but not what its topic promises: no retry
		// mends it. Counted, so the store can see it.
		slog.WarnContext(ctx, "shop webhook not understood", "platform", d.Platform, "topic", d.Topic, "err", err)
		a = action{kind: actIngest, skip: closeloop.HookSkipInvalid}
	}
	if err := w.apply(ctx, store, d, a, receiveCount(msg)); err != nil {
		return err
	}
	return w.marks.MarkHookDone(ctx, d.Platform, d.StoreID, d.DeliveryID, w.now())
}

// apply does what the delivery asks.
func (w *Worker) apply(ctx context.Context, store closeloop.Store, d Delivery, a action, attempt int) error {
	switch a.kind {
	case actIngest, actIngestEvent:
		if a.skip != "" {
			return w.marks.CountHookSkip(ctx, store.StoreID, a.skip)
		}
		_, err := w.orders.Ingest(ctx, store, []closeloop.Order{a.order}, false)
		if closeloop.ErrorCode(err) == closeloop.EINVALID {
			slog.WarnContext(ctx, "shop order not valid", "platform", d.Platform, "err", err)
			return w.marks.CountHookSkip(ctx, store.StoreID, closeloop.HookSkipInvalid)
		}
		if err != nil || a.kind == actIngest {
			return err
		}
		return w.event(ctx, store, a.order.OrderID, a.event, attempt)
	case actEvent:
		return w.event(ctx, store, a.orderID, a.event, attempt)
	case actCancel:
		return w.cancel(ctx, store.StoreID, a.orderID)
	case actRefund:
		sv, err := w.surveys.OrderSurvey(ctx, store.StoreID, a.orderID)
		if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if !wholeRefund(sv, a) {
			return nil
		}
		return w.cancel(ctx, store.StoreID, a.orderID)
	case actExport:
		request := d.Platform + "-" + a.request
		if a.request == "" {
			request = d.Platform + "-" + d.DeliveryID
		}
		return w.privacy.MailExport(ctx, store, a.email, request)
	case actErase:
		_, err := w.privacy.EraseCustomer(ctx, store.StoreID, a.email, w.now())
		return err
	case actEraseShop:
		return w.privacy.EraseStore(ctx, store, d.Platform, w.now())
	}
	return nil
}

// event records a fulfilment or delivery. An order not received yet (the
// platform delivered its fulfilment first) is tried again through the
// queue, eventAttempts times in all, then counted and dropped.
func (w *Worker) event(ctx context.Context, store closeloop.Store, orderID string, e closeloop.OrderEvent, attempt int) error {
	_, err := w.orders.RecordEvent(ctx, store, orderID, e)
	if closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		return err
	}
	if attempt < w.eventAttempts {
		return errRetry
	}
	slog.WarnContext(ctx, "shop order event of an order never received", "attempts", attempt)
	return w.marks.CountHookSkip(ctx, store.StoreID, closeloop.HookOrderUnknown)
}

// cancel cancels an order's survey; an order never surveyed has nothing
// to cancel.
func (w *Worker) cancel(ctx context.Context, storeID, orderID string) error {
	_, err := w.orders.Cancel(ctx, storeID, orderID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return nil
	}
	return err
}

// wholeRefund decides whether a Shopify refund refunds the whole order:
// every line it names is refunded in full, and between them they cover
// every item of the order's survey. A refund of an amount alone (no
// lines: shipping, a goodwill gesture) and a partial quantity are not.
// An order refunded in several refunds is not cancelled by the last one:
// each refund is judged alone.
func wholeRefund(sv closeloop.Survey, a action) bool {
	if a.partial || len(a.refunded) == 0 {
		return false
	}
	for _, it := range sv.Items {
		if !slices.Contains(a.refunded, it.SKU) {
			return false
		}
	}
	return true
}

func receiveCount(msg events.SQSMessage) int {
	n, err := strconv.Atoi(msg.Attributes["ApproximateReceiveCount"])
	if err != nil || n < 1 {
		return 1
	}
	return n
}
