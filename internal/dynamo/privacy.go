package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Retention. Every survey, its order marker and its pointer under the
// customer, and what its answer writes (response, ledger entry, case with
// its notes) carry expires_at, the table's TTL attribute: the survey's
// creation plus the retention copied onto it. They expire together, so the
// pointer that export and erase follow never goes before what it points
// to. An adjustment's ledger entry and idempotency record expire at the
// adjustment's time plus the store's retention. TTL deletes items up to a
// few days late, so every read also treats an item whose expires_at has
// passed as gone. The customer's profile has none: it holds the balance,
// which keeps the points of the ledger entries that expire, and the
// suppression.

// WithClock returns a copy of the adapter whose reads compare expires_at
// with now instead of time.Now, for the local product and its tests with a
// settable clock.
func (db *DB) WithClock(now func() time.Time) *DB {
	c := *db
	c.now = now
	return &c
}

func (db *DB) clock() time.Time {
	if db.now == nil {
		return time.Now()
	}
	return db.now()
}

// expiry is expires_at for an item written at t by a store keeping data
// months (0: the default): epoch seconds, as TTL reads them. An item
// without a time has no retention to count from: 0, kept.
func expiry(t time.Time, months int) int64 {
	if t.IsZero() {
		return 0
	}
	return closeloop.ExpiresAt(t, months).Unix()
}

// live reports whether an item with expiresAt (0: written before
// retention, kept) is still within retention.
func (db *DB) live(expiresAt int64) bool { return expiresAt == 0 || expiresAt > db.clock().Unix() }

// liveItem is live for a raw item.
func (db *DB) liveItem(item map[string]types.AttributeValue) bool {
	n, ok := item["expires_at"].(*types.AttributeValueMemberN)
	if !ok {
		return true
	}
	at, err := strconv.ParseInt(n.Value, 10, 64)
	return err != nil || db.live(at)
}

// nowAttr is the clock's time as expires_at compares with it.
func (db *DB) nowAttr() types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(db.clock().Unix(), 10)}
}

// liveFilter is a filter expression that leaves out items past retention;
// it adds its value to values.
func (db *DB) liveFilter(values map[string]types.AttributeValue) string {
	values[":unexpired"] = db.nowAttr()
	return "(attribute_not_exists(expires_at) OR expires_at > :unexpired)"
}

// retention reads a store's retention in months; a store that does not
// exist, or was saved before the setting, has the default.
func (db *DB) retention(ctx context.Context, storeID string) (int, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: storeKey(storeID),
		ProjectionExpression:     aws.String("#settings.#months"),
		ExpressionAttributeNames: map[string]string{"#settings": "settings", "#months": "retention_months"},
	})
	if err != nil {
		return 0, unavailable("get retention", err)
	}
	var rec struct {
		Settings closeloop.Settings `json:"settings"`
	}
	if err := unmarshal(out.Item, &rec); err != nil {
		return 0, err
	}
	return rec.Settings.Retention(), nil
}

// customerRecord is the customer's profile as export and erase read it.
type customerRecord struct {
	Balance          int    `json:"balance"`
	SuppressedAt     string `json:"suppressed_at"`
	SuppressedReason string `json:"suppressed_reason"`
}

// customerPartition is everything under a customer's partition key.
type customerPartition struct {
	profile     *customerRecord
	ledger      []ledgerRecord     // newest first
	adjustments []adjustmentRecord // by idempotency key
	pointers    []surveyPointer    // newest first
	// The keys of the items above, which erasing deletes.
	ledgerKeys, adjustmentKeys, pointerKeys []map[string]types.AttributeValue
}

