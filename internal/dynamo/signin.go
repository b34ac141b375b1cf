package dynamo

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Signing in to the dashboard (closeloop/signin.go):
//
//	STAFF#{email}              STORE#{store}   the address may sign in to the store (owner or support in its settings)
//	SIGNIN#{sha256(token)}     #SIGNIN         an emailed sign-in link (TTL: its 15 minutes)
//	SESSION#{sha256(id)}       #SESSION        a dashboard session (TTL: its expiry, moved on as it is used)
//	RATE#{limit}#{subject}     {window start}  a rate limit's count in one window (TTL: the window's end)
//
// The STAFF items are the index from an address to its stores: written
// in the transaction that creates a store or changes its owner and
// support addresses, and by storectl upgrade for stores from before. They
// only say where to look: the role is read from the store's settings at
// every use, so an address removed from the settings loses access at once.

func staffKey(email, storeID string) map[string]types.AttributeValue {
	return key("STAFF#"+email, "STORE#"+storeID)
}

// staffWrites are the writes that move a store's STAFF items from the
// addresses before to those after: a put for each added, a delete for
// each removed.
func (db *DB) staffWrites(storeID string, before, after []string) []types.TransactWriteItem {
	var writes []types.TransactWriteItem
	for _, email := range after {
		if !slices.Contains(before, email) {
			item := staffKey(email, storeID)
			item["store_id"] = str(storeID)
			writes = append(writes, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(db.table), Item: item}})
		}
	}
	for _, email := range before {
		if !slices.Contains(after, email) {
			writes = append(writes, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(db.table), Key: staffKey(email, storeID)}})
		}
	}
	return writes
}

// StaffStores lists the IDs of the stores whose settings named email
// (normalized) as an owner or support address when they were last saved.
func (db *DB) StaffStores(ctx context.Context, email string) ([]string, error) {
	var ids []string
	in := &dynamodb.QueryInput{
		TableName:              aws.String(db.table),
		KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str("STAFF#" + email),
		},
		ProjectionExpression: aws.String("store_id"),
	}
	for page := dynamodb.NewQueryPaginator(db.api, in); page.HasMorePages(); {
		out, err := page.NextPage(ctx)
		if err != nil {
			return nil, unavailable("query staff stores", err)
		}
		for _, item := range out.Items {
			ids = append(ids, stringAttr(item["store_id"]))
		}
	}
	return ids, nil
}

// StoresByID reads the stores named, in one batch; those that no longer
// exist are left out. The order is the IDs'.
func (db *DB) StoresByID(ctx context.Context, ids []string) ([]closeloop.Store, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(ids))
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
		keys = append(keys, storeKey(id))
	}
	byID := map[string]closeloop.Store{}
	for chunk := range slices.Chunk(keys, 100) {
		items, err := db.batchGet(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for _, item := range items {
			rec, err := unmarshalStore(item)
			if err != nil {
				return nil, err
			}
			byID[rec.StoreID] = rec.Store
		}
	}
	var stores []closeloop.Store
	for _, id := range ids {
		if s, ok := byID[id]; ok {
			stores = append(stores, s)
			delete(byID, id)
		}
	}
	return stores, nil
}

// CountSignIn counts one event against each limit, in one transaction:
// all are counted, or, when one of them is used up in its current window,
// none is and the answer is ERATELIMITED. Each count expires with its
// window.
func (db *DB) CountSignIn(ctx context.Context, counts []closeloop.RateCount, now time.Time) error {
	items := make([]types.TransactWriteItem, len(counts))
	for i, c := range counts {
		items[i] = types.TransactWriteItem{Update: &types.Update{
			TableName:                db.tableName(),
			Key:                      key("RATE#"+c.Limit.Name+"#"+c.Subject, stamp(c.Limit.WindowStart(now))),
			UpdateExpression:         aws.String("ADD #n :one SET expires_at = :expires"),
			ConditionExpression:      aws.String("attribute_not_exists(#n) OR #n < :max"),
			ExpressionAttributeNames: map[string]string{"#n": "n"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":one": num(1), ":max": num(c.Limit.Max),
				// A minute past the window's end, so a clock a little
				// behind never counts in a window TTL has emptied.
				":expires": expiresAt(c.Limit.WindowEnd(now).Add(time.Minute)),
			},
		}}
	}
	err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	for _, r := range cancelReasons(err) {
		if aws.ToString(r.Code) == "ConditionalCheckFailed" {
			return closeloop.Errorf(closeloop.ERATELIMITED, "too many sign-in requests: try again in a few minutes")
		}
	}
	if err != nil {
		return unavailable("count sign-in", err)
	}
	return nil
}

