package dynamo

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// DueSurveys lists up to limit surveys per shard due at or before now:
// scheduled ones whose send time has come, claimed ones whose lease ran
// out, and sent ones whose answer window closed. The index projects whole
// items, so no further read is needed; being eventually consistent, what
// it returns is checked again by each conditional write on its Mark.
func (db *DB) DueSurveys(ctx context.Context, now time.Time, limit int) ([]closeloop.DueSurvey, error) {
	var due []closeloop.DueSurvey
	err := db.dueItems(ctx, "DUE#", now, limit, func(item map[string]types.AttributeValue) error {
		var rec surveyRecord
		if err := unmarshal(item, &rec); err != nil {
			return err
		}
		due = append(due, closeloop.DueSurvey{Survey: rec.Survey, Mark: rec.DueSK})
		return nil
	})
	return due, err
}

// dueItems hands each item of the due index under the shards prefix+0…
// due at or before now to each, up to limit per shard, shard by shard.
// The shards are queried at once: one query's latency, not four.
func (db *DB) dueItems(ctx context.Context, prefix string, now time.Time, limit int, each func(map[string]types.AttributeValue) error) error {
	var (
		items [dueShards][]map[string]types.AttributeValue
		errs  [dueShards]error
		wg    sync.WaitGroup
	)
	for shard := range dueShards {
		wg.Go(func() {
			out, err := db.api.Query(ctx, &dynamodb.QueryInput{
				TableName:              aws.String(db.table),
				IndexName:              aws.String("due"),
				KeyConditionExpression: aws.String("due_pk = :shard AND due_sk <= :now"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":shard": str(prefix + itoa(shard)),
					":now":   str(stamp(now) + "~"),
				},
				Limit: aws.Int32(int32(limit)),
			})
			if err != nil {
				errs[shard] = unavailable("query due items", err)
				return
			}
			items[shard] = out.Items
		})
	}
	wg.Wait()
	for shard := range dueShards {
		if errs[shard] != nil {
			return errs[shard]
		}
		for _, item := range items[shard] {
			if err := each(item); err != nil {
				return err
			}
		}
	}
	return nil
}

// Claim takes a due survey for sending until leaseUntil, recording the
// hashes of the survey and unsubscribe link tokens about to be sent (so
// that the email's links work the moment it is out, and after a crash
// before its mark) and counting the attempt: a scheduled one (or one whose
// sender's lease ran out) turns sending; a sent one is claimed for its
// reminder and stays sent, so it can be answered meanwhile. The hashes are
// dropped again when the attempt fails (Retry, MarkFailed, EndReminder
// without a send), so retries never grow the item. It first reads the
// customer's profile (consistently) to check they are not suppressed; if
// they are, a first send closes the survey as suppressed and a reminder is
// skipped. A read and then a lone conditional update cost a third of a
// transaction with a condition check on the profile, and promise as much:
// the email goes out after either, so a suppression that comes between
// the check and the send is missed both ways. Two dispatchers' claims of
// one survey are exclusive: the condition is on the state the survey was
// read in.
func (db *DB) Claim(ctx context.Context, due closeloop.DueSurvey, leaseUntil time.Time, tokenHash, unsubscribeHash string) (closeloop.Lease, closeloop.ClaimResult, error) {
	s := due.Survey
	lease := closeloop.Lease{
		SurveyID: s.SurveyID, Holder: dueSK(leaseUntil, s.SurveyID), Status: closeloop.StatusSending, Survey: s,
		TokenHash: tokenHash, UnsubscribeHash: unsubscribeHash,
	}
	if s.Status == closeloop.StatusSent {
		lease.Status = closeloop.StatusSent
	}
	if !s.Status.CanMove(lease.Status) {
		return closeloop.Lease{}, closeloop.Lost, fmt.Errorf("claim survey %s: %s cannot move to %s", s.SurveyID, s.Status, lease.Status)
	}
	suppressed, err := db.profileSuppressed(ctx, s.StoreID, s.Customer.Email)
	switch {
	case err != nil:
		return closeloop.Lease{}, closeloop.Lost, err
	case suppressed && lease.Status == closeloop.StatusSent:
		_, err := db.settle(ctx, s.SurveyID, s.Status, s.Status, due.Mark, "SET due_sk = :closes",
			map[string]types.AttributeValue{":closes": str(dueSK(s.ClosesAt, s.SurveyID))})
		return closeloop.Lease{}, closeloop.Suppressed, err
	case suppressed:
		_, err := db.settle(ctx, s.SurveyID, s.Status, closeloop.StatusSuppressed, due.Mark, "SET #status = :suppressed REMOVE due_pk, due_sk",
			map[string]types.AttributeValue{":suppressed": str(string(closeloop.StatusSuppressed))})
		return closeloop.Lease{}, closeloop.Suppressed, err
	}
	held, err := db.settle(ctx, s.SurveyID, s.Status, lease.Status, due.Mark,
		"SET #status = :held, due_sk = :lease ADD token_hashes :hash, unsubscribe_hashes :unsub, attempts :one",
		map[string]types.AttributeValue{
			":held":  str(string(lease.Status)),
			":lease": str(lease.Holder),
			":hash":  &types.AttributeValueMemberSS{Value: []string{tokenHash}},
			":unsub": &types.AttributeValueMemberSS{Value: []string{unsubscribeHash}},
			":one":   num(1),
		})
	switch {
	case err != nil:
		return closeloop.Lease{}, closeloop.Lost, err
	case !held:
		return closeloop.Lease{}, closeloop.Lost, nil
	}
	return lease, closeloop.Claimed, nil
}

