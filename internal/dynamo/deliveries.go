package dynamo

import (
	"context"
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

// BeginDelivery takes a delivery for sending until leaseUntil, in one
// transaction with the check that its recipient is not suppressed in the
// store. A delivery sent or refused before is done; one another sender
// holds under an unexpired lease is busy. A delivery with no recipient (a
// Slack message) has no one to suppress: one conditional put.
func (db *DB) BeginDelivery(ctx context.Context, d closeloop.Delivery, now, leaseUntil time.Time) (closeloop.DeliveryStart, error) {
	if d.To == "" {
		return db.beginUnaddressed(ctx, d, now, leaseUntil)
	}
	err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{
			TableName:           aws.String(db.table),
			Key:                 key(customerPK(d.StoreID, d.To), "#PROFILE"),
			ConditionExpression: aws.String("attribute_not_exists(suppressed_at)"),
		}},
		{Put: db.deliveryPut(d, now, leaseUntil)},
	}})
	if err == nil {
		return closeloop.DeliveryBegun, nil
	}
	reasons := cancelReasons(err)
	switch {
	case len(reasons) != 2:
		return 0, unavailable("begin delivery", err)
	case aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
		return closeloop.DeliverySuppressed, nil
	case aws.ToString(reasons[1].Code) == "ConditionalCheckFailed":
		var rec deliveryRecord
		if err := unmarshal(reasons[1].Item, &rec); err != nil {
			return 0, err
		}
		if rec.Status == deliverySending {
			return closeloop.DeliveryBusy, nil
		}
		return closeloop.DeliveryDone, nil
	}
	return 0, unavailable("begin delivery", err)
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
