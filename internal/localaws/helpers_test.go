package localaws_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/closeloop/closeloop/internal/localaws"
	"github.com/closeloop/closeloop/internal/testenv"
)

// testContext is a context that ends with the test, and within a minute.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

var notQueueNameChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// queuePrefix is a prefix of the test's own: its name, cut so that
// prefix + the longest logical id stays within SQS's 80 characters, and 8
// random hex digits so that reruns and parallel tests never share a queue.
func queuePrefix(t *testing.T) string {
	t.Helper()
	s := notQueueNameChars.ReplaceAllString(t.Name(), "-")
	if len(s) > 40 {
		s = s[:40]
	}
	b := make([]byte, 4)
	rand.Read(b) // never fails
	return s + "-" + hex.EncodeToString(b) + "-"
}

// newQueues creates the queues of the repository's template.yaml under a
// prefix of the test's own and deletes them when the test ends.
func newQueues(t *testing.T, client *sqs.Client, override func(string, map[string]string)) map[string]string {
	t.Helper()
	defs, err := localaws.LoadQueues(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	urls, err := localaws.CreateQueues(testContext(t), client, defs, queuePrefix(t), override)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteQueues(t, client, urls) })
	return urls
}

// deleteQueues deletes the queues of urls (logical id → URL).
func deleteQueues(t *testing.T, client *sqs.Client, urls map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for id, url := range urls {
		if _, err := client.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
			t.Errorf("delete queue %s: %v", id, err)
		}
	}
}

// queueAttributes returns every attribute of the queue at url.
func queueAttributes(t *testing.T, client *sqs.Client, url string) map[string]string {
	t.Helper()
	out, err := client.GetQueueAttributes(testContext(t), &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes
}

// queueDepth returns how many messages the queue holds, visible or in flight.
func queueDepth(t *testing.T, client *sqs.Client, url string) int {
	t.Helper()
	attrs := queueAttributes(t, client, url)
	n := 0
	for _, name := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"} {
		v, err := strconv.Atoi(attrs[name])
		if err != nil {
			t.Fatalf("queue attribute %s = %q: %v", name, attrs[name], err)
		}
		n += v
	}
	return n
}

// send sends bodies to the queue at url, in order.
func send(t *testing.T, client *sqs.Client, url string, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		if _, err := client.SendMessage(testContext(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
}

// queueARN returns the ARN of the queue at url.
func queueARN(t *testing.T, client *sqs.Client, url string) string {
	t.Helper()
	arn, err := localaws.QueueARN(testContext(t), client, url)
	if err != nil {
		t.Fatal(err)
	}
	return arn
}
