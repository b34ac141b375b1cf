package app

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/pages"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sesmail"
	"github.com/closeloop/closeloop/internal/storeapi"
	"github.com/closeloop/closeloop/internal/survey"
)

// Product is every handler of the product, built from one configuration.
// Each Lambda function uses its part; the local server uses all of it.
type Product struct {
	Config     Config
	AWS        AWS
	DB         *dynamo.DB
	Surveys    *survey.Service
	StoreAPI   *storeapi.API
	Pages      *pages.Pages
	Dispatcher *dispatch.Dispatcher
}

// NewProduct builds the handlers over the given clients.
func NewProduct(cfg Config, clients AWS, now func() time.Time) (*Product, error) {
	renderer, err := render.New()
	if err != nil {
		return nil, err
	}
	db := dynamo.New(clients.DynamoDB, cfg.Table)
	surveys := survey.NewService(db, now)
	mailer := sesmail.New(clients.SES, cfg.ConfigurationSet)
	return &Product{
		Config:   cfg,
		AWS:      clients,
		DB:       db,
		Surveys:  surveys,
		StoreAPI: storeapi.New(db, surveys, now),
		Pages:    pages.New(surveys, renderer),
		Dispatcher: dispatch.New(db, db, mailer, renderer, dispatch.Config{
			PublicBaseURL: cfg.PublicBaseURL,
			DefaultSender: cfg.SenderAddress,
		}, now),
	}, nil
}

// Start is a function's cold start: JSON logging, the configuration with
// what the function needs, AWS clients and the handlers, built once.
func Start(ctx context.Context, getenv func(string) string, needs Need) (*Product, error) {
	SetupLogging()
	cfg, err := LoadConfig(getenv, needs)
	if err != nil {
		return nil, err
	}
	clients, err := NewAWS(ctx, getenv)
	if err != nil {
		return nil, err
	}
	return NewProduct(cfg, clients, time.Now)
}
