package infra

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"maps"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"gopkg.in/yaml.v3"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/relay"
	"github.com/closeloop/closeloop/internal/tabledef"
)

// sharedEnv are the variables every function reads at start (STYLE habit 4).
var sharedEnv = []string{"TABLE_NAME", "PUBLIC_BASE_URL", "SENDER_ADDRESS", "STAGE"}

// fixtureFunction maps an events/*.json name prefix to the function it feeds.
var fixtureFunction = map[string]string{
	"admin": "AdminFunction",
	// The dashboard's pages for owners and support.
	"dashboard": "DashboardFunction",
	"public":    "PublicFunction",
	"dispatch":  "DispatchFunction",
	"relay":     "RelayFunction",
	"followup":  "FollowupFunction",
	"webhook":   "WebhookFunction",
	"sla":       "SlaFunction",
	"digest":    "DigestFunction",
	// SNS notifications of SES bounces and complaints, on the SES events queue.
	"sesevents": "SesEventsFunction",
	// SNS notifications of received emails (customers' replies), on the replies queue.
	"replies": "RepliesFunction",
	// Verified Shopify and WooCommerce deliveries, on the shop hooks queue.
	"shophooks": "ShopHooksFunction",
}

func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not on PATH (pip install cfn-lint): %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "template.yaml")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

func TestFunctionsBuildWithMakefile(t *testing.T) {
	root := repoRoot(t)
	tpl := loadTemplate(t, root)
	globals := lookup(tpl, "Globals", "Function")
	fns := serverlessFunctions(t, tpl)
	for _, fn := range fns {
		t.Run(fn.id, func(t *testing.T) {
			if got := scalar(lookup(fn.node, "Metadata", "BuildMethod")); got != "makefile" {
				t.Errorf("Metadata.BuildMethod = %q, want makefile", got)
			}
			if got := scalar(effective(fn.props, globals, "CodeUri")); got != "." {
				t.Errorf("CodeUri = %q, want .", got)
			}
			if got := scalar(effective(fn.props, globals, "Runtime")); got != "provided.al2023" {
				t.Errorf("Runtime = %q, want provided.al2023", got)
			}
			if got := scalars(effective(fn.props, globals, "Architectures")); !slices.Equal(got, []string{"arm64"}) {
				t.Errorf("Architectures = %q, want [arm64]", got)
			}
			if got := scalar(effective(fn.props, globals, "Handler")); got != "bootstrap" {
				t.Errorf("Handler = %q, want bootstrap", got)
			}
			env := append(keys(lookup(globals, "Environment", "Variables")), keys(lookup(fn.props, "Environment", "Variables"))...)
			for _, name := range sharedEnv {
				if !slices.Contains(env, name) {
					t.Errorf("environment variable %s is not set (Globals or function)", name)
				}
			}

			dir := makeTargetPackage(t, root, "build-"+fn.id)
			if dir == "" {
				return
			}
			if !hasGoFiles(filepath.Join(root, "functions", dir)) {
				t.Errorf("make build-%s builds ./functions/%s, which does not exist or holds no .go files", fn.id, dir)
			}
		})
	}
}

