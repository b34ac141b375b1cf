// Command devserver runs the whole product in one local process for
// `make dev`: it creates the table from template.yaml in DynamoDB Local,
// seeds a demo store with an owner key and three orders, serves every
// route on one port, and ticks dispatch, the SLA check and the weekly
// digest every few seconds. infra/dev.sh
// starts the local AWS stack and points the SDK at it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/local"
	"github.com/closeloop/closeloop/internal/signin"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/tabledef"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("devserver", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8080", "where to serve every route")
	every := flags.Duration("dispatch-every", 5*time.Second, "how often dispatch, the SLA check and the weekly digest run")
	poll := flags.Duration("poll-every", time.Second, "how often the stream and the queues are polled when idle")
	template := flags.String("template", "template.yaml", "the SAM template holding the table")
	demoFile := flags.String("demo-file", ".local/demo.json", "where to write the demo store ID and API key")
	inbox := flags.String("inbox", "http://localhost:8005", "the SES emulator's inbox, for the banner")
	slackAddr := flags.String("slack-addr", "127.0.0.1:8091", "where the local Slack receiver listens (the demo store's slack_webhook_url)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	cfg, awsCfg, err := app.Start(ctx, getenv, app.NeedMail)
	if err != nil {
		return err
	}
	dynamoDB := app.DynamoDB(awsCfg, getenv)
	if err := createTable(ctx, dynamoDB, *template, cfg.Table); err != nil {
		return err
	}
	clients := local.Clients{
		DynamoDB: dynamoDB,
		Streams: dynamodbstreams.NewFromConfig(awsCfg, func(o *dynamodbstreams.Options) {
			// DynamoDB Local serves streams at its own endpoint.
			o.BaseEndpoint = aws.String(getenv("AWS_ENDPOINT_URL_DYNAMODB"))
		}),
		SES: sesv2.NewFromConfig(awsCfg),
		SQS: sqs.NewFromConfig(awsCfg),
	}
	slack, err := startSlackReceiver(*slackAddr, out)
	if err != nil {
		return err
	}
	defer slack.Close()
	product, err := local.New(ctx, cfg, clients, local.Options{
		Template: *template, QueuePrefix: cfg.Table + "-",
		WebhookRetryBase: 10 * time.Second,
		// A receiver on this machine (nc, a small server) can take the
		// demo store's webhooks.
		WebhookLoopback: true,
		// The local Slack receiver's certificate, besides the system's.
		WebhookRootCAs: slack.roots(),
		Resolver:       net.DefaultResolver,
		// Sign-in requests take as long as in a deployment.
		SignInMinAnswer: signin.DefaultMinAnswer,
	}, time.Now)
	if err != nil {
		return err
	}
	apiKey, err := seedStore(ctx, product, *demoFile, slack.URL())
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("/", product.Handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "closeloop is running locally.\n\nSurvey emails: %s\nStore API:     POST /v1/orders with Authorization: Bearer <key from %s>\n", *inbox, *demoFile)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	// The stream and the queues, polled as Lambda's event sources would.
	go func() {
		if err := product.RunEventSources(ctx, *poll); err != nil {
			slog.Error("event sources", "err", err)
		}
	}()

	base := "http://" + ln.Addr().String()
	if err := postDemoOrders(ctx, base, apiKey); err != nil {
		return err
	}
	fmt.Fprintf(out, "\ncloseloop runs on %s (store API /v1, survey pages /s)\nAPI key: %s\nDemo store and key: %s\nSurvey emails: %s\nSlack alerts: logged here by the receiver at %s\n", base, apiKey, *demoFile, *inbox, slack.URL())
	fmt.Fprintln(out, dashboardLine(ctx, product))
	fmt.Fprint(out, "Ctrl-C stops everything.\n\n")

	ticker := time.NewTicker(*every)
	defer ticker.Stop()
	for {
		// Dispatch, the SLA check and the digest, as their schedules would
		// run them.
		rep, err := product.Dispatcher.Run(ctx)
		if err != nil && ctx.Err() == nil {
			slog.Error("dispatch run", "err", err)
		} else if rep.Due > 0 {
			slog.Info("dispatch run", "report", rep)
		}
		sla, err := product.SLA.Run(ctx)
		if err != nil && ctx.Err() == nil {
			slog.Error("sla check", "err", err)
		} else if sla.Due > 0 {
			slog.Info("sla check", "report", sla)
		}
		// The digest's schedule is hourly; every tick is as safe, since
		// each owner gets one per store and week.
		dg, err := product.Digest.Run(ctx)
		if err != nil && ctx.Err() == nil {
			slog.Error("digest run", "err", err)
		} else if dg.Sent > 0 || dg.Failed > 0 {
			slog.Info("digest run", "report", dg)
		}
		select {
		case <-ctx.Done():
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return srv.Shutdown(shutdown)
		case err := <-serveErr:
			return err
		case <-ticker.C:
		}
	}
}

