package pages_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/secret"
)

// TestBadTokensCostLittle floods every token page, GET and POST, with
// tokens: one that cannot be a token is refused before any DynamoDB
// request; one of the right form that opens nothing costs exactly one
// read, whether its owner is unknown or real with the wrong secret.
func TestBadTokensCostLittle(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("tokens")
	r := f.API(t, "POST", "/v1/orders", apptest.Order("o-tokens", email))
	if r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t)
	real := strings.TrimPrefix(f.SurveyPath(t, email), "/s/")
	surveyID, _, _ := strings.Cut(real, ".")
	secret43 := func() string { tok, _ := secret.NewToken("x"); return tok[2:] }
	// A digest link's signature: 128 bits.
	mac := base64.RawURLEncoding.EncodeToString([]byte(secret.NewKey()[:16]))

	malformed := []string{
		"x", "abc", "s_abc", "s_abc.", ".",
		"s_abc." + secret43()[:42],                          // one character short
		"s_abc." + secret43() + "A",                         // one too many
		"." + secret43(),                                    // no owner
		strings.Repeat("s", 65) + "." + secret43(),          // owner too long
		"s_abc." + strings.Repeat("*", 43),                  // not base64
		"s_abc." + strings.Repeat("é", 22)[:43],             // not ASCII
		surveyID + "." + secret43()[:40] + "===",            // padded
		strings.Repeat("A", 4000),                           // long
		"shop-abcdefgh." + strings.Repeat("0", 31) + ".xyz", // a digest token's shape, cut short
		real + "x", "x" + real[1:] + "." + secret43(),
	}
	wellFormed := map[string][]string{
		"/s/": {secret.NewID("s") + "." + secret43(), surveyID + "." + secret43()},
		"/u/": {secret.NewID("s") + "." + secret43(), surveyID + "." + secret43()},
		"/r/": {secret.NewID("c") + "." + secret43(), "c_" + surveyID[2:] + "." + secret43()},
		"/d/": {"shop-nosuchstore." + strings.Repeat("0", 32) + "." + mac,
			// The fixture's store, a signature that does not match.
			f.StoreID + "." + strings.Repeat("a", 32) + "." + mac},
	}
	form := url.Values{"score": {"1"}, "comment": {"nothing"}, "answer": {"yes"}}.Encode()
	send := func(method, path string) apptest.Response {
		t.Helper()
		body := ""
		if method == "POST" {
			body = form
		}
		f.Counter.Reset()
		r := f.Do(t, method, path, "", "application/x-www-form-urlencoded", body)
		if r.Status >= 500 {
			t.Errorf("%s %.60s: %d", method, path, r.Status)
		}
		return r
	}
	for _, prefix := range []string{"/s/", "/u/", "/r/", "/d/"} {
		for _, method := range []string{"GET", "POST"} {
			for _, tok := range malformed {
				send(method, prefix+url.PathEscape(tok))
				if n := f.Counter.Total(); n != 0 {
					t.Errorf("%s %s%.50s (malformed): %d DynamoDB requests %v, want 0", method, prefix, tok, n, f.Counter.Counts())
				}
			}
			for _, tok := range wellFormed[prefix] {
				send(method, prefix+tok)
				if n := f.Counter.Total(); n != 1 {
					t.Errorf("%s %s%.50s (well-formed, opens nothing): %d DynamoDB requests %v, want 1", method, prefix, tok, n, f.Counter.Counts())
				}
			}
		}
	}

	// The real link still works: the flood changed nothing.
	if r := send("GET", "/s/"+real); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="score"`) {
		t.Fatalf("the real survey after the flood: %d", r.Status)
	}
	if f.Counter.Total() == 0 {
		t.Fatal("the counter saw no request for a real survey: it counts nothing")
	}
}