// TestDispatchRunLock checks the template side of one dispatch run at a
// time: the run lock (a DISPATCH#LOCK item, taken with a conditional put
// and deleted when the run ends) needs PutItem and DeleteItem; reserved
// concurrency, which new accounts cannot grant, is only an optional
// parameter; the account's send rate reaches the function.
func TestDispatchRunLock(t *testing.T) {
	tpl := loadTemplate(t, repoRoot(t))
	fn := lookup(tpl, "Resources", "DispatchFunction")
	if fn == nil {
		t.Fatal("template.yaml has no DispatchFunction")
	}
	props := lookup(fn, "Properties")

	if got := scalar(lookup(tpl, "Parameters", "DispatchReservedConcurrency", "Default")); got != "0" {
		t.Errorf("parameter DispatchReservedConcurrency default = %q, want 0 (none reserved)", got)
	}
	if rce := lookup(props, "ReservedConcurrentExecutions"); rce != nil {
		// Only through the parameter: !If [cond, !Ref DispatchReservedConcurrency, !Ref AWS::NoValue].
		if rce.Tag != "!If" || len(rce.Content) != 3 || rce.Content[1].Tag != "!Ref" || rce.Content[1].Value != "DispatchReservedConcurrency" ||
			rce.Content[2].Tag != "!Ref" || rce.Content[2].Value != "AWS::NoValue" {
			t.Errorf("DispatchFunction ReservedConcurrentExecutions is fixed; want it only from the DispatchReservedConcurrency parameter, none by default")
		}
	}

	if got := scalar(lookup(tpl, "Parameters", "SesMaxSendRate", "Default")); got != "14" {
		t.Errorf("parameter SesMaxSendRate default = %q, want 14", got)
	}
	if env := lookup(props, "Environment", "Variables", "SES_MAX_SEND_RATE"); env == nil || env.Tag != "!Ref" || env.Value != "SesMaxSendRate" {
		t.Error("DispatchFunction's SES_MAX_SEND_RATE is not !Ref SesMaxSendRate")
	}

	granted := map[string]bool{}
	for _, policy := range lookup(props, "Policies").Content {
		for _, st := range lookup(policy, "Statement").Content {
			if scalar(lookup(st, "Effect")) != "Allow" {
				continue
			}
			if table, ok := getAtt(lookup(st, "Resource"), "Arn"); !ok || table != "Table" {
				continue
			}
			actions := scalars(lookup(st, "Action"))
			if a := scalar(lookup(st, "Action")); a != "" {
				actions = []string{a}
			}
			for _, a := range actions {
				granted[a] = true
			}
		}
	}
	for _, action := range []string{"dynamodb:PutItem", "dynamodb:DeleteItem"} {
		if !granted[action] {
			t.Errorf("DispatchFunction may not %s the table: it takes and releases the run lock with it", action)
		}
	}
}

func TestEventFixtures(t *testing.T) {
	root := repoRoot(t)
	tpl := loadTemplate(t, root)
	routes := httpRoutes(t, tpl)
	files, err := filepath.Glob(filepath.Join(root, "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no events/*.json fixtures")
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			prefix, _, _ := strings.Cut(name, "-")
			fn, ok := fixtureFunction[prefix]
			if !ok {
				t.Fatalf("no event type known for %s: name it <prefix>-*.json with a prefix of fixtureFunction", name)
			}
			switch prefix {
			case "admin", "public", "dashboard":
				req := decodeRoundTrip[events.APIGatewayV2HTTPRequest](t, data)
				checkHTTPRequest(t, req, routes[fn])
			case "dispatch", "sla", "digest":
				ev := decodeRoundTrip[events.EventBridgeEvent](t, data)
				checkScheduledEvent(t, ev, fn, eventSources(tpl, fn, "Schedule"))
			case "relay":
				ev := decodeRoundTrip[events.DynamoDBEvent](t, data)
				checkStreamEvent(t, ev, eventSources(tpl, fn, "DynamoDB"), tableDef(t, root))
			case "followup", "webhook", "sesevents", "replies", "shophooks":
				ev := decodeRoundTrip[events.SQSEvent](t, data)
				checkQueueEvent(t, ev, eventSources(tpl, fn, "SQS"))
				for i, m := range ev.Records {
					checkQueueBody(t, prefix, i, m.Body)
				}
			default:
				t.Fatalf("fixtureFunction knows prefix %q, but TestEventFixtures does not check its events", prefix)
			}
		})
	}
}

// eventSource is one entry of a function's Events in template.yaml.
type eventSource struct {
	name  string
	props *yaml.Node
}

// eventSources lists the function's events of type typ.
func eventSources(tpl *yaml.Node, fnID, typ string) []eventSource {
	var out []eventSource
	for name, ev := range pairs(lookup(tpl, "Resources", fnID, "Properties", "Events")) {
		if scalar(lookup(ev, "Type")) == typ {
			out = append(out, eventSource{name: name, props: lookup(ev, "Properties")})
		}
	}
	return out
}

