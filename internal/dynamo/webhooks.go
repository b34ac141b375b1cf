package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// deliveredFor is how long a delivery mark is kept: as long as an email's
// (deliveryRetention), longer than a message can live in the webhook queue
// and its DLQ before a redrive, so no copy can outlive its mark.
const deliveredFor = deliveryRetention

// deliveredRecord marks a webhook event delivered to its store, under
// WEBHOOK#{event id} / #DELIVERED. expires_at is the table's TTL attribute.
type deliveredRecord struct {
	PK          string    `json:"pk"`
	SK          string    `json:"sk"`
	DeliveredAt time.Time `json:"delivered_at"`
	ExpiresAt   int64     `json:"expires_at"`
}

func deliveredKeys(eventID string) (pk, sk string) { return "WEBHOOK#" + eventID, "#DELIVERED" }

// Delivered reports whether the event was marked delivered. The read is
// consistent, so a mark written by the attempt that just succeeded is seen.
// A mark past its expiry that DynamoDB has not yet removed still counts:
// the event was delivered all the same.
func (db *DB) Delivered(ctx context.Context, eventID string) (bool, error) {
	pk, sk := deliveredKeys(eventID)
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: key(pk, sk), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String(attrPK),
	})
	if err != nil {
		return false, unavailable("get webhook delivery", err)
	}
	return out.Item != nil, nil
}

// MarkDelivered records that the event reached its store at at; the mark
// expires 7 days later. Marking again replaces the mark.
func (db *DB) MarkDelivered(ctx context.Context, eventID string, at time.Time) error {
	pk, sk := deliveredKeys(eventID)
	item, err := marshal(deliveredRecord{PK: pk, SK: sk, DeliveredAt: at.UTC(), ExpiresAt: at.Add(deliveredFor).Unix()})
	if err != nil {
		return err
	}
	if _, err := db.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(db.table), Item: item}); err != nil {
		return unavailable("put webhook delivery", err)
	}
	return nil
}
