package localaws_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/closeloop/closeloop/internal/localaws"
	"github.com/closeloop/closeloop/internal/testenv"
)

// visibility sets the VisibilityTimeout of every queue to seconds, so that
// failed messages come back within the test.
func visibility(seconds string) func(string, map[string]string) {
	return func(_ string, attrs map[string]string) { attrs["VisibilityTimeout"] = seconds }
}

// pollUntil calls PollOnce until done reports true, or fails the test after
// timeout.
func pollUntil(t *testing.T, p *localaws.QueuePoller, timeout time.Duration, done func() bool) {
	t.Helper()
	ctx := testContext(t)
	deadline := time.Now().Add(timeout)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v", timeout)
		}
		if _, err := p.PollOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueueRedrive checks the FollowupQueue's redrive from template.yaml: the
// message the handler fails five times ends up in the DLQ, while its
// batch-mates are deleted after their first success.
func TestQueueRedrive(t *testing.T) {
	t.Parallel()
	client := testenv.SQS(t)
	urls := newQueues(t, client, visibility("30"))
	url := urls["FollowupQueue"]
	send(t, client, url, "ok-1", "poison", "ok-2")

	var (
		mu            sync.Mutex
		seen          = map[string][]string{} // body → ApproximateReceiveCount of each delivery
		visibilityErr error
	)
	p := &localaws.QueuePoller{
		API:      client,
		QueueURL: url,
		QueueARN: queueARN(t, client, url),
		Wait:     time.Second,
		Handler: func(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			var resp events.SQSEventResponse
			for _, m := range e.Records {
				seen[m.Body] = append(seen[m.Body], m.Attributes["ApproximateReceiveCount"])
				if m.Body != "poison" {
					continue
				}
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				// As a worker backing off would, but at once: the queue's 30 s
				// would outlast the test.
				_, err := client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
					QueueUrl: aws.String(url), ReceiptHandle: aws.String(m.ReceiptHandle), VisibilityTimeout: 0,
				})
				visibilityErr = errors.Join(visibilityErr, err)
			}
			return resp, nil
		},
	}
	dlq := urls["FollowupDeadLetterQueue"]
	pollUntil(t, p, 15*time.Second, func() bool { return queueDepth(t, client, dlq) == 1 })
	if visibilityErr != nil {
		t.Fatal(visibilityErr)
	}

	want := map[string][]string{
		"ok-1":   {"1"},
		"ok-2":   {"1"},
		"poison": {"1", "2", "3", "4", "5"},
	}
	mu.Lock()
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("deliveries (receive counts by body) = %v, want %v", seen, want)
	}
	mu.Unlock()
	if n := queueDepth(t, client, url); n != 0 {
		t.Errorf("FollowupQueue holds %d messages, want 0", n)
	}
	out, err := client.ReceiveMessage(testContext(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "poison" {
		t.Errorf("DLQ holds %d messages (first body %q), want only the poison one", len(out.Messages), firstBody(out.Messages))
	}
}

func firstBody(msgs []sqstypes.Message) string {
	if len(msgs) == 0 {
		return ""
	}
	return aws.ToString(msgs[0].Body)
}

// TestQueueHandlerErrorKeepsBatch checks that a handler error deletes none of
// the batch, which comes back after the visibility timeout, and that a
// response naming a message not in the batch counts as such an error.
func TestQueueHandlerErrorKeepsBatch(t *testing.T) {
	tests := []struct {
		name string
		fail func(events.SQSEvent) (events.SQSEventResponse, error)
	}{
		{
			name: "handler error",
			fail: func(events.SQSEvent) (events.SQSEventResponse, error) {
				return events.SQSEventResponse{}, errors.New("worker down")
			},
		},
		{
			name: "unknown failed item",
			fail: func(events.SQSEvent) (events.SQSEventResponse, error) {
				return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "not-a-message"}}}, nil
			},
		},
		{
			name: "handler panic",
			fail: func(events.SQSEvent) (events.SQSEventResponse, error) { panic("nil map") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := testenv.SQS(t)
			urls := newQueues(t, client, visibility("1"))
			url := urls["WebhookQueue"]
			send(t, client, url, "a", "b")

			var mu sync.Mutex
			var calls [][]string // "body#receive count" per invocation
			failing := true
			p := &localaws.QueuePoller{
				API: client, QueueURL: url, QueueARN: queueARN(t, client, url), Wait: 3 * time.Second,
				Handler: func(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
					mu.Lock()
					var call []string
					for _, m := range e.Records {
						call = append(call, m.Body+"#"+m.Attributes["ApproximateReceiveCount"])
					}
					slices.Sort(call)
					calls = append(calls, call)
					fail := failing
					mu.Unlock()
					if fail {
						return tt.fail(e)
					}
					return events.SQSEventResponse{}, nil
				},
			}
			ctx := testContext(t)
			n, err := p.PollOnce(ctx)
			if err == nil || n != 2 {
				t.Fatalf("PollOnce = %d, %v; want 2 and an error", n, err)
			}
			if got := queueDepth(t, client, url); got != 2 {
				t.Fatalf("after the failure the queue holds %d messages, want 2", got)
			}
			mu.Lock()
			failing = false
			mu.Unlock()
			// Invisible for the queue's 1 s, then back with a receive count of 2
			// (possibly in two batches: they turn visible a moment apart).
			start := time.Now()
			pollUntil(t, p, 10*time.Second, func() bool { return queueDepth(t, client, url) == 0 })
			if waited := time.Since(start); waited < 900*time.Millisecond {
				t.Errorf("failed messages came back after %v, before the 1 s visibility timeout", waited)
			}
			mu.Lock()
			defer mu.Unlock()
			if want := []string{"a#1", "b#1"}; !slices.Equal(calls[0], want) {
				t.Errorf("first invocation = %v, want %v", calls[0], want)
			}
			if got, want := slices.Sorted(slices.Values(slices.Concat(calls[1:]...))), []string{"a#2", "b#2"}; !slices.Equal(got, want) {
				t.Errorf("later invocations = %v, want the batch once more: %v", calls[1:], want)
			}
		})
	}
}