// checkScheduledEvent checks an EventBridge scheduled event fixture; its
// rule must be one SAM makes for a Schedule event of the function, named
// <stack>-<function id><event name>-<suffix>.
func checkScheduledEvent(t *testing.T, ev events.EventBridgeEvent, fnID string, schedules []eventSource) {
	t.Helper()
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" {
		t.Errorf("detail-type %q, source %q; want Scheduled Event from aws.events", ev.DetailType, ev.Source)
	}
	if len(schedules) == 0 {
		t.Fatalf("%s has no Schedule event in template.yaml", fnID)
	}
	if len(ev.Resources) != 1 {
		t.Fatalf("resources = %q, want the one rule ARN", ev.Resources)
	}
	m := ruleARN.FindStringSubmatch(ev.Resources[0])
	if m == nil {
		t.Fatalf("resources[0] = %q is not an EventBridge rule ARN", ev.Resources[0])
	}
	if m[1] != ev.Region || m[2] != ev.AccountID {
		t.Errorf("rule ARN region %s, account %s; event region %s, account %s", m[1], m[2], ev.Region, ev.AccountID)
	}
	var names []string
	for _, s := range schedules {
		names = append(names, "-"+fnID+s.name+"-")
	}
	if !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(m[3], n) }) {
		t.Errorf("rule %q is none of the function's schedules %q", m[3], names)
	}
}

var ruleARN = regexp.MustCompile(`^arn:aws:events:([a-z0-9-]+):(\d{12}):rule/([A-Za-z0-9_.-]+)$`)

// streamARN matches a DynamoDB stream ARN: region, account, table, label.
var streamARN = regexp.MustCompile(`^arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table/([A-Za-z0-9_.-]+)/stream/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})$`)

// checkStreamEvent checks a DynamoDB stream event fixture against what the
// table in template.yaml would emit: one stream of the table the
// function's DynamoDB event reads, records in stream order, the table's
// key and stream view, images as each change has them, and userIdentity
// only on TTL removals.
func checkStreamEvent(t *testing.T, ev events.DynamoDBEvent, sources []eventSource, table tabledef.Def) {
	t.Helper()
	if len(sources) != 1 {
		t.Fatalf("the function has %d DynamoDB events in template.yaml, want 1", len(sources))
	}
	tableID, ok := getAtt(lookup(sources[0].props, "Stream"), "StreamArn")
	if !ok {
		t.Fatalf("the DynamoDB event's Stream is not !GetAtt <table>.StreamArn")
	}
	if len(ev.Records) == 0 {
		t.Fatal("no records")
	}
	var keyNames []string
	for _, k := range table.Input.KeySchema {
		keyNames = append(keyNames, aws.ToString(k.AttributeName))
	}
	slices.Sort(keyNames)
	viewType := string(table.Input.StreamSpecification.StreamViewType)
	var prevSeq *big.Int
	var prevTime time.Time
	ids := map[string]bool{}
	for i, r := range ev.Records {
		c := r.Change
		if r.EventSource != "aws:dynamodb" || r.EventVersion != "1.1" {
			t.Errorf("record %d: eventSource %q, eventVersion %q; want aws:dynamodb, 1.1", i, r.EventSource, r.EventVersion)
		}
		if r.EventSourceArn != ev.Records[0].EventSourceArn {
			t.Errorf("record %d: eventSourceARN %q differs from record 0's: one batch reads one stream", i, r.EventSourceArn)
		}
		m := streamARN.FindStringSubmatch(r.EventSourceArn)
		switch {
		case m == nil:
			t.Errorf("record %d: eventSourceARN %q is not a DynamoDB stream ARN", i, r.EventSourceArn)
		case m[1] != r.AWSRegion:
			t.Errorf("record %d: awsRegion %q, the ARN's region %q", i, r.AWSRegion, m[1])
		case !strings.Contains(m[3], "-"+tableID+"-"):
			// CloudFormation names the table <stack>-<logical id>-<suffix>.
			t.Errorf("record %d: table %q is not the %s resource the function's stream reads", i, m[3], tableID)
		}
		if r.EventID == "" || ids[r.EventID] {
			t.Errorf("record %d: eventID %q is empty or repeats", i, r.EventID)
		}
		ids[r.EventID] = true
		seq, ok := new(big.Int).SetString(c.SequenceNumber, 10)
		if !ok {
			t.Errorf("record %d: SequenceNumber %q is not a decimal number", i, c.SequenceNumber)
		} else if prevSeq != nil && seq.Cmp(prevSeq) <= 0 {
			t.Errorf("record %d: SequenceNumber %s does not follow %s: records must be in stream order", i, seq, prevSeq)
		}
		prevSeq = seq
		if at := c.ApproximateCreationDateTime.Time; at.IsZero() || at.Before(prevTime) {
			t.Errorf("record %d: ApproximateCreationDateTime %v is zero or before the previous record's", i, at)
		} else {
			prevTime = at
		}
		if c.SizeBytes <= 0 || c.StreamViewType != viewType {
			t.Errorf("record %d: SizeBytes %d, StreamViewType %q; want > 0 and the table's %s", i, c.SizeBytes, c.StreamViewType, viewType)
		}
		checkStreamImages(t, i, r, keyNames)
	}
}

