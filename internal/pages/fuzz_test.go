package pages_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/secret"
)

// FuzzRequests sends whatever GET, HEAD or POST the fuzzer makes up to the
// whole product (store API and pages) holding two stores, and checks
// issue 9's promises: no request panics or fails with a 500, a GET or HEAD
// writes nothing to DynamoDB, a request with no store's link or key writes
// nothing at all, a write for one store leaves the other's records alone,
// and no answer shows a store's data to a caller without its link or key
// (store A's key reads nothing of B's; a link shows only its own store and
// page). The fixture lives as long as the fuzz process, so earlier inputs
// may have answered surveys or unsubscribed; the promises hold in every
// state. It needs the local stack; infra/test.sh runs it briefly. A longer
// run, with the stack up and test.sh's environment:
// go test -run '^$' -fuzz '^FuzzRequests$' -fuzztime 60s ./internal/pages/
func FuzzRequests(f *testing.F) {
	w := newFuzzWorld(f)
	for _, seed := range w.seeds() {
		f.Add(seed.method, seed.path, seed.body, seed.withKey)
	}
	f.Fuzz(func(t *testing.T, method uint8, path, body string, withKey bool) {
		w.check(t, fuzzMethods[int(method)%len(fuzzMethods)], path, body, withKey)
	})
}

var fuzzMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost}

// readOps are the DynamoDB operations that change nothing; any other one
// (PartiQL's too) counts as a write.
var readOps = map[string]bool{"GetItem": true, "BatchGetItem": true, "Query": true, "Scan": true, "TransactGetItems": true}

// fuzzStore is what one store's callers may see and nobody else may.
type fuzzStore struct {
	name    string
	storeID string
	// pages are its page links' paths, survey first, then unsubscribe,
	// digest last: who holds one may see the store's data on that page.
	pages     []string
	surveyIDs []string
	orderIDs  []string
	emails    []string
	// markers are strings only its callers' answers may hold, lower case:
	// brand name, address domain, store, survey and order IDs. Pages show
	// addresses masked (a•••@domain), so the domain is the marker.
	markers []string
}

// fuzzWorld is the fixture with stores A (the fixture's, whose owner key
// the fuzzer may send) and B, and what the checks remember between inputs.
type fuzzWorld struct {
	fx      *apptest.Fixture
	handler http.Handler
	stores  [2]*fuzzStore
	// routes finds the page link or the API in a path as the product's
	// muxes do: the page is the prefix and the token as the page reads it.
	routes *http.ServeMux
	routed struct {
		api  bool
		page string
	}
	// tainted are markers of one store that a request writing for the
	// other held (B's address in an adjustment with A's key, say): the data
	// is then the other store's too, and showing it there is no leak.
	tainted map[string]bool
	// states are each store's records as last read, to find a write that
	// reached the other store.
	states [2]fuzzState
	logs   *bytes.Buffer
}

// fuzzState is what a request for one store must leave alone in the other.
type fuzzState struct {
	Store   closeloop.Store
	Surveys []closeloop.Survey
	Points  []closeloop.Points
}

