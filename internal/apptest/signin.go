package apptest

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Signing in to the dashboard through its real path: the form at
// /app/login, the link emailed to the SES inbox and its button.

// SessionCookie names the dashboard's session cookie (dashboard.SessionCookie).
const SessionCookie = "__Host-closeloop-session"

var signInLink = regexp.MustCompile(`https://feedback\.test(/app/login/[A-Za-z0-9_-]+)`)

// SignInPath returns the /app/login/{token} path of the n-th sign-in email
// to addr (1 for the first), waiting for it up to 10 s.
func (f *Fixture) SignInPath(t testing.TB, addr string, n int) string {
	t.Helper()
	var links []string
	deadline := time.Now().Add(10 * time.Second)
	for len(links) < n {
		links = links[:0]
		for _, e := range f.Inbox.To(t, addr) {
			if m := signInLink.FindStringSubmatch(e.Text); m != nil {
				links = append(links, m[1])
			}
		}
		if len(links) >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sign-in emails to %s, want %d", len(links), addr, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return links[n-1]
}

// SignInEmails counts the sign-in emails sent to addr so far.
func (f *Fixture) SignInEmails(t testing.TB, addr string) int {
	t.Helper()
	n := 0
	for _, e := range f.Inbox.To(t, addr) {
		if signInLink.MatchString(e.Text) {
			n++
		}
	}
	return n
}

// Dashboard sends a request to the dashboard as a browser would (a form
// body when form is not nil, Sec-Fetch-Site same-origin on a POST) with
// the session cookie when session is not "", and reads the response
// without following a redirect. headers are name, value pairs that add to
// or replace the browser's.
func (f *Fixture) Dashboard(t testing.TB, method, path, session string, form url.Values, headers ...string) Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.Server.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: session})
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return Send(t, NoRedirects, req)
}

// Cookie returns the cookie the response set under name, nil when none.
func (r Response) Cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// SignIn signs addr in to the dashboard as a person would: asks for a
// link, takes it from the inbox (the n-th sign-in email to addr, n counting
// this one), presses its button, and returns the session cookie's value.
func (f *Fixture) SignIn(t testing.TB, addr string) string {
	t.Helper()
	before := f.SignInEmails(t, addr)
	if r := f.Dashboard(t, "POST", "/app/login", "", url.Values{"email": {addr}}); r.Status != http.StatusOK {
		t.Fatalf("POST /app/login: %d\n%s", r.Status, r.Body)
	}
	r := f.Dashboard(t, "POST", f.SignInPath(t, addr, before+1), "", url.Values{})
	c := r.Cookie(SessionCookie)
	if r.Status != http.StatusSeeOther || c == nil {
		t.Fatalf("POST of the sign-in link: %d, cookie %v\n%s", r.Status, c, r.Body)
	}
	return c.Value
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRF returns the CSRF token of the session's forms, as the store
// choice page carries it.
func (f *Fixture) CSRF(t testing.TB, session string) string {
	t.Helper()
	r := f.Dashboard(t, "GET", "/app/stores", session, nil)
	m := csrfField.FindStringSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		t.Fatalf("GET /app/stores: %d, no csrf field\n%s", r.Status, r.Body)
	}
	return m[1]
}

// Staff returns the Option that names owners and support addresses in
// the store's settings.
func Staff(owners, support []string) Option {
	return func(s *closeloop.Settings) {
		s.OwnerEmails, s.SupportEmails = owners, support
	}
}