// TestQueueEventJSON checks that the event has Lambda's shape: the fields of
// an SQS record as Lambda delivers it, and a lossless round trip through JSON
// into aws-lambda-go's types, as the events/*.json fixtures take.
func TestQueueEventJSON(t *testing.T) {
	t.Parallel()
	client := testenv.SQS(t)
	urls := newQueues(t, client, nil)
	url := urls["RelayFailureQueue"]
	arn := queueARN(t, client, url)
	ctx := testContext(t)
	sentAt := time.Now()
	_, err := client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(`{"case":"c-1"}`),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"kind":    {DataType: aws.String("String"), StringValue: aws.String("followup")},
			"attempt": {DataType: aws.String("Number"), StringValue: aws.String("2")},
			"digest":  {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 0xfe}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	var got events.SQSEvent
	p := &localaws.QueuePoller{
		API: client, QueueURL: url, QueueARN: arn, Wait: time.Second,
		Handler: func(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
			got = e
			return events.SQSEventResponse{}, nil
		},
	}
	if n, err := p.PollOnce(ctx); err != nil || n != 1 {
		t.Fatalf("PollOnce = %d, %v; want 1, nil", n, err)
	}

	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back events.SQSEvent
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, got) {
		t.Errorf("JSON round trip changed the event:\n got %+v\nwant %+v", back, got)
	}

	var generic struct {
		Records []map[string]json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	if len(generic.Records) != 1 {
		t.Fatalf("%d records, want 1: %s", len(generic.Records), data)
	}
	wantKeys := []string{"attributes", "awsRegion", "body", "eventSource", "eventSourceARN", "md5OfBody",
		"md5OfMessageAttributes", "messageAttributes", "messageId", "receiptHandle"}
	if keys := slices.Sorted(maps.Keys(generic.Records[0])); !slices.Equal(keys, wantKeys) {
		t.Errorf("record keys = %v, want %v", keys, wantKeys)
	}

	m := got.Records[0]
	sum := md5.Sum([]byte(m.Body))
	checks := []struct {
		field, got, want string
	}{
		{"body", m.Body, `{"case":"c-1"}`},
		{"md5OfBody", m.Md5OfBody, hex.EncodeToString(sum[:])},
		{"eventSource", m.EventSource, "aws:sqs"},
		{"eventSourceARN", m.EventSourceARN, arn},
		{"awsRegion", m.AWSRegion, testenv.Region},
		{"attributes.ApproximateReceiveCount", m.Attributes["ApproximateReceiveCount"], "1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if m.MessageId == "" || m.ReceiptHandle == "" || m.Md5OfMessageAttributes == "" {
		t.Errorf("messageId %q, receiptHandle %q, md5OfMessageAttributes %q: want all set", m.MessageId, m.ReceiptHandle, m.Md5OfMessageAttributes)
	}
	for _, name := range []string{"SentTimestamp", "ApproximateFirstReceiveTimestamp"} {
		ms, err := strconv.ParseInt(m.Attributes[name], 10, 64)
		if err != nil {
			t.Errorf("attributes.%s = %q: %v", name, m.Attributes[name], err)
			continue
		}
		if at := time.UnixMilli(ms); at.Before(sentAt.Add(-time.Minute)) || at.After(time.Now().Add(time.Minute)) {
			t.Errorf("attributes.%s = %v, want about %v", name, at, sentAt)
		}
	}
	wantAttrs := map[string]events.SQSMessageAttribute{
		"kind":    {DataType: "String", StringValue: aws.String("followup"), StringListValues: []string{}, BinaryListValues: [][]byte{}},
		"attempt": {DataType: "Number", StringValue: aws.String("2"), StringListValues: []string{}, BinaryListValues: [][]byte{}},
		"digest":  {DataType: "Binary", BinaryValue: []byte{0, 1, 0xfe}, StringListValues: []string{}, BinaryListValues: [][]byte{}},
	}
	if !reflect.DeepEqual(m.MessageAttributes, wantAttrs) {
		t.Errorf("messageAttributes = %+v, want %+v", m.MessageAttributes, wantAttrs)
	}
	// Lambda delivers the list values as [], which handlers may rely on.
	if !strings.Contains(string(data), `"stringListValues":[]`) || !strings.Contains(string(data), `"binaryListValues":[]`) {
		t.Errorf("message attributes' list values are not empty arrays: %s", data)
	}
}

// TestQueueRun checks that Run delivers what arrives and ends with its context.
func TestQueueRun(t *testing.T) {
	t.Parallel()
	client := testenv.SQS(t)
	urls := newQueues(t, client, nil)
	url := urls["FollowupQueue"]
	got := make(chan string, 10)
	p := &localaws.QueuePoller{
		API: client, QueueURL: url, QueueARN: queueARN(t, client, url), Wait: time.Second,
		Handler: func(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
			for _, m := range e.Records {
				got <- m.Body
			}
			return events.SQSEventResponse{}, nil
		},
	}
	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, 50*time.Millisecond) }()
	send(t, client, url, "hello")
	select {
	case body := <-got:
		if body != "hello" {
			t.Errorf("delivered %q, want hello", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run delivered nothing within 10 s")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
