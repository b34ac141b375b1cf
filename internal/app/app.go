// Package app holds what every function's cold start shares: the
// configuration from the environment, the AWS configuration, the DynamoDB
// client options, and a JSON logger that tags each line with the Lambda
// request ID. Each function's main builds only the clients and handlers it
// uses; the local server and the tests wire everything with package local.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/closeloop/closeloop/internal/callrec"
)

// Config is the environment the functions read (set by template.yaml).
type Config struct {
	Table            string // TABLE_NAME
	PublicBaseURL    string // PUBLIC_BASE_URL: where survey pages are served
	SenderAddress    string // SENDER_ADDRESS: the verified SES From address
	ConfigurationSet string // SES_CONFIGURATION_SET, optional
	Stage            string // STAGE
	FollowupQueueURL string // FOLLOWUP_QUEUE_URL: cases for the follow-up worker
	WebhookQueueURL  string // WEBHOOK_QUEUE_URL: events for the webhook worker
	// SESMaxSendRate is SES_MAX_SEND_RATE, the account's maximum sends per
	// second across all stores (dispatch); 0 when unset, for the default.
	SESMaxSendRate float64

	// ReplyDomain is REPLY_DOMAIN, optional: the domain of the reply
	// addresses case emails carry (followup) and SES receives (replies).
	ReplyDomain string

	// ShopHooksQueueURL is SHOPHOOKS_QUEUE_URL: verified shop webhook
	// deliveries, from the public function to the shophooks worker.
	ShopHooksQueueURL string
}

// Need names environment variables a function cannot start without, beyond
// TABLE_NAME which every function needs.
type Need int

// What a function may need from the environment.
const (
	NeedSender        Need = 1 << iota // SENDER_ADDRESS
	NeedPublicURL                      // PUBLIC_BASE_URL
	NeedFollowupQueue                  // FOLLOWUP_QUEUE_URL
	NeedWebhookQueue                   // WEBHOOK_QUEUE_URL

	// NeedMail is what a function sending emails with links needs.
	NeedMail = NeedSender | NeedPublicURL
)

// NeedShopHooksQueue is SHOPHOOKS_QUEUE_URL.
const NeedShopHooksQueue Need = NeedWebhookQueue << 1

// LoadConfig reads the configuration; a missing required variable fails
// with its name.
func LoadConfig(getenv func(string) string, needs Need) (Config, error) {
	c := Config{
		Table:            getenv("TABLE_NAME"),
		PublicBaseURL:    strings.TrimRight(getenv("PUBLIC_BASE_URL"), "/"),
		SenderAddress:    getenv("SENDER_ADDRESS"),
		ConfigurationSet: getenv("SES_CONFIGURATION_SET"),
		Stage:            getenv("STAGE"),
		FollowupQueueURL: getenv("FOLLOWUP_QUEUE_URL"),
		WebhookQueueURL:  getenv("WEBHOOK_QUEUE_URL"),
		ReplyDomain:      strings.ToLower(strings.TrimSpace(getenv("REPLY_DOMAIN"))),
		// Shop webhooks.
		ShopHooksQueueURL: getenv("SHOPHOOKS_QUEUE_URL"),
	}
	required := []struct {
		name, value string
		need        Need
	}{
		{"TABLE_NAME", c.Table, 0},
		{"PUBLIC_BASE_URL", c.PublicBaseURL, NeedPublicURL},
		{"SENDER_ADDRESS", c.SenderAddress, NeedSender},
		{"FOLLOWUP_QUEUE_URL", c.FollowupQueueURL, NeedFollowupQueue},
		{"WEBHOOK_QUEUE_URL", c.WebhookQueueURL, NeedWebhookQueue},
		{"SHOPHOOKS_QUEUE_URL", c.ShopHooksQueueURL, NeedShopHooksQueue},
	}
	for _, r := range required {
		if r.value == "" && needs&r.need == r.need {
			return Config{}, fmt.Errorf("environment variable %s is not set", r.name)
		}
	}
	if v := getenv("SES_MAX_SEND_RATE"); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || !(rate > 0) {
			return Config{}, fmt.Errorf("environment variable SES_MAX_SEND_RATE must be a positive number, not %q", v)
		}
		c.SESMaxSendRate = rate
	}
	return c, nil
}

// Start is a function's cold start: JSON logging, the configuration with
// what the function needs, and the AWS configuration (in Lambda: the
// function's role and region). Endpoints can be pointed at local emulators
// with the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables.
func Start(ctx context.Context, getenv func(string) string, needs Need) (Config, aws.Config, error) {
	SetupLogging()
	cfg, err := LoadConfig(getenv, needs)
	if err != nil {
		return Config{}, aws.Config{}, err
	}
	awsCfg, err := AWSConfig(getenv)
	if err != nil {
		return Config{}, aws.Config{}, err
	}
	// Under make test only: every client records its calls for the
	// permissions test, which checks them against template.yaml's policies.
	if err := callrec.Enable(&awsCfg, getenv); err != nil {
		return Config{}, aws.Config{}, err
	}
	return cfg, awsCfg, nil
}

// AWSConfig is a Lambda function's AWS configuration, from the environment
// alone: Lambda gives the function its role's credentials and its region
// there. config.LoadDefaultConfig would find the same but links every other
// way to find credentials (SSO, STS, sign-in, IMDS, container, process):
// their package initialisation costs each cold start, and in functions that
// execute templates their clients' exported methods all stay in the binary
// (reflect), about 1.8 MB. Endpoints can still be pointed at local
// emulators with the SDK's AWS_ENDPOINT_URL_<SERVICE> variables, which the
// service clients ask ConfigSources for.
func AWSConfig(getenv func(string) string) (aws.Config, error) {
	creds := aws.Credentials{
		AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: getenv("AWS_SESSION_TOKEN"), Source: "EnvironmentVariables",
	}
	if !creds.HasKeys() {
		return aws.Config{}, errors.New("load aws config: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them to the function's role)")
	}
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return aws.Config{}, errors.New("load aws config: AWS_REGION is not set (Lambda sets it)")
	}
	cfg := aws.Config{
		Region:        region,
		Credentials:   aws.NewCredentialsCache(credentials.StaticCredentialsProvider{Value: creds}),
		ConfigSources: []any{endpoints{getenv}},
	}
	if u := getenv("AWS_ENDPOINT_URL"); u != "" {
		cfg.BaseEndpoint = aws.String(u)
	}
	return cfg, nil
}

// endpoints answers the service clients' question for
// AWS_ENDPOINT_URL_<SERVICE> as config.EnvConfig does.
type endpoints struct{ getenv func(string) string }

// GetServiceBaseEndpoint returns the endpoint set for the service with SDK
// ID sdkID ("DynamoDB", "SESv2", "SQS").
func (e endpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	u := e.getenv("AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_"))
	return u, u != "", nil
}

// DynamoDB returns the DynamoDB client of a function.
func DynamoDB(awsCfg aws.Config, getenv func(string) string) *dynamodb.Client {
	local := getenv("AWS_ENDPOINT_URL_DYNAMODB") != ""
	return dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if local {
			// DynamoDB Local's error responses fail the SDK's checksum
			// validation and log a warning per error.
			o.DisableValidateResponseChecksum = true
		}
	})
}

// SetupLogging makes slog write JSON to stderr, each line with the Lambda
// request ID when there is one.
func SetupLogging() {
	slog.SetDefault(slog.New(requestIDHandler{slog.NewJSONHandler(os.Stderr, nil)}))
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.AddAttrs(slog.String("request_id", lc.AwsRequestID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
