package dispatch_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/sesmail"
	"github.com/closeloop/closeloop/internal/testenv"
)

func postOrders(t *testing.T, f *apptest.Fixture, n int) []string {
	t.Helper()
	emails := make([]string, n)
	for i := range emails {
		emails[i] = apptest.Email(fmt.Sprintf("c%d", i))
		if r := f.API(t, "POST", "/v1/orders", apptest.Order(fmt.Sprintf("ord-%d", i), emails[i])); r.Status != http.StatusAccepted {
			t.Fatalf("post order: %d %s", r.Status, r.Body)
		}
	}
	return emails
}

func TestSurveyEmailContent(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.Branding.PostalAddress = "1 Main St, Springfield"
		s.Branding.PrivacyURL = "https://shop.test/privacy"
	})
	email := postOrders(t, f, 1)[0]
	f.Dispatch(t)
	got := f.Inbox.To(t, email)
	if len(got) != 1 {
		t.Fatalf("%d emails, want 1", len(got))
	}
	m := got[0]
	if m.Subject != "How was your order from Test Shop?" || !strings.Contains(m.From, "feedback@shop.test") {
		t.Errorf("subject %q from %q", m.Subject, m.From)
	}
	if len(m.ReplyTo) != 1 || m.ReplyTo[0] != "support@shop.test" {
		t.Errorf("reply-to %v, want support@shop.test", m.ReplyTo)
	}
	for _, part := range []struct{ name, body string }{{"text", m.Text}, {"html", m.HTML}} {
		for score := 1; score <= 5; score++ {
			if !strings.Contains(part.body, fmt.Sprintf("?score=%d", score)) {
				t.Errorf("%s part lacks the score %d link", part.name, score)
			}
		}
		for _, want := range []string{"Test Shop", "50 points", "75 points", "1 Main St, Springfield", "https://shop.test/privacy"} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q", part.name, want)
			}
		}
	}
}

func TestOverlappingRunsSendEachSurveyOnce(t *testing.T) {
	f := apptest.New(t)
	emails := postOrders(t, f, 12)
	renderer, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	// Three dispatchers over the same table, as overlapping invocations.
	mailer := sesmail.New(testenv.SES(t), "")
	var wg sync.WaitGroup
	reports := make([]dispatch.Report, 3)
	for i := range reports {
		d := dispatch.New(f.Product.DB, f.Product.DB, mailer, renderer, dispatch.Config{PublicBaseURL: "https://feedback.test", DefaultSender: "feedback@shop.test"}, f.Clock.Now)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := d.Run(context.Background())
			if err != nil {
				t.Error(err)
			}
			reports[i] = rep
		}()
	}
	wg.Wait()
	sent := 0
	for _, rep := range reports {
		sent += rep.Sent
	}
	if sent != len(emails) {
		t.Fatalf("runs sent %d in all (%+v), want %d", sent, reports, len(emails))
	}
	for _, email := range emails {
		if n := len(f.Inbox.To(t, email)); n != 1 {
			t.Errorf("%d emails to %s, want 1", n, email)
		}
	}
	// A later run finds nothing left to send.
	rep, err := f.Product.Dispatcher.Run(context.Background())
	if err != nil || rep.Due != 0 {
		t.Fatalf("later run: %+v, %v; want nothing due", rep, err)
	}
}

func TestCrashedSendIsResentAfterTheLease(t *testing.T) {
	f := apptest.New(t)
	email := postOrders(t, f, 1)[0]
	due, err := f.Product.DB.DueSurveys(context.Background(), f.Clock.Now(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due surveys %v, %v", due, err)
	}
	// A dispatcher claims the survey and dies before marking it sent.
	firstToken, firstHash := secret.NewToken(due[0].Survey.SurveyID)
	_, unsubscribeHash := secret.NewToken(due[0].Survey.SurveyID)
	_, result, err := f.Product.DB.Claim(context.Background(), due[0], f.Clock.Now().Add(2*time.Minute), firstHash, unsubscribeHash)
	if result != closeloop.Claimed || err != nil {
		t.Fatalf("claim: %v %v", result, err)
	}
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 0 {
		t.Fatalf("sent %d while the lease was held, want 0", n)
	}
	f.Clock.Advance(3 * time.Minute)
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("sent %d after the lease ran out, want 1", n)
	}
	f.Dispatch(t)
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("sent %d after a further run, want still 1", n)
	}
	// Both links work: the one the crashed send may have delivered, and the new one.
	for _, path := range []string{"/s/" + firstToken, f.SurveyPath(t, email)} {
		if r := f.Do(t, "GET", path, "", "", ""); r.Status != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.Status)
		}
	}
}

