package storeapi_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
)

var (
	surveyPage      = regexp.MustCompile(`https://feedback\.test(/s/[A-Za-z0-9_.-]+)\?score=`)
	unsubscribePage = regexp.MustCompile(`https://feedback\.test(/u/[A-Za-z0-9_.-]+)`)
)

// lastLink is the path link matches in the newest email to addr.
func lastLink(t *testing.T, f *apptest.Fixture, addr string, link *regexp.Regexp) string {
	t.Helper()
	emails := f.Inbox.To(t, addr)
	if len(emails) == 0 {
		t.Fatalf("no email to %s", addr)
	}
	m := link.FindStringSubmatch(emails[len(emails)-1].Text)
	if m == nil {
		t.Fatalf("no %s in the last email to %s", link, addr)
	}
	return m[1]
}

// postOrder posts an order of one item with the store's key and returns
// its survey's ID.
func postOrder(t *testing.T, f *apptest.Fixture, key, orderID, email, sku string) string {
	t.Helper()
	body := `{"order_id":"` + orderID + `","customer":{"email":"` + email + `","name":"Ada","locale":"en-GB"},` +
		`"items":[{"sku":"` + sku + `","name":"Item ` + sku + `"}],"purchased_at":"` + f.Clock.Now().Add(-time.Hour).Format(time.RFC3339) + `"}`
	r := f.Do(t, "POST", "/v1/orders", key, "application/json", body)
	if r.Status != http.StatusAccepted {
		t.Fatalf("post order %s: %d %s", orderID, r.Status, r.Body)
	}
	return decode[surveysBody](t, r.Body).Surveys[0].SurveyID
}