// profileSuppressed reads whether a customer is suppressed in a store
// (their profile's suppressed_at), consistently: a suppression written
// just before is seen.
func (db *DB) profileSuppressed(ctx context.Context, storeID, email string) (bool, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            aws.String(db.table),
		Key:                  key(customerPK(storeID, email), "#PROFILE"),
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String("suppressed_at"),
	})
	if err != nil {
		return false, unavailable("get profile", err)
	}
	_, suppressed := out.Item["suppressed_at"]
	return suppressed, nil
}

// dropHashes is the DELETE clause that takes the lease's token hashes off
// the survey again (its email was not sent), with its values added to
// values; "" when the lease recorded none.
func dropHashes(lease closeloop.Lease, values map[string]types.AttributeValue) string {
	var clauses []string
	if lease.TokenHash != "" {
		clauses = append(clauses, "token_hashes :drop_hash")
		values[":drop_hash"] = &types.AttributeValueMemberSS{Value: []string{lease.TokenHash}}
	}
	if lease.UnsubscribeHash != "" {
		clauses = append(clauses, "unsubscribe_hashes :drop_unsub")
		values[":drop_unsub"] = &types.AttributeValueMemberSS{Value: []string{lease.UnsubscribeHash}}
	}
	if len(clauses) == 0 {
		return ""
	}
	return " DELETE " + strings.Join(clauses, ", ")
}

// MarkSent records that the survey under lease was sent, with the store's
// branding as the email showed it, and makes it due again at nextDue: the
// time of its reminder, or when its answer window closes, to expire. The
// attempts start again from 0 for the reminder. held is false when the
// lease was lost (it ran out and another dispatcher took the survey).
func (db *DB) MarkSent(ctx context.Context, lease closeloop.Lease, sentAt, nextDue time.Time, brand closeloop.Branding, defaultLocale string) (held bool, err error) {
	brandAV, err := marshal(brand)
	if err != nil {
		return false, err
	}
	// The send is counted in the same transaction that records it.
	counted := db.tallyItems(lease.Survey.StoreID, lease.SurveyID, closeloop.SentTallies(lease.Survey, sentAt))
	return db.settleWith(ctx, lease.SurveyID, lease.Status, closeloop.StatusSent, lease.Holder,
		// counted_sent tells storectl backfill-counters this send is
		// counted already. What the survey waited for is done with: the
		// item keeps under a kilobyte.
		"SET #status = :sent, sent_at = :at, brand = :brand, default_locale = :locale, due_sk = :next, counted_sent = :true, attempts = :zero REMOVE survey_after, on_no_event",
		map[string]types.AttributeValue{
			":true":   &types.AttributeValueMemberBOOL{Value: true},
			":sent":   str(string(closeloop.StatusSent)),
			":at":     str(stamp(sentAt)),
			":brand":  &types.AttributeValueMemberM{Value: brandAV},
			":locale": str(defaultLocale),
			":next":   str(dueSK(nextDue, lease.SurveyID)),
			":zero":   num(0),
		}, counted)
}

