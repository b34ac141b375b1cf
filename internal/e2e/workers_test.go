//go:build unix

package e2e

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/localaws"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/testenv"
)

// The case the sample stream opens (record 2) and resolves (record 3), and
// the time of that resolution, as events/relay-stream.json holds them.
const (
	sampleCaseID     = "c_7fw2nc5rjq4xkmt3"
	sampleResolvedAt = "2026-11-24T09:48:52.306Z"
)

// queues are template.yaml's SQS queues in moto, under names of one
// test's own; they are deleted when the test ends.
type queues struct {
	client *sqs.Client
	urls   map[string]string // by logical id
}

func newQueues(t *testing.T) *queues {
	t.Helper()
	defs, err := localaws.LoadQueues(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	q := &queues{client: testenv.SQS(t)}
	prefix := "e2e-" + strings.ToLower(rand.Text()[:10]) + "-"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q.urls, err = localaws.CreateQueues(ctx, q.client, defs, prefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, url := range q.urls {
			if _, err := q.client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
				t.Errorf("delete queue %s: %v", url, err)
			}
		}
	})
	return q
}

func (q *queues) url(t *testing.T, id string) string {
	t.Helper()
	url, ok := q.urls[id]
	if !ok {
		t.Fatalf("template.yaml has no queue %s", id)
	}
	return url
}

// receive returns the n messages on queue id, failing the test when fewer
// come within 5 s or more are there. They stay in flight until their
// visibility timeout ends, so each is received once.
func (q *queues) receive(t *testing.T, id string, n int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		got = append(got, q.receiveOnce(t, id, 1, 0)...)
	}
	if len(got) < n {
		t.Fatalf("%d messages on %s after 5 s, want %d", len(got), id, n)
	}
	if more := q.receiveOnce(t, id, 0, 0); len(more) > 0 {
		t.Fatalf("%d messages on %s, want %d; the extra: %s", len(got)+len(more), id, n, aws.ToString(more[0].Body))
	}
	return got
}

// receiveOnce is one ReceiveMessage call, waiting up to wait seconds; a
// visibility of 0 keeps the queue's own.
func (q *queues) receiveOnce(t *testing.T, id string, wait, visibility int32) []sqstypes.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(q.url(t, id)), MaxNumberOfMessages: 10, WaitTimeSeconds: wait, VisibilityTimeout: visibility,
	})
	if err != nil {
		t.Fatalf("receive from %s: %v", id, err)
	}
	return out.Messages
}

// env is what template.yaml gives a function that sends to or manages
// queues, vars mapping each variable to the queue's logical id (as in
// FOLLOWUP_QUEUE_URL: !Ref FollowupQueue), with the SDK pointed at moto.
func (q *queues) env(t *testing.T, vars map[string]string) map[string]string {
	t.Helper()
	env := map[string]string{"AWS_ENDPOINT_URL_SQS": stackURL(t, testenv.EnvSQSURL)}
	for name, id := range vars {
		env[name] = q.url(t, id)
	}
	return env
}

// sqsEvent reads an SQS event fixture with each old string replaced by its
// new one (strings.NewReplacer pairs), its MD5s made right again.
func sqsEvent(t *testing.T, name string, oldnew ...string) events.SQSEvent {
	t.Helper()
	var ev events.SQSEvent
	if err := json.Unmarshal(loadEvent(t, name, oldnew...), &ev); err != nil {
		t.Fatalf("events/%s: %v", name, err)
	}
	for i := range ev.Records {
		setBody(&ev.Records[i], ev.Records[i].Body)
	}
	return ev
}

// setBody gives a message a body and the MD5 that SQS computes of it.
func setBody(m *events.SQSMessage, body string) {
	sum := md5.Sum([]byte(body))
	m.Body, m.Md5OfBody = body, hex.EncodeToString(sum[:])
}

