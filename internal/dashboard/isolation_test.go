package dashboard_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
)

// Another store's case is not there for the dashboard: its page and every
// move on it answer 404, show none of it, and leave it as it was.
func TestAnotherStoresCaseIsNotFound(t *testing.T) {
	s := newQueueShop(t)
	theirs := s.NewStore(t)
	email := apptest.Email("theirs")
	comment := "their comment " + email[7:15]
	r := s.Do(t, "POST", "/v1/orders", theirs, "application/json", apptest.Order("o-theirs", email))
	if r.Status != http.StatusAccepted {
		t.Fatalf("their order: %d %s", r.Status, r.Body)
	}
	s.Dispatch(t)
	path := s.SurveyPath(t, email)
	form := url.Values{"score": {"1"}, "comment": {comment}}.Encode()
	if r := s.Do(t, "POST", path, "", "application/x-www-form-urlencoded", form); r.Status != http.StatusOK {
		t.Fatalf("their answer: %d %s", r.Status, r.Body)
	}
	s.Settle(t)
	list := s.Do(t, "GET", "/v1/followups", theirs, "", "")
	cases := decodeJSON[struct{ Items []caseJSON }](t, list.Body).Items
	if len(cases) != 1 {
		t.Fatalf("their cases: %s", list.Body)
	}
	id := cases[0].ID
	before := s.Do(t, "GET", "/v1/followups/"+id, theirs, "", "").Body

	check := func(what string, r apptest.Response) {
		t.Helper()
		if r.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", what, r.Status)
		}
		for _, leak := range []string{email, comment, "o-theirs"} {
			if strings.Contains(r.Body, leak) {
				t.Errorf("%s shows their %q", what, leak)
			}
		}
	}
	check("GET the case", s.page(t, "GET", "/app/followups/"+id, "", nil))
	moves := map[string]url.Values{
		"claim": {}, "release": {}, "note": {"text": {"called"}}, "reopen": {}, "tags": {"tags": {"damaged"}},
		"resolve": {"resolution": {"refunded"}, "outcome": {"resolved"}, "reason": {"damaged"}},
	}
	for action, form := range moves {
		check("POST "+action, s.move(t, id, action, "", form))
	}
	if after := s.Do(t, "GET", "/v1/followups/"+id, theirs, "", "").Body; after != before {
		t.Errorf("their case changed:\nbefore %s\nafter  %s", before, after)
	}
	// Our own queue does not list it.
	if body := s.get(t, "/app/followups"); strings.Contains(body, id) || strings.Contains(body, email) {
		t.Errorf("our queue lists their case %s", id)
	}
}

// An owner's dashboard cannot revoke another store's key, nor list it.
func TestAnotherStoresKeyIsNotFound(t *testing.T) {
	s := newQueueShop(t)
	theirs := s.NewStore(t)
	store, err := s.Product.DB.Store(context.Background(), s.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	owner := s.DashboardAs(t, ownerAuth(store))
	keys := decodeJSON[struct{ Items []struct{ ID string } }](t, s.Do(t, "GET", "/v1/keys", theirs, "", "").Body).Items
	if len(keys) != 1 {
		t.Fatalf("their keys: %v", keys)
	}
	id := keys[0].ID
	form := url.Values{"csrf": {queueCSRF}}
	req, err := http.NewRequest("POST", owner.URL+"/app/keys/"+id+"/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoke their key: %d, want 404", resp.StatusCode)
	}
	if r := s.Do(t, "GET", "/v1/keys", theirs, "", ""); r.Status != http.StatusOK {
		t.Fatalf("their key after the attempt: %d, want it to work", r.Status)
	}
	resp, err = http.Get(owner.URL + "/app/keys")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), id) {
		t.Errorf("our keys page: %d, lists their key %v", resp.StatusCode, strings.Contains(string(body), id))
	}
}
