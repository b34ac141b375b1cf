// Command dispatch is the Lambda function that sends due survey emails,
// run every minute by an EventBridge schedule with a concurrency of one.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dispatch"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "dispatch:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	product, err := app.Start(ctx, getenv, app.NeedMail)
	if err != nil {
		return err
	}
	lambda.Start(func(ctx context.Context, _ events.EventBridgeEvent) (dispatch.Report, error) {
		rep, err := product.Dispatcher.Run(ctx)
		slog.InfoContext(ctx, "dispatch run", "report", rep)
		return rep, err
	})
	return nil
}
