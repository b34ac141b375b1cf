package logscan_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dashboard"
	"github.com/closeloop/closeloop/internal/logscan"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/sesevents"
)

// sessionAuth is a test Authenticator: a request whose session cookie
// holds the session ID is the store's owner; any other is signed out.
type sessionAuth struct {
	store   closeloop.Store
	session string
	email   string
}

const csrf = "logscan-csrf"

func (a sessionAuth) Viewer(r *http.Request) (dashboard.Viewer, error) {
	c, err := r.Cookie("session")
	if err != nil || c.Value != a.session {
		return dashboard.Viewer{}, closeloop.Errorf(closeloop.EUNAUTHORIZED, "no session")
	}
	return dashboard.Viewer{Email: a.email, StoreID: a.store.StoreID, Store: a.store, Role: closeloop.RoleOwner, Stores: 1, CSRF: csrf}, nil
}

var link = regexp.MustCompile(`https://feedback\.test(/[sur]/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+))`)

// TestNoSecretInAnyLogLine runs the product's flows with its logs captured
// (orders, survey and unsubscribe emails, answers, a case claimed, noted
// and resolved, points, exports, API keys good and bad, bad tokens,
// dashboard pages with a session, a bounce, webhook deliveries with a
// retry, Slack alerts with a refusal, an erasure) and then finds no token, key, session ID, webhook
// secret or email address in any line.
func TestNoSecretInAnyLogLine(t *testing.T) {
	lines := logscan.Capture(t)
	f := apptest.New(t)
	ctx := context.Background()
	var secrets []string
	must := func(r apptest.Response, want int, what string) apptest.Response {
		t.Helper()
		if r.Status != want {
			t.Fatalf("%s: %d %s, want %d", what, r.Status, r.Body, want)
		}
		return r
	}
	field := func(body, name string) string {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		s, _ := m[name].(string)
		return s
	}
	customerPath := func(email, rest string) string { return "/v1/customers/" + url.PathEscape(email) + rest }

	// The store: a webhook with its secret, a support key.
	must(f.API(t, "PUT", "/v1/settings", `{"webhook_url":"`+f.Hooks.URL()+`","slack_webhook_url":"`+f.Slack.URL()+`"}`), http.StatusOK, "webhook urls")
	f.Slack.FailNext(1, http.StatusForbidden, "invalid_token")
	hookSecret := field(must(f.API(t, "POST", "/v1/settings/webhook-secret", ``), http.StatusCreated, "webhook secret").Body, "secret")
	support := field(must(f.API(t, "POST", "/v1/keys", `{"role":"support","name":"desk"}`), http.StatusCreated, "support key").Body, "secret")
	badKey, _ := secret.NewAPIKey()
	secrets = append(secrets, f.APIKey, hookSecret, support, badKey, "/services/T000/B000/XXXX")
	f.Hooks.FailNext(1)

	// Three customers: one answers unhappy, one unsubscribes, one bounces.
	unhappy, leaving, bouncing := apptest.Email("unhappy"), apptest.Email("leaving"), apptest.Email("bouncing")
	for i, email := range []string{unhappy, leaving, bouncing} {
		must(f.API(t, "POST", "/v1/orders", apptest.Order("o-log-"+string(rune('a'+i)), email)), http.StatusAccepted, "order")
	}
	f.Dispatch(t)
	paths := map[string][]string{}
	for _, email := range []string{unhappy, leaving, bouncing} {
		for _, m := range f.Inbox.To(t, email) {
			for _, l := range link.FindAllStringSubmatch(m.Text+m.HTML, -1) {
				paths[email] = append(paths[email], l[1])
				_, part, _ := strings.Cut(l[2], ".")
				secrets = append(secrets, l[2], part)
			}
		}
	}
	surveyOf := func(email string) string {
		for _, p := range paths[email] {
			if strings.HasPrefix(p, "/s/") {
				return p
			}
		}
		t.Fatalf("no survey link to %s", email)
		return ""
	}
	must(f.Do(t, "GET", surveyOf(unhappy)+"?score=1", "", "", ""), http.StatusOK, "open survey")
	form := url.Values{"score": {"1"}, "comment": {"Broken on arrival, write to " + unhappy}, "contact_me": {"on"}}
	must(f.Do(t, "POST", surveyOf(unhappy), "", "application/x-www-form-urlencoded", form.Encode()), http.StatusOK, "answer")
	must(f.Do(t, "POST", surveyOf(unhappy), "", "application/x-www-form-urlencoded", form.Encode()), http.StatusOK, "answer again")
	for _, p := range paths[leaving] {
		if strings.HasPrefix(p, "/u/") {
			must(f.Do(t, "GET", p, "", "", ""), http.StatusOK, "unsubscribe page")
			must(f.Do(t, "POST", p, "", "application/x-www-form-urlencoded", ""), http.StatusOK, "unsubscribe")
		}
	}
	err := f.Product.SesEvents.Process(ctx, sesevents.Event{
		EventType: sesevents.EventBounce,
		Mail: sesevents.Mail{MessageID: "m-bounce", Timestamp: f.Clock.Now(), Source: "feedback@shop.test", Destination: []string{bouncing},
			Tags: map[string][]string{sesevents.TagStore: {f.StoreID}, sesevents.TagKind: {closeloop.KindSurvey}}},
		Bounce: &sesevents.Bounce{BounceType: sesevents.BouncePermanent, BouncedRecipients: []sesevents.Recipient{{EmailAddress: "Bo <" + bouncing + ">"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.Settle(t)

	// Bad tokens and a bad key.
	for _, p := range []string{"/s/nonsense", "/u/s_x." + strings.Repeat("A", 43), "/d/" + f.StoreID + ".00.x", "/r/c_x." + strings.Repeat("B", 43)} {
		f.Do(t, "GET", p, "", "", "")
		f.Do(t, "POST", p, "", "application/x-www-form-urlencoded", "score=1")
		secrets = append(secrets, strings.Repeat("A", 43), strings.Repeat("B", 43))
	}
	must(f.Do(t, "GET", "/v1/responses", badKey, "", ""), http.StatusUnauthorized, "bad key")

	// Support works the case through the store API.
	list := must(f.Do(t, "GET", "/v1/followups", support, "", ""), http.StatusOK, "cases").Body
	var cases struct{ Items []struct{ ID string } }
	if err := json.Unmarshal([]byte(list), &cases); err != nil || len(cases.Items) != 1 {
		t.Fatalf("cases: %s", list)
	}
	caseID := cases.Items[0].ID
	agent := apptest.Email("agent")
	must(f.Do(t, "GET", "/v1/followups/"+caseID, support, "", ""), http.StatusOK, "case")
	must(f.Do(t, "POST", "/v1/followups/"+caseID+"/claim", support, "application/json", `{"assignee":"`+agent+`"}`), http.StatusOK, "claim")
	must(f.Do(t, "POST", "/v1/followups/"+caseID+"/claim", support, "application/json", `{"assignee":"other-`+agent+`"}`), http.StatusConflict, "claim taken")
	must(f.Do(t, "POST", "/v1/followups/"+caseID+"/notes", support, "application/json", `{"text":"Called `+unhappy+`"}`), http.StatusCreated, "note")
	must(f.Do(t, "POST", "/v1/followups/"+caseID+"/resolve", support, "application/json", `{"resolution":"refunded","outcome":"resolved","reason":"damaged"}`), http.StatusOK, "resolve")

	// Points, exports and lists.
	must(f.Do(t, "GET", customerPath(unhappy, "/points"), support, "", ""), http.StatusOK, "points")
	f.API(t, "POST", customerPath(unhappy, "/points/adjustments"), `{"points":-5,"reason":"redeemed by `+unhappy+`","idempotency_key":"k1"}`)
	f.API(t, "POST", customerPath(unhappy, "/points/adjustments"), `{"points":-500000,"reason":"too much","idempotency_key":"k2"}`)
	f.API(t, "POST", customerPath("not an address", "/points/adjustments"), `{"points":1,"reason":"x","idempotency_key":"k3"}`)
	for _, p := range []string{"/v1/responses", "/v1/responses?format=csv", "/v1/suppressions", "/v1/summary", "/v1/summary/products",
		customerPath(unhappy, "/export"), "/v1/orders/o-log-a", "/v1/responses?cursor=" + url.QueryEscape(unhappy)} {
		f.API(t, "GET", p, "")
	}
	f.API(t, "DELETE", "/v1/suppressions/"+url.PathEscape(leaving), "")
	f.API(t, "PUT", "/v1/settings", `{"support_emails":["`+agent+`"],"reply_to":"not-an-address"}`)

	// The dashboard, signed in with a session and not.
	session := secret.NewKey()
	secrets = append(secrets, session, csrf)
	store, err := f.Product.DB.Store(ctx, f.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	app := f.DashboardAs(t, sessionAuth{store: store, session: session, email: agent})
	visit := func(method, path, cookie string, form url.Values) {
		t.Helper()
		var body *strings.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, err := http.NewRequest(method, app.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
		resp, err := apptest.NoRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	for _, p := range []string{"/app/overview", "/app/products", "/app/responses", "/app/responses.csv", "/app/followups",
		"/app/followups/" + caseID, "/app/settings", "/app/keys", "/app/responses?q=" + url.QueryEscape(unhappy), "/app/followups/c_none"} {
		visit("GET", p, session, nil)
	}
	visit("GET", "/app/overview", "expired-"+session, nil)
	visit("POST", "/app/followups/"+caseID+"/reopen", session, url.Values{"csrf": {csrf}})
	visit("POST", "/app/followups/"+caseID+"/note", session, url.Values{"csrf": {csrf}, "text": {"wrote to " + unhappy}})
	visit("POST", "/app/followups/"+caseID+"/note", session, url.Values{"csrf": {"wrong"}, "text": {"x"}})
	visit("POST", "/app/keys", session, url.Values{"csrf": {csrf}, "role": {"ingest"}, "name": {"shop"}})

	// Webhooks delivered, one after a refusal; then the customer erased.
	deadline := time.Now().Add(30 * time.Second)
	for accepted := 0; accepted < 3 && time.Now().Before(deadline); {
		f.Settle(t)
		accepted = 0
		for _, d := range f.Hooks.Deliveries() {
			if d.Accepted {
				accepted++
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(f.Slack.Posts()) == 0 {
		t.Error("no Slack alert was posted")
	}
	f.API(t, "DELETE", customerPath(unhappy, ""), "")
	f.Settle(t)

	all := lines.All()
	// The flows ran and the capture took their lines.
	joined := strings.Join(all, "\n")
	for _, want := range []string{`"route":"POST /s/{token}"`, `"route":"POST /u/{token}"`, `"route":"GET /app/followups/{case_id}"`,
		`"route":"POST /v1/followups/{case_id}/resolve"`, "webhook delivery failed", "webhook delivered", "slack refused", "address suppressed"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no log line holds %s", want)
		}
	}
	t.Logf("%d log lines scanned for %d secrets and any email address", len(all), len(secrets))
	for _, leak := range logscan.Leaks(all, secrets...) {
		t.Error(leak)
	}
}