// readCustomer reads a customer's partition whole: the profile, ledger
// entries, adjustment records and survey pointers.
func (db *DB) readCustomer(ctx context.Context, storeID, email string) (customerPartition, error) {
	var c customerPartition
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(db.table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(customerPK(storeID, email))},
		ScanIndexForward:          aws.Bool(false),
		// Erasing right after an answer must find its ledger entry.
		ConsistentRead: aws.Bool(true),
	}
	for pages := dynamodb.NewQueryPaginator(db.api, in); pages.HasMorePages(); {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return customerPartition{}, unavailable("query customer", err)
		}
		for _, item := range out.Items {
			sk := stringAttr(item[attrSK])
			k := map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]}
			switch {
			case sk == "#PROFILE":
				var p customerRecord
				if err := unmarshal(item, &p); err != nil {
					return customerPartition{}, err
				}
				c.profile = &p
			case ledgerSK(sk):
				var rec ledgerRecord
				if err := unmarshal(item, &rec); err != nil {
					return customerPartition{}, err
				}
				c.ledger, c.ledgerKeys = append(c.ledger, rec), append(c.ledgerKeys, k)
			case strings.HasPrefix(sk, "ADJUST#"):
				var rec adjustmentRecord
				if err := unmarshal(item, &rec); err != nil {
					return customerPartition{}, err
				}
				c.adjustments, c.adjustmentKeys = append(c.adjustments, rec), append(c.adjustmentKeys, k)
			case strings.HasPrefix(sk, "SURVEY#"):
				var p surveyPointer
				if err := unmarshal(item, &p); err != nil {
					return customerPartition{}, err
				}
				c.pointers, c.pointerKeys = append(c.pointers, p), append(c.pointerKeys, k)
			}
		}
	}
	return c, nil
}

// customerSurvey is one of the customer's surveys with its response item
// and case as stored.
type customerSurvey struct {
	survey   surveyRecord
	response *responseRecord
	rawCase  *caseRecord
}

// readSurveys reads the store's surveys the pointers name, with their
// cases (by key: closeloop.CaseIDFor) and, for answered ones, their
// response items (by key: the answer's time and the survey's ID), in the
// pointers' order. Another store's items are left out.
func (db *DB) readSurveys(ctx context.Context, storeID string, pointers []surveyPointer) ([]customerSurvey, error) {
	var out []customerSurvey
	// A batch read takes 100 keys: a survey and its case each.
	for chunk := range slices.Chunk(pointers, 50) {
		keys := make([]map[string]types.AttributeValue, 0, 2*len(chunk))
		for _, p := range chunk {
			keys = append(keys, surveyKey(p.SurveyID), caseKey(closeloop.CaseIDFor(p.SurveyID)))
		}
		items, err := db.batchGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		surveys, cases := map[string]surveyRecord{}, map[string]caseRecord{}
		for _, item := range items {
			if stringAttr(item[attrSK]) == "#CASE" {
				var c caseRecord
				if err := unmarshal(item, &c); err != nil {
					return nil, err
				}
				cases[c.SurveyID] = c
				continue
			}
			var s surveyRecord
			if err := unmarshal(item, &s); err != nil {
				return nil, err
			}
			surveys[s.SurveyID] = s
		}
		for _, p := range chunk {
			s, ok := surveys[p.SurveyID]
			if !ok || s.StoreID != storeID {
				continue
			}
			cs := customerSurvey{survey: s}
			if c, ok := cases[p.SurveyID]; ok && c.StoreID == storeID {
				cs.rawCase = &c
			}
			out = append(out, cs)
		}
	}
	var answered []*customerSurvey
	for i := range out {
		if out[i].survey.AnsweredAt != nil {
			answered = append(answered, &out[i])
		}
	}
	for chunk := range slices.Chunk(answered, 100) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		bySK := map[string]*customerSurvey{}
		for i, cs := range chunk {
			sk := stamp(*cs.survey.AnsweredAt) + "#" + cs.survey.SurveyID
			keys[i], bySK[sk] = key(responsesPK(storeID), sk), cs
		}
		items, err := db.batchGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, item := range items {
			var r responseRecord
			if err := unmarshal(item, &r); err != nil {
				return nil, err
			}
			if cs, ok := bySK[r.SK]; ok {
				cs.response = &r
			}
		}
	}
	return out, nil
}

