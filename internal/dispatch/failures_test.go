package dispatch_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/sesmail"
	"github.com/closeloop/closeloop/internal/testenv"
)

// scriptedSES is SES with faults injected. The SES emulator accepts every
// send: it cannot pause an account, refuse a sender or a recipient, or
// throttle, so each test scripts here the error SES would return (as the
// SDK decodes it); the sends it lets through reach the emulator.
type scriptedSES struct {
	real  sesmail.API
	mu    sync.Mutex
	fail  func(in *sesv2.SendEmailInput) error
	calls int
}

func newScriptedSES(t *testing.T, fail func(in *sesv2.SendEmailInput) error) *scriptedSES {
	return &scriptedSES{real: testenv.SES(t), fail: fail}
}

// script replaces the faults to inject; nil lets every send through.
func (s *scriptedSES) script(fail func(in *sesv2.SendEmailInput) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = fail
}

// Calls returns how many sends reached the fake, and resets the count.
func (s *scriptedSES) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.calls
	s.calls = 0
	return n
}

func (s *scriptedSES) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	s.mu.Lock()
	fail := s.fail
	s.calls++
	s.mu.Unlock()
	if fail != nil {
		if err := fail(in); err != nil {
			return nil, err
		}
	}
	return s.real.SendEmail(ctx, in, optFns...)
}

func always(err error) func(*sesv2.SendEmailInput) error {
	return func(*sesv2.SendEmailInput) error { return err }
}

func newDispatcher(t *testing.T, f *apptest.Fixture, mailer closeloop.Mailer, cfg dispatch.Config) *dispatch.Dispatcher {
	t.Helper()
	renderer, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg.PublicBaseURL, cfg.DefaultSender = "https://feedback.test", "feedback@shop.test"
	return dispatch.New(f.Product.DB, f.Product.DB, mailer, renderer, cfg, f.Clock.Now)
}

