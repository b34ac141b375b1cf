// Command shophooks is the Lambda function on the shop hooks queue: a
// Shopify or WooCommerce webhook, verified and queued by the public
// function, becomes a survey, a recorded fulfilment or delivery, a
// cancel, or a privacy request answered.
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
	"github.com/closeloop/closeloop/internal/shophooks"
	"github.com/closeloop/closeloop/internal/survey"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "shophooks:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	fn, err := mailapp.Start(ctx, getenv, app.NeedSender)
	if err != nil {
		return err
	}
	privacy := shophooks.NewRequests(newShophooksCustomerDataView(fn.DB), fn.Mail, fn.Renderer, fn.Config.SenderAddress, time.Now)
	surveys := survey.NewService(newSurveySurveysView(fn.DB), newSurveyCustomersView(fn.DB), time.Now)
	w := shophooks.NewWorker(newShophooksStoresView(fn.DB), newShophooksMarksView(fn.DB), newShophooksSurveysView(fn.DB), surveys, privacy, time.Now)
	lambda.Start(w.Handle)
	return nil
}
