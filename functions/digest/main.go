// Command digest is the hourly Lambda function that sends store owners
// their weekly digest: each store's on its digest weekday from 08:00 store
// time, once per owner address and ISO week however often it runs.
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
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/summary"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "digest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	fn, err := mailapp.Start(ctx, getenv, app.NeedMail)
	if err != nil {
		return err
	}
	db := fn.DB
	service := digest.New(digest.Deps{
		Stores: newDigestStoresView(db), Summaries: summary.New(newSummaryCountersView(db), time.Now),
		Responses: newDigestResponsesView(db), Cases: newDigestCasesView(db), Mail: fn.Mail, Renderer: fn.Renderer,
	}, digest.Config{PublicBaseURL: fn.Config.PublicBaseURL, DefaultSender: fn.Config.SenderAddress}, time.Now)
	lambda.Start(func(ctx context.Context, _ events.EventBridgeEvent) (digest.Report, error) {
		rep, err := service.Run(ctx)
		slog.InfoContext(ctx, "digest run", "report", rep)
		return rep, err
	})
	return nil
}
