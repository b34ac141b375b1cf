package localaws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// QueueAPI is the part of the SQS client QueuePoller uses.
type QueueAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
}

var _ QueueAPI = (*sqs.Client)(nil)

// maxQueueBatch is the most messages one ReceiveMessage or
// DeleteMessageBatch call takes.
const maxQueueBatch = 10

// QueuePoller does what an SQS event source mapping with
// ReportBatchItemFailures does: it receives a batch, hands it to Handler as
// an events.SQSEvent, and deletes the messages the handler did not report as
// failed. A failed message stays in the queue and is received again once its
// visibility timeout (the queue's, or what the handler set with
// ChangeMessageVisibility) runs out; the queue's RedrivePolicy moves it to the
// dead-letter queue after maxReceiveCount receives.
//
// moto_server does that redrive itself, as SQS does: on a ReceiveMessage, a
// visible message already received maxReceiveCount times is moved to the DLQ
// instead of returned (so the move happens on the next receive, not when the
// last attempt fails), keeping its body, attributes and receive count. It
// only needs the DLQ to exist before the queue naming it, which
// CreateQueues ensures. moto's long poll is woken by new messages only: a
// message turning visible again is noticed at its next rescan, within a
// second.
//
// A QueuePoller is not safe for concurrent use; run one per queue.
type QueuePoller struct {
	// API is the SQS client.
	API QueueAPI
	// QueueURL is the queue to receive from.
	QueueURL string
	// QueueARN is the queue's ARN, the events' eventSourceARN (see QueueARN).
	QueueARN string
	// Region is the events' awsRegion; when empty it is taken from QueueARN.
	Region string
	// Handler is the function the event source mapping would invoke.
	Handler func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	// BatchSize is the most messages in one event, 1 to 10; 0 means 10.
	BatchSize int
	// Wait is the long-poll time of a ReceiveMessage, whole seconds up to
	// 20 s; 0 returns at once when the queue is empty.
	Wait time.Duration
}

// PollOnce receives one batch and, when it is not empty, invokes Handler with
// it and deletes the messages that succeeded. It returns how many messages
// it received. A handler error (or panic) deletes none, as in Lambda, and is
// returned wrapped, after the messages were left for redelivery.
func (p *QueuePoller) PollOnce(ctx context.Context) (received int, err error) {
	if err := p.check(); err != nil {
		return 0, err
	}
	batch := p.BatchSize
	if batch == 0 {
		batch = maxQueueBatch
	}
	out, err := p.API.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(p.QueueURL),
		MaxNumberOfMessages: int32(batch),
		WaitTimeSeconds:     int32(min(p.Wait, 20*time.Second) / time.Second),
		// AttributeNames is deprecated in favour of MessageSystemAttributeNames,
		// which moto honours too.
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		return 0, fmt.Errorf("receive from %s: %w", p.QueueURL, err)
	}
	if len(out.Messages) == 0 {
		return 0, nil
	}
	event := p.event(out.Messages)
	resp, err := invokeSQS(ctx, p.Handler, event)
	if err != nil {
		return len(out.Messages), fmt.Errorf("handler (messages %s): %w", messageIDs(event.Records), err)
	}
	failed, err := failedMessages(event, resp)
	if err != nil {
		return len(out.Messages), err
	}
	var done []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range out.Messages {
		if !failed[aws.ToString(m.MessageId)] {
			done = append(done, sqstypes.DeleteMessageBatchRequestEntry{
				Id:            aws.String(strconv.Itoa(i)),
				ReceiptHandle: m.ReceiptHandle,
			})
		}
	}
	if err := p.delete(ctx, done); err != nil {
		return len(out.Messages), err
	}
	return len(out.Messages), nil
}

func (p *QueuePoller) check() error {
	switch {
	case p.API == nil || p.Handler == nil:
		return errors.New("QueuePoller needs an API and a Handler")
	case p.QueueURL == "" || p.QueueARN == "":
		return errors.New("QueuePoller needs QueueURL and QueueARN")
	case p.BatchSize < 0 || p.BatchSize > maxQueueBatch:
		return fmt.Errorf("QueuePoller BatchSize %d: want 1 to %d", p.BatchSize, maxQueueBatch)
	}
	return nil
}

// invokeSQS calls the handler, turning a panic into an error as the Lambda
// runtime does, so that one bad message cannot stop make dev.
func invokeSQS(ctx context.Context, h func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), e events.SQSEvent) (resp events.SQSEventResponse, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked: %v", v)
		}
	}()
	return h(ctx, e)
}

