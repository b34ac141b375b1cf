// Package floor is the cold-start benchmark's floor of this design: a
// function that builds its AWS configuration as the product's functions do
// (app.AWSConfig) and the clients it needs, and nothing else. Each
// floor-<clients> command links only the services it names, so that no
// other service's package initialisation counts against it.
package floor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/closeloop/closeloop/internal/app"
)

// Start loads the AWS configuration, builds the clients with build and
// serves every event with an empty object.
func Start(build func(aws.Config) []any) {
	awsCfg, err := app.AWSConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	clients := build(awsCfg)
	lambda.Start(func(context.Context, json.RawMessage) (struct{}, error) {
		_ = clients
		return struct{}{}, nil
	})
}

// Serve is Start with a handler: each event calls handle with the clients,
// and is answered with an empty object once it returns.
func Serve(build func(aws.Config) []any, handle func(ctx context.Context, clients []any) error) {
	awsCfg, err := app.AWSConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	clients := build(awsCfg)
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (struct{}, error) {
		return struct{}{}, handle(ctx, clients)
	})
}
