package dynamo

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// adjustmentRecord remembers an applied adjustment under its idempotency
// key: the fingerprint tells a retry from another request, and the result
// is what a retry answers.
type adjustmentRecord struct {
	PK          string `json:"pk"`
	SK          string `json:"sk"`
	Fingerprint string `json:"fingerprint"`
	closeloop.Adjusted
	ExpiresAt int64 `json:"expires_at,omitempty"` // as its ledger entry's
}

// maxAdjustAttempts bounds how often an adjustment starts again because the
// balance moved between reading it and writing (another adjustment, an
// answered survey). Each failed attempt means another write succeeded.
const maxAdjustAttempts = 8

// AdjustPoints applies an adjustment once per idempotency key. It reads the
// balance and writes, in one transaction, the idempotency record, the ledger
// entry and the new balance, on condition that the balance is still the one
// read: so the record holds the exact balance after, and a balance never
// goes below 0. replay is true when the key was used before for the same
// request: nothing is applied and the original result is returned. The key
// used for another request is ECONFLICT, as is a redemption larger than the
// balance.
func (db *DB) AdjustPoints(ctx context.Context, a closeloop.Adjustment) (res closeloop.Adjusted, replay bool, err error) {
	pk := customerPK(a.StoreID, a.Email)
	fingerprint := a.Fingerprint()
	at := a.At.UTC()
	// An adjustment has no survey to carry the store's retention.
	months, err := db.retention(ctx, a.StoreID)
	if err != nil {
		return closeloop.Adjusted{}, false, err
	}
	expires := expiry(at, months)
	for attempt := 1; attempt <= maxAdjustAttempts; attempt++ {
		if res, found, err := db.adjusted(ctx, pk, a.IdempotencyKey, fingerprint); found || err != nil {
			return res, found, err
		}
		balance, err := db.balance(ctx, pk)
		if err != nil {
			return closeloop.Adjusted{}, false, err
		}
		if balance+a.Points < 0 {
			return closeloop.Adjusted{}, false, closeloop.Errorf(closeloop.ECONFLICT,
				"insufficient points: the customer has %d, the redemption needs %d", balance, -a.Points)
		}
		res = closeloop.Adjusted{
			Balance: balance + a.Points,
			Entry:   closeloop.LedgerEntry{Points: a.Points, Reason: a.Reason, At: at},
		}
		items, err := db.adjustItems(a, pk, fingerprint, res, balance, expires)
		if err != nil {
			return closeloop.Adjusted{}, false, err
		}
		err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return res, false, nil
		}
		reasons := cancelReasons(err)
		switch {
		case len(reasons) != len(items):
			return closeloop.Adjusted{}, false, unavailable("adjust points", err)
		case aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
			// The same key won a race with this call: answer as a retry.
			return replayOf(reasons[0].Item, fingerprint)
		case aws.ToString(reasons[2].Code) != "ConditionalCheckFailed":
			return closeloop.Adjusted{}, false, unavailable("adjust points", err)
		}
		// The balance moved: read it again after a short random pause, so
		// that racing calls do not meet again in step.
		select {
		case <-ctx.Done():
			return closeloop.Adjusted{}, false, ctx.Err()
		case <-time.After(rand.N(time.Duration(attempt) * 10 * time.Millisecond)):
		}
	}
	return closeloop.Adjusted{}, false, closeloop.Errorf(closeloop.EUNAVAILABLE,
		"the customer's balance is changing quickly; retry with the same idempotency_key")
}

// adjustItems are the transaction of an adjustment: the idempotency record,
// the ledger entry and the balance, in that order (cancellation reasons
// come in the same order); both records expire at expires.
func (db *DB) adjustItems(a closeloop.Adjustment, pk, fingerprint string, res closeloop.Adjusted, balance int, expires int64) ([]types.TransactWriteItem, error) {
	record, err := marshal(adjustmentRecord{PK: pk, SK: "ADJUST#" + a.IdempotencyKey, Fingerprint: fingerprint, Adjusted: res, ExpiresAt: expires})
	if err != nil {
		return nil, err
	}
	ledger, err := marshal(ledgerRecord{PK: pk, SK: "LEDGER#" + stamp(res.Entry.At) + "#adjust#" + a.IdempotencyKey, LedgerEntry: res.Entry, ExpiresAt: expires})
	if err != nil {
		return nil, err
	}
	// The balance must be exactly the one read; a profile not yet created
	// has none, which counts as 0.
	unchanged := "balance = :old"
	if balance == 0 {
		unchanged = "attribute_not_exists(balance) OR balance = :old"
	}
	absent := aws.String("attribute_not_exists(pk)")
	return []types.TransactWriteItem{
		{Put: &types.Put{
			// A record past retention is gone (adjusted): its key is new again.
			TableName: aws.String(db.table), Item: record,
			ConditionExpression:                 aws.String("attribute_not_exists(pk) OR expires_at <= :now"),
			ExpressionAttributeValues:           map[string]types.AttributeValue{":now": db.nowAttr()},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		{Put: &types.Put{TableName: aws.String(db.table), Item: ledger, ConditionExpression: absent}},
		{Update: &types.Update{
			TableName: aws.String(db.table), Key: key(pk, "#PROFILE"),
			UpdateExpression:    aws.String("SET store_id = :store, email = :email, updated_at = :at ADD balance :points"),
			ConditionExpression: aws.String(unchanged),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":store":  str(a.StoreID),
				":email":  str(a.Email),
				":at":     str(stamp(res.Entry.At)),
				":points": num(a.Points),
				":old":    num(balance),
			},
		}},
	}, nil
}

// adjusted returns the result of the adjustment made with an idempotency
// key; found is false when the key is new.
func (db *DB) adjusted(ctx context.Context, pk, idempotencyKey, fingerprint string) (res closeloop.Adjusted, found bool, err error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: key(pk, "ADJUST#"+idempotencyKey), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return closeloop.Adjusted{}, false, unavailable("get adjustment", err)
	}
	if out.Item == nil || !db.liveItem(out.Item) {
		return closeloop.Adjusted{}, false, nil
	}
	return replayOf(out.Item, fingerprint)
}

// replayOf answers a repeated idempotency key from its stored record.
func replayOf(item map[string]types.AttributeValue, fingerprint string) (closeloop.Adjusted, bool, error) {
	var rec adjustmentRecord
	if err := unmarshal(item, &rec); err != nil {
		return closeloop.Adjusted{}, false, err
	}
	if rec.Fingerprint != fingerprint {
		return closeloop.Adjusted{}, false, closeloop.Errorf(closeloop.ECONFLICT,
			"this idempotency_key was used for another adjustment; use a new key for a new adjustment")
	}
	return rec.Adjusted, true, nil
}

// balance reads a customer's balance; a customer without a profile has 0.
func (db *DB) balance(ctx context.Context, pk string) (int, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: key(pk, "#PROFILE"), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("balance"),
	})
	if err != nil {
		return 0, unavailable("get balance", err)
	}
	var profile profileRecord
	if err := unmarshal(out.Item, &profile); err != nil {
		return 0, err
	}
	return profile.Balance, nil
}

// ledgerSK reports whether a sort key under a customer is a ledger entry;
// the customer's partition also holds the profile and idempotency records.
func ledgerSK(sk string) bool { return strings.HasPrefix(sk, "LEDGER#") }
