// Command floor-ddb-ses is the cold-start floor of a function that uses DynamoDB and SES:
// see package floor.
package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/closeloop/closeloop/bench/coldstart/floor"
)

func main() {
	floor.Start(func(cfg aws.Config) []any {
		return []any{dynamodb.NewFromConfig(cfg), sesv2.NewFromConfig(cfg)}
	})
}
