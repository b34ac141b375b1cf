package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// The recovery check (closeloop/recheck.go) on a case item:
//
//	due_pk, due_sk        RECHECK#{n}, {due}#{case}: a resolved case whose
//	                      check is due (the slot an unresolved case's SLA
//	                      alert uses), then the sender's lease while it sends
//	recheck_token_hashes  the link tokens' hashes, one per attempt
//	recheck               the check's block: sent_at and brand (or skipped)
//	                      when sent, then answered_at, recovered, new_score
//
// A case leaves the index once its check is sent or skipped, and the
// block's presence keeps it from ever entering again.

func recheckShard(caseID string) string {
	return "RECHECK#" + strings.TrimPrefix(dueShard(caseID), "DUE#")
}

// recheckOnResolve ends a resolution's update with the case's due index
// entry: its recovery check's when it gets one, none otherwise.
func recheckOnResolve(before closeloop.Case, resolvedAt time.Time, values map[string]types.AttributeValue) string {
	due, ok := before.RecheckDue(resolvedAt)
	if !ok {
		return " REMOVE due_pk, due_sk"
	}
	values[":rcshard"] = str(recheckShard(before.CaseID))
	values[":rcdue"] = str(dueSK(due, before.CaseID))
	return ", due_pk = :rcshard, due_sk = :rcdue"
}

// DueRechecks lists up to limit resolved cases per shard whose recovery
// check is due at or before now (or whose sender's lease ran out).
func (db *DB) DueRechecks(ctx context.Context, now time.Time, limit int) ([]closeloop.DueRecheck, error) {
	var due []closeloop.DueRecheck
	err := db.dueItems(ctx, "RECHECK#", now, limit, func(item map[string]types.AttributeValue) error {
		var rec caseRecord
		if err := unmarshal(item, &rec); err != nil {
			return err
		}
		if !db.live(rec.ExpiresAt) {
			return nil // past retention; TTL deletes it late
		}
		due = append(due, closeloop.DueRecheck{Case: rec.Case, Mark: rec.DueSK, Attempts: len(rec.RecheckTokenHashes)})
		return nil
	})
	return due, err
}

// ClaimRecheck takes a due recovery check for sending until leaseUntil,
// recording the hash of the link token about to be sent (so the email's
// links work the moment it is out); lease is the mark the send is then
// ended with. ok is false when the case changed since it was read
// (reopened, resolved again, or claimed by another run).
func (db *DB) ClaimRecheck(ctx context.Context, due closeloop.DueRecheck, leaseUntil time.Time, tokenHash string) (lease string, ok bool, err error) {
	lease = dueSK(leaseUntil, due.Case.CaseID)
	_, err = db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(db.table),
		Key:                      caseKey(due.Case.CaseID),
		UpdateExpression:         aws.String("SET due_sk = :lease ADD recheck_token_hashes :hash"),
		ConditionExpression:      aws.String("due_sk = :mark AND #status = :resolved AND attribute_not_exists(recheck)"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":lease": str(lease), ":mark": str(due.Mark), ":resolved": str(string(closeloop.CaseResolved)),
			":hash": &types.AttributeValueMemberSS{Value: []string{tokenHash}},
		},
	})
	if conditionFailed(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, unavailable("claim recheck", err)
	}
	return lease, true, nil
}

// MarkRecheckSent records the recovery check of case c sent at sentAt
// under lease, with the store's branding for its page, and counts it in
// the same transaction; the case leaves the due index. false: the lease
// was lost (another run took the check after it ran out).
func (db *DB) MarkRecheckSent(ctx context.Context, c closeloop.Case, lease string, sentAt time.Time, brand closeloop.Branding) (bool, error) {
	b, err := marshal(brand)
	if err != nil {
		return false, err
	}
	block := map[string]types.AttributeValue{"sent_at": str(stamp(sentAt)), "brand": &types.AttributeValueMemberM{Value: b}}
	return db.endRecheck(ctx, c.CaseID, lease, block, db.tallyItems(c.StoreID, c.CaseID, closeloop.RecheckSentTallies(c, sentAt)))
}

// SkipRecheck ends the recovery check of case c without sending it, for
// reason (closeloop.RecheckSuppressed…): it is never sent, nor counted.
func (db *DB) SkipRecheck(ctx context.Context, c closeloop.Case, mark, reason string) (bool, error) {
	return db.endRecheck(ctx, c.CaseID, mark, map[string]types.AttributeValue{"skipped": str(reason)}, nil)
}

