package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// eachStorePage is how many stores EachStore reads per request: the
// digest holds no more than one page at a time.
const eachStorePage = 100

// EachStore hands every store to each, in store ID order, reading the
// STORES list of the "lists" index a page at a time (no scan). The index
// is eventually consistent: a store created a moment ago may be missed
// until the next run. It stops at the first error, each's included.
func (db *DB) EachStore(ctx context.Context, each func(closeloop.Store) error) error {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(db.table),
		IndexName:                 aws.String("lists"),
		KeyConditionExpression:    aws.String("list_pk = :list"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":list": str(storesList)},
		Limit:                     aws.Int32(eachStorePage),
	}
	for pages := dynamodb.NewQueryPaginator(db.api, in); pages.HasMorePages(); {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return unavailable("query stores", err)
		}
		for _, item := range out.Items {
			rec, err := unmarshalStore(item)
			if err != nil {
				return err
			}
			if err := each(rec.Store); err != nil {
				return err
			}
		}
	}
	return nil
}

// OptOutOfDigest records that the owner address whose hash is addressHash
// wants no more weekly digests of the store: one ADD to the store item's
// string set, so opting out twice changes nothing and a settings update
// (which sets only the settings map) never undoes it. ENOTFOUND when the
// store does not exist: an UpdateItem would otherwise create half a store.
func (db *DB) OptOutOfDigest(ctx context.Context, storeID, addressHash string) error {
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(db.table),
		Key:                       storeKey(storeID),
		UpdateExpression:          aws.String("ADD digest_optout :hash"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":hash": &types.AttributeValueMemberSS{Value: []string{addressHash}}},
	})
	if conditionFailed(err) {
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	}
	if err != nil {
		return unavailable("opt out of digest", err)
	}
	return nil
}