func (db *DB) tableName() *string { return aws.String(db.table) }

type signInRecord struct {
	PK        string    `json:"pk"`
	SK        string    `json:"sk"`
	Email     string    `json:"email"`
	StoreIDs  []string  `json:"store_ids"`
	Next      string    `json:"next,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt int64     `json:"expires_at"`
}

func signInKey(hash string) map[string]types.AttributeValue { return key("SIGNIN#"+hash, "#SIGNIN") }

// PutSignInLink saves a sign-in link under its token's hash; TTL removes
// it once it has expired.
func (db *DB) PutSignInLink(ctx context.Context, hash string, l closeloop.SignInLink) error {
	item, err := marshal(signInRecord{
		PK: "SIGNIN#" + hash, SK: "#SIGNIN", Email: l.Email, StoreIDs: l.StoreIDs, Next: l.Next,
		CreatedAt: l.CreatedAt, ExpiresAt: l.ExpiresAt().Unix(),
	})
	if err != nil {
		return err
	}
	_, err = db.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: db.tableName(), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil {
		return unavailable("put sign-in link", err)
	}
	return nil
}

// TakeSignInLink uses up the link whose token hashes to hash: it is
// deleted on condition it has not expired at now, so of two uses only one
// gets it. ENOTFOUND when it was used, has expired or never existed.
func (db *DB) TakeSignInLink(ctx context.Context, hash string, now time.Time) (closeloop.SignInLink, error) {
	out, err := db.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 db.tableName(),
		Key:                       signInKey(hash),
		ConditionExpression:       aws.String("attribute_exists(pk) AND expires_at > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}},
		ReturnValues:              types.ReturnValueAllOld,
	})
	if conditionFailed(err) {
		return closeloop.SignInLink{}, closeloop.Errorf(closeloop.ENOTFOUND, "this sign-in link was used already or has expired")
	}
	if err != nil {
		return closeloop.SignInLink{}, unavailable("take sign-in link", err)
	}
	var rec signInRecord
	if err := unmarshal(out.Attributes, &rec); err != nil {
		return closeloop.SignInLink{}, err
	}
	// expires_at holds whole seconds: the link's own time decides.
	l := closeloop.SignInLink{Email: rec.Email, StoreIDs: rec.StoreIDs, Next: rec.Next, CreatedAt: rec.CreatedAt}
	if !now.Before(l.ExpiresAt()) {
		return closeloop.SignInLink{}, closeloop.Errorf(closeloop.ENOTFOUND, "this sign-in link was used already or has expired")
	}
	return l, nil
}

type sessionRecord struct {
	PK        string    `json:"pk"`
	SK        string    `json:"sk"`
	Email     string    `json:"email"`
	StoreID   string    `json:"store_id"`
	Stores    int       `json:"stores"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	SeenAt    time.Time `json:"seen_at"`
	ExpiresAt int64     `json:"expires_at"`
}

func sessionKey(hash string) map[string]types.AttributeValue { return key("SESSION#"+hash, "#SESSION") }

// PutSession saves a new session under its cookie's hash.
func (db *DB) PutSession(ctx context.Context, hash string, s closeloop.Session) error {
	item, err := marshal(sessionRecord{
		PK: "SESSION#" + hash, SK: "#SESSION", Email: s.Email, StoreID: s.StoreID, Stores: s.Stores, CSRF: s.CSRF,
		CreatedAt: s.CreatedAt, SeenAt: s.SeenAt, ExpiresAt: s.ExpiresAt().Unix() + 1,
	})
	if err != nil {
		return err
	}
	_, err = db.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: db.tableName(), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil {
		return unavailable("put session", err)
	}
	return nil
}

// Session reads the session whose cookie hashes to hash, consistently so
// that a session ended a moment ago is found gone. EUNAUTHORIZED when
// there is none or it has expired at now.
func (db *DB) Session(ctx context.Context, hash string, now time.Time) (closeloop.Session, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: db.tableName(), Key: sessionKey(hash), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return closeloop.Session{}, unavailable("get session", err)
	}
	var rec sessionRecord
	if out.Item != nil {
		if err := unmarshal(out.Item, &rec); err != nil {
			return closeloop.Session{}, err
		}
	}
	s := closeloop.Session{Email: rec.Email, StoreID: rec.StoreID, Stores: rec.Stores, CSRF: rec.CSRF, CreatedAt: rec.CreatedAt, SeenAt: rec.SeenAt}
	// TTL deletes late: an item past its expiry is as gone.
	if out.Item == nil || !s.Live(now) {
		return closeloop.Session{}, closeloop.Errorf(closeloop.EUNAUTHORIZED, "not signed in")
	}
	return s, nil
}

