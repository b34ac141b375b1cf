package storeapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

// surveyOf is the survey view a route answered with.
type surveyOf struct {
	Status      string     `json:"status"`
	SendAt      time.Time  `json:"send_at"`
	ClosesAt    time.Time  `json:"closes_at"`
	SentAt      *time.Time `json:"sent_at"`
	FulfilledAt *time.Time `json:"fulfilled_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
}

func afterDelivery(s *closeloop.Settings) {
	s.SurveyAfter = closeloop.SurveyAfterDelivery
	s.SurveyDelayHours = 48
}

func eventBody(typ string, at time.Time) string {
	return `{"type":"` + typ + `","at":"` + at.UTC().Format(time.RFC3339) + `"}`
}

func getSurvey(t *testing.T, f *apptest.Fixture, orderID string) surveyOf {
	t.Helper()
	r := f.API(t, "GET", "/v1/orders/"+orderID, "")
	if r.Status != http.StatusOK {
		t.Fatalf("get order %s: %d %s", orderID, r.Status, r.Body)
	}
	return decode[surveyOf](t, r.Body)
}

func TestPendingUntilDelivered(t *testing.T) {
	f := apptest.New(t, afterDelivery)
	email := apptest.Email("pending")
	bought := f.Clock.Now().Add(-time.Hour)
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("p-1", email, bought))); got != "pending" {
		t.Fatalf("order: %s, want pending", got)
	}
	// Waiting: due only at its max-wait time, purchase + 21 days.
	if s := getSurvey(t, f, "p-1"); !s.SendAt.Equal(bought.Add(21*24*time.Hour)) || !s.ClosesAt.Equal(s.SendAt.Add(14*24*time.Hour)) {
		t.Fatalf("pending survey due %s, closes %s; want purchase + 21 days, + 14 days", s.SendAt, s.ClosesAt)
	}
	// Fulfilment is not what it waits for: recorded, still pending.
	f.Clock.Advance(24 * time.Hour)
	r := f.API(t, "POST", "/v1/orders/p-1/events", eventBody("fulfilled", f.Clock.Now().Add(-time.Hour)))
	if s := decode[surveyOf](t, r.Body); r.Status != http.StatusOK || s.Status != "pending" || s.FulfilledAt == nil {
		t.Fatalf("fulfilled: %d %s, want 200 pending with fulfilled_at", r.Status, r.Body)
	}
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 0 {
		t.Fatalf("%d emails before delivery, want 0", n)
	}
	f.Clock.Advance(48 * time.Hour)
	delivered := f.Clock.Now().Add(-2 * time.Hour).Truncate(time.Second)
	r = f.API(t, "POST", "/v1/orders/p-1/events", eventBody("delivered", delivered))
	s := decode[surveyOf](t, r.Body)
	if r.Status != http.StatusOK || s.Status != "scheduled" || !s.SendAt.Equal(delivered.Add(48*time.Hour)) ||
		!s.ClosesAt.Equal(s.SendAt.Add(14*24*time.Hour)) || s.DeliveredAt == nil || !s.DeliveredAt.Equal(delivered) {
		t.Fatalf("delivered: %d %s, want scheduled 48 h after %s", r.Status, r.Body, delivered)
	}
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 0 {
		t.Fatalf("%d emails before the delay from delivery, want 0", n)
	}
	f.Clock.Advance(46 * time.Hour)
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("%d emails 48 h after delivery, want 1", n)
	}
}

func TestOrderEventIsIdempotent(t *testing.T) {
	f := apptest.New(t, afterDelivery)
	email := apptest.Email("twice")
	statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("t-1", email, f.Clock.Now().Add(-time.Hour))))
	at := f.Clock.Now().Add(-time.Minute).Truncate(time.Second)
	first := f.API(t, "POST", "/v1/orders/t-1/events", eventBody("delivered", at))
	if first.Status != http.StatusOK || decode[surveyOf](t, first.Body).Status != "scheduled" {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	f.Counter.Reset()
	for _, body := range []string{
		eventBody("delivered", at),
		eventBody("delivered", at.Add(-30*time.Minute)), // another time: the first stands
		eventBody("fulfilled", at.Add(-time.Minute)),    // after the delivery: nothing
	} {
		r := f.API(t, "POST", "/v1/orders/t-1/events", body)
		if r.Status != http.StatusOK || r.Body != first.Body {
			t.Fatalf("again %s: %d %s, want 200 and\n%s", body, r.Status, r.Body, first.Body)
		}
	}
	// Each repeat: the API key, the store, the order marker, the survey;
	// nothing written.
	counts := f.Counter.Counts()
	t.Logf("DynamoDB requests for 3 repeated events: %d %v", f.Counter.Total(), counts)
	if f.Counter.Total() != 12 || counts["GetItem"] != 12 {
		t.Fatalf("repeated events wrote: %v", counts)
	}
}

func TestOrderEventRequests(t *testing.T) {
	f := apptest.New(t, afterDelivery)
	statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("m-1", apptest.Email("measure"), f.Clock.Now().Add(-time.Hour))))
	statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("m-2", apptest.Email("measure2"), f.Clock.Now().Add(-time.Hour))))
	f.Counter.Reset()
	if r := f.API(t, "POST", "/v1/orders/m-1/events", eventBody("delivered", f.Clock.Now())); r.Status != http.StatusOK {
		t.Fatalf("event: %d %s", r.Status, r.Body)
	}
	// The API key, the store, the order marker and the survey read; the
	// survey written; the contact budget's mark moved to the new send time.
	counts := f.Counter.Counts()
	t.Logf("DynamoDB requests for an event that schedules a pending survey: %d %v", f.Counter.Total(), counts)
	if f.Counter.Total() != 6 || counts["GetItem"] != 4 || counts["UpdateItem"] != 2 {
		t.Errorf("requests %d %v, want 6: 4 GetItem, 2 UpdateItem", f.Counter.Total(), counts)
	}
	f.Counter.Reset()
	if r := f.API(t, "POST", "/v1/orders/m-2/events", eventBody("fulfilled", f.Clock.Now())); r.Status != http.StatusOK {
		t.Fatalf("event: %d %s", r.Status, r.Body)
	}
	counts = f.Counter.Counts()
	t.Logf("DynamoDB requests for an event recorded without a change of status: %d %v", f.Counter.Total(), counts)
	if f.Counter.Total() != 5 || counts["GetItem"] != 4 || counts["UpdateItem"] != 1 {
		t.Errorf("requests %d %v, want 5: 4 GetItem, 1 UpdateItem", f.Counter.Total(), counts)
	}
}

func TestOrderEventRefusals(t *testing.T) {
	f := apptest.New(t, afterDelivery)
	email := apptest.Email("refusals")
	bought := f.Clock.Now().Add(-time.Hour)
	statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("r-1", email, bought)))
	before := f.API(t, "GET", "/v1/orders/r-1", "")
	if r := f.API(t, "POST", "/v1/orders/nope/events", eventBody("delivered", f.Clock.Now())); r.Status != http.StatusNotFound {
		t.Fatalf("unknown order: %d %s, want 404", r.Status, r.Body)
	}
	other := f.NewStore(t)
	if r := f.Do(t, "POST", "/v1/orders/r-1/events", other, "application/json", eventBody("delivered", f.Clock.Now())); r.Status != http.StatusNotFound {
		t.Fatalf("another store's order: %d %s, want 404", r.Status, r.Body)
	}
	for _, tt := range []struct{ body, field string }{
		{eventBody("shipped", f.Clock.Now()), "type"},
		{`{"type":"delivered"}`, "at"},
		{`{"type":"delivered","at":"yesterday"}`, "at"},
		{eventBody("delivered", f.Clock.Now().Add(3*time.Hour)), "at"},
		{eventBody("delivered", bought.Add(-time.Minute)), "at"},
		{`{"type":"delivered","at":"2026-11-20T10:00:00Z","extra":1}`, ""},
	} {
		r := f.API(t, "POST", "/v1/orders/r-1/events", tt.body)
		if r.Status != http.StatusBadRequest || (tt.field != "" && !strings.Contains(r.Body, `"`+tt.field+`"`)) {
			t.Errorf("%s: %d %s, want 400 naming %q", tt.body, r.Status, r.Body, tt.field)
		}
	}
	if after := f.API(t, "GET", "/v1/orders/r-1", ""); after.Body != before.Body {
		t.Fatalf("bad events changed the survey:\n%s\nwas\n%s", after.Body, before.Body)
	}
}

func TestMaxWait(t *testing.T) {
	for _, tt := range []struct {
		onNoEvent string
		want      string
		emails    int
	}{
		{closeloop.OnNoEventSend, "sent", 1},
		{closeloop.OnNoEventExpire, "expired", 0},
	} {
		t.Run(tt.onNoEvent, func(t *testing.T) {
			f := apptest.New(t, afterDelivery, func(s *closeloop.Settings) { s.OnNoEvent = tt.onNoEvent })
			email := apptest.Email("maxwait")
			statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("w-1", email, f.Clock.Now())))
			f.Clock.Advance(21*24*time.Hour - time.Minute)
			f.Dispatch(t)
			if s := getSurvey(t, f, "w-1"); s.Status != "pending" {
				t.Fatalf("before max wait: %s, want pending", s.Status)
			}
			f.Clock.Advance(2 * time.Minute)
			f.Dispatch(t)
			if s := getSurvey(t, f, "w-1"); s.Status != tt.want {
				t.Fatalf("after max wait: %s, want %s", s.Status, tt.want)
			}
			if n := len(f.Inbox.To(t, email)); n != tt.emails {
				t.Fatalf("%d emails, want %d", n, tt.emails)
			}
			if tt.onNoEvent == closeloop.OnNoEventExpire {
				// Never sent: the contact budget is back, the next order is asked.
				if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("w-2", email, f.Clock.Now()))); got != "pending" {
					t.Fatalf("next order: %s, want pending (budget given back)", got)
				}
			}
		})
	}
}

func TestSendWindowDefersANightSend(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.TimeZone = "Europe/Berlin"
		s.SendWindow = closeloop.DefaultSendWindow()
		s.SurveyDelayHours = 1
	})
	// To 02:00 Berlin time: the survey is due at 03:00.
	now := f.Clock.Now().In(berlin)
	two := time.Date(now.Year(), now.Month(), now.Day()+1, 2, 0, 0, 0, berlin)
	f.Clock.Advance(two.Sub(f.Clock.Now()))
	email := apptest.Email("night")
	r := f.API(t, "POST", "/v1/orders", orderAt("n-1", email, f.Clock.Now()))
	nine := time.Date(two.Year(), two.Month(), two.Day(), 9, 0, 0, 0, berlin)
	if got := decode[surveysBody](t, r.Body).Surveys[0].SendAt; got != nine.UTC().Format(time.RFC3339) {
		t.Fatalf("send_at %s, want 09:00 Berlin, %s", got, nine.UTC().Format(time.RFC3339))
	}
	f.Clock.Advance(time.Hour) // 03:00
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 0 {
		t.Fatalf("%d emails at 3 a.m., want 0", n)
	}
	f.Clock.Advance(6 * time.Hour) // 09:00
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("%d emails at 9 a.m., want 1", n)
	}
}

func TestSendWindowHoldsADueSurvey(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.TimeZone = "Europe/Berlin"
		s.SendWindow = closeloop.DefaultSendWindow()
	})
	// Scheduled at 19:59 for 19:59; the run comes at 20:30, after the window.
	now := f.Clock.Now().In(berlin)
	evening := time.Date(now.Year(), now.Month(), now.Day()+1, 19, 59, 0, 0, berlin)
	f.Clock.Advance(evening.Sub(f.Clock.Now()))
	email := apptest.Email("evening")
	statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("e-1", email, f.Clock.Now())))
	f.Clock.Advance(31 * time.Minute)
	rep, err := f.Product.Dispatcher.Run(t.Context())
	if err != nil || rep.Windowed != 1 || rep.Sent != 0 {
		t.Fatalf("run at 20:30: %+v %v, want 1 deferred to the window", rep, err)
	}
	// Its due time moved to 09:00: a run at night finds nothing due.
	f.Clock.Advance(5 * time.Hour)
	if rep, err := f.Product.Dispatcher.Run(t.Context()); err != nil || rep.Due != 0 {
		t.Fatalf("run at 01:30: %+v %v, want nothing due", rep, err)
	}
	f.Clock.Advance(7*time.Hour + 30*time.Minute) // 09:00
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("%d emails at 9 a.m., want 1", n)
	}
}

func TestCancelPendingSurvey(t *testing.T) {
	f := apptest.New(t, afterDelivery)
	email := apptest.Email("cancelpending")
	statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("cp-1", email, f.Clock.Now())))
	r := f.API(t, "POST", "/v1/orders/cp-1/cancel", "")
	if r.Status != http.StatusOK || decode[surveyOf](t, r.Body).Status != "cancelled" {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	// The event afterwards is recorded, the survey stays cancelled.
	r = f.API(t, "POST", "/v1/orders/cp-1/events", eventBody("delivered", f.Clock.Now()))
	if s := decode[surveyOf](t, r.Body); r.Status != http.StatusOK || s.Status != "cancelled" || s.DeliveredAt == nil {
		t.Fatalf("event after cancel: %d %s", r.Status, r.Body)
	}
	// The budget came back: the next order is asked.
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("cp-2", email, f.Clock.Now()))); got != "pending" {
		t.Fatalf("next order: %s, want pending", got)
	}
	f.Clock.Advance(22 * 24 * time.Hour)
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("%d emails, want 1 (the second order's, at its max wait)", n)
	}
}

func TestFulfilledAtGivenAtIngest(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.SurveyAfter = closeloop.SurveyAfterFulfillment
		s.SurveyDelayHours = 24
	})
	now := f.Clock.Now()
	bought, shipped := now.Add(-48*time.Hour), now.Add(-2*time.Hour)
	body := `{"order_id":"f-1","customer":{"email":"` + apptest.Email("shipped") + `"},"purchased_at":"` + bought.Format(time.RFC3339) +
		`","fulfilled_at":"` + shipped.Format(time.RFC3339) + `"}`
	r := f.API(t, "POST", "/v1/orders", body)
	if got := decode[surveysBody](t, r.Body).Surveys[0]; r.Status != http.StatusAccepted || got.Status != "scheduled" || got.SendAt != shipped.Add(24*time.Hour).Format(time.RFC3339) {
		t.Fatalf("order with fulfilled_at: %d %s, want scheduled 24 h after shipping", r.Status, r.Body)
	}
	if s := getSurvey(t, f, "f-1"); s.FulfilledAt == nil || !s.FulfilledAt.Equal(shipped) {
		t.Fatalf("fulfilled_at %v, want %s", s.FulfilledAt, shipped)
	}
	// An old order shipped lately is asked: too old counts from the event.
	old := `{"order_id":"f-2","customer":{"email":"` + apptest.Email("late") + `"},"purchased_at":"` + now.Add(-20*24*time.Hour).Format(time.RFC3339) +
		`","delivered_at":"` + shipped.Format(time.RFC3339) + `"}`
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", old)); got != "scheduled" {
		t.Fatalf("order 20 days old delivered today: %s, want scheduled", got)
	}
	// Bad event times are refused with the rest, and nothing is written.
	for _, tt := range []struct{ body, field string }{
		{`{"order_id":"f-3","customer":{"email":"a@example.com"},"purchased_at":"` + now.Format(time.RFC3339) + `","fulfilled_at":"soon"}`, "fulfilled_at"},
		{`{"order_id":"f-3","customer":{"email":"a@example.com"},"purchased_at":"` + now.Format(time.RFC3339) + `","delivered_at":"` + bought.Format(time.RFC3339) + `"}`, "delivered_at"},
		{`{"order_id":"f-3","customer":{"email":"a@example.com"},"purchased_at":"` + now.Format(time.RFC3339) + `","delivered_at":"` + now.Add(48*time.Hour).Format(time.RFC3339) + `"}`, "delivered_at"},
		{`{"orders":[{"order_id":"f-3","customer":{"email":"a@example.com"},"purchased_at":"` + now.Format(time.RFC3339) + `","fulfilled_at":"x"}]}`, "orders[0].fulfilled_at"},
	} {
		r := f.API(t, "POST", "/v1/orders", tt.body)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"`+tt.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", tt.body, r.Status, r.Body, tt.field)
		}
	}
	if r := f.API(t, "GET", "/v1/orders/f-3", ""); r.Status != http.StatusNotFound {
		t.Fatalf("a refused order was saved: %d %s", r.Status, r.Body)
	}
}

