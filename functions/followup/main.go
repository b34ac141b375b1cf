// Command followup is the Lambda function on the follow-up queue: it
// alerts support about a new case, acknowledges the customer, and sends
// the closing email of a resolved case.
package main

import (
	"context"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sesmail"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "followup:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	cfg, awsCfg, err := app.Start(ctx, getenv, app.NeedMail)
	if err != nil {
		return err
	}
	renderer, err := render.New()
	if err != nil {
		return err
	}
	db := dynamo.New(app.DynamoDB(awsCfg, getenv), cfg.Table)
	mail := mailing.New(db, sesmail.New(sesv2.NewFromConfig(awsCfg), cfg.ConfigurationSet), time.Now)
	w := followup.NewWorker(db, db, mail, renderer, followup.MailConfig{
		PublicBaseURL: cfg.PublicBaseURL, DefaultSender: cfg.SenderAddress,
	})
	lambda.Start(w.Handle)
	return nil
}