// UpdateSession writes a live session's chosen store, store count and
// last use, and moves its TTL with them. EUNAUTHORIZED when the session
// ended meanwhile.
func (db *DB) UpdateSession(ctx context.Context, hash string, s closeloop.Session) error {
	return db.updateSession(ctx, hash, s, "SET store_id = :store, stores = :stores, seen_at = :seen, expires_at = :expires", map[string]types.AttributeValue{
		":store": str(s.StoreID), ":stores": num(s.Stores),
	})
}

// TouchSession writes a live session's last use and moves its TTL with
// it; nothing else, so that it never undoes a store chosen meanwhile.
// EUNAUTHORIZED when the session ended meanwhile.
func (db *DB) TouchSession(ctx context.Context, hash string, s closeloop.Session) error {
	return db.updateSession(ctx, hash, s, "SET seen_at = :seen, expires_at = :expires", map[string]types.AttributeValue{})
}

func (db *DB) updateSession(ctx context.Context, hash string, s closeloop.Session, update string, values map[string]types.AttributeValue) error {
	values[":seen"] = str(stamp(s.SeenAt))
	values[":expires"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(s.ExpiresAt().Unix()+1, 10)}
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 db.tableName(),
		Key:                       sessionKey(hash),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: values,
	})
	if conditionFailed(err) {
		return closeloop.Errorf(closeloop.EUNAUTHORIZED, "not signed in")
	}
	if err != nil {
		return unavailable("update session", err)
	}
	return nil
}

// DeleteSession ends a session; ending one that is gone changes nothing.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: db.tableName(), Key: sessionKey(hash)})
	if err != nil {
		return unavailable("delete session", err)
	}
	return nil
}

// updateSettingsWithStaff runs a settings update with its STAFF writes in
// one transaction, answering as UpdateSettings does.
func (db *DB) updateSettingsWithStaff(ctx context.Context, update *dynamodb.UpdateItemInput, staff []types.TransactWriteItem) error {
	err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{{Update: &types.Update{
		TableName: update.TableName, Key: update.Key, UpdateExpression: update.UpdateExpression,
		ConditionExpression: update.ConditionExpression, ExpressionAttributeNames: update.ExpressionAttributeNames,
		ExpressionAttributeValues:           update.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}}, staff...)})
	reasons := cancelReasons(err)
	switch {
	case err == nil:
		return nil
	case len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed" && reasons[0].Item == nil:
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	case len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
		return closeloop.Errorf(closeloop.ECONFLICT, "the settings changed since they were read")
	}
	return unavailable("update settings", err)
}

// listStaff writes the STAFF items a store item's owner and support
// addresses lack (a store from before dashboard sign-in), for the upgrade
// of a running table, and returns how many it wrote: none for any other
// item, and none for a store already listed, which is only read.
func (db *DB) listStaff(ctx context.Context, item map[string]types.AttributeValue) (int, error) {
	k := itemKey(item)
	if k[1] != "#SETTINGS" || !strings.HasPrefix(k[0], "STORE#") {
		return 0, nil
	}
	rec, err := unmarshalStore(item)
	if err != nil || rec.StoreID == "" {
		return 0, err
	}
	staff := rec.Settings.Staff()
	if len(staff) == 0 {
		return 0, nil
	}
	keys := make([]map[string]types.AttributeValue, len(staff))
	for i, email := range staff {
		keys[i] = staffKey(email, rec.StoreID)
	}
	found, err := db.batchGet(ctx, keys)
	if err != nil {
		return 0, err
	}
	listed := map[[2]string]bool{}
	for _, f := range found {
		listed[itemKey(f)] = true
	}
	n := 0
	for _, w := range db.staffWrites(rec.StoreID, nil, staff) {
		if listed[itemKey(w.Put.Item)] {
			continue
		}
		_, err := db.api.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: w.Put.TableName, Item: w.Put.Item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		})
		switch {
		case conditionFailed(err):
		case err != nil:
			return n, unavailable("list staff", err)
		default:
			n++
		}
	}
	return n, nil
}
