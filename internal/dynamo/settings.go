package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// UpdateSettings replaces a store's settings. The condition keeps a PUT for
// a store that does not exist from creating half a store: ENOTFOUND instead.
func (db *DB) UpdateSettings(ctx context.Context, storeID string, s closeloop.Settings) error {
	settings, err := marshal(s)
	if err != nil {
		return err
	}
	_, err = db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(db.table),
		Key:                       storeKey(storeID),
		UpdateExpression:          aws.String("SET #settings = :s"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames:  map[string]string{"#settings": "settings"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberM{Value: settings}},
	})
	if conditionFailed(err) {
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	}
	if err != nil {
		return unavailable("update settings", err)
	}
	return nil
}
