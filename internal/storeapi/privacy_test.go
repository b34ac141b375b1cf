package storeapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/storeapi"
)

// exportBody is GET /v1/customers/{email}/export as a client reads it.
type exportBody struct {
	Email      string `json:"email"`
	ExportedAt string `json:"exported_at"`
	Profile    struct {
		Balance          int     `json:"balance"`
		Suppressed       bool    `json:"suppressed"`
		SuppressedReason string  `json:"suppressed_reason"`
		SuppressedAt     *string `json:"suppressed_at"`
	} `json:"profile"`
	Points      ledgerBody `json:"points"`
	Adjustments []struct {
		IdempotencyKey string `json:"idempotency_key"`
		BalanceAfter   int    `json:"balance_after"`
		Entry          struct {
			Points int    `json:"points"`
			Reason string `json:"reason"`
		} `json:"entry"`
	} `json:"adjustments"`
	Surveys []struct {
		SurveyID string             `json:"survey_id"`
		OrderID  string             `json:"order_id"`
		Status   string             `json:"status"`
		Customer closeloop.Customer `json:"customer"`
		Response *struct {
			Score      int    `json:"score"`
			Comment    string `json:"comment"`
			Points     int    `json:"points"`
			CaseID     string `json:"case_id"`
			AnsweredAt string `json:"answered_at"`
		} `json:"response"`
	} `json:"surveys"`
	Followups []struct {
		ID       string             `json:"id"`
		Customer closeloop.Customer `json:"customer"`
		Comment  string             `json:"comment"`
		Notes    []closeloop.Note   `json:"notes"`
	} `json:"followups"`
}

type erasureBody struct {
	Email      string                   `json:"email"`
	ErasedAt   string                   `json:"erased_at"`
	Suppressed bool                     `json:"suppressed"`
	Removed    closeloop.ErasureRemoved `json:"removed"`
	Anonymised closeloop.ErasureAnon    `json:"anonymised"`
}

// customerPath is /v1/customers/{email}+rest with every character of the
// address that could be taken for syntax percent-encoded, "@" and "+"
// included, as a careful client sends it.
func customerPath(email, rest string) string {
	return "/v1/customers/" + strings.NewReplacer("%", "%25", "+", "%2B", "@", "%40", "#", "%23").Replace(email) + rest
}

func export(t *testing.T, f *apptest.Fixture, key, email string) exportBody {
	t.Helper()
	r := f.Do(t, "GET", customerPath(email, "/export"), key, "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("export %s: %d %s", email, r.Status, r.Body)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("export Cache-Control %q, want no-store", r.Header.Get("Cache-Control"))
	}
	return decode[exportBody](t, r.Body)
}

func erase(t *testing.T, f *apptest.Fixture, email string) erasureBody {
	t.Helper()
	r := f.API(t, "DELETE", customerPath(email, ""), "")
	if r.Status != http.StatusOK {
		t.Fatalf("erase %s: %d %s", email, r.Status, r.Body)
	}
	return decode[erasureBody](t, r.Body)
}

// answered posts an order for email, sends its survey and answers it with
// form, returning the survey's ID and its page's path.
func answered(t *testing.T, f *apptest.Fixture, orderID, email, form string) (surveyID, page string) {
	t.Helper()
	r := f.API(t, "POST", "/v1/orders", apptest.Order(orderID, email))
	if r.Status != http.StatusAccepted {
		t.Fatalf("post order %s: %d %s", orderID, r.Status, r.Body)
	}
	id := decode[surveysBody](t, r.Body).Surveys[0].SurveyID
	f.Dispatch(t)
	page = f.SurveyPath(t, email)
	if r := f.Do(t, "POST", page, "", "application/x-www-form-urlencoded", form); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	f.Settle(t)
	return id, page
}

