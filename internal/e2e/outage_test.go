//go:build unix

package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/testenv"
)

// TestMailingFunctionsRetryAfterAnSESOutage runs each function that sends
// through the once-only delivery record (mailing) first with SES
// unreachable, then again with SES back. The first run reports the failure
// and gives up the delivery it began (a DeleteItem its role must grant;
// DynamoDB Local never refuses one, the permissions test checks the
// grant), so the second sends at once, and exactly once, instead of
// waiting out the first run's lease.
func TestMailingFunctionsRetryAfterAnSESOutage(t *testing.T) {
	t.Parallel()
	t.Run("followup", func(t *testing.T) {
		t.Parallel()
		support := uniqueEmail("support")
		s := newShop(t, func(set *closeloop.Settings) { set.SupportEmails = []string{support} })
		inbox := testenv.NewInbox(t)
		email := uniqueEmail("grace")
		sv := s.answered(t, email, unhappy, time.Now())
		ev := sqsEvent(t, "followup-queue.json", sampleCaseID, sv.Response.CaseID)

		var resp events.SQSEventResponse
		startFunction(t, "followup", sesDown(t, s.mailEnv(t))).invokeJSON(t, ev, &resp)
		if got, want := failedMessages(resp), []string{ev.Records[0].MessageId}; !slices.Equal(got, want) {
			t.Fatalf("SES down: batchItemFailures %q, want the task %q back on the queue", got, want)
		}
		resp = events.SQSEventResponse{}
		startFunction(t, "followup", s.mailEnv(t)).invokeJSON(t, ev, &resp)
		if got := failedMessages(resp); len(got) > 0 {
			t.Fatalf("SES back: batchItemFailures %q, want none", got)
		}
		for _, addr := range []string{support, email} {
			if got := inbox.To(t, addr); len(got) != 1 {
				t.Errorf("%d emails to %s after the retry, want 1", len(got), addr)
			}
		}
	})
	t.Run("relay", func(t *testing.T) {
		t.Parallel()
		s := newShop(t)
		q := newQueues(t)
		inbox := testenv.NewInbox(t)
		env := s.mailEnv(t)
		for k, v := range q.env(t, map[string]string{"FOLLOWUP_QUEUE_URL": "FollowupQueue", "WEBHOOK_QUEUE_URL": "WebhookQueue"}) {
			env[k] = v
		}
		email := uniqueEmail("ada")
		event := json.RawMessage(loadEvent(t, "relay-stream.json", sampleEmail, email))

		var resp events.DynamoDBEventResponse
		startFunction(t, "relay", sesDown(t, env)).invokeJSON(t, event, &resp)
		if len(failedRecords(resp)) == 0 {
			t.Fatal("SES down: no batchItemFailures, want the happy answer's record back for its thank-you")
		}
		resp = events.DynamoDBEventResponse{}
		startFunction(t, "relay", env).invokeJSON(t, event, &resp)
		if got := failedRecords(resp); len(got) > 0 {
			t.Fatalf("SES back: batchItemFailures %q, want none", got)
		}
		if got := inbox.To(t, email); len(got) != 1 {
			t.Errorf("%d emails to %s after the retry, want the one thank-you", len(got), email)
		}
	})
	t.Run("sla", func(t *testing.T) {
		t.Parallel()
		support := uniqueEmail("support")
		s := newShop(t, func(set *closeloop.Settings) {
			set.SupportEmails = []string{support}
			set.SLAHours = 1
		})
		inbox := testenv.NewInbox(t)
		s.answered(t, uniqueEmail("grace"), unhappy, time.Now().Add(-48*time.Hour))
		tick := loadEvent(t, "sla-schedule.json")

		var rep followup.SLAReport
		startFunction(t, "sla", sesDown(t, s.mailEnv(t))).invokeJSON(t, json.RawMessage(tick), &rep)
		if rep.Failed != 1 || rep.Alerted != 0 {
			t.Fatalf("SES down: SLA report %+v, want the one overdue case failed", rep)
		}
		rep = followup.SLAReport{}
		startFunction(t, "sla", s.mailEnv(t)).invokeJSON(t, json.RawMessage(tick), &rep)
		if want := (followup.SLAReport{Due: 1, Alerted: 1}); rep != want {
			t.Errorf("SES back: SLA report %+v, want %+v", rep, want)
		}
		if got := inbox.To(t, support); len(got) != 1 {
			t.Errorf("%d emails to support after the retry, want the one overdue alert", len(got))
		}
	})
	t.Run("digest", func(t *testing.T) {
		t.Parallel()
		zone, weekday := dueZone(time.Now())
		owner := uniqueEmail("owner")
		s := newShop(t, func(set *closeloop.Settings) {
			set.TimeZone, set.DigestWeekday = zone, weekday
			set.OwnerEmails = []string{owner}
		})
		inbox := testenv.NewInbox(t)
		tick := loadEvent(t, "digest-schedule.json")

		var rep digest.Report
		startFunction(t, "digest", sesDown(t, s.mailEnv(t))).invokeJSON(t, json.RawMessage(tick), &rep)
		if rep.Failed != 1 || rep.Sent != 0 {
			t.Fatalf("SES down: digest report %+v in %s on %s, want the one digest failed", rep, zone, weekday)
		}
		rep = digest.Report{}
		startFunction(t, "digest", s.mailEnv(t)).invokeJSON(t, json.RawMessage(tick), &rep)
		if want := (digest.Report{Stores: 1, Due: 1, Sent: 1}); rep != want {
			t.Errorf("SES back: digest report %+v, want %+v", rep, want)
		}
		if got := inbox.To(t, owner); len(got) != 1 {
			t.Errorf("%d digests to %s after the retry, want 1", len(got), owner)
		}
	})
}

// sesDown returns env with SES pointed at a loopback port nothing listens
// on, and the SDK trying each call once, so that a send fails at once.
func sesDown(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	down := make(map[string]string, len(env)+2)
	for k, v := range env {
		down[k] = v
	}
	down["AWS_ENDPOINT_URL_SESV2"] = fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t))
	down["AWS_MAX_ATTEMPTS"] = "1"
	return down
}
