package dynamo

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// deliveryRetention is how long a delivery is remembered: longer than any
// redelivery can come (a stream keeps records 24 hours, the queues keep
// messages 4 days and their DLQs 14 more before a redrive).
const deliveryRetention = 30 * 24 * time.Hour

// Delivery states.
const (
	deliverySending  = "sending"
	deliverySent     = "sent"
	deliveryRejected = "rejected"
)

type deliveryRecord struct {
	Status string `json:"status"`
}

func deliveryKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: str("DELIVERY#" + key), attrSK: str("#DELIVERY")}
}

func expiresAt(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}

// deliveryPut takes delivery d for sending until leaseUntil: new, or
// one whose sender's lease ran out by now.
func (db *DB) deliveryPut(d closeloop.Delivery, now, leaseUntil time.Time) *types.Put {
	return &types.Put{
		TableName: aws.String(db.table),
		Item: map[string]types.AttributeValue{
			attrPK: str("DELIVERY#" + d.Key), attrSK: str("#DELIVERY"),
			"store_id": str(d.StoreID), "kind": str(d.Kind), "status": str(deliverySending),
			"lease_until": str(stamp(leaseUntil)), "expires_at": expiresAt(now.Add(deliveryRetention)),
		},
		ConditionExpression:                 aws.String("attribute_not_exists(pk) OR (#status = :sending AND lease_until <= :now)"),
		ExpressionAttributeNames:            map[string]string{"#status": "status"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":sending": str(deliverySending), ":now": str(stamp(now))},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

// BeginDelivery takes a delivery for sending until leaseUntil, after a
// consistent read of its recipient's profile shows them not suppressed in
// the store (a read and a lone put cost a third of a transaction with a
// condition check, and promise as much: the email goes out after either).
// A delivery sent or refused before is done; one another sender holds
// under an unexpired lease is busy. A delivery with no recipient (a Slack
// message) has no one to suppress: one conditional put.
func (db *DB) BeginDelivery(ctx context.Context, d closeloop.Delivery, now, leaseUntil time.Time) (closeloop.DeliveryStart, error) {
	if d.To != "" {
		suppressed, err := db.profileSuppressed(ctx, d.StoreID, d.To)
		if err != nil {
			return 0, err
		}
		if suppressed {
			return closeloop.DeliverySuppressed, nil
		}
	}
	return db.putDelivery(ctx, d, now, leaseUntil)
}

// putDelivery takes a delivery for sending until leaseUntil: BeginDelivery
// after its suppression check.
func (db *DB) putDelivery(ctx context.Context, d closeloop.Delivery, now, leaseUntil time.Time) (closeloop.DeliveryStart, error) {
	put := db.deliveryPut(d, now, leaseUntil)
	_, err := db.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
		ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return closeloop.DeliveryBegun, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return 0, unavailable("begin delivery", err)
	}
	var rec deliveryRecord
	if err := unmarshal(ccf.Item, &rec); err != nil {
		return 0, err
	}
	if rec.Status == deliverySending {
		return closeloop.DeliveryBusy, nil
	}
	return closeloop.DeliveryDone, nil
}

// EndDelivery records that a delivery was sent, or with rejected true that
// the provider refused it for good: either way it is never sent again.
func (db *DB) EndDelivery(ctx context.Context, deliveryKeyName string, at time.Time, rejected bool) error {
	status := deliverySent
	if rejected {
		status = deliveryRejected
	}
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(db.table),
		Key:                       deliveryKey(deliveryKeyName),
		UpdateExpression:          aws.String("SET #status = :status, ended_at = :at REMOVE lease_until"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":status": str(status), ":at": str(stamp(at))},
	})
	if err != nil {
		return unavailable("end delivery", err)
	}
	return nil
}

// ReleaseDelivery gives up a delivery's lease after a passing failure, so
// that a retry may send at once.
func (db *DB) ReleaseDelivery(ctx context.Context, deliveryKeyName string) error {
	_, err := db.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(db.table),
		Key:                       deliveryKey(deliveryKeyName),
		ConditionExpression:       aws.String("#status = :sending"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":sending": str(deliverySending)},
	})
	if err != nil && !conditionFailed(err) {
		return unavailable("release delivery", err)
	}
	return nil
}
