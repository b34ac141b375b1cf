package storeapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
)

type adjustedBody struct {
	Balance int `json:"balance"`
	Entry   struct {
		Points int    `json:"points"`
		Reason string `json:"reason"`
		At     string `json:"at"`
	} `json:"entry"`
}

type ledgerBody struct {
	Balance int `json:"balance"`
	Ledger  []struct {
		SurveyID string `json:"survey_id"`
		Points   int    `json:"points"`
		Reason   string `json:"reason"`
		At       string `json:"at"`
	} `json:"ledger"`
}

func adjust(t *testing.T, f *apptest.Fixture, email string, points int, reason, idempotencyKey string) apptest.Response {
	t.Helper()
	body := fmt.Sprintf(`{"points":%d,"reason":%q,"idempotency_key":%q}`, points, reason, idempotencyKey)
	return f.API(t, "POST", "/v1/customers/"+url.PathEscape(email)+"/points/adjustments", body)
}

func ledgerOf(t *testing.T, f *apptest.Fixture, key, email string) ledgerBody {
	t.Helper()
	r := f.Do(t, "GET", "/v1/customers/"+url.PathEscape(email)+"/points", key, "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("points: %d %s", r.Status, r.Body)
	}
	return decode[ledgerBody](t, r.Body)
}

func TestAdjustPoints(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("loyal")

	grant := adjust(t, f, email, 100, "welcome bonus", "grant-1")
	if grant.Status != http.StatusCreated {
		t.Fatalf("grant: %d %s, want 201", grant.Status, grant.Body)
	}
	if g := decode[adjustedBody](t, grant.Body); g.Balance != 100 || g.Entry.Points != 100 || g.Entry.Reason != "welcome bonus" || g.Entry.At == "" {
		t.Fatalf("grant answered %s", grant.Body)
	}
	// A retry answers the original result and applies nothing.
	if again := adjust(t, f, email, 100, "welcome bonus", "grant-1"); again.Status != http.StatusOK || again.Body != grant.Body {
		t.Fatalf("retry: %d %s, want 200 %s", again.Status, again.Body, grant.Body)
	}
	// The key of another request is refused, whatever differs.
	for _, other := range []struct {
		points int
		reason string
	}{{200, "welcome bonus"}, {100, "another reason"}} {
		if r := adjust(t, f, email, other.points, other.reason, "grant-1"); r.Status != http.StatusConflict {
			t.Fatalf("key reused for %+v: %d %s, want 409", other, r.Status, r.Body)
		}
	}
	// The key is per customer: another customer's grant-1 is a new one.
	if r := adjust(t, f, apptest.Email("other"), 5, "welcome bonus", "grant-1"); r.Status != http.StatusCreated {
		t.Fatalf("same key for another customer: %d %s, want 201", r.Status, r.Body)
	}

	if r := adjust(t, f, strings.ToUpper(email), -30, "order 1001", "redeem-1"); r.Status != http.StatusCreated || decode[adjustedBody](t, r.Body).Balance != 70 {
		t.Fatalf("redeem 30 of 100 (upper-case email): %d %s, want 201 with balance 70", r.Status, r.Body)
	}
	r := adjust(t, f, email, -71, "order 1002", "redeem-2")
	if e := decode[apiError](t, r.Body); r.Status != http.StatusConflict || e.Error.Code != "conflict" || !strings.Contains(e.Error.Message, "insufficient points") {
		t.Fatalf("redeem 71 of 70: %d %s, want 409 insufficient points", r.Status, r.Body)
	}
	// The refused redemption wrote nothing: its key is still free.
	if r := adjust(t, f, email, -70, "order 1002", "redeem-2"); r.Status != http.StatusCreated || decode[adjustedBody](t, r.Body).Balance != 0 {
		t.Fatalf("redeem all 70: %d %s, want 201 with balance 0", r.Status, r.Body)
	}
	// Retrying a redemption once the balance is spent still answers it.
	if r := adjust(t, f, email, -70, "order 1002", "redeem-2"); r.Status != http.StatusOK || decode[adjustedBody](t, r.Body).Balance != 0 {
		t.Fatalf("retry of the redemption: %d %s, want 200 with balance 0", r.Status, r.Body)
	}

	// The ledger lists the adjustments, newest first, and nothing else.
	p := ledgerOf(t, f, f.APIKey, email)
	var got []string
	for _, e := range p.Ledger {
		got = append(got, fmt.Sprintf("%d %s %q", e.Points, e.Reason, e.SurveyID))
	}
	want := []string{`-70 order 1002 ""`, `-30 order 1001 ""`, `100 welcome bonus ""`}
	if p.Balance != 0 || strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("points: balance %d, ledger %q; want 0 and %q", p.Balance, got, want)
	}
	// Another store's customer of the same address is someone else.
	if p := ledgerOf(t, f, f.NewStore(t), email); p.Balance != 0 || len(p.Ledger) != 0 {
		t.Fatalf("another store's points %+v, want none", p)
	}
}

func TestRedeemWithoutProfile(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("nobody")
	if r := adjust(t, f, email, -1, "order 1", "r-1"); r.Status != http.StatusConflict {
		t.Fatalf("redeem from a customer with no points: %d %s, want 409", r.Status, r.Body)
	}
	if p := ledgerOf(t, f, f.APIKey, email); p.Balance != 0 || len(p.Ledger) != 0 {
		t.Fatalf("points %+v, want none", p)
	}
}

