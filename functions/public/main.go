// Command public is the customer pages Lambda function (/s/..., /u/...,
// and the owners' digest unsubscribe page /d/...), behind the HTTP API,
// and the receiver of the shop platforms' webhooks (/hooks/...), which
// queues what it verified.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/pages"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/shophooks"
	"github.com/closeloop/closeloop/internal/sqsqueue"
	"github.com/closeloop/closeloop/internal/survey"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "public:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	cfg, awsCfg, err := app.Start(ctx, getenv, app.NeedShopHooksQueue)
	if err != nil {
		return err
	}
	renderer, err := render.New()
	if err != nil {
		return err
	}
	db := dynamo.New(dynamo.FromSDK(app.DynamoDB(awsCfg, getenv)), cfg.Table)
	surveys := survey.NewService(newSurveySurveysView(db), newSurveyCustomersView(db), time.Now)
	digests := digest.NewUnsubscribes(newDigestOptOutsView(db))
	rechecks := followup.NewRecheckAnswers(newFollowupRecheckStoreView(db), time.Now)
	hooks := shophooks.NewReceiver(newShophooksStoresView(db), sqsqueue.New(sqsqueue.FromSDK(sqs.NewFromConfig(awsCfg)), cfg.ShopHooksQueueURL), time.Now)
	mux := http.NewServeMux()
	mux.Handle("/hooks/", hooks.Routes())
	mux.Handle("/", pages.New(surveys, digests, renderer).WithRechecks(rechecks).Routes())
	lambda.Start(httpadapter.NewV2(mux).ProxyWithContext)
	return nil
}