// TestExportThenErase is the round trip: a customer with a survey,
// a response, points and a case is exported, then erased; the export after
// finds nothing, the records kept for the numbers name nobody, a repeat
// erases nothing more, and a later order for the address is suppressed.
func TestExportThenErase(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("privacy")
	surveyID, page := answered(t, f, "p-1", email, "score=1&comment=The+mug+arrived+in+two+pieces+and+I+am+upset&contact_me=on")
	caseID := closeloop.CaseIDFor(surveyID)
	f.Clock.Advance(time.Minute) // the grant after the answer in the ledger
	if r := adjust(t, f, email, 10, "Goodwill", "gw-1"); r.Status != http.StatusCreated {
		t.Fatalf("adjust: %d %s", r.Status, r.Body)
	}
	if r := f.API(t, "POST", "/v1/followups/"+caseID+"/claim", `{"assignee":"sam@shop.test"}`); r.Status != http.StatusOK {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}
	if r := f.API(t, "POST", "/v1/followups/"+caseID+"/notes", `{"text":"Called Ada, new mug on its way."}`); r.Status != http.StatusCreated {
		t.Fatalf("note: %d %s", r.Status, r.Body)
	}
	// The same address in another store, which this store's export and
	// erase never reach.
	other := f.NewStore(t)
	if r := f.Do(t, "POST", "/v1/orders", other, "application/json", apptest.Order("p-1", email)); r.Status != http.StatusAccepted {
		t.Fatalf("other store's order: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t) // the other store's survey goes out now, not later
	emailsBefore := len(f.Inbox.To(t, email))

	got := export(t, f, f.APIKey, email)
	switch {
	case got.Email != email || got.ExportedAt == "":
		t.Fatalf("export names %q at %q", got.Email, got.ExportedAt)
	case got.Profile.Balance != 85 || got.Points.Balance != 85 || got.Profile.Suppressed:
		t.Fatalf("profile %+v, points balance %d; want 85 (75 for the answer with a comment, 10 granted), not suppressed", got.Profile, got.Points.Balance)
	case len(got.Points.Ledger) != 2 || got.Points.Ledger[0].Points != 10 || got.Points.Ledger[1].SurveyID != surveyID:
		t.Fatalf("ledger %+v, want the grant then the answer", got.Points.Ledger)
	case len(got.Adjustments) != 1 || got.Adjustments[0].IdempotencyKey != "gw-1" || got.Adjustments[0].BalanceAfter != 85 || got.Adjustments[0].Entry.Reason != "Goodwill":
		t.Fatalf("adjustments %+v", got.Adjustments)
	case len(got.Surveys) != 1 || got.Surveys[0].SurveyID != surveyID || got.Surveys[0].OrderID != "p-1" || got.Surveys[0].Customer.Name != "Ada":
		t.Fatalf("surveys %+v, want this store's one", got.Surveys)
	case got.Surveys[0].Response == nil || got.Surveys[0].Response.Score != 1 || !strings.Contains(got.Surveys[0].Response.Comment, "two pieces") ||
		got.Surveys[0].Response.CaseID != caseID || got.Surveys[0].Response.AnsweredAt == "":
		t.Fatalf("response %+v", got.Surveys[0].Response)
	case len(got.Followups) != 1 || got.Followups[0].ID != caseID || len(got.Followups[0].Notes) != 1 || !strings.Contains(got.Followups[0].Notes[0].Text, "new mug"):
		t.Fatalf("followups %+v", got.Followups)
	}

	res := erase(t, f, email)
	wantRemoved := closeloop.ErasureRemoved{Profile: 1, LedgerEntries: 2, Adjustments: 1, SurveyPointers: 1}
	wantAnon := closeloop.ErasureAnon{Surveys: 1, Responses: 1, Followups: 1, Notes: 1}
	if res.Email != email || !res.Suppressed || res.ErasedAt == "" || res.Removed != wantRemoved || res.Anonymised != wantAnon {
		t.Fatalf("erase %+v, want removed %+v and anonymised %+v", res, wantRemoved, wantAnon)
	}

	// Nothing about the person is left in the store.
	after := export(t, f, f.APIKey, email)
	if after.Profile.Balance != 0 || len(after.Points.Ledger)+len(after.Adjustments)+len(after.Surveys)+len(after.Followups) != 0 {
		t.Fatalf("export after the erase: %+v", after)
	}
	placeholder := closeloop.ErasedEmail(email)
	r := f.API(t, "GET", "/v1/surveys/"+surveyID, "")
	if r.Status != http.StatusOK || strings.Contains(r.Body, email) || strings.Contains(r.Body, "Ada") || strings.Contains(r.Body, "two pieces") ||
		!strings.Contains(r.Body, placeholder) || !strings.Contains(r.Body, `"score":1`) {
		t.Fatalf("the survey after the erase: %d %s", r.Status, r.Body)
	}
	r = f.API(t, "GET", "/v1/followups/"+caseID, "")
	if r.Status != http.StatusOK || strings.Contains(r.Body, email) || strings.Contains(r.Body, "two pieces") || strings.Contains(r.Body, "new mug") ||
		!strings.Contains(r.Body, placeholder) || !strings.Contains(r.Body, `"status":"claimed"`) {
		t.Fatalf("the follow-up after the erase: %d %s", r.Status, r.Body)
	}
	r = f.API(t, "GET", "/v1/responses", "")
	if r.Status != http.StatusOK || strings.Contains(r.Body, email) || strings.Contains(r.Body, "two pieces") || !strings.Contains(r.Body, placeholder) {
		t.Fatalf("the responses after the erase: %d %s", r.Status, r.Body)
	}
	// The survey's link no longer opens it.
	if r := f.Do(t, "GET", page, "", "", ""); r.Status != http.StatusNotFound {
		t.Fatalf("the survey link after the erase: %d, want the closed page's 404", r.Status)
	}
	// The store's numbers stand.
	day := f.Clock.Now().UTC().Format("2006-01-02")
	r = f.API(t, "GET", "/v1/summary?from="+day+"&to="+day, "")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `"answered":1`) {
		t.Fatalf("summary after the erase: %d %s", r.Status, r.Body)
	}

	// Erasing again is safe and finds nothing more.
	again := erase(t, f, email)
	if again.ErasedAt != res.ErasedAt || again.Removed != (closeloop.ErasureRemoved{}) || again.Anonymised != (closeloop.ErasureAnon{}) {
		t.Fatalf("second erase %+v, want nothing more and the first erase's time %s", again, res.ErasedAt)
	}

	// A later order for the address is suppressed and never emailed; a
	// closing message on the kept case reaches nobody.
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", apptest.Order("p-2", email))); got != "suppressed" {
		t.Fatalf("a later order for the erased address: %s, want suppressed", got)
	}
	if r := f.API(t, "POST", "/v1/followups/"+caseID+"/resolve", `{"outcome":"resolved","reason":"other","resolution":"Mug replaced.","notify_customer":true,"customer_message":"Sorry!"}`); r.Status != http.StatusOK {
		t.Fatalf("resolve the kept case: %d %s", r.Status, r.Body)
	}
	f.Clock.Advance(time.Hour)
	f.Dispatch(t)
	f.Settle(t)
	if n := len(f.Inbox.To(t, email)); n != emailsBefore {
		t.Fatalf("%d emails to the erased address, %d before the erase", n, emailsBefore)
	}
	if n := len(f.Inbox.To(t, placeholder)); n != 0 {
		t.Fatalf("%d emails to the placeholder address", n)
	}

	// The suppression list shows the person masked, never the address.
	r = f.API(t, "GET", "/v1/suppressions", "")
	if r.Status != http.StatusOK || strings.Contains(r.Body, email) || strings.Contains(r.Body, placeholder) || !strings.Contains(r.Body, `"reason":"erased"`) {
		t.Fatalf("suppressions after the erase: %d %s", r.Status, r.Body)
	}

	// The other store keeps its customer.
	if theirs := export(t, f, other, email); len(theirs.Surveys) != 1 || theirs.Surveys[0].Customer.Email != email {
		t.Fatalf("the other store's export after this store's erase: %+v", theirs.Surveys)
	}
}

