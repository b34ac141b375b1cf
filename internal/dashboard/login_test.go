package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dashboard"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/sesmail"
	"github.com/closeloop/closeloop/internal/signin"
)

// staffFixture is a fixture whose store names one owner and one support
// address, each unique to the test.
func staffFixture(t *testing.T) (f *apptest.Fixture, owner, support string) {
	t.Helper()
	owner, support = apptest.Email("owner"), apptest.Email("support")
	return apptest.New(t, apptest.Staff([]string{owner}, []string{support})), owner, support
}

// requestLink posts the sign-in form for addr and returns the answer.
func requestLink(t *testing.T, f *apptest.Fixture, addr string, headers ...string) apptest.Response {
	t.Helper()
	return f.Dashboard(t, "POST", "/app/login", "", url.Values{"email": {addr}}, headers...)
}

// The owner asks for a link: one email from the store, in the browser's
// language, with a link that opens a page with a button, however often it
// is opened, and whose button signs in once.
func TestSignInLinkIsSingleUse(t *testing.T) {
	f, owner, _ := staffFixture(t)
	r := requestLink(t, f, owner, "Accept-Language", "ru-RU,ru;q=0.9")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Проверьте почту") {
		t.Fatalf("POST /app/login: %d\n%s", r.Status, r.Body)
	}
	path := f.SignInPath(t, owner, 1)
	emails := f.Inbox.To(t, owner)
	if len(emails) != 1 {
		t.Fatalf("%d emails to the owner, want 1", len(emails))
	}
	e := emails[0]
	if want := "Вход в панель магазина Test Shop"; e.Subject != want {
		t.Errorf("subject %q, want %q", e.Subject, want)
	}
	if !strings.Contains(e.From, "feedback@shop.test") || !strings.Contains(e.From, "Test Shop") {
		t.Errorf("from %q, want the store's name at the deployment's sender", e.From)
	}
	for _, want := range []string{"15 минут", "не обращайте внимания"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("the email lacks %q:\n%s", want, e.Text)
		}
	}
	token := strings.TrimPrefix(path, "/app/login/")
	if len(token) < 43 {
		t.Errorf("token %q has fewer than 256 bits", token)
	}

	// Mail scanners open the link: its GET shows the button and uses
	// nothing up.
	for range 3 {
		r = f.Dashboard(t, "GET", path, "", nil)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `<form method="post" action="`+path+`">`) || r.Cookie(apptest.SessionCookie) != nil {
			t.Fatalf("GET of the link: %d, cookie %v\n%s", r.Status, r.Cookie(apptest.SessionCookie), r.Body)
		}
	}
	r = f.Dashboard(t, "POST", path, "", url.Values{})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/app/overview" {
		t.Fatalf("POST of the link: %d to %q, want 303 to /app/overview", r.Status, r.Header.Get("Location"))
	}
	c := r.Cookie(apptest.SessionCookie)
	if c == nil {
		t.Fatal("no session cookie")
	}
	raw := r.Header.Get("Set-Cookie")
	for _, want := range []string{"Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=604800"} {
		if !strings.Contains(raw, want) {
			t.Errorf("Set-Cookie %q lacks %s", raw, want)
		}
	}
	if strings.Contains(strings.ToLower(raw), "domain=") || len(c.Value) < 43 {
		t.Errorf("Set-Cookie %q: a __Host- cookie has no Domain, and its value 256 bits", raw)
	}
	if r := f.Dashboard(t, "GET", "/app/overview", c.Value, nil); r.Status == http.StatusSeeOther || !strings.Contains(r.Body, owner) {
		t.Errorf("the overview with the new session: %d\n%s", r.Status, r.Body)
	}

	// Signing in again in the same browser ends the session it held.
	requestLink(t, f, owner)
	again := f.Dashboard(t, "POST", f.SignInPath(t, owner, 2), c.Value, url.Values{})
	if again.Status != http.StatusSeeOther || again.Cookie(apptest.SessionCookie) == nil {
		t.Fatalf("signing in again: %d", again.Status)
	}
	if r := f.Dashboard(t, "GET", "/app/overview", c.Value, nil); r.Status != http.StatusSeeOther {
		t.Errorf("the session held before signing in again still works: %d", r.Status)
	}

	// A second press finds the link used.
	r = f.Dashboard(t, "POST", path, "", url.Values{})
	if r.Status != http.StatusGone || r.Cookie(apptest.SessionCookie) != nil || !strings.Contains(r.Body, "used already or has expired") {
		t.Fatalf("second POST of the link: %d\n%s", r.Status, r.Body)
	}
}

