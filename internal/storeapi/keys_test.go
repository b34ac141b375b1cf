package storeapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
)

type keyView struct {
	ID        string `json:"id"`
	Role      string `json:"role"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	Secret    string `json:"secret"`
}

type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// newKey creates a key of role in the store of ownerKey.
func newKey(t *testing.T, f *apptest.Fixture, ownerKey, role string) keyView {
	t.Helper()
	r := f.Do(t, "POST", "/v1/keys", ownerKey, "application/json", `{"role":"`+role+`","name":"`+role+` key"}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %s key: %d %s, want 201", role, r.Status, r.Body)
	}
	k := decode[keyView](t, r.Body)
	if k.ID == "" || k.Role != role || k.Name != role+" key" || k.CreatedAt == "" || !strings.HasPrefix(k.Secret, "cl_") {
		t.Fatalf("created key %s", r.Body)
	}
	return k
}

func listKeys(t *testing.T, f *apptest.Fixture, ownerKey string) (string, []keyView) {
	t.Helper()
	r := f.Do(t, "GET", "/v1/keys", ownerKey, "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("list keys: %d %s", r.Status, r.Body)
	}
	return r.Body, decode[struct {
		Items []keyView `json:"items"`
	}](t, r.Body).Items
}

func TestKeys(t *testing.T) {
	f := apptest.New(t)
	support := newKey(t, f, f.APIKey, "support")

	body, keys := listKeys(t, f, f.APIKey)
	roles := map[string]string{}
	for _, k := range keys {
		roles[k.ID] = k.Role
	}
	if len(keys) != 2 || roles[support.ID] != "support" {
		t.Fatalf("keys %s, want the first owner key and the support key", body)
	}
	for _, leak := range []string{support.Secret, `"secret"`, `"hash"`, `"store_id"`} {
		if strings.Contains(body, leak) {
			t.Fatalf("key listing shows %s: %s", leak, body)
		}
	}

	points := "/v1/customers/" + url.PathEscape(apptest.Email("k")) + "/points"
	if r := f.Do(t, "GET", points, support.Secret, "", ""); r.Status != http.StatusOK {
		t.Fatalf("new support key reading points: %d %s", r.Status, r.Body)
	}
	if r := f.API(t, "DELETE", "/v1/keys/"+support.ID, ""); r.Status != http.StatusNoContent || r.Body != "" {
		t.Fatalf("revoke: %d %q, want 204 with no body", r.Status, r.Body)
	}
	// A revoked key is refused at once.
	if r := f.Do(t, "GET", points, support.Secret, "", ""); r.Status != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d %s, want 401", r.Status, r.Body)
	}
	if r := f.API(t, "DELETE", "/v1/keys/"+support.ID, ""); r.Status != http.StatusNotFound {
		t.Fatalf("revoke twice: %d %s, want 404", r.Status, r.Body)
	}
	if _, keys := listKeys(t, f, f.APIKey); len(keys) != 1 {
		t.Fatalf("%d keys listed after the revoke, want 1", len(keys))
	}
}

func TestRevokeOwnKeyConflicts(t *testing.T) {
	f := apptest.New(t)
	_, keys := listKeys(t, f, f.APIKey)
	own := keys[0].ID
	r := f.API(t, "DELETE", "/v1/keys/"+own, "")
	if r.Status != http.StatusConflict || decode[apiError](t, r.Body).Error.Code != "conflict" {
		t.Fatalf("revoking the key in use: %d %s, want 409 conflict", r.Status, r.Body)
	}
	// Another owner key may revoke it; then the first one is refused.
	second := newKey(t, f, f.APIKey, "owner")
	if r := f.Do(t, "DELETE", "/v1/keys/"+own, second.Secret, "", ""); r.Status != http.StatusNoContent {
		t.Fatalf("revoke with another owner key: %d %s, want 204", r.Status, r.Body)
	}
	if r := f.API(t, "GET", "/v1/keys", ""); r.Status != http.StatusUnauthorized {
		t.Fatalf("revoked owner key: %d %s, want 401", r.Status, r.Body)
	}
}

func TestRevokeAnotherStoresKey(t *testing.T) {
	f := apptest.New(t)
	otherOwner := f.NewStore(t)
	theirs := newKey(t, f, otherOwner, "ingest")
	for _, id := range []string{theirs.ID, "k_unknown", strings.Repeat("k", 300)} {
		if r := f.API(t, "DELETE", "/v1/keys/"+id, ""); r.Status != http.StatusNotFound {
			t.Fatalf("revoke %.20s: %d %s, want 404", id, r.Status, r.Body)
		}
	}
	if _, keys := listKeys(t, f, otherOwner); len(keys) != 2 {
		t.Fatalf("the other store has %d keys, want 2", len(keys))
	}
	if body, _ := listKeys(t, f, f.APIKey); strings.Contains(body, theirs.ID) {
		t.Fatalf("another store's key is listed: %s", body)
	}
}

func TestPostKeyValidation(t *testing.T) {
	f := apptest.New(t)
	tests := []struct {
		name   string
		body   string
		fields []string
	}{
		{"empty object", `{}`, []string{"role", "name"}},
		{"unknown role", `{"role":"admin","name":"x"}`, []string{"role"}},
		{"blank name", `{"role":"owner","name":"   "}`, []string{"name"}},
		{"long name", `{"role":"owner","name":"` + strings.Repeat("n", 101) + `"}`, []string{"name"}},
		{"control character", `{"role":"owner","name":"a\u0007b"}`, []string{"name"}},
		{"unknown field", `{"role":"owner","name":"x","secret":"cl_mine"}`, []string{"secret"}},
		{"wrong type", `{"role":"owner","name":5}`, []string{"name"}},
		{"malformed", `{"role":`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantInvalid(t, f.API(t, "POST", "/v1/keys", tt.body), tt.fields...)
		})
	}
	if _, keys := listKeys(t, f, f.APIKey); len(keys) != 1 {
		t.Fatalf("%d keys after refused creations, want 1", len(keys))
	}
}

