package dashboard_test

import (
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
