package sesevents_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/sesevents"
)

// followups lists the store's cases, open and resolved, by customer.
func followups(t *testing.T, f *apptest.Fixture) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, status := range []string{"", "?status=resolved"} {
		r := f.API(t, "GET", "/v1/followups"+status, "")
		var l struct {
			Items []struct {
				ID       string `json:"id"`
				Customer struct {
					Email string `json:"email"`
				} `json:"customer"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(r.Body), &l); err != nil || r.Status != http.StatusOK {
			t.Fatalf("list follow-ups: %d %s", r.Status, r.Body)
		}
		for _, c := range l.Items {
			ids[c.Customer.Email] = c.ID
		}
	}
	return ids
}

// surveyIDOf reads the survey ID from a survey page path /s/{id}.{secret}.
func surveyIDOf(path string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(path, "/s/"), ".")
	return id
}

// unsubscribe uses the one-click unsubscribe link of the first email to
// email.
func unsubscribe(t *testing.T, f *apptest.Fixture, email string) {
	t.Helper()
	header := f.Inbox.To(t, email)[0].Headers["List-Unsubscribe"]
	path := strings.TrimSuffix(strings.TrimPrefix(header, "<https://feedback.test"), ">")
	if r := f.Do(t, "POST", path, "", form, "List-Unsubscribe=One-Click"); r.Status != http.StatusOK {
		t.Fatalf("unsubscribe: %d", r.Status)
	}
}

// TestSuppressionStopsEveryLaterEmail suppresses one of two customers
// after their survey went out, each way an address gets suppressed, and
// follows both through every email that comes later: the other customer
// gets each, the suppressed one none — no reminder, no acknowledgement of
// their answer, no closing message, and a later order's survey is
// suppressed. Support is still alerted about the suppressed customer's
// complaint.
func TestSuppressionStopsEveryLaterEmail(t *testing.T) {
	for _, tt := range []struct {
		name     string
		reason   string
		suppress func(t *testing.T, f *apptest.Fixture, email, surveyID string)
	}{
		{"unsubscribe", closeloop.SuppressedUnsubscribed, func(t *testing.T, f *apptest.Fixture, email, _ string) {
			unsubscribe(t, f, email)
		}},
		{"permanent bounce", closeloop.SuppressedBounced, func(t *testing.T, f *apptest.Fixture, email, surveyID string) {
			publish(t, f, bounceOf(sesevents.BouncePermanent, email, "store", f.StoreID, "kind", closeloop.KindSurvey, "survey", surveyID))
		}},
		{"complaint", closeloop.SuppressedComplained, func(t *testing.T, f *apptest.Fixture, email, surveyID string) {
			publish(t, f, complaintOf(email, "store", f.StoreID, "kind", closeloop.KindSurvey, "survey", surveyID))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			support := apptest.Email("support")
			f := apptest.New(t, func(s *closeloop.Settings) {
				s.SupportEmails, s.ReplyTo = []string{support}, support
				s.ContactBudgetDays = 0 // a later order is surveyed unless suppressed
			})
			victim, other := apptest.Email("suppressed"), apptest.Email("other")
			order(t, f, victim)
			order(t, f, other)
			f.Dispatch(t)
			paths := map[string]string{victim: f.SurveyPath(t, victim), other: f.SurveyPath(t, other)}

			tt.suppress(t, f, victim, surveyIDOf(paths[victim]))
			if s, ok := suppressed(t, f, victim); !ok || s.Reason != tt.reason {
				t.Fatalf("suppression list entry %+v (listed %v), want reason %s", s, ok, tt.reason)
			}
			if _, ok := suppressed(t, f, other); ok {
				t.Fatal("the other customer is suppressed too")
			}
			emails := func(want map[string]int, when string) {
				t.Helper()
				for addr, n := range want {
					if got := len(f.Inbox.To(t, addr)); got != n {
						t.Errorf("%s: %d emails to %s, want %d", when, got, addr, n)
					}
				}
			}

			// The reminder, due 72 hours after the survey.
			f.Clock.Advance(73 * time.Hour)
			f.Dispatch(t)
			emails(map[string]int{victim: 1, other: 2}, "after the reminders")

			// Both answer unhappily: support hears of both, only the
			// other customer gets the acknowledgement.
			for _, addr := range []string{victim, other} {
				if r := f.Do(t, "POST", paths[addr], "", form, "score=1&comment="+url.QueryEscape("It broke.")); r.Status != http.StatusOK {
					t.Fatalf("answer: %d", r.Status)
				}
			}
			f.Settle(t)
			emails(map[string]int{victim: 1, other: 3, support: 2}, "after the acknowledgements")

			// Support resolves both and asks to tell the customers.
			cases := followups(t, f)
			for _, addr := range []string{victim, other} {
				r := f.API(t, "POST", "/v1/followups/"+cases[addr]+"/resolve",
					`{"outcome":"resolved","reason":"other","resolution":"Refunded.","notify_customer":true,"customer_message":"We refunded the order."}`)
				if r.Status != http.StatusOK {
					t.Fatalf("resolve: %d %s", r.Status, r.Body)
				}
			}
			f.Settle(t)
			emails(map[string]int{victim: 1, other: 4}, "after the closing messages")

			// A later order.
			if got := order(t, f, victim); got != string(closeloop.StatusSuppressed) {
				t.Errorf("the suppressed customer's next order: survey %s, want suppressed", got)
			}
			if got := order(t, f, other); got != string(closeloop.StatusScheduled) {
				t.Errorf("the other customer's next order: survey %s, want scheduled", got)
			}
			f.Dispatch(t)
			emails(map[string]int{victim: 1, other: 5}, "after the next orders")
		})
	}
}

// TestCancelledOrderSendsNothingMore cancels an order after its survey
// went out: no reminder follows and the survey takes no answer, so no
// acknowledgement either. Cancelling stops that order's emails only: the
// customer's next order is surveyed.
func TestCancelledOrderSendsNothingMore(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.ContactBudgetDays = 0 })
	email := apptest.Email("cancelled")
	r := f.API(t, "POST", "/v1/orders", apptest.Order("o-cancel", email))
	if r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t)
	path := f.SurveyPath(t, email)
	if r := f.API(t, "POST", "/v1/orders/o-cancel/cancel", ""); r.Status != http.StatusOK || !strings.Contains(r.Body, `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	f.Clock.Advance(73 * time.Hour)
	f.Dispatch(t)
	if r := f.Do(t, "POST", path, "", form, "score=1&contact_me=on"); r.Status == http.StatusOK {
		t.Errorf("answering a cancelled order's survey: %d, want the closed page", r.Status)
	}
	f.Settle(t)
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("%d emails after the cancel, want only the survey", n)
	}
	if _, ok := suppressed(t, f, email); ok {
		t.Fatal("a cancelled order suppressed its customer")
	}
	if got := order(t, f, email); got != string(closeloop.StatusScheduled) {
		t.Fatalf("the next order: survey %s, want scheduled", got)
	}
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 2 {
		t.Fatalf("%d emails after the next order, want its survey too", n)
	}
}

// TestComplaintStopsTheDigest: an owner who marks the weekly digest as
// spam gets no more digests; the store's other owner does.
func TestComplaintStopsTheDigest(t *testing.T) {
	complained, other := apptest.Email("owner"), apptest.Email("partner")
	f := apptest.New(t, func(s *closeloop.Settings) { s.OwnerEmails = []string{complained, other} })
	publish(t, f, complaintOf(complained, "store", f.StoreID, "kind", closeloop.KindDigest))

	// The next Monday after 08:00 UTC, the default digest time.
	now := f.Clock.Now()
	days := (8 - int(now.Weekday())) % 7
	if days == 0 {
		days = 7
	}
	monday := time.Date(now.Year(), now.Month(), now.Day()+days, 9, 0, 0, 0, time.UTC)
	f.Clock.Advance(monday.Sub(now))
	rep, err := f.Product.Digest.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 1 || rep.Skipped != 1 {
		t.Errorf("digest report %+v, want 1 sent and 1 skipped", rep)
	}
	if n := len(f.Inbox.To(t, complained)); n != 0 {
		t.Errorf("%d digests to the owner who complained, want none", n)
	}
	if n := len(f.Inbox.To(t, other)); n != 1 {
		t.Errorf("%d digests to the other owner, want 1", n)
	}
}

// TestTransientBounceIsCountedNotSuppressed: a full mailbox counts for the
// store, once however often its event comes, and the customer is still
// emailed.
func TestTransientBounceIsCountedNotSuppressed(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("full")
	order(t, f, email)
	f.Dispatch(t)
	e := bounceOf(sesevents.BounceTransient, email, "store", f.StoreID, "kind", closeloop.KindSurvey, "survey", surveyIDOf(f.SurveyPath(t, email)))
	publish(t, f, e, e)
	publish(t, f, e)
	if _, ok := suppressed(t, f, email); ok {
		t.Fatal("a transient bounce suppressed the address")
	}
	n, err := f.Product.DB.TransientBounces(context.Background(), f.StoreID)
	if err != nil || n != 1 {
		t.Fatalf("%d transient bounces counted (%v), want 1", n, err)
	}
	// Another email's transient bounce counts again.
	publish(t, f, bounceOf(sesevents.BounceTransient, email, "store", f.StoreID, "kind", closeloop.KindThanks))
	if n, err := f.Product.DB.TransientBounces(context.Background(), f.StoreID); err != nil || n != 2 {
		t.Fatalf("%d transient bounces counted (%v), want 2", n, err)
	}
	if got := order(t, f, apptest.Email("next")); got != string(closeloop.StatusScheduled) {
		t.Fatalf("next order %s", got)
	}
}

// TestRedeliveredEventsChangeNothingTwice delivers a permanent bounce
// twice, then a complaint about the same address: the first suppression
// stands, with its reason and time.
func TestRedeliveredEventsChangeNothingTwice(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("twice")
	tags := []string{"store", f.StoreID, "kind", closeloop.KindSurvey}
	e := bounceOf(sesevents.BouncePermanent, email, tags...)
	publish(t, f, e)
	first, ok := suppressed(t, f, email)
	if !ok || first.Reason != closeloop.SuppressedBounced {
		t.Fatalf("after the bounce: %+v, listed %v", first, ok)
	}
	f.Clock.Advance(time.Hour)
	publish(t, f, e, e)
	publish(t, f, complaintOf(email, tags...))
	again, _ := suppressed(t, f, email)
	if again.Reason != first.Reason || !again.SuppressedAt.Equal(first.SuppressedAt) {
		t.Fatalf("after the redeliveries: %+v, want %+v", again, first)
	}
	if n := len(suppressions(t, f, f.APIKey, 200)); n != 1 {
		t.Fatalf("%d entries, want 1", n)
	}
}

// TestEventsNameTheirStore: a bounce suppresses the address only in the
// store that sent the email, and an event without a store tag suppresses
// nothing anywhere.
func TestEventsNameTheirStore(t *testing.T) {
	f := apptest.New(t)
	otherKey := f.NewStore(t)
	email := apptest.Email("shared")
	publish(t, f,
		bounceOf(sesevents.BouncePermanent, email, "store", f.StoreID, "kind", closeloop.KindSurvey),
		complaintOf(apptest.Email("untagged"), "kind", closeloop.KindSurvey))
	if _, ok := suppressed(t, f, email); !ok {
		t.Fatal("the sending store did not suppress the address")
	}
	if n := len(suppressions(t, f, otherKey, 200)); n != 0 {
		t.Fatalf("the other store lists %d suppressions, want none", n)
	}
	if n := len(suppressions(t, f, f.APIKey, 200)); n != 1 {
		t.Fatalf("the store lists %d suppressions, want only the tagged bounce's", n)
	}
}
