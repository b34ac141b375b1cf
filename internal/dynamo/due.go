package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// DueSurveys lists up to limit survey IDs due at or before now: scheduled
// ones whose send time has come and claimed ones whose lease ran out.
func (db *DB) DueSurveys(ctx context.Context, now time.Time, limit int) ([]string, error) {
	var ids []string
	for shard := range dueShards {
		in := &dynamodb.QueryInput{
			TableName:              aws.String(db.table),
			IndexName:              aws.String("due"),
			KeyConditionExpression: aws.String("due_pk = :shard AND due_sk <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":shard": str("DUE#" + itoa(shard)),
				":now":   str(stamp(now) + "~"),
			},
			ProjectionExpression: aws.String("survey_id"),
			Limit:                aws.Int32(int32(limit)),
		}
		out, err := db.api.Query(ctx, in)
		if err != nil {
			return nil, unavailable("query due surveys", err)
		}
		for _, item := range out.Items {
			var rec struct {
				SurveyID string `json:"survey_id"`
			}
			if err := unmarshal(item, &rec); err != nil {
				return nil, err
			}
			ids = append(ids, rec.SurveyID)
		}
	}
	return ids, nil
}

// Claim takes a due survey for sending until leaseUntil and records the
// hash of the link token about to be sent. ok is false when the survey is
// not due (another dispatcher holds it, or it was sent, answered,
// cancelled). The conditional update makes two dispatchers' claims exclusive.
func (db *DB) Claim(ctx context.Context, surveyID string, now, leaseUntil time.Time, tokenHash string) (closeloop.Survey, closeloop.Lease, bool, error) {
	lease := closeloop.Lease{SurveyID: surveyID, Until: leaseUntil, Holder: dueSK(leaseUntil, surveyID)}
	out, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(db.table),
		Key:                      surveyKey(surveyID),
		UpdateExpression:         aws.String("SET #status = :sending, due_sk = :lease ADD token_hashes :hash, attempts :one"),
		ConditionExpression:      aws.String("#status IN (:scheduled, :sending) AND due_sk <= :now"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sending":   str(string(closeloop.StatusSending)),
			":scheduled": str(string(closeloop.StatusScheduled)),
			":lease":     str(lease.Holder),
			":now":       str(stamp(now) + "~"),
			":hash":      &types.AttributeValueMemberSS{Value: []string{tokenHash}},
			":one":       num(1),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if conditionFailed(err) {
		return closeloop.Survey{}, closeloop.Lease{}, false, nil
	}
	if err != nil {
		return closeloop.Survey{}, closeloop.Lease{}, false, unavailable("claim survey", err)
	}
	var rec surveyRecord
	if err := unmarshal(out.Attributes, &rec); err != nil {
		return closeloop.Survey{}, closeloop.Lease{}, false, err
	}
	return rec.Survey, lease, true, nil
}

// MarkSent records that the survey under lease was sent, with the store's
// branding as the email showed it. held is false when the lease was lost
// (it ran out and another dispatcher took the survey).
func (db *DB) MarkSent(ctx context.Context, lease closeloop.Lease, sentAt time.Time, brand closeloop.Branding, defaultLocale string) (held bool, err error) {
	brandAV, err := marshal(brand)
	if err != nil {
		return false, err
	}
	return db.release(ctx, lease, "SET #status = :sent, sent_at = :at, brand = :brand, default_locale = :locale REMOVE due_pk, due_sk",
		map[string]types.AttributeValue{
			":sent":   str(string(closeloop.StatusSent)),
			":at":     str(sentAt.UTC().Format(time.RFC3339Nano)),
			":brand":  &types.AttributeValueMemberM{Value: brandAV},
			":locale": str(defaultLocale),
		})
}

// MarkFailed records that the survey under lease cannot be sent, and why.
func (db *DB) MarkFailed(ctx context.Context, lease closeloop.Lease, reason string) (held bool, err error) {
	return db.release(ctx, lease, "SET #status = :failed, failure_reason = :reason REMOVE due_pk, due_sk",
		map[string]types.AttributeValue{
			":failed": str(string(closeloop.StatusFailed)),
			":reason": str(reason),
		})
}

// Retry gives back a survey whose send failed for a passing reason; it is
// due again at retryAt.
func (db *DB) Retry(ctx context.Context, lease closeloop.Lease, retryAt time.Time) (held bool, err error) {
	return db.release(ctx, lease, "SET due_sk = :retry",
		map[string]types.AttributeValue{":retry": str(dueSK(retryAt, lease.SurveyID))})
}

// release applies update to a survey only while the lease is still held.
func (db *DB) release(ctx context.Context, lease closeloop.Lease, update string, values map[string]types.AttributeValue) (bool, error) {
	values[":sending"] = str(string(closeloop.StatusSending))
	values[":held"] = str(lease.Holder)
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(db.table),
		Key:                       surveyKey(lease.SurveyID),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("#status = :sending AND due_sk = :held"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
	})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, unavailable("release survey", err)
	}
	return true, nil
}
