package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/cursor"
)

// caseRecord is a follow-up case. It is listed in the "lists" index under
// its store's active (open and claimed) or resolved cases, oldest first,
// and while unresolved it sits in the "due" index under an SLA shard at the
// time support must next be alerted.
type caseRecord struct {
	PK   string `json:"pk"`
	SK   string `json:"sk"`
	Type string `json:"type"`
	closeloop.Case
	ListPK string `json:"list_pk"`
	ListSK string `json:"list_sk"`
	DuePK  string `json:"due_pk,omitempty"`
	DueSK  string `json:"due_sk,omitempty"`
	// ExpiresAt is its survey's: the case and its notes go with it.
	ExpiresAt int64 `json:"expires_at,omitempty"`
	// RecheckTokenHashes are the hashes of the recovery check's link
	// tokens, one per attempt to send it (recheck.go).
	RecheckTokenHashes []string `json:"recheck_token_hashes,omitempty,stringset"`
}

func caseKey(caseID string) map[string]types.AttributeValue { return key("CASE#"+caseID, "#CASE") }

// caseList names the list of a store's cases a case in status is in.
func caseList(storeID string, status closeloop.CaseStatus) string {
	if status == closeloop.CaseResolved {
		return "STORE#" + storeID + "#CASES#resolved"
	}
	return "STORE#" + storeID + "#CASES#active"
}

func caseListSK(c closeloop.Case) string { return stamp(c.OpenedAt) + "#" + c.CaseID }

func slaShard(caseID string) string { return "SLA#" + strings.TrimPrefix(dueShard(caseID), "DUE#") }

func newCaseRecord(c closeloop.Case) caseRecord {
	return caseRecord{
		PK: "CASE#" + c.CaseID, SK: "#CASE", Type: typeCase, Case: c,
		ListPK: caseList(c.StoreID, c.Status), ListSK: caseListSK(c),
		DuePK: slaShard(c.CaseID), DueSK: dueSK(c.DueBy, c.CaseID),
	}
}

