// Package mailapp is the cold start that every function sending email
// after an answer shares: its configuration, the table, the parsed
// templates and the one sending path over SES. Functions that send no
// email never import it, so they link no SES client.
package mailapp

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sesmail"
)

// Function is what a mail-sending function's main wires its handler from.
type Function struct {
	Config   app.Config
	AWS      aws.Config
	DB       *dynamo.DB
	Renderer *render.Renderer
	Mail     *mailing.Sender

	// Deliveries is DB as mailing.Deliveries (a view: see views.go), for
	// the Slack poster; Mail records its deliveries through it too.
	Deliveries mailing.Deliveries
}

// Start is the cold start of a function that sends email: app.Start with
// needs, then the table, the templates and the sending path, built once.
func Start(ctx context.Context, getenv func(string) string, needs app.Need) (Function, error) {
	cfg, awsCfg, err := app.Start(ctx, getenv, needs|app.NeedSender)
	if err != nil {
		return Function{}, err
	}
	renderer, err := render.New()
	if err != nil {
		return Function{}, err
	}
	db := dynamo.New(dynamo.FromSDK(app.DynamoDB(awsCfg, getenv)), cfg.Table)
	mailer := sesmail.New(sesmail.FromSDK(sesv2.NewFromConfig(awsCfg)), cfg.ConfigurationSet)
	deliveries := newMailingDeliveriesView(db)
	return Function{
		Config: cfg, AWS: awsCfg, DB: db, Renderer: renderer,
		Mail: mailing.New(deliveries, mailer, time.Now), Deliveries: deliveries,
	}, nil
}