// checkStreamImages checks a NEW_AND_OLD_IMAGES record's images and keys.
func checkStreamImages(t *testing.T, i int, r events.DynamoDBEventRecord, keyNames []string) {
	t.Helper()
	c := r.Change
	// Which images each change has: {NewImage, OldImage}.
	images, ok := map[string][2]bool{"INSERT": {true, false}, "MODIFY": {true, true}, "REMOVE": {false, true}}[r.EventName]
	if !ok {
		t.Errorf("record %d: eventName %q, want INSERT, MODIFY or REMOVE", i, r.EventName)
	} else if got := [2]bool{c.NewImage != nil, c.OldImage != nil}; got != images {
		t.Errorf("record %d: %s has {NewImage, OldImage} %v, want %v", i, r.EventName, got, images)
	}
	if got := slices.Sorted(maps.Keys(c.Keys)); !slices.Equal(got, keyNames) {
		t.Errorf("record %d: Keys %q, want the table's key %q", i, got, keyNames)
	}
	for _, image := range []map[string]events.DynamoDBAttributeValue{c.NewImage, c.OldImage} {
		for _, k := range keyNames {
			if image != nil && !reflect.DeepEqual(image[k], c.Keys[k]) {
				t.Errorf("record %d: image %s = %v, Keys %s = %v", i, k, image[k], k, c.Keys[k])
			}
		}
	}
	// Only DynamoDB's own TTL deletions carry a userIdentity.
	ttl := &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	if r.UserIdentity != nil && (r.EventName != "REMOVE" || *r.UserIdentity != *ttl) {
		t.Errorf("record %d: %s with userIdentity %+v; only a TTL REMOVE has one, %+v", i, r.EventName, *r.UserIdentity, *ttl)
	}
}

// queueARN matches an SQS queue ARN: region, account, queue name.
var queueARN = regexp.MustCompile(`^arn:aws:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80})$`)

