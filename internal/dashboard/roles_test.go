package dashboard_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
)

// TestRolesOnEveryRoute calls every route of dashboard.go anonymously, as
// support and as the owner: anonymous page views go to the login page
// (posts are refused), support is refused settings and keys, everything
// else runs for both, and every answer carries the security headers. A
// route missing from the table fails the test.
func TestRolesOnEveryRoute(t *testing.T) {
	f, owner, support := staffFixture(t)
	const (
		public  = "public"  // no session needed
		session = "session" // any signed-in person, chosen store or not
		staff   = "support" // support and owners
		owners  = "owner"   // owners only
	)
	tests := []struct {
		route string // the pattern in dashboard.go
		path  string
		need  string
	}{
		{"GET /app/static/app.css", "/app/static/app.css", public},
		{"GET /app/{$}", "/app/", public},
		{"GET /app", "/app", public},
		{"GET /app/login", "/app/login", public},
		{"POST /app/login", "/app/login", public},
		{"GET /app/login/{token}", "/app/login/not-a-token", public},
		{"POST /app/login/{token}", "/app/login/not-a-token", public},
		{"GET /app/stores", "/app/stores", session},
		{"POST /app/stores", "/app/stores", session},
		{"GET /app/overview", "/app/overview", staff},
		{"GET /app/products", "/app/products", staff},
		{"GET /app/responses", "/app/responses", staff},
		{"GET /app/responses.csv", "/app/responses.csv", staff},
		{"GET /app/followups", "/app/followups", staff},
		{"GET /app/followups/{case_id}", "/app/followups/c_none", staff},
		{"POST /app/followups/{case_id}/{action}", "/app/followups/c_none/claim", staff},
		{"GET /app/keys", "/app/keys", owners},
		{"POST /app/keys", "/app/keys", owners},
		{"POST /app/keys/{key_id}/revoke", "/app/keys/k_none/revoke", owners},
		{"GET /app/settings", "/app/settings", owners},
		// Last: a settings form, even refused, might change who may sign in.
		{"POST /app/settings", "/app/settings", owners},
		{"POST /app/logout", "/app/logout", session},
	}
	sessions := map[string]string{"": "", "support": f.SignIn(t, support), "owner": f.SignIn(t, owner)}
	// Signing out gets sessions of its own, so the others last the table.
	logouts := map[string]string{"": "", "support": f.SignIn(t, support), "owner": f.SignIn(t, owner)}
	csrf := map[string]string{"": "", "support": f.CSRF(t, sessions["support"]), "owner": f.CSRF(t, sessions["owner"])}
	logoutCSRF := map[string]string{"": "", "support": f.CSRF(t, logouts["support"]), "owner": f.CSRF(t, logouts["owner"])}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.route] = true
		method, _, _ := strings.Cut(tt.route, " ")
		for _, who := range []string{"", "support", "owner"} {
			name := who
			if name == "" {
				name = "anonymous"
			}
			t.Run(tt.route+" as "+name, func(t *testing.T) {
				cookie, token := sessions[who], csrf[who]
				if tt.route == "POST /app/logout" {
					cookie, token = logouts[who], logoutCSRF[who]
				}
				var form url.Values
				if method == http.MethodPost {
					form = url.Values{"csrf": {token}}
					if tt.route == "POST /app/login" {
						form.Set("email", apptest.Email("roles"))
					}
					if tt.route == "POST /app/stores" {
						form.Set("store", f.StoreID)
					}
				}
				r := f.Dashboard(t, method, tt.path, cookie, form)
				checkHeaders(t, tt.route, r)
				toLogin := r.Status == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/app/login")
				switch {
				case tt.need == public:
					if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden || toLogin {
						t.Errorf("status %d to %q, want the route to run without a session", r.Status, r.Header.Get("Location"))
					}
				case who == "" && method == http.MethodGet:
					if want := "/app/login?next=" + url.QueryEscape(tt.path); r.Status != http.StatusSeeOther || r.Header.Get("Location") != want {
						t.Errorf("status %d to %q, want 303 to %s", r.Status, r.Header.Get("Location"), want)
					}
				case tt.route == "POST /app/logout":
					// Signed out (or already): on to the login page.
					if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/app/login" {
						t.Errorf("status %d to %q, want 303 to /app/login", r.Status, r.Header.Get("Location"))
					}
				case who == "":
					if r.Status != http.StatusUnauthorized {
						t.Errorf("status %d, want 401", r.Status)
					}
				case tt.need == owners && who == "support":
					if r.Status != http.StatusForbidden {
						t.Errorf("status %d, want 403", r.Status)
					}
				default:
					if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden || toLogin {
						t.Errorf("status %d to %q, want the route to run\n%s", r.Status, r.Header.Get("Location"), r.Body)
					}
				}
			})
		}
	}
	src, err := os.ReadFile("dashboard.go")
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+ /[^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < len(tests) {
		t.Errorf("found %d routes in dashboard.go, want at least %d: has the registration changed?", len(routes), len(tests))
	}
	for _, m := range routes {
		if !tested[m[1]] {
			t.Errorf("route %q is not in this test's table: add who may use it", m[1])
		}
	}
}

// checkHeaders fails unless r carries the dashboard's security headers;
// every page is also never cached (the stylesheet, nothing personal, is).
func checkHeaders(t *testing.T, route string, r apptest.Response) {
	t.Helper()
	want := map[string]string{
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
	}
	if route == "GET /app/static/app.css" {
		want["Cache-Control"] = "public, max-age=3600"
	}
	for name, value := range want {
		if got := r.Header.Get(name); got != value {
			t.Errorf("%s: %q, want %q", name, got, value)
		}
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q, want no script and no framing", csp)
	}
	if !strings.HasPrefix(r.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no Strict-Transport-Security")
	}
}