// Case returns a store's case, ENOTFOUND when the store has none of that
// ID (another store's case included).
func (db *DB) Case(ctx context.Context, storeID, caseID string) (closeloop.Case, error) {
	if !validKeyPart(caseID) {
		return closeloop.Case{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: caseKey(caseID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return closeloop.Case{}, unavailable("get case", err)
	}
	if !db.liveItem(out.Item) {
		return closeloop.Case{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	return storeCase(out.Item, storeID)
}

// storeCase decodes a case item, ENOTFOUND when there is none or it is
// another store's.
func storeCase(item map[string]types.AttributeValue, storeID string) (closeloop.Case, error) {
	if item == nil {
		return closeloop.Case{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	var rec caseRecord
	if err := unmarshal(item, &rec); err != nil {
		return closeloop.Case{}, err
	}
	if rec.StoreID != storeID {
		return closeloop.Case{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	return rec.Case, nil
}

// validKeyPart reports whether an ID from a request can be part of a key:
// DynamoDB refuses keys over 1 KB, so a longer one names nothing.
func validKeyPart(id string) bool { return id != "" && len(id) <= 128 }

// caseMove is one status change of a case: from the statuses in from (each
// a move the domain allows) to status to, by update.
type caseMove struct {
	from   []closeloop.CaseStatus
	to     closeloop.CaseStatus
	update string
	values map[string]types.AttributeValue
	// counted, when set, gives the writes that count the move (the store's
	// counters), from the case as it stood: the move is then one
	// transaction with them, made on condition the case is still so.
	counted func(before closeloop.Case) []types.TransactWriteItem
	// then, when set (with counted), ends the update with what depends on
	// the case as it stood (the resolution's due index entry), adding its
	// values to values.
	then func(before closeloop.Case, values map[string]types.AttributeValue) string
}

// moveCase applies a move to a store's case and returns the case after it.
// When the case is in no status of move.from it returns the case as it
// stands with ECONFLICT; ENOTFOUND when the store has no such case.
func (db *DB) moveCase(ctx context.Context, storeID, caseID string, move caseMove) (closeloop.Case, error) {
	for _, from := range move.from {
		if !from.CanMove(move.to) {
			return closeloop.Case{}, fmt.Errorf("move case %s: %s cannot move to %s", caseID, from, move.to)
		}
	}
	if !validKeyPart(caseID) {
		return closeloop.Case{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	values := move.values
	values[":store"] = str(storeID)
	values[":to"] = str(string(move.to))
	conflict := fmt.Sprintf("this follow-up cannot become %s from its current status", move.to)
	if move.counted == nil {
		return db.updateCase(ctx, storeID, caseID, "SET #status = :to, "+move.update,
			"store_id = :store AND "+statusIn(move.from, values), values, conflict)
	}
	for attempt := 1; ; attempt++ {
		before, err := db.Case(ctx, storeID, caseID)
		if err != nil {
			return closeloop.Case{}, err
		}
		if !slices.Contains(move.from, before.Status) {
			return before, closeloop.Errorf(closeloop.ECONFLICT, "%s", conflict)
		}
		values[":was"] = str(string(before.Status))
		values[":alerts"] = num(before.OverdueAlerts)
		update := "SET #status = :to, " + move.update
		if move.then != nil {
			update += move.then(before, values)
		}
		err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{{Update: &types.Update{
			TableName:                 aws.String(db.table),
			Key:                       caseKey(caseID),
			UpdateExpression:          aws.String(update),
			ConditionExpression:       aws.String("store_id = :store AND #status = :was AND overdue_alerts = :alerts AND " + loopUnchanged(before, values)),
			ExpressionAttributeNames:  map[string]string{"#status": "status"},
			ExpressionAttributeValues: values,
		}}}, move.counted(before)...)})
		reasons := cancelReasons(err)
		switch {
		case err == nil:
			return db.Case(ctx, storeID, caseID)
		case len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed" && attempt < 3:
			continue // changed between the read and the write: read again
		case len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
			return closeloop.Case{}, closeloop.Errorf(closeloop.EUNAVAILABLE, "the follow-up is changing quickly; try again")
		}
		return closeloop.Case{}, unavailable("move case", err)
	}
}

// updateCase applies update to a store's case on condition and returns the
// case after it; a failed condition returns the case as it stands with
// ECONFLICT and conflict as the message.
func (db *DB) updateCase(ctx context.Context, storeID, caseID, update, condition string, values map[string]types.AttributeValue, conflict string) (closeloop.Case, error) {
	in := &dynamodb.UpdateItemInput{
		TableName:                           aws.String(db.table),
		Key:                                 caseKey(caseID),
		UpdateExpression:                    aws.String(update),
		ConditionExpression:                 aws.String(condition),
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	if strings.Contains(update+condition, "#status") {
		in.ExpressionAttributeNames = map[string]string{"#status": "status"}
	}
	out, err := db.api.UpdateItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		current, err := storeCase(ccf.Item, storeID)
		if err != nil {
			return closeloop.Case{}, err
		}
		return current, closeloop.Errorf(closeloop.ECONFLICT, "%s", conflict)
	}
	if err != nil {
		return closeloop.Case{}, unavailable("update case", err)
	}
	var rec caseRecord
	if err := unmarshal(out.Attributes, &rec); err != nil {
		return closeloop.Case{}, err
	}
	return rec.Case, nil
}

// ClaimCase gives an open case to assignee.
func (db *DB) ClaimCase(ctx context.Context, storeID, caseID, assignee string, at time.Time) (closeloop.Case, error) {
	return db.moveCase(ctx, storeID, caseID, caseMove{
		from: []closeloop.CaseStatus{closeloop.CaseOpen}, to: closeloop.CaseClaimed,
		update: "assignee = :assignee, claimed_at = :at, first_contact_at = if_not_exists(first_contact_at, :at)",
		values: map[string]types.AttributeValue{":assignee": str(assignee), ":at": str(stamp(at))},
		// The first claim is the case's first contact, unless a note came
		// first: counted once (closeloop.FirstContactTallies).
		counted: func(before closeloop.Case) []types.TransactWriteItem {
			return db.tallyItems(storeID, caseID, closeloop.FirstContactTallies(before, at))
		},
	})
}

// ReleaseCase gives a claimed case back to the queue.
func (db *DB) ReleaseCase(ctx context.Context, storeID, caseID string) (closeloop.Case, error) {
	return db.moveCase(ctx, storeID, caseID, caseMove{
		from: []closeloop.CaseStatus{closeloop.CaseClaimed}, to: closeloop.CaseOpen,
		update: "assignee = :none, claimed_at = :null",
		values: map[string]types.AttributeValue{":none": str(""), ":null": &types.AttributeValueMemberNULL{Value: true}},
	})
}

// ResolveCase closes an open or claimed case with resolution r; it leaves
// the SLA's due index, for the recovery check's when the case gets one
// (recheck.go).
func (db *DB) ResolveCase(ctx context.Context, storeID, caseID string, r closeloop.Resolution, at time.Time) (closeloop.Case, error) {
	return db.moveCase(ctx, storeID, caseID, caseMove{
		from: closeloop.CaseStatusesInto(closeloop.CaseResolved), to: closeloop.CaseResolved,
		update: "resolved_at = :at, resolution = :resolution, notify_customer = :notify, customer_message = :message, " +
			"outcome = :outcome, reason = :reason, first_resolved_at = if_not_exists(first_resolved_at, :at), " +
			"list_pk = :list",
		values: map[string]types.AttributeValue{
			":at": str(stamp(at)), ":resolution": str(r.Text), ":notify": &types.AttributeValueMemberBOOL{Value: r.NotifyCustomer},
			":message": str(r.CustomerMessage), ":list": str(caseList(storeID, closeloop.CaseResolved)),
			":outcome": str(r.Outcome), ":reason": str(r.Reason),
		},
		// A resolution is counted on its day, and leaves the store's
		// open cases, and its overdue ones when the SLA check found it so.
		counted: func(before closeloop.Case) []types.TransactWriteItem {
			overdue := 0
			if before.OverdueAlerts > 0 {
				overdue = -1
			}
			return append(db.tallyItems(storeID, caseID, closeloop.ResolutionTallies(before, r, at)), db.loadItem(storeID, caseID, -1, overdue))
		},
		then: func(before closeloop.Case, values map[string]types.AttributeValue) string {
			return recheckOnResolve(before, at, values)
		},
	})
}

// ReopenCase opens a resolved case again, unassigned, due at dueBy (a new
// SLA period from now).
func (db *DB) ReopenCase(ctx context.Context, storeID, caseID string, dueBy time.Time) (closeloop.Case, error) {
	update, values := reopenUpdate(storeID, caseID, dueBy)
	return db.moveCase(ctx, storeID, caseID, caseMove{
		from: []closeloop.CaseStatus{closeloop.CaseResolved}, to: closeloop.CaseOpen,
		update: update, values: values,
		counted: func(closeloop.Case) []types.TransactWriteItem {
			return []types.TransactWriteItem{db.loadItem(storeID, caseID, 1, 0)}
		},
	})
}

// reopenUpdate is the SET list (after the status) and values that open a
// resolved case again, unassigned, due at dueBy: support's reopen and a
// recovery check's "no" (recheck.go) share it.
func reopenUpdate(storeID, caseID string, dueBy time.Time) (string, map[string]types.AttributeValue) {
	return "assignee = :none, claimed_at = :null, resolved_at = :null, notify_customer = :false, customer_message = :none, " +
			"due_by = :due, overdue_alerts = :zero, list_pk = :list, due_pk = :shard, due_sk = :duesk",
		map[string]types.AttributeValue{
			":none": str(""), ":null": &types.AttributeValueMemberNULL{Value: true}, ":false": &types.AttributeValueMemberBOOL{Value: false},
			":due": str(stamp(dueBy)), ":zero": num(0), ":list": str(caseList(storeID, closeloop.CaseOpen)),
			":shard": str(slaShard(caseID)), ":duesk": str(dueSK(dueBy, caseID)),
		}
}

// AddNote appends a note to a store's case, in any status. A case holds
// at most closeloop.MaxNotesPerCase notes: ECONFLICT beyond. The first
// note on a case not yet contacted is its first contact, counted with it.
func (db *DB) AddNote(ctx context.Context, storeID, caseID string, n closeloop.Note) (closeloop.Case, error) {
	if !validKeyPart(caseID) {
		return closeloop.Case{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	note, err := marshal(n)
	if err != nil {
		return closeloop.Case{}, err
	}
	if c, done, err := db.firstContactNote(ctx, storeID, caseID, n, note); done || err != nil {
		return c, err
	}
	values := map[string]types.AttributeValue{
		":store": str(storeID),
		":note":  &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: note}}},
		":max":   num(closeloop.MaxNotesPerCase),
	}
	noteOnce(n, values)
	c, err := db.updateCase(ctx, storeID, caseID, "SET notes = list_append(notes, :note), "+noteIDsAppend,
		"store_id = :store AND size(notes) < :max AND "+noteIDAbsent, values,
		fmt.Sprintf("this follow-up holds %d notes, the most a follow-up can", closeloop.MaxNotesPerCase))
	if closeloop.ErrorCode(err) == closeloop.ECONFLICT && slices.ContainsFunc(c.Notes, func(have closeloop.Note) bool { return have.NoteID == n.NoteID }) {
		return c, nil // added before: the SDK retried a write whose answer was lost
	}
	return c, err
}

// A note is added once: an UpdateItem is no idempotent call, and the SDK
// retries one whose answer was lost after DynamoDB applied it. The note's
// ID goes into the case's note_ids with it, on condition it is not there.
const (
	noteIDsAppend = "note_ids = list_append(if_not_exists(note_ids, :empty), :ids)"
	noteIDAbsent  = "NOT contains(note_ids, :id)"
)

// noteOnce puts the values of noteIDsAppend and noteIDAbsent for note n.
func noteOnce(n closeloop.Note, values map[string]types.AttributeValue) {
	values[":id"] = str(n.NoteID)
	values[":ids"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{str(n.NoteID)}}
	values[":empty"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
}

// Cases lists a store's cases oldest first, one page at a time, and the
// cursor of the next page ("" when this was the last). Open and claimed
// cases share one list, filtered by status or due time: a store's
// unresolved cases are few, resolved ones may be many.
func (db *DB) Cases(ctx context.Context, storeID string, f closeloop.CaseFilter) ([]closeloop.Case, string, error) {
	list := caseList(storeID, closeloop.CaseOpen)
	values := map[string]types.AttributeValue{":list": str(list)}
	var filter *string
	switch f.Status {
	case "", "resolved":
		if f.Status == "resolved" {
			list = caseList(storeID, closeloop.CaseResolved)
			values[":list"] = str(list)
		}
	case "open", "claimed":
		filter = aws.String("#status = :status")
		values[":status"] = str(f.Status)
	case "overdue":
		filter = aws.String("due_by <= :now")
		values[":now"] = str(stamp(f.Now))
	default:
		return nil, "", &closeloop.Error{Code: closeloop.EINVALID, Message: "unknown status",
			Fields: map[string]string{"status": "must be open, claimed, resolved or overdue"}}
	}
	// The store's key signs its cursors; it is read only for a page that
	// takes or gives one.
	var signer []byte
	var start map[string]types.AttributeValue
	if f.Cursor != "" {
		var err error
		if signer, err = db.cursorSigner(ctx, storeID); err != nil {
			return nil, "", err
		}
		if start, err = caseStart(signer, f.Cursor, list); err != nil {
			return nil, "", err
		}
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(db.table),
		IndexName:                 aws.String("lists"),
		KeyConditionExpression:    aws.String("list_pk = :list"),
		FilterExpression:          filter,
		ExpressionAttributeValues: values,
		ExclusiveStartKey:         start,
	}
	if f.Status == "open" || f.Status == "claimed" {
		in.ExpressionAttributeNames = map[string]string{"#status": "status"}
	}
	cases := []closeloop.Case{}
	for {
		// Never read past the page: the next page starts after the last
		// item read.
		in.Limit = aws.Int32(int32(f.Limit - len(cases)))
		out, err := db.api.Query(ctx, in)
		if err != nil {
			return nil, "", unavailable("query cases", err)
		}
		for _, item := range out.Items {
			var rec caseRecord
			if err := unmarshal(item, &rec); err != nil {
				return nil, "", err
			}
			if !db.live(rec.ExpiresAt) {
				continue // past retention; TTL deletes it late
			}
			cases = append(cases, rec.Case)
		}
		if out.LastEvaluatedKey == nil {
			return cases, "", nil
		}
		if len(cases) == f.Limit {
			if signer == nil {
				if signer, err = db.cursorSigner(ctx, storeID); err != nil {
					return nil, "", err
				}
			}
			last := out.LastEvaluatedKey
			return cases, cursor.Encode(signer, casePosition{
				PK: stringAttr(last[attrPK]), SK: stringAttr(last[attrSK]),
				ListPK: stringAttr(last["list_pk"]), ListSK: stringAttr(last["list_sk"]),
			}), nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// casePosition is where a page of cases ended: the last key read, the
// table's and the lists index's.
type casePosition struct {
	PK     string `json:"pk"`
	SK     string `json:"sk"`
	ListPK string `json:"list_pk"`
	ListSK string `json:"list_sk"`
}

// caseStart reads a signed cursor back into the key to start after. Its
// partition must be list, the one being read: a store without a key of
// its own signs with one anyone can derive, and a cursor of the active
// list means nothing in the resolved one.
func caseStart(signer []byte, s, list string) (map[string]types.AttributeValue, error) {
	var pos casePosition
	if err := cursor.Decode(signer, s, &pos); err != nil {
		return nil, err
	}
	if pos.ListPK != list || pos.PK == "" || pos.SK == "" || pos.ListSK == "" {
		return nil, &closeloop.Error{Code: closeloop.EINVALID, Message: "the cursor belongs to another list",
			Fields: map[string]string{"cursor": "must be a next_cursor this list returned"}}
	}
	return map[string]types.AttributeValue{
		attrPK: str(pos.PK), attrSK: str(pos.SK), "list_pk": str(pos.ListPK), "list_sk": str(pos.ListSK),
	}, nil
}

// cursorSigner returns the key that signs a store's cursors, read from
// the store.
func (db *DB) cursorSigner(ctx context.Context, storeID string) ([]byte, error) {
	store, err := db.Store(ctx, storeID)
	if err != nil {
		return nil, err
	}
	return cursor.StoreKey(storeID, store.CursorKey), nil
}

// CustomerHistory lists a customer's latest surveys in a store, newest
// first, each with its response and the case it opened: one query of the
// customer's survey pointers and one batch read of the surveys and cases.
func (db *DB) CustomerHistory(ctx context.Context, storeID, email string, limit int) ([]closeloop.HistoryEntry, error) {
	limit = min(limit, 50) // a batch read takes 100 keys: a survey and a case each
	out, err := db.api.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(db.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(customerPK(storeID, email)), ":prefix": str("SURVEY#"),
		},
		ScanIndexForward: aws.Bool(false),
		Limit:            aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, unavailable("query customer history", err)
	}
	if len(out.Items) == 0 {
		return []closeloop.HistoryEntry{}, nil
	}
	var ids []string
	var keys []map[string]types.AttributeValue
	for _, item := range out.Items {
		var p surveyPointer
		if err := unmarshal(item, &p); err != nil {
			return nil, err
		}
		ids = append(ids, p.SurveyID)
		keys = append(keys, surveyKey(p.SurveyID), caseKey(closeloop.CaseIDFor(p.SurveyID)))
	}
	items, err := db.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	surveys, cases := map[string]closeloop.Survey{}, map[string]closeloop.Case{}
	for _, item := range items {
		if !db.liveItem(item) {
			continue // past retention: gone from the history with its survey
		}
		var rec struct {
			SK string `json:"sk"`
		}
		if err := unmarshal(item, &rec); err != nil {
			return nil, err
		}
		if rec.SK == "#CASE" {
			var c caseRecord
			if err := unmarshal(item, &c); err != nil {
				return nil, err
			}
			cases[c.SurveyID] = c.Case
			continue
		}
		var s surveyRecord
		if err := unmarshal(item, &s); err != nil {
			return nil, err
		}
		surveys[s.SurveyID] = s.Survey
	}
	history := []closeloop.HistoryEntry{}
	for _, id := range ids {
		s, ok := surveys[id]
		if !ok || s.StoreID != storeID {
			continue
		}
		entry := closeloop.HistoryEntry{Survey: s}
		if c, ok := cases[id]; ok && c.StoreID == storeID {
			entry.Case = &c
		}
		history = append(history, entry)
	}
	return history, nil
}

// maxBatchRounds bounds the rounds of a batch read whose keys DynamoDB
// returns unprocessed (under throttling it processes part of a batch).
const maxBatchRounds = 5

// batchGet reads up to 100 items by key, eventually consistent, in any
// order; missing items are left out.
func (db *DB) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	request := map[string]types.KeysAndAttributes{db.table: {Keys: keys}}
	for round := 1; len(request) > 0; round++ {
		if round > maxBatchRounds {
			return nil, closeloop.Errorf(closeloop.EUNAVAILABLE, "the service is busy, try again shortly")
		}
		out, err := db.api.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
		if err != nil {
			return nil, unavailable("batch get", err)
		}
		items = append(items, out.Responses[db.table]...)
		request = out.UnprocessedKeys
	}
	return items, nil
}

// OverdueCases lists up to limit unresolved cases per SLA shard whose next
// alert is due at or before now: at first their due time, then one SLA
// period after each re-alert.
func (db *DB) OverdueCases(ctx context.Context, now time.Time, limit int) ([]closeloop.DueCase, error) {
	var due []closeloop.DueCase
	err := db.dueItems(ctx, "SLA#", now, limit, func(item map[string]types.AttributeValue) error {
		var rec caseRecord
		if err := unmarshal(item, &rec); err != nil {
			return err
		}
		due = append(due, closeloop.DueCase{Case: rec.Case, Mark: rec.DueSK})
		return nil
	})
	return due, err
}

// MarkOverdueAlerted records one more overdue alert of a case and makes its
// next alert due at next; alerted is false when the case changed since it
// was read (resolved, or alerted by another run).
func (db *DB) MarkOverdueAlerted(ctx context.Context, due closeloop.DueCase, next time.Time) (alerted bool, err error) {
	u := &types.Update{
		TableName:           aws.String(db.table),
		Key:                 caseKey(due.Case.CaseID),
		UpdateExpression:    aws.String("SET due_sk = :next ADD overdue_alerts :one"),
		ConditionExpression: aws.String("due_sk = :mark"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":next": str(dueSK(next, due.Case.CaseID)), ":mark": str(due.Mark), ":one": num(1),
		},
	}
	var counted []types.TransactWriteItem
	if due.Case.OverdueAlerts == 0 {
		// The first alert finds the case overdue: the store's overdue count
		// holds it until it is resolved.
		counted = append(counted, db.loadItem(due.Case.StoreID, due.Case.CaseID, 0, 1))
	}
	return db.updateWith(ctx, "mark case alerted", u, counted)
}
