package shophooks_test

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/shophooks"
	"github.com/closeloop/closeloop/internal/survey"
)

// recordingOrders is the survey service with RecordEvent standing in for
// the timing's (which refuses as unavailable on this branch): it records
// each call and answers ENOTFOUND for an order without a survey, as the
// real one does.
type recordingOrders struct {
	*survey.Service
	surveys shophooks.Surveys
	mu      sync.Mutex
	calls   []recordedEvent
}

type recordedEvent struct {
	OrderID string
	Event   closeloop.OrderEvent
}

func (r *recordingOrders) RecordEvent(ctx context.Context, store closeloop.Store, orderID string, e closeloop.OrderEvent) (closeloop.Survey, error) {
	sv, err := r.surveys.OrderSurvey(ctx, store.StoreID, orderID)
	if err != nil {
		return sv, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, recordedEvent{orderID, e})
	return sv, nil
}

// message is a delivery as the queue hands it to the worker, on its
// attempt'th receive.
func message(t *testing.T, storeID, topic, id string, body []byte, attempt int) events.SQSEvent {
	t.Helper()
	raw, err := json.Marshal(shophooks.Delivery{Platform: closeloop.PlatformShopify, StoreID: storeID, Topic: topic, DeliveryID: id, ReceivedAt: time.Now(), Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return events.SQSEvent{Records: []events.SQSMessage{{
		MessageId: id + "-" + strconv.Itoa(attempt), Body: string(raw),
		Attributes: map[string]string{"ApproximateReceiveCount": strconv.Itoa(attempt)},
	}}}
}

func TestShopifyEventsOutOfOrderAndCancelAfterFulfilment(t *testing.T) {
	f, _ := connected(t)
	// Surveys wait for delivery: ingest checks in its transaction that no
	// event came before the order (a condition check the worker's role
	// must allow).
	if res := f.API(t, "PUT", "/v1/settings", `{"survey_after":"delivery"}`); res.Status != 200 {
		t.Fatalf("PUT /v1/settings: %d %s", res.Status, res.Body)
	}
	db := f.Product.FunctionDB("shophooks")
	orders := &recordingOrders{Service: survey.NewService(db, db, f.Clock.Now), surveys: db}
	w := shophooks.NewWorker(db, db, db, orders, nil, f.Clock.Now)
	handle := func(ev events.SQSEvent) (failed bool) {
		t.Helper()
		resp, err := w.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return len(resp.BatchItemFailures) > 0
	}
	delivered := fixture(t, "shopify-fulfillments-update.json")

	// The delivery arrives before its order: handed back to the queue.
	if !handle(message(t, f.StoreID, "fulfillments/update", "f-1", delivered, 1)) {
		t.Fatal("a delivery of an unknown order was not handed back for a retry")
	}
	if len(orders.calls) != 0 || len(skips(t, f)) != 0 {
		t.Fatalf("calls %v, skips %v before the order arrived", orders.calls, skips(t, f))
	}
	if handle(message(t, f.StoreID, "orders/create", "o-1", shopifyOrder(t, f, fixtureOrder, apptest.Email("jon")), 1)) {
		t.Fatal("orders/create failed")
	}
	// The retry finds the order.
	if handle(message(t, f.StoreID, "fulfillments/update", "f-1", delivered, 2)) {
		t.Fatal("the retried delivery failed")
	}
	want := recordedEvent{fixtureOrder, closeloop.OrderEvent{Type: closeloop.OrderDelivered, At: time.Date(2026, 11, 30, 19, 2, 11, 0, time.UTC)}}
	if len(orders.calls) != 1 || orders.calls[0].OrderID != want.OrderID || orders.calls[0].Event.Type != want.Event.Type || !orders.calls[0].Event.At.Equal(want.Event.At) {
		t.Errorf("RecordEvent calls %+v, want %+v", orders.calls, want)
	}
	// Done with: the same delivery again records nothing.
	handle(message(t, f.StoreID, "fulfillments/update", "f-1", delivered, 1))
	if len(orders.calls) != 1 {
		t.Errorf("a replayed delivery was recorded again: %+v", orders.calls)
	}

	// Cancel after fulfilment: the unanswered survey is cancelled.
	cancel := shopifyOrder(t, f, fixtureOrder, apptest.Email("jon"))
	if handle(message(t, f.StoreID, "orders/cancelled", "c-1", cancel, 1)) {
		t.Fatal("orders/cancelled failed")
	}
	if sv, _ := orderSurvey(t, f, fixtureOrder); sv.Status != closeloop.StatusCancelled {
		t.Errorf("cancel after fulfilment: %s, want cancelled", sv.Status)
	}

	// An event of an order that never arrives is given up on its
	// DefaultEventAttempts'th receive, counted, before the DLQ.
	lost := fixture(t, "shopify-fulfillments-update.json", fixtureOrder, "999")
	for attempt := 1; attempt < shophooks.DefaultEventAttempts; attempt++ {
		if !handle(message(t, f.StoreID, "fulfillments/update", "f-lost", lost, attempt)) {
			t.Fatalf("attempt %d was not handed back", attempt)
		}
	}
	if handle(message(t, f.StoreID, "fulfillments/update", "f-lost", lost, shophooks.DefaultEventAttempts)) {
		t.Fatal("the last attempt was handed back")
	}
	if got := skips(t, f)[closeloop.HookOrderUnknown]; got != 1 {
		t.Errorf("order_unknown counted %d times, want 1", got)
	}
}

// TestShopifyDeliveryReachesTheSurvey: through the real function chain,
// orders/create, then fulfillments/update with shipment_status delivered,
// puts delivered_at on the order's survey (survey.Service.RecordEvent).
func TestShopifyDeliveryReachesTheSurvey(t *testing.T) {
	f, _ := connected(t)
	shopify(t, f, f.StoreID, "orders/create", "t-1", shopifyOrder(t, f, fixtureOrder, apptest.Email("jon")))
	f.Settle(t)
	want := f.Clock.Now().Add(-10 * time.Minute).UTC()
	shopify(t, f, f.StoreID, "fulfillments/update", "t-2", fixture(t, "shopify-fulfillments-update.json",
		"2026-11-30T14:02:11-05:00", want.In(time.FixedZone("", -5*3600)).Format(time.RFC3339),
		"2026-11-28T09:15:00-05:00", want.Add(-time.Hour).Format(time.RFC3339)))
	f.Settle(t)
	sv, ok := orderSurvey(t, f, fixtureOrder)
	if !ok {
		t.Fatal("no survey for the order")
	}
	raw, _ := json.Marshal(sv)
	var got struct {
		DeliveredAt *time.Time `json:"delivered_at"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.DeliveredAt == nil || !got.DeliveredAt.Equal(want) {
		t.Fatalf("survey delivered_at = %v, want %v: survey.Service.RecordEvent must record it", got.DeliveredAt, want)
	}
}
