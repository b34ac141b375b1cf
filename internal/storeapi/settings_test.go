package storeapi_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

func getSettings(t *testing.T, f *apptest.Fixture, key string) (string, closeloop.Settings) {
	t.Helper()
	r := f.Do(t, "GET", "/v1/settings", key, "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("get settings: %d %s", r.Status, r.Body)
	}
	return r.Body, decode[closeloop.Settings](t, r.Body)
}

func TestSettings(t *testing.T) {
	f := apptest.New(t)
	body, got := getSettings(t, f, f.APIKey)
	if got.TimeZone != "UTC" || got.Branding.Name != "Test Shop" || got.ReplyTo != "support@shop.test" {
		t.Fatalf("settings %s, want the store's", body)
	}
	if !strings.Contains(body, `"support_emails":[]`) {
		t.Fatalf("settings %s: unset lists must be []", body)
	}

	// Omitted fields, and omitted branding fields, keep their values.
	put := f.API(t, "PUT", "/v1/settings",
		`{"time_zone":"Europe/Berlin","survey_delay_hours":48,"support_emails":["help@shop.test"],"branding":{"color":"#ff0000"}}`)
	if put.Status != http.StatusOK {
		t.Fatalf("put: %d %s", put.Status, put.Body)
	}
	want := f.Settings
	want.TimeZone, want.SurveyDelayHours = "Europe/Berlin", 48
	want.SupportEmails, want.OwnerEmails = []string{"help@shop.test"}, []string{}
	want.Branding.Color = "#ff0000"
	if got := decode[closeloop.Settings](t, put.Body); !reflect.DeepEqual(got, want) {
		t.Fatalf("PUT answered %+v\nwant %+v", got, want)
	}
	if _, got := getSettings(t, f, f.APIKey); !reflect.DeepEqual(got, want) {
		t.Fatalf("GET after PUT %+v\nwant %+v", got, want)
	}

	// What GET shows can be PUT back as it is.
	if r := f.API(t, "PUT", "/v1/settings", put.Body); r.Status != http.StatusOK || r.Body != put.Body {
		t.Fatalf("PUT of the GET body: %d %s, want 200 %s", r.Status, r.Body, put.Body)
	}

	// The new settings take effect: the next order waits the new delay.
	order := f.API(t, "POST", "/v1/orders", apptest.Order("after-put", apptest.Email("delay")))
	if order.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", order.Status, order.Body)
	}
	sendAt, err := time.Parse(time.RFC3339, decode[surveysBody](t, order.Body).Surveys[0].SendAt)
	if err != nil || sendAt.Before(f.Clock.Now().Add(46*time.Hour)) {
		t.Fatalf("send_at %v (%v), want about 47 hours from now", sendAt, err)
	}

	// Another store's settings are its own.
	if _, other := getSettings(t, f, f.NewStore(t)); other.TimeZone != "UTC" || other.SurveyDelayHours != 0 {
		t.Fatalf("other store's settings changed: %+v", other)
	}
}

