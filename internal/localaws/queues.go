package localaws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"gopkg.in/yaml.v3"
)

// QueueDef is an AWS::SQS::Queue resource read from a SAM template.
type QueueDef struct {
	// LogicalID is the resource's logical id in the template ("FollowupQueue").
	LogicalID string
	// Attributes are the CreateQueue attributes the template sets
	// ("VisibilityTimeout": "180"), without RedrivePolicy: its target's ARN is
	// only known once that queue exists.
	Attributes map[string]string
	// DeadLetterQueue is the logical id of the queue RedrivePolicy moves
	// messages to, or "" when the queue has no RedrivePolicy.
	DeadLetterQueue string
	// MaxReceiveCount is RedrivePolicy's maxReceiveCount.
	MaxReceiveCount int
}

// queueIntAttributes are the integer properties of AWS::SQS::Queue that are
// CreateQueue attributes of the same name.
var queueIntAttributes = []string{
	"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds",
	"MaximumMessageSize", "ReceiveMessageWaitTimeSeconds",
}

// ignoredQueueProperties change nothing a handler sees: encryption at rest
// (moto reports SqsManagedSseEnabled true whatever is asked), tags, and the
// physical name, which is always prefix + logical id locally.
var ignoredQueueProperties = []string{
	"SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "Tags", "QueueName",
}

// queueTemplate is the part of a SAM template LoadQueues reads; Properties
// stays a node so that intrinsics can be told from literals.
type queueTemplate struct {
	Resources map[string]struct {
		Type       string    `yaml:"Type"`
		Properties yaml.Node `yaml:"Properties"`
	} `yaml:"Resources"`
}

// LoadQueues reads every AWS::SQS::Queue resource of a SAM template, sorted by
// logical id. A property it does not know (FifoQueue, RedriveAllowPolicy…) is
// an error rather than silently dropped, since it would change how the queue
// behaves.
func LoadQueues(templatePath string) ([]QueueDef, error) {
	data, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	defs, err := parseQueues(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", templatePath, err)
	}
	return defs, nil
}

func parseQueues(data []byte) ([]QueueDef, error) {
	var tmpl queueTemplate
	if err := yaml.Unmarshal(data, &tmpl); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	var defs []QueueDef
	for _, id := range slices.Sorted(maps.Keys(tmpl.Resources)) {
		res := tmpl.Resources[id]
		if res.Type != "AWS::SQS::Queue" {
			continue
		}
		def, err := parseQueue(id, &res.Properties)
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		}
		defs = append(defs, def)
	}
	for _, def := range defs {
		if def.DeadLetterQueue == "" {
			continue
		}
		if !slices.ContainsFunc(defs, func(d QueueDef) bool { return d.LogicalID == def.DeadLetterQueue }) {
			return nil, fmt.Errorf("resource %s: deadLetterTargetArn names %s, which is not an AWS::SQS::Queue of the template", def.LogicalID, def.DeadLetterQueue)
		}
	}
	return defs, nil
}

func parseQueue(id string, props *yaml.Node) (QueueDef, error) {
	def := QueueDef{LogicalID: id, Attributes: map[string]string{}}
	// A queue with no properties at all has a null Properties node.
	if props.Kind == 0 || props.Tag == "!!null" {
		return def, nil
	}
	if props.Kind != yaml.MappingNode {
		return QueueDef{}, errors.New("Properties is not a mapping")
	}
	for i := 0; i+1 < len(props.Content); i += 2 {
		key, value := props.Content[i].Value, props.Content[i+1]
		switch {
		case slices.Contains(ignoredQueueProperties, key):
		case slices.Contains(queueIntAttributes, key):
			n, err := literalInt(value)
			if err != nil {
				return QueueDef{}, fmt.Errorf("property %s: %w", key, err)
			}
			def.Attributes[key] = strconv.Itoa(n)
		case key == "RedrivePolicy":
			dlq, maxReceive, err := redrivePolicy(value)
			if err != nil {
				return QueueDef{}, fmt.Errorf("property RedrivePolicy: %w", err)
			}
			def.DeadLetterQueue, def.MaxReceiveCount = dlq, maxReceive
		default:
			return QueueDef{}, fmt.Errorf("property %s is not supported by localaws (add it to queues.go)", key)
		}
	}
	return def, nil
}