// ExportCustomer returns everything a store holds about a customer, found
// by key: the customer's partition (profile, ledger, adjustment records,
// survey pointers), then the surveys the pointers name with their cases
// and response items. Items past retention are left out, as every read
// leaves them out; another store's never appear.
func (db *DB) ExportCustomer(ctx context.Context, storeID, email string) (closeloop.CustomerData, error) {
	c, err := db.readCustomer(ctx, storeID, email)
	if err != nil {
		return closeloop.CustomerData{}, err
	}
	data := closeloop.CustomerData{
		Email: email, Ledger: []closeloop.LedgerEntry{}, Adjustments: []closeloop.AdjustmentRecord{},
		Surveys: []closeloop.CustomerSurvey{}, Cases: []closeloop.Case{},
	}
	if c.profile != nil {
		data.Profile = closeloop.CustomerProfile{Balance: c.profile.Balance, SuppressedReason: c.profile.SuppressedReason}
		if c.profile.SuppressedAt != "" {
			at, err := time.Parse(time.RFC3339Nano, c.profile.SuppressedAt)
			if err != nil {
				return closeloop.CustomerData{}, fmt.Errorf("export customer: suppressed_at: %w", err)
			}
			data.Profile.Suppressed, data.Profile.SuppressedAt = true, &at
		}
	}
	for _, l := range c.ledger {
		if db.live(l.ExpiresAt) {
			data.Ledger = append(data.Ledger, l.LedgerEntry)
		}
	}
	for i, a := range c.adjustments {
		if db.live(a.ExpiresAt) {
			k := strings.TrimPrefix(stringAttr(c.adjustmentKeys[i][attrSK]), "ADJUST#")
			data.Adjustments = append(data.Adjustments, closeloop.AdjustmentRecord{IdempotencyKey: k, Balance: a.Balance, Entry: a.Entry})
		}
	}
	var live []surveyPointer
	for _, p := range c.pointers {
		if db.live(p.ExpiresAt) {
			live = append(live, p)
		}
	}
	surveys, err := db.readSurveys(ctx, storeID, live)
	if err != nil {
		return closeloop.CustomerData{}, err
	}
	for _, cs := range surveys {
		if !db.live(cs.survey.ExpiresAt) {
			continue
		}
		entry := closeloop.CustomerSurvey{Survey: cs.survey.Survey}
		if cs.response != nil && db.live(cs.response.ExpiresAt) {
			entry.Response = &cs.response.ResponseItem
		}
		data.Surveys = append(data.Surveys, entry)
		if cs.rawCase != nil && db.live(cs.rawCase.ExpiresAt) {
			data.Cases = append(data.Cases, cs.rawCase.Case)
		}
	}
	return data, nil
}

// erasers is how many writes an erase makes at once: a loyal customer has
// hundreds of items, and the API's function has seconds.
const erasers = 8

