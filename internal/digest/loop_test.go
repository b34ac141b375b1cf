package digest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

func TestDigestReportsTheLoop(t *testing.T) {
	owner := apptest.Email("owner")
	berlin := load(t, "Europe/Berlin")
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.TimeZone = "Europe/Berlin"
		s.OwnerEmails = []string{owner}
	}) // SLA 24 hours
	monday := thisWeek(f, berlin, time.Monday, 9, 30)
	caseOf := func(email string) string {
		t.Helper()
		list := f.API(t, "GET", "/v1/followups", "")
		for _, item := range strings.Split(list.Body, `{"id":"`)[1:] {
			if strings.Contains(item, email) {
				id, _, _ := strings.Cut(item, `"`)
				return id
			}
		}
		t.Fatalf("no case of %s in %s", email, list.Body)
		return ""
	}
	move := func(id, path, body string) {
		t.Helper()
		if r := f.API(t, "POST", "/v1/followups/"+id+path, body); r.Status >= 300 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
	}

	// The week before: one case, closed after about 2 hours uncontacted.
	setClock(f, monday.AddDate(0, 0, -12).Add(3*time.Hour))
	before := seed(t, f, order{"b-1", "score=1", item("MUG", "Mug")})
	f.Clock.Advance(2 * time.Hour)
	move(caseOf(before["b-1"]), "/resolve", `{"resolution":"Refunded.","outcome":"resolved","reason":"damaged"}`)

	// Last week: two cases; one claimed after about 90 minutes and closed
	// after about 30 hours (past the SLA), the other left open.
	setClock(f, monday.AddDate(0, 0, -5).Add(3*time.Hour))
	last := seed(t, f, order{"l-1", "score=1", item("MUG", "Mug")}, order{"l-2", "score=2", item("MUG", "Mug")})
	l1 := caseOf(last["l-1"])
	f.Clock.Advance(90 * time.Minute)
	move(l1, "/claim", `{"assignee":"sam@shop.test"}`)
	f.Clock.Advance(28*time.Hour + 30*time.Minute)
	move(l1, "/resolve", `{"resolution":"Sent a new one.","outcome":"resolved","reason":"delivery"}`)

	setClock(f, monday)
	run(t, f)
	mails := f.Inbox.To(t, owner)
	if len(mails) != 1 {
		t.Fatalf("%d digests, want 1", len(mails))
	}
	// Medians read off their buckets: 60–120 min gives 1.5 h, 2–4 h gives
	// 3 h, 16–32 h gives 24 h.
	want := strings.Join([]string{
		"Cases opened: 2 (▲ 1)",
		"Cases closed: 1 (unchanged)",
		"Closure rate: 50% (▼ 50 points)",
		"Median time to first contact: 1.5 h (no data the week before)",
		"Median time to close: 24 h (▲ 21 h)",
		"Closed within the SLA: 0% (▼ 100 points)",
	}, "\n")
	if got := section(mails[0].Text, "Follow-ups"); got != want {
		t.Errorf("follow-ups:\n%s\nwant:\n%s", got, want)
	}
	if html := mails[0].HTML; !strings.Contains(html, "Median time to close") || !strings.Contains(html, "#b3261e;\">▲ 21 h") {
		t.Errorf("the HTML part lacks the slower close in red:\n%s", html)
	}
}