func newFuzzWorld(f *testing.F) *fuzzWorld {
	f.Helper()
	// The product logs every request; kept per input for a failure's
	// message (a 500's cause is only in the log).
	logs := &bytes.Buffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, nil)))
	f.Cleanup(func() { slog.SetDefault(prev) })

	run := strings.ToLower(secret.NewID("r")[2:10])
	domains := [2]string{run + "-alpha.test", run + "-beta.test"}
	brand := func(name, domain string) apptest.Option {
		return func(s *closeloop.Settings) {
			s.Branding.Name = name
			s.OwnerEmails = []string{"owner@" + domain}
		}
	}
	fx := apptest.New(f, brand("Alpha Shop", domains[0]))
	keyB := fx.NewStore(f, brand("Beta Shop", domains[1]))
	ctx := context.Background()
	key, err := fx.Product.DB.KeyByHash(ctx, secret.Hash(keyB))
	if err != nil {
		f.Fatal(err)
	}
	w := &fuzzWorld{fx: fx, handler: fx.Product.Handler(), tainted: map[string]bool{}, logs: logs}
	w.stores[0] = &fuzzStore{name: "Alpha Shop", storeID: fx.StoreID}
	w.stores[1] = &fuzzStore{name: "Beta Shop", storeID: key.StoreID}
	keys := [2]string{fx.APIKey, keyB}
	for i, s := range w.stores {
		for _, who := range []string{"ada", "bob"} {
			email := who + "@" + domains[i]
			orderID := "order-" + who + "-" + strings.ToLower(strings.Fields(s.name)[0]) + "-" + run
			r := fx.Do(f, "POST", "/v1/orders", keys[i], "application/json", apptest.Order(orderID, email))
			if r.Status != http.StatusAccepted {
				f.Fatalf("post order to %s: %d %s", s.name, r.Status, r.Body)
			}
			s.emails = append(s.emails, email)
			s.orderIDs = append(s.orderIDs, orderID)
		}
	}
	fx.Dispatch(f)
	for _, s := range w.stores {
		var unsubscribes []string
		for _, email := range s.emails {
			path := fx.SurveyPath(f, email)
			link := strings.Trim(fx.Inbox.To(f, email)[0].Headers["List-Unsubscribe"], "<>")
			unsubscribe, ok := strings.CutPrefix(link, "https://feedback.test")
			if !ok || !strings.HasPrefix(unsubscribe, "/u/") {
				f.Fatalf("List-Unsubscribe %q to %s is no /u/ link", link, email)
			}
			s.pages = append(s.pages, path)
			unsubscribes = append(unsubscribes, unsubscribe)
			surveyID, _, _ := strings.Cut(strings.TrimPrefix(path, "/s/"), ".")
			s.surveyIDs = append(s.surveyIDs, surveyID)
		}
		store, err := fx.Product.DB.Store(ctx, s.storeID)
		if err != nil {
			f.Fatal(err)
		}
		token, ok := digest.UnsubscribeToken(store, store.Settings.OwnerEmails[0])
		if !ok {
			f.Fatalf("%s has no digest unsubscribe token", s.name)
		}
		s.pages = append(append(s.pages, unsubscribes...), "/d/"+token)
	}
	for i, s := range w.stores {
		s.markers = append([]string{strings.ToLower(s.name), domains[i], s.storeID}, slices.Concat(s.surveyIDs, s.orderIDs)...)
		for j := range s.markers {
			s.markers[j] = strings.ToLower(s.markers[j])
		}
		// The second customer answered, so that thank-you pages are in play.
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", s.pages[1], strings.NewReader("score=5"))
		req.Header.Set("Content-Type", form)
		w.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "You earned") {
			f.Fatalf("answer %s's survey: %d\n%s", s.name, rec.Code, rec.Body)
		}
	}
	w.routes = http.NewServeMux()
	w.routes.HandleFunc("/v1/", func(http.ResponseWriter, *http.Request) { w.routed.api = true })
	for _, prefix := range []string{"/s/", "/u/", "/d/"} {
		w.routes.HandleFunc(prefix+"{token}", func(_ http.ResponseWriter, r *http.Request) { w.routed.page = prefix + r.PathValue("token") })
	}
	for i := range w.stores {
		w.states[i] = w.state(f, i)
	}
	return w
}

type fuzzSeed struct {
	method  uint8 // index into fuzzMethods
	path    string
	body    string
	withKey bool
}

