// Command webhook is the Lambda function on the webhook queue: it POSTs
// each event, signed, to its store's URL, and retries a failed delivery
// with backoff through the queue's visibility timeout.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/sqsqueue"
	"github.com/closeloop/closeloop/internal/webhook"
)

// retryBase is the wait after a first failed delivery, doubling with each
// further one: with the queue's five receives a store's endpoint has about
// 75 minutes to come back before the event is parked in the DLQ.
const retryBase = 5 * time.Minute

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	cfg, awsCfg, err := app.Start(ctx, getenv, app.NeedWebhookQueue)
	if err != nil {
		return err
	}
	db := dynamo.New(dynamo.FromSDK(app.DynamoDB(awsCfg, getenv)), cfg.Table)
	queue := sqsqueue.New(sqsqueue.FromSDK(sqs.NewFromConfig(awsCfg)), cfg.WebhookQueueURL)
	w := webhook.New(db, db, queue, webhook.Config{Base: retryBase}, time.Now)
	lambda.Start(w.Handle)
	return nil
}