// checkQueueEvent checks an SQS event fixture: every message as Lambda
// delivers it, from the queue the function's SQS event reads.
func checkQueueEvent(t *testing.T, ev events.SQSEvent, sources []eventSource) {
	t.Helper()
	if len(sources) != 1 {
		t.Fatalf("the function has %d SQS events in template.yaml, want 1", len(sources))
	}
	queueID, ok := getAtt(lookup(sources[0].props, "Queue"), "Arn")
	if !ok {
		t.Fatal("the SQS event's Queue is not !GetAtt <queue>.Arn")
	}
	if len(ev.Records) == 0 {
		t.Fatal("no records")
	}
	ids := map[string]bool{}
	for i, m := range ev.Records {
		if m.EventSource != "aws:sqs" {
			t.Errorf("record %d: eventSource %q, want aws:sqs", i, m.EventSource)
		}
		a := queueARN.FindStringSubmatch(m.EventSourceARN)
		switch {
		case a == nil:
			t.Errorf("record %d: eventSourceARN %q is not an SQS queue ARN", i, m.EventSourceARN)
		case a[1] != m.AWSRegion:
			t.Errorf("record %d: awsRegion %q, the ARN's region %q", i, m.AWSRegion, a[1])
		case !strings.Contains(a[3], "-"+queueID+"-"):
			// CloudFormation names the queue <stack>-<logical id>-<suffix>.
			t.Errorf("record %d: queue %q is not %s, which the function's SQS event reads", i, a[3], queueID)
		}
		if m.MessageId == "" || ids[m.MessageId] || m.ReceiptHandle == "" {
			t.Errorf("record %d: messageId %q empty or repeated, or no receiptHandle", i, m.MessageId)
		}
		ids[m.MessageId] = true
		if sum := md5.Sum([]byte(m.Body)); m.Md5OfBody != hex.EncodeToString(sum[:]) {
			t.Errorf("record %d: md5OfBody %s, the body's MD5 is %x", i, m.Md5OfBody, sum)
		}
		count, errCount := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
		sent, errSent := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64)
		first, errFirst := strconv.ParseInt(m.Attributes["ApproximateFirstReceiveTimestamp"], 10, 64)
		if errCount != nil || count < 1 || errSent != nil || errFirst != nil || first < sent || m.Attributes["SenderId"] == "" {
			t.Errorf("record %d: attributes %q: want ApproximateReceiveCount ≥ 1, SentTimestamp ≤ ApproximateFirstReceiveTimestamp (ms), a SenderId", i, m.Attributes)
		}
	}
}

// checkQueueBody decodes a message body strictly as what the queue's
// worker reads: a follow-up task, or a webhook event.
func checkQueueBody(t *testing.T, prefix string, i int, body string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	switch prefix {
	case "followup":
		var task followup.Task
		if err := dec.Decode(&task); err != nil {
			t.Fatalf("record %d: body is not a follow-up task: %v", i, err)
		}
		if (task.Type != followup.TaskOpened && task.Type != followup.TaskResolved) || task.StoreID == "" || task.CaseID == "" {
			t.Errorf("record %d: task %+v lacks a known type, a store_id or a case_id", i, task)
		}
	case "webhook":
		var ev closeloop.Event
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("record %d: body is not a webhook event: %v", i, err)
		}
		known := []string{closeloop.EventFollowupOpened, closeloop.EventFollowupResolved, closeloop.EventResponseCreated, closeloop.EventPointsAwarded}
		if ev.EventID == "" || !slices.Contains(known, ev.Type) || ev.StoreID == "" || ev.CreatedAt.IsZero() || !json.Valid(ev.Data) {
			t.Errorf("record %d: event %s lacks an id, a known type, a store_id, a created_at or JSON data", i, body)
		}
	case "sesevents":
		checkSESNotification(t, i, dec)
	case "replies":
		checkReceivedNotification(t, i, dec)
	}
}

// getAtt returns X from !GetAtt X.<attr>.
func getAtt(n *yaml.Node, attr string) (string, bool) {
	if n == nil || n.Tag != "!GetAtt" || n.Kind != yaml.ScalarNode {
		return "", false
	}
	id, got, ok := strings.Cut(n.Value, ".")
	return id, ok && id != "" && got == attr
}

func tableDef(t *testing.T, root string) tabledef.Def {
	t.Helper()
	def, err := tabledef.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if def.Input.StreamSpecification == nil {
		t.Fatal("the table in template.yaml has no stream")
	}
	return def
}