func TestEventBeforeTheOrder(t *testing.T) {
	f := apptest.New(t, afterDelivery)
	email := apptest.Email("early")
	delivered := f.Clock.Now().Add(-time.Hour).Truncate(time.Second)
	// The shop's delivery webhook came first.
	if r := f.API(t, "POST", "/v1/orders/x-1/events", eventBody("delivered", delivered)); r.Status != http.StatusNotFound {
		t.Fatalf("event before the order: %d %s, want 404", r.Status, r.Body)
	}
	f.Counter.Reset()
	r := f.API(t, "POST", "/v1/orders", orderAt("x-1", email, delivered.Add(-48*time.Hour)))
	t.Logf("DynamoDB requests for an order whose delivery came first: %d %v", f.Counter.Total(), f.Counter.Counts())
	if got := decode[surveysBody](t, r.Body).Surveys[0]; r.Status != http.StatusAccepted || got.Status != "scheduled" || got.SendAt != delivered.Add(48*time.Hour).UTC().Format(time.RFC3339) {
		t.Fatalf("order after its delivery: %d %s, want scheduled 48 h after the delivery", r.Status, r.Body)
	}
	if s := getSurvey(t, f, "x-1"); s.DeliveredAt == nil || !s.DeliveredAt.Equal(delivered) {
		t.Fatalf("delivered_at %v, want %s", s.DeliveredAt, delivered)
	}
	// An order of a store timed by delivery without early events: one
	// transaction, as before.
	f.Counter.Reset()
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("x-2", apptest.Email("early2"), f.Clock.Now()))); got != "pending" {
		t.Fatalf("order without events: %s, want pending", got)
	}
	if counts := f.Counter.Counts(); counts["TransactWriteItems"] != 1 {
		t.Fatalf("requests %v, want one transaction", counts)
	}
}

func TestEraseCancelsAPendingSurvey(t *testing.T) {
	f := apptest.New(t, afterDelivery)
	email := apptest.Email("erasepending")
	statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("ep-1", email, f.Clock.Now())))
	if r := f.API(t, "DELETE", customerPath(email, ""), ""); r.Status != http.StatusOK {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	if s := getSurvey(t, f, "ep-1"); s.Status != "cancelled" {
		t.Fatalf("pending survey of an erased customer: %s, want cancelled", s.Status)
	}
	f.Clock.Advance(22 * 24 * time.Hour)
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 0 {
		t.Fatalf("%d emails to an erased customer, want 0", n)
	}
}
