// Command dispatch is the Lambda function that sends due survey emails,
// run every minute by an EventBridge schedule. One run sends at a time
// (the run lock in the table); each run prints its report to stdout as a
// line of CloudWatch embedded metric format, for the alarms.
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
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sesmail"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "dispatch:", err)
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
	db := dynamo.New(dynamo.FromSDK(app.DynamoDB(awsCfg, getenv)), cfg.Table)
	mailer := sesmail.New(sesmail.FromSDK(sesv2.NewFromConfig(awsCfg)), cfg.ConfigurationSet)
	dispatcher := dispatch.New(newDispatchSurveysView(db), newDispatchStoresView(db), mailer, renderer, dispatch.Config{
		PublicBaseURL: cfg.PublicBaseURL,
		DefaultSender: cfg.SenderAddress,
		AccountRate:   cfg.SESMaxSendRate,
	}, time.Now)
	lambda.Start(func(ctx context.Context, _ events.EventBridgeEvent) (dispatch.Report, error) {
		rep, err := dispatcher.Run(ctx)
		os.Stdout.Write(rep.EMF(cfg.Stage, time.Now()))
		if err != nil {
			slog.ErrorContext(ctx, "dispatch run", "report", rep, "err", err)
		}
		return rep, err
	})
	return nil
}