// redrivePolicy reads {deadLetterTargetArn: !GetAtt X.Arn, maxReceiveCount: N}.
func redrivePolicy(n *yaml.Node) (dlq string, maxReceive int, err error) {
	if n.Kind != yaml.MappingNode {
		return "", 0, errors.New("not a mapping")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i].Value, n.Content[i+1]
		switch key {
		case "deadLetterTargetArn":
			if dlq, err = getAttArn(value); err != nil {
				return "", 0, fmt.Errorf("deadLetterTargetArn: %w", err)
			}
		case "maxReceiveCount":
			if maxReceive, err = literalInt(value); err != nil {
				return "", 0, fmt.Errorf("maxReceiveCount: %w", err)
			}
		default:
			return "", 0, fmt.Errorf("unknown key %s", key)
		}
	}
	if dlq == "" || maxReceive < 1 {
		return "", 0, errors.New("needs deadLetterTargetArn and a maxReceiveCount of at least 1")
	}
	return dlq, maxReceive, nil
}

// getAttArn returns X from !GetAtt X.Arn, !GetAtt [X, Arn] or
// {Fn::GetAtt: [X, Arn]}: a literal ARN would name a queue of some deployed
// account, which the local stack does not have.
func getAttArn(n *yaml.Node) (string, error) {
	var parts []string
	switch {
	case n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode:
		parts = strings.SplitN(n.Value, ".", 2)
	case n.Tag == "!GetAtt" && n.Kind == yaml.SequenceNode:
		if err := n.Decode(&parts); err != nil {
			return "", err
		}
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Fn::GetAtt":
		v := n.Content[1]
		if v.Kind == yaml.ScalarNode {
			parts = strings.SplitN(v.Value, ".", 2)
		} else if err := v.Decode(&parts); err != nil {
			return "", err
		}
	default:
		return "", errors.New("want !GetAtt <queue>.Arn")
	}
	if len(parts) != 2 || parts[0] == "" || parts[1] != "Arn" {
		return "", errors.New("want !GetAtt <queue>.Arn")
	}
	return parts[0], nil
}

// literalInt reads an integer scalar; yaml.v3 would read "!Ref X" as the
// string "X", so a local tag is rejected explicitly.
func literalInt(n *yaml.Node) (int, error) {
	if n.Kind != yaml.ScalarNode || (strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")) {
		return 0, fmt.Errorf("must be a literal integer, not %s", nodeDesc(n))
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		return 0, fmt.Errorf("must be a literal integer: %w", err)
	}
	return v, nil
}

func nodeDesc(n *yaml.Node) string {
	if n.Tag != "" {
		return n.Tag
	}
	return "a non-scalar value"
}

