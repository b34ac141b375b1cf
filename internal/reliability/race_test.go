package reliability_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

// TestHundredSubmitsOfOneSurveyAnswerOnce: a hundred clients submit the
// same survey link at once, with different scores and comments. Exactly
// one answer is recorded with one points award, counted once in the
// summary; every client gets the thank-you page of that one answer (200,
// as for a second submit), none an error.
func TestHundredSubmitsOfOneSurveyAnswerOnce(t *testing.T) {
	t.Parallel()
	const clients = 100
	surveys := scale(2, 12)
	f := newFixture(t)
	emails := make([]string, surveys)
	for i := range emails {
		emails[i] = apptest.Email("hundred")
	}
	postOrders(t, f, "hundred", emails)
	dispatchAll(t, f)
	paths := surveyPaths(t, f, emails)
	started := time.Now()
	for s, path := range paths {
		got := make([]apptest.Response, clients)
		parallel(clients, func(i int) {
			got[i] = f.Do(t, "POST", path, "", form, fmt.Sprintf("score=%d&comment=client+%d", 4+i%2, i))
		})
		for i, r := range got {
			if r.Status != http.StatusOK || !strings.Contains(r.Body, "You earned 50 points!") {
				t.Fatalf("survey %d, client %d: %d, want the thank-you page:\n%s", s, i, r.Status, r.Body)
			}
			if r.Body != got[0].Body {
				t.Fatalf("survey %d: clients %d and 0 got different pages: not one answer", s, i)
			}
		}
		if p := pointsOf(t, f, emails[s]); p.Balance != 50 || len(p.Ledger) != 1 {
			t.Fatalf("survey %d: points %+v, want 50 awarded once", s, p)
		}
	}
	t.Logf("%d submits of %d surveys in %v", clients*surveys, surveys, time.Since(started).Round(time.Millisecond))
	sum := today(t, f)
	if sum.Answered != surveys || sum.CSAT.Answers != surveys || sum.PointsAwarded != 50*surveys ||
		sum.CSAT.Distribution["4"]+sum.CSAT.Distribution["5"] != surveys {
		t.Fatalf("summary %+v, want %d answers of 4 or 5 and %d points", sum, surveys, 50*surveys)
	}
}

// TestRacingPostsOfOneOrderMakeOneSurvey: fifty clients post the same
// order ID at once, a third of them with other items and another name (a
// retry whose payload changed). One survey is created; every client gets
// 202 or 200 with its ID, exactly one 202; one email goes out.
func TestRacingPostsOfOneOrderMakeOneSurvey(t *testing.T) {
	t.Parallel()
	const clients = 50
	orders := scale(3, 30)
	f := newFixture(t)
	emails := make([]string, orders)
	for o := range orders {
		emails[o] = apptest.Email("ingest")
		id := "race-" + itoa(o)
		got := make([]apptest.Response, clients)
		parallel(clients, func(i int) {
			body := apptest.Order(id, emails[o])
			if i%3 == 1 {
				body = strings.Replace(strings.Replace(body, `"Mug"`, `"Teapot `+itoa(i)+`"`, 1), `"Ada"`, `"Grace"`, 1)
			}
			got[i] = f.API(t, "POST", "/v1/orders", body)
		})
		accepted, ids := 0, map[string]bool{}
		for i, r := range got {
			switch r.Status {
			case http.StatusAccepted:
				accepted++
			case http.StatusOK:
			default:
				t.Fatalf("order %s, client %d: %d %s", id, i, r.Status, r.Body)
			}
			ids[decode[surveysBody](t, r).Surveys[0].SurveyID] = true
		}
		if accepted != 1 || len(ids) != 1 {
			t.Fatalf("order %s: %d answers 202 and %d survey IDs; want 1 and 1", id, accepted, len(ids))
		}
	}
	dispatchAll(t, f)
	by := f.Inbox.ByRecipient(t)
	for _, e := range emails {
		if n := len(by[strings.ToLower(e)]); n != 1 {
			t.Errorf("%d emails to %s, want the one survey", n, e)
		}
	}
	if sum := today(t, f); sum.Sent != orders {
		t.Errorf("summary counts %d sent, want %d", sum.Sent, orders)
	}
}

// TestRacingClaimsOfOneCaseOneWins: support people claim the same new
// case at once, each for themselves. One claim wins (200); every other
// answers 409 conflict with the case as it stands; the case has the
// winner as its one assignee.
func TestRacingClaimsOfOneCaseOneWins(t *testing.T) {
	t.Parallel()
	const claimers = 20
	cases := scale(2, 20)
	f := newFixture(t)
	emails := make([]string, cases)
	for i := range emails {
		emails[i] = apptest.Email("claim")
	}
	ids := postOrders(t, f, "claim", emails)
	dispatchAll(t, f)
	for i, path := range surveyPaths(t, f, emails) {
		if r := f.Do(t, "POST", path, "", form, "score=1&comment=cracked"); r.Status != http.StatusOK {
			t.Fatalf("answer %d: %d", i, r.Status)
		}
	}
	for i, surveyID := range ids {
		sv, err := f.Product.DB.Survey(context.Background(), surveyID)
		if err != nil {
			t.Fatal(err)
		}
		caseID := caseOf(t, f, sv)
		got := make([]apptest.Response, claimers)
		parallel(claimers, func(c int) {
			got[c] = f.API(t, "POST", "/v1/followups/"+caseID+"/claim", `{"assignee":"agent-`+itoa(c)+`@shop.test"}`)
		})
		winner := ""
		for c, r := range got {
			switch {
			case r.Status == http.StatusOK && winner == "":
				winner = "agent-" + itoa(c) + "@shop.test"
			case r.Status == http.StatusConflict && strings.Contains(r.Body, `"code":"conflict"`):
			default:
				t.Fatalf("case %d, claim %d: %d %s (winner so far %q)", i, c, r.Status, r.Body, winner)
			}
		}
		if winner == "" {
			t.Fatalf("case %d: no claim won", i)
		}
		view := decode[struct {
			Status   string `json:"status"`
			Assignee string `json:"assignee"`
		}](t, f.API(t, "GET", "/v1/followups/"+caseID, ""))
		if view.Assignee != winner || view.Status != "claimed" {
			t.Fatalf("case %d: %+v, want claimed by the winner %s", i, view, winner)
		}
	}
}

// caseOf returns the ID of the case sv's answer opened.
func caseOf(t testing.TB, f *apptest.Fixture, sv closeloop.Survey) string {
	t.Helper()
	r := decode[struct {
		Response struct {
			CaseID string `json:"case_id"`
		} `json:"response"`
	}](t, f.API(t, "GET", "/v1/surveys/"+sv.SurveyID, ""))
	if r.Response.CaseID == "" {
		t.Fatalf("survey %s opened no case", sv.SurveyID)
	}
	return r.Response.CaseID
}
