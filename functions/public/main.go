// Command public is the customer pages Lambda function (/s/..., /u/...,
// and the owners' digest unsubscribe page /d/...), behind the HTTP API.
package main

import (
	"context"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/pages"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/survey"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "public:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	cfg, awsCfg, err := app.Start(ctx, getenv, 0)
	if err != nil {
		return err
	}
	renderer, err := render.New()
	if err != nil {
		return err
	}
	db := dynamo.New(app.DynamoDB(awsCfg, getenv), cfg.Table)
	surveys := survey.NewService(db, db, time.Now)
	digests := digest.NewUnsubscribes(db)
	rechecks := followup.NewRecheckAnswers(db, time.Now)
	lambda.Start(httpadapter.NewV2(pages.New(surveys, digests, renderer).WithRechecks(rechecks).Routes()).ProxyWithContext)
	return nil
}
