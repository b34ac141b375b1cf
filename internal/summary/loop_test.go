package summary_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
)

// loopBody is the loop's part of a summary.
type loopBody struct {
	Followups struct {
		Opened                    int      `json:"opened"`
		Resolved                  int      `json:"resolved"`
		Closed                    int      `json:"closed"`
		ClosureRate               *float64 `json:"closure_rate"`
		Contacted                 int      `json:"contacted"`
		MedianHoursToFirstContact *float64 `json:"median_hours_to_first_contact"`
		MedianHoursToClose        *float64 `json:"median_hours_to_close"`
		ClosedWithinSLA           int      `json:"closed_within_sla"`
		ClosedWithinSLAShare      *float64 `json:"closed_within_sla_share"`
	} `json:"followups"`
	Reasons []struct {
		Reason string   `json:"reason"`
		Cases  int      `json:"cases"`
		Share  *float64 `json:"share"`
	} `json:"reasons"`
	Outcomes struct {
		Resolved    int `json:"resolved"`
		NotResolved int `json:"not_resolved"`
		Unreachable int `json:"unreachable"`
	} `json:"outcomes"`
}

func TestLoopNumbersOnKnownCases(t *testing.T) {
	f := apptest.New(t) // SLA 24 hours, UTC
	// Start at 01:00 UTC, so that the first day holds the first 3 hours.
	now := f.Clock.Now()
	f.Clock.Advance(now.Truncate(24 * time.Hour).Add(25 * time.Hour).Sub(now))
	from := f.Clock.Now().Format("2006-01-02")
	names := []string{"loop-a", "loop-b", "loop-c", "loop-d"}
	for _, name := range names {
		answer(t, f, name, "score=1")
	}
	f.Settle(t)
	list := decode[struct {
		Items []struct {
			ID       string `json:"id"`
			Customer struct {
				Email string `json:"email"`
			} `json:"customer"`
		} `json:"items"`
	}](t, f.API(t, "GET", "/v1/followups", ""))
	ids := map[string]string{}
	for _, c := range list.Items {
		for _, name := range names {
			if strings.HasPrefix(c.Customer.Email, name+"-") {
				ids[name] = c.ID
			}
		}
	}
	if len(ids) != len(names) {
		t.Fatalf("cases %v, want one per customer", ids)
	}
	move := func(name, path, body string, want int) {
		t.Helper()
		id := ids[name]
		if r := f.API(t, "POST", "/v1/followups/"+id+path, body); r.Status != want {
			t.Fatalf("%s %s: %d %s", name, path, r.Status, r.Body)
		}
	}
	resolve := func(outcome, reason string) string {
		return `{"resolution":"done","outcome":"` + outcome + `","reason":"` + reason + `"}`
	}

	// a: claimed after 10 minutes, resolved after 2 hours (in the SLA), then
	// reopened and resolved again after 50 hours: closed once, two reasons.
	// b: a note after 3 hours, resolved after 30 hours (past the SLA).
	// c: resolved after 100 hours, never contacted, the customer unreachable.
	// d: still open.
	f.Clock.Advance(10 * time.Minute)
	move("loop-a", "/claim", `{"assignee":"sam@shop.test"}`, http.StatusOK)
	f.Clock.Advance(110 * time.Minute) // 2 h
	move("loop-a", "/resolve", resolve("resolved", "damaged"), http.StatusOK)
	move("loop-a", "/resolve", resolve("resolved", "damaged"), http.StatusConflict) // counts nothing
	f.Clock.Advance(time.Hour)                                                      // 3 h
	move("loop-b", "/notes", `{"text":"Called, will call back."}`, http.StatusCreated)
	move("loop-a", "/reopen", ``, http.StatusOK)
	f.Clock.Advance(27 * time.Hour) // 30 h
	move("loop-b", "/resolve", resolve("not_resolved", "delivery"), http.StatusOK)
	f.Clock.Advance(20 * time.Hour) // 50 h
	move("loop-a", "/resolve", resolve("resolved", "delivery"), http.StatusOK)
	f.Clock.Advance(50 * time.Hour) // 100 h
	move("loop-c", "/resolve", resolve("unreachable", "delivery"), http.StatusOK)

	to := f.Clock.Now().Format("2006-01-02")
	sum := decode[loopBody](t, f.API(t, "GET", "/v1/summary?from="+from+"&to="+to, ""))
	fu := sum.Followups
	if fu.Opened != 4 || fu.Resolved != 4 || fu.Closed != 3 || ptr(fu.ClosureRate) != "0.75" {
		t.Errorf("opened %d resolved %d closed %d rate %s; want 4, 4, 3, 0.75", fu.Opened, fu.Resolved, fu.Closed, ptr(fu.ClosureRate))
	}
	// First contacts 10 min (under 15) and 3 h (2–4 h): the median, the
	// first of two, is read at the top of the first bucket, 15 min.
	if fu.Contacted != 2 || ptr(fu.MedianHoursToFirstContact) != "0.3" {
		t.Errorf("contacted %d median %s; want 2, 0.3", fu.Contacted, ptr(fu.MedianHoursToFirstContact))
	}
	// First closes 2 h (2–4 h), 30 h (16–32 h), 100 h (64–128 h): the
	// median falls half-way into 16–32 h.
	if ptr(fu.MedianHoursToClose) != "24" {
		t.Errorf("median hours to close %s, want 24", ptr(fu.MedianHoursToClose))
	}
	if fu.ClosedWithinSLA != 1 || ptr(fu.ClosedWithinSLAShare) != "0.333" {
		t.Errorf("closed within SLA %d share %s; want 1, 0.333", fu.ClosedWithinSLA, ptr(fu.ClosedWithinSLAShare))
	}
	// Reasons worst first: delivery 3 (b, a again, c), damaged 1.
	if len(sum.Reasons) != 2 || sum.Reasons[0].Reason != "delivery" || sum.Reasons[0].Cases != 3 || ptr(sum.Reasons[0].Share) != "0.75" ||
		sum.Reasons[1].Reason != "damaged" || sum.Reasons[1].Cases != 1 {
		t.Errorf("reasons %+v", sum.Reasons)
	}
	if sum.Outcomes.Resolved != 2 || sum.Outcomes.NotResolved != 1 || sum.Outcomes.Unreachable != 1 {
		t.Errorf("outcomes %+v", sum.Outcomes)
	}

	// The first day alone: a's first resolution and its contact.
	first := decode[loopBody](t, f.API(t, "GET", "/v1/summary?from="+from+"&to="+from, ""))
	if first.Followups.Closed != 1 || len(first.Reasons) != 1 || first.Reasons[0].Reason != "damaged" || first.Followups.Contacted != 2 {
		t.Errorf("first day %+v", first)
	}
}