// failedMessages are the message IDs a queue function reported failed.
func failedMessages(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// failedRecords are the sequence numbers a stream function reported failed.
func failedRecords(resp events.DynamoDBEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// answered takes an order for email through the production code with its
// clock at at: ingest, dispatch's claim and mark (the survey email itself
// left out), and the customer's answer a through the link token. It
// returns the survey as answered; a case the answer opened was written in
// the same transaction, as the public function writes it.
func (s shop) answered(t *testing.T, email string, a closeloop.Answer, at time.Time) closeloop.Survey {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return at }
	surveys := survey.NewService(s.db, s.db, clock)
	store, err := s.db.Store(ctx, storeID)
	if err != nil {
		t.Fatal(err)
	}
	order := closeloop.Order{
		OrderID:     "ord-" + strings.ToLower(rand.Text()[:8]),
		Customer:    closeloop.Customer{Email: email, Name: "Grace", Locale: "en-GB"},
		Items:       []closeloop.Item{{SKU: "TEA-3", Name: "Teapot"}},
		PurchasedAt: at.Add(-time.Hour),
	}
	results, err := surveys.Ingest(ctx, store, []closeloop.Order{order}, false)
	if err != nil {
		t.Fatal(err)
	}
	sv := results[0].Survey
	due, err := s.db.DueSurveys(ctx, at, 10)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(due, func(d closeloop.DueSurvey) bool { return d.Survey.SurveyID == sv.SurveyID })
	if i < 0 {
		t.Fatalf("survey %s is not due at %v", sv.SurveyID, at)
	}
	token, tokenHash := secret.NewToken(sv.SurveyID)
	_, unsubscribeHash := secret.NewToken(sv.SurveyID)
	lease, result, err := s.db.Claim(ctx, due[i], at.Add(time.Minute), tokenHash, unsubscribeHash)
	if err != nil || result != closeloop.Claimed {
		t.Fatalf("claim survey %s: %v, %v", sv.SurveyID, result, err)
	}
	if held, err := s.db.MarkSent(ctx, lease, at, sv.ClosesAt, store.Settings.Branding, store.Settings.DefaultLocale); !held || err != nil {
		t.Fatalf("mark survey %s sent: held %v, %v", sv.SurveyID, held, err)
	}
	sv, state, problems, err := surveys.Submit(ctx, token, a)
	if err != nil || len(problems) > 0 || state != survey.Answered {
		t.Fatalf("answer survey: state %v, problems %v, %v", state, problems, err)
	}
	return sv
}

// unhappy is an answer that opens a case: a score at or below the default
// threshold, with a comment.
var unhappy = closeloop.Answer{Score: "1", Comment: "The teapot arrived with a cracked lid."}

// TestRelayFunction feeds the sample stream to the relay: the happy answer
// gets its thank-you, the new and the resolved case go to the follow-up
// queue, and the records the relay has no work for change nothing. The
// same batch again (Lambda retries batches) sends no second thank-you.
func TestRelayFunction(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	q := newQueues(t)
	inbox := testenv.NewInbox(t)
	env := s.mailEnv(t)
	for k, v := range q.env(t, map[string]string{"FOLLOWUP_QUEUE_URL": "FollowupQueue", "WEBHOOK_QUEUE_URL": "WebhookQueue"}) {
		env[k] = v
	}
	relay := startFunction(t, "relay", env)
	email := uniqueEmail("ada")
	event := loadEvent(t, "relay-stream.json", sampleEmail, email)

	var resp events.DynamoDBEventResponse
	relay.invokeJSON(t, json.RawMessage(event), &resp)
	if ids := failedRecords(resp); len(ids) > 0 {
		t.Fatalf("batchItemFailures %q, want none", ids)
	}
	t.Logf("relay cold start: %s", relay.coldStart(t))

	// The relay sends before it returns: no need to wait for the inbox.
	mails := inbox.To(t, email)
	if len(mails) != 1 {
		t.Fatalf("%d e-mails to %s, want the one thank-you", len(mails), email)
	}
	if want := "Thank you! You earned 50 points"; mails[0].Subject != want {
		t.Errorf("thank-you subject %q, want %q", mails[0].Subject, want)
	}

	resolvedAt, err := time.Parse(time.RFC3339Nano, sampleResolvedAt)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]followup.Task{
		followup.TaskOpened:   {Type: followup.TaskOpened, StoreID: storeID, CaseID: sampleCaseID},
		followup.TaskResolved: {Type: followup.TaskResolved, StoreID: storeID, CaseID: sampleCaseID, ResolvedAt: &resolvedAt},
	}
	for _, m := range q.receive(t, "FollowupQueue", len(want)) {
		var task followup.Task
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &task); err != nil {
			t.Fatalf("follow-up message %s: %v", aws.ToString(m.Body), err)
		}
		w, ok := want[task.Type]
		if !ok || task.StoreID != w.StoreID || task.CaseID != w.CaseID || !equalTimes(task.ResolvedAt, w.ResolvedAt) {
			t.Errorf("follow-up message %s, want one of %+v", aws.ToString(m.Body), want)
		}
		delete(want, task.Type)
	}
	// The store has no webhook URL: it is told nothing.
	if got := q.receiveOnce(t, "WebhookQueue", 0, 0); len(got) > 0 {
		t.Errorf("%d messages on the webhook queue of a store without webhooks, want none", len(got))
	}

	// The email went out before the invoke returned: a second one would
	// be in the inbox now.
	resp = events.DynamoDBEventResponse{}
	relay.invokeJSON(t, json.RawMessage(event), &resp)
	if ids := failedRecords(resp); len(ids) > 0 {
		t.Fatalf("the batch again: batchItemFailures %q, want none", ids)
	}
	if mails := inbox.To(t, email); len(mails) != 1 {
		t.Errorf("%d e-mails to %s after the batch came again, want still the one thank-you", len(mails), email)
	}
}