// createTable creates the table from template.yaml unless it exists.
func createTable(ctx context.Context, client *dynamodb.Client, template, table string) error {
	def, err := tabledef.Load(template)
	if err != nil {
		return err
	}
	err = tabledef.Create(ctx, client, def, table)
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	return err
}

type demo struct {
	StoreID string `json:"store_id"`
	APIKey  string `json:"api_key"`
}

// seedStore creates the demo store and writes its key to path. When the
// store exists (a kept database) the key written before is reused.
func seedStore(ctx context.Context, product *local.Product, path, slackURL string) (string, error) {
	settings := closeloop.DefaultSettings()
	settings.SurveyDelayHours = 0
	// The recovery check goes out at the next tick after a resolution,
	// so the demo shows it within a minute.
	settings.RecheckAfterHours = 0
	// The demo sends at any hour: a survey posted at night shows at once.
	settings.SendWindow = closeloop.AnyHour()
	settings.ReplyTo = "support@demo-coffee.example"
	settings.SupportEmails = []string{"support@demo-coffee.example"}
	settings.OwnerEmails = []string{demoOwner}
	settings.SlackWebhookURL = slackURL
	settings.Branding = closeloop.Branding{
		Name:          "Demo Coffee Roasters",
		Color:         "#7a3e12",
		PostalAddress: "12 Bean Street, 10115 Berlin, Germany",
		PrivacyURL:    "https://demo-coffee.example/privacy",
	}
	_, key, err := stores.Create(ctx, product.DB, "demo", settings, time.Now())
	if closeloop.ErrorCode(err) == closeloop.ECONFLICT {
		data, readErr := os.ReadFile(path)
		var d demo
		if readErr != nil || json.Unmarshal(data, &d) != nil || d.APIKey == "" {
			return "", fmt.Errorf("the demo store exists but %s has no key: delete the database or the file", path)
		}
		return d.APIKey, nil
	}
	if err != nil {
		return "", err
	}
	data, _ := json.MarshalIndent(demo{StoreID: "demo", APIKey: key}, "", "  ")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	return key, os.WriteFile(path, append(data, '\n'), 0o600)
}

// postDemoOrders posts three orders through the real HTTP API, as a
// store's system would.
func postDemoOrders(ctx context.Context, base, apiKey string) error {
	now := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	orders := []string{
		`{"order_id":"demo-1001","customer":{"email":"ada@example.com","name":"Ada","locale":"en-GB"},"items":[{"sku":"BEANS-1KG","name":"House blend 1 kg"}],"purchased_at":"` + now + `"}`,
		`{"order_id":"demo-1002","customer":{"email":"grace@example.com","name":"Grace","locale":"en-US"},"items":[{"sku":"GRINDER","name":"Hand grinder"},{"sku":"BEANS-250","name":"Single origin 250 g"}],"purchased_at":"` + now + `"}`,
		`{"order_id":"demo-1003","customer":{"email":"ivan@example.com","name":"Иван","locale":"ru-RU"},"items":[{"sku":"KETTLE","name":"Gooseneck kettle"}],"purchased_at":"` + now + `"}`,
	}
	for _, body := range orders {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/orders", bytes.NewBufferString(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+apiKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("post demo order: %w", err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
			return fmt.Errorf("post demo order: %s: %s", resp.Status, msg)
		}
	}
	return nil
}

// demoOwner is the demo store's owner address, whose sign-in link the
// devserver prints.
const demoOwner = "owner@demo-coffee.example"

// dashboardLine is the banner's line with a ready sign-in link for the
// demo owner, made by the product's own sign-in (not mailed, not counted
// against the limits); the owner can also ask for one on /app/login and
// read it in the SES inbox.
func dashboardLine(ctx context.Context, product *local.Product) string {
	link, err := product.SignIn.IssueLink(ctx, demoOwner)
	if err != nil {
		return fmt.Sprintf("Dashboard: no sign-in link for %s (%v); a database kept from an older release needs storectl upgrade", demoOwner, err)
	}
	return fmt.Sprintf("Dashboard: %s (demo owner %s, valid %d minutes)", link, demoOwner, int(closeloop.SignInLinkTTL.Minutes()))
}
