package storeapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
)

// suppressionEntry is an entry of GET /v1/suppressions as a client reads
// it: both email and masked always present, one of them null.
type suppressionEntry struct {
	Email        *string `json:"email"`
	Masked       *string `json:"masked"`
	Reason       string  `json:"reason"`
	SuppressedAt string  `json:"suppressed_at"`
}

type suppressionPage struct {
	Items      []suppressionEntry `json:"items"`
	NextCursor *string            `json:"next_cursor"`
}

func listSuppressions(t *testing.T, f *apptest.Fixture, key, query string) (apptest.Response, suppressionPage) {
	t.Helper()
	r := f.Do(t, "GET", "/v1/suppressions"+query, key, "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /v1/suppressions%s: %d %s", query, r.Status, r.Body)
	}
	return r, decode[suppressionPage](t, r.Body)
}

// TestSuppressionListPagesNewestFirstAndMasksErasedPeople suppresses five
// addresses a minute apart, one of them erased since, and pages through
// the list two at a time.
func TestSuppressionListPagesNewestFirstAndMasksErasedPeople(t *testing.T) {
	f := apptest.New(t)
	ctx := context.Background()
	reasons := []string{closeloop.SuppressedUnsubscribed, closeloop.SuppressedBounced, closeloop.SuppressedComplained}
	var emails []string
	start := f.Clock.Now()
	for i := range 5 {
		email := apptest.Email("listed")
		emails = append(emails, email)
		at := start.Add(time.Duration(i) * time.Minute)
		var err error
		if i == 2 {
			err = f.Product.DB.PutErasedSuppression(ctx, f.StoreID, email, reasons[i%3], at)
		} else {
			err = f.Product.DB.Suppress(ctx, f.StoreID, email, reasons[i%3], at)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	otherKey := f.NewStore(t)

	var got []suppressionEntry
	var bodies []string
	query := "?limit=2"
	for page := 0; ; page++ {
		r, p := listSuppressions(t, f, f.APIKey, query)
		bodies = append(bodies, r.Body)
		if len(p.Items) > 2 {
			t.Fatalf("page %d has %d items, limit 2", page, len(p.Items))
		}
		got = append(got, p.Items...)
		if p.NextCursor == nil {
			break
		}
		if page > 5 {
			t.Fatal("paging does not end")
		}
		query = "?limit=2&cursor=" + url.QueryEscape(*p.NextCursor)
		if page == 0 {
			// A cursor of this store's list leads nowhere in another's.
			if r := f.Do(t, "GET", "/v1/suppressions"+query, otherKey, "", ""); r.Status != http.StatusBadRequest {
				t.Fatalf("another store's cursor: %d %s, want 400", r.Status, r.Body)
			}
		}
	}
	if len(got) != 5 {
		t.Fatalf("%d entries, want 5: %+v", len(got), got)
	}
	for i, e := range got {
		n := 4 - i // newest first
		wantAt := start.Add(time.Duration(n) * time.Minute).UTC().Format(time.RFC3339)
		if e.Reason != reasons[n%3] || e.SuppressedAt != wantAt {
			t.Errorf("entry %d: %+v, want reason %s at %s", i, e, reasons[n%3], wantAt)
		}
		if n == 2 {
			if e.Email != nil || e.Masked == nil || *e.Masked != "l•••@example.com" {
				t.Errorf("the erased entry %+v, want email null and masked l•••@example.com", e)
			}
			continue
		}
		if e.Email == nil || *e.Email != emails[n] || e.Masked != nil {
			t.Errorf("entry %d: %+v, want %s unmasked", i, e, emails[n])
		}
	}
	for _, body := range bodies {
		if strings.Contains(body, strings.Split(emails[2], "@")[0]) {
			t.Fatalf("the list shows the erased person's address: %s", body)
		}
		if !strings.Contains(body, `"email":`) || !strings.Contains(body, `"masked":`) {
			t.Fatalf("entries lack email or masked: %s", body)
		}
	}

	// The support role reads the list; another store sees none of it.
	support := newKey(t, f, f.APIKey, "support")
	if _, p := listSuppressions(t, f, support.Secret, "?limit=200"); len(p.Items) != 5 || p.NextCursor != nil {
		t.Fatalf("support reads %d entries, want 5", len(p.Items))
	}
	if _, p := listSuppressions(t, f, otherKey, ""); len(p.Items) != 0 {
		t.Fatalf("another store lists %d entries, want none", len(p.Items))
	}
	for _, tt := range []struct{ query, field string }{
		{"?limit=0", "limit"},
		{"?limit=201", "limit"},
		{"?cursor=eyJwayI6IngifQ.AAAA", "cursor"},
	} {
		wantInvalid(t, f.API(t, "GET", "/v1/suppressions"+tt.query, ""), tt.field)
	}
}

// TestLiftSuppression lifts suppressions of addresses with the characters
// a path must carry percent-encoded (or may carry raw): the next order of
// each is scheduled again.
func TestLiftSuppression(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.ContactBudgetDays = 0 })
	ctx := context.Background()
	random := strings.ToLower(secret.NewID("e")[2:12])
	for _, tt := range []struct {
		name, email string
		path        func(string) string
	}{
		{"plus raw", "ada+shop-" + random + "@example.com", url.PathEscape},
		{"plus encoded", "bob+news-" + random + "@example.com", func(e string) string { return strings.ReplaceAll(url.PathEscape(e), "+", "%2B") }},
		{"percent", "100%real-" + random + "@example.com", url.PathEscape},
		{"hash", "no#1-" + random + "@example.com", url.PathEscape},
		{"upper case", "case-" + random + "@example.com", func(e string) string { return url.PathEscape(strings.ToUpper(e)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.Product.DB.Suppress(ctx, f.StoreID, tt.email, closeloop.SuppressedBounced, f.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("o1-"+tt.name, tt.email, f.Clock.Now()))); got != "suppressed" {
				t.Fatalf("order while suppressed: %s", got)
			}
			path := "/v1/suppressions/" + tt.path(tt.email)
			if r := f.API(t, "DELETE", path, ""); r.Status != http.StatusNoContent || r.Body != "" {
				t.Fatalf("DELETE %s: %d %q, want 204 with no body", path, r.Status, r.Body)
			}
			_, p := listSuppressions(t, f, f.APIKey, "?limit=200")
			for _, e := range p.Items {
				if e.Email != nil && *e.Email == tt.email {
					t.Fatalf("%s is still listed", tt.email)
				}
			}
			if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("o2-"+tt.name, tt.email, f.Clock.Now()))); got != "scheduled" {
				t.Fatalf("order after the lift: %s, want scheduled", got)
			}
			if r := f.API(t, "DELETE", path, ""); r.Status != http.StatusNotFound {
				t.Fatalf("DELETE again: %d %s, want 404", r.Status, r.Body)
			}
		})
	}

	t.Run("another store's", func(t *testing.T) {
		email := apptest.Email("kept")
		if err := f.Product.DB.Suppress(ctx, f.StoreID, email, closeloop.SuppressedComplained, f.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		other := f.NewStore(t)
		if r := f.Do(t, "DELETE", "/v1/suppressions/"+url.PathEscape(email), other, "", ""); r.Status != http.StatusNotFound {
			t.Fatalf("another store lifting: %d %s, want 404", r.Status, r.Body)
		}
		if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("o-kept", email, f.Clock.Now()))); got != "suppressed" {
			t.Fatalf("order after another store's DELETE: %s, want still suppressed", got)
		}
	})

	t.Run("erased", func(t *testing.T) {
		email := apptest.Email("erased")
		if err := f.Product.DB.PutErasedSuppression(ctx, f.StoreID, email, closeloop.SuppressedUnsubscribed, f.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, before := listSuppressions(t, f, f.APIKey, "?limit=200")
		if r := f.API(t, "DELETE", "/v1/suppressions/"+url.PathEscape(email), ""); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE an erased person's entry: %d %s, want 204", r.Status, r.Body)
		}
		if _, after := listSuppressions(t, f, f.APIKey, "?limit=200"); len(after.Items) != len(before.Items)-1 {
			t.Fatalf("%d entries after lifting the erased one, were %d", len(after.Items), len(before.Items))
		}
	})

	t.Run("not an address", func(t *testing.T) {
		wantInvalid(t, f.API(t, "DELETE", "/v1/suppressions/not-an-address", ""), "email")
	})
}
