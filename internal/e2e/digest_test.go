//go:build unix

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/testenv"
)

// dueZone picks the whole-hour time zone where it is now between 14:00 and
// 15:00, and names its weekday there: a store set so has its digest due
// whenever the test runs, hours away from 08:00 and from midnight.
func dueZone(now time.Time) (zone, weekday string) {
	offset := 14 - now.UTC().Hour() // from -9 to +14: each an Etc/GMT zone
	switch {
	case offset > 0:
		zone = fmt.Sprintf("Etc/GMT-%d", offset) // POSIX signs: GMT-14 is UTC+14
	case offset < 0:
		zone = fmt.Sprintf("Etc/GMT+%d", -offset)
	default:
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	return zone, strings.ToLower(now.In(loc).Weekday().String())
}

// TestDigestFunction runs the weekly digest for a store whose local time is
// on its digest weekday in the afternoon, with an unhappy answer two days
// ago: each owner gets one digest with its own unsubscribe link, and a
// second run (the next hour's, or Lambda retrying) sends none.
func TestDigestFunction(t *testing.T) {
	t.Parallel()
	zone, weekday := dueZone(time.Now())
	owner, partner := uniqueEmail("owner"), uniqueEmail("partner")
	s := newShop(t, func(set *closeloop.Settings) {
		set.TimeZone, set.DigestWeekday = zone, weekday
		set.OwnerEmails = []string{owner, partner}
	})
	inbox := testenv.NewInbox(t)
	sv := s.answered(t, uniqueEmail("grace"), unhappy, time.Now().Add(-48*time.Hour))
	fn := startFunction(t, "digest", s.mailEnv(t))

	var rep digest.Report
	fn.invokeJSON(t, json.RawMessage(loadEvent(t, "digest-schedule.json")), &rep)
	if want := (digest.Report{Stores: 1, Due: 1, Sent: 2}); rep != want {
		t.Errorf("digest report %+v in %s on %s, want %+v", rep, zone, weekday, want)
	}
	t.Logf("digest cold start: %s", fn.coldStart(t))
	for _, addr := range []string{owner, partner} {
		got := inbox.To(t, addr)
		if len(got) != 1 {
			t.Fatalf("%d digests to %s, want 1", len(got), addr)
		}
		m := got[0]
		if want := "Your week at E2E Shop: CSAT 0, 1 answer"; m.Subject != want {
			t.Errorf("subject %q, want %q", m.Subject, want)
		}
		if !strings.Contains(m.Text, "> "+unhappy.Comment) || !strings.Contains(m.Text, "Order "+sv.OrderID+", 1/5") {
			t.Errorf("the digest lacks the unhappy comment or the overdue follow-up of order %s:\n%s", sv.OrderID, m.Text)
		}
		if link := m.Headers["List-Unsubscribe"]; !strings.HasPrefix(link, "<"+publicBaseURL+"/d/") || !strings.Contains(m.Text, strings.Trim(link, "<>")) {
			t.Errorf("List-Unsubscribe %q is not a digest unsubscribe link in the text part", link)
		}
		if !strings.Contains(m.Text, publicBaseURL+"/app") {
			t.Errorf("the digest lacks the dashboard link:\n%s", m.Text)
		}
	}

	rep = digest.Report{}
	fn.invokeJSON(t, json.RawMessage(loadEvent(t, "digest-schedule.json")), &rep)
	if want := (digest.Report{Stores: 1, Due: 1, Skipped: 2}); rep != want {
		t.Errorf("second run: digest report %+v, want %+v (sent before)", rep, want)
	}
	for _, addr := range []string{owner, partner} {
		if got := inbox.To(t, addr); len(got) != 1 {
			t.Errorf("%d digests to %s after the second run, want still 1", len(got), addr)
		}
	}
}
