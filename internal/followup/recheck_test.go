package followup_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/testenv"
)

const form = "application/x-www-form-urlencoded"

var recheckLink = regexp.MustCompile(`https://feedback\.test(/r/[A-Za-z0-9_.-]+)\?answer=(yes|no)`)

// recheckBody is a case as the API shows it, with its recovery check.
type recheckBody struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Assignee string `json:"assignee"`
	DueBy    string `json:"due_by"`
	Recheck  *struct {
		SentAt     *string `json:"sent_at"`
		AnsweredAt *string `json:"answered_at"`
		Recovered  *bool   `json:"recovered"`
		NewScore   *int    `json:"new_score"`
		Skipped    string  `json:"skipped"`
	} `json:"recheck"`
}

// recheckShop is a shop whose resolved cases are rechecked after hours.
func recheckShop(t *testing.T, hours int, opts ...apptest.Option) shop {
	return newShop(t, append([]apptest.Option{func(s *closeloop.Settings) {
		s.RecheckAfterHours = hours
		s.ContactBudgetDays = 0
	}}, opts...)...)
}

// resolvedCase answers a new customer's survey unhappily with score and
// resolves the case it opened; it returns the customer and the case ID.
func (s shop) resolvedCase(t *testing.T, name string, score int) (string, string) {
	t.Helper()
	email := s.answered(t, name, "score="+string(rune('0'+score))+"&comment=broken")
	s.Settle(t)
	id := s.caseOf(t, email).ID
	if r := s.API(t, "POST", "/v1/followups/"+id+"/resolve", `{"resolution":"Sent a new one.","outcome":"resolved","reason":"damaged"}`); r.Status != http.StatusOK {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}
	s.Settle(t)
	return email, id
}

// runSLA runs the SLA function once and returns its recovery check report.
func (s shop) runSLA(t *testing.T) followup.RecheckReport {
	t.Helper()
	rep, err := s.Product.SLA.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep.Rechecks
}

// rechecks are the recovery check emails sent to addr.
func (s shop) rechecks(t *testing.T, addr string) []testenv.Email {
	t.Helper()
	var out []testenv.Email
	for _, m := range s.Inbox.To(t, addr) {
		if recheckLink.MatchString(m.Text) {
			out = append(out, m)
		}
	}
	return out
}

// recheckPath is the page path of the one recovery check sent to addr.
func (s shop) recheckPath(t *testing.T, addr string) string {
	t.Helper()
	mails := s.rechecks(t, addr)
	if len(mails) != 1 {
		t.Fatalf("%d recovery check emails to %s, want 1", len(mails), addr)
	}
	return recheckLink.FindStringSubmatch(mails[0].Text)[1]
}

func (s shop) recheckCase(t *testing.T, id string) recheckBody {
	t.Helper()
	return decode[recheckBody](t, s.API(t, "GET", "/v1/followups/"+id, ""))
}

type recoveryBody struct {
	Followups struct {
		Open *int `json:"open"`
	} `json:"followups"`
	Recovery struct {
		Rechecked       int      `json:"rechecked"`
		Answered        int      `json:"answered"`
		Recovered       int      `json:"recovered"`
		RecoveryRate    *float64 `json:"recovery_rate"`
		MeanScoreChange *float64 `json:"mean_score_change"`
	} `json:"recovery"`
}

func (s shop) recovery(t *testing.T) recoveryBody {
	t.Helper()
	r := s.API(t, "GET", "/v1/summary", "")
	if r.Status != http.StatusOK {
		t.Fatalf("summary: %d %s", r.Status, r.Body)
	}
	return decode[recoveryBody](t, r)
}