// A link works until its 15 minutes are over, and not from then on.
func TestSignInLinkExpires(t *testing.T) {
	f, owner, _ := staffFixture(t)
	requestLink(t, f, owner)
	requestLink(t, f, owner)
	first, second := f.SignInPath(t, owner, 1), f.SignInPath(t, owner, 2)

	f.Clock.Advance(closeloop.SignInLinkTTL - time.Second)
	if r := f.Dashboard(t, "POST", first, "", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("a link a second before its end: %d\n%s", r.Status, r.Body)
	}
	f.Clock.Advance(time.Second)
	if r := f.Dashboard(t, "POST", second, "", url.Values{}); r.Status != http.StatusGone {
		t.Fatalf("a link at its end: %d, want 410\n%s", r.Status, r.Body)
	}
}

// An address of no store gets the very page a registered one gets, and
// no email.
func TestSignInUnknownAddressSamePage(t *testing.T) {
	f, owner, _ := staffFixture(t)
	stranger := apptest.Email("stranger")
	known := requestLink(t, f, owner)
	unknown := requestLink(t, f, stranger)
	if known.Status != unknown.Status || strings.ReplaceAll(known.Body, owner, "ADDR") != strings.ReplaceAll(unknown.Body, stranger, "ADDR") {
		t.Errorf("the answers differ:\n%d %s\n---\n%d %s", known.Status, known.Body, unknown.Status, unknown.Body)
	}
	f.SignInPath(t, owner, 1) // the owner's came
	time.Sleep(300 * time.Millisecond)
	if n := len(f.Inbox.To(t, stranger)); n != 0 {
		t.Errorf("%d emails to an unregistered address, want 0", n)
	}
	// Bad input is named and changes nothing.
	if r := requestLink(t, f, "not an address"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `aria-invalid="true"`) {
		t.Errorf("a bad address: %d\n%s", r.Status, r.Body)
	}
}

// Both answers take at least MinAnswer, so that timing does not tell
// the addresses apart either.
func TestSignInAnswersTakeTheSameTime(t *testing.T) {
	f, owner, _ := staffFixture(t)
	const floor = 400 * time.Millisecond
	renderer, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	// The product's sign-in with a floor, over the dashboard function's clients.
	svc := signin.New(f.Product.FunctionDB("dashboard"), sesmail.New(f.Product.FunctionClients("dashboard").SES, ""), renderer,
		signin.Config{PublicBaseURL: "https://feedback.test", DefaultSender: "feedback@shop.test", MinAnswer: floor}, f.Clock.Now)
	for _, addr := range []string{owner, apptest.Email("stranger")} {
		start := time.Now()
		if err := svc.RequestLink(context.Background(), signin.Request{Email: addr, Client: "192.0.2.1", Lang: "en"}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < floor {
			t.Errorf("%s answered in %v, want at least %v", addr, took, floor)
		}
	}
}

// The sign-in requests of an address, and of a client, are limited per
// window, counted in items that expire with it.
func TestSignInRateLimits(t *testing.T) {
	f, owner, _ := staffFixture(t)
	for i := range closeloop.SignInPerAddress.Max {
		if r := requestLink(t, f, owner); r.Status != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, r.Status)
		}
	}
	r := requestLink(t, f, owner)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "Too many sign-in requests") {
		t.Fatalf("request past the limit: %d %q\n%s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if n := f.SignInEmails(t, owner); n != closeloop.SignInPerAddress.Max {
		t.Errorf("%d links sent, want %d", n, closeloop.SignInPerAddress.Max)
	}
	// Unknown addresses count as well, the same: the limit tells nothing.
	stranger := apptest.Email("stranger")
	for range closeloop.SignInPerAddress.Max {
		requestLink(t, f, stranger)
	}
	if r := requestLink(t, f, stranger); r.Status != http.StatusTooManyRequests {
		t.Errorf("an unknown address past the limit: %d", r.Status)
	}
	// The next window allows again.
	f.Clock.Advance(closeloop.SignInPerAddress.Window)
	if r := requestLink(t, f, owner); r.Status != http.StatusOK {
		t.Errorf("in the next window: %d", r.Status)
	}

	// The counts expire with their window.
	items := rateItems(t, f)
	if len(items) == 0 {
		t.Fatal("no rate items in the table")
	}
	for _, item := range items {
		n, ok := item["expires_at"].(*types.AttributeValueMemberN)
		if !ok {
			t.Errorf("rate item %v has no expires_at", item["pk"])
			continue
		}
		// The window's end and a minute: at most a window and a minute on.
		exp, err := strconv.ParseInt(n.Value, 10, 64)
		if latest := f.Clock.Now().Add(closeloop.SignInPerAddress.Window + time.Minute).Unix(); err != nil || exp > latest || exp < f.Clock.Now().Add(-closeloop.SignInPerAddress.Window).Unix() {
			t.Errorf("rate item %v expires_at %q, want within a window of now", item["pk"], n.Value)
		}
	}

	// One client asking for many addresses is stopped at its own limit.
	g, _, _ := staffFixture(t)
	for i := range closeloop.SignInPerClient.Max {
		if r := requestLink(t, g, apptest.Email("many")); r.Status != http.StatusOK {
			t.Fatalf("client request %d: %d", i+1, r.Status)
		}
	}
	if r := requestLink(t, g, apptest.Email("many")); r.Status != http.StatusTooManyRequests {
		t.Errorf("a client past its limit: %d", r.Status)
	}
}

