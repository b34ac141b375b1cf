package dashboard_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dashboard"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

// ownerEmail is the signed-in owner of the owners' pages tests.
const ownerEmail = "owner@shop.test"

// ownerCSRF is the session's CSRF token the test viewer carries.
const ownerCSRF = "csrf-token-of-the-test-session"

// fixedViewer is the tests' Authenticator: one person, signed in to the
// fixture's store with a fixed role. It reads the store at each request
// (as a session would) through a client of its own, so that the
// fixture's request counter counts only what the pages read and write.
type fixedViewer struct {
	db      *dynamo.DB
	storeID string
	email   string
	role    closeloop.Role
}

func (a *fixedViewer) Viewer(r *http.Request) (dashboard.Viewer, error) {
	store, err := a.db.Store(r.Context(), a.storeID)
	if err != nil {
		return dashboard.Viewer{}, err
	}
	return dashboard.Viewer{Email: a.email, StoreID: a.storeID, Store: store, Role: a.role, Stores: 1, CSRF: ownerCSRF}, nil
}

// ownerSite is the product with its dashboard signed in as one person.
type ownerSite struct {
	f      *apptest.Fixture
	viewer *fixedViewer
}

// newOwnerSite builds the product (apptest) with ownerEmail among its
// store's owners and its dashboard (wired as local.go wires it) signed in
// with role.
func newOwnerSite(t *testing.T, role closeloop.Role) *ownerSite {
	t.Helper()
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.OwnerEmails = []string{ownerEmail}
		s.SupportEmails = []string{"help@shop.test"}
	})
	v := &fixedViewer{db: dynamo.New(testenv.DynamoDB(t), f.Table), storeID: f.StoreID, email: ownerEmail, role: role}
	if role == closeloop.RoleSupport {
		v.email = "help@shop.test"
	}
	f.Product.Dashboard.Auth = v
	return &ownerSite{f: f, viewer: v}
}

type pageResponse struct {
	Status   int
	Location string
	Body     string
}

func (s *ownerSite) do(t *testing.T, method, path string, form url.Values, headers ...string) pageResponse {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.f.Server.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	r := apptest.Send(t, apptest.NoRedirects, req)
	return pageResponse{Status: r.Status, Location: r.Header.Get("Location"), Body: r.Body}
}

func (s *ownerSite) get(t *testing.T, path string, headers ...string) pageResponse {
	t.Helper()
	return s.do(t, "GET", path, nil, headers...)
}

// post sends form with the session's CSRF token.
func (s *ownerSite) post(t *testing.T, path string, form url.Values) pageResponse {
	t.Helper()
	form.Set("csrf", ownerCSRF)
	return s.do(t, "POST", path, form)
}

// apiSettings is GET /v1/settings as the store API answers it.
func (s *ownerSite) apiSettings(t *testing.T) string {
	t.Helper()
	r := s.f.API(t, "GET", "/v1/settings", "")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /v1/settings: %d %s", r.Status, r.Body)
	}
	return r.Body
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// settingsForm is the form as the settings page draws it for the fixture's
// store, with the version it was read at.
func (s *ownerSite) settingsForm(t *testing.T) url.Values {
	t.Helper()
	page := s.get(t, "/app/settings")
	if page.Status != http.StatusOK {
		t.Fatalf("GET /app/settings: %d %s", page.Status, page.Body)
	}
	m := versionField.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("the settings form has no version:\n%s", page.Body)
	}
	form := url.Values{"version": {m[1]}}
	set := s.f.Settings
	form.Set("branding.name", set.Branding.Name)
	form.Set("branding.logo_url", set.Branding.LogoURL)
	form.Set("branding.color", set.Branding.Color)
	form.Set("branding.postal_address", set.Branding.PostalAddress)
	form.Set("branding.privacy_url", set.Branding.PrivacyURL)
	form.Set("time_zone", set.TimeZone)
	form.Set("default_locale", set.DefaultLocale)
	form.Set("survey_after", set.SurveyAfter)
	form.Set("survey_delay_hours", "0")
	form.Set("max_wait_days", "30")
	form.Set("on_no_event", set.OnNoEvent)
	form.Set("send_window.from", set.SendWindow.From)
	form.Set("send_window.to", set.SendWindow.To)
	form.Set("survey_expiry_days", "14")
	form.Set("reminder_after_hours", "72")
	form.Set("contact_budget_days", "30")
	form.Set("points_per_answer", "50")
	form.Set("points_comment_bonus", "25")
	form.Set("min_comment_length", "20")
	form.Set("csat_threshold", "2")
	form.Set("sla_hours", "24")
	form.Set("case_reasons", strings.Join(set.CaseReasons, "\n"))
	form.Set("sender_email", "")
	form.Set("sender_name", "")
	form.Set("reply_to", set.ReplyTo)
	form.Set("support_emails", "help@shop.test")
	form.Set("owner_emails", ownerEmail)
	form.Set("slack_webhook_url", "")
	form.Set("digest_weekday", "monday")
	form.Set("webhook_url", "")
	form.Set("retention_months", "24")
	return form
}

