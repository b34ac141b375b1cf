package render_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
)

var (
	htmlLink = regexp.MustCompile(`(?:href|src)="([^"]*)"`)
	textLink = regexp.MustCompile(`https?://[^\s<>"]+`)
)

// catchAll are patterns that match any path under them: a link that lands
// on one has no page of its own.
var catchAll = []string{"", "/", "/app/"}

// TestGoldenEmailLinksResolve: every link in every golden email is
// absolute https, the text part carries the HTML part's links, and every
// link under the product's address matches a route the product serves
// (local.Product's handler, as make dev and the HTTP API route them). The
// tokens in the links are made up, so what counts is the route the request
// reached, never the page it got.
func TestGoldenEmailLinksResolve(t *testing.T) {
	f := apptest.New(t)
	handler := f.Product.Handler()
	checked := map[string]string{} // method and path → the route it reached
	route := func(method, link string) string {
		key := method + " " + link
		if pattern, ok := checked[key]; ok {
			return pattern
		}
		req := httptest.NewRequest(method, strings.Replace(link, goldenBaseURL, "http://feedback.example.com", 1), nil)
		func() {
			// ServeMux names the route on the request before it runs the
			// handler; a handler failing on the made-up token (or a
			// dependency this fixture leaves out) does not matter here.
			defer func() { _ = recover() }()
			handler.ServeHTTP(httptest.NewRecorder(), req)
		}()
		checked[key] = req.Pattern
		return req.Pattern
	}
	for _, g := range goldenEmails(t) {
		var links []string
		for _, m := range htmlLink.FindAllStringSubmatch(g.Email.HTML, -1) {
			link := html.UnescapeString(m[1])
			if !strings.HasPrefix(link, "https://") {
				t.Errorf("%s %s: link %q in the HTML part is not absolute https", g.Name, g.Lang, link)
			}
			if strings.HasPrefix(m[0], "href=") && !strings.Contains(g.Email.Text, link) {
				t.Errorf("%s %s: the text part lacks the HTML part's link %q", g.Name, g.Lang, link)
			}
			links = append(links, link)
		}
		links = append(links, textLink.FindAllString(g.Email.Text, -1)...)
		for _, link := range links {
			if !strings.HasPrefix(link, goldenBaseURL+"/") {
				continue
			}
			if pattern := route(http.MethodGet, link); slices.Contains(catchAll, pattern) {
				t.Errorf("%s %s: GET %s matches no route of the product (pattern %q)", g.Name, g.Lang, link, pattern)
			}
		}
		for _, h := range g.Message.Headers {
			if h.Name != "List-Unsubscribe" {
				continue
			}
			// Mail clients POST the one-click unsubscribe (RFC 8058).
			link := strings.Trim(h.Value, "<>")
			if pattern := route(http.MethodPost, link); slices.Contains(catchAll, pattern) || !strings.HasPrefix(pattern, "POST ") {
				t.Errorf("%s %s: POST %s (List-Unsubscribe) matches no route of the product (pattern %q)", g.Name, g.Lang, link, pattern)
			}
		}
	}
	if len(checked) < 6 {
		t.Fatalf("checked only %d links; the golden emails lost theirs or the scan is broken", len(checked))
	}
	for key, pattern := range checked {
		t.Logf("%s → %s", key, pattern)
	}
}