// scanTable reads every item of the fixture's table (tests may scan).
func scanTable(t *testing.T, f *apptest.Fixture) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	pages := dynamodb.NewScanPaginator(f.Client, &dynamodb.ScanInput{TableName: aws.String(f.Table), ConsistentRead: aws.Bool(true)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, out.Items...)
	}
	return items
}

func rateItems(t *testing.T, f *apptest.Fixture) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for _, item := range scanTable(t, f) {
		if strings.HasPrefix(item["pk"].(*types.AttributeValueMemberS).Value, "RATE#") {
			out = append(out, item)
		}
	}
	return out
}

// Neither the link's token nor the session's cookie is in the table:
// only their hashes, each with its expiry.
func TestOnlyHashesAreStored(t *testing.T) {
	f, owner, _ := staffFixture(t)
	requestLink(t, f, owner)
	path := f.SignInPath(t, owner, 1)
	token := strings.TrimPrefix(path, "/app/login/")
	check := func(secretValue, prefix string) {
		t.Helper()
		found := false
		for _, item := range scanTable(t, f) {
			for name, v := range item {
				if s, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(s.Value, secretValue) {
					t.Errorf("the table holds the secret in %s of %v", name, item["pk"])
				}
			}
			if item["pk"].(*types.AttributeValueMemberS).Value == prefix+secret.Hash(secretValue) {
				found = true
				if _, ok := item["expires_at"].(*types.AttributeValueMemberN); !ok {
					t.Errorf("%s item without expires_at", prefix)
				}
			}
		}
		if !found {
			t.Errorf("no %s item under the hash", prefix)
		}
	}
	check(token, "SIGNIN#")
	r := f.Dashboard(t, "POST", path, "", url.Values{})
	cookie := r.Cookie(apptest.SessionCookie).Value
	check(cookie, "SESSION#")
}

// A session ends after 12 idle hours, and after 7 days however used; its
// use is written at most every few minutes.
func TestSessionExpiry(t *testing.T) {
	f, owner, _ := staffFixture(t)
	signedIn := func(session string) bool {
		r := f.Dashboard(t, "GET", "/app/overview", session, nil)
		return r.Status != http.StatusSeeOther
	}
	idle := f.SignIn(t, owner)
	f.Clock.Advance(closeloop.SessionIdle - time.Minute)
	if !signedIn(idle) {
		t.Fatal("signed out before 12 idle hours")
	}
	f.Clock.Advance(closeloop.SessionIdle - time.Minute) // used a moment ago: idle again from then
	if !signedIn(idle) {
		t.Fatal("signed out although used within 12 hours")
	}
	f.Clock.Advance(closeloop.SessionIdle)
	if signedIn(idle) {
		t.Fatal("still signed in after 12 idle hours")
	}
	r := f.Dashboard(t, "GET", "/app/overview", idle, nil)
	if loc := r.Header.Get("Location"); loc != "/app/login?next=%2Fapp%2Foverview" {
		t.Errorf("redirect to %q, want the login page with next", loc)
	}

	// Used every 11 hours, it still ends 7 days after sign-in.
	used := f.SignIn(t, owner)
	start := f.Clock.Now()
	for f.Clock.Now().Before(start.Add(closeloop.SessionMaxAge - 11*time.Hour)) {
		f.Clock.Advance(11 * time.Hour)
		if !signedIn(used) {
			t.Fatalf("signed out %v after sign-in", f.Clock.Now().Sub(start))
		}
	}
	f.Clock.Advance(11 * time.Hour)
	if signedIn(used) {
		t.Fatalf("still signed in %v after sign-in", f.Clock.Now().Sub(start))
	}

	// Page views within the refresh interval write nothing.
	fresh := f.SignIn(t, owner)
	f.Clock.Advance(closeloop.SessionRefresh + time.Second)
	signedIn(fresh) // writes the use once
	f.Counter.Reset()
	for range 3 {
		signedIn(fresh)
	}
	if got := f.Counter.Counts()["UpdateItem"]; got != 0 {
		t.Errorf("%d session writes for 3 views within %v, want 0", got, closeloop.SessionRefresh)
	}
}

