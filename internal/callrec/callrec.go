package callrec

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/closeloop/closeloop/internal/lazy"
)

// EnvDir is the environment variable naming the directory calls are
// recorded in; unset (as in every deployment), nothing is recorded.
const EnvDir = "CLOSELOOP_RECORD_CALLS"

// EnvFunction is the variable Lambda sets to the function's name: the
// label of a bootstrap's calls.
const EnvFunction = "AWS_LAMBDA_FUNCTION_NAME"

// Account is the account ID in the ARNs of resources whose calls do not
// name one (DynamoDB tables, SES identities): moto's default, which the
// local queue URLs carry, so that every recorded ARN has the same account.
const Account = "123456789012"

// Call is one API call as IAM authorizes it.
type Call struct {
	Function  string    `json:"function"`
	Service   string    `json:"service"`   // the SDK's service ID: "DynamoDB", "SESv2", "SQS"
	Operation string    `json:"operation"` // the SDK's operation: "TransactWriteItems"
	Requests  []Request `json:"requests"`  // what IAM checks, sorted
}

// Request is one action on one resource that IAM must allow for a call.
type Request struct {
	Action   string `json:"action"`   // "dynamodb:ConditionCheckItem"
	Resource string `json:"resource"` // "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/due"
}

// Recorder is SDK middleware writing each call of the clients it is
// registered on, labelled with one function's name.
type Recorder struct {
	function string
	out      *sink
}

// New returns a recorder appending to a file of this process's own under
// dir, labelling calls with function.
func New(dir, function string) (*Recorder, error) {
	if function == "" {
		return nil, fmt.Errorf("callrec: no function name to label the calls with")
	}
	out, err := openSink(dir)
	if err != nil {
		return nil, err
	}
	return &Recorder{function: function, out: out}, nil
}

// FromEnv returns a recorder for function when getenv(EnvDir) names a
// directory, and nil otherwise.
func FromEnv(getenv func(string) string, function string) (*Recorder, error) {
	dir := getenv(EnvDir)
	if dir == "" {
		return nil, nil
	}
	return New(dir, function)
}

// Enable adds a recorder labelled with the Lambda function's name
// (AWS_LAMBDA_FUNCTION_NAME) to cfg's API options when getenv(EnvDir) is
// set, so that every client built from cfg records its calls.
func Enable(cfg *aws.Config, getenv func(string) string) error {
	if getenv(EnvDir) == "" {
		return nil
	}
	name := getenv(EnvFunction)
	if name == "" {
		return fmt.Errorf("%s is set but %s is not: recorded calls need the function they are checked against", EnvDir, EnvFunction)
	}
	rec, err := New(getenv(EnvDir), name)
	if err != nil {
		return err
	}
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), rec.Register)
	return nil
}