func TestPutSettingsValidation(t *testing.T) {
	f := apptest.New(t)
	before, _ := getSettings(t, f, f.APIKey)
	tests := []struct {
		name   string
		body   string
		fields []string // bad fields the error must name
	}{
		{"every bad field", `{"time_zone":"Mars/Olympus_Mons","sla_hours":0,"csat_threshold":9,"webhook_url":"http://hook.test",` +
			`"support_emails":["not-an-email"],"branding":{"name":"","logo_url":"ftp://x","color":"red"}}`,
			[]string{"time_zone", "sla_hours", "csat_threshold", "webhook_url", "support_emails", "branding.name", "branding.logo_url", "branding.color"}},
		{"local time zone", `{"time_zone":"Local"}`, []string{"time_zone"}},
		{"empty time zone", `{"time_zone":""}`, []string{"time_zone"}},
		{"unknown field", `{"colour":"#000000","sla_hours":12}`, []string{"colour"}},
		{"unknown branding field", `{"branding":{"font":"Comic Sans"}}`, []string{"branding.font"}},
		{"wrong types", `{"sla_hours":"12","support_emails":"a@b.co","branding":{"name":5}}`, []string{"sla_hours", "support_emails", "branding.name"}},
		{"wrong type and a bad value", `{"sla_hours":1.5,"survey_expiry_days":0}`, []string{"sla_hours", "survey_expiry_days"}},
		{"branding not an object", `{"branding":"Shop"}`, []string{"branding"}},
		{"not an object", `["UTC"]`, []string{"body"}},
		{"null", `null`, nil},
		{"malformed", `{"time_zone":`, nil},
		{"empty", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantInvalid(t, f.API(t, "PUT", "/v1/settings", tt.body), tt.fields...)
			if len(e.Error.Fields) != len(tt.fields) {
				t.Errorf("error fields %v, want only %v", e.Error.Fields, tt.fields)
			}
		})
	}
	// Nothing was saved, not even the good fields of a refused body.
	if after, _ := getSettings(t, f, f.APIKey); after != before {
		t.Fatalf("settings changed by refused PUTs:\n%s\nwas\n%s", after, before)
	}
}

func TestSettingsInputHardening(t *testing.T) {
	f := apptest.New(t)
	if _, err := f.Product.DB.GrantSender(context.Background(), f.StoreID, "shop.test"); err != nil {
		t.Fatal(err)
	}
	// Addresses are stored as validated: trimmed, lower case.
	if r := f.API(t, "PUT", "/v1/settings", `{"sender_email":"  Feedback@Shop.Test ","support_emails":[" Sam@Shop.Test"]}`); r.Status != http.StatusOK {
		t.Fatalf("put: %d %s", r.Status, r.Body)
	}
	if _, got := getSettings(t, f, f.APIKey); got.SenderEmail != "feedback@shop.test" || got.SupportEmails[0] != "sam@shop.test" {
		t.Fatalf("stored %q %q, want trimmed and lower case", got.SenderEmail, got.SupportEmails)
	}
	for _, tt := range []struct{ body, field string }{
		{`{"Time_Zone":"Europe/Berlin"}`, "Time_Zone"},
		{`{"time_zone":"Europe/Berlin","time_zone":"UTC"}`, "time_zone"},
		{`{"branding":{"Name":"X"}}`, "branding.Name"},
		{`{"sender_name":"Shop\r\nBcc: x@example.com"}`, "sender_name"},
		{`{"branding":{"name":"Shop\\"}}`, "branding.name"},
		{`{"sender_email":"ada\u2028@example.com"}`, "sender_email"},
	} {
		r := f.API(t, "PUT", "/v1/settings", tt.body)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"`+tt.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", tt.body, r.Status, r.Body, tt.field)
		}
	}
	if r := f.API(t, "POST", "/v1/orders", `{"Order_ID":"2","order_id":"3","customer":{"email":"a@example.com"},"purchased_at":"2026-11-20T10:00:00Z"}`); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"Order_ID"`) {
		t.Fatalf("order with a miscased field: %d %s", r.Status, r.Body)
	}
}

func TestSenderEmailMustBeGrantedToTheStore(t *testing.T) {
	ctx := context.Background()
	f := apptest.New(t)
	// Another store of the deployment, with its verified domain.
	other := f.NewStore(t, func(s *closeloop.Settings) { s.SenderEmail = "news@other.test" })
	put := func(key, body string) apptest.Response {
		t.Helper()
		return f.Do(t, "PUT", "/v1/settings", key, "application/json", body)
	}
	// The fixture's store has no grant: neither the other store's domain
	// nor any address of its own.
	for _, body := range []string{`{"sender_email":"news@other.test"}`, `{"sender_email":"care@shop.test"}`} {
		if r := put(f.APIKey, body); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"sender_email":"is not a sender identity of this store`) {
			t.Errorf("%s: %d %s, want 400 naming sender_email", body, r.Status, r.Body)
		}
	}
	if _, err := f.Product.DB.GrantSender(ctx, f.StoreID, "shop.test"); err != nil {
		t.Fatal(err)
	}
	if r := put(f.APIKey, `{"sender_email":"care@shop.test"}`); r.Status != http.StatusOK {
		t.Fatalf("a granted domain's address: %d %s", r.Status, r.Body)
	}
	r := put(f.APIKey, `{"sender_email":"news@other.test"}`)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "it may send from shop.test") {
		t.Fatalf("the other store's address: %d %s, want 400 naming the grant", r.Status, r.Body)
	}
	// The other store keeps its own, and may change other settings.
	if r := put(other, `{"sender_email":"other@other.test"}`); r.Status != http.StatusBadRequest {
		t.Fatalf("the other store's granted address only: %d %s", r.Status, r.Body)
	}
	if r := put(other, `{"sla_hours":12}`); r.Status != http.StatusOK {
		t.Fatalf("the other store's PUT: %d %s", r.Status, r.Body)
	}
	// A sender set before grants (or revoked since) does not block the
	// owner's other changes; sending checks it (Store.From).
	if _, err := f.Product.DB.RevokeSender(ctx, f.StoreID, "shop.test"); err != nil {
		t.Fatal(err)
	}
	if r := put(f.APIKey, `{"sla_hours":12}`); r.Status != http.StatusOK {
		t.Fatalf("a PUT keeping a revoked sender: %d %s", r.Status, r.Body)
	}
	if r := put(f.APIKey, `{"sender_email":""}`); r.Status != http.StatusOK {
		t.Fatalf("back to the deployment's sender: %d %s", r.Status, r.Body)
	}
}

