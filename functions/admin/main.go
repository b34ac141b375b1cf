// Command admin is the store API Lambda function (/v1/...), behind the HTTP API.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/storeapi"
	"github.com/closeloop/closeloop/internal/summary"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/webhook"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "admin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	cfg, awsCfg, err := app.Start(ctx, getenv, 0)
	if err != nil {
		return err
	}
	db := dynamo.New(dynamo.FromSDK(app.DynamoDB(awsCfg, getenv)), cfg.Table)
	api := storeapi.New(storeapi.Deps{
		Keys: db, Stores: db, Surveys: db, Points: db, Responses: db, Suppressions: db, Privacy: db,
		Ingest:    survey.NewService(db, db, time.Now),
		Followups: followup.NewService(db, time.Now),
		Summaries: summary.New(db, time.Now),
		CheckWebhookURL: func(ctx context.Context, raw string) error {
			return webhook.ValidateURL(ctx, raw, net.DefaultResolver, false)
		},
	}, time.Now)
	proxy := httpadapter.NewV2(api.Routes())
	lambda.Start(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		// The HTTP API delivers the path percent-decoded; addresses in it
		// must reach the mux escaped.
		ev.RawPath = storeapi.EscapeDecodedPath(ev.RawPath)
		return proxy.ProxyWithContext(ctx, ev)
	})
	return nil
}
