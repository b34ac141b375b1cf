// Package local runs the whole product in one process: every function's
// handlers over one set of clients, and the event sources Lambda would run
// (the table's stream and the queues), for `make dev` and the
// integration tests. Deployed functions never use it: each function's main
// wires only what that function uses.
package local

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/dashboard"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/localaws"
	"github.com/closeloop/closeloop/internal/pages"
	"github.com/closeloop/closeloop/internal/relay"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/replies"
	"github.com/closeloop/closeloop/internal/sesevents"
	"github.com/closeloop/closeloop/internal/settings"
	"github.com/closeloop/closeloop/internal/shophooks"
	"github.com/closeloop/closeloop/internal/signin"
	"github.com/closeloop/closeloop/internal/slack"
	"github.com/closeloop/closeloop/internal/sqsqueue"
	"github.com/closeloop/closeloop/internal/storeapi"
	"github.com/closeloop/closeloop/internal/summary"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/webhook"
)

// Clients are the AWS clients of the local stack.
type Clients struct {
	DynamoDB *dynamodb.Client
	Streams  *dynamodbstreams.Client
	SES      *sesv2.Client
	SQS      *sqs.Client
}

// Options are the local differences from a deployment.
type Options struct {
	// Template is the SAM template the queues are created from.
	Template string
	// QueuePrefix names this run's queues (prefix + logical ID).
	QueuePrefix string
	// VisibilityTimeout, when set, replaces the queues' own, so that a
	// failed message comes back within a test.
	VisibilityTimeout time.Duration
	// WebhookRetryBase is the webhook worker's first backoff.
	WebhookRetryBase time.Duration
	// WebhookLoopback lets webhooks reach 127.0.0.1 (a receiver in a test
	// or on the developer's machine); deployments never allow it.
	WebhookLoopback bool
	// WebhookRootCAs trusts a test receiver's certificate.
	WebhookRootCAs *x509.CertPool
	// Resolver resolves webhook hosts when settings are saved.
	Resolver webhook.Resolver
	// SignInMinAnswer is the least time a sign-in request takes
	// (signin.Config.MinAnswer); 0 in tests that do not measure it.
	SignInMinAnswer time.Duration
}

// Product is every handler of the product over one table.
type Product struct {
	Config     app.Config
	Clients    Clients
	DB         *dynamo.DB
	Surveys    *survey.Service
	StoreAPI   *storeapi.API
	Pages      *pages.Pages
	Dispatcher *dispatch.Dispatcher
	Relay      *relay.Relay
	Followups  *followup.Worker
	SLA        *followup.Checker
	Digest     *digest.Service
	Webhooks   *webhook.Worker
	SesEvents  *sesevents.Handler
	// Queues are the queue URLs by the template's logical IDs.
	Queues map[string]string

	// Replies puts customers' emailed replies on their cases.
	Replies *replies.Handler

	stream     *localaws.StreamPoller
	followupQ  *localaws.QueuePoller
	webhookQ   *localaws.QueuePoller
	sesEventsQ *localaws.QueuePoller
	streamFail *sqsqueue.Queue
	functions  map[string]wiring
	repliesQ   *localaws.QueuePoller

	// Shop webhooks: the receiver (the public function's) and the worker
	// on its queue.
	ShopHookReceiver *shophooks.Receiver
	ShopHooks        *shophooks.Worker
	shopHooksQ       *localaws.QueuePoller

	// Dashboard is the owners' and support's pages (/app).
	Dashboard *dashboard.Dashboard
	// SignIn signs staff in to the dashboard (make dev prints a link).
	SignIn *signin.Service
}

