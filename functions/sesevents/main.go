// Command sesevents is the Lambda function on the SES events queue: a
// permanent bounce or a complaint suppresses the address in the store that
// sent the email, a transient bounce is counted.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/sesevents"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "sesevents:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	cfg, awsCfg, err := app.Start(ctx, getenv, 0)
	if err != nil {
		return err
	}
	db := dynamo.New(dynamo.FromSDK(app.DynamoDB(awsCfg, getenv)), cfg.Table)
	lambda.Start(sesevents.New(db, time.Now).Handle)
	return nil
}
