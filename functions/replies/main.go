// Command replies is the Lambda function on the replies queue: a
// customer's email reply to a case email, received by SES, becomes a note
// on the case (reopening a resolved one) and an alert to support.
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
	"github.com/closeloop/closeloop/internal/replies"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "replies:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	fn, err := mailapp.Start(ctx, getenv, app.NeedMail)
	if err != nil {
		return err
	}
	h := replies.New(newRepliesCasesView(fn.DB), newRepliesStoresView(fn.DB), fn.Mail, fn.Renderer, replies.Config{
		ReplyDomain: fn.Config.ReplyDomain, PublicBaseURL: fn.Config.PublicBaseURL,
		DefaultSender: fn.Config.SenderAddress, Stage: fn.Config.Stage,
	}, os.Stdout, time.Now)
	lambda.Start(h.Handle)
	return nil
}
