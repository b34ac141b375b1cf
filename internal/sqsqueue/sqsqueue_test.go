package sqsqueue_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
		// SQS delivers at least once: a send the SDK retried after a broken
		// connection leaves a second copy, visible at once. Only the
		// message whose visibility changed tells when it came back.
		back, ok := receive()
		if ok && aws.ToString(back.MessageId) == aws.ToString(m.MessageId) {
			break
		}
		if ok {
			t.Logf("ignoring another copy of the message (%s), from a retried send", aws.ToString(back.MessageId))
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