// The page shows the store's settings as they are; every text of the page
// exists in English and Russian.
func TestSettingsPageShowsCurrentSettings(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	if r := s.f.API(t, "PUT", "/v1/settings", `{"time_zone":"Europe/Berlin","sla_hours":12,"branding":{"postal_address":"1 Harbour Road, Leith"},"case_reasons":["late","broken_item"]}`); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	s.f.Counter.Reset()
	page := s.get(t, "/app/settings")
	if page.Status != http.StatusOK {
		t.Fatalf("GET /app/settings: %d %s", page.Status, page.Body)
	}
	t.Logf("GET /app/settings: %d DynamoDB requests %v (besides the session's)", s.f.Counter.Total(), s.f.Counter.Counts())
	css := s.get(t, "/app/static/app.css")
	t.Logf("GET /app/settings: %d bytes of HTML, %d of CSS (the whole dashboard's), no script", len(page.Body), len(css.Body))
	if c := s.f.Counter.Counts(); s.f.Counter.Total() != 1 || c["GetItem"] != 1 {
		t.Errorf("the settings page made DynamoDB requests %v, want one GetItem (consistent)", c)
	}
	for _, want := range []string{
		`id="f-time_zone" name="time_zone" value="Europe/Berlin"`,
		`id="f-sla_hours" name="sla_hours" value="12"`,
		`id="f-branding-name" name="branding.name" value="Test Shop"`,
		`id="f-reply_to" name="reply_to" value="support@shop.test"`,
		">1 Harbour Road, Leith</textarea>",
		">late\nbroken_item</textarea>",
		">" + ownerEmail + "</textarea>",
		`<option value="monday" selected>Monday</option>`,
		`<legend>When to ask</legend>`,
		`name="version" value="1"`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the settings page lacks %s", want)
		}
	}
	for _, lang := range []string{"en", "ru"} {
		page := s.get(t, "/app/settings", "Accept-Language", lang)
		if i := strings.Index(page.Body, "app.owner."); i >= 0 {
			t.Errorf("the %s settings page shows a text key, not its text: %s", lang, page.Body[i:min(len(page.Body), i+60)])
		}
	}
	if page := s.get(t, "/app/settings", "Accept-Language", "ru"); !strings.Contains(page.Body, "Сохранить настройки") {
		t.Errorf("the Russian settings page is not in Russian")
	}
}

