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
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/relay"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sesmail"
	"github.com/closeloop/closeloop/internal/sqsqueue"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	cfg, awsCfg, err := app.Start(ctx, getenv, app.NeedSender|app.NeedFollowupQueue|app.NeedWebhookQueue)
	if err != nil {
		return err
	}
	renderer, err := render.New()
	if err != nil {
		return err
	}
	db := dynamo.New(app.DynamoDB(awsCfg, getenv), cfg.Table)
	queues := sqs.NewFromConfig(awsCfg)
	mail := mailing.New(db, sesmail.New(sesv2.NewFromConfig(awsCfg), cfg.ConfigurationSet), time.Now)
	r := relay.New(dynamo.DecodeChange, db, db, mail,
		sqsqueue.New(queues, cfg.FollowupQueueURL), sqsqueue.New(queues, cfg.WebhookQueueURL),
		renderer, relay.Config{DefaultSender: cfg.SenderAddress}, time.Now)
	lambda.Start(r.Handle)
	return nil
}
