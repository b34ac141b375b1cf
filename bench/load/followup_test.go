package load_test

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

// followupRuns is how many unhappy answers are timed, one after another;
// followupPoll is how long the local event sources wait when they find
// nothing: make dev's default (infra/devserver -poll-every).
const (
	followupRuns = 20
	followupPoll = time.Second
)

// BenchmarkFollowupLatency: an unhappy answer submitted → the support
// alert in the SES emulator's inbox, with the stream and the queues polled
// as make dev polls them (local.Product.RunEventSources), not settled.
func BenchmarkFollowupLatency(b *testing.B) {
	support := apptest.Email("support")
	f := apptest.New(b, func(s *closeloop.Settings) {
		s.SupportEmails = []string{support}
		s.ReplyTo = support
	})
	paths := make([]string, followupRuns)
	emails := make([]string, followupRuns)
	for i := range paths {
		emails[i] = apptest.Email(fmt.Sprintf("unhappy%d", i))
		if r := f.API(b, "POST", "/v1/orders", apptest.Order(fmt.Sprintf("o-fu-%d-%s", i, emails[i][:14]), emails[i])); r.Status != http.StatusAccepted {
			b.Fatalf("post order: %d %s", r.Status, r.Body)
		}
	}
	f.Dispatch(b)
	for i, email := range emails {
		paths[i] = f.SurveyPath(b, email)
	}
	f.Settle(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Product.RunEventSources(ctx, followupPoll) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	times := make([]time.Duration, followupRuns)
	for i, path := range paths {
		before := len(f.Inbox.To(b, support))
		start := time.Now()
		if r := f.Do(b, "POST", path, "", "application/x-www-form-urlencoded", "score=1&comment=Arrived+cracked"); r.Status != http.StatusOK {
			b.Fatalf("answer: %d %s", r.Status, r.Body)
		}
		for len(f.Inbox.To(b, support)) == before {
			if time.Since(start) > time.Minute {
				b.Fatalf("no support alert a minute after answer %d", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
		times[i] = time.Since(start)
	}
	p50 := percentile(times, 0.5)
	var md strings.Builder
	fmt.Fprintf(&md, "\n## Follow-up latency: an unhappy answer → the support alert in the inbox\n\n")
	fmt.Fprintf(&md, "%d answers of score 1, one after another, through the product's HTTP handler; the stream and the queues polled as make dev polls them (RunEventSources), waiting %v when idle; the SES emulator's inbox read every 20 ms.\n\n", followupRuns, followupPoll)
	fmt.Fprintf(&md, "| figure | value |\n|---|---:|\n")
	fmt.Fprintf(&md, "| median | %.0f ms |\n| p10 – p90 | %.0f – %.0f ms |\n| local poll interval (stream and queues, when idle) | %v |\n",
		ms(p50), ms(percentile(times, 0.1)), ms(percentile(times, 0.9)), followupPoll)
	writeResults(b, md.String(), map[string]any{
		"runs": followupRuns, "median_ms": ms(p50), "p10_ms": ms(percentile(times, 0.1)), "p90_ms": ms(percentile(times, 0.9)),
		"poll_interval_ms": followupPoll.Milliseconds(),
	}, "followup_latency")
}
