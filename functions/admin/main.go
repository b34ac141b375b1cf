// Command admin is the store API Lambda function (/v1/...), behind the HTTP API.
package main

import (
	"context"
	"fmt"
	"os"
	_ "time/tzdata" // store time zones without relying on the runtime's files

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/closeloop/closeloop/internal/app"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "admin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string) error {
	product, err := app.Start(ctx, getenv, 0)
	if err != nil {
		return err
	}
	lambda.Start(httpadapter.NewV2(product.StoreAPI.Routes()).ProxyWithContext)
	return nil
}