// seeds are every page link with what browsers and mail clients send,
// store B's data asked for with A's key, and tokens mutated or mixed
// across stores and kinds.
func (w *fuzzWorld) seeds() []fuzzSeed {
	const get, head, post = 0, 1, 2
	a, b := w.stores[0], w.stores[1]
	var seeds []fuzzSeed
	for _, p := range slices.Concat(a.pages, b.pages) {
		seeds = append(seeds, fuzzSeed{get, p, "", false}, fuzzSeed{get, p + "?score=4", "", false}, fuzzSeed{head, p, "", false})
		for _, body := range []string{"score=5", "score=1&nps=3&comment=x&contact_me=on", "List-Unsubscribe=One-Click", "score=%zz", ""} {
			seeds = append(seeds, fuzzSeed{post, p, body, false})
		}
	}
	bEmail := url.PathEscape(b.emails[0])
	for _, withKey := range []bool{true, false} {
		for _, p := range []string{
			"/v1/surveys/" + b.surveyIDs[0], "/v1/surveys/" + a.surveyIDs[0], "/v1/orders/" + b.orderIDs[0], "/v1/orders/" + a.orderIDs[1],
			"/v1/customers/" + bEmail + "/points", "/v1/customers/" + bEmail + "/export", "/v1/customers/" + url.PathEscape(a.emails[1]) + "/points",
			"/v1/responses", "/v1/responses?format=csv", "/v1/followups", "/v1/suppressions", "/v1/summary", "/v1/summary/products",
			"/v1/settings", "/v1/keys", "/v1/surveys/" + strings.Repeat("s", 5000), "/v1/orders/" + strings.Repeat("o", 3000),
			"/v1/customers/" + strings.Repeat("a", 300) + "@x.test/points", "/v1/surveys/" + b.surveyIDs[0] + "%2F..%2F" + a.surveyIDs[0],
		} {
			seeds = append(seeds, fuzzSeed{get, p, "", withKey})
		}
		for _, s := range []struct{ path, body string }{
			{"/v1/orders/" + b.orderIDs[0] + "/cancel", ""},
			{"/v1/customers/" + bEmail + "/points/adjustments", `{"points":10,"reason":"fuzz","idempotency_key":"fuzz-1"}`},
			{"/v1/orders", apptest.Order("fuzz-order-1", "new@fuzz.test")},
			{"/v1/keys", `{"role":"support","name":"fuzz"}`},
			{"/v1/followups/" + b.surveyIDs[0] + "/claim", `{}`},
		} {
			seeds = append(seeds, fuzzSeed{post, s.path, s.body, withKey})
		}
	}
	tokB := strings.TrimPrefix(b.pages[0], "/s/")
	idA, secretA, _ := strings.Cut(strings.TrimPrefix(a.pages[0], "/s/"), ".")
	idB, secretB, _ := strings.Cut(tokB, ".")
	digestA := strings.Split(strings.TrimPrefix(a.pages[len(a.pages)-1], "/d/"), ".")
	digestB := strings.Split(strings.TrimPrefix(b.pages[len(b.pages)-1], "/d/"), ".")
	for _, p := range []string{
		"/s/" + tokB[:len(tokB)-1] + "B", "/s/" + idB + "." + secretA, "/s/" + idA + "." + secretB,
		"/u/" + tokB, "/s/" + strings.TrimPrefix(b.pages[2], "/u/"), "/d/" + tokB,
		"/d/" + b.storeID + "." + digestA[1] + "." + digestA[2], "/d/" + a.storeID + "." + digestB[1] + "." + digestB[2],
		"/s/" + tokB + "/..", "/s/" + tokB + "%00", "/s/../u/" + tokB, "/s/%2e%2e/" + tokB, "/s/" + idB + ".%00",
		"s/" + tokB, "/S/" + tokB, "/s/" + tokB + "?score=4&score=5", "/s/" + strings.Repeat("A", 5000),
		"/d/shop-" + strings.Repeat("a", 60) + "." + strings.Repeat("0", 32) + "." + strings.Repeat("A", 22),
		"/s/" + strings.Repeat(idB, 3) + "." + secretB, "/", "/v1", "/s", "/s/", "//s/" + tokB,
	} {
		seeds = append(seeds, fuzzSeed{get, p, "", false}, fuzzSeed{post, p, "score=5", false}, fuzzSeed{get, p, "", true})
	}
	return seeds
}