// TestRecheckIsSentOnceWhenDue: the recovery check goes out
// recheck_after_hours after the resolution, once: not before, not again
// on the next run, and not after the case is reopened and resolved again.
func TestRecheckIsSentOnceWhenDue(t *testing.T) {
	s := recheckShop(t, 2)
	email, id := s.resolvedCase(t, "recheck-once", 1)
	if rep := s.runSLA(t); rep.Due != 0 || rep.Sent != 0 {
		t.Fatalf("before its time: %+v, want nothing due", rep)
	}
	s.Clock.Advance(2*time.Hour + time.Minute)
	s.Counter.Reset()
	if rep := s.runSLA(t); rep != (followup.RecheckReport{Due: 1, Sent: 1}) {
		t.Fatalf("when due: %+v, want one sent", rep)
	}
	// The run's own share (4 SLA#, 4 ALERT# and 4 RECHECK# queries, the
	// SLA check's time) and the check's: the store, the claim, the
	// delivery's begin (the recipient's profile, then the put) and end,
	// the mark with its counter.
	counts := s.Counter.Counts()
	t.Logf("DynamoDB requests of an SLA run sending one recovery check: %d %v", s.Counter.Total(), counts)
	if counts["Query"] != 12 || counts["GetItem"] != 2 || counts["UpdateItem"] != 2 || counts["TransactWriteItems"] != 1 || counts["PutItem"] != 2 || s.Counter.Total() != 19 {
		t.Fatalf("DynamoDB requests of an SLA run sending one recovery check: %v", counts)
	}
	if rep := s.runSLA(t); rep != (followup.RecheckReport{}) {
		t.Fatalf("second run: %+v, want nothing", rep)
	}
	mails := s.rechecks(t, email)
	if len(mails) != 1 {
		t.Fatalf("%d recovery check emails, want 1", len(mails))
	}
	m := mails[0]
	if m.Subject != "Was your issue with order o-recheck-once-"+email[:6]+" put right?" ||
		!strings.Contains(m.Text, "?answer=yes") || !strings.Contains(m.Text, "?answer=no") || !strings.Contains(m.HTML, "?answer=yes") {
		t.Fatalf("recovery check email %q:\n%s", m.Subject, m.Text)
	}
	if c := s.recheckCase(t, id); c.Recheck == nil || c.Recheck.SentAt == nil || c.Recheck.AnsweredAt != nil || c.Status != "resolved" {
		t.Fatalf("case after the check %+v", c)
	}
	if got := s.recovery(t).Recovery; got.Rechecked != 1 || got.RecoveryRate == nil || *got.RecoveryRate != 0 {
		t.Fatalf("recovery after the send %+v, want 1 rechecked, rate 0", got)
	}
	// Reopened by support and resolved again: once per case.
	if r := s.API(t, "POST", "/v1/followups/"+id+"/reopen", ""); r.Status != http.StatusOK {
		t.Fatalf("reopen: %d %s", r.Status, r.Body)
	}
	if r := s.API(t, "POST", "/v1/followups/"+id+"/resolve", `{"resolution":"Again.","outcome":"resolved","reason":"damaged"}`); r.Status != http.StatusOK {
		t.Fatalf("resolve again: %d %s", r.Status, r.Body)
	}
	s.Clock.Advance(3 * time.Hour)
	if rep := s.runSLA(t); rep != (followup.RecheckReport{}) {
		t.Fatalf("after a second resolution: %+v, want nothing", rep)
	}
	if n := len(s.rechecks(t, email)); n != 1 {
		t.Fatalf("%d recovery check emails after a second resolution, want 1", n)
	}
}

// TestRecheckFollowsTheLastResolution: a case reopened and resolved again
// before its check went out is checked once, after the last resolution.
func TestRecheckFollowsTheLastResolution(t *testing.T) {
	s := recheckShop(t, 2)
	email, id := s.resolvedCase(t, "recheck-last", 1)
	s.Clock.Advance(time.Hour)
	s.API(t, "POST", "/v1/followups/"+id+"/reopen", "")
	s.Clock.Advance(30 * time.Minute)
	s.API(t, "POST", "/v1/followups/"+id+"/resolve", `{"resolution":"Again.","outcome":"resolved","reason":"damaged"}`)
	s.Clock.Advance(time.Hour + 45*time.Minute) // 2h after the first resolution, not the second
	if rep := s.runSLA(t); rep.Sent != 0 {
		t.Fatalf("2h after the first resolution: %+v, want nothing sent", rep)
	}
	s.Clock.Advance(time.Hour)
	if rep := s.runSLA(t); rep.Sent != 1 {
		t.Fatalf("2h after the last resolution: %+v, want one sent", rep)
	}
	if n := len(s.rechecks(t, email)); n != 1 {
		t.Fatalf("%d recovery check emails, want 1", n)
	}
}

