package storeapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
)

type surveysBody struct {
	Surveys []struct {
		OrderID  string `json:"order_id"`
		SurveyID string `json:"survey_id"`
		Status   string `json:"status"`
		SendAt   string `json:"send_at"`
	} `json:"surveys"`
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return v
}

// wantInvalid fails unless r is a 400 invalid error with a message that
// names every one of fields, and returns the error.
func wantInvalid(t *testing.T, r apptest.Response, fields ...string) apiError {
	t.Helper()
	e := decode[apiError](t, r.Body)
	if r.Status != http.StatusBadRequest || e.Error.Code != "invalid" || e.Error.Message == "" {
		t.Fatalf("status %d %s, want 400 invalid with a message", r.Status, r.Body)
	}
	for _, field := range fields {
		if e.Error.Fields[field] == "" {
			t.Errorf("error fields %v do not name %s", e.Error.Fields, field)
		}
	}
	return e
}

func TestPostOrderCreatesOneSurvey(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("ada")
	first := f.API(t, "POST", "/v1/orders", apptest.Order("ord-1", email))
	if first.Status != http.StatusAccepted {
		t.Fatalf("first post: %d %s, want 202", first.Status, first.Body)
	}
	got := decode[surveysBody](t, first.Body)
	if len(got.Surveys) != 1 || got.Surveys[0].OrderID != "ord-1" || got.Surveys[0].Status != "scheduled" || got.Surveys[0].SurveyID == "" {
		t.Fatalf("first post body %s", first.Body)
	}
	// The same order again, even with another payload, answers the original.
	again := f.API(t, "POST", "/v1/orders", apptest.Order("ord-1", apptest.Email("someone-else")))
	if again.Status != http.StatusOK {
		t.Fatalf("second post: %d %s, want 200", again.Status, again.Body)
	}
	if g := decode[surveysBody](t, again.Body); g.Surveys[0].SurveyID != got.Surveys[0].SurveyID {
		t.Fatalf("second post survey %s, want %s", g.Surveys[0].SurveyID, got.Surveys[0].SurveyID)
	}
	view := f.API(t, "GET", "/v1/surveys/"+got.Surveys[0].SurveyID, "")
	if view.Status != http.StatusOK || !strings.Contains(view.Body, `"email":"`+email+`"`) {
		t.Fatalf("get survey: %d %s", view.Status, view.Body)
	}
}

func TestConcurrentPostsOfOneOrderCreateOneSurvey(t *testing.T) {
	f := apptest.New(t)
	const calls = 16
	email := apptest.Email("race")
	var wg sync.WaitGroup
	results := make([]apptest.Response, calls)
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.API(t, "POST", "/v1/orders", apptest.Order("ord-race", email))
		}()
	}
	wg.Wait()
	accepted, ids := 0, map[string]bool{}
	for _, r := range results {
		switch r.Status {
		case http.StatusAccepted:
			accepted++
		case http.StatusOK:
		default:
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		ids[decode[surveysBody](t, r.Body).Surveys[0].SurveyID] = true
	}
	if accepted != 1 || len(ids) != 1 {
		t.Fatalf("%d calls answered 202 and %d survey IDs were returned; want 1 and 1", accepted, len(ids))
	}
	// Exactly one survey exists for the order, so one email goes out.
	f.Dispatch(t)
	if got := len(f.Inbox.To(t, email)); got != 1 {
		t.Fatalf("%d emails to the customer, want 1", got)
	}
}

func TestPostOrderValidation(t *testing.T) {
	f := apptest.New(t)
	valid := apptest.Order("ok-1", apptest.Email("v"))
	tests := []struct {
		name   string
		body   string
		fields []string // bad fields the error must name
	}{
		{"malformed", `{"order_id":`, nil},
		{"not an object", `[1,2]`, nil},
		{"empty", ``, nil},
		{"unknown field", `{"order_id":"x","customer":{"email":"a@b.co"},"purchased_at":"2026-01-01T00:00:00Z","coupon":"X"}`, []string{"coupon"}},
		{"missing everything", `{}`, []string{"order_id", "customer.email", "purchased_at"}},
		{"bad email and time", `{"order_id":"x","customer":{"email":"not-an-email"},"purchased_at":"yesterday"}`, []string{"customer.email", "purchased_at"}},
		{"bad locale and sku", `{"order_id":"x","customer":{"email":"a@b.co","locale":"!!"},"items":[{"sku":""}],"purchased_at":"2026-01-01T00:00:00Z"}`, []string{"customer.locale", "items[0].sku"}},
		{"future purchase", `{"order_id":"x","customer":{"email":"a@b.co"},"purchased_at":"2099-01-01T00:00:00Z"}`, []string{"purchased_at"}},
		{"wrong type", `{"order_id":5}`, []string{"order_id"}},
		{"too many items", `{"order_id":"x","customer":{"email":"a@b.co"},"purchased_at":"2026-01-01T00:00:00Z","items":[` + strings.TrimSuffix(strings.Repeat(`{"sku":"a"},`, 51), ",") + `]}`, []string{"items"}},
		{"batch with one bad order", `{"orders":[` + valid + `,{"order_id":"b","customer":{"email":"bad"},"purchased_at":"2026-01-01T00:00:00Z"}]}`, []string{"orders[1].customer.email"}},
		{"batch repeats an order", `{"orders":[` + valid + `,` + valid + `]}`, []string{"orders[1].order_id"}},
		{"oversized", `{"order_id":"` + strings.Repeat("x", 3<<20) + `"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantInvalid(t, f.API(t, "POST", "/v1/orders", tt.body), tt.fields...)
		})
	}
	// Nothing was written: the valid order of the refused batch is new.
	if r := f.API(t, "POST", "/v1/orders", valid); r.Status != http.StatusAccepted {
		t.Fatalf("valid order after refused batches: %d %s, want 202", r.Status, r.Body)
	}
}

func TestAuth(t *testing.T) {
	f := apptest.New(t)
	otherKey := f.NewStore(t)
	body := apptest.Order("ord-a", apptest.Email("auth"))
	tests := []struct {
		name   string
		key    string
		path   string
		method string
		want   int
	}{
		{"no key", "", "/v1/orders", "POST", 401},
		{"unknown key", "cl_nope", "/v1/orders", "POST", 401},
		{"owner key", f.APIKey, "/v1/orders", "POST", 202},
		{"unknown route", f.APIKey, "/v1/nothing", "GET", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.Do(t, tt.method, tt.path, tt.key, "application/json", body)
			if r.Status != tt.want {
				t.Fatalf("status %d %s, want %d", r.Status, r.Body, tt.want)
			}
		})
	}
	// Another store's key cannot see this store's survey: 404, not 403.
	created := decode[surveysBody](t, f.API(t, "POST", "/v1/orders", body).Body)
	id := created.Surveys[0].SurveyID
	if r := f.Do(t, "GET", "/v1/surveys/"+id, otherKey, "", ""); r.Status != 404 {
		t.Fatalf("other store reading survey: %d %s, want 404", r.Status, r.Body)
	}
	if r := f.Do(t, "GET", "/v1/surveys/"+id, f.APIKey, "", ""); r.Status != 200 {
		t.Fatalf("own store reading survey: %d %s, want 200", r.Status, r.Body)
	}
}
