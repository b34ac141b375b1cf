package webhook_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/sqsqueue"
	"github.com/closeloop/closeloop/internal/testenv"
	"github.com/closeloop/closeloop/internal/webhook"
)

// memStores holds stores in memory; the worker only reads them.
type memStores map[string]closeloop.Store

func (m memStores) Store(_ context.Context, storeID string) (closeloop.Store, error) {
	s, ok := m[storeID]
	if !ok {
		return closeloop.Store{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	}
	return s, nil
}

// recordedVisibility passes visibility changes on to the real queue and
// remembers the durations asked for.
type recordedVisibility struct {
	next webhook.Visibility
	mu   sync.Mutex
	got  []time.Duration
}

func (r *recordedVisibility) ChangeVisibility(ctx context.Context, receiptHandle string, d time.Duration) error {
	r.mu.Lock()
	r.got = append(r.got, d)
	r.mu.Unlock()
	return r.next.ChangeVisibility(ctx, receiptHandle, d)
}

func (r *recordedVisibility) changes() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// testQueue is a moto queue of the test's own.
type testQueue struct {
	client *sqs.Client
	url    string
}

func newTestQueue(t *testing.T, attrs map[string]string) testQueue {
	t.Helper()
	client := testenv.SQS(t)
	name := fmt.Sprintf("t-%s-%d", strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()), time.Now().UnixNano())
	if len(name) > 80 {
		name = name[len(name)-80:]
	}
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(out.QueueUrl)
	t.Cleanup(func() {
		if _, err := client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
			t.Errorf("delete queue: %v", err)
		}
	})
	return testQueue{client: client, url: url}
}

func (q testQueue) arn(t *testing.T) string {
	t.Helper()
	out, err := q.client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(q.url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

func (q testQueue) send(t *testing.T, body string) {
	t.Helper()
	if _, err := q.client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
}

// receive waits up to timeout for up to n messages and returns them as the
// event Lambda's event source mapping would pass, attributes included.
func (q testQueue) receive(t *testing.T, n int, timeout time.Duration) events.SQSEvent {
	t.Helper()
	var ev events.SQSEvent
	deadline := time.Now().Add(timeout)
	for len(ev.Records) < n && time.Now().Before(deadline) {
		out, err := q.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.url), MaxNumberOfMessages: int32(n - len(ev.Records)), WaitTimeSeconds: 1,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{
				MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
				Body: aws.ToString(m.Body), Md5OfBody: aws.ToString(m.MD5OfBody), Attributes: m.Attributes,
				EventSource: "aws:sqs", AWSRegion: testenv.Region,
			})
		}
	}
	return ev
}

// settle deletes the messages the worker did not report failed, as the
// event source mapping does with a partial batch response.
func (q testQueue) settle(t *testing.T, ev events.SQSEvent, resp events.SQSEventResponse) {
	t.Helper()
	for _, m := range ev.Records {
		if slices.ContainsFunc(resp.BatchItemFailures, func(f events.SQSBatchItemFailure) bool { return f.ItemIdentifier == m.MessageId }) {
			continue
		}
		if _, err := q.client.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(q.url), ReceiptHandle: aws.String(m.ReceiptHandle)}); err != nil {
			t.Fatal(err)
		}
	}
}

// receiver is a store's https endpoint: it verifies each delivery, fails
// the first failFirst ones, and records the event IDs it accepted.
type receiver struct {
	t         *testing.T
	srv       *httptest.Server
	pool      *x509.CertPool
	secret    string
	failFirst int

	mu        sync.Mutex
	requests  int
	delivered []string
}