// EraseCustomer erases a customer from a store, in steps that are each
// safe to run again, so that a retried erase finishes what a failed one
// started:
//
//  1. the hashed suppression entry (erasedSuppressionKey, listed masked
//     among the store's suppressions), so that from now on a new order for
//     the address is suppressed at ingest, and a suppressed profile for the
//     placeholder address (closeloop.ErasedEmail), so that nothing sent
//     about the records kept (a case's closing email) reaches anyone;
//  2. the customer's partition is read, then the surveys its pointers name
//     with their cases and response items;
//  3. these are anonymised, never deleted, so the store's numbers stand
//     (the counters are never touched): the address becomes the
//     placeholder, the name and locale go, comments and notes' texts are
//     emptied, the link tokens' hashes are removed so the links close, and
//     a survey that could still be sent or reminded is cancelled;
//  4. the ledger entries and adjustment records are deleted, then the
//     survey pointers (only now: a retry finds the surveys through them),
//     then the profile.
//
// Items past retention are erased too: TTL has not deleted them yet.
// Deliveries are left: they hold the address only as a hash.
func (db *DB) EraseCustomer(ctx context.Context, storeID, email string, at time.Time) (closeloop.Erasure, error) {
	at = at.UTC().Truncate(time.Millisecond)
	erasedAt, err := db.keepErased(ctx, storeID, email, at)
	if err != nil {
		return closeloop.Erasure{}, err
	}
	res := closeloop.Erasure{Email: email, ErasedAt: erasedAt, Suppressed: true}
	c, err := db.readCustomer(ctx, storeID, email)
	if err != nil {
		return closeloop.Erasure{}, err
	}
	surveys, err := db.readSurveys(ctx, storeID, c.pointers)
	if err != nil {
		return closeloop.Erasure{}, err
	}
	anon, err := marshal(closeloop.Customer{Email: closeloop.ErasedEmail(email)})
	if err != nil {
		return closeloop.Erasure{}, err
	}
	e := eraser{db: db, storeID: storeID, placeholder: closeloop.ErasedEmail(email), anon: &types.AttributeValueMemberM{Value: anon}, at: at}
	err = parallel(ctx, len(surveys), func(ctx context.Context, i int) error {
		return e.survey(ctx, surveys[i])
	})
	if err != nil {
		return closeloop.Erasure{}, err
	}
	res.Anonymised = e.counts
	for _, step := range []struct {
		keys  []map[string]types.AttributeValue
		count *int
	}{
		{c.ledgerKeys, &res.Removed.LedgerEntries},
		{c.adjustmentKeys, &res.Removed.Adjustments},
		{c.pointerKeys, &res.Removed.SurveyPointers},
	} {
		if err := db.deleteAll(ctx, step.keys); err != nil {
			return closeloop.Erasure{}, err
		}
		*step.count = len(step.keys)
	}
	if c.profile != nil {
		if err := db.deleteAll(ctx, []map[string]types.AttributeValue{key(customerPK(storeID, email), "#PROFILE")}); err != nil {
			return closeloop.Erasure{}, err
		}
		res.Removed.Profile = 1
	}
	return res, nil
}

// keepErased writes step 1 of an erase and returns when the address was
// first erased: a repeated erase keeps the first entry.
func (db *DB) keepErased(ctx context.Context, storeID, email string, at time.Time) (time.Time, error) {
	put, err := db.erasedSuppressionPut(storeID, email, closeloop.SuppressedErased, at)
	if err != nil {
		return time.Time{}, err
	}
	_, err = db.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression})
	erasedAt := at
	switch {
	case conditionFailed(err):
		out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(db.table), Key: erasedSuppressionKey(storeID, email), ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return time.Time{}, unavailable("get erased entry", err)
		}
		var rec suppressionRecord
		if err := unmarshal(out.Item, &rec); err != nil {
			return time.Time{}, err
		}
		erasedAt = rec.SuppressedAt
	case err != nil:
		return time.Time{}, unavailable("put erased entry", err)
	}
	// The placeholder's profile is not listed among the suppressions: the
	// hashed entry stands for the person there.
	_, err = db.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(db.table),
		Item: map[string]types.AttributeValue{
			attrPK: str(customerPK(storeID, closeloop.ErasedEmail(email))), attrSK: str("#PROFILE"),
			"store_id": str(storeID), "email": str(closeloop.ErasedEmail(email)),
			"suppressed_at": str(stamp(erasedAt)), "suppressed_reason": str(closeloop.SuppressedErased),
		},
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil && !conditionFailed(err) {
		return time.Time{}, unavailable("suppress erased placeholder", err)
	}
	return erasedAt, nil
}

// eraser anonymises one customer's surveys, responses and cases.
type eraser struct {
	db          *DB
	storeID     string
	placeholder string
	anon        types.AttributeValue // the customer map with the placeholder address
	at          time.Time

	mu     sync.Mutex
	counts closeloop.ErasureAnon
}

func (e *eraser) count(f func(*closeloop.ErasureAnon)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f(&e.counts)
}

// maxEraseAttempts bounds the rereads of an item that changed between
// the erase's read and its write (an answer, a claim, a note).
const maxEraseAttempts = 4

