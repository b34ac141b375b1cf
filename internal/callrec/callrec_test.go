package callrec

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const tableARN = "arn:aws:dynamodb:us-east-1:123456789012:table/closeloop"

func TestRequests(t *testing.T) {
	table := aws.String("closeloop")
	for _, tt := range []struct {
		name      string
		service   string
		operation string
		in        any
		want      []Request
	}{
		{
			name: "each item of a transaction is authorized as its own action", service: "DynamoDB", operation: "TransactWriteItems",
			in: &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
				{Update: &ddbtypes.Update{TableName: table}},
				{ConditionCheck: &ddbtypes.ConditionCheck{TableName: table}},
				{Put: &ddbtypes.Put{TableName: table}},
				{Put: &ddbtypes.Put{TableName: table}},
				{Delete: &ddbtypes.Delete{TableName: table}},
			}},
			want: []Request{
				{"dynamodb:ConditionCheckItem", tableARN},
				{"dynamodb:DeleteItem", tableARN},
				{"dynamodb:PutItem", tableARN},
				{"dynamodb:UpdateItem", tableARN},
			},
		},
		{
			name: "a query of an index is authorized on the index", service: "DynamoDB", operation: "Query",
			in:   &dynamodb.QueryInput{TableName: table, IndexName: aws.String("due")},
			want: []Request{{"dynamodb:Query", tableARN + "/index/due"}},
		},
		{
			name: "a query of the table", service: "DynamoDB", operation: "Query",
			in:   &dynamodb.QueryInput{TableName: table},
			want: []Request{{"dynamodb:Query", tableARN}},
		},
		{
			name: "a batch get per table", service: "DynamoDB", operation: "BatchGetItem",
			in: &dynamodb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{
				"closeloop": {}, "other": {},
			}},
			want: []Request{
				{"dynamodb:BatchGetItem", tableARN},
				{"dynamodb:BatchGetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/other"},
			},
		},
		{
			name: "an operation not listed keeps its name and table", service: "DynamoDB", operation: "DescribeTable",
			in:   &dynamodb.DescribeTableInput{TableName: table},
			want: []Request{{"dynamodb:DescribeTable", tableARN}},
		},
		{
			name: "an emulator's queue URL", service: "SQS", operation: "SendMessage",
			in:   &sqs.SendMessageInput{QueueUrl: aws.String("http://127.0.0.1:15005/123456789012/t-abc-FollowupQueue")},
			want: []Request{{"sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:t-abc-FollowupQueue"}},
		},
		{
			name: "an AWS queue URL names its own region and account", service: "SQS", operation: "SendMessageBatch",
			in:   &sqs.SendMessageBatchInput{QueueUrl: aws.String("https://sqs.eu-west-1.amazonaws.com/210987654321/Webhooks")},
			want: []Request{{"sqs:SendMessage", "arn:aws:sqs:eu-west-1:210987654321:Webhooks"}},
		},
		{
			name: "a visibility change", service: "SQS", operation: "ChangeMessageVisibility",
			in:   &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String("http://localhost:5005/123456789012/q")},
			want: []Request{{"sqs:ChangeMessageVisibility", "arn:aws:sqs:us-east-1:123456789012:q"}},
		},
		{
			name: "an email is authorized on its address's and domain's identities", service: "SESv2", operation: "SendEmail",
			in: &sesv2.SendEmailInput{FromEmailAddress: aws.String(`"Demo Coffee" <Feedback@Shop.Example>`)},
			want: []Request{
				{"ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/Feedback@shop.example"},
				{"ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/shop.example"},
			},
		},
		{
			name: "and on its configuration set", service: "SESv2", operation: "SendEmail",
			in: &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@b.test"), ConfigurationSetName: aws.String("closeloop")},
			want: []Request{
				{"ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:configuration-set/closeloop"},
				{"ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/a@b.test"},
				{"ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/b.test"},
			},
		},
		{
			name: "an identity named by ARN", service: "SESv2", operation: "SendEmail",
			in: &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@b.test"),
				FromEmailAddressIdentityArn: aws.String("arn:aws:ses:us-east-1:999999999999:identity/b.test")},
			want: []Request{{"ses:SendEmail", "arn:aws:ses:us-east-1:999999999999:identity/b.test"}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Requests(tt.service, tt.operation, "us-east-1", tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

// TestRecorder records calls through real clients (with a transport that
// answers every request with an empty JSON object) and reads them back.
func TestRecorder(t *testing.T) {
	dir := t.TempDir()
	rec, err := New(dir, "dispatch")
	if err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
				Body: io.NopCloser(strings.NewReader("{}"))}, nil
		}),
	}
	if err := Enable(&cfg, func(string) string { return "" }); err != nil || len(cfg.APIOptions) != 0 {
		t.Fatalf("Enable without %s: %v, %d API options; want nothing added", EnvDir, err, len(cfg.APIOptions))
	}
	cfg.APIOptions = append(cfg.APIOptions, rec.Register)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(cfg)
	for range 2 { // the same call twice is recorded once
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("closeloop"),
			Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "x"}}}); err != nil {
			t.Fatal(err)
		}
	}
	q := sqs.NewFromConfig(cfg)
	// The canned answer lacks the message's MD5, so the SDK fails the
	// call after it was sent: recorded all the same.
	_, _ = q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String("http://127.0.0.1:1/123456789012/q"), MessageBody: aws.String("{}")})

	calls, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Call{
		{Function: "dispatch", Service: "DynamoDB", Operation: "GetItem", Requests: []Request{{"dynamodb:GetItem", tableARN}}},
		{Function: "dispatch", Service: "SQS", Operation: "SendMessage", Requests: []Request{{"sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q"}}},
	}
	if len(calls) != len(want) {
		t.Fatalf("got %d calls %v, want %v", len(calls), calls, want)
	}
	for i := range want {
		if calls[i].Function != want[i].Function || calls[i].Service != want[i].Service ||
			calls[i].Operation != want[i].Operation || !slices.Equal(calls[i].Requests, want[i].Requests) {
			t.Errorf("call %d: got %+v, want %+v", i, calls[i], want[i])
		}
	}
}

func TestEnableNeedsAFunctionName(t *testing.T) {
	env := map[string]string{EnvDir: t.TempDir()}
	var cfg aws.Config
	if err := Enable(&cfg, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), EnvFunction) {
		t.Fatalf("Enable without %s: %v, want an error naming it", EnvFunction, err)
	}
	env[EnvFunction] = "public"
	if err := Enable(&cfg, func(k string) string { return env[k] }); err != nil || len(cfg.APIOptions) != 1 {
		t.Fatalf("Enable: %v, %d API options; want the recorder added", err, len(cfg.APIOptions))
	}
}
