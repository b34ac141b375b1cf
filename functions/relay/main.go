// Command relay is the Lambda function on the table's stream: the
// thank-you email after a happy answer, new and resolved cases to the
// follow-up queue, and store events to the webhook queue.
package main

import (
	"context"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/app/mailapp"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/relay"
	"github.com/closeloop/closeloop/internal/sqsqueue"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	fn, err := mailapp.Start(ctx, getenv, app.NeedFollowupQueue|app.NeedWebhookQueue)
	if err != nil {
		return err
	}
	cfg, db := fn.Config, fn.DB
	queues := sqsqueue.FromSDK(sqs.NewFromConfig(fn.AWS))
	r := relay.New(dynamo.DecodeChange, newRelayCountersView(db), newRelayStoresView(db), fn.Mail,
		sqsqueue.New(queues, cfg.FollowupQueueURL), sqsqueue.New(queues, cfg.WebhookQueueURL),
		fn.Renderer, relay.Config{DefaultSender: cfg.SenderAddress}, time.Now)
	lambda.Start(r.Handle)
	return nil
}