// TestRecheckSkipsSuppressedAndOff: no check to a suppressed address (and
// the case records why); none when the store's check is off, whether it
// was off when the case opened or turned off before the check was due.
func TestRecheckSkipsSuppressedAndOff(t *testing.T) {
	ctx := context.Background()
	t.Run("suppressed", func(t *testing.T) {
		s := recheckShop(t, 0)
		email, id := s.resolvedCase(t, "recheck-suppressed", 1)
		if err := s.Product.DB.Suppress(ctx, s.StoreID, email, "unsubscribed", s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if rep := s.runSLA(t); rep != (followup.RecheckReport{Due: 1, Skipped: 1}) {
			t.Fatalf("suppressed: %+v, want one skipped", rep)
		}
		if n := len(s.rechecks(t, email)); n != 0 {
			t.Fatalf("%d recovery check emails to a suppressed address", n)
		}
		if c := s.recheckCase(t, id); c.Recheck == nil || c.Recheck.Skipped != closeloop.RecheckSuppressed || c.Recheck.SentAt != nil {
			t.Fatalf("case %+v, want the check skipped as suppressed", c)
		}
		if got := s.recovery(t).Recovery; got.Rechecked != 0 || got.RecoveryRate != nil {
			t.Fatalf("recovery %+v, want nothing counted", got)
		}
		if rep := s.runSLA(t); rep != (followup.RecheckReport{}) {
			t.Fatalf("next run: %+v, want nothing", rep)
		}
	})
	t.Run("off", func(t *testing.T) {
		s := recheckShop(t, 0, func(set *closeloop.Settings) { set.Recheck = false })
		email, _ := s.resolvedCase(t, "recheck-off", 1)
		if rep := s.runSLA(t); rep != (followup.RecheckReport{}) {
			t.Fatalf("recheck off: %+v, want nothing due", rep)
		}
		if n := len(s.rechecks(t, email)); n != 0 {
			t.Fatalf("%d recovery check emails with the check off", n)
		}
	})
	t.Run("turned off", func(t *testing.T) {
		s := recheckShop(t, 1)
		email, id := s.resolvedCase(t, "recheck-turned-off", 1)
		store, err := s.Product.DB.Store(ctx, s.StoreID)
		if err != nil {
			t.Fatal(err)
		}
		set := store.Settings
		set.Recheck = false
		if err := s.Product.DB.UpdateSettings(ctx, store, set); err != nil {
			t.Fatal(err)
		}
		s.Clock.Advance(time.Hour + time.Minute)
		if rep := s.runSLA(t); rep != (followup.RecheckReport{Due: 1, Skipped: 1}) {
			t.Fatalf("turned off: %+v, want one skipped", rep)
		}
		if n := len(s.rechecks(t, email)); n != 0 {
			t.Fatalf("%d recovery check emails after the check was turned off", n)
		}
		if c := s.recheckCase(t, id); c.Recheck == nil || c.Recheck.Skipped != closeloop.RecheckOff {
			t.Fatalf("case %+v, want the check skipped as off", c)
		}
	})
}

// TestRecheckLinkGetWritesNothing: opening the email's links (as a mail
// scanner does) shows the form with the choice selected and only reads.
func TestRecheckLinkGetWritesNothing(t *testing.T) {
	s := recheckShop(t, 0)
	email, id := s.resolvedCase(t, "recheck-scanner", 1)
	s.runSLA(t)
	path := s.recheckPath(t, email)
	s.Counter.Reset()
	for _, answer := range []string{"yes", "no"} {
		r := s.Do(t, "GET", path+"?answer="+answer, "", "", "")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `value="`+answer+`" required checked`) {
			t.Fatalf("GET ?answer=%s: %d, want the form with %s selected:\n%s", answer, r.Status, answer, r.Body)
		}
	}
	for op, n := range s.Counter.Counts() {
		if op != "GetItem" || n != 2 {
			t.Fatalf("two link GETs made %d %s requests, want 2 GetItem only", n, op)
		}
	}
	if c := s.recheckCase(t, id); c.Status != "resolved" || c.Recheck.AnsweredAt != nil {
		t.Fatalf("case after GETs %+v, want unanswered and resolved", c)
	}
	for name, p := range map[string]string{
		"unknown":      "/r/nothing-here",
		"wrong secret": "/r/" + id + "." + strings.Repeat("A", 43),
	} {
		if r := s.Do(t, "GET", p, "", "", ""); r.Status != http.StatusNotFound {
			t.Errorf("%s link: %d, want the neutral 404 page", name, r.Status)
		}
	}
}

