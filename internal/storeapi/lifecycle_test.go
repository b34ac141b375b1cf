package storeapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

func orderAt(id, email string, at time.Time) string {
	return `{"order_id":"` + id + `","customer":{"email":"` + email + `"},"purchased_at":"` + at.UTC().Format(time.RFC3339) + `"}`
}

func statusOf(t *testing.T, r apptest.Response) string {
	t.Helper()
	if r.Status != http.StatusAccepted && r.Status != http.StatusOK {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	return decode[surveysBody](t, r.Body).Surveys[0].Status
}

func TestContactBudget(t *testing.T) {
	f := apptest.New(t) // budget 30 days
	email := apptest.Email("budget")
	now := f.Clock.Now()
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("b-1", email, now.Add(-time.Hour)))); got != "scheduled" {
		t.Fatalf("first order: %s, want scheduled", got)
	}
	// A second purchase within the budget, even with another case of the address.
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("b-2", strings.ToUpper(email), now))); got != "capped" {
		t.Fatalf("second order within 30 days: %s, want capped", got)
	}
	// The capped order is still one order: posting it again answers the same.
	if r := f.API(t, "POST", "/v1/orders", orderAt("b-2", email, now)); r.Status != http.StatusOK || statusOf(t, r) != "capped" {
		t.Fatalf("capped order again: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("%d emails, want 1 (the capped survey is never sent)", n)
	}
	// 31 days later the budget allows another survey.
	f.Clock.Advance(31 * 24 * time.Hour)
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("b-3", email, f.Clock.Now()))); got != "scheduled" {
		t.Fatalf("order after 31 days: %s, want scheduled", got)
	}
}

func TestNoContactBudget(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.ContactBudgetDays = 0 })
	email := apptest.Email("nobudget")
	for _, id := range []string{"n-1", "n-2"} {
		if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt(id, email, f.Clock.Now()))); got != "scheduled" {
			t.Fatalf("order %s: %s, want scheduled", id, got)
		}
	}
}

func TestOldOrderIsNotSurveyed(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("old")
	r := f.API(t, "POST", "/v1/orders", orderAt("old-1", email, f.Clock.Now().Add(-15*24*time.Hour)))
	if got := statusOf(t, r); got != "expired" {
		t.Fatalf("order 15 days old: %s, want expired", got)
	}
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 0 {
		t.Fatalf("%d emails for an old order, want 0", n)
	}
}

func TestCancelOrder(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.SurveyDelayHours = 72 })
	email := apptest.Email("cancel")
	statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("c-1", email, f.Clock.Now())))
	r := f.API(t, "POST", "/v1/orders/c-1/cancel", "")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	// Cancelling again is harmless.
	if r := f.API(t, "POST", "/v1/orders/c-1/cancel", ""); r.Status != http.StatusOK || !strings.Contains(r.Body, `"status":"cancelled"`) {
		t.Fatalf("cancel again: %d %s", r.Status, r.Body)
	}
	f.Clock.Advance(73 * time.Hour)
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 0 {
		t.Fatalf("%d emails for a cancelled order, want 0", n)
	}
	if r := f.API(t, "POST", "/v1/orders/nope/cancel", ""); r.Status != http.StatusNotFound {
		t.Fatalf("cancel unknown order: %d %s, want 404", r.Status, r.Body)
	}
	other := f.NewStore(t)
	if r := f.Do(t, "POST", "/v1/orders/c-1/cancel", other, "", ""); r.Status != http.StatusNotFound {
		t.Fatalf("another store cancelling: %d %s, want 404", r.Status, r.Body)
	}
}

func TestCancelAfterAnswerKeepsTheAnswer(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("kept")
	statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("k-1", email, f.Clock.Now())))
	f.Dispatch(t)
	path := f.SurveyPath(t, email)
	if r := f.Do(t, "POST", path, "", "application/x-www-form-urlencoded", "score=4"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d", r.Status)
	}
	r := f.API(t, "POST", "/v1/orders/k-1/cancel", "")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `"status":"answered"`) {
		t.Fatalf("cancel after answer: %d %s, want 200 with status answered", r.Status, r.Body)
	}
}

func TestOrderLookupAndOverlongIDs(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("lookup")
	if r := f.API(t, "POST", "/v1/orders", apptest.Order("o-lookup", email)); r.Status != http.StatusAccepted {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	r := f.API(t, "GET", "/v1/orders/o-lookup", "")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `"order_id":"o-lookup"`) || !strings.Contains(r.Body, `"status":"scheduled"`) {
		t.Fatalf("get order: %d %s", r.Status, r.Body)
	}
	other := f.NewStore(t)
	if r := f.Do(t, "GET", "/v1/orders/o-lookup", other, "", ""); r.Status != http.StatusNotFound {
		t.Fatalf("another store's order: %d, want 404", r.Status)
	}
	// IDs longer than any key answer 404, never a 500 from DynamoDB.
	long := strings.Repeat("x", 2000)
	for _, tt := range []struct{ method, path string }{
		{"GET", "/v1/orders/" + long},
		{"POST", "/v1/orders/" + long + "/cancel"},
		{"GET", "/v1/surveys/" + long},
	} {
		if r := f.API(t, tt.method, tt.path, ""); r.Status != http.StatusNotFound {
			t.Errorf("%s %s…: %d %s, want 404", tt.method, tt.path[:30], r.Status, r.Body)
		}
	}
}

func TestCancelGivesTheContactBudgetBack(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.SurveyDelayHours = 72 })
	email := apptest.Email("cancelled")
	now := f.Clock.Now()
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("c-1", email, now.Add(-time.Hour)))); got != "scheduled" {
		t.Fatalf("first order: %s", got)
	}
	if r := f.API(t, "POST", "/v1/orders/c-1/cancel", ""); r.Status != http.StatusOK || !strings.Contains(r.Body, `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	// The cancelled survey was never sent: the next order is surveyed.
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("c-2", email, now))); got != "scheduled" {
		t.Fatalf("order after a cancelled one: %s, want scheduled", got)
	}
	// Its survey holds the budget now: a third order within it is capped.
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("c-3", email, now))); got != "capped" {
		t.Fatalf("third order: %s, want capped", got)
	}
}
