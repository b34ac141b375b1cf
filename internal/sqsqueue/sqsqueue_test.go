package sqsqueue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/closeloop/closeloop/internal/sqsqueue"
	"github.com/closeloop/closeloop/internal/testenv"
)

func newQueue(t *testing.T, visibility string) (*sqs.Client, string) {
	t.Helper()
	client := testenv.SQS(t)
	name := fmt.Sprintf("t-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano())
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{
		QueueName: aws.String(name), Attributes: map[string]string{"VisibilityTimeout": visibility},
	})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(out.QueueUrl)
	t.Cleanup(func() {
		if _, err := client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
			t.Errorf("delete queue: %v", err)
		}
	})
	return client, url
}

// drain receives until n messages came or timeout passed, deleting them.
func drain(t *testing.T, client *sqs.Client, url string, n int, timeout time.Duration) []types.Message {
	t.Helper()
	var got []types.Message
	deadline := time.Now().Add(timeout)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			got = append(got, m)
			if _, err := client.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return got
}

type item struct {
	N    int    `json:"n"`
	Text string `json:"text"`
}

func bodies(msgs []types.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, aws.ToString(m.Body))
	}
	slices.Sort(out)
	return out
}

func items(n int) ([]any, []string) {
	vs := make([]any, n)
	want := make([]string, n)
	for i := range n {
		vs[i] = item{N: i}
		b, _ := json.Marshal(vs[i])
		want[i] = string(b)
	}
	slices.Sort(want)
	return vs, want
}

func TestQueueSend(t *testing.T) {
	client, url := newQueue(t, "30")
	q := sqsqueue.New(client, url)
	if err := q.Send(context.Background(), item{N: 7, Text: "é \"quoted\""}); err != nil {
		t.Fatal(err)
	}
	got := drain(t, client, url, 1, 5*time.Second)
	if want := []string{`{"n":7,"text":"é \"quoted\""}`}; !slices.Equal(bodies(got), want) {
		t.Errorf("bodies %q, want %q", bodies(got), want)
	}
	if err := q.Send(context.Background(), make(chan int)); err == nil {
		t.Error("sending a value JSON cannot encode succeeded")
	}
}

// faultyAPI counts batch calls and injects what moto never does: a failed
// entry and a failed call.
type faultyAPI struct {
	sqsqueue.API
	calls     atomic.Int32
	failEntry string // this entry ID is reported failed and not sent
	failCall  int32  // this call (1-based) fails as a whole
}

func (f *faultyAPI) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	call := f.calls.Add(1)
	if call == f.failCall {
		return nil, errors.New("injected outage")
	}
	var kept []types.SendMessageBatchRequestEntry
	var failed []types.BatchResultErrorEntry
	for _, e := range in.Entries {
		if aws.ToString(e.Id) == f.failEntry {
			failed = append(failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError"), Message: aws.String("injected"), SenderFault: false})
			continue
		}
		kept = append(kept, e)
	}
	in.Entries = kept
	out, err := f.API.SendMessageBatch(ctx, in, optFns...)
	if err != nil {
		return nil, err
	}
	out.Failed = append(out.Failed, failed...)
	return out, nil
}

func TestQueueSendBatch(t *testing.T) {
	client, url := newQueue(t, "30")
	api := &faultyAPI{API: client}
	vs, want := items(23)
	if err := sqsqueue.New(api, url).SendBatch(context.Background(), vs); err != nil {
		t.Fatal(err)
	}
	if got := api.calls.Load(); got != 3 {
		t.Errorf("%d SendMessageBatch calls for 23 values, want 3", got)
	}
	if got := bodies(drain(t, client, url, 23, 10*time.Second)); !slices.Equal(got, want) {
		t.Errorf("received %d bodies %q, want %q", len(got), got, want)
	}
	if err := sqsqueue.New(api, url).SendBatch(context.Background(), nil); err != nil {
		t.Errorf("an empty batch: %v", err)
	}
}

