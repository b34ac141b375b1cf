package digest_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/digest"
)

// TestDigestSaysWhenMoreFollowupsAreOverdueThanItLists opens eleven cases
// last week, all overdue by Monday: the digest lists the ten oldest and
// says more are overdue. Knowing that there are more takes the list's
// next-page cursor, signed with the store's key, so the digest function
// reads the store item (a GetItem its role must grant).
func TestDigestSaysWhenMoreFollowupsAreOverdueThanItLists(t *testing.T) {
	owner := apptest.Email("owner")
	berlin := load(t, "Europe/Berlin")
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.TimeZone, s.OwnerEmails = "Europe/Berlin", []string{owner}
	})
	monday := thisWeek(f, berlin, time.Monday, 9, 30)

	setClock(f, monday.AddDate(0, 0, -5).Add(3*time.Hour))
	var orders []order
	for i := range 11 {
		orders = append(orders, order{fmt.Sprintf("o-%02d", i), "score=1&comment=" + url.QueryEscape("Broken."), item("MUG", "Mug")})
	}
	seed(t, f, orders...)

	setClock(f, monday)
	if got, want := run(t, f), (digest.Report{Stores: 1, Due: 1, Sent: 1}); got != want {
		t.Fatalf("report %+v, want %+v", got, want)
	}
	mails := f.Inbox.To(t, owner)
	if len(mails) != 1 {
		t.Fatalf("%d digests to %s, want 1", len(mails), owner)
	}
	overdue := section(mails[0].Text, "Follow-ups overdue now")
	n := 0
	for line := range strings.Lines(overdue) {
		if strings.HasPrefix(line, "- ") {
			n++
		}
	}
	if n != 10 {
		t.Errorf("%d overdue follow-ups listed, want the 10 oldest:\n%s", n, overdue)
	}
	if !strings.Contains(overdue, "o-00") || strings.Contains(overdue, "o-10") {
		t.Errorf("the list is not the 10 oldest (o-00 to o-09):\n%s", overdue)
	}
	if want := "More follow-ups are overdue: the dashboard lists them all."; !strings.Contains(mails[0].Text, want) {
		t.Errorf("the digest does not say %q:\n%s", want, mails[0].Text)
	}
}
