package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/cursor"
)

// A store's suppressed addresses are listed in the "lists" index under
// STORE#{store}#SUPPRESSED, sorted by the time of suppression, so the list
// is a query, never a scan. Two kinds of item are listed there:
//
//   - a customer's profile (STORE#{store}#CUSTOMER#{email} / #PROFILE)
//     while it has suppressed_at: Suppress lists it, Unsuppress takes it
//     off with the suppression;
//   - what erasing a suppressed person leaves (erasedSuppressionKey): the
//     hash of the address, its masked form, the reason and the time, with
//     no address.
//
// Sends check the profile's suppressed_at, not the list.

// suppressedList is the lists index partition of a store's suppressed
// addresses.
func suppressedList(storeID string) string { return "STORE#" + storeID + "#SUPPRESSED" }

// suppressedListSK orders a store's suppressions by time; id (the address,
// or its hash once erased) keeps entries of one millisecond apart.
func suppressedListSK(at time.Time, id string) string { return stamp(at) + "#" + id }

// emailHash is the hex SHA-256 of an address: what is kept of it once
// the person is erased.
func emailHash(email string) string {
	sum := sha256.Sum256([]byte(email))
	return hex.EncodeToString(sum[:])
}

// erasedSuppressionKey is where an erased person's suppression is kept: the
// address only as its hash, so that lifting it by address still finds it.
func erasedSuppressionKey(storeID, email string) map[string]types.AttributeValue {
	return key("STORE#"+storeID+"#SUPPRESSED#"+emailHash(email), "#SUPPRESSED")
}

// suppressionRecord is a listed suppression: a profile (with email) or an
// erased person's entry (erased, masked).
type suppressionRecord struct {
	PK           string    `json:"pk"`
	SK           string    `json:"sk"`
	Email        string    `json:"email,omitempty"`
	Erased       bool      `json:"erased,omitempty"`
	Masked       string    `json:"masked,omitempty"`
	StoreID      string    `json:"store_id"`
	SuppressedAt time.Time `json:"suppressed_at"`
	Reason       string    `json:"suppressed_reason"`
	ListPK       string    `json:"list_pk"`
	ListSK       string    `json:"list_sk"`
}

func (r suppressionRecord) suppression() closeloop.Suppression {
	if r.Erased || r.Email == "" {
		return closeloop.MaskedSuppression(r.Masked, r.Reason, r.SuppressedAt)
	}
	return closeloop.NewSuppression(r.Email, r.Reason, r.SuppressedAt)
}

// Suppress records that a customer must never be emailed by the store
// again (unsubscribed, bounced, complained) and lists the address among
// the store's suppressions. The first suppression stands: repeating it,
// for any reason, changes nothing (a redelivered bounce or complaint
// writes nothing), so the time and reason shown are those of the first.
// An erased person is suppressed already, by the hash of the address:
// a bounce arriving after the erase must not write the address back, so
// the profile is written on condition that no erased entry exists.
func (db *DB) Suppress(ctx context.Context, storeID, email, reason string, at time.Time) error {
	err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{
			TableName:           aws.String(db.table),
			Key:                 erasedSuppressionKey(storeID, email),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		{Update: &types.Update{
			TableName: aws.String(db.table),
			Key:       key(customerPK(storeID, email), "#PROFILE"),
			UpdateExpression: aws.String("SET store_id = :store, email = :email, suppressed_at = :at, suppressed_reason = :reason, " +
				"list_pk = :list, list_sk = :listsk"),
			ConditionExpression: aws.String("attribute_not_exists(suppressed_at)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":store":  str(storeID),
				":email":  str(email),
				":at":     str(stamp(at)),
				":reason": str(reason),
				":list":   str(suppressedList(storeID)),
				":listsk": str(suppressedListSK(at, email)),
			},
		}},
	}})
	if reasons := cancelReasons(err); len(reasons) == 2 {
		// Erased, or suppressed before: nothing to write. Any other
		// reason (throttling) is a failure to retry.
		erased, before := aws.ToString(reasons[0].Code) == "ConditionalCheckFailed", aws.ToString(reasons[1].Code) == "ConditionalCheckFailed"
		if erased || before {
			return nil
		}
	}
	if err != nil {
		return unavailable("suppress customer", err)
	}
	return nil
}