func TestRelayFilterMatchesTemplate(t *testing.T) {
	root := repoRoot(t)
	sources := eventSources(loadTemplate(t, root), "RelayFunction", "DynamoDB")
	if len(sources) != 1 {
		t.Fatalf("RelayFunction has %d DynamoDB events in template.yaml, want 1", len(sources))
	}
	var inTemplate []string
	for _, f := range lookup(sources[0].props, "FilterCriteria", "Filters").Content {
		inTemplate = append(inTemplate, scalar(lookup(f, "Pattern")))
	}
	if got, want := canonicalPatterns(t, inTemplate), canonicalPatterns(t, relay.FilterPatterns); !slices.Equal(got, want) {
		t.Errorf("FilterCriteria patterns in template.yaml:\n%s\nrelay.FilterPatterns:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// What Lambda's filter must let through of the sample stream, record by
	// record, as the relay's work needs it (not computed from the filter).
	want := []struct {
		what   string
		wanted bool
	}{
		{"INSERT of a response without a case (the thank-you)", true},
		{"INSERT of a case (support alert and acknowledgement)", true},
		{"MODIFY of a case to resolved with notify_customer (the closing email)", true},
		{"MODIFY of a survey from sending to sent (its products' sent counters)", true},
		{"TTL REMOVE of a delivery record", false},
		{"MODIFY of a case that stays open (a note added)", false},
	}
	data, err := os.ReadFile(filepath.Join(root, "events", "relay-stream.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Records) != len(want) {
		t.Fatalf("events/relay-stream.json has %d records, want %d", len(ev.Records), len(want))
	}
	for i, w := range want {
		if got := relay.Wanted(ev.Records[i]); got != w.wanted {
			t.Errorf("record %d, %s: Wanted = %v, want %v", i+1, w.what, got, w.wanted)
		}
	}
}

// canonicalPatterns re-encodes filter patterns (key order and whitespace
// made uniform) and sorts them: Lambda applies them as a set.
func canonicalPatterns(t *testing.T, patterns []string) []string {
	t.Helper()
	var out []string
	for _, p := range patterns {
		var v any
		if err := json.Unmarshal([]byte(p), &v); err != nil {
			t.Fatalf("filter pattern %s: %v", p, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

func TestEveryFunctionHasFixtureAndPackage(t *testing.T) {
	root := repoRoot(t)
	for _, fn := range serverlessFunctions(t, loadTemplate(t, root)) {
		t.Run(fn.id, func(t *testing.T) {
			var fixtures []string
			for prefix, id := range fixtureFunction {
				if id != fn.id {
					continue
				}
				files, err := filepath.Glob(filepath.Join(root, "events", prefix+"-*.json"))
				if err != nil {
					t.Fatal(err)
				}
				fixtures = append(fixtures, files...)
			}
			if len(fixtures) == 0 {
				t.Errorf("no events/<prefix>-*.json fixture for %s (prefixes are in fixtureFunction)", fn.id)
			}
			dir := makeTargetPackage(t, root, "build-"+fn.id)
			if dir != "" && !hasGoFiles(filepath.Join(root, "functions", dir)) {
				t.Errorf("SAM_FUNCTION_DIR_%s is %s, but functions/%s holds no .go files", fn.id, dir, dir)
			}
		})
	}
}

// maxRetryAttempts is the most MaximumRetryAttempts of a stream event
// source can be; -1 (the default) retries until the record expires.
const maxRetryAttempts = 10000

func TestBatchEventSourcesReportItemFailures(t *testing.T) {
	tpl := loadTemplate(t, repoRoot(t))
	checked := 0
	for _, fn := range serverlessFunctions(t, tpl) {
		for name, ev := range pairs(lookup(fn.props, "Events")) {
			typ := scalar(lookup(ev, "Type"))
			if typ != "SQS" && typ != "DynamoDB" {
				continue
			}
			checked++
			props := lookup(ev, "Properties")
			where := fn.id + " event " + name
			// Without it one failed record makes Lambda retry the whole batch.
			if got := scalars(lookup(props, "FunctionResponseTypes")); !slices.Equal(got, []string{"ReportBatchItemFailures"}) {
				t.Errorf("%s: FunctionResponseTypes = %q, want [ReportBatchItemFailures]", where, got)
			}
			if typ != "DynamoDB" {
				continue
			}
			// A stream shard stops behind a record that always fails: the
			// batch must be split, retried a bounded number of times, and
			// what is given up recorded somewhere it can be read again.
			if got := scalar(lookup(props, "BisectBatchOnFunctionError")); got != "true" {
				t.Errorf("%s: BisectBatchOnFunctionError = %q, want true", where, got)
			}
			retries, err := strconv.Atoi(scalar(lookup(props, "MaximumRetryAttempts")))
			if err != nil || retries < 0 || retries > maxRetryAttempts {
				t.Errorf("%s: MaximumRetryAttempts = %q, want a finite number from 0 to %d", where, scalar(lookup(props, "MaximumRetryAttempts")), maxRetryAttempts)
			}
			onFailure := lookup(props, "DestinationConfig", "OnFailure")
			destType := scalar(lookup(onFailure, "Type"))
			resource, ok := getAtt(lookup(onFailure, "Destination"), "Arn")
			wantType := map[string]string{"SQS": "AWS::SQS::Queue", "SNS": "AWS::SNS::Topic"}[destType]
			if !ok || wantType == "" {
				t.Errorf("%s: DestinationConfig.OnFailure is %q to %v, want Type SQS or SNS and Destination !GetAtt <resource>.Arn", where, destType, lookup(onFailure, "Destination"))
			} else if got := scalar(lookup(tpl, "Resources", resource, "Type")); got != wantType {
				t.Errorf("%s: the on-failure destination %s is a %q, want a %s", where, resource, got, wantType)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no function in template.yaml has an SQS or DynamoDB event: nothing checked")
	}
}

// checkHTTPRequest checks that a payload v2 fixture is self-consistent and
// matches a route the template gives its function.
func checkHTTPRequest(t *testing.T, req events.APIGatewayV2HTTPRequest, routes []string) {
	t.Helper()
	rc := req.RequestContext
	if req.Version != "2.0" {
		t.Errorf("version = %q, want 2.0", req.Version)
	}
	if rc.RouteKey != req.RouteKey {
		t.Errorf("requestContext.routeKey = %q, routeKey = %q", rc.RouteKey, req.RouteKey)
	}
	if rc.HTTP.Path != req.RawPath {
		t.Errorf("requestContext.http.path = %q, rawPath = %q", rc.HTTP.Path, req.RawPath)
	}
	if rc.Stage != "$default" {
		t.Errorf("requestContext.stage = %q, want $default", rc.Stage)
	}
	if rc.AccountID == "" || rc.APIID == "" || rc.DomainName == "" || rc.RequestID == "" || rc.Time == "" || rc.TimeEpoch == 0 || rc.HTTP.SourceIP == "" {
		t.Errorf("requestContext lacks accountId, apiId, domainName, requestId, time, timeEpoch or http.sourceIp: %+v", rc)
	}
	if !slices.Contains(routes, req.RouteKey) {
		t.Errorf("routeKey %q is not a route of its function in template.yaml (routes: %q)", req.RouteKey, routes)
	}
	method, _, _ := strings.Cut(req.RouteKey, " ")
	if method != "ANY" && method != rc.HTTP.Method {
		t.Errorf("requestContext.http.method = %q, routeKey = %q", rc.HTTP.Method, req.RouteKey)
	}
}

// decodeRoundTrip decodes data strictly into T, then checks that T marshals
// and unmarshals back to an equal value.
func decodeRoundTrip[T any](t *testing.T, data []byte) T {
	t.Helper()
	var got T
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode into %T: %v", got, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("decode into %T: data after the first JSON value", got)
	}
	again, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("marshal %T: %v", got, err)
	}
	var back T
	if err := json.Unmarshal(again, &back); err != nil {
		t.Fatalf("unmarshal marshalled %T: %v", got, err)
	}
	if !reflect.DeepEqual(got, back) {
		t.Errorf("%T does not round-trip:\nfirst  %+v\nsecond %+v", got, got, back)
	}
	return got
}

// makeTargetPackage dry-runs a Makefile target and returns the directory
// under ./functions that its go build command builds ("" after a failure).
func makeTargetPackage(t *testing.T, root, target string) string {
	t.Helper()
	bin, err := exec.LookPath("make")
	if err != nil {
		t.Fatalf("make is not on PATH: %v", err)
	}
	artifacts := t.TempDir()
	cmd := exec.CommandContext(t.Context(), bin, "--no-print-directory", "-n", target, "ARTIFACTS_DIR="+artifacts)
	cmd.Dir = root
	// A parent make (make test) must not pass its own flags down.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "MAKEFLAGS" || name == "MFLAGS" || name == "MAKELEVEL"
	})
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("make -n %s (is the target in the Makefile?): %v\n%s", target, err, out)
		return ""
	}
	var build string
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, " build ") {
			build = strings.TrimSpace(line)
		}
	}
	for _, want := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "-tags lambda.norpc", "-o " + artifacts + "/bootstrap"} {
		if !strings.Contains(build, want) {
			t.Errorf("make %s: go build command lacks %q:\n%s", target, want, out)
		}
	}
	m := functionPackage.FindStringSubmatch(build)
	if m == nil {
		t.Errorf("make %s builds no ./functions/<dir>:\n%s", target, out)
		return ""
	}
	return m[1]
}

var functionPackage = regexp.MustCompile(`(?:^|\s)\./functions/([A-Za-z0-9_.-]+)/?(?:\s|$)`)

func hasGoFiles(dir string) bool {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	return err == nil && len(files) > 0
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found above infra/: %v", err)
	}
	return root
}

