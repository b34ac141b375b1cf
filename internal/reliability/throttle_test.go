package reliability_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/sesmail"
)

// throttledSES is the stack's SES throttling while a test says so. The SES
// emulator never throttles, so the fault is injected here, as SES returns
// it (TooManyRequestsException); the sends let through reach the emulator.
type throttledSES struct {
	real sesmail.API
	mu   sync.Mutex
	// refuse decides, per call (counted from 1), whether SES throttles it.
	refuse func(call int) bool
	calls  int
}

func (s *throttledSES) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	s.mu.Lock()
	s.calls++
	throttled := s.refuse != nil && s.refuse(s.calls)
	s.mu.Unlock()
	if throttled {
		return nil, &sestypes.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}
	}
	return s.real.SendEmail(ctx, in, optFns...)
}

// Calls returns how many sends reached the fake.
func (s *throttledSES) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *throttledSES) script(refuse func(call int) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = refuse
}

// TestThrottledSESSendsEverySurveyOnceAfterwards: SES throttles every send
// of a first dispatch run, then every other send of the next runs, then
// none. Each throttled survey waits out its backoff and is sent later;
// in the end every survey is sent, exactly once (one email each), and
// counted once as sent.
func TestThrottledSESSendsEverySurveyOnceAfterwards(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	surveys := scale(24, 300)
	f := newFixture(t)
	emails := make([]string, surveys)
	for i := range emails {
		emails[i] = apptest.Email("throttled")
	}
	ids := postOrders(t, f, "throttled", emails)
	ses := &throttledSES{real: f.Product.FunctionClients("dispatch").SES}
	d := newDispatcher(t, f, ses)

	// A run takes at most a batch per shard: the throttled runs go on
	// until every survey has been tried, and waits out its backoff.
	ses.script(func(int) bool { return true })
	retried, runs := 0, 0
	for ; runs < 20; runs++ {
		rep, err := d.Run(ctx)
		if rep.Sent != 0 || rep.Failed != 0 || (rep.Retried > 0 && err == nil) {
			t.Fatalf("throttled run: %+v, %v; want nothing sent or failed, and the run's error", rep, err)
		}
		if retried += rep.Retried; rep.Due == 0 {
			break
		}
	}
	if retried != surveys {
		t.Fatalf("%d surveys retried while SES throttled, want %d", retried, surveys)
	}
	ses.script(func(call int) bool { return call%2 == 0 })
	sent, throttledRuns := 0, runs
	for runs = 1; runs < 40; runs++ {
		f.Clock.Advance(10 * time.Minute) // past any backoff so far
		if runs == 4 {
			ses.script(nil) // SES recovers
		}
		rep, _ := d.Run(ctx)
		sent += rep.Sent
		if rep.Failed != 0 {
			t.Fatalf("run %d: %+v; a throttled survey failed", runs+1, rep)
		}
		if runs > 4 && rep.Due == 0 {
			break
		}
	}
	if sent != surveys {
		t.Fatalf("%d surveys sent over %d runs, want %d", sent, runs, surveys)
	}
	by := f.Inbox.ByRecipient(t)
	for i, e := range emails {
		if n := len(by[strings.ToLower(e)]); n != 1 {
			t.Errorf("%d emails to customer %d, want 1", n, i)
		}
		s, err := f.Product.DB.Survey(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if s.Status != closeloop.StatusSent {
			t.Errorf("survey %d: %s, want sent", i, s.Status)
		}
	}
	if sum := today(t, f); sum.Sent != surveys {
		t.Errorf("summary counts %d sent, want %d", sum.Sent, surveys)
	}
	t.Logf("%d surveys, %d send calls over %d throttled runs and %d more", surveys, ses.Calls(), throttledRuns+1, runs)
}