// TestEraseCancelsUnsentSurveys erases a customer whose survey is still
// scheduled: it is cancelled and never sent.
func TestEraseCancelsUnsentSurveys(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.SurveyDelayHours = 72 })
	email := apptest.Email("unsent")
	r := f.API(t, "POST", "/v1/orders", apptest.Order("u-1", email))
	if statusOf(t, r) != "scheduled" {
		t.Fatalf("order: %s", r.Body)
	}
	id := decode[surveysBody](t, r.Body).Surveys[0].SurveyID
	if res := erase(t, f, email); res.Anonymised.Surveys != 1 || res.Anonymised.Cancelled != 1 || res.Removed.SurveyPointers != 1 || res.Removed.Profile != 1 {
		t.Fatalf("erase %+v", res)
	}
	f.Clock.Advance(73 * time.Hour)
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)) + len(f.Inbox.To(t, closeloop.ErasedEmail(email))); n != 0 {
		t.Fatalf("%d emails after the erase, want 0", n)
	}
	if r := f.API(t, "GET", "/v1/surveys/"+id, ""); !strings.Contains(r.Body, `"status":"cancelled"`) {
		t.Fatalf("survey after the erase: %d %s", r.Status, r.Body)
	}
}

// TestAddressesWithPlusPercentAndHashInPaths names customers whose
// addresses hold "+", "%" and "#" in /v1/customers/{email}/… paths,
// percent-encoded, through the real HTTP server; a raw "+" is a plus.
func TestAddressesWithPlusPercentAndHashInPaths(t *testing.T) {
	f := apptest.New(t)
	id := strings.ToLower(secret.NewID("e")[2:])
	for _, email := range []string{"a+b-" + id + "@example.com", "100%-" + id + "@example.com", "a#b-" + id + "@example.com"} {
		t.Run(email, func(t *testing.T) {
			if r := f.API(t, "POST", "/v1/orders", apptest.Order("o-"+email, email)); r.Status != http.StatusAccepted {
				t.Fatalf("order: %d %s", r.Status, r.Body)
			}
			path := customerPath(email, "/points/adjustments")
			if !strings.Contains(path, "%40") || strings.ContainsAny(strings.TrimPrefix(path, "/v1/customers/"), "+#") {
				t.Fatalf("path %s is not encoded", path)
			}
			body := `{"points":5,"reason":"test","idempotency_key":"k-1"}`
			if r := f.API(t, "POST", path, body); r.Status != http.StatusCreated {
				t.Fatalf("adjust at %s: %d %s", path, r.Status, r.Body)
			}
			if got := decode[ledgerBody](t, f.API(t, "GET", customerPath(email, "/points"), "").Body); got.Balance != 5 {
				t.Fatalf("points at the encoded path: %+v", got)
			}
			if got := export(t, f, f.APIKey, email); got.Email != email || len(got.Surveys) != 1 || got.Points.Balance != 5 {
				t.Fatalf("export: %+v", got)
			}
			if strings.Contains(email, "+") {
				// A raw plus in a path is a plus, never a space.
				raw := "/v1/customers/" + strings.ReplaceAll(email, "@", "%40") + "/points"
				if got := decode[ledgerBody](t, f.API(t, "GET", raw, "").Body); got.Balance != 5 {
					t.Fatalf("points at %s: %+v", raw, got)
				}
			}
			if res := erase(t, f, email); res.Email != email || res.Removed.Profile != 1 || res.Anonymised.Surveys != 1 {
				t.Fatalf("erase: %+v", res)
			}
			if got := statusOf(t, f.API(t, "POST", "/v1/orders", apptest.Order("o2-"+email, email))); got != "suppressed" {
				t.Fatalf("order after the erase: %s, want suppressed", got)
			}
		})
	}
}

