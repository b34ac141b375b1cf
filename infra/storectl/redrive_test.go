package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/closeloop/closeloop/internal/localaws"
	"github.com/closeloop/closeloop/internal/testenv"
)

// redriveQueues creates template.yaml's queues in moto under names of the
// test's own, each message visible again as soon as it is received (a
// consumer that fails at once), and points the SDK's default config at
// moto.
func redriveQueues(t *testing.T) (*sqs.Client, map[string]string) {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL_SQS", os.Getenv(testenv.EnvSQSURL))
	client := testenv.SQS(t)
	defs, err := localaws.LoadQueues(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	prefix := "rd-" + strings.ToLower(rand.Text()[:10]) + "-"
	// The SDK leaves a zero VisibilityTimeout out of ReceiveMessage: the
	// queues' own must be 0.
	urls, err := localaws.CreateQueues(context.Background(), client, defs, prefix, func(_ string, attrs map[string]string) {
		attrs["VisibilityTimeout"] = "0"
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, url := range urls {
			if _, err := client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
				t.Errorf("delete queue %s: %v", url, err)
			}
		}
	})
	return client, urls
}

// park sends a message to queue and fails it as a consumer would, by
// receiving it and never deleting it, until SQS moves it to dlq.
func park(t *testing.T, client *sqs.Client, queue, dlq, body string, attrs map[string]sqstypes.MessageAttributeValue) {
	t.Helper()
	ctx := context.Background()
	before := length(t, client, dlq)
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(body), MessageAttributes: attrs}); err != nil {
		t.Fatal(err)
	}
	for receives := 0; length(t, client, dlq) == before; receives++ {
		if receives > 10 {
			t.Fatalf("the message is not in the DLQ after %d receives", receives)
		}
		// Visible again at once: each receive is one failed try, and the
		// one after the fifth moves it.
		if _, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10}); err != nil {
			t.Fatal(err)
		}
	}
}

func length(t *testing.T, client *sqs.Client, url string) int {
	t.Helper()
	n, err := queueLength(context.Background(), client, url)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// receiveAll receives every message on queue, waiting a little for them.
func receiveAll(t *testing.T, client *sqs.Client, queue string, want int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < want && time.Now().Before(deadline) {
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.Messages...)
	}
	return got
}

// TestRedriveSendsParkedMessagesBack parks a complaint from the SES events
// queue in its DLQ, as five failed tries of the function would, and
// redrives it: it is back on the SES events queue with its body and
// attributes, and gone from the DLQ.
func TestRedriveSendsParkedMessagesBack(t *testing.T) {
	client, urls := redriveQueues(t)
	queue, dlq := urls["SesEventsQueue"], urls["SesEventsDeadLetterQueue"]
	body := `{"Type":"Notification","Message":"{\"eventType\":\"Complaint\"}"}`
	attrs := map[string]sqstypes.MessageAttributeValue{
		"origin": {DataType: aws.String("String"), StringValue: aws.String("test")},
		"blob":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
	}
	park(t, client, queue, dlq, body, attrs)

	var out bytes.Buffer
	if err := run(context.Background(), []string{"redrive", "-queue-url", dlq}, os.Getenv, &out); err != nil {
		t.Fatalf("redrive: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "1 messages moved") || !strings.Contains(out.String(), queue) {
		t.Errorf("output %q, want 1 message moved to %s", out.String(), queue)
	}
	got := receiveAll(t, client, queue, 1)
	if len(got) != 1 {
		t.Fatalf("%d messages on the source queue after the redrive, want 1", len(got))
	}
	m := got[0]
	if aws.ToString(m.Body) != body {
		t.Errorf("body %q, want %q", aws.ToString(m.Body), body)
	}
	if a := m.MessageAttributes["origin"]; aws.ToString(a.StringValue) != "test" || aws.ToString(a.DataType) != "String" {
		t.Errorf("attribute origin %+v", a)
	}
	if a := m.MessageAttributes["blob"]; !bytes.Equal(a.BinaryValue, []byte{0, 1, 2}) || aws.ToString(a.DataType) != "Binary" {
		t.Errorf("attribute blob %+v", a)
	}
	if n := length(t, client, dlq); n != 0 {
		t.Errorf("%d messages left in the DLQ, want 0", n)
	}
	// An empty DLQ: nothing to do.
	out.Reset()
	if err := run(context.Background(), []string{"redrive", "-queue-url", dlq}, os.Getenv, &out); err != nil || !strings.Contains(out.String(), "0 messages moved") {
		t.Fatalf("redrive of an empty DLQ: %v, %q", err, out.String())
	}
}

// TestRedriveMaxAndTo moves two of three parked messages to a queue named
// with -to, and refuses a DLQ no queue names without -to.
func TestRedriveMaxAndTo(t *testing.T) {
	client, urls := redriveQueues(t)
	queue, dlq := urls["FollowupQueue"], urls["FollowupDeadLetterQueue"]
	for i := range 3 {
		park(t, client, queue, dlq, fmt.Sprintf(`{"type":"opened","n":%d}`, i), nil)
	}
	var out bytes.Buffer
	args := []string{"redrive", "-queue-url", dlq, "-to", urls["WebhookQueue"], "-max", "2"}
	if err := run(context.Background(), args, os.Getenv, &out); err != nil {
		t.Fatalf("redrive: %v\n%s", err, out.String())
	}
	if got := receiveAll(t, client, urls["WebhookQueue"], 2); len(got) != 2 {
		t.Fatalf("%d messages on the -to queue, want 2", len(got))
	}
	if n := length(t, client, dlq); n != 1 {
		t.Fatalf("%d messages left in the DLQ, want 1", n)
	}

	// The relay's failure queue is no queue's DLQ.
	err := run(context.Background(), []string{"redrive", "-queue-url", urls["RelayFailureQueue"]}, os.Getenv, &out)
	if err == nil || !strings.Contains(err.Error(), "-to") {
		t.Fatalf("redrive of a queue no queue names: %v, want an error asking for -to", err)
	}
	if err := run(context.Background(), []string{"redrive"}, os.Getenv, &out); err == nil || !strings.Contains(err.Error(), "-queue-url") {
		t.Fatalf("redrive without a queue: %v", err)
	}
}
