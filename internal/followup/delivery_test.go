package followup_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/testenv"
	"github.com/closeloop/closeloop/internal/webhook"
)

func sqsSend(queue, body string) *sqs.SendMessageInput {
	return &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(body)}
}

func TestRedeliveredStreamRecordsSendNothingTwice(t *testing.T) {
	s := newShop(t)
	unhappy := s.answered(t, "again-unhappy", "score=1")
	happy := s.answered(t, "again-happy", "score=5")
	s.Settle(t)
	// Every record of the stream reaches the relay a second time, and the
	// queues' messages it queues again reach the worker.
	if err := s.Product.RedeliverStream(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Settle(t)
	for _, tt := range []struct {
		to   string
		want int
	}{{unhappy, 2}, {happy, 2}, {s.support, 1}} {
		if n := len(s.Inbox.To(t, tt.to)); n != tt.want {
			t.Errorf("%d emails to %s after a redelivery, want %d", n, tt.to, tt.want)
		}
	}
}

func TestPoisonedMessageLandsInTheDLQWhileItsBatchMatesSucceed(t *testing.T) {
	s := newShop(t)
	email := s.answered(t, "poison", "score=1")
	// The relay's own message is taken first: the case is alerted once.
	s.Settle(t)
	c := s.caseOf(t, email)
	client := testenv.SQS(t)
	ctx := context.Background()
	queue := s.Product.Queues["FollowupQueue"]
	for _, body := range []string{`{"type":"opened"`, `{"type":"resolved","store_id":"` + s.StoreID + `","case_id":"` + c.ID + `"}`} {
		if _, err := client.SendMessage(ctx, sqsSend(queue, body)); err != nil {
			t.Fatal(err)
		}
	}
	dlq := s.Product.Queues["FollowupDeadLetterQueue"]
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.Settle(t)
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != `{"type":"opened"` {
				t.Fatalf("DLQ holds %d messages, want only the poisoned one", len(out.Messages))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the poisoned message never reached the DLQ")
		}
		time.Sleep(500 * time.Millisecond)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queue),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("the queue still holds messages: %v", attrs.Attributes)
	}
	if n := len(s.Inbox.To(t, s.support)); n != 1 {
		t.Fatalf("%d alerts, want 1", n)
	}
}

// event is a webhook event as the receiver reads it.
type event struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func TestSignedWebhooksReachTheStoreDespiteFailures(t *testing.T) {
	s := newShop(t)
	if r := s.API(t, "PUT", "/v1/settings", `{"webhook_url":"`+s.Hooks.URL()+`"}`); r.Status != http.StatusOK {
		t.Fatalf("set webhook url: %d %s", r.Status, r.Body)
	}
	r := s.API(t, "POST", "/v1/settings/webhook-secret", ``)
	if r.Status != http.StatusCreated {
		t.Fatalf("webhook secret: %d %s", r.Status, r.Body)
	}
	secret := decode[struct {
		Secret string `json:"secret"`
	}](t, r).Secret
	if settings := s.API(t, "GET", "/v1/settings", "").Body; strings.Contains(settings, secret) {
		t.Fatal("GET /v1/settings shows the webhook secret")
	}
	s.Hooks.FailNext(2)
	email := s.answered(t, "hooked", "score=1&comment=broken")

	want := map[string]bool{closeloop.EventResponseCreated: true, closeloop.EventPointsAwarded: true, closeloop.EventFollowupOpened: true}
	accepted := waitAccepted(t, s, len(want), 30*time.Second)
	refused := 0
	for _, d := range s.Hooks.Deliveries() {
		if err := webhook.Verify(d.Signature, []byte(d.Body), secret, 5*time.Minute, time.Now()); err != nil {
			t.Errorf("delivery %s: signature: %v", d.EventID, err)
		}
		if !d.Accepted {
			refused++
		}
	}
	if refused != 2 {
		t.Errorf("%d refused deliveries, want the 2 the receiver failed", refused)
	}
	for _, e := range accepted {
		if !want[e.Type] {
			t.Errorf("unexpected or repeated event %s", e.Type)
		}
		delete(want, e.Type)
	}
	// Resolving tells the store too; a second settle delivers nothing again.
	c := s.caseOf(t, email)
	s.API(t, "POST", "/v1/followups/"+c.ID+"/resolve", `{"outcome":"resolved","reason":"other","resolution":"refunded"}`)
	accepted = waitAccepted(t, s, 4, 30*time.Second)
	if last := accepted[len(accepted)-1]; last.Type != closeloop.EventFollowupResolved {
		t.Errorf("last event %s, want followup.resolved", last.Type)
	} else if !strings.Contains(string(last.Data), `"outcome":"resolved","reason":"other"`) || !strings.Contains(string(last.Data), `"keyword_rule":"broken"`) {
		t.Errorf("followup.resolved data lacks the outcome, reason or keyword rule: %s", last.Data)
	}
	if err := s.Product.RedeliverStream(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Settle(t)
	if got := waitAccepted(t, s, 4, time.Second); len(got) != 4 {
		t.Fatalf("%d events accepted after a redelivery, want still 4", len(got))
	}
}

// waitAccepted settles until the receiver accepted n deliveries (failed
// ones come back after their backoff) and returns the accepted events.
func waitAccepted(t *testing.T, s shop, n int, timeout time.Duration) []event {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s.Settle(t)
		var accepted []event
		for _, d := range s.Hooks.Deliveries() {
			if d.Accepted {
				var e event
				if err := json.Unmarshal([]byte(d.Body), &e); err != nil {
					t.Fatal(err)
				}
				accepted = append(accepted, e)
			}
		}
		if len(accepted) >= n || time.Now().After(deadline) {
			return accepted
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestSuppressedCustomerGetsNoAcknowledgementButSupportIsAlerted(t *testing.T) {
	s := newShop(t)
	email := apptest.Email("unsubscribed")
	s.API(t, "POST", "/v1/orders", apptest.Order("o-unsub", email))
	s.Dispatch(t)
	path := s.SurveyPath(t, email)
	header := s.Inbox.To(t, email)[0].Headers["List-Unsubscribe"]
	unsubscribe := strings.TrimSuffix(strings.TrimPrefix(header, "<https://feedback.test"), ">")
	if r := s.Do(t, "POST", unsubscribe, "", "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"); r.Status != http.StatusOK {
		t.Fatalf("unsubscribe: %d", r.Status)
	}
	if r := s.Do(t, "POST", path, "", "application/x-www-form-urlencoded", "score=1&contact_me=on"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d", r.Status)
	}
	s.Settle(t)
	if n := len(s.Inbox.To(t, email)); n != 1 {
		t.Fatalf("%d emails to an unsubscribed customer, want only the survey", n)
	}
	if n := len(s.Inbox.To(t, s.support)); n != 1 {
		t.Fatalf("%d alerts, want 1: support still follows up", n)
	}
}
