package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
)

// UpgradeReport counts what Upgrade did. A run over a table that is already
// upgraded makes no changes.
type UpgradeReport struct {
	Scanned         int // items read
	TimesRewritten  int // time attributes rewritten to the fixed-width form
	PoliciesCopied  int // surveys given their store's follow-up policy
	PointersWritten int // survey pointers written under their customers
	StoresListed    int // stores listed in the lists index, with a cursor key
	ExpiriesSet     int // items given expires_at, the end of their store's retention
	// SuppressionsListed counts addresses suppressed before suppressions
	// were listed, now in their store's suppression list.
	SuppressionsListed int
	SendersGranted     int // stores from before grants granted the sender_email they have
	Skipped            int // items changed between the read and the write: left for the next run
	// StaffListed counts owner and support addresses of stores from
	// before dashboard sign-in, now listed under STAFF#{email}.
	StaffListed int
}

// Changes is the number of changes the upgrade made.
func (r UpgradeReport) Changes() int {
	return r.TimesRewritten + r.PoliciesCopied + r.PointersWritten + r.StoresListed + r.ExpiriesSet + r.SuppressionsListed + r.SendersGranted + r.StaffListed
}

// UpgradeProgress is reported after each page of the scan is read, before
// the page's items are upgraded.
type UpgradeProgress struct {
	Page   int           // pages read so far
	Items  int           // items on this page
	Totals UpgradeReport // the counts so far: this page scanned, not yet written
}

// awaitingAnswer are the statuses of a survey that can still be answered,
// now or once sent: only an answer reads a survey's policy.
var awaitingAnswer = []closeloop.Status{closeloop.StatusScheduled, closeloop.StatusSending, closeloop.StatusSent}

// keyAttributes are the key attributes of the table and of its indexes
// (template.yaml). Their times are written fixed-width already; pk and sk
// cannot change in place, and due_sk is the dispatch lease's version mark.
var keyAttributes = []string{attrPK, attrSK, "due_pk", "due_sk", "list_pk", "list_sk"}

// Upgrade brings the items earlier releases wrote to what this release
// writes, and is safe to run while the product runs and to run again:
//
//   - every top-level time attribute (named "at", "…_at", "…_by" or
//     "…_until", stored as a string that parses as RFC 3339) that is not
//     in the fixed-width form is rewritten to it, the same instant to the
//     millisecond. Key attributes, nested maps and lists (settings, the
//     survey's response, webhook secrets, case notes), numbers (the TTL)
//     and attributes with other names (order IDs, comments, which may hold
//     anything) are left as they are: only top-level times are compared
//     as strings by conditions and sort keys;
//   - a survey that can still be answered and has no follow-up policy gets
//     its store's current one;
//   - a survey without a pointer under its customer gets one;
//   - a survey, order marker, survey pointer, response, ledger entry,
//     adjustment record or case without expires_at gets one: its time
//     (created_at, answered_at, at, the adjustment's entry.at, opened_at)
//     plus its store's retention, so TTL deletes it and reads leave it
//     out from then on. A survey also gets the retention (retention_months)
//     that what its answer writes expires with.
//
// It reads the table once with a Scan; each change is a conditional write
// that applies only while the item holds what was read, else the item is
// counted as skipped for the next run. The stream relay ignores these
// writes: it acts on new responses and cases and on cases turning resolved.
// report, when not nil, is called after each page is read.
//
// Only the operator's tool (storectl upgrade) calls Upgrade: no Lambda
// function scans, and none is allowed dynamodb:Scan. So Scan is not part of
// API; the client DB was built with must have it (a *dynamodb.Client does).
func (db *DB) Upgrade(ctx context.Context, report func(UpgradeProgress)) (UpgradeReport, error) {
	scanner, ok := db.api.(dynamodb.ScanAPIClient)
	if !ok {
		return UpgradeReport{}, errors.New("upgrade: the DynamoDB client cannot scan")
	}
	u := &upgrader{db: db, stores: map[string]*closeloop.Store{}}
	// A consistent read, so that an item written a moment ago is read as
	// it is and its conditional write is not needlessly skipped.
	in := &dynamodb.ScanInput{TableName: aws.String(db.table), ConsistentRead: aws.Bool(true)}
	pages := dynamodb.NewScanPaginator(scanner, in)
	for n := 1; pages.HasMorePages(); n++ {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return u.report, fmt.Errorf("upgrade: scan: %w", err)
		}
		u.report.Scanned += len(out.Items)
		if report != nil {
			report(UpgradeProgress{Page: n, Items: len(out.Items), Totals: u.report})
		}
		if err := u.page(ctx, out.Items); err != nil {
			return u.report, fmt.Errorf("upgrade: %w", err)
		}
	}
	return u.report, nil
}