// postOrder posts one order to the store of key and returns its survey's ID.
func postOrder(t *testing.T, f *apptest.Fixture, key, orderID, email string) string {
	t.Helper()
	r := f.Do(t, "POST", "/v1/orders", key, "application/json", apptest.Order(orderID, email))
	if r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	var body struct {
		Surveys []struct {
			SurveyID string `json:"survey_id"`
		} `json:"surveys"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || len(body.Surveys) != 1 {
		t.Fatalf("post order: %s, %v", r.Body, err)
	}
	return body.Surveys[0].SurveyID
}

func surveyOf(t *testing.T, f *apptest.Fixture, id string) closeloop.Survey {
	t.Helper()
	s, err := f.Product.DB.Survey(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dueAt returns the IDs of the surveys due at at.
func dueAt(t *testing.T, f *apptest.Fixture, at time.Time) map[string]bool {
	t.Helper()
	due, err := f.Product.DB.DueSurveys(context.Background(), at, 100)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, d := range due {
		ids[d.Survey.SurveyID] = true
	}
	return ids
}

func TestAccountRefusalStopsTheRun(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want closeloop.SendProblem
	}{
		{"sending paused", &sestypes.SendingPausedException{Message: aws.String("Sending is paused for this account.")}, closeloop.ProblemSendingPaused},
		{"account suspended", &sestypes.AccountSuspendedException{Message: aws.String("Your account is suspended.")}, closeloop.ProblemAccountSuspended},
		{"daily quota", &sestypes.LimitExceededException{Message: aws.String("Daily message quota exceeded.")}, closeloop.ProblemDailyQuota},
		{"configuration set gone", &sestypes.NotFoundException{Message: aws.String("Configuration set does not exist.")}, closeloop.ProblemMailConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := apptest.New(t)
			ids := []string{postOrder(t, f, f.APIKey, "a-1", apptest.Email("a")), postOrder(t, f, f.APIKey, "a-2", apptest.Email("a")), postOrder(t, f, f.APIKey, "a-3", apptest.Email("a"))}
			ses := newScriptedSES(t, always(tt.err))
			d := newDispatcher(t, f, sesmail.New(ses, ""), dispatch.Config{})
			rep, err := d.Run(context.Background())
			if err == nil {
				t.Fatal("the run reported no error: the invocation must fail, for its alarm")
			}
			if want := (dispatch.Report{Due: 3, Deferred: 2, AccountRefused: tt.want}); rep != want {
				t.Fatalf("report %+v, want %+v", rep, want)
			}
			if n := ses.Calls(); n != 1 {
				t.Errorf("%d sends tried, want 1: the run stops at the first refusal", n)
			}
			// Every survey is still due now, none charged an attempt.
			due := dueAt(t, f, f.Clock.Now())
			for _, id := range ids {
				if s := surveyOf(t, f, id); !due[id] || s.Attempts != 0 || s.Status == closeloop.StatusFailed {
					t.Errorf("survey %s: due %v, status %s, attempts %d; want due, not failed, no attempt counted", id, due[id], s.Status, s.Attempts)
				}
			}
			// The next run tries again and, SES back, sends them all.
			ses.script(nil)
			if rep, err := d.Run(context.Background()); err != nil || rep.Sent != 3 {
				t.Fatalf("run after the account is back: %+v, %v", rep, err)
			}
		})
	}
}

// notVerified is SES's refusal of an unverified sender.
func notVerified(sender string) func(*sesv2.SendEmailInput) error {
	return func(in *sesv2.SendEmailInput) error {
		if strings.Contains(aws.ToString(in.FromEmailAddress), sender) {
			return &sestypes.MessageRejected{Message: aws.String("Email address is not verified. The following identities failed the check in region EU-WEST-1: " + sender)}
		}
		return nil
	}
}

func TestMisconfiguredSenderPausesOnlyItsStore(t *testing.T) {
	ctx := context.Background()
	f := apptest.New(t)
	const sender = "unverified@shop.test"
	broken := f.NewStore(t, func(s *closeloop.Settings) { s.SenderEmail = sender })
	brokenKey, err := f.Product.DB.KeyByHash(ctx, secret.Hash(broken))
	if err != nil {
		t.Fatal(err)
	}
	brokenStore := brokenKey.StoreID
	var good, bad []string
	for i := range 2 {
		good = append(good, apptest.Email("good"))
		postOrder(t, f, f.APIKey, "g-"+string(rune('a'+i)), good[i])
	}
	var badIDs []string
	for i := range 3 {
		bad = append(bad, apptest.Email("bad"))
		badIDs = append(badIDs, postOrder(t, f, broken, "b-"+string(rune('a'+i)), bad[i]))
	}
	ses := newScriptedSES(t, notVerified(sender))
	d := newDispatcher(t, f, sesmail.New(ses, ""), dispatch.Config{})

	rep, err := d.Run(ctx)
	if err != nil || rep.Sent != 2 || rep.Failed != 0 || rep.StoresPaused != 1 || rep.Held != 2 {
		t.Fatalf("run: %+v, %v; want the good store's 2 sent, the other paused with 2 held", rep, err)
	}
	for _, email := range good {
		if n := len(f.Inbox.To(t, email)); n != 1 {
			t.Errorf("%d emails to the good store's customer, want 1", n)
		}
	}
	_, pause, err := f.Product.DB.SendingStore(ctx, brokenStore)
	if err != nil || pause == nil || pause.Reason != closeloop.ProblemSenderNotVerified {
		t.Fatalf("the store's pause: %+v, %v; want sender_not_verified", pause, err)
	}
	// No survey failed: all stay due, held until the hourly probe.
	checkHeld := func(until time.Time) {
		t.Helper()
		before, at := dueAt(t, f, until.Add(-time.Second)), dueAt(t, f, until)
		for _, id := range badIDs {
			s := surveyOf(t, f, id)
			if s.Status == closeloop.StatusFailed || s.Attempts != 0 || before[id] || !at[id] {
				t.Errorf("survey %s: status %s, attempts %d, due before %v, due at %v; want held until %v, unfailed, no attempt counted",
					id, s.Status, s.Attempts, before[id], at[id], until)
			}
		}
	}
	start := f.Clock.Now()
	checkHeld(start.Add(time.Hour))

	// Half an hour on, nothing is tried for the paused store.
	ses.Calls()
	f.Clock.Advance(30 * time.Minute)
	if rep, err := d.Run(ctx); err != nil || rep.Due != 0 || ses.Calls() != 0 {
		t.Fatalf("run after 30 minutes: %+v, %v; want nothing due", rep, err)
	}
	// An hour on, one probe send, still refused: held another hour.
	f.Clock.Advance(30 * time.Minute)
	rep, err = d.Run(ctx)
	if err != nil || rep.Sent != 0 || rep.Held != 2 || rep.StoresPaused != 1 || ses.Calls() != 1 {
		t.Fatalf("probe run: %+v, %v; want one probe refused and 2 held", rep, err)
	}
	checkHeld(start.Add(2 * time.Hour))

	// The sender fixed, the next probe goes out and resumes the store.
	ses.script(nil)
	f.Clock.Advance(time.Hour)
	rep, err = d.Run(ctx)
	if err != nil || rep.Sent != 3 || rep.StoresResumed != 1 || rep.StoresPaused != 0 {
		t.Fatalf("run with the sender fixed: %+v, %v; want the probe and the rest sent", rep, err)
	}
	for _, email := range bad {
		if n := len(f.Inbox.To(t, email)); n != 1 {
			t.Errorf("%d emails to the paused store's customer, want 1", n)
		}
	}
	if _, pause, _ := f.Product.DB.SendingStore(ctx, brokenStore); pause != nil {
		t.Fatalf("still paused: %+v", pause)
	}

	// Paused again; resumed by the operator (storectl resume calls
	// ResumeSending): the held survey goes out at its due time without
	// a probe.
	ses.script(notVerified(sender))
	late := apptest.Email("late")
	postOrder(t, f, broken, "b-late", late)
	if rep, err := d.Run(ctx); err != nil || rep.StoresPaused != 1 {
		t.Fatalf("run with the sender broken again: %+v, %v", rep, err)
	}
	ses.script(nil)
	if pause, err := f.Product.DB.ResumeSending(ctx, brokenStore); err != nil || pause == nil {
		t.Fatalf("resume: %+v, %v", pause, err)
	}
	f.Clock.Advance(time.Hour)
	if rep, err := d.Run(ctx); err != nil || rep.Sent != 1 || rep.StoresResumed != 0 || rep.StoresPaused != 0 {
		t.Fatalf("run after resume: %+v, %v; want the held survey sent", rep, err)
	}
	if n := len(f.Inbox.To(t, late)); n != 1 {
		t.Fatalf("%d emails after resume, want 1", n)
	}
}

func TestMessageRefusalFailsOnlyThatSurvey(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"bad recipient", &sestypes.BadRequestException{Message: aws.String("Missing final '@domain'")}, closeloop.ReasonBadRecipient},
		{"rejected", &sestypes.MessageRejected{Message: aws.String("Message contains a virus.")}, closeloop.ReasonRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := apptest.New(t)
			badEmail, goodEmail := apptest.Email("bad"), apptest.Email("good")
			badID := postOrder(t, f, f.APIKey, "o-bad", badEmail)
			postOrder(t, f, f.APIKey, "o-good", goodEmail)
			ses := newScriptedSES(t, func(in *sesv2.SendEmailInput) error {
				if in.Destination.ToAddresses[0] == badEmail {
					return tt.err
				}
				return nil
			})
			rep, err := newDispatcher(t, f, sesmail.New(ses, ""), dispatch.Config{}).Run(context.Background())
			if err != nil || rep.Sent != 1 || rep.Failed != 1 || rep.GaveUp != 0 {
				t.Fatalf("run: %+v, %v; want one sent, one failed", rep, err)
			}
			if n := len(f.Inbox.To(t, goodEmail)); n != 1 {
				t.Fatalf("%d emails to the good address, want 1", n)
			}
			// The API shows the code, never SES's words.
			r := f.API(t, "GET", "/v1/surveys/"+badID, "")
			var got struct {
				Status        string `json:"status"`
				FailureReason string `json:"failure_reason"`
			}
			if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.Status != http.StatusOK {
				t.Fatalf("GET survey: %d %s", r.Status, r.Body)
			}
			if got.Status != "failed" || got.FailureReason != tt.want {
				t.Errorf("survey %+v, want failed with %q", got, tt.want)
			}
			for _, leak := range []string{"domain", "virus", "BadRequest", "MessageRejected"} {
				if strings.Contains(r.Body, leak) {
					t.Errorf("GET survey shows %q: %s", leak, r.Body)
				}
			}
			if due := dueAt(t, f, f.Clock.Now().Add(30*24*time.Hour)); due[badID] {
				t.Error("the failed survey is still due")
			}
		})
	}
}

func TestThrottlingBacksOffThenGivesUp(t *testing.T) {
	ctx := context.Background()
	f := apptest.New(t)
	id := postOrder(t, f, f.APIKey, "o-1", apptest.Email("c"))
	ses := newScriptedSES(t, always(&sestypes.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}))
	d := newDispatcher(t, f, sesmail.New(ses, ""), dispatch.Config{MaxAttempts: 4})
	for attempt, backoff := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		rep, err := d.Run(ctx)
		if err == nil || rep.Retried != 1 {
			t.Fatalf("attempt %d: %+v, %v; want one retry and the run's error (nothing sent)", attempt+1, rep, err)
		}
		now := f.Clock.Now()
		if dueAt(t, f, now.Add(backoff-time.Second))[id] || !dueAt(t, f, now.Add(backoff))[id] {
			t.Fatalf("attempt %d: not due again after exactly %v", attempt+1, backoff)
		}
		f.Clock.Advance(backoff)
	}
	rep, err := d.Run(ctx)
	if rep.Failed != 1 || rep.GaveUp != 1 || rep.Retried != 0 {
		t.Fatalf("fourth attempt: %+v, %v; want it given up", rep, err)
	}
	if s := surveyOf(t, f, id); s.Status != closeloop.StatusFailed || s.FailureReason != closeloop.ReasonGaveUp {
		t.Fatalf("survey %s / %q, want failed / gave_up", s.Status, s.FailureReason)
	}
	if ses.Calls() != 4 {
		t.Fatal("not 4 sends tried")
	}
}

func TestSurveysAreGivenUpWhenTheyClose(t *testing.T) {
	ctx := context.Background()
	f := apptest.New(t)
	tried := postOrder(t, f, f.APIKey, "o-tried", apptest.Email("c"))
	ses := newScriptedSES(t, always(&sestypes.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}))
	d := newDispatcher(t, f, sesmail.New(ses, ""), dispatch.Config{})
	if rep, _ := d.Run(ctx); rep.Retried != 1 {
		t.Fatalf("first run: %+v, want one retry", rep)
	}
	// One never tried at all (say its store was paused the whole time).
	untried := postOrder(t, f, f.APIKey, "o-untried", apptest.Email("c2"))
	f.Clock.Advance(15 * 24 * time.Hour) // past the 14 days' expiry
	ses.script(nil)
	ses.Calls()
	rep, err := d.Run(ctx)
	if err != nil || rep.Failed != 2 || rep.GaveUp != 2 || ses.Calls() != 0 {
		t.Fatalf("run after closing: %+v, %v; want both given up, nothing sent", rep, err)
	}
	for _, id := range []string{tried, untried} {
		if s := surveyOf(t, f, id); s.Status != closeloop.StatusFailed || s.FailureReason != closeloop.ReasonGaveUp {
			t.Errorf("survey %s: %s / %q, want failed / gave_up", id, s.Status, s.FailureReason)
		}
	}
}

// tokenHashes counts the link-token hashes stored on a survey's item.
func tokenHashes(t *testing.T, f *apptest.Fixture, id string) (survey, unsubscribe int) {
	t.Helper()
	out, err := f.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(f.Table),
		Key: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "SURVEY#" + id},
			"sk": &ddbtypes.AttributeValueMemberS{Value: "#SURVEY"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(name string) int {
		if ss, ok := out.Item[name].(*ddbtypes.AttributeValueMemberSS); ok {
			return len(ss.Value)
		}
		return 0
	}
	return count("token_hashes"), count("unsubscribe_hashes")
}

func TestRetriesDoNotGrowTheSurvey(t *testing.T) {
	ctx := context.Background()
	f := apptest.New(t)
	email := apptest.Email("c")
	id := postOrder(t, f, f.APIKey, "o-1", email)
	ses := newScriptedSES(t, always(&sestypes.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}))
	d := newDispatcher(t, f, sesmail.New(ses, ""), dispatch.Config{MaxAttempts: 25})
	for attempt := 1; attempt <= 20; attempt++ {
		if rep, _ := d.Run(ctx); rep.Retried != 1 {
			t.Fatalf("attempt %d: %+v, want a retry", attempt, rep)
		}
		f.Clock.Advance(closeloop.RetryBackoff(attempt))
	}
	if s, u := tokenHashes(t, f, id); s != 0 || u != 0 {
		t.Fatalf("after 20 failed attempts the survey holds %d link and %d unsubscribe hashes, want none", s, u)
	}
	if s := surveyOf(t, f, id); s.Attempts != 20 {
		t.Fatalf("attempts %d, want 20", s.Attempts)
	}
	ses.script(nil)
	if rep, err := d.Run(ctx); err != nil || rep.Sent != 1 {
		t.Fatalf("run with SES back: %+v, %v", rep, err)
	}
	if s, u := tokenHashes(t, f, id); s != 1 || u != 1 {
		t.Fatalf("after the send: %d link and %d unsubscribe hashes, want the sent email's one each", s, u)
	}
	if r := f.Do(t, "GET", f.SurveyPath(t, email), "", "", ""); r.Status != http.StatusOK {
		t.Fatalf("the sent link: %d", r.Status)
	}
}

func TestOverlappingRunsTakeTurnsAtTheLock(t *testing.T) {
	ctx := context.Background()
	f := apptest.New(t, func(s *closeloop.Settings) { s.MaxSendPerSecond = 100 })
	emails := postOrders(t, f, 12)
	mailer := &recordingMailer{Mailer: sesmail.New(testenv.SES(t), "")}
	const accountRate = 5
	first := newDispatcher(t, f, mailer, dispatch.Config{AccountRate: accountRate})
	second := newDispatcher(t, f, mailer, dispatch.Config{AccountRate: accountRate})

	done := make(chan dispatch.Report)
	go func() {
		rep, err := first.Run(ctx)
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	for deadline := time.Now().Add(10 * time.Second); mailer.count() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first run sent nothing in 10 s")
		}
	}
	start := time.Now()
	rep2, err := second.Run(ctx)
	if err != nil || rep2 != (dispatch.Report{Locked: true}) || time.Since(start) > time.Second {
		t.Fatalf("overlapping run: %+v, %v after %v; want it to return at once, locked out", rep2, err, time.Since(start))
	}
	if rep1 := <-done; rep1.Sent != len(emails) {
		t.Fatalf("first run: %+v, want all %d sent", rep1, len(emails))
	}
	for _, email := range emails {
		if n := len(f.Inbox.To(t, email)); n != 1 {
			t.Errorf("%d emails to %s, want 1", n, email)
		}
	}
	// The account rate holds in every one-second window. The times are
	// read just after the pacer lets each send go, a few microseconds
	// apart: 2 ms of slack.
	times := mailer.sendTimes()
	for i := range times {
		n := 0
		for j := i; j < len(times) && times[j].Sub(times[i]) < time.Second-2*time.Millisecond; j++ {
			n++
		}
		if n > accountRate {
			t.Fatalf("%d sends in the second from send %d, want at most %d", n, i, accountRate)
		}
	}
	// A lock whose run crashed holds until its lease runs out.
	now := f.Clock.Now()
	if taken, err := f.Product.DB.TakeRunLock(ctx, "crashed-run", now, now.Add(time.Minute)); err != nil || !taken {
		t.Fatalf("take the lock: %v, %v", taken, err)
	}
	if rep, err := first.Run(ctx); err != nil || !rep.Locked {
		t.Fatalf("run under a crashed run's lock: %+v, %v; want locked out", rep, err)
	}
	f.Clock.Advance(2 * time.Minute)
	if rep, err := first.Run(ctx); err != nil || rep.Locked {
		t.Fatalf("run after the crashed run's lease: %+v, %v; want it to run", rep, err)
	}
}

func TestSlowStoreDoesNotHoldUpOthers(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.MaxSendPerSecond = 10 })
	slow := f.NewStore(t, func(s *closeloop.Settings) { s.MaxSendPerSecond = 0.2 })
	slowEmails := []string{apptest.Email("slow"), apptest.Email("slow")}
	for i, email := range slowEmails {
		postOrder(t, f, slow, "s-"+string(rune('a'+i)), email)
	}
	fastEmails := postOrders(t, f, 10)
	mailer := &recordingMailer{Mailer: sesmail.New(testenv.SES(t), "")}
	start := time.Now()
	rep, err := newDispatcher(t, f, mailer, dispatch.Config{}).Run(context.Background())
	if err != nil || rep.Sent != 12 {
		t.Fatalf("run: %+v, %v", rep, err)
	}
	at := mailer.sendTimesTo()
	var lastFast time.Time
	for _, email := range fastEmails {
		lastFast = later(lastFast, at[email])
	}
	// Ten at 10/s take 0.9 s (a little more under the account's 14/s).
	if d := lastFast.Sub(start); d > 2*time.Second {
		t.Errorf("the 10/s store's last send came %v after the start: the slow store held it up", d)
	}
	if gap := at[slowEmails[1]].Sub(at[slowEmails[0]]).Abs(); gap < 5*time.Second-2*time.Millisecond {
		t.Errorf("the 0.2/s store's sends came %v apart, want 5 s", gap)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestRunMetricsEMF(t *testing.T) {
	rep := dispatch.Report{Due: 12, Sent: 3, Reminded: 1, Failed: 2, GaveUp: 1, Retried: 4, Suppressed: 1, Deferred: 5, Held: 6, StoresPaused: 1, AccountRefused: closeloop.ProblemSendingPaused}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	line := rep.EMF("prod", at)
	if n := strings.Count(string(line), "\n"); n != 1 || !strings.HasSuffix(string(line), "\n") {
		t.Fatalf("EMF is %d lines, want one line: %s", n, line)
	}
	var got struct {
		AWS struct {
			Timestamp         int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace  string     `json:"Namespace"`
				Dimensions [][]string `json:"Dimensions"`
				Metrics    []struct{ Name, Unit string }
			} `json:"CloudWatchMetrics"`
		} `json:"_aws"`
		Stage  string          `json:"stage"`
		Report dispatch.Report `json:"report"`
	}
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatalf("EMF line %s: %v", line, err)
	}
	var values map[string]any
	if err := json.Unmarshal(line, &values); err != nil {
		t.Fatal(err)
	}
	if got.AWS.Timestamp != at.UnixMilli() || got.Stage != "prod" || got.Report != rep || len(got.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("EMF line %s", line)
	}
	directive := got.AWS.CloudWatchMetrics[0]
	if directive.Namespace != "closeloop" || len(directive.Dimensions) != 1 || len(directive.Dimensions[0]) != 1 || directive.Dimensions[0][0] != "stage" {
		t.Errorf("namespace %q, dimensions %q; want closeloop by [[stage]]", directive.Namespace, directive.Dimensions)
	}
	want := map[string]float64{"Sent": 3, "Reminded": 1, "Failed": 2, "Retried": 4, "Suppressed": 1, "Deferred": 5, "Held": 6, "StoresPaused": 1, "AccountRefused": 1}
	declared := map[string]bool{}
	for _, m := range directive.Metrics {
		declared[m.Name] = true
		if m.Unit != "Count" {
			t.Errorf("metric %s unit %q, want Count", m.Name, m.Unit)
		}
	}
	for name, v := range want {
		if !declared[name] || values[name] != v {
			t.Errorf("metric %s: declared %v, value %v; want %v", name, declared[name], values[name], v)
		}
	}
	if len(declared) != len(want) {
		t.Errorf("metrics declared %v, want %v", declared, want)
	}
}