// EndReminder ends the reminder under lease: remindedAt records it when
// it was sent; nil means it was given up, and its token hashes are
// dropped. The survey is due again when its answer window closes.
func (db *DB) EndReminder(ctx context.Context, lease closeloop.Lease, remindedAt *time.Time, closesAt time.Time) (held bool, err error) {
	update := "SET due_sk = :closes, attempts = :zero"
	values := map[string]types.AttributeValue{":closes": str(dueSK(closesAt, lease.SurveyID)), ":zero": num(0)}
	if remindedAt != nil {
		update += ", reminded_at = :at"
		values[":at"] = str(stamp(*remindedAt))
	} else {
		update += dropHashes(lease, values)
	}
	return db.settle(ctx, lease.SurveyID, lease.Status, lease.Status, lease.Holder, update, values)
}

// MarkFailed records that the survey under lease cannot be sent, and why
// (a reason code), dropping the hashes of the email that was not sent.
func (db *DB) MarkFailed(ctx context.Context, lease closeloop.Lease, reason string) (held bool, err error) {
	values := map[string]types.AttributeValue{
		":failed": str(string(closeloop.StatusFailed)),
		":reason": str(reason),
	}
	return db.settle(ctx, lease.SurveyID, lease.Status, closeloop.StatusFailed, lease.Holder,
		"SET #status = :failed, failure_reason = :reason REMOVE due_pk, due_sk"+dropHashes(lease, values), values)
}

// Retry gives back a survey whose send failed for a passing reason, or
// was not tried; it is due again at retryAt, without the hashes of the
// email that was not sent. counted says whether the attempt counts
// towards giving up: not when the account or the store was to blame, or
// nothing was sent at all.
func (db *DB) Retry(ctx context.Context, lease closeloop.Lease, retryAt time.Time, counted bool) (held bool, err error) {
	values := map[string]types.AttributeValue{":retry": str(dueSK(retryAt, lease.SurveyID))}
	update := "SET due_sk = :retry"
	if !counted {
		update += " ADD attempts :uncount"
		values[":uncount"] = num(-1)
	}
	return db.settle(ctx, lease.SurveyID, lease.Status, lease.Status, lease.Holder, update+dropHashes(lease, values), values)
}

// GiveUp fails a due survey that is not claimed, with reason (one that
// closed before it could be sent, or whose attempts ran out), and returns
// the status it ended in: failed; suppressed when the customer is
// suppressed meanwhile (checked in the same transaction, as a claim
// does), that being the truer reason it was never sent; "" when it
// changed since it was read.
func (db *DB) GiveUp(ctx context.Context, due closeloop.DueSurvey, reason string) (closeloop.Status, error) {
	s := due.Survey
	if !s.Status.CanMove(closeloop.StatusFailed) {
		return "", fmt.Errorf("give up survey %s: %s cannot move to %s", s.SurveyID, s.Status, closeloop.StatusFailed)
	}
	err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{
			TableName:                aws.String(db.table),
			Key:                      surveyKey(s.SurveyID),
			UpdateExpression:         aws.String("SET #status = :failed, failure_reason = :reason REMOVE due_pk, due_sk"),
			ConditionExpression:      aws.String("#status = :was AND due_sk = :mark"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":failed": str(string(closeloop.StatusFailed)),
				":reason": str(reason),
				":was":    str(string(s.Status)),
				":mark":   str(due.Mark),
			},
		}},
		{ConditionCheck: &types.ConditionCheck{
			TableName:           aws.String(db.table),
			Key:                 key(customerPK(s.StoreID, s.Customer.Email), "#PROFILE"),
			ConditionExpression: aws.String("attribute_not_exists(suppressed_at)"),
		}},
	}})
	if err == nil {
		return closeloop.StatusFailed, nil
	}
	reasons := cancelReasons(err)
	switch {
	case len(reasons) != 2:
		return "", unavailable("give up survey", err)
	case aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
		return "", nil
	case aws.ToString(reasons[1].Code) == "ConditionalCheckFailed" && s.Status.CanMove(closeloop.StatusSuppressed):
		settled, err := db.settle(ctx, s.SurveyID, s.Status, closeloop.StatusSuppressed, due.Mark, "SET #status = :suppressed REMOVE due_pk, due_sk",
			map[string]types.AttributeValue{":suppressed": str(string(closeloop.StatusSuppressed))})
		if !settled {
			return "", err
		}
		return closeloop.StatusSuppressed, nil
	}
	return "", unavailable("give up survey", err)
}