// upgrader is one run of Upgrade.
type upgrader struct {
	db     *DB
	report UpgradeReport
	// stores caches each store, so its settings are read once; nil for a
	// store that no longer exists.
	stores map[string]*closeloop.Store
}

// page upgrades the items of one page of the scan.
func (u *upgrader) page(ctx context.Context, items []map[string]types.AttributeValue) error {
	var surveys []closeloop.Survey
	for _, item := range items {
		s, isSurvey, err := asSurvey(item)
		if err != nil {
			return err
		}
		listed, err := u.db.listSuppression(ctx, item)
		if err != nil {
			return err
		}
		if listed {
			u.report.SuppressionsListed++
		}
		staff, err := u.db.listStaff(ctx, item)
		if err != nil {
			return err
		}
		u.report.StaffListed += staff
		if err := u.item(ctx, item, s, isSurvey); err != nil {
			return err
		}
		if isSurvey {
			surveys = append(surveys, s)
		}
	}
	return u.pointers(ctx, surveys)
}

// item rewrites the item's stale times and, for a survey that lacks it,
// copies the policy, in one conditional update.
func (u *upgrader) item(ctx context.Context, item map[string]types.AttributeValue, s closeloop.Survey, isSurvey bool) error {
	fixed := staleTimes(item)
	var policy *closeloop.FollowupPolicy
	if _, has := item["policy"]; isSurvey && !has && slices.Contains(awaitingAnswer, s.Status) {
		var err error
		if policy, err = u.policy(ctx, s.StoreID); err != nil {
			return err
		}
	}
	// A store from before stores were listed (the digest finds stores in
	// the lists index) and before cursors were signed with its own key.
	isStore := itemKey(item)[1] == "#SETTINGS" && strings.HasPrefix(itemKey(item)[0], "STORE#")
	_, listed := item["list_pk"]
	unlisted := !listed && isStore
	// A store from before sender identities were granted keeps sending
	// from the sender it has: it is granted that one.
	var sender types.AttributeValue
	if _, granted := item["sender_identities"]; isStore && !granted {
		if settings, ok := item["settings"].(*types.AttributeValueMemberM); ok {
			if addr, ok := settings.Value["sender_email"].(*types.AttributeValueMemberS); ok && addr.Value != "" {
				sender = addr
			}
		}
	}
	expires, months, expiring, err := u.expiry(ctx, item)
	if err != nil {
		return err
	}
	if len(fixed) == 0 && policy == nil && !unlisted && !expiring && sender == nil {
		return nil
	}
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var sets, conditions []string
	if expiring {
		values[":expires"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expires, 10)}
		sets = append(sets, "expires_at = :expires")
		conditions = append(conditions, "attribute_not_exists(expires_at)")
		if isSurvey {
			values[":months"] = num(months)
			sets = append(sets, "retention_months = if_not_exists(retention_months, :months)")
		}
	}
	if unlisted {
		values[":stores"], values[":store"], values[":key"] = str(storesList), str(strings.TrimPrefix(itemKey(item)[0], "STORE#")), str(secret.NewKey())
		sets = append(sets, "list_pk = :stores", "list_sk = :store", "cursor_key = if_not_exists(cursor_key, :key)")
		conditions = append(conditions, "attribute_not_exists(list_pk)")
	}
	if sender != nil {
		names["#settings"] = "settings"
		values[":granted"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{sender}}
		values[":sender"] = sender
		sets = append(sets, "sender_identities = :granted")
		conditions = append(conditions, "attribute_not_exists(sender_identities)", "#settings.sender_email = :sender")
	}
	for i, name := range slices.Sorted(maps.Keys(fixed)) {
		n, to, was := "#t"+itoa(i), ":t"+itoa(i), ":was"+itoa(i)
		names[n], values[to], values[was] = name, str(fixed[name]), item[name]
		sets = append(sets, n+" = "+to)
		conditions = append(conditions, n+" = "+was)
	}
	if policy != nil {
		p, err := marshal(*policy)
		if err != nil {
			return err
		}
		names["#policy"], names["#status"] = "policy", "status"
		values[":policy"] = &types.AttributeValueMemberM{Value: p}
		sets = append(sets, "#policy = :policy")
		// Answered meanwhile: the policy would never be read.
		conditions = append(conditions, "attribute_not_exists(#policy)", statusIn(awaitingAnswer, values))
	}
	in := &dynamodb.UpdateItemInput{
		TableName:                 aws.String(u.db.table),
		Key:                       map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]},
		UpdateExpression:          aws.String("SET " + strings.Join(sets, ", ")),
		ConditionExpression:       aws.String(strings.Join(conditions, " AND ")),
		ExpressionAttributeValues: values,
	}
	if len(names) > 0 {
		in.ExpressionAttributeNames = names
	}
	_, err = u.db.api.UpdateItem(ctx, in)
	switch {
	case conditionFailed(err):
		u.report.Skipped++
		return nil
	case err != nil:
		return fmt.Errorf("update item: %w", err)
	}
	if expiring {
		u.report.ExpiriesSet++
	}
	u.report.TimesRewritten += len(fixed)
	if policy != nil {
		u.report.PoliciesCopied++
	}
	if unlisted {
		u.report.StoresListed++
	}
	if sender != nil {
		u.report.SendersGranted++
	}
	return nil
}

