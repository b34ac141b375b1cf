//go:build unix

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/testenv"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "closeloop-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binaries.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The address the sample events use for the customer, replaced by one of
// each test's own so that tests sharing the SES inbox stay apart.
const sampleEmail = "ada@example.com"

// publicBaseURL is where the dispatch function says the survey pages are.
const publicBaseURL = "https://feedback.test"

// storeID is the store newShop creates, the one the sample events name.
const storeID = "shop-e2e"

// shop is a store in a table of the test's own.
type shop struct {
	table    string
	key      string // the owner API key
	settings closeloop.Settings
	db       *dynamo.DB // the table, for seeding what a test needs
}

// newShop creates a table and a store whose surveys are due at once, with
// its settings changed by each of configure.
func newShop(t *testing.T, configure ...func(*closeloop.Settings)) shop {
	t.Helper()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	settings := closeloop.DefaultSettings()
	settings.SurveyDelayHours = 0
	settings.SendWindow = closeloop.AnyHour() // the real clock may be at night
	settings.Branding.Name = "E2E Shop"
	for _, c := range configure {
		c(&settings)
	}
	db := dynamo.New(client, table)
	_, key, err := stores.Create(context.Background(), db, storeID, settings, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return shop{table: table, key: key, settings: settings, db: db}
}

// env is what template.yaml gives every function, pointed at DynamoDB Local.
func (s shop) env(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{
		"TABLE_NAME":                s.table,
		"AWS_ENDPOINT_URL_DYNAMODB": stackURL(t, testenv.EnvDynamoDBURL),
	}
}

// mailEnv is env with what the dispatch function adds: the SES emulator,
// the pages' base URL and the sender.
func (s shop) mailEnv(t *testing.T) map[string]string {
	t.Helper()
	env := s.env(t)
	env["AWS_ENDPOINT_URL_SESV2"] = stackURL(t, testenv.EnvSESURL)
	env["PUBLIC_BASE_URL"] = publicBaseURL
	env["SENDER_ADDRESS"] = "feedback@shop.test"
	return env
}

func stackURL(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the tests with `make test`, which starts the local stack", name)
	}
	return v
}

// uniqueEmail returns a customer address no other test uses.
func uniqueEmail(name string) string {
	return name + "-" + strings.ToLower(rand.Text()[:12]) + "@example.com"
}

// apiError is the store API's error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// ordersResponse is the store API's answer to POST /v1/orders.
type ordersResponse struct {
	Surveys []struct {
		OrderID  string `json:"order_id"`
		SurveyID string `json:"survey_id"`
		Status   string `json:"status"`
	} `json:"surveys"`
}

func decodeJSON(t *testing.T, what string, r httpResponse, v any) {
	t.Helper()
	if ct := r.Headers["content-type"]; !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: content-type = %q, want application/json", what, ct)
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, r.Body)
	}
}

// postOrder posts the sample order for email and returns its survey ID,
// checking the status.
func postOrder(t *testing.T, admin *function, key, email string, wantStatus int) string {
	t.Helper()
	r := admin.invokeHTTP(t, loadEvent(t, "admin-post-order.json", "REPLACE_WITH_API_KEY", key, sampleEmail, email))
	if r.Status != wantStatus {
		t.Fatalf("POST /v1/orders: status %d, want %d; body %s", r.Status, wantStatus, r.Body)
	}
	var got ordersResponse
	decodeJSON(t, "POST /v1/orders", r, &got)
	if len(got.Surveys) != 1 || got.Surveys[0].SurveyID == "" || got.Surveys[0].OrderID != "ord-1001" {
		t.Fatalf("POST /v1/orders: body %s, want one survey for ord-1001 with a survey_id", r.Body)
	}
	return got.Surveys[0].SurveyID
}

// balance reads the customer's points through the admin function.
func balance(t *testing.T, admin *function, key, email string) int {
	t.Helper()
	r := admin.invokeHTTP(t, loadEvent(t, "admin-get-points.json", "REPLACE_WITH_API_KEY", key, sampleEmail, email))
	if r.Status != http.StatusOK {
		t.Fatalf("GET points: status %d, want 200; body %s", r.Status, r.Body)
	}
	var points struct {
		Balance *int `json:"balance"`
	}
	decodeJSON(t, "GET points", r, &points)
	if points.Balance == nil {
		t.Fatalf("GET points: body %s has no balance", r.Body)
	}
	return *points.Balance
}

