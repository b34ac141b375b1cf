package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/tabledef"
)

// stack is the local AWS stack the first events are answered against:
// DynamoDB Local, the SES emulator and moto's SQS, with warm clients of
// the bench's own.
type stack struct {
	ddbURL, sesURL, sqsURL string
	db                     *dynamodb.Client
	sqs                    *sqs.Client
	stop                   func()
}

// The variables infra/test.sh sets for the stack it started.
const (
	envDynamoDBURL = "CLOSELOOP_TEST_DYNAMODB_URL"
	envSESURL      = "CLOSELOOP_TEST_SES_URL"
	envSQSURL      = "CLOSELOOP_TEST_SQS_URL"
)

// openStack uses the stack infra/test.sh started when its variables are
// set, and otherwise starts one with infra/stack.sh on ports (DynamoDB,
// SES, SQS), holding test.sh's lock on those ports while it runs.
func openStack(ports string) (*stack, error) {
	s := &stack{ddbURL: os.Getenv(envDynamoDBURL), sesURL: os.Getenv(envSESURL), sqsURL: os.Getenv(envSQSURL), stop: func() {}}
	if s.ddbURL == "" || s.sesURL == "" || s.sqsURL == "" {
		p := strings.Fields(ports)
		if len(p) != 3 {
			return nil, fmt.Errorf("-ports %q: want three ports, DynamoDB SES SQS", ports)
		}
		stop, err := startStack(p)
		if err != nil {
			return nil, err
		}
		s.stop = stop
		s.ddbURL, s.sesURL, s.sqsURL = "http://127.0.0.1:"+p[0], "http://127.0.0.1:"+p[1], "http://127.0.0.1:"+p[2]
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", "")}
	s.db = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(s.ddbURL)
		o.DisableValidateResponseChecksum = true
		o.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.ResponseHeaderTimeout = 30 * time.Second
		})
	})
	s.sqs = sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(s.sqsURL) })
	return s, nil
}

// startStack starts the stack "coldstart" as infra/test.sh starts its own,
// under the same lock, and returns what stops it.
func startStack(ports []string) (func(), error) {
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "closeloop-test-stack-"+ports[0]+".lock"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fmt.Fprintf(os.Stderr, "coldstart: waiting for another make test on ports %s (%s)\n", strings.Join(ports, " "), lock.Name())
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			return nil, err
		}
	}
	run := func(args ...string) error {
		cmd := exec.Command("infra/stack.sh", args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		return cmd.Run()
	}
	stop := func() {
		_ = run("stop", "coldstart")
		lock.Close()
	}
	if err := run("install"); err != nil {
		lock.Close()
		return nil, err
	}
	if err := run(append([]string{"start", "coldstart"}, ports...)...); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

// newTable creates a table like the product's (template.yaml's Table).
func (s *stack) newTable(ctx context.Context, name string) error {
	def, err := tabledef.Load("template.yaml")
	if err != nil {
		return err
	}
	return tabledef.Create(ctx, s.db, def, name)
}

// items returns every item of the table.
func (s *stack) items(ctx context.Context, table string) ([]map[string]types.AttributeValue, error) {
	var all []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
	}
	return all, nil
}

// restore puts the table back to seed: every item deleted, the seed's put.
func (s *stack) restore(ctx context.Context, table string, seed []map[string]types.AttributeValue) error {
	now, err := s.items(ctx, table)
	if err != nil {
		return err
	}
	var writes []types.WriteRequest
	for _, item := range now {
		writes = append(writes, types.WriteRequest{DeleteRequest: &types.DeleteRequest{
			Key: map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]}}})
	}
	for len(writes) > 0 {
		n := min(25, len(writes))
		if err := s.batchWrite(ctx, table, writes[:n]); err != nil {
			return err
		}
		writes = writes[n:]
	}
	for _, item := range seed {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	for len(writes) > 0 {
		n := min(25, len(writes))
		if err := s.batchWrite(ctx, table, writes[:n]); err != nil {
			return err
		}
		writes = writes[n:]
	}
	return nil
}

func (s *stack) batchWrite(ctx context.Context, table string, writes []types.WriteRequest) error {
	req := map[string][]types.WriteRequest{table: writes}
	for len(req) > 0 {
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: req})
		if err != nil {
			return err
		}
		req = out.UnprocessedItems
	}
	return nil
}

// queue creates the queue name (or finds it) and returns its URL.
func (s *stack) queue(ctx context.Context, name string) (string, error) {
	out, err := s.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.QueueUrl), nil
}