// TestRecheckYesCountsRecoveredOnce: "yes" with a new score records the
// answer on the case, which stays resolved, and counts it; a second answer
// changes nothing and shows the thank-you. One answer is two DynamoDB
// requests: the read of the case and one transaction.
func TestRecheckYesCountsRecoveredOnce(t *testing.T) {
	s := recheckShop(t, 0)
	email, id := s.resolvedCase(t, "recheck-yes", 1)
	s.runSLA(t)
	path := s.recheckPath(t, email)
	s.Counter.Reset()
	r := s.Do(t, "POST", path, "", form, "answer=yes&score=4")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "We are glad the issue was put right.") {
		t.Fatalf("answer yes: %d\n%s", r.Status, r.Body)
	}
	counts := s.Counter.Counts()
	if s.Counter.Total() != 2 || counts["GetItem"] != 1 || counts["TransactWriteItems"] != 1 {
		t.Fatalf("DynamoDB requests per recovery check answer %v, want 1 GetItem and 1 TransactWriteItems", counts)
	}
	t.Logf("DynamoDB requests per recovery check answer: %d %v", s.Counter.Total(), counts)
	c := s.recheckCase(t, id)
	if c.Status != "resolved" || c.Recheck.AnsweredAt == nil || c.Recheck.Recovered == nil || !*c.Recheck.Recovered ||
		c.Recheck.NewScore == nil || *c.Recheck.NewScore != 4 {
		t.Fatalf("case after yes %+v", c)
	}
	again := s.Do(t, "POST", path, "", form, "answer=no&score=1")
	if again.Status != http.StatusOK || !strings.Contains(again.Body, "Your answer was received earlier") ||
		!strings.Contains(again.Body, "We are glad") {
		t.Fatalf("second answer: %d, want the first answer's thank-you\n%s", again.Status, again.Body)
	}
	if got := s.recheckCase(t, id); got.Status != "resolved" || !*got.Recheck.Recovered || *got.Recheck.NewScore != 4 {
		t.Fatalf("case after a second answer %+v, want the first", got)
	}
	got := s.recovery(t).Recovery
	if got.Rechecked != 1 || got.Answered != 1 || got.Recovered != 1 || *got.RecoveryRate != 1 || *got.MeanScoreChange != 3 {
		t.Fatalf("recovery %+v, want 1 of 1 recovered, score +3", got)
	}
	if r := s.Do(t, "GET", path, "", "", ""); r.Status != http.StatusOK || !strings.Contains(r.Body, "Your answer was received earlier") {
		t.Fatalf("GET after the answer: %d\n%s", r.Status, r.Body)
	}
}

