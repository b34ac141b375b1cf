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

// earlyRecord keeps the events of an order not posted yet, under the
// order's partition (STORE#{store}#ORDER#{order} / #EARLY), until its
// ingest finds them; the table's TTL deletes it after earlyTTL.
type earlyRecord struct {
	PK          string     `json:"pk"`
	SK          string     `json:"sk"`
	StoreID     string     `json:"store_id"`
	OrderID     string     `json:"order_id"`
	FulfilledAt *time.Time `json:"fulfilled_at,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	ExpiresAt   int64      `json:"expires_at"`
}

// earlyTTL is how long an order's early events wait for the order.
const earlyTTL = 30 * 24 * time.Hour

func earlyKey(storeID, orderID string) map[string]types.AttributeValue {
	return key(orderPK(storeID, orderID), "#EARLY")
}

// KeepEarlyEvent keeps an event of an order not posted yet, for its
// ingest: each type once, the first time standing, as on a survey.
func (db *DB) KeepEarlyEvent(ctx context.Context, storeID, orderID string, e closeloop.OrderEvent, at time.Time) error {
	if !validKeyPart(orderID) {
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such order")
	}
	field := "fulfilled_at"
	if e.Type == closeloop.OrderDelivered {
		field = "delivered_at"
	}
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(db.table),
		Key:              earlyKey(storeID, orderID),
		UpdateExpression: aws.String("SET store_id = :store, order_id = :order, " + field + " = if_not_exists(" + field + ", :at), expires_at = :expires"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":store":   str(storeID),
			":order":   str(orderID),
			":at":      str(stamp(e.At.UTC())),
			":expires": num(int(at.Add(earlyTTL).Unix())),
		},
	})
	if err != nil {
		return unavailable("keep early order event", err)
	}
	return nil
}

// withEarlyCheck adds to a new survey's writes, when its timing waits for
// its order's events, the check that no event came before the order that
// the survey lacks: one it holds (the order's own, or the early one the
// caller applied) passes. It fails with the early item (EarlyEvents).
func (db *DB) withEarlyCheck(items []types.TransactWriteItem, s closeloop.Survey) []types.TransactWriteItem {
	if !closeloop.WaitsForEvent(s.SurveyAfter) {
		return items
	}
	conditions := []string{}
	if s.FulfilledAt == nil {
		conditions = append(conditions, "attribute_not_exists(fulfilled_at)")
	}
	if s.DeliveredAt == nil {
		conditions = append(conditions, "attribute_not_exists(delivered_at)")
	}
	if len(conditions) == 0 {
		return items
	}
	return append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: aws.String(db.table),
		Key:       earlyKey(s.StoreID, s.OrderID),
		// An item past its TTL, not yet deleted, is still applied: the
		// events are true, only late.
		ConditionExpression:                 aws.String(strings.Join(conditions, " AND ")),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}})
}

// isEarlyCheck reports whether a transaction's write is withEarlyCheck's.
func isEarlyCheck(item types.TransactWriteItem) bool {
	if item.ConditionCheck == nil {
		return false
	}
	sk, ok := item.ConditionCheck.Key[attrSK].(*types.AttributeValueMemberS)
	return ok && sk.Value == "#EARLY"
}
