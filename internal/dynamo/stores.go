package dynamo

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

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
	// SendingPausedAt, PauseReason (a closeloop.SendProblem code) and
	// ProbedAt are set while a store-level send problem pauses the store's
	// sending (closeloop.SendingPause); written only by the Pause, Probe
	// and Resume updates below, never by a whole-item put.
	SendingPausedAt *time.Time `json:"sending_paused_at,omitempty"`
	PauseReason     string     `json:"pause_reason,omitempty"`
	ProbedAt        *time.Time `json:"probed_at,omitempty"`
}

// pause is the record's sending pause, nil when the store sends.
func (rec storeRecord) pause() *closeloop.SendingPause {
	if rec.SendingPausedAt == nil {
		return nil
	}
	p := &closeloop.SendingPause{Reason: closeloop.SendProblem(rec.PauseReason), PausedAt: *rec.SendingPausedAt, ProbedAt: *rec.SendingPausedAt}
	if rec.ProbedAt != nil {
		p.ProbedAt = *rec.ProbedAt
	}
	return p
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
	items = append(items, keyItems...)
	// Its owner and support addresses may sign in to the dashboard.
	items = append(items, db.staffWrites(store.StoreID, nil, store.Settings.Staff())...)
	err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
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
	rec, err := db.storeRecord(ctx, storeID, false)
	return rec.Store, err
}

// SendingStore returns a store with its sending pause (nil when it sends),
// from one read; ENOTFOUND when there is none.
func (db *DB) SendingStore(ctx context.Context, storeID string) (closeloop.Store, *closeloop.SendingPause, error) {
	rec, err := db.storeRecord(ctx, storeID, false)
	return rec.Store, rec.pause(), err
}

// storeRecord reads a store; consistent when it must see the latest write.
func (db *DB) storeRecord(ctx context.Context, storeID string, consistent bool) (storeRecord, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(db.table), Key: storeKey(storeID), ConsistentRead: aws.Bool(consistent)})
	if err != nil {
		return storeRecord{}, unavailable("get store", err)
	}
	if out.Item == nil {
		return storeRecord{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	}
	return unmarshalStore(out.Item)
}

// unmarshalStore reads a store item. A setting the item lacks (saved
// before the setting existed) reads as its default: the decoding starts
// from closeloop.DefaultSettings and leaves what the item does not name.
func unmarshalStore(item map[string]types.AttributeValue) (storeRecord, error) {
	rec := storeRecord{Store: closeloop.Store{Settings: closeloop.DefaultSettings()}}
	if err := unmarshal(item, &rec); err != nil {
		return storeRecord{}, err
	}
	return rec, nil
}

// PauseSending pauses a store's sending for a store-level problem at at,
// and returns the pause. Pausing a paused store keeps when it was first
// paused and counts at as its latest probe.
func (db *DB) PauseSending(ctx context.Context, storeID string, reason closeloop.SendProblem, at time.Time) (closeloop.SendingPause, error) {
	out, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(db.table),
		Key:                 storeKey(storeID),
		UpdateExpression:    aws.String("SET sending_paused_at = if_not_exists(sending_paused_at, :at), pause_reason = :reason, probed_at = :at"),
		ConditionExpression: aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":at":     str(stamp(at)),
			":reason": str(string(reason)),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if conditionFailed(err) {
		return closeloop.SendingPause{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	}
	if err != nil {
		return closeloop.SendingPause{}, unavailable("pause store sending", err)
	}
	var rec storeRecord
	if err := unmarshal(out.Attributes, &rec); err != nil {
		return closeloop.SendingPause{}, err
	}
	return *rec.pause(), nil
}

// TakeProbe takes a paused store's probe at at: true when the store is
// still paused and was last probed closeloop.ProbeInterval or longer ago,
// so that of overlapping runs only one probes, once an interval.
func (db *DB) TakeProbe(ctx context.Context, storeID string, at time.Time) (bool, error) {
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(db.table),
		Key:                 storeKey(storeID),
		UpdateExpression:    aws.String("SET probed_at = :at"),
		ConditionExpression: aws.String("attribute_exists(sending_paused_at) AND probed_at <= :due"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":at":  str(stamp(at)),
			":due": str(stamp(at.Add(-closeloop.ProbeInterval))),
		},
	})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, unavailable("probe store sending", err)
	}
	return true, nil
}

