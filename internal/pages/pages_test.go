package pages_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

const form = "application/x-www-form-urlencoded"

// sentSurvey posts an order, dispatches it and returns the survey page path.
func sentSurvey(t *testing.T, f *apptest.Fixture, email string) string {
	t.Helper()
	if r := f.API(t, "POST", "/v1/orders", apptest.Order("ord-"+email[:8], email)); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t)
	return f.SurveyPath(t, email)
}

type points struct {
	Balance int `json:"balance"`
	Ledger  []struct {
		SurveyID string `json:"survey_id"`
		Points   int    `json:"points"`
	} `json:"ledger"`
}

func pointsOf(t *testing.T, f *apptest.Fixture, email string) points {
	t.Helper()
	r := f.API(t, "GET", "/v1/customers/"+url.PathEscape(email)+"/points", "")
	if r.Status != http.StatusOK {
		t.Fatalf("points: %d %s", r.Status, r.Body)
	}
	var p points
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnswerThroughScoreLink(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("answer")
	path := sentSurvey(t, f, email)

	f.Counter.Reset()
	page := f.Do(t, "GET", path+"?score=4", "", "", "")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `value="4" required checked`) {
		t.Fatalf("survey page: %d, score 4 not pre-selected:\n%s", page.Status, page.Body)
	}
	if got := f.Counter.Counts(); f.Counter.Total() != 1 || got["GetItem"] != 1 {
		t.Fatalf("page view made DynamoDB requests %v, want one GetItem", got)
	}
	for _, want := range []string{"Choosing a rating does not send it yet", "<fieldset", "<legend>", "75 points"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("survey page lacks %q", want)
		}
	}

	f.Counter.Reset()
	thanks := f.Do(t, "POST", path, "", form, "score=4&comment=The+mug+keeps+my+coffee+warm&contact_me=on")
	if thanks.Status != http.StatusOK || !strings.Contains(thanks.Body, "You earned 75 points!") {
		t.Fatalf("thank-you page: %d\n%s", thanks.Status, thanks.Body)
	}
	if got := f.Counter.Counts(); f.Counter.Total() != 2 || got["GetItem"] != 1 || got["TransactWriteItems"] != 1 {
		t.Fatalf("submit made DynamoDB requests %v, want one GetItem and one TransactWriteItems", got)
	}

	// A second submit shows the original thank-you and changes nothing.
	again := f.Do(t, "POST", path, "", form, "score=1")
	if again.Status != http.StatusOK || !strings.Contains(again.Body, "You earned 75 points!") {
		t.Fatalf("second submit: %d\n%s", again.Status, again.Body)
	}
	// So does a second submit whose form cannot be read.
	if garbled := f.Do(t, "POST", path, "", form, "score=%zz"); garbled.Status != http.StatusOK || !strings.Contains(garbled.Body, "You earned 75 points!") {
		t.Fatalf("garbled second submit: %d\n%s", garbled.Status, garbled.Body)
	}
	// The link keeps showing the thank-you page.
	if r := f.Do(t, "GET", path, "", "", ""); !strings.Contains(r.Body, "You earned 75 points!") {
		t.Fatalf("answered link: %d\n%s", r.Status, r.Body)
	}
	p := pointsOf(t, f, email)
	if p.Balance != 75 || len(p.Ledger) != 1 || p.Ledger[0].Points != 75 {
		t.Fatalf("points %+v, want balance 75 with one ledger entry of 75", p)
	}
	// The email's case does not matter to the customer's identity.
	if p := pointsOf(t, f, strings.ToUpper(email)); p.Balance != 75 {
		t.Fatalf("points by upper-case email: %+v", p)
	}
}

func TestGetWritesNothing(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("scanner")
	path := sentSurvey(t, f, email)
	f.Counter.Reset()
	for score := 1; score <= 5; score++ {
		f.Do(t, "GET", path+"?score="+string(rune('0'+score)), "", "", "")
	}
	for op := range f.Counter.Counts() {
		if op != "GetItem" {
			t.Fatalf("link prefetches made a %s request", op)
		}
	}
	if p := pointsOf(t, f, email); p.Balance != 0 || len(p.Ledger) != 0 {
		t.Fatalf("points after GETs %+v, want none", p)
	}
}

func TestConcurrentSubmitsAwardOnce(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("double")
	path := sentSurvey(t, f, email)
	const submits = 8
	var wg sync.WaitGroup
	bodies := make([]apptest.Response, submits)
	for i := range submits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = f.Do(t, "POST", path, "", form, "score=5")
		}()
	}
	wg.Wait()
	for _, b := range bodies {
		if b.Status != http.StatusOK || !strings.Contains(b.Body, "You earned 50 points!") {
			t.Fatalf("a concurrent submit answered %d:\n%s", b.Status, b.Body)
		}
	}
	if p := pointsOf(t, f, email); p.Balance != 50 || len(p.Ledger) != 1 {
		t.Fatalf("points %+v, want 50 awarded once", p)
	}
}

func TestInvalidAnswerChangesNothing(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("invalid")
	path := sentSurvey(t, f, email)
	tests := []struct{ name, body, want string }{
		{"no score", "comment=hi", "Please choose a rating from 1 to 5."},
		{"score out of range", "score=9", "Please choose a rating from 1 to 5."},
		{"nps out of range", "score=3&nps=11", "Please choose a number from 0 to 10, or none."},
		{"comment too long", "score=3&comment=" + strings.Repeat("a", 2001), "Please keep your comment under 2000 characters."},
		{"oversized form", "score=3&comment=" + strings.Repeat("%E2%82%AC", 20000), "Please"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.Do(t, "POST", path, "", form, tt.body)
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, tt.want) {
				t.Fatalf("status %d, want 400 with %q:\n%s", r.Status, tt.want, r.Body)
			}
		})
	}
	if p := pointsOf(t, f, email); p.Balance != 0 {
		t.Fatalf("points after invalid answers %+v, want none", p)
	}
	if r := f.Do(t, "POST", path, "", form, "score=2"); !strings.Contains(r.Body, "You earned 50 points!") {
		t.Fatalf("valid answer after invalid ones: %d\n%s", r.Status, r.Body)
	}
}

