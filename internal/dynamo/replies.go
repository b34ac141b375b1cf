package dynamo

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// A customer's emailed reply is a note on the case whose ID is also kept
// in the case's reply_ids list: the write adds the note on condition the
// list lacks it, so a reply delivered again adds nothing.

// maxReplyAttempts bounds the writes of a reply to a case that keeps
// changing status between its read and its write.
const maxReplyAttempts = 3

// CaseByID returns a case whatever its store: a reply's token names the
// case, and the store is found from it. ENOTFOUND when there is none (or
// it is past retention).
func (db *DB) CaseByID(ctx context.Context, caseID string) (closeloop.Case, error) {
	rec, _, err := db.replyCase(ctx, caseID)
	return rec, err
}

// replyCase reads a case with the note IDs of the replies it holds.
func (db *DB) replyCase(ctx context.Context, caseID string) (closeloop.Case, []string, error) {
	if !validKeyPart(caseID) {
		return closeloop.Case{}, nil, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: caseKey(caseID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return closeloop.Case{}, nil, unavailable("get case", err)
	}
	if !db.liveItem(out.Item) {
		return closeloop.Case{}, nil, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	return decodeReplyCase(out.Item)
}

// decodeReplyCase decodes a case item with its reply_ids; ENOTFOUND when
// there is no item.
func decodeReplyCase(item map[string]types.AttributeValue) (closeloop.Case, []string, error) {
	if item == nil {
		return closeloop.Case{}, nil, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	var rec struct {
		caseRecord
		ReplyIDs []string `json:"reply_ids"`
	}
	if err := unmarshal(item, &rec); err != nil {
		return closeloop.Case{}, nil, err
	}
	return rec.Case, rec.ReplyIDs, nil
}

// AddReply puts a customer's reply n on case c (as read) in one
// conditional write, and returns the case after it. A reply to a resolved
// case reopens it, unassigned and due at dueBy, as ReopenCase does, in one
// transaction with the store's open-case count. When c changed status
// since it was read, the write is tried again from the case as the failed
// condition returned it.
func (db *DB) AddReply(ctx context.Context, c closeloop.Case, n closeloop.Note, dueBy time.Time) (closeloop.Case, closeloop.ReplyResult, error) {
	note, err := marshal(n)
	if err != nil {
		return closeloop.Case{}, 0, err
	}
	for attempt := 1; ; attempt++ {
		values := map[string]types.AttributeValue{
			":store": str(c.StoreID), ":was": str(string(c.Status)),
			":note":  &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: note}}},
			":id":    str(n.NoteID),
			":ids":   &types.AttributeValueMemberL{Value: []types.AttributeValue{str(n.NoteID)}},
			":empty": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":max":   num(closeloop.MaxNotesPerCase),
		}
		update := "SET notes = list_append(notes, :note), reply_ids = list_append(if_not_exists(reply_ids, :empty), :ids)"
		condition := "store_id = :store AND #status = :was AND NOT contains(reply_ids, :id) AND size(notes) < :max"
		// The seam of the case's first contact (a reply is one): its
		// update and counters go in this same write.
		contact, contactCondition, counted := db.replyContact(c, n.At, values)
		update += contact
		condition += contactCondition
		reopens := c.ReplyReopens()
		if reopens {
			// The same move as ReopenCase's, with the note, counted with
			// the store's open cases.
			counted = append(counted, db.loadItem(c.StoreID, c.CaseID, 1, 0))
			reopen, reopenValues := reopenUpdate(c.StoreID, c.CaseID, dueBy)
			update += ", #status = :open, " + reopen
			condition += " AND overdue_alerts = :alerts"
			maps.Copy(values, reopenValues)
			values[":alerts"], values[":open"] = num(c.OverdueAlerts), str(string(closeloop.CaseOpen))
		}
		var current map[string]types.AttributeValue // the item after the write, or as it failed the condition
		failed := false
		if len(counted) > 0 {
			err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{
				{Update: &types.Update{
					TableName: aws.String(db.table), Key: caseKey(c.CaseID),
					UpdateExpression: aws.String(update), ConditionExpression: aws.String(condition),
					ExpressionAttributeNames: map[string]string{"#status": "status"}, ExpressionAttributeValues: values,
					ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
				}},
			}, counted...)})
			if reasons := cancelReasons(err); len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed" {
				failed, current = true, reasons[0].Item
			}
			if err == nil {
				// A transaction returns nothing: the case is as the
				// condition held it, changed as the update says.
				after := c
				if !c.Contacted() {
					after.FirstContactAt = &n.At
				}
				if reopens {
					after.Status, after.Assignee, after.ClaimedAt, after.ResolvedAt = closeloop.CaseOpen, "", nil, nil
					after.NotifyCustomer, after.CustomerMessage, after.DueBy, after.OverdueAlerts = false, "", dueBy, 0
				}
				after.Notes = append(slices.Clip(c.Notes), n)
				return after, closeloop.ReplyAdded, nil
			}
		} else {
			var out *dynamodb.UpdateItemOutput
			out, err = db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String(db.table), Key: caseKey(c.CaseID),
				UpdateExpression: aws.String(update), ConditionExpression: aws.String(condition),
				ExpressionAttributeNames: map[string]string{"#status": "status"}, ExpressionAttributeValues: values,
				ReturnValues:                        types.ReturnValueAllNew,
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			})
			var ccf *types.ConditionalCheckFailedException
			if errors.As(err, &ccf) {
				failed, current = true, ccf.Item
			}
			if err == nil {
				after, _, err := decodeReplyCase(out.Attributes)
				return after, closeloop.ReplyAdded, err
			}
		}
		if !failed {
			return closeloop.Case{}, 0, unavailable("add reply", err)
		}
		now, ids, err := decodeReplyCase(current)
		switch {
		case closeloop.ErrorCode(err) == closeloop.ENOTFOUND || (err == nil && now.StoreID != c.StoreID):
			return closeloop.Case{}, 0, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
		case err != nil:
			return closeloop.Case{}, 0, err
		case slices.Contains(ids, n.NoteID):
			return now, closeloop.ReplyDuplicate, nil
		case len(now.Notes) >= closeloop.MaxNotesPerCase:
			return now, closeloop.ReplyCaseFull, nil
		case attempt == maxReplyAttempts:
			return closeloop.Case{}, 0, closeloop.Errorf(closeloop.EUNAVAILABLE, "the follow-up is changing quickly; try again")
		}
		c = now // its status or alerts changed since the read: write again from there
	}
}

// replyContact returns what a reply's write adds to record the case's
// first contact when it is the first (a claim, a note or a customer's
// reply; the loop numbers' time to first contact): an update clause and a
// condition, each starting so that they append, with their values put in
// values, and the counters to write with them (closeloop.FirstContactTallies).
func (db *DB) replyContact(c closeloop.Case, at time.Time, values map[string]types.AttributeValue) (update, condition string, counted []types.TransactWriteItem) {
	if c.Contacted() {
		return "", "", nil
	}
	values[":contact"] = str(stamp(at))
	return ", first_contact_at = :contact", " AND attribute_not_exists(first_contact_at)",
		db.tallyItems(c.StoreID, c.CaseID, closeloop.FirstContactTallies(c, at))
}
