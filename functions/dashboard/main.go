// Command dashboard is the owners' and support's pages Lambda function
// (/app/...), behind the HTTP API.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dashboard"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sesmail"
	"github.com/closeloop/closeloop/internal/settings"
	"github.com/closeloop/closeloop/internal/signin"
	"github.com/closeloop/closeloop/internal/summary"
	"github.com/closeloop/closeloop/internal/webhook"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	// PUBLIC_BASE_URL may be empty: links then use the request's host.
	cfg, awsCfg, err := app.Start(ctx, getenv, app.NeedSender)
	if err != nil {
		return err
	}
	db := dynamo.New(dynamo.FromSDK(app.DynamoDB(awsCfg, getenv)), cfg.Table)
	renderer, err := render.New()
	if err != nil {
		return err
	}
	// Sign-in links go straight to SES: see signin.Service.RequestLink.
	signIn := signin.New(db, sesmail.New(sesmail.FromSDK(sesv2.NewFromConfig(awsCfg)), cfg.ConfigurationSet), renderer, signin.Config{
		PublicBaseURL: cfg.PublicBaseURL, DefaultSender: cfg.SenderAddress, MinAnswer: signin.DefaultMinAnswer,
	}, time.Now)
	d, err := dashboard.New(dashboard.Deps{
		Stores: db, Responses: db,
		Followups: followup.NewService(db, time.Now),
		Summaries: summary.New(db, time.Now),
		Settings: settings.New(db, func(ctx context.Context, raw string) error {
			return webhook.ValidateURL(ctx, raw, net.DefaultResolver, false)
		}),
		Keys:          db,
		DefaultSender: cfg.SenderAddress,
		Auth:          dashboard.SessionAuth(signIn),
		SignIn:        signIn,
	}, time.Now)
	if err != nil {
		return err
	}
	lambda.Start(httpadapter.NewV2(d.Routes()).ProxyWithContext)
	return nil
}