func TestClosedLinksLookTheSame(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("closed")
	path := sentSurvey(t, f, email)
	surveyID := strings.SplitN(strings.TrimPrefix(path, "/s/"), ".", 2)[0]
	unknown := f.Do(t, "GET", "/s/nothing-here", "", "", "")
	wrongSecret := f.Do(t, "GET", "/s/"+surveyID+"."+strings.Repeat("A", 43), "", "", "")
	f.Clock.Advance(15 * 24 * time.Hour) // past the 14-day expiry
	expired := f.Do(t, "GET", path, "", "", "")
	expiredPost := f.Do(t, "POST", path, "", form, "score=5")
	for name, r := range map[string]apptest.Response{"unknown": unknown, "wrong secret": wrongSecret, "expired": expired, "expired post": expiredPost} {
		if r.Status != http.StatusNotFound || r.Body != unknown.Body || !strings.Contains(r.Body, "This survey has closed") {
			t.Errorf("%s link: %d, want the one neutral 404 page:\n%s", name, r.Status, r.Body)
		}
	}
	if p := pointsOf(t, f, email); p.Balance != 0 {
		t.Fatalf("points after expired submit %+v, want none", p)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := apptest.New(t)
	r := f.Do(t, "GET", "/s/whatever", "", "", "")
	for name, want := range map[string]string{
		"Referrer-Policy":        "no-referrer",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
		"X-Frame-Options":        "DENY",
	} {
		if got := r.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

func TestUnsubscribe(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.ContactBudgetDays = 0 })
	email := apptest.Email("unsub")
	path := sentSurvey(t, f, email)
	// A second order, scheduled for later, before the customer unsubscribes.
	later := `{"order_id":"later-1","customer":{"email":"` + email + `"},"purchased_at":"` + f.Clock.Now().Format(time.RFC3339) + `"}`
	f.Clock.Advance(-time.Minute) // the order is due a minute from "now"
	if r := f.API(t, "POST", "/v1/orders", later); r.Status != http.StatusAccepted {
		t.Fatalf("second order: %d %s", r.Status, r.Body)
	}
	f.Clock.Advance(time.Minute)

	m := f.Inbox.To(t, email)[0]
	if m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe-Post = %q", m.Headers["List-Unsubscribe-Post"])
	}
	link := strings.Trim(m.Headers["List-Unsubscribe"], "<>")
	if !strings.HasPrefix(link, "https://feedback.test/u/") || !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link) {
		t.Fatalf("List-Unsubscribe %q is not in both parts of the email", link)
	}
	unsubscribe := strings.TrimPrefix(link, "https://feedback.test")
	if unsubscribe == path {
		t.Fatal("the unsubscribe link reuses the survey token")
	}

	// The confirmation page writes nothing.
	f.Counter.Reset()
	page := f.Do(t, "GET", unsubscribe, "", "", "")
	// The link never expires, so the page shows the address masked.
	if page.Status != http.StatusOK || !strings.Contains(page.Body, closeloop.MaskEmail(email)) || strings.Contains(page.Body, email) ||
		!strings.Contains(page.Body, "<button") {
		t.Fatalf("unsubscribe page: %d\n%s", page.Status, page.Body)
	}
	for op := range f.Counter.Counts() {
		if op != "GetItem" {
			t.Fatalf("the unsubscribe page made a %s request", op)
		}
	}
	// Long after the survey closed, the one-click POST still works.
	f.Clock.Advance(14*24*time.Hour + 45*24*time.Hour)
	done := f.Do(t, "POST", unsubscribe, "", form, "List-Unsubscribe=One-Click")
	if done.Status != http.StatusOK || !strings.Contains(done.Body, "You are unsubscribed") {
		t.Fatalf("one-click unsubscribe: %d\n%s", done.Status, done.Body)
	}
	if again := f.Do(t, "POST", unsubscribe, "", form, ""); again.Status != http.StatusOK {
		t.Fatalf("unsubscribing twice: %d", again.Status)
	}
	// The survey scheduled before is never sent, nor is anything later.
	rep, err := f.Product.Dispatcher.Run(context.Background())
	if err != nil || rep.Suppressed != 1 || rep.Sent != 0 {
		t.Fatalf("dispatch after unsubscribe: %+v, %v; want the pending survey suppressed", rep, err)
	}
	r := f.API(t, "POST", "/v1/orders", `{"order_id":"after-1","customer":{"email":"`+strings.ToUpper(email)+`"},"purchased_at":"`+f.Clock.Now().Format(time.RFC3339)+`"}`)
	if r.Status != http.StatusAccepted || !strings.Contains(r.Body, `"status":"suppressed"`) {
		t.Fatalf("order after unsubscribe: %d %s, want status suppressed", r.Status, r.Body)
	}
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("%d emails in all, want only the first", n)
	}
	// A tampered unsubscribe token gets the neutral page.
	if r := f.Do(t, "POST", unsubscribe[:len(unsubscribe)-2]+"AA", "", form, ""); r.Status != http.StatusNotFound {
		t.Fatalf("tampered unsubscribe link: %d, want 404", r.Status)
	}
}
