package dashboard_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dashboard"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/summary"
)

// queueCSRF is the CSRF token of every test viewer's session.
const queueCSRF = "queue-test-csrf"

// queueAuth is a test Authenticator: every request is a support person
// of one store, by default sam@shop.test, or the address in the cookie
// queue-viewer. Signing in is the login pages' part, tested there.
type queueAuth struct {
	store closeloop.Store
}

func (a queueAuth) Viewer(r *http.Request) (dashboard.Viewer, error) {
	email := "sam@shop.test"
	if c, err := r.Cookie("queue-viewer"); err == nil {
		email = c.Value
	}
	return dashboard.Viewer{Email: email, StoreID: a.store.StoreID, Store: a.store, Role: closeloop.RoleSupport, Stores: 1, CSRF: queueCSRF}, nil
}

// queueShop is the product over the local stack with a dashboard of its
// own, built over the product's table with real services and the test
// Authenticator, served at App.
type queueShop struct {
	*apptest.Fixture
	App *httptest.Server
}

func newQueueShop(t *testing.T, opts ...apptest.Option) queueShop {
	t.Helper()
	support := apptest.Email("support")
	opts = append([]apptest.Option{func(s *closeloop.Settings) {
		s.SupportEmails = []string{support}
		s.ReplyTo = support
	}}, opts...)
	f := apptest.New(t, opts...)
	store, err := f.Product.DB.Store(context.Background(), f.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	// The dashboard function's own adapter: under make test its calls are
	// recorded for the permissions check as the function's.
	db := f.Product.FunctionDB("dashboard")
	d, err := dashboard.New(dashboard.Deps{
		Stores: db, Responses: db,
		Followups: followup.NewService(db, f.Clock.Now),
		Summaries: summary.New(db, f.Clock.Now),
		Auth:      queueAuth{store: store},
		SignIn:    f.Product.SignIn,
	}, f.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(d.Routes())
	t.Cleanup(app.Close)
	return queueShop{Fixture: f, App: app}
}

// pageSizes makes the dashboard's pages hold a few items for one test.
func pageSizes(t *testing.T, queue, responses int) {
	restore := dashboard.SetPageSizes(queue, responses)
	t.Cleanup(restore)
}

var surveyLink = regexp.MustCompile(`https://feedback\.test(/s/[A-Za-z0-9_.-]+)\?score=`)

// answer posts order orderID for email, sends its survey and answers it
// with form (the survey page's fields).
func (s queueShop) answer(t *testing.T, email, orderID string, items []closeloop.Item, form url.Values) {
	t.Helper()
	order := closeloop.Order{OrderID: orderID, Customer: closeloop.Customer{Email: email, Name: "Ada", Locale: "en-GB"},
		Items: items, PurchasedAt: s.Clock.Now().Add(-time.Hour)}
	body, err := json.Marshal(order)
	if err != nil {
		t.Fatal(err)
	}
	if r := s.API(t, "POST", "/v1/orders", string(body)); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	s.Dispatch(t)
	mails := s.Inbox.To(t, email)
	m := surveyLink.FindStringSubmatch(mails[len(mails)-1].Text)
	if m == nil {
		t.Fatalf("no survey link in the last email to %s", email)
	}
	if r := s.Do(t, "POST", m[1], "", "application/x-www-form-urlencoded", form.Encode()); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
}

// unhappy answers a new customer's order with score 1 and comment, and
// delivers what follows, so that the case is open; it returns the case ID.
func (s queueShop) unhappy(t *testing.T, name, comment string) (caseID, email string) {
	t.Helper()
	email = apptest.Email(name)
	s.answer(t, email, "o-"+name+"-"+email[len(name)+1:len(name)+7], []closeloop.Item{{SKU: "MUG-1", Name: "Mug"}},
		url.Values{"score": {"1"}, "comment": {comment}})
	s.Settle(t)
	c := s.apiCase(t, "", email)
	return c.ID, email
}

// caseJSON is what the tests read of GET /v1/followups/{id}.
type caseJSON struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Assignee string `json:"assignee"`
	Overdue  bool   `json:"overdue"`
	Customer struct {
		Email string `json:"email"`
	} `json:"customer"`
	Notes []struct {
		Author string `json:"author"`
		Text   string `json:"text"`
	} `json:"notes"`
	Resolution string   `json:"resolution"`
	Outcome    string   `json:"outcome"`
	Reason     string   `json:"reason"`
	Tags       []string `json:"tags"`
	History    []struct {
		Survey struct {
			OrderID string `json:"order_id"`
		} `json:"survey"`
	} `json:"customer_history"`
}

// apiCase reads a case through the store API: by ID, or when id is ""
// the unresolved case of customer email.
func (s queueShop) apiCase(t *testing.T, id, email string) caseJSON {
	t.Helper()
	if id == "" {
		for _, c := range s.apiList(t, "") {
			if c.Customer.Email == email {
				id = c.ID
			}
		}
		if id == "" {
			t.Fatalf("no case for %s", email)
		}
	}
	r := s.API(t, "GET", "/v1/followups/"+id, "")
	if r.Status != http.StatusOK {
		t.Fatalf("GET case: %d %s", r.Status, r.Body)
	}
	return decodeJSON[caseJSON](t, r.Body)
}

// apiList lists the cases of status through the store API, every page.
func (s queueShop) apiList(t *testing.T, status string) []caseJSON {
	t.Helper()
	r := s.API(t, "GET", "/v1/followups?limit=200&status="+status, "")
	if r.Status != http.StatusOK {
		t.Fatalf("list %s: %d %s", status, r.Status, r.Body)
	}
	return decodeJSON[struct{ Items []caseJSON }](t, r.Body).Items
}

func decodeJSON[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

// page sends a request to the dashboard as who ("" the default viewer),
// with form as a POST's body with the session's CSRF token, and does not
// follow redirects. The browser asks for English.
func (s queueShop) page(t *testing.T, method, path, who string, form url.Values) apptest.Response {
	t.Helper()
	return s.pageIn(t, "en", method, path, who, form)
}

// pageIn is page with a browser that asks for language lang.
func (s queueShop) pageIn(t *testing.T, lang, method, path, who string, form url.Values) apptest.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", queueCSRF)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.App.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", lang)
	if who != "" {
		req.AddCookie(&http.Cookie{Name: "queue-viewer", Value: who})
	}
	return apptest.Send(t, apptest.NoRedirects, req)
}