// Unsuppress lifts a store's suppression of an address: the store may
// email it again (new orders are surveyed; surveys already closed as
// suppressed stay so). It lifts an erased person's entry for the address
// too. ENOTFOUND when the address is not suppressed in the store.
func (db *DB) Unsuppress(ctx context.Context, storeID, email string) error {
	lifted := true
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(db.table),
		Key:                 key(customerPK(storeID, email), "#PROFILE"),
		UpdateExpression:    aws.String("REMOVE suppressed_at, suppressed_reason, list_pk, list_sk"),
		ConditionExpression: aws.String("attribute_exists(suppressed_at)"),
	})
	switch {
	case conditionFailed(err):
		lifted = false
	case err != nil:
		return unavailable("lift suppression", err)
	}
	_, err = db.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:           aws.String(db.table),
		Key:                 erasedSuppressionKey(storeID, email),
		ConditionExpression: aws.String("attribute_exists(pk)"),
	})
	switch {
	case err == nil:
		lifted = true
	case !conditionFailed(err):
		return unavailable("lift erased suppression", err)
	}
	if !lifted {
		return closeloop.Errorf(closeloop.ENOTFOUND, "the address is not suppressed")
	}
	return nil
}

// listSuppression lists among its store's suppressions a profile that was
// suppressed before suppressions were listed (suppressed_at without
// list_pk), for the upgrade of a running table: listed is false for any
// other item, and for one that changed since it was read. It keeps the
// original time of the suppression.
func (db *DB) listSuppression(ctx context.Context, item map[string]types.AttributeValue) (listed bool, err error) {
	var rec suppressionRecord
	if stringAttr(item[attrSK]) != "#PROFILE" || item["suppressed_at"] == nil || item["list_pk"] != nil {
		return false, nil
	}
	if err := unmarshal(item, &rec); err != nil || rec.StoreID == "" || rec.Email == "" {
		return false, err
	}
	if rec.Reason == closeloop.SuppressedErased {
		return false, nil // an erased person's placeholder: their hashed entry is listed instead
	}
	_, err = db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(db.table),
		Key:                 key(rec.PK, rec.SK),
		UpdateExpression:    aws.String("SET list_pk = :list, list_sk = :listsk"),
		ConditionExpression: aws.String("attribute_exists(suppressed_at) AND attribute_not_exists(list_pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":list": str(suppressedList(rec.StoreID)), ":listsk": str(suppressedListSK(rec.SuppressedAt, rec.Email)),
		},
	})
	switch {
	case conditionFailed(err):
		return false, nil
	case err != nil:
		return false, unavailable("list suppression", err)
	}
	return true, nil
}

// PutErasedSuppression keeps what erasing leaves of a suppressed person:
// the suppression's reason and time with the address masked and hashed,
// listed among the store's suppressions in its place. An entry there
// already stays as it is. Erase puts the same item (erasedSuppressionPut)
// in its own transaction.
func (db *DB) PutErasedSuppression(ctx context.Context, storeID, email, reason string, at time.Time) error {
	put, err := db.erasedSuppressionPut(storeID, email, reason, at)
	if err != nil {
		return err
	}
	_, err = db.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
	})
	if err != nil && !conditionFailed(err) {
		return unavailable("put erased suppression", err)
	}
	return nil
}

