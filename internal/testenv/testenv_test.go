package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func TestTableName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)
	tests := []struct {
		testName string
		want     string // the name without its random suffix
	}{
		{"TestX", "t-TestX-"},
		{"TestSubmit/answered twice (idempotent)", "t-TestSubmit-answered-twice-idempotent--"},
		{"TestÜnïcode/ü", "t-Test-n-code--"},
		{strings.Repeat("a", 300), "t-" + strings.Repeat("a", 64) + "-"},
	}
	for _, tt := range tests {
		got := tableName(tt.testName)
		if !strings.HasPrefix(got, tt.want) || len(got) != len(tt.want)+8 || !valid.MatchString(got) {
			t.Errorf("tableName(%q) = %q, want %q + 8 hex digits", tt.testName, got, tt.want)
		}
	}
	if a, b := tableName("TestX"), tableName("TestX"); a == b {
		t.Errorf("tableName twice gave %q both times", a)
	}
}

// fatalRecorder stands in for a test to see what a helper fails it with.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Skipf(format string, args ...any) {
	f.msg = "skipped: " + fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestUnsetVariableFails(t *testing.T) {
	helpers := map[string]func(testing.TB){
		EnvDynamoDBURL: func(tb testing.TB) { DynamoDB(tb) },
		EnvSESURL:      func(tb testing.TB) { NewInbox(tb) },
		EnvSQSURL:      func(tb testing.TB) { SQS(tb) },
		EnvRIE:         func(tb testing.TB) { RIE(tb) },
	}
	for name, helper := range helpers {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, "")
			rec := &fatalRecorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				helper(rec)
			}()
			<-done
			want := name + " is not set: run the tests with `make test`, which starts the local stack"
			if rec.msg != want {
				t.Errorf("failed with %q, want %q", rec.msg, want)
			}
		})
	}
}

func TestNewTable(t *testing.T) {
	ctx := context.Background()
	client := DynamoDB(t)
	var name string
	t.Run("create", func(t *testing.T) {
		name = NewTable(t, client)
		if !strings.HasPrefix(name, "t-TestNewTable-create-") {
			t.Errorf("name = %q, want t-TestNewTable-create-…", name)
		}
		desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := desc.Table.TableStatus, ddbtypes.TableStatusActive; got != want {
			t.Errorf("status = %s, want %s", got, want)
		}
	})
	_, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if nf := (*ddbtypes.ResourceNotFoundException)(nil); !errors.As(err, &nf) {
		t.Errorf("table %q after its test: DescribeTable error = %v, want ResourceNotFoundException", name, err)
	}
}

func TestRequestCounter(t *testing.T) {
	ctx := context.Background()
	var counter RequestCounter
	client := DynamoDB(t, counter.Register)
	table := NewTable(t, client)
	if counter.Counts()["CreateTable"] != 1 {
		t.Errorf("counts after NewTable = %v, want one CreateTable", counter.Counts())
	}
	counter.Reset()

	key := map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: "counter"},
		"sk": &ddbtypes.AttributeValueMemberS{Value: "1"},
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: key}); err != nil {
		t.Fatal(err)
	}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Item) == 0 {
		t.Error("GetItem found nothing")
	}
	if got, want := counter.Counts(), map[string]int{"PutItem": 1, "GetItem": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Counts() = %v, want %v", got, want)
	}
	if got, want := counter.Total(), 2; got != want {
		t.Errorf("Total() = %d, want %d", got, want)
	}

	// A second counter on the same client and calls from many goroutines.
	var other RequestCounter
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key}, other.Register)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got, want := counter.Counts()["GetItem"], 21; got != want {
		t.Errorf("GetItem count = %d, want %d", got, want)
	}
	if got, want := other.Counts(), map[string]int{"GetItem": 20}; !reflect.DeepEqual(got, want) {
		t.Errorf("second counter Counts() = %v, want %v", got, want)
	}

	counter.Reset()
	if got := counter.Total(); got != 0 {
		t.Errorf("Total() after Reset = %d, want 0", got)
	}
	if got := counter.Counts(); got == nil || len(got) != 0 {
		t.Errorf("Counts() after Reset = %#v, want an empty map", got)
	}
}

func TestSESInbox(t *testing.T) {
	ctx := context.Background()
	client := SES(t)
	inbox := NewInbox(t)
	rcpt := fmt.Sprintf("customer-%d@example.com", time.Now().UnixNano())
	before := time.Now().Add(-time.Second)

	out, err := client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("Shop <shop@example.com>"),
		ReplyToAddresses: []string{"support@example.com"},
		Destination:      &sestypes.Destination{ToAddresses: []string{"Jane <" + strings.ToUpper(rcpt) + ">"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("How was your order?")},
			Body: &sestypes.Body{
				Html: &sestypes.Content{Data: aws.String("<p>Rate us</p>")},
				Text: &sestypes.Content{Data: aws.String("Rate us")},
			},
			Headers: []sestypes.MessageHeader{
				{Name: aws.String("List-Unsubscribe"), Value: aws.String("<https://example.com/u/tok>")},
				{Name: aws.String("List-Unsubscribe-Post"), Value: aws.String("List-Unsubscribe=One-Click")},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}

	got := inbox.WaitTo(t, rcpt, 1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d e-mails to %s, want 1", len(got), rcpt)
	}
	e := got[0]
	if !e.At.After(before) || e.At.After(time.Now()) {
		t.Errorf("At = %v, want about now", e.At)
	}
	e.At = time.Time{}
	want := Email{
		MessageID: aws.ToString(out.MessageId),
		From:      "Shop <shop@example.com>",
		ReplyTo:   []string{"support@example.com"},
		To:        []string{"Jane <" + strings.ToUpper(rcpt) + ">"},
		Cc:        []string{},
		Bcc:       []string{},
		Subject:   "How was your order?",
		HTML:      "<p>Rate us</p>",
		Text:      "Rate us",
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://example.com/u/tok>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("e-mail:\n got %+v\nwant %+v", e, want)
	}
	if other := inbox.To(t, "nobody-"+rcpt); len(other) != 0 {
		t.Errorf("e-mails to an unused address: %v", other)
	}
}

func TestSQS(t *testing.T) {
	ctx := context.Background()
	client := SQS(t)
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("testenv-%d", time.Now().UnixNano()))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl}); err != nil {
			t.Errorf("delete queue: %v", err)
		}
	})
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(`{"case":"c1"}`)}); err != nil {
		t.Fatal(err)
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != `{"case":"c1"}` {
		t.Fatalf("received %+v, want the one message sent", out.Messages)
	}
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
}

func TestRIE(t *testing.T) {
	info, err := os.Stat(RIE(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode()&0o111 == 0 {
		t.Errorf("%s is not executable", info.Name())
	}
}

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Error(err)
	}
	if wd, _ := os.Getwd(); wd != filepath.Join(root, "internal", "testenv") {
		t.Errorf("RepoRoot() = %s, not two levels above %s", root, wd)
	}
}

func TestFreePort(t *testing.T) {
	port := FreePort(t)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("listen on the free port %d: %v", port, err)
	}
	l.Close()
}