// get fetches a dashboard page and fails unless it answers 200.
func (s queueShop) get(t *testing.T, path string) string {
	t.Helper()
	r := s.page(t, "GET", path, "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	return r.Body
}

var (
	caseLink = regexp.MustCompile(`<h2><a href="/app/followups/(c_[^"]+)">`)
	nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)

// listed returns the cases a queue page lists, in order, and its next
// page's path ("" on the last).
func listed(body string) (ids []string, next string) {
	for _, m := range caseLink.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	if m := nextLink.FindStringSubmatch(body); m != nil {
		next = html.UnescapeString(m[1])
	}
	return ids, next
}

func idsOf(cases []caseJSON) []string {
	var out []string
	for _, c := range cases {
		out = append(out, c.ID)
	}
	return out
}

// The queue's tabs list the cases the store API lists for each status,
// oldest first, a page at a time; overdue ones say so in words.
func TestQueueTabsListWhatTheAPIDoes(t *testing.T) {
	s := newQueueShop(t)
	first, _ := s.unhappy(t, "first", "The mug arrived chipped")
	s.Clock.Advance(time.Minute)
	second, _ := s.unhappy(t, "second", "Late")
	s.Clock.Advance(time.Minute)
	third, _ := s.unhappy(t, "third", "Wrong colour")
	if r := s.API(t, "POST", "/v1/followups/"+second+"/claim", `{"assignee":"kim@shop.test"}`); r.Status != http.StatusOK {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}
	if r := s.API(t, "POST", "/v1/followups/"+third+"/resolve", `{"outcome":"resolved","reason":"other","resolution":"Sent another."}`); r.Status != http.StatusOK {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}

	check := func(tab string, want []string) string {
		t.Helper()
		body := s.get(t, "/app/followups?status="+tab)
		got, next := listed(body)
		if api := idsOf(s.apiList(t, tab)); !slices.Equal(got, want) || !slices.Equal(api, want) {
			t.Errorf("tab %s lists %v, the API %v, want %v", tab, got, api, want)
		}
		if next != "" {
			t.Errorf("tab %s has a next page %s", tab, next)
		}
		if !strings.Contains(body, `<a href="/app/followups?status=`+tab+`" aria-current="page">`) {
			t.Errorf("tab %s is not marked current", tab)
		}
		return body
	}
	check("open", []string{first})
	check("claimed", []string{second})
	check("resolved", []string{third})
	check("overdue", nil)
	if body := s.get(t, "/app/followups"); !strings.Contains(body, `status=open" aria-current="page"`) {
		t.Error("the queue does not open on the open tab")
	}
	if r := s.page(t, "GET", "/app/followups?status=lost", "", nil); r.Status != http.StatusNotFound {
		t.Errorf("an unknown tab: %d, want 404", r.Status)
	}

	// A day later both unresolved cases are overdue, and say so in words.
	s.Clock.Advance(25 * time.Hour)
	body := check("overdue", []string{first, second})
	if n := strings.Count(body, `<strong class="overdue">Overdue</strong>`); n != 2 {
		t.Errorf("%d cases say Overdue, want 2", n)
	}
	if !strings.Contains(body, "The mug arrived chipped") || !strings.Contains(body, "kim@shop.test") {
		t.Error("the overdue tab lacks the comment or the assignee")
	}

	// A page of the queue is one query of the cases' list.
	s.Counter.Reset()
	s.get(t, "/app/followups?status=overdue")
	t.Logf("DynamoDB requests for a page of the queue: %v", s.Counter.Counts())
	if n := s.Counter.Total(); n != 1 {
		t.Errorf("a page of the queue made %d DynamoDB requests (%v), want 1", n, s.Counter.Counts())
	}

	// One case a page: the next link leads through both, oldest first.
	pageSizes(t, 1, 25)
	var paged []string
	path := "/app/followups?status=overdue"
	for range 5 {
		ids, next := listed(s.get(t, path))
		paged = append(paged, ids...)
		if path = next; path == "" {
			break
		}
	}
	if want := []string{first, second}; !slices.Equal(paged, want) {
		t.Errorf("paged %v, want %v", paged, want)
	}

}

// A case's page shows the customer's earlier orders and answers.
func TestCasePageShowsTheCustomersHistory(t *testing.T) {
	s := newQueueShop(t, func(set *closeloop.Settings) {
		set.ContactBudgetDays = 0
		set.TimeZone = "Asia/Tokyo"
	})
	email := apptest.Email("regular")
	s.answer(t, email, "o-earlier", []closeloop.Item{{SKU: "TEE-2", Name: "Tee"}}, url.Values{"score": {"5"}, "comment": {"Lovely tee, thank you"}})
	s.Settle(t)
	s.Clock.Advance(time.Hour)
	s.answer(t, email, "o-later", []closeloop.Item{{SKU: "MUG-1", Name: "Mug"}}, url.Values{"score": {"1"}, "comment": {"Broken <b>handle</b>"}})
	s.Settle(t)
	c := s.apiCase(t, "", email)
	if len(c.History) != 1 || c.History[0].Survey.OrderID != "o-earlier" {
		t.Fatalf("the API's history %+v, want the earlier order", c.History)
	}

	s.Counter.Reset()
	body := s.get(t, "/app/followups/"+c.ID)
	t.Logf("DynamoDB requests for a case's page: %v", s.Counter.Counts())
	if n := s.Counter.Total(); n != 3 {
		t.Errorf("a case's page made %d DynamoDB requests (%v), want 3 (the case, the customer's surveys and their cases)", n, s.Counter.Counts())
	}
	history := body[strings.Index(body, `id="h-history"`):]
	for _, want := range []string{"Order o-earlier", "Score 5 of 5", "Lovely tee, thank you"} {
		if !strings.Contains(history, want) {
			t.Errorf("the history lacks %q:\n%s", want, history)
		}
	}
	for _, want := range []string{"Broken &lt;b&gt;handle&lt;/b&gt;", "o-later", "Mug", email, "Score 1 of 5", "low score", "Claim it"} {
		if !strings.Contains(body, want) {
			t.Errorf("the case's page lacks %q", want)
		}
	}
	// Times are the store's: Tokyo is 9 hours ahead of UTC.
	tokyo := time.FixedZone("JST", 9*3600)
	opened := s.Clock.Now().In(tokyo).Format("2006-01-02 15:04")
	if !strings.Contains(body, `">`+opened+`</time>`) {
		t.Errorf("the case's page does not show its opening at %s, Tokyo time", opened)
	}

	// In Russian for a browser that asks for it.
	ru := s.pageIn(t, "ru-RU,ru;q=0.9,en;q=0.5", "GET", "/app/followups/"+c.ID, "", nil)
	for _, want := range []string{`<html lang="ru">`, "Оценка 1 из 5", "Взять в работу", "Другие заказы покупателя", "низкая оценка"} {
		if !strings.Contains(ru.Body, want) {
			t.Errorf("the case's page in Russian lacks %q", want)
		}
	}
	if r := s.page(t, "GET", "/app/followups/c_nosuchcase", "", nil); r.Status != http.StatusNotFound {
		t.Errorf("an unknown case: %d, want 404", r.Status)
	}
}

// move posts an action of a case's page as who and returns the answer.
func (s queueShop) move(t *testing.T, caseID, action, who string, form url.Values) apptest.Response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return s.page(t, "POST", "/app/followups/"+caseID+"/"+action, who, form)
}