// TestTenantIsolationOnEveryRoute gives two stores data, the same customer
// in both, and calls every route with the first store's owner key naming
// the second store's orders, surveys, cases, keys and customers: a route
// that names a thing answers 404, no answer holds anything of the second
// store's (its order IDs, comment, products, adjustment reason, branding,
// suppressed address), and the second store's own answers are the same
// afterwards. A route missing from the table fails the test.
func TestTenantIsolationOnEveryRoute(t *testing.T) {
	f := apptest.New(t)
	ours := f.APIKey
	mark := strings.ToLower(secret.NewID("m")[2:10])
	shared := apptest.Email("shared")
	theirsOnly := apptest.Email("theirs")
	brand := "Theirs Brand " + mark
	theirs := f.NewStore(t, func(s *closeloop.Settings) { s.Branding.Name = brand })

	// The other store: three orders, two unhappy answers with comments
	// (cases), two unsubscribed customers and a points adjustment: two of
	// each, so that its lists have a next page's cursor.
	theirsThird := apptest.Email("theirs3")
	orderB1, orderB2, orderB3 := "o-theirs1-"+mark, "o-theirs2-"+mark, "o-theirs3-"+mark
	skuB := "SKU-THEIRS-" + strings.ToUpper(mark)
	comment := "theirs comment " + mark
	reason := "theirs reason " + mark
	surveyB1 := postOrder(t, f, theirs, orderB1, shared, skuB)
	surveyB2 := postOrder(t, f, theirs, orderB2, theirsOnly, skuB)
	postOrder(t, f, theirs, orderB3, theirsThird, skuB)
	f.Dispatch(t)
	answer := "score=1&comment=" + strings.ReplaceAll(comment, " ", "+")
	for _, email := range []string{shared, theirsOnly} {
		if r := f.Do(t, "POST", lastLink(t, f, email, surveyPage), "", "application/x-www-form-urlencoded", answer); r.Status != http.StatusOK {
			t.Fatalf("their answer: %d %s", r.Status, r.Body)
		}
	}
	for _, email := range []string{theirsOnly, theirsThird} {
		if r := f.Do(t, "POST", lastLink(t, f, email, unsubscribePage), "", "application/x-www-form-urlencoded", ""); r.Status != http.StatusOK {
			t.Fatalf("their unsubscribe: %d %s", r.Status, r.Body)
		}
	}
	if r := f.Do(t, "POST", customerPath(shared, "/points/adjustments"), theirs, "application/json",
		`{"points":7,"reason":"`+reason+`","idempotency_key":"k-`+mark+`"}`); r.Status/100 != 2 {
		t.Fatalf("their adjustment: %d %s", r.Status, r.Body)
	}
	f.Settle(t)
	r := f.Do(t, "GET", "/v1/followups", theirs, "", "")
	cases := decode[struct{ Items []struct{ ID string } }](t, r.Body).Items
	if len(cases) != 2 {
		t.Fatalf("their cases: %s, want two", r.Body)
	}
	caseB := cases[0].ID
	_, keys := listKeys(t, f, theirs)
	keyB := keys[0].ID
	cursorOf := func(list string) string {
		t.Helper()
		r := f.Do(t, "GET", list+"?limit=1", theirs, "", "")
		next := decode[struct {
			NextCursor *string `json:"next_cursor"`
		}](t, r.Body).NextCursor
		if r.Status != http.StatusOK || next == nil {
			t.Fatalf("their %s?limit=1: %d %s, want a next cursor", list, r.Status, r.Body)
		}
		return url.QueryEscape(*next)
	}
	cursors := map[string]string{}
	for _, list := range []string{"/v1/responses", "/v1/followups", "/v1/suppressions"} {
		cursors[list] = cursorOf(list)
	}

	// Our store: the same customer, an unhappy answer of our own.
	orderA := "o-ours-" + mark
	postOrder(t, f, ours, orderA, shared, "MUG-1")
	f.Dispatch(t)
	if r := f.Do(t, "POST", lastLink(t, f, shared, surveyPage), "", "application/x-www-form-urlencoded", "score=1&comment=ours"); r.Status != http.StatusOK {
		t.Fatalf("our answer: %d %s", r.Status, r.Body)
	}
	f.Settle(t)

	markers := []string{orderB1, orderB2, orderB3, theirsThird, surveyB1, surveyB2, caseB, keyB, theirsOnly, skuB, comment, reason, brand}

	// What the other store reads of itself, before and after.
	theirView := []string{
		"/v1/orders/" + orderB1, "/v1/orders/" + orderB2, "/v1/surveys/" + surveyB1, "/v1/followups/" + caseB,
		"/v1/followups", "/v1/responses", "/v1/responses?format=csv", "/v1/summary", "/v1/summary/products",
		"/v1/suppressions", customerPath(shared, "/points"), customerPath(shared, "/export"),
		customerPath(theirsOnly, "/export"), customerPath(theirsThird, "/export"), "/v1/settings", "/v1/keys",
	}
	snapshot := func() map[string]string {
		got := map[string]string{}
		for _, p := range theirView {
			r := f.Do(t, "GET", p, theirs, "", "")
			if r.Status != http.StatusOK {
				t.Fatalf("their GET %s: %d %s", p, r.Status, r.Body)
			}
			got[p] = r.Body
		}
		return got
	}
	before := snapshot()
	if !strings.Contains(before["/v1/responses"], comment) || !strings.Contains(before["/v1/suppressions"], theirsOnly) ||
		!strings.Contains(before[customerPath(shared, "/points")], reason) || !strings.Contains(before["/v1/summary/products"], skuB) {
		t.Fatalf("the other store's own answers lack its data: %v", before)
	}

	const notFound = -1
	tests := []struct {
		route string // the pattern in routes.go
		path  string
		body  string
		want  int    // notFound: must answer 404; 0: any status
		has   string // what our own answer must hold, "" for nothing
		echo  string // what the answer may repeat of the request
	}{
		{"GET /v1/orders/{order_id}", "/v1/orders/" + orderB1, ``, notFound, "", ""},
		{"POST /v1/orders/{order_id}/cancel", "/v1/orders/" + orderB1 + "/cancel", ``, notFound, "", ""},
		{"POST /v1/orders/{order_id}/events", "/v1/orders/" + orderB2 + "/events", `{"type":"delivered","at":"2026-11-20T10:00:00Z"}`, notFound, "", ""},
		{"GET /v1/surveys/{survey_id}", "/v1/surveys/" + surveyB1, ``, notFound, "", ""},
		{"GET /v1/surveys/{survey_id}", "/v1/surveys/" + surveyB2, ``, notFound, "", ""},
		{"GET /v1/followups/{case_id}", "/v1/followups/" + caseB, ``, notFound, "", ""},
		{"POST /v1/followups/{case_id}/claim", "/v1/followups/" + caseB + "/claim", `{"assignee":"sam@shop.test"}`, notFound, "", ""},
		{"POST /v1/followups/{case_id}/release", "/v1/followups/" + caseB + "/release", ``, notFound, "", ""},
		{"POST /v1/followups/{case_id}/notes", "/v1/followups/" + caseB + "/notes", `{"text":"called"}`, notFound, "", ""},
		{"POST /v1/followups/{case_id}/resolve", "/v1/followups/" + caseB + "/resolve", `{"resolution":"refunded","outcome":"resolved","reason":"damaged"}`, notFound, "", ""},
		{"POST /v1/followups/{case_id}/reopen", "/v1/followups/" + caseB + "/reopen", ``, notFound, "", ""},
		{"POST /v1/followups/{case_id}/tags", "/v1/followups/" + caseB + "/tags", `{"tags":["damaged"]}`, notFound, "", ""},
		{"DELETE /v1/keys/{key_id}", "/v1/keys/" + keyB, ``, notFound, "", ""},
		{"DELETE /v1/suppressions/{email}", "/v1/suppressions/" + strings.ReplaceAll(theirsOnly, "@", "%40"), ``, notFound, "", ""},
		{"GET /v1/customers/{email}/points", customerPath(shared, "/points"), ``, http.StatusOK, "", ""},
		{"GET /v1/customers/{email}/export", customerPath(shared, "/export"), ``, http.StatusOK, orderA, ""},
		{"GET /v1/customers/{email}/export", customerPath(theirsOnly, "/export"), ``, http.StatusOK, "", `"email":"` + theirsOnly + `"`},
		{"GET /v1/suppressions", "/v1/suppressions", ``, http.StatusOK, "", ""},
		{"GET /v1/responses", "/v1/responses", ``, http.StatusOK, orderA, ""},
		{"GET /v1/responses", "/v1/responses?format=csv", ``, http.StatusOK, orderA, ""},
		{"GET /v1/followups", "/v1/followups", ``, http.StatusOK, shared, ""},
		{"GET /v1/followups", "/v1/followups?status=open", ``, http.StatusOK, shared, ""},
		// Their lists' cursors are signed with their store's key.
		{"GET /v1/responses", "/v1/responses?limit=1&cursor=" + cursors["/v1/responses"], ``, http.StatusBadRequest, "", ""},
		{"GET /v1/followups", "/v1/followups?limit=1&cursor=" + cursors["/v1/followups"], ``, http.StatusBadRequest, "", ""},
		{"GET /v1/suppressions", "/v1/suppressions?limit=1&cursor=" + cursors["/v1/suppressions"], ``, http.StatusBadRequest, "", ""},
		{"GET /v1/summary", "/v1/summary", ``, http.StatusOK, "", ""},
		{"GET /v1/summary/products", "/v1/summary/products", ``, http.StatusOK, "MUG-1", ""},
		{"GET /v1/settings", "/v1/settings", ``, http.StatusOK, "Test Shop", ""},
		{"PUT /v1/settings", "/v1/settings", `{"branding":{"color":"#ff0000"}}`, http.StatusOK, "", ""},
		{"POST /v1/settings/webhook-secret", "/v1/settings/webhook-secret", ``, 0, "", ""},
		{"GET /v1/keys", "/v1/keys", ``, http.StatusOK, "", ""},
		{"POST /v1/keys", "/v1/keys", `{"role":"support","name":"ours"}`, http.StatusCreated, "", ""},
		{"POST /v1/customers/{email}/points/adjustments", customerPath(shared, "/points/adjustments"), `{"points":3,"reason":"ours","idempotency_key":"k-` + mark + `"}`, 0, "", ""},
		{"POST /v1/orders", "/v1/orders", apptest.Order("o-ours2-"+mark[:4], shared), http.StatusAccepted, "", ""},
		// Last: erasing our customer must leave theirs, the same address, whole.
		{"DELETE /v1/customers/{email}", customerPath(shared, ""), ``, http.StatusOK, "", ""},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.route] = true
		method, _, _ := strings.Cut(tt.route, " ")
		t.Run(method+" "+tt.path, func(t *testing.T) {
			r := f.Do(t, method, tt.path, ours, "application/json", tt.body)
			switch {
			case tt.want == notFound && (r.Status != http.StatusNotFound || decode[apiError](t, r.Body).Error.Code != "not_found"):
				t.Errorf("status %d %s, want 404 not_found", r.Status, r.Body)
			case tt.want > 0 && r.Status != tt.want:
				t.Errorf("status %d %s, want %d", r.Status, r.Body, tt.want)
			}
			body := r.Body
			if tt.echo != "" {
				body = strings.Replace(body, tt.echo, "", 1)
			}
			for _, m := range markers {
				if strings.Contains(body, m) {
					t.Errorf("the answer holds the other store's %q: %s", m, r.Body)
				}
			}
			if tt.has != "" && !strings.Contains(r.Body, tt.has) {
				t.Errorf("the answer lacks our own %q: %s", tt.has, r.Body)
			}
		})
	}
	f.Settle(t)
	after := snapshot()
	for _, p := range theirView {
		if before[p] != after[p] {
			t.Errorf("the other store's GET %s changed:\nbefore %s\nafter  %s", p, before[p], after[p])
		}
	}

	for _, route := range servedRoutes(t) {
		if !tested[route] {
			t.Errorf("route %q is not in this test's table: add how it keeps stores apart", route)
		}
	}
}

// servedRoutes reads the "METHOD /path" patterns routes.go registers.
func servedRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, m := range regexp.MustCompile(`mux\.Handle\("([A-Z]+ /[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		routes = append(routes, m[1])
	}
	if len(routes) == 0 {
		t.Fatal("no routes found in routes.go")
	}
	return routes
}