// check sends one request and fails t when it broke a promise.
func (w *fuzzWorld) check(t *testing.T, method, path, body string, withKey bool) {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	req, err := http.NewRequest(method, "https://feedback.test"+path, strings.NewReader(body))
	if err != nil {
		return
	}
	if withKey {
		req.Header.Set("Authorization", "Bearer "+w.fx.APIKey)
	}
	if method == http.MethodPost {
		if withKey {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", form)
		}
	}
	owner := w.owner(req, withKey)
	input := fmt.Sprintf("%s %q with body %q, A's key %v", method, path, body, withKey)

	w.logs.Reset()
	w.fx.Counter.Reset()
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	var writes []string
	for op := range w.fx.Counter.Counts() {
		if !readOps[op] {
			writes = append(writes, op)
		}
	}

	if rec.Code == http.StatusInternalServerError {
		t.Fatalf("%s: status 500\nlog:\n%s", input, w.logs)
	}
	if len(writes) > 0 && method != http.MethodPost {
		t.Fatalf("%s: a %s wrote to DynamoDB: %v", input, method, writes)
	}
	if len(writes) > 0 && owner < 0 {
		t.Fatalf("%s: wrote to DynamoDB (%v) with neither a store's link nor A's key", input, writes)
	}

	// A marker the request itself holds may come back as an echo (an error
	// naming the path, a form shown again), so only the others count.
	sent := plainVariants(path, body)
	var answer strings.Builder
	answer.WriteString(rec.Body.String())
	for name, values := range rec.Header() {
		answer.WriteString("\n" + name + ": " + strings.Join(values, ", "))
	}
	got := strings.ToLower(answer.String())
	for i, s := range w.stores {
		if i == owner {
			continue
		}
		for _, m := range s.markers {
			if w.tainted[m] || strings.Contains(sent, plain(m)) {
				continue
			}
			if strings.Contains(got, m) {
				t.Fatalf("%s: the answer (%d) shows %q of %s to %s:\n%s", input, rec.Code, m, s.name, w.whose(owner), trim(rec.Body.String()))
			}
		}
	}

	if len(writes) == 0 {
		return
	}
	for i, s := range w.stores {
		if i == owner {
			continue // its own data written to it again
		}
		for _, m := range s.markers {
			if strings.Contains(sent, plain(m)) {
				w.tainted[m] = true
			}
		}
	}
	for i := range w.stores {
		state := w.state(t, i)
		if i != owner && !reflect.DeepEqual(state, w.states[i]) {
			t.Fatalf("%s: a request for %s changed %s:\nbefore %+v\nafter  %+v", input, w.whose(owner), w.stores[i].name, w.states[i], state)
		}
		w.states[i] = state
	}
}

// owner returns the index of the store whose page link the path is, or A
// (0) for the API with A's key; -1 when the request holds no credential.
// A token is one only for its own page: an unsubscribe token opens no
// survey.
func (w *fuzzWorld) owner(req *http.Request, withKey bool) int {
	w.routed.api, w.routed.page = false, ""
	w.routes.ServeHTTP(httptest.NewRecorder(), req.Clone(req.Context()))
	for i, s := range w.stores {
		if w.routed.page != "" && slices.Contains(s.pages, w.routed.page) {
			return i
		}
	}
	if w.routed.api && withKey {
		return 0
	}
	return -1
}

func (w *fuzzWorld) whose(owner int) string {
	if owner < 0 {
		return "a caller with no link or key of theirs"
	}
	return "a caller of " + w.stores[owner].name
}

// state reads what requests for store i may change: its record, its
// customers' surveys and points.
func (w *fuzzWorld) state(tb testing.TB, i int) fuzzState {
	tb.Helper()
	ctx := context.Background()
	s := w.stores[i]
	store, err := w.fx.Product.DB.Store(ctx, s.storeID)
	if err != nil {
		tb.Fatal(err)
	}
	st := fuzzState{Store: store}
	for _, id := range s.surveyIDs {
		survey, err := w.fx.Product.DB.Survey(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		st.Surveys = append(st.Surveys, survey)
	}
	for _, email := range s.emails {
		p, err := w.fx.Product.DB.Points(ctx, s.storeID, email)
		if err != nil {
			tb.Fatal(err)
		}
		st.Points = append(st.Points, p)
	}
	return st
}

// plain is s as markers are looked for in requests: lower case, letters
// and digits only, so that spaces, dots, case or control characters the
// product drops or folds cannot hide a marker the request held.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(s))
}

// plainVariants is parts and their unescaped forms, each made plain,
// separated by "|" so that no marker spans two of them.
func plainVariants(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for range 4 {
			b.WriteString(plain(p) + "|")
			next := unescape(p)
			if next == p {
				break
			}
			p = next
		}
	}
	return b.String()
}

// unescape undoes, leniently, the escapes a request's decoders undo:
// percent escapes (path, form) and JSON's backslash escapes. Anything
// malformed is kept as it is.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1:i+3]):
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
		case c == '\\' && i+5 < len(s) && s[i+1] == 'u' && isHex(s[i+2:i+6]):
			n, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
			b.WriteRune(rune(n))
			i += 5
		case c == '\\' && i+1 < len(s) && strings.IndexByte(`"\/bfnrt`, s[i+1]) >= 0:
			b.WriteByte(' ') // never a letter or digit once decoded
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
			return false
		}
	}
	return true
}

// trim shortens a body for a failure message.
func trim(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}
