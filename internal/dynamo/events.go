package dynamo

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// ApplyEvent writes an order event onto its survey: was is the survey as
// read, now as closeloop.Survey.WithEvent made it. The write is
// conditioned on the event's time not being recorded yet (no fulfilment
// either when a delivery is recorded: delivery implies it) and on the
// status read, so the same event twice, or a survey dispatch claimed
// meanwhile, changes nothing: applied is false and stored is the survey
// as it stands. A pending survey that becomes scheduled moves the
// contact budget's mark to its new send time; one that expires gives
// the budget back.
func (db *DB) ApplyEvent(ctx context.Context, was, now closeloop.Survey) (stored closeloop.Survey, applied bool, err error) {
	if now.Status != was.Status && !was.Status.CanMove(now.Status) {
		return closeloop.Survey{}, false, errors.New("apply event: " + string(was.Status) + " cannot move to " + string(now.Status))
	}
	values := map[string]types.AttributeValue{":was": str(string(was.Status))}
	sets := []string{}
	conditions := []string{"#status = :was"}
	if now.FulfilledAt != nil && was.FulfilledAt == nil {
		sets = append(sets, "fulfilled_at = :fulfilled")
		values[":fulfilled"] = str(stamp(*now.FulfilledAt))
		conditions = append(conditions, "attribute_not_exists(fulfilled_at)", "attribute_not_exists(delivered_at)")
	}
	if now.DeliveredAt != nil && was.DeliveredAt == nil {
		sets = append(sets, "delivered_at = :delivered")
		values[":delivered"] = str(stamp(*now.DeliveredAt))
		conditions = append(conditions, "attribute_not_exists(delivered_at)")
	}
	update := ""
	switch {
	case now.Status == was.Status:
	case now.Status == closeloop.StatusScheduled:
		sets = append(sets, "#status = :status", "send_at = :send", "closes_at = :closes", "due_sk = :due")
		values[":status"] = str(string(now.Status))
		values[":send"] = str(stamp(now.SendAt))
		values[":closes"] = str(stamp(now.ClosesAt))
		values[":due"] = str(dueSK(now.SendAt, now.SurveyID))
	default:
		sets = append(sets, "#status = :status")
		values[":status"] = str(string(now.Status))
		update = " REMOVE due_pk, due_sk"
	}
	if len(sets) == 0 {
		return was, false, nil
	}
	out, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(db.table),
		Key:                                 surveyKey(was.SurveyID),
		UpdateExpression:                    aws.String("SET " + strings.Join(sets, ", ") + update),
		ConditionExpression:                 aws.String(strings.Join(conditions, " AND ")),
		ExpressionAttributeNames:            map[string]string{"#status": "status"},
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		var rec surveyRecord
		if err := unmarshal(ccf.Item, &rec); err != nil {
			return closeloop.Survey{}, false, err
		}
		return rec.Survey, false, nil
	case err != nil:
		return closeloop.Survey{}, false, unavailable("record order event", err)
	}
	var rec surveyRecord
	if err := unmarshal(out.Attributes, &rec); err != nil {
		return closeloop.Survey{}, false, err
	}
	switch {
	case was.Status != closeloop.StatusPending:
	case now.Status == closeloop.StatusScheduled && !now.SendAt.Equal(was.SendAt):
		err = db.moveBudget(ctx, was, now.SendAt)
	case now.Status == closeloop.StatusExpired:
		err = db.returnBudget(ctx, was)
	}
	return rec.Survey, true, err
}

// moveBudget moves the contact budget a survey took at its creation
// (marked with its send time then) to its new send time, on condition
// the customer's last survey is still this one.
func (db *DB) moveBudget(ctx context.Context, s closeloop.Survey, sendAt time.Time) error {
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(db.table),
		Key:                 key(customerPK(s.StoreID, s.Customer.Email), "#PROFILE"),
		UpdateExpression:    aws.String("SET last_survey_at = :send"),
		ConditionExpression: aws.String("last_survey_at = :was"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":was":  str(stamp(s.SendAt)),
			":send": str(stamp(sendAt)),
		},
	})
	if err != nil && !conditionFailed(err) {
		return unavailable("move contact budget", err)
	}
	return nil
}