// Signing out ends the session on the server: the old cookie no longer
// works, and the browser is told to drop it.
func TestLogout(t *testing.T) {
	f, owner, _ := staffFixture(t)
	session := f.SignIn(t, owner)
	csrf := f.CSRF(t, session)
	r := f.Dashboard(t, "POST", "/app/logout", session, url.Values{"csrf": {csrf}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/app/login" {
		t.Fatalf("POST /app/logout: %d to %q", r.Status, r.Header.Get("Location"))
	}
	if c := r.Cookie(apptest.SessionCookie); c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("logout's cookie %v, want it dropped", c)
	}
	if r := f.Dashboard(t, "GET", "/app/overview", session, nil); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/app/login") {
		t.Errorf("the old cookie after logout: %d to %q, want the login page", r.Status, r.Header.Get("Location"))
	}
	for _, item := range scanTable(t, f) {
		if strings.HasPrefix(item["pk"].(*types.AttributeValueMemberS).Value, "SESSION#") {
			t.Errorf("a session item is left: %v", item["pk"])
		}
	}
}

// A person registered for two stores chooses one, and may switch; the
// role is the one each store gives them.
func TestSeveralStoresChoose(t *testing.T) {
	f, owner, _ := staffFixture(t)
	// The owner of the fixture's store supports another store.
	f.NewStore(t, apptest.Staff([]string{apptest.Email("boss")}, []string{owner}), func(s *closeloop.Settings) { s.Branding.Name = "Other Shop" })
	requestLink(t, f, owner)
	path := f.SignInPath(t, owner, 1)
	if e := f.Inbox.To(t, owner)[0]; e.Subject != "Sign in to your stores' dashboard" || !strings.Contains(e.Text, "Other Shop") || !strings.Contains(e.Text, "Test Shop") {
		t.Errorf("the email for two stores: %q\n%s", e.Subject, e.Text)
	}
	r := f.Dashboard(t, "POST", path, "", url.Values{})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/app/stores" {
		t.Fatalf("POST of the link: %d to %q, want the store choice", r.Status, r.Header.Get("Location"))
	}
	session := r.Cookie(apptest.SessionCookie).Value
	if r := f.Dashboard(t, "GET", "/app/overview", session, nil); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/app/stores" {
		t.Errorf("a page before choosing: %d to %q, want the store choice", r.Status, r.Header.Get("Location"))
	}
	page := f.Dashboard(t, "GET", "/app/stores", session, nil)
	if !strings.Contains(page.Body, "Other Shop") || !strings.Contains(page.Body, "Test Shop") {
		t.Fatalf("the store choice lacks a store:\n%s", page.Body)
	}
	csrf := f.CSRF(t, session)
	otherID := storeIDOf(t, page.Body, "Other Shop")

	// Another store's ID, not theirs, is refused.
	if r := f.Dashboard(t, "POST", "/app/stores", session, url.Values{"csrf": {csrf}, "store": {"shop-notmine"}}); r.Status != http.StatusForbidden {
		t.Errorf("choosing a store not theirs: %d", r.Status)
	}
	if r := f.Dashboard(t, "POST", "/app/stores", session, url.Values{"csrf": {csrf}, "store": {otherID}}); r.Status != http.StatusSeeOther {
		t.Fatalf("choose: %d\n%s", r.Status, r.Body)
	}
	// Support in the other store: no settings.
	if r := f.Dashboard(t, "GET", "/app/settings", session, nil); r.Status != http.StatusForbidden {
		t.Errorf("settings as support of the chosen store: %d, want 403", r.Status)
	}
	if r := f.Dashboard(t, "GET", "/app/followups", session, nil); !strings.Contains(r.Body, "Other Shop") || !strings.Contains(r.Body, `href="/app/stores"`) {
		t.Errorf("the layout names the chosen store and offers to switch:\n%s", r.Body)
	}
	// Switch to the own store: owner there.
	if r := f.Dashboard(t, "POST", "/app/stores", session, url.Values{"csrf": {csrf}, "store": {f.StoreID}}); r.Status != http.StatusSeeOther {
		t.Fatalf("switch: %d", r.Status)
	}
	if r := f.Dashboard(t, "GET", "/app/settings", session, nil); r.Status == http.StatusForbidden || r.Status == http.StatusSeeOther {
		t.Errorf("settings as owner: %d", r.Status)
	}
}