func TestQueueSendBatchSplitsLargeBodies(t *testing.T) {
	client, url := newQueue(t, "30")
	api := &faultyAPI{API: client}
	big := strings.Repeat("x", 400<<10)
	vs := []any{item{N: 0, Text: big}, item{N: 1, Text: big}, item{N: 2, Text: big}}
	if err := sqsqueue.New(api, url).SendBatch(context.Background(), vs); err != nil {
		t.Fatal(err)
	}
	// Three 400 KiB bodies exceed one call's 1 MiB: two calls.
	if got := api.calls.Load(); got != 2 {
		t.Errorf("%d calls, want 2", got)
	}
	if got := len(drain(t, client, url, 3, 10*time.Second)); got != 3 {
		t.Errorf("%d messages received, want 3", got)
	}
}

func TestQueueSendBatchFailedEntry(t *testing.T) {
	client, url := newQueue(t, "30")
	api := &faultyAPI{API: client, failEntry: "12"}
	vs, _ := items(23)
	err := sqsqueue.New(api, url).SendBatch(context.Background(), vs)
	var be *sqsqueue.BatchError
	if !errors.As(err, &be) || !slices.Equal(be.Failed, []int{12}) {
		t.Fatalf("err = %v, want a BatchError with value 12 failed", err)
	}
	if !strings.Contains(err.Error(), "InternalError") {
		t.Errorf("err = %q, want the entry's code", err)
	}
	if got := len(drain(t, client, url, 22, 10*time.Second)); got != 22 {
		t.Errorf("%d messages sent, want the other 22", got)
	}
}

func TestQueueSendBatchFailedCall(t *testing.T) {
	client, url := newQueue(t, "30")
	api := &faultyAPI{API: client, failCall: 2}
	vs, _ := items(23)
	err := sqsqueue.New(api, url).SendBatch(context.Background(), vs)
	var be *sqsqueue.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a BatchError", err)
	}
	want := make([]int, 0, 13)
	for i := 10; i < 23; i++ {
		want = append(want, i)
	}
	if !slices.Equal(be.Failed, want) {
		t.Errorf("failed %v, want %v (the failed call's and every later value)", be.Failed, want)
	}
	if be.Err == nil || !strings.Contains(err.Error(), "injected outage") {
		t.Errorf("err = %v, want the call's error inside", err)
	}
	if got := len(drain(t, client, url, 10, 10*time.Second)); got != 10 {
		t.Errorf("%d messages sent, want the first call's 10", got)
	}
}

func TestQueueChangeVisibility(t *testing.T) {
	ctx := context.Background()
	client, url := newQueue(t, "30")
	q := sqsqueue.New(client, url)
	if err := q.Send(ctx, item{N: 1}); err != nil {
		t.Fatal(err)
	}
	receive := func() (types.Message, bool) {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return types.Message{}, false
		}
		return out.Messages[0], true
	}
	m, ok := receive()
	if !ok {
		t.Fatal("the message did not arrive")
	}
	// Hidden for 30 s by the queue; the change brings it back in 2 s
	// (1.5 s rounded up to whole seconds).
	if err := q.ChangeVisibility(ctx, aws.ToString(m.ReceiptHandle), 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	for {
		if _, ok := receive(); ok {
			break
		}
		if time.Since(changed) > 10*time.Second {
			t.Fatal("the message did not come back after its visibility change")
		}
	}
	if gap := time.Since(changed); gap < 1900*time.Millisecond {
		t.Errorf("the message came back after %v, want 2 s", gap)
	}

	for _, d := range []time.Duration{-time.Second, 12*time.Hour + time.Second} {
		if err := q.ChangeVisibility(ctx, aws.ToString(m.ReceiptHandle), d); err == nil {
			t.Errorf("ChangeVisibility(%v) succeeded", d)
		}
	}
	if err := q.ChangeVisibility(ctx, "not-a-receipt-handle", time.Second); err == nil || !strings.HasPrefix(err.Error(), "change message visibility: ") {
		t.Errorf("an unknown receipt handle: err = %v, want a wrapped error", err)
	}
}