// TestRolesOnEveryRoute calls every route with a key of each role: a role
// that may not use the route gets 403 before anything is read or written.
// A route missing from the table fails the test.
func TestRolesOnEveryRoute(t *testing.T) {
	f := apptest.New(t)
	keys := map[string]string{
		"owner":   f.APIKey,
		"support": newKey(t, f, f.APIKey, "support").Secret,
		"ingest":  newKey(t, f, f.APIKey, "ingest").Secret,
		"points":  newKey(t, f, f.APIKey, "points").Secret,
	}
	customer := "/v1/customers/" + url.PathEscape(apptest.Email("roles"))
	tests := []struct {
		route   string // the pattern in routes.go
		path    string
		body    string
		allowed []string
	}{
		{"POST /v1/orders", "/v1/orders", `{}`, []string{"owner", "ingest"}},
		{"GET /v1/orders/{order_id}", "/v1/orders/no-such-order", ``, []string{"owner", "ingest"}},
		{"POST /v1/orders/{order_id}/cancel", "/v1/orders/no-such-order/cancel", ``, []string{"owner", "ingest"}},
		{"POST /v1/orders/{order_id}/events", "/v1/orders/no-such-order/events", `{"type":"delivered","at":"2026-11-20T10:00:00Z"}`, []string{"owner", "ingest"}},
		{"GET /v1/surveys/{survey_id}", "/v1/surveys/s_none", ``, []string{"owner", "support"}},
		{"GET /v1/customers/{email}/points", customer + "/points", ``, []string{"owner", "support", "points"}},
		{"POST /v1/customers/{email}/points/adjustments", customer + "/points/adjustments", `{}`, []string{"owner", "points"}},
		{"GET /v1/customers/{email}/export", customer + "/export", ``, []string{"owner"}},
		{"DELETE /v1/customers/{email}", customer, ``, []string{"owner"}},
		{"GET /v1/suppressions", "/v1/suppressions", ``, []string{"owner", "support"}},
		{"DELETE /v1/suppressions/{email}", "/v1/suppressions/" + url.PathEscape(apptest.Email("roles")), ``, []string{"owner"}},
		{"GET /v1/settings", "/v1/settings", ``, []string{"owner"}},
		{"PUT /v1/settings", "/v1/settings", `{}`, []string{"owner"}},
		{"GET /v1/keys", "/v1/keys", ``, []string{"owner"}},
		{"POST /v1/keys", "/v1/keys", `{"role":"ingest","name":"from the role test"}`, []string{"owner"}},
		{"DELETE /v1/keys/{key_id}", "/v1/keys/k_none", ``, []string{"owner"}},
		{"POST /v1/settings/webhook-secret", "/v1/settings/webhook-secret", `{"no":"body"}`, []string{"owner"}},
		{"GET /v1/responses", "/v1/responses", ``, []string{"owner", "support"}},
		{"GET /v1/followups", "/v1/followups", ``, []string{"owner", "support"}},
		{"GET /v1/summary", "/v1/summary", ``, []string{"owner", "support"}},
		{"GET /v1/summary/products", "/v1/summary/products", ``, []string{"owner", "support"}},
		{"GET /v1/followups/{case_id}", "/v1/followups/c_none", ``, []string{"owner", "support"}},
		{"POST /v1/followups/{case_id}/claim", "/v1/followups/c_none/claim", `{"assignee":"sam@shop.test"}`, []string{"owner", "support"}},
		{"POST /v1/followups/{case_id}/release", "/v1/followups/c_none/release", ``, []string{"owner", "support"}},
		{"POST /v1/followups/{case_id}/notes", "/v1/followups/c_none/notes", `{"text":"called"}`, []string{"owner", "support"}},
		{"POST /v1/followups/{case_id}/resolve", "/v1/followups/c_none/resolve", `{"resolution":"refunded","outcome":"resolved","reason":"damaged"}`, []string{"owner", "support"}},
		{"POST /v1/followups/{case_id}/reopen", "/v1/followups/c_none/reopen", ``, []string{"owner", "support"}},
		{"POST /v1/followups/{case_id}/tags", "/v1/followups/c_none/tags", `{"tags":["damaged"]}`, []string{"owner", "support"}},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.route] = true
		method, _, _ := strings.Cut(tt.route, " ")
		for role, key := range keys {
			t.Run(tt.route+" as "+role, func(t *testing.T) {
				r := f.Do(t, method, tt.path, key, "application/json", tt.body)
				allowed := false
				for _, a := range tt.allowed {
					allowed = allowed || a == role
				}
				switch {
				case allowed && (r.Status == http.StatusForbidden || r.Status == http.StatusUnauthorized):
					t.Fatalf("status %d %s, want the route to run", r.Status, r.Body)
				case !allowed && (r.Status != http.StatusForbidden || decode[apiError](t, r.Body).Error.Code != "forbidden"):
					t.Fatalf("status %d %s, want 403 forbidden", r.Status, r.Body)
				}
			})
		}
	}
	for _, route := range servedRoutes(t) {
		if !tested[route] {
			t.Errorf("route %q is not in this test's table: add which roles may use it", route)
		}
	}
}
