// Package sqsqueue adapts an SQS queue to the ports that send to it or
// manage its messages: JSON messages in, visibility changes for retries.
package sqsqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// API is the part of the SQS client the adapter uses; tests wrap it to
// inject failures the local stack never produces.
type API interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

var _ API = (*sqs.Client)(nil)

// maxVisibility is the longest visibility timeout SQS accepts.
const maxVisibility = 12 * time.Hour

// Queue is one SQS queue.
type Queue struct {
	api API
	url string
}

// New returns the adapter for the queue at url.
func New(api API, url string) *Queue {
	return &Queue{api: api, url: url}
}

// Send puts v on the queue as one JSON message.
func (q *Queue) Send(ctx context.Context, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("send message: encode: %w", err)
	}
	if _, err := q.api.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(string(body))}); err != nil {
		return fmt.Errorf("send message: %w", err)
	}
	return nil
}

// ChangeVisibility hides a received message for d from now (rounded up
// to whole seconds, as SQS counts); 0 makes it visible at once.
func (q *Queue) ChangeVisibility(ctx context.Context, receiptHandle string, d time.Duration) error {
	if d < 0 || d > maxVisibility {
		return fmt.Errorf("change message visibility: %v is outside 0 to %v", d, maxVisibility)
	}
	seconds := int32(math.Ceil(d.Seconds()))
	_, err := q.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(q.url), ReceiptHandle: aws.String(receiptHandle), VisibilityTimeout: seconds,
	})
	if err != nil {
		return fmt.Errorf("change message visibility: %w", err)
	}
	return nil
}