// failedMessages returns the message ids the response names. Like Lambda, it
// treats a response naming an empty or unknown id as failing the whole batch:
// deleting messages on a malformed answer could lose them.
func failedMessages(e events.SQSEvent, resp events.SQSEventResponse) (map[string]bool, error) {
	inBatch := make(map[string]bool, len(e.Records))
	for _, r := range e.Records {
		inBatch[r.MessageId] = true
	}
	failed := make(map[string]bool, len(resp.BatchItemFailures))
	for _, f := range resp.BatchItemFailures {
		if !inBatch[f.ItemIdentifier] {
			return nil, fmt.Errorf("handler reported failed item %q, which is not a message of the batch (messages %s): none deleted", f.ItemIdentifier, messageIDs(e.Records))
		}
		failed[f.ItemIdentifier] = true
	}
	return failed, nil
}

func (p *QueuePoller) delete(ctx context.Context, entries []sqstypes.DeleteMessageBatchRequestEntry) error {
	if len(entries) == 0 {
		return nil
	}
	out, err := p.API.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.QueueURL), Entries: entries})
	if err != nil {
		return fmt.Errorf("delete from %s: %w", p.QueueURL, err)
	}
	if len(out.Failed) > 0 {
		var reasons []string
		for _, f := range out.Failed {
			reasons = append(reasons, aws.ToString(f.Id)+": "+aws.ToString(f.Code))
		}
		return fmt.Errorf("delete from %s: %d of %d failed (%s)", p.QueueURL, len(out.Failed), len(entries), strings.Join(reasons, ", "))
	}
	return nil
}

// event builds the SQSEvent Lambda would deliver for msgs.
func (p *QueuePoller) event(msgs []sqstypes.Message) events.SQSEvent {
	region := p.Region
	if region == "" {
		region = arnRegion(p.QueueARN)
	}
	e := events.SQSEvent{Records: make([]events.SQSMessage, 0, len(msgs))}
	for _, m := range msgs {
		attrs := maps.Clone(m.Attributes)
		if attrs == nil {
			attrs = map[string]string{}
		}
		msgAttrs := make(map[string]events.SQSMessageAttribute, len(m.MessageAttributes))
		for name, a := range m.MessageAttributes {
			msgAttrs[name] = sqsMessageAttribute(a)
		}
		e.Records = append(e.Records, events.SQSMessage{
			MessageId:              aws.ToString(m.MessageId),
			ReceiptHandle:          aws.ToString(m.ReceiptHandle),
			Body:                   aws.ToString(m.Body),
			Md5OfBody:              aws.ToString(m.MD5OfBody),
			Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
			Attributes:             attrs,
			MessageAttributes:      msgAttrs,
			EventSourceARN:         p.QueueARN,
			EventSource:            "aws:sqs",
			AWSRegion:              region,
		})
	}
	return e
}

// sqsMessageAttribute converts a message attribute; Lambda delivers the list
// values as empty arrays, never null.
func sqsMessageAttribute(a sqstypes.MessageAttributeValue) events.SQSMessageAttribute {
	out := events.SQSMessageAttribute{
		StringValue:      a.StringValue,
		BinaryValue:      a.BinaryValue,
		StringListValues: a.StringListValues,
		BinaryListValues: a.BinaryListValues,
		DataType:         aws.ToString(a.DataType),
	}
	if out.StringListValues == nil {
		out.StringListValues = []string{}
	}
	if out.BinaryListValues == nil {
		out.BinaryListValues = [][]byte{}
	}
	return out
}

// arnRegion returns the region field of an ARN (arn:aws:sqs:REGION:…).
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// messageIDs lists the ids of a batch for logs and errors, which must never
// carry message bodies (they hold customers' data).
func messageIDs(records []events.SQSMessage) string {
	ids := make([]string, len(records))
	for i, r := range records {
		ids[i] = r.MessageId
	}
	return strings.Join(ids, ",")
}

// Run calls PollOnce until ctx ends, waiting idle after a round that received
// nothing or failed. Errors, handler errors included, are logged with
// log/slog, never with message bodies. It returns ctx's error.
func (p *QueuePoller) Run(ctx context.Context, idle time.Duration) error {
	for {
		n, err := p.PollOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			slog.ErrorContext(ctx, "queue poll failed", "queue", p.QueueURL, "received", n, "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(idle):
		}
	}
}