func TestAdminFunction(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	admin := startFunction(t, "admin", s.env(t))
	email := uniqueEmail("ada")

	first := postOrder(t, admin, s.key, email, http.StatusAccepted)
	t.Logf("admin cold start: %s", admin.coldStart(t))
	if again := postOrder(t, admin, s.key, email, http.StatusOK); again != first {
		t.Errorf("the order posted again got survey %s, want the original %s", again, first)
	}

	r := admin.invokeHTTP(t, loadEvent(t, "admin-post-order.json", "REPLACE_WITH_API_KEY", "cl_not-a-key-of-this-store", sampleEmail, email))
	if r.Status != http.StatusUnauthorized {
		t.Errorf("POST /v1/orders with a wrong key: status %d, want 401; body %s", r.Status, r.Body)
	}
	var e apiError
	decodeJSON(t, "POST /v1/orders with a wrong key", r, &e)
	if e.Error.Code != closeloop.EUNAUTHORIZED {
		t.Errorf("POST /v1/orders with a wrong key: error code %q, want %q", e.Error.Code, closeloop.EUNAUTHORIZED)
	}
	if got := r.Headers["www-authenticate"]; !strings.HasPrefix(got, "Bearer") {
		t.Errorf("POST /v1/orders with a wrong key: WWW-Authenticate = %q, want a Bearer challenge", got)
	}

	if got := balance(t, admin, s.key, email); got != 0 {
		t.Errorf("balance before any answer = %d, want 0", got)
	}
}

// surveyLink matches the rating links of the survey email.
var surveyLink = regexp.MustCompile(regexp.QuoteMeta(publicBaseURL) + `/s/([A-Za-z0-9._-]+)\?score=([1-5])`)

// earned matches the points announcement of the thank-you page.
var earned = regexp.MustCompile(`You earned (\d+) points!`)

// TestSurveyRoundTrip follows one order through the three functions: the
// admin function takes it, dispatch emails the survey, the public function
// shows and records it, and the admin function reports the points.
func TestSurveyRoundTrip(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	inbox := testenv.NewInbox(t)
	admin := startFunction(t, "admin", s.env(t))
	dispatcher := startFunction(t, "dispatch", s.mailEnv(t))
	// The public function also receives the shop webhooks: it starts only
	// with their queue.
	publicEnv := s.env(t)
	maps.Copy(publicEnv, newQueues(t).env(t, map[string]string{"SHOPHOOKS_QUEUE_URL": "ShopHooksQueue"}))
	public := startFunction(t, "public", publicEnv)
	email := uniqueEmail("ada")

	surveyID := postOrder(t, admin, s.key, email, http.StatusAccepted)

	raw := dispatcher.invoke(t, loadEvent(t, "dispatch-schedule.json"))
	var rep dispatch.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("dispatch report: %v\n%s", err, raw)
	}
	if want := (dispatch.Report{Due: 1, Sent: 1}); rep != want {
		t.Fatalf("dispatch report = %s, want %+v", raw, want)
	}

	mails := inbox.WaitTo(t, email, 1, 10*time.Second)
	if len(mails) != 1 {
		t.Fatalf("%d e-mails to %s, want 1", len(mails), email)
	}
	links := surveyLink.FindAllStringSubmatch(mails[0].Text, -1)
	if len(links) != 5 {
		t.Fatalf("survey e-mail has %d rating links under %s, want 5:\n%s", len(links), publicBaseURL, mails[0].Text)
	}
	token := links[0][1]
	if !strings.HasPrefix(token, surveyID+".") {
		t.Errorf("link token %q does not name survey %s", token, surveyID)
	}

	r := public.invokeHTTP(t, loadEvent(t, "public-get-survey.json", "REPLACE_WITH_TOKEN", token))
	if r.Status != http.StatusOK {
		t.Fatalf("GET /s/{token}: status %d, want 200; body %s", r.Status, r.Body)
	}
	if ct := r.Headers["content-type"]; !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET /s/{token}: content-type = %q, want text/html", ct)
	}
	for _, want := range []string{
		`<form method="post" action="/s/` + token + `">`,
		`value="4" required checked`, // the event's ?score=4
		`name="comment"`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("GET /s/{token}: the page lacks %s:\n%s", want, r.Body)
		}
	}

	// "Great mug" is shorter than the comment bonus's minimum length, so
	// the answer earns the points per answer alone.
	r = public.invokeHTTP(t, loadEvent(t, "public-post-survey.json", "REPLACE_WITH_TOKEN", token))
	if r.Status != http.StatusOK {
		t.Fatalf("POST /s/{token}: status %d, want 200; body %s", r.Status, r.Body)
	}
	m := earned.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("POST /s/{token}: the thank-you page announces no points:\n%s", r.Body)
	}
	shown, _ := strconv.Atoi(m[1])
	if want := s.settings.PointsPerAnswer; shown != want {
		t.Errorf("thank-you page: You earned %d points!, want %d", shown, want)
	}

	if got := balance(t, admin, s.key, email); got != shown {
		t.Errorf("balance after the answer = %d, want the %d points the page showed", got, shown)
	}

	for _, f := range []*function{admin, dispatcher, public} {
		t.Logf("%s cold start: %s", f.name, f.coldStart(t))
	}
}
