// Package sqsbatch runs the messages of a Lambda SQS batch one at a time
// and reports the ones that failed (the partial batch response of
// ReportBatchItemFailures): they come back after their visibility timeout,
// and after the queue's last try wait in its DLQ.
package sqsbatch

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// ErrLater marks a message to receive again that is no failure (its
// order has not arrived yet): it is reported, not logged.
var ErrLater = errors.New("not yet")

// Each hands every message of ev to handle in turn and reports those it
// returned an error for, logging each error under failed.
func Each(ctx context.Context, ev events.SQSEvent, failed string, handle func(context.Context, events.SQSMessage) error) events.SQSEventResponse {
	var resp events.SQSEventResponse
	for _, m := range ev.Records {
		if err := handle(ctx, m); err != nil {
			if !errors.Is(err, ErrLater) {
				slog.ErrorContext(ctx, failed, "message_id", m.MessageId, "err", err)
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp
}