// QueueAttributesAPI is the SQS call that finds a queue's ARN.
type QueueAttributesAPI interface {
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// QueueCreateAPI is the part of the SQS client CreateQueues uses.
type QueueCreateAPI interface {
	QueueAttributesAPI
	CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, optFns ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
}

var _ QueueCreateAPI = (*sqs.Client)(nil)

// queueName is what SQS accepts as a (standard) queue name.
var queueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// CreateQueues creates the queues of defs, each named prefix + logical id, and
// returns their URLs by logical id. A dead-letter queue is created before the
// queues that redrive to it (SQS, and moto, reject a RedrivePolicy whose
// target does not exist yet). override, when not nil, may change a queue's
// attributes, RedrivePolicy included, just before it is created: tests
// shorten VisibilityTimeout with it.
//
// A queue that already exists is kept: with the same attributes CreateQueue
// simply returns it (make dev restarts); with others, SQS answers
// QueueAlreadyExists and CreateQueues sets the template's attributes on it.
func CreateQueues(ctx context.Context, api QueueCreateAPI, defs []QueueDef, prefix string, override func(logicalID string, attrs map[string]string)) (map[string]string, error) {
	order, err := creationOrder(defs)
	if err != nil {
		return nil, err
	}
	urls := make(map[string]string, len(defs))
	arns := make(map[string]string, len(defs))
	for _, def := range order {
		name := prefix + def.LogicalID
		if !queueName.MatchString(name) {
			return nil, fmt.Errorf("queue name %q: SQS names are 1 to 80 characters of A-Z a-z 0-9 _ -", name)
		}
		attrs := maps.Clone(def.Attributes)
		if attrs == nil {
			attrs = map[string]string{}
		}
		if def.DeadLetterQueue != "" {
			policy, err := json.Marshal(struct {
				DeadLetterTargetArn string `json:"deadLetterTargetArn"`
				MaxReceiveCount     int    `json:"maxReceiveCount"`
			}{arns[def.DeadLetterQueue], def.MaxReceiveCount})
			if err != nil {
				return nil, err
			}
			attrs["RedrivePolicy"] = string(policy)
		}
		if override != nil {
			override(def.LogicalID, attrs)
		}
		url, err := createQueue(ctx, api, name, attrs)
		if err != nil {
			return nil, err
		}
		arn, err := QueueARN(ctx, api, url)
		if err != nil {
			return nil, err
		}
		urls[def.LogicalID], arns[def.LogicalID] = url, arn
	}
	return urls, nil
}

// creationOrder sorts defs so that every dead-letter queue comes before the
// queues naming it, and rejects unknown targets and cycles.
func creationOrder(defs []QueueDef) ([]QueueDef, error) {
	byID := make(map[string]QueueDef, len(defs))
	for _, d := range defs {
		if _, dup := byID[d.LogicalID]; dup {
			return nil, fmt.Errorf("queue %s is defined twice", d.LogicalID)
		}
		byID[d.LogicalID] = d
	}
	var order []QueueDef
	done := make(map[string]bool, len(defs))
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		if done[id] {
			return nil
		}
		if slices.Contains(path, id) {
			return fmt.Errorf("redrive cycle: %s", strings.Join(append(path, id), " -> "))
		}
		d, ok := byID[id]
		if !ok {
			return fmt.Errorf("queue %s redrives to %s, which is not among the queues", path[len(path)-1], id)
		}
		if d.DeadLetterQueue != "" {
			if err := visit(d.DeadLetterQueue, append(path, id)); err != nil {
				return err
			}
		}
		done[id] = true
		order = append(order, d)
		return nil
	}
	for _, d := range defs {
		if err := visit(d.LogicalID, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func createQueue(ctx context.Context, api QueueCreateAPI, name string, attrs map[string]string) (string, error) {
	out, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err == nil {
		return aws.ToString(out.QueueUrl), nil
	}
	if !queueExists(err) {
		return "", fmt.Errorf("create queue %s: %w", name, err)
	}
	got, err := api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("find existing queue %s: %w", name, err)
	}
	set := maps.Clone(attrs)
	// SetQueueAttributes only changes what it is given: an empty
	// RedrivePolicy removes one the template no longer has.
	if _, ok := set["RedrivePolicy"]; !ok {
		set["RedrivePolicy"] = ""
	}
	_, err = api.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: got.QueueUrl, Attributes: set})
	if err != nil {
		return "", fmt.Errorf("update existing queue %s: %w", name, err)
	}
	return aws.ToString(got.QueueUrl), nil
}

// queueExists reports SQS's answer to creating a queue whose name exists with
// other attributes: the SDK's QueueNameExists, or the code QueueAlreadyExists,
// which is what moto sends and the SDK leaves as a generic API error.
func queueExists(err error) bool {
	var exists *sqstypes.QueueNameExists
	if errors.As(err, &exists) {
		return true
	}
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "QueueAlreadyExists"
}

// QueueARN returns the ARN of the queue at url, for QueuePoller.QueueARN.
func QueueARN(ctx context.Context, api QueueAttributesAPI, url string) (string, error) {
	out, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", fmt.Errorf("get ARN of queue %s: %w", url, err)
	}
	arn := out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	if arn == "" {
		return "", fmt.Errorf("queue %s: no QueueArn attribute", url)
	}
	return arn, nil
}
