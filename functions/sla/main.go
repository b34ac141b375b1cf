// Command sla is the scheduled Lambda function that re-alerts support
// about follow-up cases still unresolved past their SLA, once per SLA
// period per case, sends stores their hourly alerts of new cases, and sends
// the recovery checks that are due.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/app/mailapp"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/slack"
	"github.com/closeloop/closeloop/internal/webhook"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "sla:", err)
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
	}).WithAlerts(slack.New(fn.Deliveries, webhook.ClientConfig{}, time.Now), newFollowupHourlyAlertsView(fn.DB), time.Now)
	checker := followup.NewChecker(newFollowupOverdueView(fn.DB), w, time.Now).WithRechecks(followup.NewRechecker(newFollowupRechecksView(fn.DB), w, time.Now))
	lambda.Start(func(ctx context.Context, _ events.EventBridgeEvent) (followup.SLAReport, error) {
		rep, err := checker.Run(ctx)
		slog.InfoContext(ctx, "sla check", "report", rep)
		return rep, err
	})
	return nil
}
