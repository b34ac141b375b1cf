package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// UpdateSettings replaces the settings of read, a store as read (strongly
// consistent) for the change, with s, and makes them its version+1. A
// store whose settings moved on since is ECONFLICT (the caller reads them
// again); the condition also keeps a PUT for a store that does not exist
// from creating half a store: ENOTFOUND instead.
func (db *DB) UpdateSettings(ctx context.Context, read closeloop.Store, s closeloop.Settings) error {
	storeID, version := read.StoreID, read.SettingsVersion
	settings, err := marshal(s)
	if err != nil {
		return err
	}
	unchanged := "settings_version = :version"
	if version == 0 {
		unchanged = "(attribute_not_exists(settings_version) OR settings_version = :version)"
	}
	update := &dynamodb.UpdateItemInput{
		TableName:                           aws.String(db.table),
		Key:                                 storeKey(storeID),
		UpdateExpression:                    aws.String("SET #settings = :s, settings_version = :next"),
		ConditionExpression:                 aws.String("attribute_exists(pk) AND " + unchanged),
		ExpressionAttributeNames:            map[string]string{"#settings": "settings"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":s": &types.AttributeValueMemberM{Value: settings}, ":version": num(version), ":next": num(version + 1)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	// The addresses that may sign in to the dashboard (signin.go) move in
	// the same transaction as the settings that name them, from those of
	// read: the condition on its version makes them the stored ones.
	if staff := db.staffWrites(storeID, read.Settings.Staff(), s.Staff()); len(staff) > 0 {
		return db.updateSettingsWithStaff(ctx, update, staff)
	}
	_, err = db.api.UpdateItem(ctx, update)
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf) && ccf.Item == nil:
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	case errors.As(err, &ccf):
		return closeloop.Errorf(closeloop.ECONFLICT, "the settings changed since they were read")
	case err != nil:
		return unavailable("update settings", err)
	}
	return nil
}

// RotateWebhookSecret makes next the store's current webhook signing
// secret; the current one keeps signing for closeloop.SecretOverlap. The
// write is conditional on the secret read, so two rotations at once do not
// both keep their "previous".
func (db *DB) RotateWebhookSecret(ctx context.Context, storeID, next string, now time.Time) (closeloop.WebhookSecrets, error) {
	for attempt := 1; ; attempt++ {
		store, err := db.Store(ctx, storeID)
		if err != nil {
			return closeloop.WebhookSecrets{}, err
		}
		rotated := store.WebhookSecrets.Rotate(next, now)
		secrets, err := marshal(rotated)
		if err != nil {
			return closeloop.WebhookSecrets{}, err
		}
		values := map[string]types.AttributeValue{":s": &types.AttributeValueMemberM{Value: secrets}}
		condition := "attribute_exists(pk) AND (attribute_not_exists(webhook_secrets.#current) OR webhook_secrets.#current = :old)"
		values[":old"] = str(store.WebhookSecrets.Current)
		_, err = db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(db.table),
			Key:                       storeKey(storeID),
			UpdateExpression:          aws.String("SET webhook_secrets = :s"),
			ConditionExpression:       aws.String(condition),
			ExpressionAttributeNames:  map[string]string{"#current": "current"},
			ExpressionAttributeValues: values,
		})
		switch {
		case err == nil:
			return rotated, nil
		case conditionFailed(err) && attempt < 3:
			continue // rotated meanwhile: rotate what is there now
		case conditionFailed(err):
			return closeloop.WebhookSecrets{}, closeloop.Errorf(closeloop.ECONFLICT, "the secret is being rotated by another request; try again")
		}
		return closeloop.WebhookSecrets{}, unavailable("rotate webhook secret", err)
	}
}

// LatestStore is Store read strongly consistent: the settings as the last
// change left them, for a change made on them and for a settings form
// drawn right after a save (an eventually consistent read could still
// show the version before it, and the next save would be refused).
func (db *DB) LatestStore(ctx context.Context, storeID string) (closeloop.Store, error) {
	rec, err := db.storeRecord(ctx, storeID, true)
	return rec.Store, err
}
