// Command hello is the cold-start benchmark's bare reference: an
// aws-lambda-go function that builds nothing and answers every event with
// an empty object.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (struct{}, error) { return struct{}{}, nil })
}