// TestRecheckNoReopensWithANewSLA: "no" reopens the case, unassigned, due
// one SLA period from the answer, back among the open cases; support is
// alerted again when that period runs out.
func TestRecheckNoReopensWithANewSLA(t *testing.T) {
	s := recheckShop(t, 0, func(set *closeloop.Settings) { set.SLAHours = 4 })
	email, id := s.resolvedCase(t, "recheck-no", 2)
	s.API(t, "POST", "/v1/followups/"+id+"/claim", `{"assignee":"ole@shop.test"}`)
	s.runSLA(t)
	if open := s.recovery(t).Followups.Open; open == nil || *open != 0 {
		t.Fatalf("open before the answer %v, want 0", open)
	}
	s.Clock.Advance(time.Hour)
	answeredAt := s.Clock.Now()
	r := s.Do(t, "POST", s.recheckPath(t, email), "", form, "answer=no")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Your request is open again") {
		t.Fatalf("answer no: %d\n%s", r.Status, r.Body)
	}
	c := s.recheckCase(t, id)
	due, _ := time.Parse(time.RFC3339, c.DueBy)
	if c.Status != "open" || c.Assignee != "" || !due.Equal(answeredAt.Add(4*time.Hour)) || *c.Recheck.Recovered || c.Recheck.NewScore != nil {
		t.Fatalf("case after no %+v, want open, unassigned, due %s", c, answeredAt.Add(4*time.Hour))
	}
	sum := s.recovery(t)
	if *sum.Followups.Open != 1 || sum.Recovery.Answered != 1 || sum.Recovery.Recovered != 0 || *sum.Recovery.RecoveryRate != 0 || sum.Recovery.MeanScoreChange != nil {
		t.Fatalf("summary after no %+v", sum)
	}
	s.Settle(t)
	alerts := len(s.Inbox.To(t, s.support))
	s.Clock.Advance(4*time.Hour + time.Minute)
	rep, err := s.Product.SLA.Run(context.Background())
	if err != nil || rep.Alerted != 1 {
		t.Fatalf("SLA run after the new period: %+v, %v; want one re-alert", rep, err)
	}
	if n := len(s.Inbox.To(t, s.support)); n != alerts+1 {
		t.Fatalf("%d alerts, want %d", n, alerts+1)
	}
}

// TestRecoverySummaryOnKnownData: three checks sent, one answered "yes"
// from 1 to 4, one "no" from 2 to 2, one unanswered: recovery rate 1/3,
// mean score change (3 + 0) / 2.
func TestRecoverySummaryOnKnownData(t *testing.T) {
	s := recheckShop(t, 0)
	yes, _ := s.resolvedCase(t, "known-yes", 1)
	no, _ := s.resolvedCase(t, "known-no", 2)
	silent, _ := s.resolvedCase(t, "known-silent", 1)
	if rep := s.runSLA(t); rep.Sent != 3 {
		t.Fatalf("%+v, want 3 sent", rep)
	}
	s.recheckPath(t, silent)
	for addr, body := range map[string]string{yes: "answer=yes&score=4", no: "answer=no&score=2"} {
		if r := s.Do(t, "POST", s.recheckPath(t, addr), "", form, body); r.Status != http.StatusOK {
			t.Fatalf("answer %s: %d", body, r.Status)
		}
	}
	got := s.recovery(t).Recovery
	if got.Rechecked != 3 || got.Answered != 2 || got.Recovered != 1 || *got.RecoveryRate != 0.333 || *got.MeanScoreChange != 1.5 {
		t.Fatalf("recovery %+v, want 3 rechecked, 2 answered, 1 recovered, rate 0.333, change 1.5", got)
	}
}

// TestRecheckInvalidAnswerChangesNothing: a post without a choice, or
// with a score out of range, shows the form with the problem and writes
// nothing.
func TestRecheckInvalidAnswerChangesNothing(t *testing.T) {
	s := recheckShop(t, 0)
	email, id := s.resolvedCase(t, "recheck-invalid", 1)
	s.runSLA(t)
	path := s.recheckPath(t, email)
	for _, body := range []string{"", "answer=maybe", "answer=yes&score=9", "score=3"} {
		s.Counter.Reset()
		r := s.Do(t, "POST", path, "", form, body)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Please") {
			t.Fatalf("post %q: %d, want 400 with the problem\n%s", body, r.Status, r.Body)
		}
		for op := range s.Counter.Counts() {
			if op != "GetItem" {
				t.Fatalf("post %q made a %s request", body, op)
			}
		}
	}
	if c := s.recheckCase(t, id); c.Recheck.AnsweredAt != nil || c.Status != "resolved" {
		t.Fatalf("case after invalid posts %+v", c)
	}
}