func TestUnansweredSurveyExpires(t *testing.T) {
	f := apptest.New(t)
	email := postOrders(t, f, 1)[0]
	f.Dispatch(t)
	path := f.SurveyPath(t, email)
	f.Clock.Advance(13 * 24 * time.Hour)
	if rep, _ := f.Product.Dispatcher.Run(context.Background()); rep.Expired != 0 {
		t.Fatalf("expired after 13 days: %+v", rep)
	}
	f.Clock.Advance(2 * 24 * time.Hour)
	rep, err := f.Product.Dispatcher.Run(context.Background())
	if err != nil || rep.Expired != 1 {
		t.Fatalf("run after 15 days: %+v, %v; want one expired", rep, err)
	}
	if r := f.Do(t, "GET", path, "", "", ""); r.Status != http.StatusNotFound {
		t.Fatalf("expired link: %d, want the closed page", r.Status)
	}
	if r := f.Do(t, "POST", path, "", "application/x-www-form-urlencoded", "score=5"); r.Status != http.StatusNotFound {
		t.Fatalf("answer to an expired survey: %d, want the closed page", r.Status)
	}
}

// recordingMailer sends through the real SES emulator and records when,
// and to whom.
type recordingMailer struct {
	closeloop.Mailer
	mu    sync.Mutex
	times []time.Time
	to    []string
}

func (m *recordingMailer) Send(ctx context.Context, msg closeloop.Message) (string, error) {
	m.mu.Lock()
	m.times = append(m.times, time.Now())
	m.to = append(m.to, msg.To)
	m.mu.Unlock()
	return m.Mailer.Send(ctx, msg)
}

func (m *recordingMailer) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.times)
}

// sendTimes returns when each send started, in order.
func (m *recordingMailer) sendTimes() []time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]time.Time(nil), m.times...)
}

// sendTimesTo returns when the (last) send to each recipient started.
func (m *recordingMailer) sendTimesTo() map[string]time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	at := map[string]time.Time{}
	for i, to := range m.to {
		at[to] = m.times[i]
	}
	return at
}

func TestSendsArePacedAtTheStoreRate(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.MaxSendPerSecond = 10 })
	postOrders(t, f, 6)
	renderer, _ := render.New()
	mailer := &recordingMailer{Mailer: sesmail.New(testenv.SES(t), "")}
	d := dispatch.New(f.Product.DB, f.Product.DB, mailer, renderer, dispatch.Config{PublicBaseURL: "https://feedback.test", DefaultSender: "x@shop.test"}, f.Clock.Now)
	if rep, err := d.Run(context.Background()); err != nil || rep.Sent != 6 {
		t.Fatalf("run: %+v, %v", rep, err)
	}
	for i := 1; i < len(mailer.times); i++ {
		// 10 per second is one per 100 ms; a little slack for the clock reads.
		if gap := mailer.times[i].Sub(mailer.times[i-1]); gap < 98*time.Millisecond {
			t.Errorf("send %d came %v after the one before, want at least 100ms", i, gap)
		}
	}
}

func TestRunStopsNearItsDeadline(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.MaxSendPerSecond = 2 })
	postOrders(t, f, 5)
	renderer, _ := render.New()
	d := dispatch.New(f.Product.DB, f.Product.DB, sesmail.New(testenv.SES(t), ""), renderer,
		dispatch.Config{PublicBaseURL: "https://feedback.test", DefaultSender: "x@shop.test", Reserve: 100 * time.Millisecond}, f.Clock.Now)
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	rep, err := d.Run(ctx)
	if err != nil || rep.Sent+rep.Deferred != 5 || rep.Sent == 0 || rep.Deferred == 0 {
		t.Fatalf("run: %+v, %v; want some sent and the rest deferred", rep, err)
	}
	// The deferred ones go out in the next run, none twice.
	if rep2, err := d.Run(context.Background()); err != nil || rep2.Sent != rep.Deferred {
		t.Fatalf("next run: %+v, %v; want %d sent", rep2, err, rep.Deferred)
	}
}

