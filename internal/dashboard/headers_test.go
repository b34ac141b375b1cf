package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dashboard"
)

// fixedAuth is a test Authenticator: every request is the one signed-in
// viewer (signing in is the login pages' part, tested there).
type fixedAuth dashboard.Viewer

func (a fixedAuth) Viewer(*http.Request) (dashboard.Viewer, error) { return dashboard.Viewer(a), nil }

// ownerAuth is every request signed in as the store's owner.
func ownerAuth(store closeloop.Store) fixedAuth {
	return fixedAuth{Email: "owner@shop.test", StoreID: store.StoreID, Store: store, Role: closeloop.RoleOwner, Stores: 1, CSRF: queueCSRF}
}

// routesIn reads the "METHOD /path" patterns a Go file registers on its
// mux; a pattern without a method counts as GET.
func routesIn(t *testing.T, file string) []string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`mux\.Handle(?:Func)?\("([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		route := m[1]
		if !strings.Contains(route, " ") {
			route = "GET " + route
		}
		out = append(out, route)
	}
	if len(out) == 0 {
		t.Fatalf("no routes found in %s", file)
	}
	return out
}

// checkPageHeaders checks what every page must carry: a CSP that runs no
// inline script and allows no framing, no sniffing, no referrer, and for
// token pages (credentials in the path) no caching.
func checkPageHeaders(t *testing.T, what string, h http.Header, token bool) {
	t.Helper()
	csp := map[string][]string{}
	for _, d := range strings.Split(h.Get("Content-Security-Policy"), ";") {
		if f := strings.Fields(d); len(f) > 0 {
			csp[f[0]] = f[1:]
		}
	}
	script, ok := csp["script-src"]
	if !ok {
		// Without script-src, default-src decides: it must allow nothing.
		if strings.Join(csp["default-src"], " ") != "'none'" {
			t.Errorf("%s: CSP %q has no script-src and default-src is not 'none'", what, h.Get("Content-Security-Policy"))
		}
	}
	for _, s := range append(script, csp["default-src"]...) {
		if s == "'unsafe-inline'" || s == "'unsafe-eval'" || s == "*" || s == "data:" {
			t.Errorf("%s: CSP %q allows script from %s", what, h.Get("Content-Security-Policy"), s)
		}
	}
	if strings.Join(csp["frame-ancestors"], " ") != "'none'" {
		t.Errorf("%s: CSP %q lacks frame-ancestors 'none'", what, h.Get("Content-Security-Policy"))
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy %q, want no-referrer", what, got)
	}
	if got := h.Get("Cache-Control"); token && got != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store on a token page", what, got)
	}
}

// TestEveryPageSendsSecurityHeaders requests every route of the customer
// pages (pages.go) and of the dashboard (dashboard.go), with working and
// failing tokens and IDs, GET and POST, and checks each answer's headers.
// A route added to either file is requested too.
func TestEveryPageSendsSecurityHeaders(t *testing.T) {
	s := newQueueShop(t)
	caseID, email := s.unhappy(t, "headers", "The handle came off")
	var token string
	for _, m := range s.Inbox.To(t, email) {
		if l := surveyLink.FindStringSubmatch(m.Text); l != nil {
			token = strings.TrimPrefix(l[1], "/s/")
		}
	}
	if token == "" {
		t.Fatalf("no survey link sent to %s", email)
	}

	store, err := s.Product.DB.Store(context.Background(), s.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	owner := s.DashboardAs(t, ownerAuth(store))

	bad := "s_nosuchsurvey.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	form := url.Values{"csrf": {queueCSRF}, "score": {"5"}, "comment": {"fine"}, "answer": {"yes"}, "text": {"called"}}.Encode()
	request := func(base, method, path string) *http.Response {
		t.Helper()
		body := ""
		if method == "POST" {
			body = form
		}
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := apptest.NoRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	pagePaths := map[string][]string{
		"{token}": {token, bad, "not-a-token"},
	}
	n := 0
	for _, route := range routesIn(t, "../pages/pages.go") {
		method, pattern, _ := strings.Cut(route, " ")
		for _, tok := range pagePaths["{token}"] {
			path := strings.Replace(pattern, "{token}", tok, 1)
			resp := request(s.Server.URL, method, path)
			checkPageHeaders(t, method+" "+pattern+" ("+tok[:min(len(tok), 12)]+"…, "+resp.Status+")", resp.Header, true)
			n++
		}
	}

	ids := map[string][]string{
		"{case_id}": {caseID, "c_none"},
		"{action}":  {"claim"},
		"{key_id}":  {"k_none"},
		"{token}":   {bad},
		"{$}":       {""},
	}
	for _, route := range append(routesIn(t, "dashboard.go"), "GET /app/no-such-page") {
		method, pattern, _ := strings.Cut(route, " ")
		paths := []string{pattern}
		for name, values := range ids {
			var next []string
			for _, p := range paths {
				if !strings.Contains(p, name) {
					next = append(next, p)
					continue
				}
				for _, v := range values {
					next = append(next, strings.Replace(p, name, v, 1))
				}
			}
			paths = next
		}
		for _, base := range []string{owner.URL, s.App.URL} {
			for _, path := range paths {
				resp := request(base, method, path)
				what := method + " " + path + " (" + resp.Status + ")"
				if path == "/app/static/app.css" {
					if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
						t.Errorf("%s: no X-Content-Type-Options: nosniff", what)
					}
					continue
				}
				checkPageHeaders(t, what, resp.Header, strings.Contains(pattern, "{token}"))
				if got := resp.Header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("%s: Cache-Control %q, want no-store on a dashboard page", what, got)
				}
				n++
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d page answers checked", n)
	}
}