// policy returns a store's current follow-up policy, nil when the store is
// gone (its surveys keep falling back to the defaults).
func (u *upgrader) policy(ctx context.Context, storeID string) (*closeloop.FollowupPolicy, error) {
	store, err := u.store(ctx, storeID)
	if store == nil || err != nil {
		return nil, err
	}
	policy := store.Settings.Policy()
	return &policy, nil
}

// store returns a store, read once per run; nil when it is gone.
func (u *upgrader) store(ctx context.Context, storeID string) (*closeloop.Store, error) {
	if s, ok := u.stores[storeID]; ok {
		return s, nil
	}
	store, err := u.db.Store(ctx, storeID)
	var s *closeloop.Store
	switch {
	case closeloop.ErrorCode(err) == closeloop.ENOTFOUND:
	case err != nil:
		return nil, err
	default:
		s = &store
	}
	u.stores[storeID] = s
	return s, nil
}

// retention returns a store's retention in months; a store that is gone
// has the default.
func (u *upgrader) retention(ctx context.Context, storeID string) (int, error) {
	store, err := u.store(ctx, storeID)
	if store == nil || err != nil {
		return closeloop.DefaultRetentionMonths, err
	}
	return store.Settings.Retention(), nil
}

// expiry returns when the item, one of the kinds that expire, should: its
// time plus its store's retention; ok is false for an item of another
// kind, one that has expires_at, or one whose time cannot be read.
func (u *upgrader) expiry(ctx context.Context, item map[string]types.AttributeValue) (expires int64, months int, ok bool, err error) {
	if _, has := item["expires_at"]; has {
		return 0, 0, false, nil
	}
	pk, sk := itemKey(item)[0], itemKey(item)[1]
	storeID, timeAttr := stringAttr(item["store_id"]), ""
	customer := func() string { id, _, _ := strings.Cut(strings.TrimPrefix(pk, "STORE#"), "#"); return id }
	var at types.AttributeValue
	switch {
	case sk == "#SURVEY" && strings.HasPrefix(pk, "SURVEY#"), sk == "#ORDER":
		timeAttr = "created_at"
	case sk == "#CASE" && strings.HasPrefix(pk, "CASE#"):
		timeAttr = "opened_at"
	case strings.HasPrefix(pk, "STORE#") && strings.HasSuffix(pk, "#RESPONSES"):
		timeAttr = "answered_at"
	case strings.Contains(pk, "#CUSTOMER#") && strings.HasPrefix(sk, "SURVEY#"):
		storeID, timeAttr = customer(), "created_at"
	case strings.Contains(pk, "#CUSTOMER#") && strings.HasPrefix(sk, "LEDGER#"):
		storeID, timeAttr = customer(), "at"
	case strings.Contains(pk, "#CUSTOMER#") && strings.HasPrefix(sk, "ADJUST#"):
		storeID = customer()
		if entry, isMap := item["entry"].(*types.AttributeValueMemberM); isMap {
			at = entry.Value["at"]
		}
	default:
		return 0, 0, false, nil
	}
	if timeAttr != "" {
		at = item[timeAttr]
	}
	t, err := time.Parse(time.RFC3339Nano, stringAttr(at))
	if err != nil || storeID == "" {
		return 0, 0, false, nil
	}
	if months, err = u.retention(ctx, storeID); err != nil {
		return 0, 0, false, err
	}
	return expiry(t, months), months, true, nil
}