func TestConcurrentSettingsChangesAllApply(t *testing.T) {
	f := apptest.New(t)
	get := f.API(t, "GET", "/v1/settings", "")
	etag := get.Header.Get("ETag")
	if etag == "" {
		t.Fatal("GET /v1/settings has no ETag")
	}
	// Changes of different settings at once: none undoes another.
	fields := []string{`"survey_delay_hours":5`, `"reminder_after_hours":30`, `"sla_hours":8`, `"contact_budget_days":10`,
		`"points_per_answer":40`, `"min_comment_length":10`, `"csat_threshold":3`, `"survey_expiry_days":20`}
	var wg sync.WaitGroup
	for _, field := range fields {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := f.API(t, "PUT", "/v1/settings", "{"+field+"}"); r.Status != http.StatusOK {
				t.Errorf("put %s: %d %s", field, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	_, got := getSettings(t, f, f.APIKey)
	if got.SurveyDelayHours != 5 || got.ReminderAfterHours != 30 || got.SLAHours != 8 || got.ContactBudgetDays != 10 ||
		got.PointsPerAnswer != 40 || got.MinCommentLength != 10 || got.CSATThreshold != 3 || got.SurveyExpiryDays != 20 {
		t.Fatalf("after concurrent changes: %+v; want every change kept", got)
	}
	// A change made on settings read before those is refused with 412.
	r := f.Do(t, "PUT", "/v1/settings", f.APIKey, "application/json", `{"time_zone":"Europe/Berlin"}`, "If-Match", etag)
	if r.Status != http.StatusPreconditionFailed || !strings.Contains(r.Body, "precondition_failed") {
		t.Fatalf("stale If-Match: %d %s, want 412", r.Status, r.Body)
	}
	fresh := f.API(t, "GET", "/v1/settings", "").Header.Get("ETag")
	r = f.Do(t, "PUT", "/v1/settings", f.APIKey, "application/json", `{"time_zone":"Europe/Berlin"}`, "If-Match", fresh)
	if r.Status != http.StatusOK || r.Header.Get("ETag") == fresh {
		t.Fatalf("current If-Match: %d %s (ETag %q)", r.Status, r.Body, r.Header.Get("ETag"))
	}
}