func newReceiver(t *testing.T, secret string, failFirst int) *receiver {
	r := &receiver{t: t, secret: secret, failFirst: failFirst}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	r.pool = x509.NewCertPool()
	r.pool.AddCert(r.srv.Certificate())
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	body, err := io.ReadAll(req.Body)
	if err != nil {
		r.t.Errorf("receiver: read body: %v", err)
		return
	}
	if err := webhook.Verify(req.Header.Get("Closeloop-Signature"), body, r.secret, webhook.DefaultTolerance, time.Now()); err != nil {
		r.t.Errorf("receiver: %v", err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var e closeloop.Event
	if err := json.Unmarshal(body, &e); err != nil {
		r.t.Errorf("receiver: body %s: %v", body, err)
	}
	headers := map[string]string{
		"Content-Type": "application/json", "User-Agent": "closeloop-webhooks/1",
		"Closeloop-Event-Id": e.EventID, "Closeloop-Event-Type": e.Type,
	}
	for name, want := range headers {
		if got := req.Header.Get(name); got != want {
			r.t.Errorf("receiver: %s = %q, want %q", name, got, want)
		}
	}
	if got := req.URL.Query().Get("token"); got != "query-secret" {
		r.t.Errorf("receiver: the URL's query was lost: token = %q", got)
	}
	if r.requests <= r.failFirst {
		// What a failing store says must never reach the logs.
		http.Error(w, "stack trace: receiver-internal-detail", http.StatusServiceUnavailable)
		return
	}
	r.delivered = append(r.delivered, e.EventID)
}

func (r *receiver) counts() (requests int, delivered []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, slices.Clone(r.delivered)
}

// captureLogs sends slog's default logger to a buffer for the test.
func captureLogs(t *testing.T) *syncBuffer {
	buf := &syncBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return buf
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func event(t *testing.T, storeID, entity string) (closeloop.Event, string) {
	t.Helper()
	at := time.Now().UTC()
	e, err := closeloop.NewEvent(closeloop.EventResponseCreated, storeID, entity, at, at,
		map[string]any{"survey_id": entity, "score": 2, "comment": "customer-comment-text"})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return e, string(body)
}

func deliveries(t *testing.T) *dynamo.DB {
	client := testenv.DynamoDB(t)
	return dynamo.New(client, testenv.NewTable(t, client))
}

func failedIDs(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestWorkerRetriesWithBackoffThenDeliversOnce(t *testing.T) {
	ctx := context.Background()
	logs := captureLogs(t)
	secret := webhook.NewSecret()
	rcv := newReceiver(t, secret, 2)
	stores := memStores{"shop": {StoreID: "shop",
		Settings:       closeloop.Settings{WebhookURL: rcv.srv.URL + "/closeloop?token=query-secret"},
		WebhookSecrets: closeloop.WebhookSecrets{Current: secret},
	}}
	// The queue's own timeout is far longer than the backoffs: a message
	// back within seconds shows that the worker's backoff brought it.
	q := newTestQueue(t, map[string]string{"VisibilityTimeout": "20"})
	vis := &recordedVisibility{next: sqsqueue.New(q.client, q.url)}
	marks := deliveries(t)
	w := webhook.New(stores, marks, vis, webhook.Config{
		Base: time.Second, Client: webhook.ClientConfig{AllowLoopback: true, RootCAs: rcv.pool},
	}, time.Now)

	ev, body := event(t, "shop", "srv_1")
	q.send(t, body)

	var handled time.Time
	for attempt, wantBackoff := range []time.Duration{time.Second, 2 * time.Second, 0} {
		receive := attempt + 1
		batch := q.receive(t, 1, 10*time.Second)
		if len(batch.Records) != 1 {
			t.Fatalf("receive %d: %d messages, want 1", receive, len(batch.Records))
		}
		if attempt > 0 {
			// The previous backoff had to pass before the message came back.
			prev := []time.Duration{time.Second, 2 * time.Second}[attempt-1]
			if gap := time.Since(handled); gap < prev-100*time.Millisecond || gap > 10*time.Second {
				t.Errorf("receive %d came %v after the failure, want about %v", receive, gap, prev)
			}
		}
		if got, want := batch.Records[0].Attributes["ApproximateReceiveCount"], fmt.Sprint(receive); got != want {
			t.Errorf("receive %d: ApproximateReceiveCount = %s, want %s", receive, got, want)
		}
		resp, err := w.Handle(ctx, batch)
		handled = time.Now()
		if err != nil {
			t.Fatalf("receive %d: Handle: %v", receive, err)
		}
		q.settle(t, batch, resp)
		if wantBackoff > 0 {
			if got := failedIDs(resp); !slices.Equal(got, []string{batch.Records[0].MessageId}) {
				t.Fatalf("receive %d: failures %v, want the message", receive, got)
			}
		} else if len(resp.BatchItemFailures) != 0 {
			t.Fatalf("receive %d: failures %v, want none", receive, failedIDs(resp))
		}
	}
	if got, want := vis.changes(), []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("visibility changes %v, want %v", got, want)
	}
	requests, delivered := rcv.counts()
	if requests != 3 || !slices.Equal(delivered, []string{ev.EventID}) {
		t.Fatalf("receiver: %d requests, delivered %v; want 3 requests and %s once", requests, delivered, ev.EventID)
	}
	if done, err := marks.Delivered(ctx, ev.EventID); err != nil || !done {
		t.Fatalf("Delivered(%s) = %v, %v; want true", ev.EventID, done, err)
	}
	if batch := q.receive(t, 1, 2*time.Second); len(batch.Records) != 0 {
		t.Fatalf("the delivered message is still on the queue: %+v", batch.Records)
	}

	// SQS delivers at least once: the same event again sends nothing.
	q.send(t, body)
	batch := q.receive(t, 1, 10*time.Second)
	if len(batch.Records) != 1 {
		t.Fatalf("redelivery: %d messages, want 1", len(batch.Records))
	}
	resp, err := w.Handle(ctx, batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery: Handle = %v, %v; want acknowledged", failedIDs(resp), err)
	}
	q.settle(t, batch, resp)
	if requests, delivered := rcv.counts(); requests != 3 || len(delivered) != 1 {
		t.Errorf("after the redelivery the receiver has %d requests, %v delivered; want 3 and one", requests, delivered)
	}
	if got := len(vis.changes()); got != 2 {
		t.Errorf("%d visibility changes after the redelivery, want still 2", got)
	}

	out := logs.String()
	for _, secretText := range []string{"query-secret", secret, "receiver-internal-detail", "customer-comment-text"} {
		if strings.Contains(out, secretText) {
			t.Errorf("the logs contain %q:\n%s", secretText, out)
		}
	}
	for _, want := range []string{"webhook delivery failed", "webhook delivered", "webhook event already delivered"} {
		if !strings.Contains(out, want) {
			t.Errorf("the logs lack %q:\n%s", want, out)
		}
	}
}

func TestWorkerDropsEventsWithoutAReceiver(t *testing.T) {
	ctx := context.Background()
	secret := webhook.NewSecret()
	rcv := newReceiver(t, secret, 0)
	stores := memStores{
		"no-url":    {StoreID: "no-url", WebhookSecrets: closeloop.WebhookSecrets{Current: secret}},
		"no-secret": {StoreID: "no-secret", Settings: closeloop.Settings{WebhookURL: rcv.srv.URL + "/?token=query-secret"}},
	}
	q := newTestQueue(t, map[string]string{"VisibilityTimeout": "20"})
	vis := &recordedVisibility{next: sqsqueue.New(q.client, q.url)}
	marks := deliveries(t)
	w := webhook.New(stores, marks, vis, webhook.Config{
		Base: time.Second, Client: webhook.ClientConfig{AllowLoopback: true, RootCAs: rcv.pool},
	}, time.Now)

	var ids []string
	for _, storeID := range []string{"no-url", "no-secret", "deleted-store"} {
		e, body := event(t, storeID, "srv_"+storeID)
		ids = append(ids, e.EventID)
		q.send(t, body)
	}
	batch := q.receive(t, 3, 10*time.Second)
	if len(batch.Records) != 3 {
		t.Fatalf("%d messages, want 3", len(batch.Records))
	}
	resp, err := w.Handle(ctx, batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %v, %v; want all acknowledged", failedIDs(resp), err)
	}
	if requests, _ := rcv.counts(); requests != 0 {
		t.Errorf("the receiver got %d requests", requests)
	}
	if got := vis.changes(); len(got) != 0 {
		t.Errorf("visibility changes %v, want none", got)
	}
	for _, id := range ids {
		if done, err := marks.Delivered(ctx, id); err != nil || done {
			t.Errorf("Delivered(%s) = %v, %v; a dropped event is not marked delivered", id, done, err)
		}
	}
}

func TestWorkerFailedDeliveries(t *testing.T) {
	secret := webhook.NewSecret()
	redirecting := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			t.Error("the worker followed a redirect")
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	rcv := newReceiver(t, secret, 0)
	pool := x509.NewCertPool()
	pool.AddCert(redirecting.Certificate())
	pool.AddCert(rcv.srv.Certificate())

	tests := []struct {
		name          string
		url           string
		allowLoopback bool
	}{
		{"a redirect", redirecting.URL + "/hook", true},
		{"a loopback address without the switch", rcv.srv.URL + "/?token=query-secret", false},
		{"plain http", strings.Replace(rcv.srv.URL, "https://", "http://", 1) + "/?token=query-secret", true},
		{"nothing listening", "https://127.0.0.1:1/hook", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			stores := memStores{"shop": {StoreID: "shop", Settings: closeloop.Settings{WebhookURL: tt.url},
				WebhookSecrets: closeloop.WebhookSecrets{Current: secret}}}
			q := newTestQueue(t, map[string]string{"VisibilityTimeout": "20"})
			vis := &recordedVisibility{next: sqsqueue.New(q.client, q.url)}
			marks := deliveries(t)
			w := webhook.New(stores, marks, vis, webhook.Config{
				Base: time.Second, Client: webhook.ClientConfig{AllowLoopback: tt.allowLoopback, RootCAs: pool},
			}, time.Now)
			e, body := event(t, "shop", "srv_1")
			q.send(t, body)
			batch := q.receive(t, 1, 10*time.Second)
			if len(batch.Records) != 1 {
				t.Fatalf("%d messages, want 1", len(batch.Records))
			}
			resp, err := w.Handle(ctx, batch)
			if err != nil || !slices.Equal(failedIDs(resp), []string{batch.Records[0].MessageId}) {
				t.Fatalf("Handle = %v, %v; want the message failed", failedIDs(resp), err)
			}
			if got := vis.changes(); !slices.Equal(got, []time.Duration{time.Second}) {
				t.Errorf("visibility changes %v, want [1s]", got)
			}
			if done, err := marks.Delivered(ctx, e.EventID); err != nil || done {
				t.Errorf("Delivered = %v, %v; want false", done, err)
			}
		})
	}
	if requests, _ := rcv.counts(); requests != 0 {
		t.Errorf("the receiver got %d requests", requests)
	}
}

func TestWorkerParksPoisonMessages(t *testing.T) {
	ctx := context.Background()
	logs := captureLogs(t)
	dlq := newTestQueue(t, nil)
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"2"}`, dlq.arn(t))
	q := newTestQueue(t, map[string]string{"VisibilityTimeout": "1", "RedrivePolicy": redrive})
	vis := &recordedVisibility{next: sqsqueue.New(q.client, q.url)}
	w := webhook.New(memStores{}, deliveries(t), vis, webhook.Config{Base: time.Second}, time.Now)

	poison := []string{
		`not json: customer-comment-text`,
		`{"id":"evt_1","type":"response.created","store_id":"shop","data":{"comment":"customer-comment-text"}}`,
		`{"id":"evt_1","created_at":"customer-comment-text"}`,
		`["customer-comment-text"]`,
	}
	for _, body := range poison {
		q.send(t, body)
	}
	for receive := 1; receive <= 2; receive++ {
		batch := q.receive(t, len(poison), 10*time.Second)
		if len(batch.Records) != len(poison) {
			t.Fatalf("receive %d: %d messages, want %d", receive, len(batch.Records), len(poison))
		}
		resp, err := w.Handle(ctx, batch)
		if err != nil || len(resp.BatchItemFailures) != len(poison) {
			t.Fatalf("receive %d: Handle = %v, %v; want every message failed", receive, failedIDs(resp), err)
		}
	}
	if got := vis.changes(); len(got) != 0 {
		t.Errorf("visibility changes %v: poison needs no backoff", got)
	}
	// After maxReceiveCount the queue parks them in the dead-letter queue.
	time.Sleep(1100 * time.Millisecond)
	if batch := q.receive(t, 1, 2*time.Second); len(batch.Records) != 0 {
		t.Errorf("a poison message came back a third time: %q", batch.Records[0].Body)
	}
	parked := dlq.receive(t, len(poison), 10*time.Second)
	var bodies []string
	for _, m := range parked.Records {
		bodies = append(bodies, m.Body)
	}
	slices.Sort(bodies)
	want := slices.Sorted(slices.Values(poison))
	if !slices.Equal(bodies, want) {
		t.Errorf("dead-letter queue holds %q, want %q", bodies, want)
	}
	out := logs.String()
	if strings.Contains(out, "customer-comment-text") {
		t.Errorf("the logs contain a message body:\n%s", out)
	}
	if got := strings.Count(out, "webhook message is not an event"); got != 2*len(poison) {
		t.Errorf("%d poison errors logged, want %d:\n%s", got, 2*len(poison), out)
	}
}