// erasedSuppressionPut is the write of an erased person's suppression
// entry, on condition there is none yet.
func (db *DB) erasedSuppressionPut(storeID, email, reason string, at time.Time) (types.Put, error) {
	hash := emailHash(email)
	item, err := marshal(suppressionRecord{
		PK: "STORE#" + storeID + "#SUPPRESSED#" + hash, SK: "#SUPPRESSED",
		Erased: true, Masked: closeloop.MaskEmail(email), StoreID: storeID, SuppressedAt: at, Reason: reason,
		ListPK: suppressedList(storeID), ListSK: suppressedListSK(at, hash),
	})
	if err != nil {
		return types.Put{}, err
	}
	return types.Put{
		TableName: aws.String(db.table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}, nil
}

// Suppressions lists a store's suppressed addresses newest first, one page
// at a time, and the cursor of the next page ("" after the last). Erased
// people are listed masked.
func (db *DB) Suppressions(ctx context.Context, storeID string, limit int, after string) ([]closeloop.Suppression, string, error) {
	list := suppressedList(storeID)
	// The store's key signs the cursors; it is read only for a page that
	// takes or gives one.
	var signer []byte
	var start map[string]types.AttributeValue
	if after != "" {
		var err error
		if signer, err = db.cursorSigner(ctx, storeID); err != nil {
			return nil, "", err
		}
		if start, err = caseStart(signer, after, list); err != nil {
			return nil, "", err
		}
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(db.table),
		IndexName:                 aws.String("lists"),
		KeyConditionExpression:    aws.String("list_pk = :list"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":list": str(list)},
		ExclusiveStartKey:         start,
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	}
	out, err := db.api.Query(ctx, in)
	if err != nil {
		return nil, "", unavailable("query suppressions", err)
	}
	items := make([]closeloop.Suppression, 0, len(out.Items))
	for _, item := range out.Items {
		var rec suppressionRecord
		if err := unmarshal(item, &rec); err != nil {
			return nil, "", err
		}
		items = append(items, rec.suppression())
	}
	if out.LastEvaluatedKey == nil {
		return items, "", nil
	}
	if signer == nil {
		if signer, err = db.cursorSigner(ctx, storeID); err != nil {
			return nil, "", err
		}
	}
	last := out.LastEvaluatedKey
	return items, cursor.Encode(signer, casePosition{
		PK: stringAttr(last[attrPK]), SK: stringAttr(last[attrSK]),
		ListPK: stringAttr(last["list_pk"]), ListSK: stringAttr(last["list_sk"]),
	}), nil
}

// transientRetention is how long a counted transient bounce is remembered:
// far longer than SNS and the events queue (4 days, 14 more in its DLQ
// before a redrive) can deliver its event again.
const transientRetention = 30 * 24 * time.Hour

// mailEventsKey is a store's counters of the mail provider's events.
func mailEventsKey(storeID string) map[string]types.AttributeValue {
	return key("STORE#"+storeID, "#MAILEVENTS")
}

// CountTransientBounce counts one transient bounce of the store's email,
// named by eventKey (the provider's message ID and the recipient), once:
// a marker written in the counter's transaction makes the same event
// again count nothing (counted false).
func (db *DB) CountTransientBounce(ctx context.Context, storeID, eventKey string, at time.Time) (counted bool, err error) {
	err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{
			TableName: aws.String(db.table),
			Item: map[string]types.AttributeValue{
				attrPK: str("MAILEVENT#" + eventKey), attrSK: str("#MAILEVENT"),
				"store_id": str(storeID), "at": str(stamp(at)), "expires_at": expiresAt(at.Add(transientRetention)),
			},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		{Update: &types.Update{
			TableName:                 aws.String(db.table),
			Key:                       mailEventsKey(storeID),
			UpdateExpression:          aws.String("SET store_id = :store, last_transient_bounce_at = :at ADD transient_bounces :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":store": str(storeID), ":at": str(stamp(at)), ":one": num(1)},
		}},
	}})
	reasons := cancelReasons(err)
	switch {
	case err == nil:
		return true, nil
	case len(reasons) == 2 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
		return false, nil
	}
	return false, unavailable("count transient bounce", err)
}

// TransientBounces returns how many transient bounces of the store's
// email were counted.
func (db *DB) TransientBounces(ctx context.Context, storeID string) (int, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: mailEventsKey(storeID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, unavailable("get mail events", err)
	}
	var rec struct {
		TransientBounces int `json:"transient_bounces"`
	}
	if err := unmarshal(out.Item, &rec); err != nil {
		return 0, err
	}
	return rec.TransientBounces, nil
}