// storeIDOf finds the store ID of the choice named name on the store
// choice page.
func storeIDOf(t *testing.T, body, name string) string {
	t.Helper()
	i := strings.Index(body, name)
	j := strings.LastIndex(body[:i], `name="store" value="`)
	if i < 0 || j < 0 {
		t.Fatalf("no choice %q:\n%s", name, body)
	}
	rest := body[j+len(`name="store" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// An address removed from the settings loses access at once, and gets no
// new link.
func TestRemovedAddressLosesAccess(t *testing.T) {
	f, owner, support := staffFixture(t)
	session := f.SignIn(t, support)
	if r := f.Dashboard(t, "GET", "/app/overview", session, nil); r.Status == http.StatusSeeOther {
		t.Fatalf("support signed in: %d", r.Status)
	}
	if r := f.API(t, "PUT", "/v1/settings", `{"support_emails":[]}`); r.Status != http.StatusOK {
		t.Fatalf("PUT /v1/settings: %d %s", r.Status, r.Body)
	}
	if r := f.Dashboard(t, "GET", "/app/overview", session, nil); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/app/login") {
		t.Errorf("a removed address's session: %d to %q, want the login page", r.Status, r.Header.Get("Location"))
	}
	requestLink(t, f, support)
	requestLink(t, f, owner)
	f.SignInPath(t, owner, 1) // the owner's link came, so the support one would have too
	if n := f.SignInEmails(t, support); n != 1 {
		t.Errorf("%d sign-in emails to the removed address, want only the first", n)
	}
	// And added back, it gets one (the settings wrote its STAFF item).
	if r := f.API(t, "PUT", "/v1/settings", `{"support_emails":["`+support+`"]}`); r.Status != http.StatusOK {
		t.Fatalf("PUT /v1/settings: %d %s", r.Status, r.Body)
	}
	requestLink(t, f, support)
	f.SignInPath(t, support, 2)
}

// Forms sent from another site, without the session's token or with
// another, are refused and change nothing.
func TestCSRFRefused(t *testing.T) {
	f, owner, _ := staffFixture(t)
	f.NewStore(t, apptest.Staff([]string{owner}, nil), func(s *closeloop.Settings) { s.Branding.Name = "Other Shop" })
	requestLink(t, f, owner)
	session := f.Dashboard(t, "POST", f.SignInPath(t, owner, 1), "", url.Values{}).Cookie(apptest.SessionCookie).Value
	csrf := f.CSRF(t, session)
	tests := []struct {
		name    string
		form    url.Values
		headers []string
	}{
		{"cross-site", url.Values{"csrf": {csrf}, "store": {f.StoreID}}, []string{"Sec-Fetch-Site", "cross-site"}},
		{"same-site", url.Values{"csrf": {csrf}, "store": {f.StoreID}}, []string{"Sec-Fetch-Site", "same-site"}},
		{"no token", url.Values{"store": {f.StoreID}}, nil},
		{"another token", url.Values{"csrf": {csrf[:len(csrf)-2] + "xx"}, "store": {f.StoreID}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := f.Dashboard(t, "POST", "/app/stores", session, tt.form, tt.headers...); r.Status != http.StatusForbidden {
				t.Errorf("choose a store: %d, want 403", r.Status)
			}
			if r := f.Dashboard(t, "GET", "/app/overview", session, nil); r.Header.Get("Location") != "/app/stores" {
				t.Errorf("after a refused choice: %d to %q, want still no store", r.Status, r.Header.Get("Location"))
			}
			if r := f.Dashboard(t, "POST", "/app/logout", session, url.Values{"csrf": tt.form["csrf"]}, tt.headers...); r.Status != http.StatusForbidden {
				t.Errorf("logout: %d, want 403", r.Status)
			}
			if r := f.Dashboard(t, "GET", "/app/stores", session, nil); r.Status != http.StatusOK {
				t.Errorf("after a refused logout: %d, want still signed in", r.Status)
			}
		})
	}
	// The sign-in forms refuse other sites too.
	if r := requestLink(t, f, owner, "Sec-Fetch-Site", "cross-site"); r.Status != http.StatusForbidden {
		t.Errorf("cross-site sign-in request: %d", r.Status)
	}
	requestLink(t, f, owner)
	path := f.SignInPath(t, owner, 2)
	if r := f.Dashboard(t, "POST", path, "", url.Values{}, "Sec-Fetch-Site", "cross-site"); r.Status != http.StatusForbidden {
		t.Errorf("cross-site link press: %d", r.Status)
	}
	if r := f.Dashboard(t, "POST", path, "", url.Values{}); r.Status != http.StatusSeeOther {
		t.Errorf("the link after a refused cross-site press: %d, want it unused", r.Status)
	}
}

// The DynamoDB requests of signing in and of each page view's
// Authenticator, counted: the README and the note quote them.
func TestSignInRequestCounts(t *testing.T) {
	f, owner, _ := staffFixture(t)
	count := func(do func()) map[string]int {
		t.Helper()
		f.Counter.Reset()
		do()
		return f.Counter.Counts()
	}
	same := func(what string, got, want map[string]int) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
			return
		}
		for op, n := range want {
			if got[op] != n {
				t.Errorf("%s: %v, want %v", what, got, want)
				return
			}
		}
		t.Logf("%s: %v", what, got)
	}
	same("sign-in request, unknown address", count(func() { requestLink(t, f, apptest.Email("stranger")) }),
		map[string]int{"TransactWriteItems": 1, "Query": 1})
	same("sign-in request, owner", count(func() { requestLink(t, f, owner) }),
		map[string]int{"TransactWriteItems": 1, "Query": 1, "BatchGetItem": 1, "PutItem": 1})
	path := f.SignInPath(t, owner, 1)
	same("GET of the link", count(func() { f.Dashboard(t, "GET", path, "", nil) }), map[string]int{})
	var session string
	same("POST of the link", count(func() {
		session = f.Dashboard(t, "POST", path, "", url.Values{}).Cookie(apptest.SessionCookie).Value
	}), map[string]int{"DeleteItem": 1, "PutItem": 1})

	req, _ := http.NewRequest("GET", "/app/overview", nil)
	req.AddCookie(&http.Cookie{Name: apptest.SessionCookie, Value: session})
	auth := dashboard.SessionAuth(f.Product.SignIn)
	same("a page view's Authenticator", count(func() {
		if _, err := auth.Viewer(req); err != nil {
			t.Fatal(err)
		}
	}), map[string]int{"GetItem": 2})
	f.Clock.Advance(closeloop.SessionRefresh)
	same("the first page view after the refresh interval", count(func() {
		if _, err := auth.Viewer(req); err != nil {
			t.Fatal(err)
		}
	}), map[string]int{"GetItem": 2, "UpdateItem": 1})
}

// A page that sent the person to sign in is where the link lands them;
// a next page off the dashboard is dropped.
func TestSignInLandsOnTheNextPage(t *testing.T) {
	f, owner, _ := staffFixture(t)
	r := f.Dashboard(t, "GET", "/app/followups/c_123", "", nil)
	next := r.Header.Get("Location")
	if next != "/app/login?next=%2Fapp%2Ffollowups%2Fc_123" {
		t.Fatalf("a case page signed out leads to %q", next)
	}
	if page := f.Dashboard(t, "GET", next, "", nil); !strings.Contains(page.Body, `name="next" value="/app/followups/c_123"`) {
		t.Fatalf("the login form does not carry next:\n%s", page.Body)
	}
	for _, tt := range []struct{ next, want string }{
		{"/app/followups/c_123", "/app/followups/c_123"},
		{"https://evil.example/app/", "/app/overview"},
	} {
		f.Dashboard(t, "POST", "/app/login", "", url.Values{"email": {owner}, "next": {tt.next}})
		path := f.SignInPath(t, owner, f.SignInEmails(t, owner))
		if r := f.Dashboard(t, "POST", path, "", url.Values{}); r.Header.Get("Location") != tt.want {
			t.Errorf("next %q: landed on %q, want %q", tt.next, r.Header.Get("Location"), tt.want)
		}
	}
}
