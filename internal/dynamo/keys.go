package dynamo

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Keys lists a store's API keys, oldest first, without their hashes.
func (db *DB) Keys(ctx context.Context, storeID string) ([]closeloop.Key, error) {
	keys := []closeloop.Key{}
	in := &dynamodb.QueryInput{
		TableName:              aws.String(db.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str("STORE#" + storeID), ":prefix": str("APIKEY#"),
		},
		// A key created a moment ago must be listed, so it can be revoked.
		ConsistentRead: aws.Bool(true),
	}
	for page := dynamodb.NewQueryPaginator(db.api, in); page.HasMorePages(); {
		out, err := page.NextPage(ctx)
		if err != nil {
			return nil, unavailable("query api keys", err)
		}
		for _, item := range out.Items {
			var rec keyRecord
			if err := unmarshal(item, &rec); err != nil {
				return nil, err
			}
			rec.Key.StoreID = rec.StoreID
			keys = append(keys, rec.Key)
		}
	}
	slices.SortFunc(keys, func(a, b closeloop.Key) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.KeyID, b.KeyID)
	})
	return keys, nil
}

// CreateKey saves a new API key whose secret hashes to hash.
func (db *DB) CreateKey(ctx context.Context, k closeloop.Key, hash string) error {
	puts, err := db.keyPuts(k, hash)
	if err != nil {
		return err
	}
	if err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
		return unavailable("create api key", err)
	}
	return nil
}

// RevokeKey deletes a store's API key, both its items in one transaction,
// on behalf of the key byKeyID, which must still exist: two owner keys
// revoking each other at once cannot leave the store without an owner.
// ENOTFOUND when the store has no such key; EUNAUTHORIZED when byKeyID was
// revoked meanwhile.
func (db *DB) RevokeKey(ctx context.Context, storeID, keyID, byKeyID string) error {
	return db.revokeKey(ctx, storeID, keyID, &types.ConditionCheck{
		TableName: aws.String(db.table), Key: keyListingKey(storeID, byKeyID), ConditionExpression: aws.String("attribute_exists(pk)"),
	}, closeloop.Errorf(closeloop.EUNAUTHORIZED, "unknown or revoked API key"))
}

// RevokeKeyAsOwner deletes a store's API key on behalf of a person signed
// in to the dashboard, on condition that ownerEmail (lower case) is still
// one of the store's owner_emails: an owner removed meanwhile cannot
// revoke. ENOTFOUND when the store has no such key; EFORBIDDEN when the
// person is no longer an owner.
func (db *DB) RevokeKeyAsOwner(ctx context.Context, storeID, keyID, ownerEmail string) error {
	return db.revokeKey(ctx, storeID, keyID, &types.ConditionCheck{
		TableName: aws.String(db.table), Key: storeKey(storeID),
		ConditionExpression:       aws.String("contains(#settings.owner_emails, :email)"),
		ExpressionAttributeNames:  map[string]string{"#settings": "settings"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":email": str(ownerEmail)},
	}, closeloop.Errorf(closeloop.EFORBIDDEN, "only the store's owners can revoke keys"))
}

// revokeKey deletes both items of a key in one transaction with by, the
// check that the one revoking may still do it (denied when it fails).
func (db *DB) revokeKey(ctx context.Context, storeID, keyID string, by *types.ConditionCheck, denied error) error {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: keyListingKey(storeID, keyID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return unavailable("get api key", err)
	}
	if out.Item == nil {
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such API key")
	}
	// The listing item holds the hash that names the authenticating item.
	var rec keyRecord
	if err := unmarshal(out.Item, &rec); err != nil {
		return err
	}
	exists := aws.String("attribute_exists(pk)")
	err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: aws.String(db.table), Key: keyListingKey(storeID, keyID), ConditionExpression: exists}},
		{Delete: &types.Delete{TableName: aws.String(db.table), Key: apiKeyKey(rec.Hash), ConditionExpression: exists}},
		{ConditionCheck: by},
	}})
	reasons := cancelReasons(err)
	switch {
	case err == nil:
		return nil
	case len(reasons) == 3 && aws.ToString(reasons[2].Code) == "ConditionalCheckFailed":
		return denied
	case len(reasons) == 3 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed",
		len(reasons) == 3 && aws.ToString(reasons[1].Code) == "ConditionalCheckFailed":
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such API key")
	}
	return unavailable("revoke api key", err)
}
