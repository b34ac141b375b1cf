package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// storeRecord is a store. Every store is listed under STORES in the lists
// index, so the scheduled digest finds them without a scan.
type storeRecord struct {
	PK     string `json:"pk"`
	SK     string `json:"sk"`
	ListPK string `json:"list_pk"`
	ListSK string `json:"list_sk"`
	closeloop.Store
}

// storesList is the lists index partition of every store.
const storesList = "STORES"

func storeKey(storeID string) map[string]types.AttributeValue {
	return key("STORE#"+storeID, "#SETTINGS")
}

type keyRecord struct {
	PK string `json:"pk"`
	SK string `json:"sk"`
	closeloop.Key
	StoreID string `json:"store_id"`
	Hash    string `json:"hash"`
}

func apiKeyKey(hash string) map[string]types.AttributeValue {
	return key("APIKEY#"+hash, "#APIKEY")
}

func keyListingKey(storeID, keyID string) map[string]types.AttributeValue {
	return key("STORE#"+storeID, "APIKEY#"+keyID)
}

// CreateStore saves a new store with its first API key, whose secret hash is
// keyHash. It fails with ECONFLICT when the store exists.
func (db *DB) CreateStore(ctx context.Context, store closeloop.Store, k closeloop.Key, keyHash string) error {
	storeItem, err := marshal(storeRecord{PK: "STORE#" + store.StoreID, SK: "#SETTINGS", ListPK: storesList, ListSK: store.StoreID, Store: store})
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{
		TableName:           aws.String(db.table),
		Item:                storeItem,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}}
	keyItems, err := db.keyPuts(k, keyHash)
	if err != nil {
		return err
	}
	err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append(items, keyItems...)})
	if reasons := cancelReasons(err); len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed" {
		return closeloop.Errorf(closeloop.ECONFLICT, "store %s exists", store.StoreID)
	}
	if err != nil {
		return unavailable("create store", err)
	}
	return nil
}

// keyPuts are the two items of an API key: one found by the secret's hash,
// one listed under the store.
func (db *DB) keyPuts(k closeloop.Key, hash string) ([]types.TransactWriteItem, error) {
	var puts []types.TransactWriteItem
	for _, pkSK := range [][2]string{{"APIKEY#" + hash, "#APIKEY"}, {"STORE#" + k.StoreID, "APIKEY#" + k.KeyID}} {
		item, err := marshal(keyRecord{PK: pkSK[0], SK: pkSK[1], Key: k, StoreID: k.StoreID, Hash: hash})
		if err != nil {
			return nil, err
		}
		puts = append(puts, types.TransactWriteItem{Put: &types.Put{
			TableName:           aws.String(db.table),
			Item:                item,
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
	}
	return puts, nil
}

// Store returns a store, ENOTFOUND when there is none.
func (db *DB) Store(ctx context.Context, storeID string) (closeloop.Store, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(db.table), Key: storeKey(storeID)})
	if err != nil {
		return closeloop.Store{}, unavailable("get store", err)
	}
	if out.Item == nil {
		return closeloop.Store{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	}
	var rec storeRecord
	if err := unmarshal(out.Item, &rec); err != nil {
		return closeloop.Store{}, err
	}
	return rec.Store, nil
}

// KeyByHash returns the API key whose secret hashes to hash, EUNAUTHORIZED
// when there is none.
func (db *DB) KeyByHash(ctx context.Context, hash string) (closeloop.Key, error) {
	// A consistent read, so that a revoked key stops working at once.
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(db.table), Key: apiKeyKey(hash), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return closeloop.Key{}, unavailable("get api key", err)
	}
	if out.Item == nil {
		return closeloop.Key{}, closeloop.Errorf(closeloop.EUNAUTHORIZED, "unknown or revoked API key")
	}
	var rec keyRecord
	if err := unmarshal(out.Item, &rec); err != nil {
		return closeloop.Key{}, err
	}
	rec.Key.StoreID = rec.StoreID
	return rec.Key, nil
}