func equalTimes(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// TestFollowupFunction runs the follow-up worker on a batch of three: the
// sample task for a real case (support alert and acknowledgement), a task
// for a case that does not exist (acknowledged: it never will), and a body
// that is not a task (reported, to reach the dead-letter queue).
func TestFollowupFunction(t *testing.T) {
	t.Parallel()
	support := uniqueEmail("support")
	s := newShop(t, func(set *closeloop.Settings) { set.SupportEmails = []string{support} })
	inbox := testenv.NewInbox(t)
	fn := startFunction(t, "followup", s.mailEnv(t))
	email := uniqueEmail("grace")
	sv := s.answered(t, email, unhappy, time.Now())
	if sv.Response == nil || sv.Response.CaseID == "" {
		t.Fatalf("the unhappy answer opened no case: %+v", sv.Response)
	}
	caseID := sv.Response.CaseID

	ev := sqsEvent(t, "followup-queue.json", sampleCaseID, caseID)
	missing, notTask := ev.Records[0], ev.Records[0]
	missing.MessageId, notTask.MessageId = "9a7e1c3d-missing-case", "4b8f2d6e-not-a-task"
	setBody(&missing, `{"type":"opened","store_id":"shop-e2e","case_id":"c_nosuchcase234567"}`)
	setBody(&notTask, `{"hello":"world"}`)
	ev.Records = append(ev.Records, missing, notTask)

	var resp events.SQSEventResponse
	fn.invokeJSON(t, ev, &resp)
	if got, want := failedMessages(resp), []string{notTask.MessageId}; !slices.Equal(got, want) {
		t.Errorf("batchItemFailures %q, want only the body that is not a task %q", got, want)
	}
	t.Logf("followup cold start: %s", fn.coldStart(t))

	alerts := inbox.To(t, support)
	if len(alerts) != 1 {
		t.Fatalf("%d e-mails to support %s, want the one alert", len(alerts), support)
	}
	if want := "Unhappy customer: order " + sv.OrderID + ", score 1/5"; !strings.HasPrefix(alerts[0].Subject, want) {
		t.Errorf("support alert subject %q, want it to start %q", alerts[0].Subject, want)
	}
	if !slices.Contains(alerts[0].ReplyTo, email) {
		t.Errorf("support alert Reply-To %q, want the customer %s", alerts[0].ReplyTo, email)
	}
	acks := inbox.To(t, email)
	if len(acks) != 1 {
		t.Fatalf("%d e-mails to the customer %s, want the one acknowledgement", len(acks), email)
	}
	if want := "We're sorry about your order " + sv.OrderID; acks[0].Subject != want {
		t.Errorf("acknowledgement subject %q, want %q", acks[0].Subject, want)
	}
}

// TestWebhookFunction runs the webhook worker on the sample event for a
// store whose URL is on loopback, and on one for a store without a URL.
// The production binary must refuse to connect to loopback: the first is
// reported failed and hidden on its queue for the retry's backoff; the
// second is done with.
func TestWebhookFunction(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ctx := context.Background()

	// A receiver on loopback that counts the connections made to it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var connections atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			connections.Add(1)
			c.Close()
		}
	}()
	settings := s.settings
	settings.WebhookURL = "https://" + ln.Addr().String() + "/hook"
	if err := s.db.UpdateSettings(ctx, closeloop.Store{StoreID: storeID, Settings: s.settings}, settings); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.RotateWebhookSecret(ctx, storeID, "whsec_"+rand.Text(), time.Now()); err != nil {
		t.Fatal(err)
	}
	const plainStore = "shop-e2e-plain"
	if _, _, err := stores.Create(ctx, s.db, plainStore, closeloop.DefaultSettings(), time.Now()); err != nil {
		t.Fatal(err)
	}

	q := newQueues(t)
	ev := sqsEvent(t, "webhook-queue.json")
	// The message to the loopback store is a real one of the queue, received
	// with a visibility of 1 s: it is visible again by then unless the
	// worker hid it for its backoff.
	if _, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.url(t, "WebhookQueue")), MessageBody: aws.String(ev.Records[0].Body)}); err != nil {
		t.Fatal(err)
	}
	got := q.receiveOnce(t, "WebhookQueue", 1, 1)
	received := time.Now()
	if len(got) != 1 {
		t.Fatalf("received %d messages from the webhook queue, want the one sent", len(got))
	}
	ev.Records[0].MessageId, ev.Records[0].ReceiptHandle = aws.ToString(got[0].MessageId), aws.ToString(got[0].ReceiptHandle)
	plain := ev.Records[0]
	plain.MessageId, plain.ReceiptHandle = "5c1d9e7a-plain-store", "AQEBplainstorereceipthandle"
	setBody(&plain, strings.Replace(plain.Body, `"store_id":"`+storeID+`"`, `"store_id":"`+plainStore+`"`, 1))
	ev.Records = append(ev.Records, plain)

	env := s.env(t)
	for k, v := range q.env(t, map[string]string{"WEBHOOK_QUEUE_URL": "WebhookQueue"}) {
		env[k] = v
	}
	fn := startFunction(t, "webhook", env)
	var resp events.SQSEventResponse
	fn.invokeJSON(t, ev, &resp)
	if got, want := failedMessages(resp), []string{ev.Records[0].MessageId}; !slices.Equal(got, want) {
		t.Errorf("batchItemFailures %q, want only the loopback store's message %q", got, want)
	}
	t.Logf("webhook cold start: %s", fn.coldStart(t))
	if n := connections.Load(); n != 0 {
		t.Errorf("%d connections to the loopback receiver, want none: the production client must refuse loopback", n)
	}
	time.Sleep(time.Until(received.Add(1500 * time.Millisecond)))
	if got := q.receiveOnce(t, "WebhookQueue", 0, 0); len(got) != 0 {
		t.Errorf("the failed message is visible again after its 1 s receive: the worker did not hide it for its backoff")
	}
}

