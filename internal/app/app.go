// Package app wires the product together for the Lambda functions and the
// local server: configuration from the environment, AWS clients built once,
// and a JSON logger that tags each line with the Lambda request ID.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// Config is the environment every function reads (set by template.yaml).
type Config struct {
	Table            string // TABLE_NAME
	PublicBaseURL    string // PUBLIC_BASE_URL: where survey pages are served
	SenderAddress    string // SENDER_ADDRESS: the verified SES From address
	ConfigurationSet string // SES_CONFIGURATION_SET, optional
	Stage            string // STAGE
}

// Need names environment variables a function cannot start without, beyond
// TABLE_NAME which every function needs.
type Need int

// What a function may need from the environment.
const (
	NeedMail Need = 1 << iota // PUBLIC_BASE_URL and SENDER_ADDRESS
)

// LoadConfig reads the configuration; a missing required variable fails
// with its name.
func LoadConfig(getenv func(string) string, needs Need) (Config, error) {
	c := Config{
		Table:            getenv("TABLE_NAME"),
		PublicBaseURL:    strings.TrimRight(getenv("PUBLIC_BASE_URL"), "/"),
		SenderAddress:    getenv("SENDER_ADDRESS"),
		ConfigurationSet: getenv("SES_CONFIGURATION_SET"),
		Stage:            getenv("STAGE"),
	}
	required := map[string]string{"TABLE_NAME": c.Table}
	if needs&NeedMail != 0 {
		required["PUBLIC_BASE_URL"] = c.PublicBaseURL
		required["SENDER_ADDRESS"] = c.SenderAddress
	}
	for _, name := range []string{"TABLE_NAME", "PUBLIC_BASE_URL", "SENDER_ADDRESS"} {
		if v, ok := required[name]; ok && v == "" {
			return Config{}, fmt.Errorf("environment variable %s is not set", name)
		}
	}
	return c, nil
}

// AWS holds the AWS clients, built once per cold start.
type AWS struct {
	DynamoDB *dynamodb.Client
	SES      *sesv2.Client
}

// NewAWS loads the default AWS configuration (in Lambda: the function's
// role and region). Endpoints can be pointed at local emulators with the
// SDK's own AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SESV2.
func NewAWS(ctx context.Context, getenv func(string) string) (AWS, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return AWS{}, fmt.Errorf("load aws config: %w", err)
	}
	local := getenv("AWS_ENDPOINT_URL_DYNAMODB") != ""
	return AWS{
		DynamoDB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			if local {
				// DynamoDB Local's error responses fail the SDK's checksum
				// validation and log a warning per error.
				o.DisableValidateResponseChecksum = true
			}
		}),
		SES: sesv2.NewFromConfig(cfg),
	}, nil
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