// moved posts an action that must succeed: 303 back to the case with its
// confirmation, which the case's page then shows.
func (s queueShop) moved(t *testing.T, caseID, action, who string, form url.Values, flash string) {
	t.Helper()
	r := s.move(t, caseID, action, who, form)
	want := "/app/followups/" + caseID + "?done=" + action
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != want {
		t.Fatalf("%s: %d to %q, want 303 to %s\n%s", action, r.Status, r.Header.Get("Location"), want, r.Body)
	}
	if body := s.get(t, want); !strings.Contains(body, `<p class="flash" role="status">`+flash+`</p>`) {
		t.Errorf("%s: the case's page does not confirm %q", action, flash)
	}
}

// Support works a case through the page's forms, and each move changes the
// case as the store API's would; conflicts and bad input change nothing.
func TestCaseMovesThroughThePage(t *testing.T) {
	s := newQueueShop(t)
	id, email := s.unhappy(t, "worked", "Late and broken")
	state := func() caseJSON { t.Helper(); return s.apiCase(t, id, "") }

	s.moved(t, id, "claim", "", nil, "You have claimed this follow-up.")
	if c := state(); c.Status != "claimed" || c.Assignee != "sam@shop.test" {
		t.Fatalf("after claim: %s by %q", c.Status, c.Assignee)
	}
	// The same person claiming again changes nothing; another is refused
	// and sees who has it.
	s.moved(t, id, "claim", "", nil, "You have claimed this follow-up.")
	r := s.move(t, id, "claim", "kim@shop.test", nil)
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "the follow-up is now claimed by sam@shop.test") {
		t.Fatalf("kim's claim: %d\n%s", r.Status, r.Body)
	}
	if c := state(); c.Assignee != "sam@shop.test" {
		t.Fatalf("kim's refused claim changed the assignee to %q", c.Assignee)
	}

	// An empty note is refused with the field's problem, and saves nothing.
	r = s.move(t, id, "note", "", url.Values{"text": {"  \r\n "}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `<p class="field-error" id="e-text">Write a note of 1 to 2000 characters.</p>`) ||
		!strings.Contains(r.Body, `aria-invalid="true" aria-describedby="e-text"`) {
		t.Fatalf("empty note: %d\n%s", r.Status, r.Body)
	}
	if c := state(); len(c.Notes) != 0 {
		t.Fatalf("the refused note saved %+v", c.Notes)
	}
	s.moved(t, id, "note", "", url.Values{"text": {"Called, sending a new mug."}}, "Your note is saved.")
	if c := state(); len(c.Notes) != 1 || c.Notes[0].Author != "sam@shop.test" || c.Notes[0].Text != "Called, sending a new mug." {
		t.Fatalf("notes %+v", c.Notes)
	}

	// A resolution without an outcome shows the form again, as it was
	// filled, with the problem.
	r = s.move(t, id, "resolve", "", url.Values{"reason": {"damaged"}, "resolution": {"Sent a new mug <today>."}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Choose an outcome.") ||
		!strings.Contains(r.Body, "Sent a new mug &lt;today&gt;.</textarea>") || !strings.Contains(r.Body, `<option value="damaged" selected>`) {
		t.Fatalf("resolve without an outcome: %d\n%s", r.Status, r.Body)
	}
	if c := state(); c.Status != "claimed" {
		t.Fatalf("the refused resolution left the case %s", c.Status)
	}

	s.moved(t, id, "release", "", nil, "The follow-up is back in the queue.")
	if c := state(); c.Status != "open" || c.Assignee != "" {
		t.Fatalf("after release: %s by %q", c.Status, c.Assignee)
	}
	s.moved(t, id, "tags", "", url.Values{"tags": {"damaged", "delivery"}}, "The tags are saved.")
	if c := state(); !slices.Equal(c.Tags, []string{"damaged", "delivery"}) {
		t.Fatalf("tags %v", c.Tags)
	}
	s.moved(t, id, "claim", "kim@shop.test", nil, "You have claimed this follow-up.")
	s.moved(t, id, "resolve", "kim@shop.test", url.Values{
		"outcome": {"resolved"}, "reason": {"damaged"}, "resolution": {"Sent a new mug."},
		"notify_customer": {"true"}, "customer_message": {"A new mug is on its way."},
	}, "The follow-up is resolved.")
	c := state()
	if c.Status != "resolved" || c.Outcome != "resolved" || c.Reason != "damaged" || c.Resolution != "Sent a new mug." || c.Assignee != "kim@shop.test" {
		t.Fatalf("after resolve: %+v", c)
	}
	// The closing email reaches the customer with support's words.
	s.Settle(t)
	mails := s.Inbox.To(t, email)
	if len(mails) != 3 {
		t.Fatalf("%d emails to the customer, want the survey, the acknowledgement and the closing email", len(mails))
	}
	if closing := mails[2]; !strings.Contains(closing.Text, "A new mug is on its way.") || !strings.Contains(closing.Subject, "resolved") {
		t.Errorf("closing email %q:\n%s", closing.Subject, closing.Text)
	}
	body := s.get(t, "/app/followups/"+id)
	for _, want := range []string{"Put right", "Damaged", "Sent a new mug.", "Reopen"} {
		if !strings.Contains(body, want) {
			t.Errorf("the resolved case's page lacks %q", want)
		}
	}

	// Resolving again is a conflict that shows the case as it stands.
	r = s.move(t, id, "resolve", "", url.Values{"outcome": {"resolved"}, "reason": {"other"}, "resolution": {"Twice"}})
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "the follow-up is already resolved") || !strings.Contains(r.Body, "Sent a new mug.") {
		t.Fatalf("resolve twice: %d\n%s", r.Status, r.Body)
	}
	if c := state(); c.Resolution != "Sent a new mug." {
		t.Fatalf("the refused resolution changed it to %q", c.Resolution)
	}
	s.moved(t, id, "reopen", "", nil, "The follow-up is open again.")
	if c := state(); c.Status != "open" || c.Assignee != "" {
		t.Fatalf("after reopen: %s by %q", c.Status, c.Assignee)
	}
	if r := s.move(t, id, "reopen", "", nil); r.Status != http.StatusConflict {
		t.Errorf("reopen an open case: %d, want 409", r.Status)
	}
	if r := s.move(t, id, "delete", "", nil); r.Status != http.StatusNotFound {
		t.Errorf("an unknown move: %d, want 404", r.Status)
	}
	// Without the session's token nothing moves.
	if r := s.page(t, "POST", "/app/followups/"+id+"/claim", "", nil); r.Status != http.StatusForbidden {
		t.Errorf("a claim without the form's token: %d, want 403", r.Status)
	}
	if c := state(); c.Status != "open" {
		t.Errorf("the refused claim left the case %s", c.Status)
	}
}

var answerEmail = regexp.MustCompile(`[a-z=]+-[a-z0-9]+@example\.com`)

// The responses page lists what GET /v1/responses lists for the same
// filter, page by page, and its CSV is the API's byte for byte.
func TestResponsesPageMatchesTheAPI(t *testing.T) {
	s := newQueueShop(t)
	mug, tee := closeloop.Item{SKU: "MUG-1", Name: "Mug"}, closeloop.Item{SKU: "TEE-2", Name: `Tee, "large"`}
	for i, a := range []struct {
		name  string
		items []closeloop.Item
		form  url.Values
	}{
		{"formula", []closeloop.Item{mug}, url.Values{"score": {"5"}, "nps": {"10"}, "comment": {`=HYPERLINK("http://x")`}}},
		{"minus", []closeloop.Item{tee}, url.Values{"score": {"1"}, "comment": {"-1+2 broken"}, "contact_me": {"on"}}},
		{"lines", []closeloop.Item{mug, tee}, url.Values{"score": {"2"}, "nps": {"0"}, "comment": {"line one\nline \"two\""}}},
		{"cyrillic", []closeloop.Item{tee}, url.Values{"score": {"4"}, "comment": {"Всё отлично, спасибо!"}}},
		{"plain", []closeloop.Item{mug}, url.Values{"score": {"3"}}},
	} {
		s.Clock.Advance(time.Minute)
		s.answer(t, apptest.Email(a.name), "o-"+a.name+string(rune('a'+i)), a.items, a.form)
	}
	s.Settle(t)

	// A page of responses is one query, with or without a filter.
	for _, query := range []string{"", "?has_comment=true&score=1&score=2"} {
		s.Counter.Reset()
		s.get(t, "/app/responses"+query)
		t.Logf("DynamoDB requests for the responses page%s: %v", query, s.Counter.Counts())
		if n := s.Counter.Total(); n != 1 {
			t.Errorf("the responses page%s made %d DynamoDB requests (%v), want 1", query, n, s.Counter.Counts())
		}
	}
	pageSizes(t, 25, 2)

	today := s.Clock.Now().Format("2006-01-02")
	for _, query := range []string{
		"",
		"score=1&score=2",
		"has_comment=true",
		"has_comment=false&sku=",
		"sku=MUG-1",
		"from=" + today + "&to=" + today + "&score=4&score=5",
		"to=2001-01-01",
	} {
		// The API, every page, two at a time.
		var want []string
		cursor := ""
		for range 10 {
			q := query + "&limit=2"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			r := s.API(t, "GET", "/v1/responses?"+q, "")
			if r.Status != http.StatusOK {
				t.Fatalf("API %s: %d %s", q, r.Status, r.Body)
			}
			page := decodeJSON[struct {
				Items []struct {
					Customer struct{ Email string }
				}
				NextCursor *string `json:"next_cursor"`
			}](t, r.Body)
			for _, it := range page.Items {
				want = append(want, it.Customer.Email)
			}
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		// The page, following its next links.
		var got []string
		path := "/app/responses?" + query
		for range 10 {
			body := s.get(t, path)
			got = append(got, answerEmail.FindAllString(body, -1)...)
			m := nextLink.FindStringSubmatch(body)
			if m == nil {
				break
			}
			path = html.UnescapeString(m[1])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: the page lists %v, the API %v", query, got, want)
		}

		api := s.API(t, "GET", "/v1/responses?format=csv&"+query, "")
		csv := s.page(t, "GET", "/app/responses.csv?"+query, "", nil)
		if csv.Status != http.StatusOK || csv.Body != api.Body || csv.Header.Get("Content-Disposition") != api.Header.Get("Content-Disposition") ||
			csv.Header.Get("Content-Type") != api.Header.Get("Content-Type") {
			t.Errorf("%q: the CSV differs from the API's:\n%d %v\n%s\nAPI: %d %v\n%s", query, csv.Status, csv.Header, csv.Body, api.Status, api.Header, api.Body)
		}
	}
	if n := len(answerEmail.FindAllString(s.get(t, "/app/responses"), -1)); n != 2 {
		t.Errorf("the first page lists %d answers, want 2", n)
	}

	// The page links each answer that opened a case to it.
	body := s.get(t, "/app/responses?score=1")
	c := s.apiList(t, "open")
	if len(c) != 2 || !strings.Contains(body, `<a href="/app/followups/`+c[0].ID+`">Open its follow-up case</a>`) {
		t.Errorf("the unhappy answer does not link its case %v", idsOf(c))
	}

	// A bad filter is named on the form, and lists nothing.
	r := s.page(t, "GET", "/app/responses?from=2026-13-01&score=9", "", nil)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "From must be a date") || !strings.Contains(r.Body, "Scores must be from 1 to 5.") ||
		answerEmail.MatchString(r.Body) || !strings.Contains(r.Body, `value="2026-13-01"`) {
		t.Errorf("a bad filter: %d\n%s", r.Status, r.Body)
	}
	if r := s.page(t, "GET", "/app/responses.csv?to=yesterday", "", nil); r.Status != http.StatusBadRequest {
		t.Errorf("the CSV of a bad filter: %d, want 400", r.Status)
	}

}