// TestSlaFunction runs the SLA check over a case opened two days ago in a
// store with a one-hour SLA: support is alerted that it is overdue, the
// customer is not emailed, and a second check within the hour alerts
// nothing.
func TestSlaFunction(t *testing.T) {
	t.Parallel()
	support := uniqueEmail("support")
	s := newShop(t, func(set *closeloop.Settings) {
		set.SupportEmails = []string{support}
		set.SLAHours = 1
	})
	inbox := testenv.NewInbox(t)
	email := uniqueEmail("grace")
	sv := s.answered(t, email, unhappy, time.Now().Add(-48*time.Hour))
	fn := startFunction(t, "sla", s.mailEnv(t))

	var rep followup.SLAReport
	fn.invokeJSON(t, json.RawMessage(loadEvent(t, "sla-schedule.json")), &rep)
	if want := (followup.SLAReport{Due: 1, Alerted: 1}); rep != want {
		t.Errorf("SLA report %+v, want %+v", rep, want)
	}
	t.Logf("sla cold start: %s", fn.coldStart(t))
	alerts := inbox.To(t, support)
	if len(alerts) != 1 {
		t.Fatalf("%d e-mails to support %s, want the one overdue alert", len(alerts), support)
	}
	if want := "Overdue: "; !strings.HasPrefix(alerts[0].Subject, want) || !strings.Contains(alerts[0].Subject, sv.OrderID) {
		t.Errorf("overdue alert subject %q, want it to start %q and name order %s", alerts[0].Subject, want, sv.OrderID)
	}
	if got := inbox.To(t, email); len(got) != 0 {
		t.Errorf("%d e-mails to the customer, want none: the SLA check alerts support only", len(got))
	}

	rep = followup.SLAReport{}
	fn.invokeJSON(t, json.RawMessage(loadEvent(t, "sla-schedule.json")), &rep)
	if want := (followup.SLAReport{}); rep != want {
		t.Errorf("second check: SLA report %+v, want %+v (next alert due an SLA period later)", rep, want)
	}
	if got := inbox.To(t, support); len(got) != 1 {
		t.Errorf("%d e-mails to support after the second check, want still 1", len(got))
	}
}