// survey anonymises a survey, its response item and its case.
func (e *eraser) survey(ctx context.Context, cs customerSurvey) error {
	s := cs.survey
	for attempt := 1; ; attempt++ {
		done, cancelled, err := e.anonymiseSurvey(ctx, s)
		if err != nil {
			return err
		}
		if done {
			e.count(func(c *closeloop.ErasureAnon) {
				c.Surveys++
				if cancelled {
					c.Cancelled++
				}
			})
			break
		}
		if attempt == maxEraseAttempts {
			return closeloop.Errorf(closeloop.EUNAVAILABLE, "the customer's surveys are changing; erase again")
		}
		if s, err = e.db.surveyRecordAny(ctx, s.SurveyID); err != nil {
			return err
		}
		if s.PK == "" {
			return nil // deleted meanwhile (TTL): nothing left to anonymise
		}
	}
	// An answer given since the read wrote a response: read it now.
	if cs.response == nil && s.AnsweredAt != nil {
		out, err := e.db.api.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(e.db.table), Key: key(responsesPK(e.storeID), stamp(*s.AnsweredAt)+"#"+s.SurveyID), ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return unavailable("get response", err)
		}
		if out.Item != nil {
			var r responseRecord
			if err := unmarshal(out.Item, &r); err != nil {
				return err
			}
			cs.response = &r
		}
	}
	if cs.response != nil {
		if err := e.anonymiseResponse(ctx, *cs.response); err != nil {
			return err
		}
	}
	if cs.rawCase == nil && (s.Response == nil || s.Response.CaseID == "") {
		return nil // the survey opened no case
	}
	return e.anonymiseCase(ctx, closeloop.CaseIDFor(s.SurveyID), cs.rawCase)
}

// cancellable are the statuses from which a survey could still be emailed
// (sent, reminded): erasing cancels it.
var cancellable = []closeloop.Status{closeloop.StatusScheduled, closeloop.StatusSending, closeloop.StatusSent, closeloop.StatusPending}

// anonymiseSurvey writes the survey anonymised, on condition its status is
// still the one read; done is false when it changed.
func (e *eraser) anonymiseSurvey(ctx context.Context, s surveyRecord) (done, cancelled bool, err error) {
	values := map[string]types.AttributeValue{":store": str(e.storeID), ":was": str(string(s.Status)), ":anon": e.anon}
	names := map[string]string{"#status": "status"}
	sets := []string{"customer = :anon"}
	removes := []string{"token_hashes", "unsubscribe_hashes"}
	if slices.Contains(cancellable, s.Status) && s.Status.CanMove(closeloop.StatusCancelled) {
		values[":cancelled"], values[":at"] = str(string(closeloop.StatusCancelled)), str(stamp(e.at))
		sets = append(sets, "#status = :cancelled", "cancelled_at = :at")
		removes = append(removes, "due_pk", "due_sk")
		cancelled = true
	}
	if s.Response != nil {
		names["#response"], names["#comment"] = "response", "comment"
		removes = append(removes, "#response.#comment")
	}
	_, err = e.db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(e.db.table),
		Key:                       surveyKey(s.SurveyID),
		UpdateExpression:          aws.String("SET " + strings.Join(sets, ", ") + " REMOVE " + strings.Join(removes, ", ")),
		ConditionExpression:       aws.String("store_id = :store AND #status = :was"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	switch {
	case conditionFailed(err):
		return false, false, nil
	case err != nil:
		return false, false, unavailable("anonymise survey", err)
	}
	return true, cancelled, nil
}

// surveyRecordAny reads a survey as stored, past retention too; a zero
// record when there is none.
func (db *DB) surveyRecordAny(ctx context.Context, surveyID string) (surveyRecord, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: surveyKey(surveyID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return surveyRecord{}, unavailable("get survey", err)
	}
	var rec surveyRecord
	err = unmarshal(out.Item, &rec)
	return rec, err
}

// anonymiseResponse takes the customer and the comment out of a response
// item; its score, points and products stay for the store's lists.
func (e *eraser) anonymiseResponse(ctx context.Context, r responseRecord) error {
	_, err := e.db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(e.db.table),
		Key:                       key(r.PK, r.SK),
		UpdateExpression:          aws.String("SET customer = :anon, email = :email REMOVE #comment"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames:  map[string]string{"#comment": "comment"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":anon": e.anon, ":email": str(e.placeholder)},
	})
	switch {
	case conditionFailed(err):
		return nil // deleted meanwhile (TTL)
	case err != nil:
		return unavailable("anonymise response", err)
	}
	e.count(func(c *closeloop.ErasureAnon) { c.Responses++ })
	return nil
}

