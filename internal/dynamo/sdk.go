package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// FromSDK returns the SDK's client as an API that keeps only API's methods
// in the binary. Functions that execute templates call methods by name
// through reflect, and then the linker keeps every exported method of every
// type converted to an interface, and of every type such a type refers to:
// a *dynamodb.Client held as an API, or as a field of one, keeps all of
// DynamoDB's operations and their serializers. sdkClient holds the methods
// it forwards to as func values, whose types name only inputs and outputs.
func FromSDK(c *dynamodb.Client) API {
	return sdkClient{
		getItem:            c.GetItem,
		putItem:            c.PutItem,
		updateItem:         c.UpdateItem,
		deleteItem:         c.DeleteItem,
		query:              c.Query,
		batchGetItem:       c.BatchGetItem,
		transactWriteItems: c.TransactWriteItems,
		scan:               c.Scan,
	}
}

// sdkClient forwards API's methods to the SDK client's.
type sdkClient struct {
	getItem            func(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	putItem            func(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	updateItem         func(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	deleteItem         func(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	query              func(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	batchGetItem       func(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	transactWriteItems func(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	scan               func(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

func (s sdkClient) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return s.getItem(ctx, in, optFns...)
}

func (s sdkClient) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return s.putItem(ctx, in, optFns...)
}

func (s sdkClient) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return s.updateItem(ctx, in, optFns...)
}

func (s sdkClient) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return s.deleteItem(ctx, in, optFns...)
}

func (s sdkClient) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return s.query(ctx, in, optFns...)
}

func (s sdkClient) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return s.batchGetItem(ctx, in, optFns...)
}

func (s sdkClient) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return s.transactWriteItems(ctx, in, optFns...)
}

func (s sdkClient) Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return s.scan(ctx, in, optFns...)
}
