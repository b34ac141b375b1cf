// Command floor-ddb-get is floor-ddb that answers each event after one
// DynamoDB GetItem (of an item that is not there, in TABLE_NAME): beside
// floor-ddb and the same GetItem sent from a warm client, its first
// response shows what a fresh process's first request costs beyond the
// request's own latency.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/bench/coldstart/floor"
)

func main() {
	table := os.Getenv("TABLE_NAME")
	floor.Serve(func(cfg aws.Config) []any {
		return []any{dynamodb.NewFromConfig(cfg)}
	}, func(ctx context.Context, clients []any) error {
		_, err := clients[0].(*dynamodb.Client).GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(table),
			Key: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: "floor"},
				"sk": &types.AttributeValueMemberS{Value: "floor"},
			},
		})
		return err
	})
}