// TestRecheckEmailInTheCustomersLanguage: a Russian customer gets the
// check and its page in Russian.
func TestRecheckEmailInTheCustomersLanguage(t *testing.T) {
	s := recheckShop(t, 0)
	email := apptest.Email("ru-recheck")
	order := `{"order_id":"o-ru-1","customer":{"email":"` + email + `","name":"Анна","locale":"ru-RU"},` +
		`"items":[{"sku":"MUG-1","name":"Кружка"}],"purchased_at":"` + time.Now().UTC().Add(-time.Hour).Format(time.RFC3339) + `"}`
	if r := s.API(t, "POST", "/v1/orders", order); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	s.Dispatch(t)
	if r := s.Do(t, "POST", s.SurveyPath(t, email), "", form, "score=1&comment=сломан"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d", r.Status)
	}
	s.Settle(t)
	id := s.caseOf(t, email).ID
	s.API(t, "POST", "/v1/followups/"+id+"/resolve", `{"resolution":"Заменили.","outcome":"resolved","reason":"damaged"}`)
	s.runSLA(t)
	mails := s.rechecks(t, email)
	if len(mails) != 1 {
		t.Fatalf("%d recovery check emails, want 1", len(mails))
	}
	m := mails[0]
	if m.Subject != "Удалось ли решить проблему с заказом o-ru-1?" || !strings.Contains(m.Text, "Да, всё исправлено") ||
		!strings.Contains(m.Text, "Анна") || !strings.Contains(m.HTML, `lang="ru"`) {
		t.Fatalf("Russian recovery check %q:\n%s", m.Subject, m.Text)
	}
	page := s.Do(t, "GET", recheckLink.FindStringSubmatch(m.Text)[1]+"?answer=no", "", "", "")
	if !strings.Contains(page.Body, "Нет, всё ещё не так") || !strings.Contains(page.Body, `lang="ru"`) {
		t.Fatalf("Russian recovery check page:\n%s", page.Body)
	}
}

// TestConcurrentRecheckAnswersCountOnce: answers posted at once (a double
// click, a "no" in another tab) record and count one of them, and reopen
// the case at most once.
func TestConcurrentRecheckAnswersCountOnce(t *testing.T) {
	s := recheckShop(t, 0)
	email, id := s.resolvedCase(t, "recheck-race", 1)
	s.runSLA(t)
	path := s.recheckPath(t, email)
	bodies := []string{"answer=no&score=2", "answer=no", "answer=yes&score=5", "answer=no&score=1", "answer=yes"}
	done := make(chan int, len(bodies))
	for _, body := range bodies {
		go func() { done <- s.Do(t, "POST", path, "", form, body).Status }()
	}
	for range bodies {
		if status := <-done; status != http.StatusOK {
			t.Errorf("concurrent answer: %d, want the thank-you", status)
		}
	}
	sum := s.recovery(t)
	if sum.Recovery.Answered != 1 || sum.Recovery.Rechecked != 1 {
		t.Fatalf("recovery after concurrent answers %+v, want one answer", sum.Recovery)
	}
	c := s.recheckCase(t, id)
	wantOpen := 0
	if !*c.Recheck.Recovered {
		wantOpen = 1
	}
	if (c.Status == "open") != (wantOpen == 1) || *sum.Followups.Open != wantOpen || sum.Recovery.Recovered != 1-wantOpen {
		t.Fatalf("case %s recovered %v, open count %d, recovered %d: the answer and its counts disagree", c.Status, *c.Recheck.Recovered, *sum.Followups.Open, sum.Recovery.Recovered)
	}
}

// TestRecheckRunStopsNearItsDeadline: a run whose deadline is near takes
// no check; they stay due for the next run.
func TestRecheckRunStopsNearItsDeadline(t *testing.T) {
	s := recheckShop(t, 0)
	email, _ := s.resolvedCase(t, "recheck-deadline", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rep, err := s.Product.SLA.Run(ctx)
	if err != nil || rep.Rechecks != (followup.RecheckReport{Due: 1, Deferred: 1}) {
		t.Fatalf("run near its deadline: %+v, %v; want the check deferred", rep.Rechecks, err)
	}
	if rep := s.runSLA(t); rep != (followup.RecheckReport{Due: 1, Sent: 1}) {
		t.Fatalf("next run: %+v, want it sent", rep)
	}
	s.recheckPath(t, email)
}
