package localaws_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/localaws"
	"github.com/closeloop/closeloop/internal/testenv"
)

// decidedQueues are the queues of testdata/template.yaml, as decided for
// template.yaml.
func decidedQueues() []localaws.QueueDef {
	return []localaws.QueueDef{
		{LogicalID: "FollowupDeadLetterQueue", Attributes: map[string]string{"MessageRetentionPeriod": "1209600"}},
		{
			LogicalID:       "FollowupQueue",
			Attributes:      map[string]string{"MessageRetentionPeriod": "345600", "VisibilityTimeout": "180"},
			DeadLetterQueue: "FollowupDeadLetterQueue",
			MaxReceiveCount: 5,
		},
		{LogicalID: "RelayFailureQueue", Attributes: map[string]string{"MessageRetentionPeriod": "1209600"}},
		{LogicalID: "WebhookDeadLetterQueue", Attributes: map[string]string{"MessageRetentionPeriod": "1209600"}},
		{
			LogicalID:       "WebhookQueue",
			Attributes:      map[string]string{"MessageRetentionPeriod": "345600", "VisibilityTimeout": "180"},
			DeadLetterQueue: "WebhookDeadLetterQueue",
			MaxReceiveCount: 5,
		},
	}
}

func TestLoadQueues(t *testing.T) {
	got, err := localaws.LoadQueues(filepath.Join("testdata", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := decidedQueues(); !reflect.DeepEqual(got, want) {
		t.Errorf("LoadQueues:\n got %+v\nwant %+v", got, want)
	}
}

// TestLoadQueuesRepoTemplate checks that the real template loads and keeps the
// redrive pairs the workers rely on.
func TestLoadQueuesRepoTemplate(t *testing.T) {
	defs, err := localaws.LoadQueues(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range defs {
		got[d.LogicalID] = d.DeadLetterQueue
	}
	want := map[string]string{
		"FollowupQueue":           "FollowupDeadLetterQueue",
		"FollowupDeadLetterQueue": "",
		"WebhookQueue":            "WebhookDeadLetterQueue",
		"WebhookDeadLetterQueue":  "",
		"RelayFailureQueue":       "",
		// SES bounces and complaints, from the SNS topic.
		"SesEventsQueue":           "SesEventsDeadLetterQueue",
		"SesEventsDeadLetterQueue": "",
		// Customers' replies received by SES, from the SNS topic.
		"RepliesQueue":           "RepliesDeadLetterQueue",
		"RepliesDeadLetterQueue": "",
		// Shop webhook deliveries, from the public function.
		"ShopHooksQueue":           "ShopHooksDeadLetterQueue",
		"ShopHooksDeadLetterQueue": "",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("queues and their DLQs = %v, want %v", got, want)
	}
}

func TestLoadQueuesErrors(t *testing.T) {
	tests := []struct {
		name, resources, wantErr string
	}{
		{
			name: "intrinsic in an attribute",
			resources: `
  Q:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: !Ref Timeout}`,
			wantErr: "VisibilityTimeout: must be a literal integer, not !Ref",
		},
		{
			name: "unsupported property",
			resources: `
  Q:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: true}`,
			wantErr: "property FifoQueue is not supported",
		},
		{
			name: "literal dead-letter ARN",
			resources: `
  Q:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:dlq", maxReceiveCount: 5}`,
			wantErr: "want !GetAtt <queue>.Arn",
		},
		{
			name: "dead-letter queue missing from the template",
			resources: `
  Q:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Gone.Arn, maxReceiveCount: 5}`,
			wantErr: "names Gone, which is not an AWS::SQS::Queue",
		},
		{
			name: "no maxReceiveCount",
			resources: `
  D:
    Type: AWS::SQS::Queue
  Q:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt D.Arn}`,
			wantErr: "maxReceiveCount of at least 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(path, []byte("Resources:"+tt.resources+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := localaws.LoadQueues(path)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("LoadQueues error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCreateQueues(t *testing.T) {
	t.Parallel()
	client := testenv.SQS(t)
	ctx := testContext(t)
	defs, err := localaws.LoadQueues(filepath.Join("testdata", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	prefix := queuePrefix(t)
	urls, err := localaws.CreateQueues(ctx, client, defs, prefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteQueues(t, client, urls) })
	if len(urls) != len(defs) {
		t.Fatalf("CreateQueues returned %d URLs, want %d: %v", len(urls), len(defs), urls)
	}
	for id, url := range urls {
		if !strings.HasSuffix(url, "/"+prefix+id) {
			t.Errorf("queue %s has URL %s, want it named %s", id, url, prefix+id)
		}
	}

	type redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     int    `json:"maxReceiveCount"`
	}
	check := func(t *testing.T, wantVisibility string) {
		t.Helper()
		for _, d := range defs {
			attrs := queueAttributes(t, client, urls[d.LogicalID])
			for name, want := range d.Attributes {
				if name == "VisibilityTimeout" && d.DeadLetterQueue != "" {
					want = wantVisibility
				}
				if attrs[name] != want {
					t.Errorf("%s: %s = %q, want %q", d.LogicalID, name, attrs[name], want)
				}
			}
			if d.DeadLetterQueue == "" {
				if p := attrs["RedrivePolicy"]; p != "" {
					t.Errorf("%s: RedrivePolicy = %s, want none", d.LogicalID, p)
				}
				continue
			}
			var got redrive
			if err := json.Unmarshal([]byte(attrs["RedrivePolicy"]), &got); err != nil {
				t.Fatalf("%s: RedrivePolicy %q: %v", d.LogicalID, attrs["RedrivePolicy"], err)
			}
			want := redrive{queueARN(t, client, urls[d.DeadLetterQueue]), 5}
			if got != want {
				t.Errorf("%s: RedrivePolicy = %+v, want %+v", d.LogicalID, got, want)
			}
		}
	}
	check(t, "180")

	// make dev restarts: the same queues again are the same queues.
	again, err := localaws.CreateQueues(ctx, client, defs, prefix, nil)
	if err != nil {
		t.Fatalf("creating the queues again: %v", err)
	}
	if !reflect.DeepEqual(again, urls) {
		t.Errorf("creating again gave %v, want %v", again, urls)
	}

	// Changed attributes (here by override) are set on the existing queues.
	shorter := func(id string, attrs map[string]string) {
		if _, ok := attrs["RedrivePolicy"]; ok {
			attrs["VisibilityTimeout"] = "2"
		}
	}
	if _, err := localaws.CreateQueues(ctx, client, defs, prefix, shorter); err != nil {
		t.Fatalf("creating the queues with other attributes: %v", err)
	}
	check(t, "2")
}

func TestCreateQueuesErrors(t *testing.T) {
	client := testenv.SQS(t)
	tests := []struct {
		name    string
		defs    []localaws.QueueDef
		prefix  string
		wantErr string
	}{
		{
			name: "redrive cycle",
			defs: []localaws.QueueDef{
				{LogicalID: "A", DeadLetterQueue: "B", MaxReceiveCount: 1},
				{LogicalID: "B", DeadLetterQueue: "A", MaxReceiveCount: 1},
			},
			wantErr: "redrive cycle",
		},
		{
			name:    "unknown dead-letter queue",
			defs:    []localaws.QueueDef{{LogicalID: "A", DeadLetterQueue: "Gone", MaxReceiveCount: 1}},
			wantErr: "redrives to Gone",
		},
		{
			name:    "name too long",
			defs:    []localaws.QueueDef{{LogicalID: strings.Repeat("Q", 70)}},
			prefix:  "prefix-of-eleven-",
			wantErr: "1 to 80 characters",
		},
		{
			name:    "character SQS does not allow",
			defs:    []localaws.QueueDef{{LogicalID: "Q"}},
			prefix:  "dev.",
			wantErr: "1 to 80 characters",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := localaws.CreateQueues(testContext(t), client, tt.defs, tt.prefix, nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("CreateQueues error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
