// Package sqsqueue adapts an SQS queue to the ports that send to it or
// manage its messages: JSON messages in, visibility changes for retries.
package sqsqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// API is the part of the SQS client the adapter uses; tests wrap it to
// inject failures the local stack never produces.
type API interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

var _ API = (*sqs.Client)(nil)

// SQS's limits on one SendMessageBatch call: ten entries, and 1 MiB of
// bodies together.
const (
	maxBatchEntries = 10
	maxBatchBytes   = 1 << 20
)

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

// BatchError reports the values of a SendBatch that were not sent; the
// others were. Retrying only Failed avoids sending the rest twice.
type BatchError struct {
	Failed []int  // indexes into the values given to SendBatch
	Reason string // the first failure, for the log
	Err    error  // the call's error, when a whole call failed
}

// Error implements error.
func (e *BatchError) Error() string {
	return fmt.Sprintf("send message batch: %d not sent: %s", len(e.Failed), e.Reason)
}

// Unwrap returns the error of the call that failed, if any.
func (e *BatchError) Unwrap() error { return e.Err }

// SendBatch puts each value on the queue as a JSON message, in as few calls
// as SQS's limits allow. It fails with a *BatchError when any value was not
// sent; it stops at the first call that fails as a whole (the service is
// likely unavailable) and counts every value from there as not sent.
func (q *Queue) SendBatch(ctx context.Context, vs []any) error {
	bodies := make([]string, len(vs))
	for i, v := range vs {
		body, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("send message batch: encode value %d: %w", i, err)
		}
		bodies[i] = string(body)
	}
	var failed []int
	var reason string
	for start := 0; start < len(bodies); {
		end, size := start, 0
		for end < len(bodies) && end-start < maxBatchEntries && (end == start || size+len(bodies[end]) <= maxBatchBytes) {
			size += len(bodies[end])
			end++
		}
		entries := make([]types.SendMessageBatchRequestEntry, 0, end-start)
		for i := start; i < end; i++ {
			// The index is the entry's ID, so failures map back to values.
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(bodies[i])})
		}
		out, err := q.api.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
		if err != nil {
			for i := start; i < len(bodies); i++ {
				failed = append(failed, i)
			}
			return &BatchError{Failed: failed, Reason: err.Error(), Err: err}
		}
		for _, f := range out.Failed {
			i, err := strconv.Atoi(aws.ToString(f.Id))
			if err != nil || i < start || i >= end {
				return fmt.Errorf("send message batch: SQS reported an unknown entry %q failed", aws.ToString(f.Id))
			}
			failed = append(failed, i)
			if reason == "" {
				reason = aws.ToString(f.Code) + ": " + aws.ToString(f.Message)
			}
		}
		start = end
	}
	if len(failed) > 0 {
		return &BatchError{Failed: failed, Reason: strings.TrimSpace(reason)}
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