// loadTemplate parses template.yaml into a node tree: CloudFormation's short
// tags (!Ref, !Sub, !If...) stay node tags and do not break decoding.
func loadTemplate(t *testing.T, root string) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parse template.yaml: %v", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatal("template.yaml is not a single YAML mapping")
	}
	return doc.Content[0]
}

// function is one AWS::Serverless::Function resource.
type function struct {
	id    string
	node  *yaml.Node
	props *yaml.Node
}

func serverlessFunctions(t *testing.T, tpl *yaml.Node) []function {
	t.Helper()
	var fns []function
	resources := lookup(tpl, "Resources")
	for id, res := range pairs(resources) {
		if scalar(lookup(res, "Type")) == "AWS::Serverless::Function" {
			fns = append(fns, function{id: id, node: res, props: lookup(res, "Properties")})
		}
	}
	if len(fns) == 0 {
		t.Fatal("template.yaml has no AWS::Serverless::Function")
	}
	return fns
}

// httpRoutes lists each function's HttpApi routes as route keys ("GET /s/{token}").
func httpRoutes(t *testing.T, tpl *yaml.Node) map[string][]string {
	t.Helper()
	routes := map[string][]string{}
	for _, fn := range serverlessFunctions(t, tpl) {
		for _, ev := range pairs(lookup(fn.props, "Events")) {
			if scalar(lookup(ev, "Type")) != "HttpApi" {
				continue
			}
			method := strings.ToUpper(scalar(lookup(ev, "Properties", "Method")))
			routes[fn.id] = append(routes[fn.id], method+" "+scalar(lookup(ev, "Properties", "Path")))
		}
	}
	return routes
}

// lookup walks mapping keys from n; nil when any key is missing.
func lookup(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for k, v := range pairs(n) {
			if k == key {
				next = v
				break
			}
		}
		n = next
	}
	return n
}

// pairs yields the key/value pairs of a mapping node in document order.
func pairs(n *yaml.Node) iter.Seq2[string, *yaml.Node] {
	return func(yield func(string, *yaml.Node) bool) {
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i].Value, n.Content[i+1]) {
				return
			}
		}
	}
}

// effective is a function property, or its Globals.Function default.
func effective(props, globals *yaml.Node, key string) *yaml.Node {
	if n := lookup(props, key); n != nil {
		return n
	}
	return lookup(globals, key)
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func scalars(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, scalar(c))
	}
	return out
}

func keys(n *yaml.Node) []string {
	var out []string
	for k := range pairs(n) {
		out = append(out, k)
	}
	return out
}