// The form saves what PUT /v1/settings saves for the same values.
func TestSettingsFormSavesWhatThePutSaves(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	ctx := context.Background()
	if _, err := s.f.Product.DB.GrantSender(ctx, s.f.StoreID, "news@shop.test"); err != nil {
		t.Fatal(err)
	}
	before := s.apiSettings(t)

	form := s.settingsForm(t)
	changes := map[string]string{
		"branding.name": "Harbour Mugs", "branding.logo_url": "https://cdn.shop.test/logo.png", "branding.color": "#aa3300",
		"branding.postal_address": "1 Harbour Road\nLeith", "branding.privacy_url": "https://shop.test/privacy",
		"time_zone": "Europe/Berlin", "default_locale": "ru", "survey_after": "delivery", "survey_delay_hours": "48",
		"max_wait_days": "20", "on_no_event": "expire", "send_window.from": "08:30", "send_window.to": "21:00",
		"survey_expiry_days": "10", "reminder_after_hours": "0", "contact_budget_days": "60",
		"points_per_answer": "40", "points_comment_bonus": "10", "min_comment_length": "15",
		"csat_threshold": "3", "sla_hours": "8", "case_reasons": "late\r\n broken_item \r\n\r\nother",
		"sender_email": "news@shop.test", "sender_name": "Harbour Mugs team", "reply_to": " Care@Shop.Test",
		"support_emails": "help@shop.test\nSam@Shop.Test", "owner_emails": ownerEmail + "\nboss@shop.test",
		"slack_webhook_url": "https://hooks.slack.test/services/T1/B2/c3", "digest_weekday": "friday",
		"webhook_url": "https://erp.shop.test/closeloop", "retention_months": "36",
	}
	for name, value := range changes {
		form.Set(name, value)
	}
	s.f.Counter.Reset()
	r := s.post(t, "/app/settings", form)
	if r.Status != http.StatusSeeOther || r.Location != "/app/settings?saved=1" {
		t.Fatalf("POST /app/settings: %d %s %s, want 303 to /app/settings?saved=1", r.Status, r.Location, r.Body)
	}
	t.Logf("POST /app/settings: %d DynamoDB requests %v (besides the session's)", s.f.Counter.Total(), s.f.Counter.Counts())
	// The change moves owner and support addresses, so their STAFF items
	// move in the same transaction, from the addresses of the settings
	// the change read.
	if c := s.f.Counter.Counts(); s.f.Counter.Total() != 2 || c["GetItem"] != 1 || c["TransactWriteItems"] != 1 {
		t.Errorf("saving made DynamoDB requests %v, want one GetItem and one TransactWriteItems", c)
	}
	viaForm := s.apiSettings(t)
	if page := s.get(t, "/app/settings?saved=1"); !strings.Contains(page.Body, `<p class="flash" role="status">Settings saved</p>`) {
		t.Errorf("after saving, the page shows no flash")
	}

	// The same change through the API, from the same start.
	if r := s.f.API(t, "PUT", "/v1/settings", before); r.Status != http.StatusOK {
		t.Fatalf("restore: %d %s", r.Status, r.Body)
	}
	put := s.f.API(t, "PUT", "/v1/settings", `{"branding":{"name":"Harbour Mugs","logo_url":"https://cdn.shop.test/logo.png","color":"#aa3300",`+
		`"postal_address":"1 Harbour Road\nLeith","privacy_url":"https://shop.test/privacy"},"time_zone":"Europe/Berlin","default_locale":"ru",`+
		`"survey_after":"delivery","survey_delay_hours":48,"max_wait_days":20,"on_no_event":"expire","send_window":{"from":"08:30","to":"21:00"},`+
		`"survey_expiry_days":10,"reminder_after_hours":0,"contact_budget_days":60,"points_per_answer":40,"points_comment_bonus":10,`+
		`"min_comment_length":15,"csat_threshold":3,"sla_hours":8,"case_reasons":["late","broken_item","other"],`+
		`"sender_email":"news@shop.test","sender_name":"Harbour Mugs team","reply_to":" Care@Shop.Test",`+
		`"support_emails":["help@shop.test","Sam@Shop.Test"],"owner_emails":["`+ownerEmail+`","boss@shop.test"],`+
		`"slack_webhook_url":"https://hooks.slack.test/services/T1/B2/c3","digest_weekday":"friday",`+
		`"webhook_url":"https://erp.shop.test/closeloop","retention_months":36}`)
	if put.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", put.Status, put.Body)
	}
	if viaPut := s.apiSettings(t); viaPut != viaForm {
		t.Fatalf("the form saved\n%s\nthe PUT saved\n%s", viaForm, viaPut)
	}
	if viaForm == before {
		t.Fatal("the form changed nothing")
	}

	// A form with the secret left empty keeps it; its box removes it.
	form = s.settingsForm(t)
	for name, value := range changes {
		form.Set(name, value)
	}
	form.Set("slack_webhook_url", "")
	if r := s.post(t, "/app/settings", form); r.Status != http.StatusSeeOther {
		t.Fatalf("POST keeping the Slack URL: %d %s", r.Status, r.Body)
	}
	if got := s.apiSettings(t); !strings.Contains(got, `"slack_webhook_url":"https://hooks.slack.test/services/T1/B2/c3"`) {
		t.Fatalf("an empty secret field changed the Slack URL: %s", got)
	}
	form = s.settingsForm(t)
	for name, value := range changes {
		form.Set(name, value)
	}
	form.Set("slack_webhook_url", "")
	form.Set("slack_webhook_url.remove", "1")
	if r := s.post(t, "/app/settings", form); r.Status != http.StatusSeeOther {
		t.Fatalf("POST removing the Slack URL: %d %s", r.Status, r.Body)
	}
	if got := s.apiSettings(t); !strings.Contains(got, `"slack_webhook_url":""`) {
		t.Fatalf("the remove box kept the Slack URL: %s", got)
	}
}

