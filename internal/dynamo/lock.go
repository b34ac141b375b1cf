package dynamo

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The dispatch run lock is one item:
//
//	DISPATCH#LOCK    #LOCK    holder, lease_until, expires_at (TTL)
//
// A run takes it with a conditional put (no lock, or one whose lease ran
// out) and deletes it when done, only while it still holds it. The lease
// covers a run that crashed without letting go; the TTL only tidies up.
func runLockKey() map[string]types.AttributeValue { return key("DISPATCH#LOCK", "#LOCK") }

// TakeRunLock takes the dispatch run lock for holder until leaseUntil, as
// of now. taken is false when another run holds it and its lease has not
// run out.
func (db *DB) TakeRunLock(ctx context.Context, holder string, now, leaseUntil time.Time) (taken bool, err error) {
	item := runLockKey()
	item["holder"] = str(holder)
	item["lease_until"] = str(stamp(leaseUntil))
	item["expires_at"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(leaseUntil.Add(24*time.Hour).Unix(), 10)}
	_, err = db.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(db.table),
		Item:                      item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR lease_until < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": str(stamp(now))},
	})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, unavailable("take the dispatch run lock", err)
	}
	return true, nil
}

// ReleaseRunLock lets the dispatch run lock go, if holder still holds it:
// a run whose lease ran out and was taken over leaves the new holder's
// lock alone.
func (db *DB) ReleaseRunLock(ctx context.Context, holder string) error {
	_, err := db.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(db.table),
		Key:                       runLockKey(),
		ConditionExpression:       aws.String("holder = :holder"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":holder": str(holder)},
	})
	if err != nil && !conditionFailed(err) {
		return unavailable("release the dispatch run lock", err)
	}
	return nil
}