// ResumeSending ends a store's sending pause and returns the pause it
// ended, nil when the store was not paused; ENOTFOUND when there is no
// such store.
func (db *DB) ResumeSending(ctx context.Context, storeID string) (*closeloop.SendingPause, error) {
	out, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(db.table),
		Key:                 storeKey(storeID),
		UpdateExpression:    aws.String("REMOVE sending_paused_at, pause_reason, probed_at"),
		ConditionExpression: aws.String("attribute_exists(pk)"),
		ReturnValues:        types.ReturnValueAllOld,
	})
	if conditionFailed(err) {
		return nil, closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	}
	if err != nil {
		return nil, unavailable("resume store sending", err)
	}
	var rec storeRecord
	if err := unmarshal(out.Attributes, &rec); err != nil {
		return nil, err
	}
	return rec.pause(), nil
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

// GrantSender grants a store a sender identity (closeloop.CheckSenderIdentity
// normalized it) and returns the store's identities after; granting one it
// holds changes nothing. ENOTFOUND when there is no such store.
func (db *DB) GrantSender(ctx context.Context, storeID, identity string) ([]string, error) {
	out, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(db.table),
		Key:              storeKey(storeID),
		UpdateExpression: aws.String("SET sender_identities = list_append(if_not_exists(sender_identities, :none), :one)"),
		// contains is false on a missing list.
		ConditionExpression: aws.String("attribute_exists(pk) AND NOT contains(sender_identities, :id)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":none": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":one":  &types.AttributeValueMemberL{Value: []types.AttributeValue{str(identity)}},
			":id":   str(identity),
		},
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf) && ccf.Item == nil:
		return nil, closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	case errors.As(err, &ccf):
		return identitiesOf(ccf.Item) // granted before
	case err != nil:
		return nil, unavailable("grant sender", err)
	}
	return identitiesOf(out.Attributes)
}

// RevokeSender takes a sender identity back from a store and returns the
// store's identities after; revoking one it does not hold changes
// nothing. The list stays, empty when the last is revoked, so that
// storectl upgrade does not grant the store's sender again. ENOTFOUND
// when there is no such store.
func (db *DB) RevokeSender(ctx context.Context, storeID, identity string) ([]string, error) {
	for attempt := 1; ; attempt++ {
		// Consistent: a grant just made must be found to be revoked.
		rec, err := db.storeRecord(ctx, storeID, true)
		if err != nil {
			return nil, err
		}
		i := slices.Index(rec.SenderIdentities, identity)
		if i < 0 {
			return rec.SenderIdentities, nil
		}
		at := "sender_identities[" + strconv.Itoa(i) + "]"
		out, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(db.table),
			Key:                       storeKey(storeID),
			UpdateExpression:          aws.String("REMOVE " + at),
			ConditionExpression:       aws.String(at + " = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(identity)},
			ReturnValues:              types.ReturnValueAllNew,
		})
		switch {
		case conditionFailed(err) && attempt < 5:
			continue // the list changed since it was read
		case err != nil:
			return nil, unavailable("revoke sender", err)
		}
		return identitiesOf(out.Attributes)
	}
}

// identitiesOf reads the sender identities of a store item.
func identitiesOf(item map[string]types.AttributeValue) ([]string, error) {
	var rec storeRecord
	if err := unmarshal(item, &rec); err != nil {
		return nil, err
	}
	return rec.SenderIdentities, nil
}