// Hold makes a due survey due again at until, in the same status, without
// claiming it: a survey of a store whose sending is paused waits for the
// store's next probe, off the head of its shard of the due index.
func (db *DB) Hold(ctx context.Context, due closeloop.DueSurvey, until time.Time) (bool, error) {
	return db.settle(ctx, due.Survey.SurveyID, due.Survey.Status, due.Survey.Status, due.Mark, "SET due_sk = :until",
		map[string]types.AttributeValue{":until": str(dueSK(until, due.Survey.SurveyID))})
}

// Expire closes a sent survey whose answer window has ended unanswered,
// or a pending one whose order event never came (on_no_event expire): a
// survey never sent gives back the contact budget it took, as a cancelled
// one does.
func (db *DB) Expire(ctx context.Context, due closeloop.DueSurvey) (bool, error) {
	held, err := db.settle(ctx, due.Survey.SurveyID, due.Survey.Status, closeloop.StatusExpired, due.Mark,
		"SET #status = :expired REMOVE due_pk, due_sk",
		map[string]types.AttributeValue{":expired": str(string(closeloop.StatusExpired))})
	if held && err == nil && due.Survey.SentAt == nil {
		err = db.returnBudget(ctx, due.Survey)
	}
	return held, err
}

// settle moves a survey from status was to status to by update, only while
// it is still in was with due mark: a survey answered, cancelled or taken
// over since is left alone. The move must be one the domain allows.
func (db *DB) settle(ctx context.Context, surveyID string, was, to closeloop.Status, mark, update string, values map[string]types.AttributeValue) (bool, error) {
	return db.settleWith(ctx, surveyID, was, to, mark, update, values, nil)
}

// settleWith is settle with more writes in the same transaction (the
// counters of the move); without them it is a single conditional update.
func (db *DB) settleWith(ctx context.Context, surveyID string, was, to closeloop.Status, mark, update string, values map[string]types.AttributeValue, with []types.TransactWriteItem) (bool, error) {
	if !was.CanMove(to) {
		return false, fmt.Errorf("settle survey %s: %s cannot move to %s", surveyID, was, to)
	}
	values[":was"] = str(string(was))
	values[":mark"] = str(mark)
	u := &types.Update{
		TableName:                 aws.String(db.table),
		Key:                       surveyKey(surveyID),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("#status = :was AND due_sk = :mark"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
	}
	return db.updateWith(ctx, "update survey", u, with)
}

// updateWith applies a conditional update, alone or, when with holds the
// writes that count it, in one transaction with them: a lone update
// costs half. held is false when the update's condition failed, and then
// nothing was written.
func (db *DB) updateWith(ctx context.Context, op string, u *types.Update, with []types.TransactWriteItem) (held bool, err error) {
	if len(with) == 0 {
		_, err = db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
		})
		if conditionFailed(err) {
			return false, nil
		}
	} else {
		err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{
			TransactItems: append([]types.TransactWriteItem{{Update: u}}, with...),
		})
		if reasons := cancelReasons(err); len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed" {
			return false, nil
		}
	}
	if err != nil {
		return false, unavailable(op, err)
	}
	return true, nil
}