func TestAdjustmentsWithSurveyPoints(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("both")
	if r := f.API(t, "POST", "/v1/orders", apptest.Order("ord-both", email)); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t)
	if r := f.Do(t, "POST", f.SurveyPath(t, email), "", "application/x-www-form-urlencoded", "score=5"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	f.Clock.Advance(time.Minute) // the ledger is newest first
	if r := adjust(t, f, email, -20, "order 7", "r-7"); r.Status != http.StatusCreated || decode[adjustedBody](t, r.Body).Balance != 30 {
		t.Fatalf("redeem 20 of the 50 earned: %d %s, want 201 with balance 30", r.Status, r.Body)
	}
	p := ledgerOf(t, f, f.APIKey, email)
	if p.Balance != 30 || len(p.Ledger) != 2 || p.Ledger[0].Points != -20 || p.Ledger[1].Points != 50 || p.Ledger[1].SurveyID == "" {
		t.Fatalf("points %+v, want 30 from 50 earned and 20 redeemed", p)
	}
}

func TestAdjustmentValidation(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("valid")
	path := "/v1/customers/" + url.PathEscape(email) + "/points/adjustments"
	tests := []struct {
		name   string
		path   string
		body   string
		fields []string
	}{
		{"empty", path, `{}`, []string{"points", "reason", "idempotency_key"}},
		{"zero points", path, `{"points":0,"reason":"r","idempotency_key":"k"}`, []string{"points"}},
		{"too many points", path, `{"points":1000001,"reason":"r","idempotency_key":"k"}`, []string{"points"}},
		{"too few points", path, `{"points":-1000001,"reason":"r","idempotency_key":"k"}`, []string{"points"}},
		{"fractional points", path, `{"points":1.5,"reason":"r","idempotency_key":"k"}`, []string{"points"}},
		{"points as text", path, `{"points":"10","reason":"r","idempotency_key":"k"}`, []string{"points"}},
		{"blank reason", path, `{"points":1,"reason":"  ","idempotency_key":"k"}`, []string{"reason"}},
		{"long reason", path, `{"points":1,"reason":"` + strings.Repeat("r", 201) + `","idempotency_key":"k"}`, []string{"reason"}},
		{"long key", path, `{"points":1,"reason":"r","idempotency_key":"` + strings.Repeat("k", 129) + `"}`, []string{"idempotency_key"}},
		{"key with a line break", path, `{"points":1,"reason":"r","idempotency_key":"a\nb"}`, []string{"idempotency_key"}},
		{"key not ASCII", path, `{"points":1,"reason":"r","idempotency_key":"ключ"}`, []string{"idempotency_key"}},
		{"unknown field", path, `{"points":1,"reason":"r","idempotency_key":"k","survey_id":"s_1"}`, []string{"survey_id"}},
		{"bad email", "/v1/customers/not-an-email/points/adjustments", `{"points":1,"reason":"r","idempotency_key":"k"}`, []string{"email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantInvalid(t, f.API(t, "POST", tt.path, tt.body), tt.fields...)
		})
	}
	// The longest valid values are accepted.
	if r := adjust(t, f, email, 1000000, strings.Repeat("é", 200), strings.Repeat("~", 128)); r.Status != http.StatusCreated {
		t.Fatalf("longest valid adjustment: %d %s, want 201", r.Status, r.Body)
	}
	if p := ledgerOf(t, f, f.APIKey, email); p.Balance != 1000000 || len(p.Ledger) != 1 {
		t.Fatalf("points %+v, want only the valid adjustment", p)
	}
}

// concurrently sends n adjustments at once, the i-th made by body(i).
func concurrently(t *testing.T, f *apptest.Fixture, email string, n int, body func(i int) (int, string, string)) []apptest.Response {
	t.Helper()
	results := make([]apptest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			points, reason, key := body(i)
			results[i] = adjust(t, f, email, points, reason, key)
		}()
	}
	wg.Wait()
	return results
}

func TestConcurrentRetriesApplyOnce(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("retry")
	results := concurrently(t, f, email, 10, func(int) (int, string, string) { return 100, "campaign", "camp-1" })
	created := 0
	for _, r := range results {
		switch {
		case r.Status == http.StatusCreated:
			created++
		case r.Status != http.StatusOK:
			t.Fatalf("status %d %s, want 201 or 200", r.Status, r.Body)
		}
		if b := decode[adjustedBody](t, r.Body); b.Balance != 100 {
			t.Fatalf("answer %s, want balance 100", r.Body)
		}
	}
	if p := ledgerOf(t, f, f.APIKey, email); created != 1 || p.Balance != 100 || len(p.Ledger) != 1 {
		t.Fatalf("%d answered 201, points %+v; want one grant of 100", created, p)
	}
}

func TestConcurrentRedemptionsNeverOverdraw(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("race")
	if r := adjust(t, f, email, 100, "top up", "top-up"); r.Status != http.StatusCreated {
		t.Fatalf("grant: %d %s", r.Status, r.Body)
	}
	results := concurrently(t, f, email, 10, func(i int) (int, string, string) {
		return -30, fmt.Sprintf("order %d", i), fmt.Sprintf("redeem-%d", i)
	})
	created, balances := 0, map[int]bool{}
	for _, r := range results {
		switch r.Status {
		case http.StatusCreated:
			created++
			balances[decode[adjustedBody](t, r.Body).Balance] = true
		case http.StatusConflict:
		default:
			t.Fatalf("status %d %s, want 201 or 409", r.Status, r.Body)
		}
	}
	// Each success reports the exact balance after it: 70, 40, 10.
	if created != 3 || !balances[70] || !balances[40] || !balances[10] {
		t.Fatalf("%d redemptions succeeded with balances %v, want 3 with 70, 40 and 10", created, balances)
	}
	if p := ledgerOf(t, f, f.APIKey, email); p.Balance != 10 || len(p.Ledger) != 4 {
		t.Fatalf("points %+v, want balance 10 and 4 ledger entries", p)
	}
}
