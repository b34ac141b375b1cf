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

func deliveredKeys(eventID string) (pk, sk string) { return "WEBHOOK#" + eventID, "#DELIVERED" }

// Delivered reports whether the event was marked delivered, under
// WEBHOOK#{event id} / #DELIVERED. The read is consistent, so a mark
// written by the attempt that just succeeded is seen. A mark past its
// expiry that DynamoDB has not yet removed still counts: the event was
// delivered all the same.
func (db *DB) Delivered(ctx context.Context, eventID string) (bool, error) {
	pk, sk := deliveredKeys(eventID)
	return db.marked(ctx, pk, sk, "webhook delivery")
}

// MarkDelivered records that the event reached its store at at; the mark
// expires 7 days later. Marking again replaces the mark.
func (db *DB) MarkDelivered(ctx context.Context, eventID string, at time.Time) error {
	pk, sk := deliveredKeys(eventID)
	return db.mark(ctx, pk, sk, "delivered_at", at, deliveredFor, "webhook delivery")
}

// marked reports whether the mark pk/sk of something done once exists;
// the read is consistent. what names it in errors.
func (db *DB) marked(ctx context.Context, pk, sk, what string) (bool, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: key(pk, sk), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String(attrPK),
	})
	if err != nil {
		return false, unavailable("get "+what, err)
	}
	return out.Item != nil, nil
}

// mark writes the mark pk/sk, with at under the attribute atName, kept
// for keep (expires_at, the table's TTL); marking again replaces it.
func (db *DB) mark(ctx context.Context, pk, sk, atName string, at time.Time, keep time.Duration, what string) error {
	item := key(pk, sk)
	item[atName] = str(stamp(at))
	item["expires_at"] = expiresAt(at.Add(keep))
	if _, err := db.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(db.table), Item: item}); err != nil {
		return unavailable("put "+what, err)
	}
	return nil
}
