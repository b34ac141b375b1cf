package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Hourly alerts: each store-hour's list of new cases is one item, due in
// the "due" index under ALERT#{n} at the end of its hour, so that the SLA
// check finds the lists to send without a scan:
//
//	STORE#{store}#ALERTS   HOUR#{hour}   the cases queued in the hour (case_ids, a set); sent_at once sent (TTL 30 days)
//	ALERTCASE#{case}       #ALERTCASE    the hour a case was queued in: once per case (TTL 30 days)

func alertListKey(storeID string, hour time.Time) map[string]types.AttributeValue {
	return key("STORE#"+storeID+"#ALERTS", "HOUR#"+stamp(hour))
}

func alertShard(storeID string) string { return "ALERT#" + dueShard(storeID)[len("DUE#"):] }

// QueueHourlyAlert lists case caseID in its store's hourly alert of the
// hour of at, once: a redelivered task finds the case listed already. A
// case queued after its hour's list went out (a task late past the hour's
// end) goes into the next hour's.
func (db *DB) QueueHourlyAlert(ctx context.Context, storeID, caseID string, at time.Time) error {
	hour := closeloop.AlertHour(at)
	for range 3 {
		due := hour.Add(time.Hour + closeloop.HourlyAlertDelay)
		err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{
				TableName: aws.String(db.table),
				Item: map[string]types.AttributeValue{
					attrPK: str("ALERTCASE#" + caseID), attrSK: str("#ALERTCASE"),
					"store_id": str(storeID), "hour": str(stamp(hour)), "expires_at": expiresAt(at.Add(deliveryRetention)),
				},
				ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}},
			{Update: &types.Update{
				TableName:                aws.String(db.table),
				Key:                      alertListKey(storeID, hour),
				UpdateExpression:         aws.String("SET store_id = :store, #hour = :hour, due_pk = :shard, due_sk = :due, expires_at = :expires ADD case_ids :ids"),
				ConditionExpression:      aws.String("attribute_not_exists(sent_at)"),
				ExpressionAttributeNames: map[string]string{"#hour": "hour"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":store": str(storeID), ":hour": str(stamp(hour)),
					":shard": str(alertShard(storeID)), ":due": str(dueSK(due, storeID)),
					":expires": expiresAt(due.Add(deliveryRetention)),
					":ids":     &types.AttributeValueMemberSS{Value: []string{caseID}},
				},
			}},
		}})
		if err == nil {
			return nil
		}
		reasons := cancelReasons(err)
		switch {
		case len(reasons) != 2:
			return unavailable("queue hourly alert", err)
		case aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
			return nil // listed before
		case aws.ToString(reasons[1].Code) == "ConditionalCheckFailed":
			hour = hour.Add(time.Hour) // that hour's list went out
			continue
		}
		return unavailable("queue hourly alert", err)
	}
	return fmt.Errorf("queue hourly alert of case %s: three hours' lists already sent", caseID)
}

type alertListRecord struct {
	StoreID string   `json:"store_id"`
	Hour    string   `json:"hour"`
	CaseIDs []string `json:"case_ids"`
	DueSK   string   `json:"due_sk"`
}

// DueHourlyAlerts lists up to limit unsent hourly alerts per shard whose
// hour ended (with its delay) at or before now.
func (db *DB) DueHourlyAlerts(ctx context.Context, now time.Time, limit int) ([]closeloop.HourlyAlert, error) {
	var due []closeloop.HourlyAlert
	err := db.dueItems(ctx, "ALERT#", now, limit, func(item map[string]types.AttributeValue) error {
		var rec alertListRecord
		if err := unmarshal(item, &rec); err != nil {
			return err
		}
		hour, err := time.Parse(stampLayout, rec.Hour)
		if err != nil {
			return fmt.Errorf("hourly alert of store %s: hour %q: %w", rec.StoreID, rec.Hour, err)
		}
		due = append(due, closeloop.HourlyAlert{StoreID: rec.StoreID, Hour: hour, CaseIDs: rec.CaseIDs, Mark: rec.DueSK})
		return nil
	})
	return due, err
}

// MarkHourlyAlertSent records that an hourly alert went out and takes it
// off the due index; a case queued later goes into the next hour's list.
// It reports false when the list was marked by another run.
func (db *DB) MarkHourlyAlertSent(ctx context.Context, a closeloop.HourlyAlert, at time.Time) (bool, error) {
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(db.table),
		Key:                       alertListKey(a.StoreID, a.Hour),
		UpdateExpression:          aws.String("SET sent_at = :at REMOVE due_pk, due_sk"),
		ConditionExpression:       aws.String("due_sk = :mark"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": str(stamp(at)), ":mark": str(a.Mark)},
	})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, unavailable("mark hourly alert sent", err)
	}
	return true, nil
}