// fieldInvalid reports whether the page marks the field with id invalid:
// aria-invalid on its control, described by its error, the error shown.
func fieldInvalid(body, id, message string) bool {
	control := regexp.MustCompile(`<(?:input|select|textarea) id="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
	return strings.Contains(control, `aria-invalid="true"`) &&
		strings.Contains(control, id+`-error`) &&
		strings.Contains(body, `<p class="field-error" id="`+id+`-error">`+message)
}

// Bad values are shown next to their fields, with the API's messages and
// the values typed; nothing is saved, not even the good ones.
func TestSettingsFormRefusesBadValues(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	before := s.apiSettings(t)
	tests := []struct {
		name, field, value string
		id, message        string
		keep               string // how the typed value shows again
	}{
		{"bad email", "reply_to", "care@@shop", "f-reply_to", "must be an email address", `value="care@@shop"`},
		{"unknown time zone", "time_zone", "Mars/Olympus_Mons", "f-time_zone", "must be an IANA time zone", `value="Mars/Olympus_Mons"`},
		{"ungranted sender", "sender_email", "news@other.test", "f-sender_email", "is not a sender identity of this store", `value="news@other.test"`},
		{"not a number", "sla_hours", "twelve", "f-sla_hours", "must be a whole number", `value="twelve"`},
		{"out of range", "csat_threshold", "9", "f-csat_threshold", "must be from 1 to 4", `value="9"`},
		{"bad list", "support_emails", "help@shop.test\nnobody", "f-support_emails", "must list email addresses only", ">help@shop.test\nnobody</textarea>"},
		{"owner removes themselves", "owner_emails", "boss@shop.test", "f-owner_emails", "must include your own address", ">boss@shop.test</textarea>"},
		{"private webhook", "webhook_url", "https://10.1.2.3/hook", "f-webhook_url", "must point to a public address", `value="https://10.1.2.3/hook"`},
		{"bad reason", "case_reasons", "Late Delivery", "f-case_reasons", "must list distinct reasons", ">Late Delivery</textarea>"},
		{"window end", "send_window.to", "25:00", "f-send_window-to", "must be a time of day", `value="25:00"`},
		{"window backwards", "send_window.to", "06:00", "f-send_window-from", "must end after it starts", `value="06:00"`},
		{"bad colour", "branding.color", "red", "f-branding-color", "must be a colour", `value="red"`},
		{"bad Slack URL", "slack_webhook_url", "http://hooks.slack.test/x", "f-slack_webhook_url", "must be an https URL", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := s.settingsForm(t)
			form.Set("sla_hours", "6") // a good change, refused with the bad one
			form.Set("send_window.from", "08:00")
			form.Set(tt.field, tt.value)
			r := s.post(t, "/app/settings", form)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("POST: %d, want 400\n%s", r.Status, r.Body)
			}
			if !fieldInvalid(r.Body, tt.id, tt.message) {
				t.Errorf("%s is not shown invalid with %q:\n%s", tt.id, tt.message, r.Body)
			}
			if tt.keep != "" && !strings.Contains(r.Body, tt.keep) {
				t.Errorf("the typed value is not kept: want %s", tt.keep)
			}
			if !strings.Contains(r.Body, `<a href="#`+tt.id+`">`) {
				t.Errorf("the error summary does not link to %s", tt.id)
			}
			if tt.field == "slack_webhook_url" && strings.Contains(r.Body, tt.value) {
				t.Errorf("the typed Slack URL is drawn again")
			}
			if after := s.apiSettings(t); after != before {
				t.Fatalf("a refused form changed the settings:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

// A Russian reader sees the problems in Russian.
func TestSettingsProblemsInTheReadersLanguage(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	form := s.settingsForm(t)
	form.Set("reply_to", "care@@shop")
	form.Set("sla_hours", "0")
	form.Set("csrf", ownerCSRF)
	r := s.do(t, "POST", "/app/settings", form, "Accept-Language", "ru-RU,ru;q=0.9")
	if r.Status != http.StatusBadRequest {
		t.Fatalf("POST: %d, want 400", r.Status)
	}
	if !fieldInvalid(r.Body, "f-reply_to", "должно быть адресом электронной почты: в адресе должен быть ровно один @") ||
		!fieldInvalid(r.Body, "f-sla_hours", "должно быть от 1 до 336") {
		t.Fatalf("the Russian page does not show the problems in Russian:\n%s", r.Body)
	}
}

// A form read before someone else saved is refused, with both values
// shown; the owner's entries are kept, and saving again is their choice.
func TestSettingsFormRefusesAStaleVersion(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	form := s.settingsForm(t)
	read, _ := strconv.Atoi(form.Get("version"))
	if r := s.f.API(t, "PUT", "/v1/settings", `{"sla_hours":10}`); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	saved := s.apiSettings(t)
	form.Set("time_zone", "Europe/Berlin")
	r := s.post(t, "/app/settings", form)
	if r.Status != http.StatusConflict {
		t.Fatalf("stale POST: %d, want 409\n%s", r.Status, r.Body)
	}
	for _, want := range []string{
		"someone else saved the settings after you opened this page",
		`<p class="now">Saved meanwhile: 10</p>`,
		`name="time_zone" value="Europe/Berlin"`,
		`name="version" value="` + strconv.Itoa(read+1) + `"`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the refused page lacks %s", want)
		}
	}
	if after := s.apiSettings(t); after != saved {
		t.Fatalf("the stale form was saved:\n%s", after)
	}
	// A forged or missing version is never taken as current.
	form.Del("version")
	if r := s.post(t, "/app/settings", form); r.Status != http.StatusConflict {
		t.Fatalf("POST without version: %d, want 409", r.Status)
	}
}

// Secrets never reach the page: the Slack URL is only said to be set.
func TestSettingsPageNeverShowsSecrets(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	const slackURL = "https://hooks.slack.test/services/T0/B0/XsecretXslackXtokenX"
	if r := s.f.API(t, "PUT", "/v1/settings", `{"slack_webhook_url":"`+slackURL+`","shopify_secret":"shpss_XsecretXshopifyX"}`); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	if r := s.f.API(t, "POST", "/v1/settings/webhook-secret", ""); r.Status != http.StatusCreated {
		t.Fatalf("webhook secret: %d %s", r.Status, r.Body)
	}
	store, err := s.f.Product.DB.Store(context.Background(), s.f.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"XsecretX", store.WebhookSecrets.Current, store.CursorKey}
	form := s.settingsForm(t)
	form.Set("time_zone", "Nowhere/Atlantis") // a refused form draws the page again
	pages := map[string]pageResponse{"GET": s.get(t, "/app/settings"), "refused POST": s.post(t, "/app/settings", form)}
	for name, page := range pages {
		for _, secret := range secrets {
			if secret != "" && strings.Contains(page.Body, secret) {
				t.Errorf("%s /app/settings shows a secret (%.12s…)", name, secret)
			}
		}
		if !strings.Contains(page.Body, "A Slack webhook is set.") {
			t.Errorf("%s /app/settings does not say the Slack webhook is set", name)
		}
	}
}

var (
	secretField = regexp.MustCompile(`<textarea id="key-secret" class="secret" readonly[^>]*>(cl_[^<]+)</textarea>`)
)

// A key made on the page works at once and its secret is shown once;
// revoked, it stops working at once.
func TestKeysPages(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	s.f.Counter.Reset()
	list := s.get(t, "/app/keys")
	if list.Status != http.StatusOK || !strings.Contains(list.Body, "first owner key") {
		t.Fatalf("GET /app/keys: %d, want 200 listing the first owner key\n%s", list.Status, list.Body)
	}
	t.Logf("GET /app/keys: %d DynamoDB requests %v (besides the session's)", s.f.Counter.Total(), s.f.Counter.Counts())
	if c := s.f.Counter.Counts(); s.f.Counter.Total() != 1 || c["Query"] != 1 {
		t.Errorf("the keys page made DynamoDB requests %v, want one Query", c)
	}

	s.f.Counter.Reset()
	created := s.post(t, "/app/keys", url.Values{"role": {"support"}, "name": {"  Help desk  "}})
	if created.Status != http.StatusCreated {
		t.Fatalf("POST /app/keys: %d, want 201\n%s", created.Status, created.Body)
	}
	t.Logf("POST /app/keys: %d DynamoDB requests %v (besides the session's)", s.f.Counter.Total(), s.f.Counter.Counts())
	if c := s.f.Counter.Counts(); s.f.Counter.Total() != 1 || c["TransactWriteItems"] != 1 {
		t.Errorf("creating a key made DynamoDB requests %v, want one TransactWriteItems", c)
	}
	m := secretField.FindStringSubmatch(created.Body)
	if m == nil {
		t.Fatalf("the created page shows no secret:\n%s", created.Body)
	}
	secret := m[1]
	for _, want := range []string{"shown only this once", "Secret of the key Help desk"} {
		if !strings.Contains(created.Body, want) {
			t.Errorf("the created page lacks %q", want)
		}
	}
	// The new key is a support key of this store.
	if r := s.f.Do(t, "GET", "/v1/followups", secret, "", ""); r.Status != http.StatusOK {
		t.Fatalf("the new key on GET /v1/followups: %d %s", r.Status, r.Body)
	}
	if r := s.f.Do(t, "GET", "/v1/settings", secret, "", ""); r.Status != http.StatusForbidden {
		t.Fatalf("the new support key on GET /v1/settings: %d, want 403", r.Status)
	}

	list = s.get(t, "/app/keys")
	if strings.Contains(list.Body, secret) || strings.Contains(list.Body, secret[3:15]) {
		t.Fatal("the key list shows the secret")
	}
	var apiKeys struct {
		Items []struct{ ID, Name, Role string }
	}
	if err := json.Unmarshal([]byte(s.f.API(t, "GET", "/v1/keys", "").Body), &apiKeys); err != nil {
		t.Fatal(err)
	}
	var want string
	for _, k := range apiKeys.Items {
		if k.Name == "Help desk" && k.Role == "support" {
			want = k.ID
		}
	}
	if want == "" || !strings.Contains(list.Body, `action="/app/keys/`+want+`/revoke"`) || !strings.Contains(list.Body, "Revoke the key Help desk") {
		t.Fatalf("the key list has no revoke form for the new key %q:\n%s", want, list.Body)
	}

	s.f.Counter.Reset()
	r := s.post(t, "/app/keys/"+want+"/revoke", url.Values{})
	if r.Status != http.StatusSeeOther || r.Location != "/app/keys?revoked=1" {
		t.Fatalf("revoke: %d %s, want 303 to /app/keys?revoked=1\n%s", r.Status, r.Location, r.Body)
	}
	t.Logf("POST /app/keys/{id}/revoke: %d DynamoDB requests %v (besides the session's)", s.f.Counter.Total(), s.f.Counter.Counts())
	if page := s.get(t, r.Location); !strings.Contains(page.Body, "Key revoked") || strings.Contains(page.Body, "Help desk") {
		t.Errorf("after the revoke the list does not say so or still lists the key")
	}
	if r := s.f.Do(t, "GET", "/v1/followups", secret, "", ""); r.Status != http.StatusUnauthorized {
		t.Fatalf("the revoked key: %d, want 401", r.Status)
	}
	if r := s.post(t, "/app/keys/"+want+"/revoke", url.Values{}); r.Status != http.StatusNotFound {
		t.Fatalf("revoking twice: %d, want 404", r.Status)
	}
}

func TestKeysPageRefusals(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	for _, tt := range []struct {
		name       string
		form       url.Values
		id, reason string
	}{
		{"blank name", url.Values{"role": {"ingest"}, "name": {"   "}}, "key-name", "must be 1 to 100 characters"},
		{"unknown role", url.Values{"role": {"admin"}, "name": {"Robot"}}, "key-role", "must be owner, support, ingest or points"},
	} {
		r := s.post(t, "/app/keys", tt.form)
		if r.Status != http.StatusBadRequest || !fieldInvalid(r.Body, tt.id, tt.reason) {
			t.Errorf("%s: %d, want 400 with %s invalid (%s)\n%s", tt.name, r.Status, tt.id, tt.reason, r.Body)
		}
		if strings.Contains(r.Body, `id="key-secret"`) {
			t.Errorf("%s: a secret is shown", tt.name)
		}
	}
	if r := s.post(t, "/app/keys", url.Values{"role": {"ingest"}, "name": {"Robot"}}); !strings.Contains(r.Body, "Robot") || r.Status != http.StatusCreated {
		t.Fatalf("a good key after refused ones: %d", r.Status)
	}
	// Another store's key, and ones no key can have, are not found.
	other := s.f.NewStore(t)
	theirs := s.f.Do(t, "POST", "/v1/keys", other, "application/json", `{"role":"ingest","name":"theirs"}`)
	var k struct{ ID string }
	if err := json.Unmarshal([]byte(theirs.Body), &k); err != nil || k.ID == "" {
		t.Fatalf("another store's key: %s", theirs.Body)
	}
	for _, id := range []string{k.ID, "k_unknown", strings.Repeat("k", 80)} {
		if r := s.post(t, "/app/keys/"+id+"/revoke", url.Values{}); r.Status != http.StatusNotFound {
			t.Errorf("revoking %.20s: %d, want 404", id, r.Status)
		}
	}
	if r := s.f.Do(t, "GET", "/v1/keys", other, "", ""); !strings.Contains(r.Body, k.ID) {
		t.Fatal("another store's key was revoked")
	}
	// An owner removed from the owners meanwhile revokes nothing.
	if r := s.f.API(t, "PUT", "/v1/settings", `{"owner_emails":["boss@shop.test"]}`); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	var mine struct{ Items []struct{ ID string } }
	if err := json.Unmarshal([]byte(s.f.API(t, "GET", "/v1/keys", "").Body), &mine); err != nil || len(mine.Items) == 0 {
		t.Fatal("no keys listed")
	}
	s.viewer.role = closeloop.RoleOwner // a session still naming them owner
	if r := s.post(t, "/app/keys/"+mine.Items[0].ID+"/revoke", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("revoke by a removed owner: %d, want 403", r.Status)
	}
}

// A form without the session's token, or sent from another site, changes
// nothing.
func TestOwnerFormsNeedTheSessionToken(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	before, keys := s.apiSettings(t), s.f.API(t, "GET", "/v1/keys", "").Body
	form := s.settingsForm(t)
	form.Set("time_zone", "Europe/Berlin")
	for _, r := range []pageResponse{
		s.do(t, "POST", "/app/settings", form),
		s.do(t, "POST", "/app/keys", url.Values{"csrf": {"guessed"}, "role": {"owner"}, "name": {"mine now"}}),
		s.do(t, "POST", "/app/keys", url.Values{"csrf": {ownerCSRF}, "role": {"owner"}, "name": {"mine now"}}, "Sec-Fetch-Site", "cross-site"),
	} {
		if r.Status != http.StatusForbidden {
			t.Errorf("a form without the token or from another site: %d, want 403", r.Status)
		}
	}
	if after := s.apiSettings(t); after != before {
		t.Fatal("a form without the token changed the settings")
	}
	if after := s.f.API(t, "GET", "/v1/keys", "").Body; after != keys {
		t.Fatal("a form without the token made a key")
	}
}

// Support staff cannot open or post to the owners' pages.
func TestOwnerPagesRefuseSupport(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleSupport)
	before := s.apiSettings(t)
	keys := s.f.API(t, "GET", "/v1/keys", "").Body
	var first struct{ Items []struct{ ID string } }
	if err := json.Unmarshal([]byte(keys), &first); err != nil || len(first.Items) == 0 {
		t.Fatalf("keys: %s", keys)
	}
	for _, r := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/app/settings", nil},
		{"POST", "/app/settings", url.Values{"version": {"1"}, "time_zone": {"Europe/Berlin"}}},
		{"GET", "/app/keys", nil},
		{"POST", "/app/keys", url.Values{"role": {"owner"}, "name": {"mine now"}}},
		{"POST", "/app/keys/" + first.Items[0].ID + "/revoke", url.Values{}},
	} {
		var got pageResponse
		if r.form != nil {
			got = s.post(t, r.path, r.form)
		} else {
			got = s.get(t, r.path)
		}
		if got.Status != http.StatusForbidden {
			t.Errorf("support %s %s: %d, want 403", r.method, r.path, got.Status)
		}
		if strings.Contains(got.Body, `href="/app/settings"`) {
			t.Errorf("support %s %s: the navigation offers settings", r.method, r.path)
		}
	}
	if after := s.apiSettings(t); after != before {
		t.Fatal("support changed the settings")
	}
	if after := s.f.API(t, "GET", "/v1/keys", "").Body; after != keys {
		t.Fatalf("support changed the keys: %s", after)
	}
}