// TestHTTPAPIDecodedPath sends the admin function's event as API Gateway's
// HTTP API builds it, with rawPath percent-decoded, through the proxy the
// function uses: as delivered, an address with "%" and "#" cannot reach
// its route; with EscapeDecodedPath it does.
func TestHTTPAPIDecodedPath(t *testing.T) {
	f := apptest.New(t)
	email := "100%#x-" + strings.ToLower(secret.NewID("e")[2:]) + "@example.com"
	if r := f.API(t, "POST", customerPath(email, "/points/adjustments"), `{"points":7,"reason":"test","idempotency_key":"k"}`); r.Status != http.StatusCreated {
		t.Fatalf("adjust: %d %s", r.Status, r.Body)
	}
	proxy := httpadapter.NewV2(f.Product.StoreAPI.Routes())
	event := func(rawPath string) events.APIGatewayV2HTTPRequest {
		return events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: "ANY /v1/{proxy+}", RawPath: rawPath,
			Headers: map[string]string{"authorization": "Bearer " + f.APIKey},
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				DomainName: "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
				HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: rawPath},
			},
		}
	}
	decoded := "/v1/customers/" + email + "/points"
	if resp, err := proxy.ProxyWithContext(context.Background(), event(decoded)); err == nil && resp.StatusCode == http.StatusOK && strings.Contains(resp.Body, `"balance":7`) {
		t.Fatalf("the decoded path reached the customer without escaping: the test no longer shows the problem")
	}
	resp, err := proxy.ProxyWithContext(context.Background(), event(storeapi.EscapeDecodedPath(decoded)))
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"balance":7`) {
		t.Fatalf("escaped path: %+v %v", resp, err)
	}
}

func TestEscapeDecodedPath(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/v1/customers/ada@example.com/points", "/v1/customers/ada@example.com/points"},
		{"/v1/customers/a+b@example.com/export", "/v1/customers/a+b@example.com/export"},
		{"/v1/customers/100%@example.com", "/v1/customers/100%25@example.com"},
		{"/v1/customers/a#b@example.com/export", "/v1/customers/a%23b@example.com/export"},
		{"/v1/customers/%41@example.com", "/v1/customers/%2541@example.com"},
		{"/v1/orders", "/v1/orders"},
	} {
		if got := storeapi.EscapeDecodedPath(tt.in); got != tt.want {
			t.Errorf("EscapeDecodedPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// What the mux then sees is the decoded path again.
		if u, err := url.Parse("https://x" + storeapi.EscapeDecodedPath(tt.in)); err != nil || u.Path != tt.in {
			t.Errorf("%q: parsed back to %q, %v", tt.in, u.Path, err)
		}
	}
}

// TestRetentionHidesExpiredItems moves the clock past the store's
// retention: reads treat what expired as gone, though TTL has not deleted
// it, while the balance and the counters keep their numbers.
func TestRetentionHidesExpiredItems(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("retention")
	surveyID, page := answered(t, f, "r-1", email, "score=2&comment=Too+weak+for+my+taste+honestly")
	if r := adjust(t, f, email, 10, "Goodwill", "gw-1"); r.Status != http.StatusCreated {
		t.Fatalf("adjust: %d %s", r.Status, r.Body)
	}
	day := f.Clock.Now().UTC().Format("2006-01-02")
	summary := f.API(t, "GET", "/v1/summary?from="+day+"&to="+day, "").Body
	if len(ledgerOf(t, f, f.APIKey, email).Ledger) != 2 || len(export(t, f, f.APIKey, email).Surveys) != 1 {
		t.Fatal("nothing to expire")
	}

	now := f.Clock.Now()
	f.Clock.Advance(now.AddDate(0, closeloop.DefaultRetentionMonths, 1).Sub(now))
	for _, route := range []string{"GET /v1/surveys/" + surveyID, "GET /v1/followups/" + closeloop.CaseIDFor(surveyID), "POST /v1/orders/r-1/cancel"} {
		method, path, _ := strings.Cut(route, " ")
		if r := f.API(t, method, path, ""); r.Status != http.StatusNotFound {
			t.Errorf("%s past retention: %d %s, want 404", route, r.Status, r.Body)
		}
	}
	if r := f.API(t, "GET", "/v1/responses?from="+day+"&to="+day, ""); r.Status != http.StatusOK || strings.Contains(r.Body, email) {
		t.Errorf("responses past retention: %d %s", r.Status, r.Body)
	}
	if r := f.API(t, "GET", "/v1/followups?status=open", ""); r.Status != http.StatusOK || strings.Contains(r.Body, email) {
		t.Errorf("follow-ups past retention: %d %s", r.Status, r.Body)
	}
	if p := ledgerOf(t, f, f.APIKey, email); p.Balance != 85 || len(p.Ledger) != 0 {
		t.Errorf("points past retention: %+v, want the balance of 85 with no entries", p)
	}
	if got := export(t, f, f.APIKey, email); got.Profile.Balance != 85 || len(got.Surveys)+len(got.Followups)+len(got.Points.Ledger)+len(got.Adjustments) != 0 {
		t.Errorf("export past retention: %+v", got)
	}
	if r := f.Do(t, "GET", page, "", "", ""); r.Status != http.StatusNotFound {
		t.Errorf("the survey link past retention: %d", r.Status)
	}
	if got := f.API(t, "GET", "/v1/summary?from="+day+"&to="+day, "").Body; got != summary {
		t.Errorf("the counters changed past retention:\n%s\nwas\n%s", got, summary)
	}
	// The order is new again.
	if got := statusOf(t, f.API(t, "POST", "/v1/orders", orderAt("r-1", email, f.Clock.Now()))); got != "scheduled" {
		t.Errorf("the order posted again past retention: %s, want a new scheduled survey", got)
	}
}

// TestRetentionSetting copies the store's retention onto its surveys.
func TestRetentionSetting(t *testing.T) {
	f := apptest.New(t)
	wantInvalid(t, f.API(t, "PUT", "/v1/settings", `{"retention_months":121}`), "retention_months")
	wantInvalid(t, f.API(t, "PUT", "/v1/settings", `{"retention_months":-1}`), "retention_months")
	if r := f.API(t, "GET", "/v1/settings", ""); !strings.Contains(r.Body, `"retention_months":24`) {
		t.Fatalf("a new store's retention: %s", r.Body)
	}
	if r := f.API(t, "PUT", "/v1/settings", `{"retention_months":1}`); r.Status != http.StatusOK {
		t.Fatalf("put: %d %s", r.Status, r.Body)
	}
	r := f.API(t, "POST", "/v1/orders", apptest.Order("rs-1", apptest.Email("short")))
	id := decode[surveysBody](t, r.Body).Surveys[0].SurveyID
	item, err := f.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(f.Table), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "SURVEY#" + id}, "sk": &types.AttributeValueMemberS{Value: "#SURVEY"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	n, ok := item.Item["expires_at"].(*types.AttributeValueMemberN)
	var expires int64
	if ok {
		_ = json.Unmarshal([]byte(n.Value), &expires)
	}
	if want := f.Clock.Now().AddDate(0, 1, 0).Unix(); !ok || expires < want-1 || expires > want+1 {
		t.Fatalf("expires_at %v, want a Number one month on (%d)", item.Item["expires_at"], want)
	}
	f.Clock.Advance(32 * 24 * time.Hour)
	if r := f.API(t, "GET", "/v1/surveys/"+id, ""); r.Status != http.StatusNotFound {
		t.Fatalf("a survey past a month's retention: %d", r.Status)
	}
}

func TestEraseAndExportNeedAnOwner(t *testing.T) {
	f := apptest.New(t)
	support := newKey(t, f, f.APIKey, "support")
	email := apptest.Email("roles")
	for _, method := range []string{"GET", "DELETE"} {
		path := customerPath(email, "/export")
		if method == "DELETE" {
			path = customerPath(email, "")
		}
		if r := f.Do(t, method, path, support.Secret, "", ""); r.Status != http.StatusForbidden {
			t.Fatalf("%s %s with a support key: %d %s", method, path, r.Status, r.Body)
		}
	}
	wantInvalid(t, f.API(t, "GET", "/v1/customers/not-an-address/export", ""), "email")
	wantInvalid(t, f.API(t, "DELETE", "/v1/customers/not-an-address", ""), "email")
}