// New creates the template's queues and builds every handler over clients;
// now is the clock.
func New(ctx context.Context, cfg app.Config, clients Clients, opts Options, now func() time.Time) (*Product, error) {
	renderer, err := render.New()
	if err != nil {
		return nil, err
	}
	defs, err := localaws.LoadQueues(opts.Template)
	if err != nil {
		return nil, err
	}
	queues, err := localaws.CreateQueues(ctx, clients.SQS, defs, opts.QueuePrefix, func(_ string, attrs map[string]string) {
		if opts.VisibilityTimeout > 0 {
			attrs["VisibilityTimeout"] = fmt.Sprint(int(opts.VisibilityTimeout.Seconds()))
		}
	})
	if err != nil {
		return nil, err
	}
	cfg.FollowupQueueURL, cfg.WebhookQueueURL = queues["FollowupQueue"], queues["WebhookQueue"]
	cfg.ShopHooksQueueURL = queues["ShopHooksQueue"]

	// db is for the tests' and tools' own setup; each function's handlers
	// get adapters of their own (functions.go), so that make test can
	// record each one's calls for the permissions test.
	db := dynamo.New(clients.DynamoDB, cfg.Table).WithClock(now)
	fns, err := wireFunctions(clients, cfg, now)
	if err != nil {
		return nil, err
	}
	pub, adm, dsp, rel, fup, hook, sla, dig := fns["public"], fns["admin"], fns["dispatch"], fns["relay"], fns["followup"], fns["webhook"], fns["sla"], fns["digest"]
	surveys := survey.NewService(pub.db, pub.db, now)
	mailCfg := followup.MailConfig{PublicBaseURL: cfg.PublicBaseURL, DefaultSender: cfg.SenderAddress, ReplyDomain: cfg.ReplyDomain, Now: now}
	// Slack alerts go through the webhooks' client, as loopback-allowing as theirs.
	slackClient := webhook.ClientConfig{AllowLoopback: opts.WebhookLoopback, RootCAs: opts.WebhookRootCAs}
	worker := followup.NewWorker(fup.db, fup.db, fup.mail, renderer, mailCfg).
		WithAlerts(slack.New(fup.db, slackClient, now), fup.db, now)
	p := &Product{
		Config:  cfg,
		Clients: clients,
		DB:      db,
		Surveys: surveys,
		StoreAPI: storeapi.New(storeapi.Deps{
			Keys: adm.db, Stores: adm.db, Surveys: adm.db, Points: adm.db, Responses: adm.db, Suppressions: adm.db, Privacy: adm.db,
			Ingest:    survey.NewService(adm.db, adm.db, now),
			Followups: followup.NewService(adm.db, now),
			Summaries: summary.New(adm.db, now),
			CheckWebhookURL: func(ctx context.Context, raw string) error {
				return webhook.ValidateURL(ctx, raw, opts.Resolver, opts.WebhookLoopback)
			},
		}, now),
		Pages: pages.New(surveys, digest.NewUnsubscribes(pub.db), renderer).WithRechecks(followup.NewRecheckAnswers(pub.db, now)),
		Dispatcher: dispatch.New(dsp.db, dsp.db, dsp.mailer, renderer, dispatch.Config{
			PublicBaseURL: cfg.PublicBaseURL,
			DefaultSender: cfg.SenderAddress,
		}, now),
		Relay: relay.New(dynamo.DecodeChange, rel.db, rel.db, rel.mail,
			sqsqueue.New(rel.sqs, cfg.FollowupQueueURL), sqsqueue.New(rel.sqs, cfg.WebhookQueueURL),
			renderer, relay.Config{DefaultSender: cfg.SenderAddress}, now),
		Followups: worker,
		// The SLA check alerts through a worker of its own, as in its main.
		SLA: func() *followup.Checker {
			w := followup.NewWorker(sla.db, sla.db, sla.mail, renderer, mailCfg).WithAlerts(slack.New(sla.db, slackClient, now), sla.db, now)
			return followup.NewChecker(sla.db, w, now).WithRechecks(followup.NewRechecker(sla.db, w, now))
		}(),
		Digest: digest.New(digest.Deps{
			Stores: dig.db, Summaries: summary.New(dig.db, now), Responses: dig.db, Cases: dig.db, Mail: dig.mail, Renderer: renderer,
		}, digest.Config{PublicBaseURL: cfg.PublicBaseURL, DefaultSender: cfg.SenderAddress}, now),
		Webhooks: webhook.New(hook.db, hook.db, sqsqueue.New(hook.sqs, cfg.WebhookQueueURL), webhook.Config{
			Base:   opts.WebhookRetryBase,
			Client: webhook.ClientConfig{AllowLoopback: opts.WebhookLoopback, RootCAs: opts.WebhookRootCAs},
		}, now),
		SesEvents:  sesevents.New(fns["sesevents"].db, now),
		Queues:     queues,
		streamFail: sqsqueue.New(clients.SQS, queues["RelayFailureQueue"]),
		functions:  fns,
	}
	rep := fns["replies"]
	p.Replies = replies.New(rep.db, rep.db, rep.mail, renderer, replies.Config{
		ReplyDomain: cfg.ReplyDomain, PublicBaseURL: cfg.PublicBaseURL, DefaultSender: cfg.SenderAddress, Stage: cfg.Stage,
	}, io.Discard, now)
	shop := fns["shophooks"]
	p.ShopHookReceiver = shophooks.NewReceiver(pub.db, sqsqueue.New(pub.sqs, cfg.ShopHooksQueueURL), now)
	p.ShopHooks = shophooks.NewWorker(shop.db, shop.db, shop.db, survey.NewService(shop.db, shop.db, now),
		shophooks.NewRequests(shop.db, shop.mail, renderer, cfg.SenderAddress, now), now)
	dash := fns["dashboard"]
	p.SignIn = signin.New(dash.db, dash.mailer, renderer, signin.Config{
		PublicBaseURL: cfg.PublicBaseURL, DefaultSender: cfg.SenderAddress, MinAnswer: opts.SignInMinAnswer,
	}, now)
	if p.Dashboard, err = dashboard.New(dashboard.Deps{
		Stores: dash.db, Responses: dash.db,
		Followups: followup.NewService(dash.db, now),
		Summaries: summary.New(dash.db, now),
		Settings: settings.New(dash.db, func(ctx context.Context, raw string) error {
			return webhook.ValidateURL(ctx, raw, opts.Resolver, opts.WebhookLoopback)
		}),
		Keys:          dash.db,
		DefaultSender: cfg.SenderAddress,
		Auth:          dashboard.SessionAuth(p.SignIn),
		SignIn:        p.SignIn,
	}, now); err != nil {
		return nil, err
	}
	return p, p.pollers(ctx)
}