// Register adds the recorder to a client's middleware stack: use it as an
// aws.Config or client APIOptions entry. It records at the Initialize step,
// once per call however often the SDK retries it, and fails the call when
// it cannot record it, so that no call goes unchecked.
func (r *Recorder) Register(s *middleware.Stack) error {
	return s.Initialize.Add(middleware.InitializeMiddlewareFunc("callrec.Recorder", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		service, op := middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
		call := Call{Function: r.function, Service: service, Operation: op,
			Requests: Requests(service, op, awsmiddleware.GetRegion(ctx), in.Parameters)}
		if err := r.out.write(call); err != nil {
			return middleware.InitializeOutput{}, middleware.Metadata{}, fmt.Errorf("callrec: record %s %s: %w", service, op, err)
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// Requests returns what IAM authorizes for a call of operation on service
// (the SDK's service ID) with input in, in region.
func Requests(service, operation, region string, in any) []Request {
	a := arns{partition: partition(region), region: region}
	var reqs []Request
	switch service {
	case "DynamoDB":
		reqs = a.dynamoDB(operation, in)
	case "SQS":
		reqs = a.sqs(operation, in)
	case "SESv2":
		reqs = a.ses(operation, in)
	default:
		resource := "*"
		if arn := stringField(in, "StreamArn"); arn != "" {
			resource = arn
		}
		reqs = []Request{{Action: actionPrefix(service) + ":" + operation, Resource: resource}}
	}
	slices.SortFunc(reqs, func(x, y Request) int {
		return strings.Compare(x.Action+" "+x.Resource, y.Action+" "+y.Resource)
	})
	return slices.Compact(reqs)
}

// arns builds the ARNs of one region's resources.
type arns struct{ partition, region string }

func (a arns) table(name *string) string {
	n := aws.ToString(name)
	if strings.HasPrefix(n, "arn:") { // the API takes a table's ARN too
		return n
	}
	return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", a.partition, a.region, Account, n)
}

// index is the table's ARN, or its index's when index is set: IAM
// authorizes a Query or Scan of an index on the index's ARN alone.
func (a arns) index(table, index *string) string {
	if aws.ToString(index) == "" {
		return a.table(table)
	}
	return a.table(table) + "/index/" + aws.ToString(index)
}

func (a arns) dynamoDB(op string, in any) []Request {
	one := func(action, resource string) []Request {
		return []Request{{Action: "dynamodb:" + action, Resource: resource}}
	}
	switch in := in.(type) {
	case *dynamodb.GetItemInput:
		return one("GetItem", a.table(in.TableName))
	case *dynamodb.PutItemInput:
		return one("PutItem", a.table(in.TableName))
	case *dynamodb.UpdateItemInput:
		return one("UpdateItem", a.table(in.TableName))
	case *dynamodb.DeleteItemInput:
		return one("DeleteItem", a.table(in.TableName))
	case *dynamodb.QueryInput:
		return one("Query", a.index(in.TableName, in.IndexName))
	case *dynamodb.ScanInput:
		return one("Scan", a.index(in.TableName, in.IndexName))
	case *dynamodb.BatchGetItemInput:
		var reqs []Request
		for name := range in.RequestItems {
			reqs = append(reqs, one("BatchGetItem", a.table(&name))...)
		}
		return reqs
	case *dynamodb.BatchWriteItemInput:
		var reqs []Request
		for name := range in.RequestItems {
			reqs = append(reqs, one("BatchWriteItem", a.table(&name))...)
		}
		return reqs
	case *dynamodb.TransactWriteItemsInput:
		// IAM has no TransactWriteItems action: it authorizes each item's
		// own action on the item's table.
		var reqs []Request
		for _, item := range in.TransactItems {
			switch {
			case item.Put != nil:
				reqs = append(reqs, one("PutItem", a.table(item.Put.TableName))...)
			case item.Update != nil:
				reqs = append(reqs, one("UpdateItem", a.table(item.Update.TableName))...)
			case item.Delete != nil:
				reqs = append(reqs, one("DeleteItem", a.table(item.Delete.TableName))...)
			case item.ConditionCheck != nil:
				reqs = append(reqs, one("ConditionCheckItem", a.table(item.ConditionCheck.TableName))...)
			}
		}
		return reqs
	case *dynamodb.TransactGetItemsInput:
		var reqs []Request
		for _, item := range in.TransactItems {
			if item.Get != nil {
				reqs = append(reqs, one("GetItem", a.table(item.Get.TableName))...)
			}
		}
		return reqs
	}
	resource := "*"
	if name := stringField(in, "TableName"); name != "" {
		resource = a.table(&name)
	}
	return one(op, resource)
}

// sqsBatch maps SQS's batch operations to the action IAM authorizes them
// with: the single message's.
var sqsBatch = map[string]string{
	"SendMessageBatch":             "SendMessage",
	"DeleteMessageBatch":           "DeleteMessage",
	"ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}

func (a arns) sqs(op string, in any) []Request {
	action := op
	if single, ok := sqsBatch[op]; ok {
		action = single
	}
	resource := "*"
	if u := stringField(in, "QueueUrl"); u != "" {
		resource = a.queue(u)
	}
	return []Request{{Action: "sqs:" + action, Resource: resource}}
}

// sqsHost is the host of an AWS queue URL, which names its region.
var sqsHost = lazy.Regexp(`^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)

// queue returns the ARN of the queue at raw, a queue URL
// (https://sqs.<region>.amazonaws.com/<account>/<name>, or an emulator's
// http://127.0.0.1:<port>/<account>/<name>).
func (a arns) queue(raw string) string {
	u, err := url.Parse(raw)
	parts := []string{}
	if err == nil {
		parts = strings.Split(strings.Trim(u.Path, "/"), "/")
	}
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "unparsed queue URL " + raw // matches no policy resource
	}
	region, p := a.region, a.partition
	if m := sqsHost().FindStringSubmatch(u.Hostname()); m != nil {
		region, p = m[1], partition(m[1])
	}
	return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", p, region, parts[0], parts[1])
}

func (a arns) ses(op string, in any) []Request {
	// The fields are read by name, not through the SDK's types: importing
	// sesv2 would link (and initialise) SES into every function.
	if op != "SendEmail" && op != "SendBulkEmail" {
		return []Request{{Action: "ses:" + op, Resource: "*"}}
	}
	from, fromARN, configSet := stringField(in, "FromEmailAddress"), stringField(in, "FromEmailAddressIdentityArn"), stringField(in, "ConfigurationSetName")
	action := "ses:" + op
	var reqs []Request
	if fromARN != "" {
		reqs = append(reqs, Request{Action: action, Resource: fromARN})
	} else {
		for _, id := range identities(from) {
			reqs = append(reqs, Request{Action: action, Resource: a.sesARN(id)})
		}
	}
	// SES also authorizes the configuration set the email is sent with.
	// One applied by default to the identity is not in the call; tests
	// cannot see it.
	if configSet != "" {
		reqs = append(reqs, Request{Action: action, Resource: a.sesARN("configuration-set/" + configSet)})
	}
	return reqs
}

func (a arns) sesARN(resource string) string {
	return fmt.Sprintf("arn:%s:ses:%s:%s:%s", a.partition, a.region, Account, resource)
}

// identities returns the SES identities a From address may send as, each
// "identity/<name>": the address itself and its domain. SES uses the
// address's identity when that is verified and the domain's otherwise;
// which one is verified is the account's business, so a call needs both.
func identities(from string) []string {
	addr := from
	if parsed, err := mail.ParseAddress(from); err == nil {
		addr = parsed.Address
	}
	at := strings.LastIndex(addr, "@")
	if at < 0 {
		return []string{"identity/" + addr}
	}
	domain := strings.ToLower(addr[at+1:])
	return []string{"identity/" + addr[:at] + "@" + domain, "identity/" + domain}
}

// actionPrefix is IAM's service prefix for an SDK service ID.
func actionPrefix(service string) string {
	switch service {
	case "DynamoDB", "DynamoDB Streams":
		return "dynamodb"
	case "SESv2":
		return "ses"
	}
	return strings.ToLower(strings.ReplaceAll(service, " ", ""))
}

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// stringField returns the *string field name of the struct in points to,
// or "": the resource of an operation this package does not list.
func stringField(in any, name string) string {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	f := v.Elem().FieldByName(name)
	if !f.IsValid() || f.Type() != reflect.TypeFor[*string]() || f.IsNil() {
		return ""
	}
	return f.Elem().String()
}

// sink is one file per process and directory; each distinct call is
// written once, as one line in one write, so processes never interleave.
type sink struct {
	mu   sync.Mutex
	f    *os.File
	seen map[string]bool
}

var sinks = struct {
	sync.Mutex
	byDir map[string]*sink
}{byDir: map[string]*sink{}}

func openSink(dir string) (*sink, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	sinks.Lock()
	defer sinks.Unlock()
	if s, ok := sinks.byDir[abs]; ok {
		return s, nil
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("callrec: %w", err)
	}
	// The process ID keeps concurrent test binaries and bootstraps apart.
	f, err := os.OpenFile(filepath.Join(abs, fmt.Sprintf("calls-%d.jsonl", os.Getpid())), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("callrec: %w", err)
	}
	s := &sink{f: f, seen: map[string]bool{}}
	sinks.byDir[abs] = s
	return s, nil
}

func (s *sink) write(c Call) error {
	line, err := json.Marshal(c)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[string(line)] {
		return nil
	}
	if _, err := s.f.Write(append(line, '\n')); err != nil {
		return err
	}
	s.seen[string(line)] = true
	return nil
}

// ReadDir returns every call recorded in dir's files.
func ReadDir(dir string) ([]Call, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	var calls []Call
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			var c Call
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				f.Close()
				return nil, fmt.Errorf("%s:%d: %w", name, n, err)
			}
			calls = append(calls, c)
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return calls, nil
}