func TestEmailLanguage(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.DefaultLocale = "ru"; s.ContactBudgetDays = 0 })
	tests := []struct{ locale, subject, points string }{
		{"", "Как вам заказ в Test Shop?", "50 баллов"},
		{"pt-BR", "Как вам заказ в Test Shop?", "50 баллов"}, // not spoken: the store's
		{"de-DE", "Wie war Ihre Bestellung bei Test Shop?", "50 Punkte"},
		{"sr-RS", "Kako vam se dopala porudžbina iz prodavnice Test Shop?", "50 bodova"},
		{"sr-Cyrl-RS", "Како вам се допала поруџбина из продавнице Test Shop?", "50 бодова"},
		{"en-US", "How was your order from Test Shop?", "50 points"},
		{"ru-RU", "Как вам заказ в Test Shop?", "50 баллов"},
	}
	emails := make([]string, len(tests))
	for i, tt := range tests {
		emails[i] = apptest.Email("lang")
		body := `{"order_id":"l-` + fmt.Sprint(i) + `","customer":{"email":"` + emails[i] + `","locale":"` + tt.locale + `"},"purchased_at":"` + f.Clock.Now().Format(time.RFC3339) + `"}`
		if r := f.API(t, "POST", "/v1/orders", body); r.Status != http.StatusAccepted {
			t.Fatalf("post order: %d %s", r.Status, r.Body)
		}
	}
	f.Dispatch(t)
	for i, tt := range tests {
		got := f.Inbox.To(t, emails[i])
		if len(got) != 1 {
			t.Fatalf("locale %q: %d emails, want 1", tt.locale, len(got))
		}
		if got[0].Subject != tt.subject || !strings.Contains(got[0].Text, tt.points) {
			t.Errorf("locale %q: subject %q; want %q mentioning %q", tt.locale, got[0].Subject, tt.subject, tt.points)
		}
	}
}

func TestOneReminderForUnansweredSurveys(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.ReminderAfterHours = 72; s.ContactBudgetDays = 0 })
	emails := postOrders(t, f, 2)
	quiet, answering := emails[0], emails[1]
	f.Dispatch(t)
	if r := f.Do(t, "POST", f.SurveyPath(t, answering), "", "application/x-www-form-urlencoded", "score=4"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d", r.Status)
	}
	f.Clock.Advance(71 * time.Hour)
	if rep, _ := f.Product.Dispatcher.Run(context.Background()); rep.Reminded != 0 {
		t.Fatalf("reminders after 71 hours: %+v, want none yet", rep)
	}
	f.Clock.Advance(2 * time.Hour)
	rep, err := f.Product.Dispatcher.Run(context.Background())
	if err != nil || rep.Reminded != 1 || rep.Sent != 0 {
		t.Fatalf("run after 73 hours: %+v, %v; want one reminder", rep, err)
	}
	got := f.Inbox.To(t, quiet)
	if len(got) != 2 || got[1].Subject != "A quick reminder: how was your order from Test Shop?" || !strings.Contains(got[1].Text, "?score=5") {
		t.Fatalf("emails to the quiet customer: %d, last subject %q", len(got), got[len(got)-1].Subject)
	}
	if n := len(f.Inbox.To(t, answering)); n != 1 {
		t.Fatalf("%d emails to the customer who answered, want 1 (no reminder)", n)
	}
	// Only one reminder, however many runs follow.
	f.Clock.Advance(5 * 24 * time.Hour)
	if rep, _ := f.Product.Dispatcher.Run(context.Background()); rep.Reminded != 0 {
		t.Fatalf("a later run reminded again: %+v", rep)
	}
	// Both emails' links open the survey, and the reminder's answer counts once.
	m := regexp.MustCompile(`https://feedback\.test(/s/[A-Za-z0-9_.-]+)\?score=1`)
	first, second := m.FindStringSubmatch(got[0].Text)[1], m.FindStringSubmatch(got[1].Text)[1]
	if first == second {
		t.Fatal("the reminder reuses the first email's token")
	}
	for _, path := range []string{second, first} {
		if r := f.Do(t, "POST", path, "", "application/x-www-form-urlencoded", "score=3"); r.Status != http.StatusOK || !strings.Contains(r.Body, "You earned 50 points!") {
			t.Fatalf("answer through %s: %d", path, r.Status)
		}
	}
}

func TestNoReminderWhenTheStoreSendsNone(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.ReminderAfterHours = 0 })
	email := postOrders(t, f, 1)[0]
	f.Dispatch(t)
	f.Clock.Advance(10 * 24 * time.Hour)
	if rep, _ := f.Product.Dispatcher.Run(context.Background()); rep.Reminded != 0 || rep.Due != 0 {
		t.Fatalf("run after 10 days: %+v, want nothing due", rep)
	}
	if n := len(f.Inbox.To(t, email)); n != 1 {
		t.Fatalf("%d emails, want 1", n)
	}
}