// pointers writes the pointers the surveys lack under their customers. A
// pointer only repeats what never changes in its survey, so one that is
// found written meanwhile is the same pointer: neither a change nor a skip.
func (u *upgrader) pointers(ctx context.Context, surveys []closeloop.Survey) error {
	surveys = slices.DeleteFunc(surveys, func(s closeloop.Survey) bool { return s.StoreID == "" || s.Customer.Email == "" })
	// Read first, in batches, so that a run over an upgraded table writes
	// nothing at all.
	for chunk := range slices.Chunk(surveys, 100) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		for i, s := range chunk {
			keys[i] = key(customerPK(s.StoreID, s.Customer.Email), surveyPointerSK(s))
		}
		found, err := u.db.batchGet(ctx, keys)
		if err != nil {
			return err
		}
		exists := map[[2]string]bool{}
		for _, item := range found {
			exists[itemKey(item)] = true
		}
		for i, s := range chunk {
			if exists[itemKey(keys[i])] {
				continue
			}
			months := s.RetentionMonths
			if months == 0 {
				if months, err = u.retention(ctx, s.StoreID); err != nil {
					return err
				}
			}
			pointer, err := marshal(surveyPointer{
				PK: customerPK(s.StoreID, s.Customer.Email), SK: surveyPointerSK(s),
				SurveyID: s.SurveyID, OrderID: s.OrderID, CreatedAt: s.CreatedAt,
				ExpiresAt: expiry(s.CreatedAt, months), // as its survey's
			})
			if err != nil {
				return err
			}
			_, err = u.db.api.PutItem(ctx, &dynamodb.PutItemInput{
				TableName: aws.String(u.db.table), Item: pointer,
				ConditionExpression: aws.String("attribute_not_exists(pk)"),
			})
			switch {
			case conditionFailed(err):
			case err != nil:
				return fmt.Errorf("put survey pointer: %w", err)
			default:
				u.report.PointersWritten++
			}
		}
	}
	return nil
}

// asSurvey decodes item when it is a survey (its key is its survey's).
func asSurvey(item map[string]types.AttributeValue) (closeloop.Survey, bool, error) {
	id, ok := item["survey_id"].(*types.AttributeValueMemberS)
	if !ok || itemKey(item) != itemKey(surveyKey(id.Value)) {
		return closeloop.Survey{}, false, nil
	}
	var rec surveyRecord
	if err := unmarshal(item, &rec); err != nil {
		// A survey's key names no customer, so it can be shown.
		return closeloop.Survey{}, false, fmt.Errorf("decode survey %s: %w", id.Value, err)
	}
	return rec.Survey, true, nil
}

// itemKey is the pk and sk of an item or key.
func itemKey(item map[string]types.AttributeValue) [2]string {
	var k [2]string
	for i, name := range []string{attrPK, attrSK} {
		if v, ok := item[name].(*types.AttributeValueMemberS); ok {
			k[i] = v.Value
		}
	}
	return k
}

// staleTimes returns the item's top-level times that are not in the
// fixed-width form, by attribute name, each as it should be stored.
func staleTimes(item map[string]types.AttributeValue) map[string]string {
	fixed := map[string]string{}
	for name, v := range item {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok || !timeName(name) || slices.Contains(keyAttributes, name) {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, s.Value)
		if err != nil {
			continue
		}
		if stamped := stamp(t); stamped != s.Value {
			fixed[name] = stamped
		}
	}
	return fixed
}

// timeName reports whether an attribute's name says it holds a time, as
// every stored time's does. The name is checked besides the value so that
// text which merely looks like a time (an order ID, a comment) is kept.
func timeName(name string) bool {
	return name == "at" || strings.HasSuffix(name, "_at") || strings.HasSuffix(name, "_by") || strings.HasSuffix(name, "_until")
}