// anonymiseCase takes the customer, their comment and what support wrote
// (notes' texts, the resolution, the message to the customer) out of a
// case, on condition it holds the notes read; status and times stay for
// the store's numbers. c is the case as read, nil to read it now.
func (e *eraser) anonymiseCase(ctx context.Context, caseID string, c *caseRecord) error {
	for attempt := 1; ; attempt++ {
		if c == nil {
			out, err := e.db.api.GetItem(ctx, &dynamodb.GetItemInput{
				TableName: aws.String(e.db.table), Key: caseKey(caseID), ConsistentRead: aws.Bool(true),
			})
			if err != nil {
				return unavailable("get case", err)
			}
			if out.Item == nil {
				return nil // the answer opened none
			}
			c = &caseRecord{}
			if err := unmarshal(out.Item, c); err != nil {
				return err
			}
			if c.StoreID != e.storeID {
				return nil
			}
		}
		notes := make([]closeloop.Note, len(c.Notes))
		redacted := 0
		for i, n := range c.Notes {
			if n.Text != "" {
				redacted++
			}
			n.Text = ""
			notes[i] = n
		}
		list, err := marshal(struct {
			Notes []closeloop.Note `json:"notes"`
		}{notes})
		if err != nil {
			return err
		}
		values := map[string]types.AttributeValue{
			":store": str(e.storeID), ":anon": e.anon, ":empty": str(""), ":notes": list["notes"], ":n": num(len(c.Notes)),
		}
		condition := "store_id = :store AND size(notes) = :n"
		if len(c.Notes) == 0 {
			condition = "store_id = :store AND (attribute_not_exists(notes) OR size(notes) = :n)"
		}
		_, err = e.db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(e.db.table),
			Key:                       caseKey(caseID),
			UpdateExpression:          aws.String("SET customer = :anon, #comment = :empty, resolution = :empty, customer_message = :empty, notes = :notes"),
			ConditionExpression:       aws.String(condition),
			ExpressionAttributeNames:  map[string]string{"#comment": "comment"},
			ExpressionAttributeValues: values,
		})
		switch {
		case err == nil:
			e.count(func(c *closeloop.ErasureAnon) { c.Followups++; c.Notes += redacted })
			return nil
		case !conditionFailed(err):
			return unavailable("anonymise case", err)
		case attempt == maxEraseAttempts:
			return closeloop.Errorf(closeloop.EUNAVAILABLE, "the customer's follow-up is changing; erase again")
		}
		c = nil // a note was added meanwhile: read the case again
	}
}

// deleteAll deletes the items of keys; deleting one already gone is no
// error, so a repeated erase deletes what is left.
func (db *DB) deleteAll(ctx context.Context, keys []map[string]types.AttributeValue) error {
	return parallel(ctx, len(keys), func(ctx context.Context, i int) error {
		_, err := db.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(db.table), Key: keys[i]})
		if err != nil {
			return unavailable("erase customer item", err)
		}
		return nil
	})
}

// parallel calls fn for 0…n-1, at most erasers at a time, and returns the
// first error; after one, no further calls start. Calls under way finish
// with ctx as it is: an interrupted write would only make the counts of a
// retried erase harder to read.
func parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return first != nil
	}
	sem := make(chan struct{}, erasers)
	for i := range n {
		sem <- struct{}{}
		if failed() || ctx.Err() != nil {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