func (db *DB) endRecheck(ctx context.Context, caseID, mark string, block map[string]types.AttributeValue, counted []types.TransactWriteItem) (bool, error) {
	return db.updateWith(ctx, "end recheck", &types.Update{
		TableName:           aws.String(db.table),
		Key:                 caseKey(caseID),
		UpdateExpression:    aws.String("SET recheck = :block REMOVE due_pk, due_sk"),
		ConditionExpression: aws.String("due_sk = :mark AND attribute_not_exists(recheck)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":block": &types.AttributeValueMemberM{Value: block}, ":mark": str(mark),
		},
	}, counted)
}

// RecheckTokens returns a case and the hashes of its recovery check's link
// tokens, for the customer's page: one consistent read, whatever the
// store (the token is the credential). ENOTFOUND when there is no such
// case.
func (db *DB) RecheckTokens(ctx context.Context, caseID string) (closeloop.Case, []string, error) {
	if !validKeyPart(caseID) {
		return closeloop.Case{}, nil, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: caseKey(caseID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return closeloop.Case{}, nil, unavailable("get case", err)
	}
	if out.Item == nil || !db.liveItem(out.Item) {
		return closeloop.Case{}, nil, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	var rec caseRecord
	if err := unmarshal(out.Item, &rec); err != nil {
		return closeloop.Case{}, nil, err
	}
	return rec.Case, rec.RecheckTokenHashes, nil
}

// AnswerRecheck records answer a to the recovery check of case c (as read
// just before) at at, and counts it, in one transaction: on a "no" the case
// reopens (a status move the domain allows), unassigned, with a new SLA
// period, and counts as open again. It returns the case after the answer;
// answered is false when the check was answered before (the case is then
// as it stands, with the first answer). A case that changed between the
// read and the write is read again.
func (db *DB) AnswerRecheck(ctx context.Context, c closeloop.Case, a closeloop.RecheckAnswer, at time.Time) (closeloop.Case, bool, error) {
	for attempt := 1; ; attempt++ {
		if c.RecheckAnswered() || c.Recheck == nil || c.Recheck.SentAt == nil {
			return c, false, nil
		}
		after := c.WithRecheckAnswer(a, at)
		values := map[string]types.AttributeValue{
			":at": str(stamp(at)), ":recovered": &types.AttributeValueMemberBOOL{Value: a.Recovered},
			":was": str(string(c.Status)), ":alerts": num(c.OverdueAlerts),
		}
		update := "SET recheck.answered_at = :at, recheck.recovered = :recovered"
		if a.NewScore != nil {
			update += ", recheck.new_score = :score"
			values[":score"] = num(*a.NewScore)
		}
		counted := db.tallyItems(c.StoreID, c.CaseID, closeloop.RecheckAnswerTallies(c, a, at))
		if c.ReopensOnRecheck(a) {
			if !c.Status.CanMove(after.Status) {
				return closeloop.Case{}, false, fmt.Errorf("answer recheck of case %s: %s cannot move to %s", c.CaseID, c.Status, after.Status)
			}
			reopen, more := reopenUpdate(c.StoreID, c.CaseID, after.DueBy)
			update += ", #status = :to, " + reopen
			for k, v := range more {
				values[k] = v
			}
			values[":to"] = str(string(after.Status))
			counted = append(counted, db.loadItem(c.StoreID, c.CaseID, 1, 0))
		}
		ok, err := db.updateWith(ctx, "answer recheck", &types.Update{
			TableName:        aws.String(db.table),
			Key:              caseKey(c.CaseID),
			UpdateExpression: aws.String(update),
			ConditionExpression: aws.String("attribute_exists(recheck.sent_at) AND attribute_not_exists(recheck.answered_at) " +
				"AND #status = :was AND overdue_alerts = :alerts"),
			ExpressionAttributeNames:  map[string]string{"#status": "status"},
			ExpressionAttributeValues: values,
		}, counted)
		switch {
		case err != nil:
			return closeloop.Case{}, false, err
		case ok:
			return after, true, nil
		case attempt == 3:
			return closeloop.Case{}, false, closeloop.Errorf(closeloop.EUNAVAILABLE, "the follow-up is changing quickly; try again")
		}
		// Answered meanwhile, or moved by support: read it again.
		if c, _, err = db.RecheckTokens(ctx, c.CaseID); err != nil {
			return closeloop.Case{}, false, err
		}
	}
}
