// Command followup is the Lambda function on the follow-up queue: it
// alerts support about a new case (by email and Slack, or in the store's
// hourly list), acknowledges the customer, and sends the closing email of
// a resolved case.
package main

import (
	"context"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/app/mailapp"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/slack"
	"github.com/closeloop/closeloop/internal/webhook"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "followup:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	fn, err := mailapp.Start(ctx, getenv, app.NeedMail)
	if err != nil {
		return err
	}
	w := followup.NewWorker(newFollowupCaseReaderView(fn.DB), newFollowupStoresView(fn.DB), fn.Mail, fn.Renderer, followup.MailConfig{
		PublicBaseURL: fn.Config.PublicBaseURL, DefaultSender: fn.Config.SenderAddress,
		ReplyDomain: fn.Config.ReplyDomain,
	}).WithAlerts(slack.New(fn.Deliveries, webhook.ClientConfig{}, time.Now), newFollowupHourlyAlertsView(fn.DB), time.Now)
	lambda.Start(w.Handle)
	return nil
}
