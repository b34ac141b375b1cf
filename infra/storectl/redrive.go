package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// redriveAPI is the part of the SQS client redrive uses.
type redriveAPI interface {
	sqs.ListDeadLetterSourceQueuesAPIClient
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
}

var _ redriveAPI = (*sqs.Client)(nil)

// redriveHold is how long a message received from the dead-letter queue
// stays hidden there while it is sent on: far longer than one SendMessage.
// A message whose send failed comes back to the DLQ after it.
const redriveHold = 60

// redrive sends the messages parked in a dead-letter queue back to the
// queue they came from.
func redrive(ctx context.Context, args []string, _ func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("redrive", flag.ContinueOnError)
	dlq := flags.String("queue-url", "", "the dead-letter queue's URL")
	to := flags.String("to", "", "the queue to send the messages to (default: the one queue whose RedrivePolicy names the DLQ)")
	limit := flags.Int("max", 0, "the most messages to move (default: as many as the DLQ holds when the command starts)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *dlq == "" || *limit < 0 {
		return errors.New("-queue-url is required, and -max cannot be negative")
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load aws config: %w", err)
	}
	return redriveQueue(ctx, sqs.NewFromConfig(awsCfg), *dlq, *to, *limit, out)
}

// redriveQueue moves up to limit messages (0: as many as dlq holds now)
// from dlq to the queue at to, or when to is "" to the one queue whose
// RedrivePolicy names dlq. Each message keeps its body and message
// attributes, and leaves the DLQ only once the send succeeded: a failure
// stops the run with the message still in the DLQ. A message can arrive
// twice when the delete fails after its send (the product's consumers are
// idempotent); it is never lost.
func redriveQueue(ctx context.Context, api redriveAPI, dlq, to string, limit int, out io.Writer) error {
	if to == "" {
		var err error
		if to, err = sourceQueue(ctx, api, dlq); err != nil {
			return err
		}
	}
	if to == dlq {
		return errors.New("-to is the dead-letter queue itself")
	}
	if limit == 0 {
		// Only what is parked now: a message that fails again while the
		// run goes on comes back to the DLQ, and is not chased round.
		held, err := queueLength(ctx, api, dlq)
		if err != nil {
			return err
		}
		limit = held
	}
	fmt.Fprintf(out, "redriving up to %d messages from %s to %s\n", limit, dlq, to)
	moved := 0
	for moved < limit {
		got, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:              aws.String(dlq),
			MaxNumberOfMessages:   int32(min(10, limit-moved)),
			MessageAttributeNames: []string{"All"},
			VisibilityTimeout:     redriveHold,
			// Long polling asks every SQS server: a short poll can come
			// back empty while messages wait.
			WaitTimeSeconds: 2,
		})
		if err != nil {
			return fmt.Errorf("receive from the DLQ after %d moved: %w", moved, err)
		}
		if len(got.Messages) == 0 {
			break
		}
		for _, m := range got.Messages {
			_, err := api.SendMessage(ctx, &sqs.SendMessageInput{
				QueueUrl: aws.String(to), MessageBody: m.Body, MessageAttributes: m.MessageAttributes,
			})
			if err != nil {
				return fmt.Errorf("send message %s after %d moved (it stays in the DLQ): %w", aws.ToString(m.MessageId), moved, err)
			}
			_, err = api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(dlq), ReceiptHandle: m.ReceiptHandle})
			if err != nil {
				return fmt.Errorf("delete message %s from the DLQ after sending it (it will be redriven again): %w", aws.ToString(m.MessageId), err)
			}
			moved++
			fmt.Fprintf(out, "moved %s\n", aws.ToString(m.MessageId))
		}
	}
	fmt.Fprintf(out, "%d messages moved\n", moved)
	return nil
}

// sourceQueue finds the one queue whose RedrivePolicy names dlq: a DLQ
// itself does not know where its messages came from.
func sourceQueue(ctx context.Context, api redriveAPI, dlq string) (string, error) {
	var sources []string
	pages := sqs.NewListDeadLetterSourceQueuesPaginator(api, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("find the queues that use the DLQ: %w", err)
		}
		sources = append(sources, page.QueueUrls...)
	}
	switch len(sources) {
	case 1:
		return sources[0], nil
	case 0:
		return "", errors.New("no queue's RedrivePolicy names this dead-letter queue: give the queue to send to with -to")
	}
	return "", fmt.Errorf("%d queues use this dead-letter queue (%s): choose one with -to", len(sources), strings.Join(sources, ", "))
}

// queueLength is the approximate number of visible messages on a queue.
func queueLength(ctx context.Context, api redriveAPI, url string) (int, error) {
	out, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages},
	})
	if err != nil {
		return 0, fmt.Errorf("count the DLQ's messages: %w", err)
	}
	n, err := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	if err != nil {
		return 0, fmt.Errorf("count the DLQ's messages: %w", err)
	}
	return n, nil
}