// pollers sets up the event sources as template.yaml declares them.
func (p *Product) pollers(ctx context.Context) error {
	p.stream = &localaws.StreamPoller{
		Streams: p.Clients.Streams, DynamoDB: p.Clients.DynamoDB, Table: p.Config.Table,
		Handler: p.Relay.Handle, BatchSize: 100, MaxRetries: 5,
		// Lambda's on-failure destination gets the batch's positions in
		// the stream, not its records: they are read again from there.
		OnFailure: func(ctx context.Context, ev events.DynamoDBEvent) error {
			first, last := ev.Records[0], ev.Records[len(ev.Records)-1]
			return p.streamFail.Send(ctx, map[string]any{"DDBStreamBatchInfo": map[string]any{
				"startSequenceNumber": first.Change.SequenceNumber, "endSequenceNumber": last.Change.SequenceNumber,
				"batchSize": len(ev.Records), "streamArn": first.EventSourceArn,
			}})
		},
	}
	var err error
	if p.followupQ, err = p.queuePoller(ctx, "FollowupQueue", p.Followups.Handle); err != nil {
		return err
	}
	if p.webhookQ, err = p.queuePoller(ctx, "WebhookQueue", p.Webhooks.Handle); err != nil {
		return err
	}
	if p.sesEventsQ, err = p.queuePoller(ctx, "SesEventsQueue", p.SesEvents.Handle); err != nil {
		return err
	}
	if p.repliesQ, err = p.queuePoller(ctx, "RepliesQueue", p.Replies.Handle); err != nil {
		return err
	}
	p.shopHooksQ, err = p.queuePoller(ctx, "ShopHooksQueue", p.ShopHooks.Handle)
	return err
}

func (p *Product) queuePoller(ctx context.Context, id string, h func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)) (*localaws.QueuePoller, error) {
	arn, err := localaws.QueueARN(ctx, p.Clients.SQS, p.Queues[id])
	if err != nil {
		return nil, err
	}
	return &localaws.QueuePoller{API: p.Clients.SQS, QueueURL: p.Queues[id], QueueARN: arn, Handler: h, BatchSize: 10}, nil
}

// Handler serves every HTTP route of the product, as the HTTP API does.
func (p *Product) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/", p.StoreAPI.Routes())
	pages := p.Pages.Routes()
	mux.Handle("/s/", pages)
	mux.Handle("/u/", pages)
	mux.Handle("/d/", pages)
	mux.Handle("/r/", pages)
	mux.Handle("/hooks/", p.ShopHookReceiver.Routes())
	app := p.Dashboard.Routes()
	mux.Handle("/app", app)
	mux.Handle("/app/", app)
	return mux
}

// RunEventSources polls the stream and the queues until ctx ends, each
// waiting idle when it found nothing.
func (p *Product) RunEventSources(ctx context.Context, idle time.Duration) error {
	errs := make(chan error, 6)
	go func() { errs <- p.stream.Run(ctx, idle) }()
	go func() { errs <- p.followupQ.Run(ctx, idle) }()
	go func() { errs <- p.webhookQ.Run(ctx, idle) }()
	go func() { errs <- p.sesEventsQ.Run(ctx, idle) }()
	go func() { errs <- p.repliesQ.Run(ctx, idle) }()
	go func() { errs <- p.shopHooksQ.Run(ctx, idle) }()
	err := errors.Join(<-errs, <-errs, <-errs, <-errs, <-errs, <-errs)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Settle delivers everything waiting, as Lambda would: the stream's
// records to the relay, then the queues' visible messages to their
// workers, until a round finds nothing new. Messages a worker failed come
// back after their visibility timeout, later than Settle returns.
func (p *Product) Settle(ctx context.Context) error {
	for {
		if err := p.stream.Drain(ctx); err != nil {
			return err
		}
		n1, err := p.followupQ.PollOnce(ctx)
		if err != nil {
			return err
		}
		n2, err := p.webhookQ.PollOnce(ctx)
		if err != nil {
			return err
		}
		n3, err := p.sesEventsQ.PollOnce(ctx)
		if err != nil {
			return err
		}
		n4, err := p.repliesQ.PollOnce(ctx)
		if err != nil {
			return err
		}
		n5, err := p.shopHooksQ.PollOnce(ctx)
		if err != nil {
			return err
		}
		if n1 == 0 && n2 == 0 && n3 == 0 && n4 == 0 && n5 == 0 {
			return nil
		}
	}
}

// RedeliverStream hands every record of the stream to the relay once more,
// from the oldest, as Lambda does when it retries a batch: for tests that
// nothing happens twice.
func (p *Product) RedeliverStream(ctx context.Context) error {
	fresh := &localaws.StreamPoller{
		Streams: p.stream.Streams, DynamoDB: p.stream.DynamoDB, Table: p.stream.Table,
		Handler: p.stream.Handler, BatchSize: p.stream.BatchSize, MaxRetries: p.stream.MaxRetries,
	}
	return fresh.Drain(ctx)
}
