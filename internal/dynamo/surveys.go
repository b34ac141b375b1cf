package dynamo

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

type surveyRecord struct {
	PK string `json:"pk"`
	SK string `json:"sk"`
	closeloop.Survey
	// TokenHashes holds the hash of every link token sent for the survey:
	// a resend after a crashed send adds one and the first email still works.
	TokenHashes []string `json:"token_hashes,omitempty,stringset"`
	// UnsubscribeHashes are the unsubscribe links' token hashes. Survey items
	// are kept, so these links outlive the survey (at least the 30 days the
	// rules ask for).
	UnsubscribeHashes []string `json:"unsubscribe_hashes,omitempty,stringset"`
	DuePK             string   `json:"due_pk,omitempty"`
	DueSK             string   `json:"due_sk,omitempty"`
	// ExpiresAt is the end of the store's retention (expiry), the table's
	// TTL; 0 on items from before retention until storectl upgrade.
	ExpiresAt int64 `json:"expires_at,omitempty"`
}

type orderRecord struct {
	PK        string    `json:"pk"`
	SK        string    `json:"sk"`
	StoreID   string    `json:"store_id"`
	OrderID   string    `json:"order_id"`
	SurveyID  string    `json:"survey_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt int64     `json:"expires_at,omitempty"` // as its survey's
}

func surveyKey(surveyID string) map[string]types.AttributeValue {
	return key("SURVEY#"+surveyID, "#SURVEY")
}

func orderPK(storeID, orderID string) string { return "STORE#" + storeID + "#ORDER#" + orderID }

// dueShards spreads the due index over a few partitions so that a burst of
// orders does not make one hot index partition.
const dueShards = 4

func dueShard(surveyID string) string {
	h := fnv.New32a()
	h.Write([]byte(surveyID))
	return "DUE#" + strconv.Itoa(int(h.Sum32()%dueShards))
}

func dueSK(at time.Time, surveyID string) string { return stamp(at) + "#" + surveyID }

// CreateSurvey saves a new survey for its order, unless the order already
// has one: then it returns that one and created is false. One transaction
// writes the order marker and the survey, so concurrent posts of one order
// create one survey.
//
// A scheduled (or pending) survey also spends the customer's contact budget in the same
// transaction: when the customer unsubscribed, or was scheduled a survey
// less than budget before this one's send time, the survey is saved as
// suppressed or capped instead and never sent. An erased address's
// suppression (erasedSuppressionKey) is read first, consistently: a check
// inside the transaction would cost two write units on every order for an
// entry few addresses have, and dispatch reads the profile again before
// any email goes out.
func (db *DB) CreateSurvey(ctx context.Context, s closeloop.Survey, budget time.Duration) (stored closeloop.Survey, created bool, err error) {
	if waitsToSend(s.Status) {
		out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(db.table), Key: erasedSuppressionKey(s.StoreID, s.Customer.Email),
			ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String(attrPK),
		})
		if err != nil {
			return closeloop.Survey{}, false, unavailable("get erased suppression", err)
		}
		if out.Item != nil {
			s.Status = closeloop.StatusSuppressed
		}
	}
	for {
		items, err := db.createItems(s, budget)
		if err != nil {
			return closeloop.Survey{}, false, err
		}
		err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return s, true, nil
		}
		reasons := cancelReasons(err)
		switch {
		case len(reasons) == 0:
			return closeloop.Survey{}, false, unavailable("create survey", err)
		case aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
			var existing orderRecord
			if err := unmarshal(reasons[0].Item, &existing); err != nil {
				return closeloop.Survey{}, false, err
			}
			stored, err = db.Survey(ctx, existing.SurveyID)
			return stored, false, err
		case isEarlyCheck(items[len(items)-1]) && len(reasons) == len(items) && aws.ToString(reasons[len(reasons)-1].Code) == "ConditionalCheckFailed":
			// The order's events came before it (events.go): the caller
			// makes the survey again with them.
			var early earlyRecord
			if err := unmarshal(reasons[len(reasons)-1].Item, &early); err != nil {
				return closeloop.Survey{}, false, err
			}
			return closeloop.Survey{}, false, &closeloop.EarlyEvents{FulfilledAt: early.FulfilledAt, DeliveredAt: early.DeliveredAt}
		case waitsToSend(s.Status) && len(reasons) >= 4 && aws.ToString(reasons[3].Code) == "ConditionalCheckFailed":
			// [3] is the profile's budget and suppression (createItems'
			// order).
			var profile profileRecord
			if err := unmarshal(reasons[3].Item, &profile); err != nil {
				return closeloop.Survey{}, false, err
			}
			s.Status = closeloop.StatusCapped
			if profile.SuppressedAt != "" {
				s.Status = closeloop.StatusSuppressed
			}
			// Saved again without the budget: the loop ends next round.
		default:
			return closeloop.Survey{}, false, unavailable("create survey", err)
		}
	}
}

// surveyPointer lists a survey under its customer, so that a customer's
// history in a store is one query away.
type surveyPointer struct {
	PK        string    `json:"pk"`
	SK        string    `json:"sk"`
	SurveyID  string    `json:"survey_id"`
	OrderID   string    `json:"order_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt int64     `json:"expires_at,omitempty"` // as its survey's
}

func surveyPointerSK(s closeloop.Survey) string {
	return "SURVEY#" + stamp(s.CreatedAt) + "#" + s.SurveyID
}

// profileRecord is the customer item's fields that ingest and dispatch read.
type profileRecord struct {
	Balance      int    `json:"balance"`
	LastSurveyAt string `json:"last_survey_at"`
	SuppressedAt string `json:"suppressed_at"`
}

// createItems are the writes of CreateSurvey: the order marker, the
// survey, its pointer under the customer and, for a scheduled survey, the
// contact budget on the customer item, and last, for a survey timed by its
// order's events, the check that none came before the order (earlyCheck),
// in that order: a cancelled transaction's reasons come so.
func (db *DB) createItems(s closeloop.Survey, budget time.Duration) ([]types.TransactWriteItem, error) {
	expires := expiry(s.CreatedAt, s.RetentionMonths)
	order, err := marshal(orderRecord{
		PK: orderPK(s.StoreID, s.OrderID), SK: "#ORDER",
		StoreID: s.StoreID, OrderID: s.OrderID, SurveyID: s.SurveyID, CreatedAt: s.CreatedAt, ExpiresAt: expires,
	})
	if err != nil {
		return nil, err
	}
	rec := surveyRecord{PK: "SURVEY#" + s.SurveyID, SK: "#SURVEY", Survey: s, ExpiresAt: expires}
	if waitsToSend(s.Status) {
		rec.DuePK, rec.DueSK = dueShard(s.SurveyID), dueSK(s.SendAt, s.SurveyID)
	}
	survey, err := marshal(rec)
	if err != nil {
		return nil, err
	}
	pointer, err := marshal(surveyPointer{
		PK: customerPK(s.StoreID, s.Customer.Email), SK: surveyPointerSK(s),
		SurveyID: s.SurveyID, OrderID: s.OrderID, CreatedAt: s.CreatedAt, ExpiresAt: expires,
	})
	if err != nil {
		return nil, err
	}
	items := []types.TransactWriteItem{
		{Put: &types.Put{
			TableName: aws.String(db.table), Item: order,
			// A marker past retention is gone, though TTL deletes it late:
			// the order is new again.
			ConditionExpression:                 aws.String("attribute_not_exists(pk) OR expires_at <= :now"),
			ExpressionAttributeValues:           map[string]types.AttributeValue{":now": db.nowAttr()},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		{Put: &types.Put{
			TableName: aws.String(db.table), Item: survey,
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		{Put: &types.Put{TableName: aws.String(db.table), Item: pointer}},
	}
	if !waitsToSend(s.Status) {
		return db.withEarlyCheck(items, s), nil
	}
	condition := "attribute_not_exists(suppressed_at)"
	values := map[string]types.AttributeValue{
		":store": str(s.StoreID),
		":email": str(s.Customer.Email),
		":send":  str(stamp(s.SendAt)),
	}
	if budget > 0 {
		condition += " AND (attribute_not_exists(last_survey_at) OR last_survey_at <= :cutoff)"
		values[":cutoff"] = str(stamp(s.SendAt.Add(-budget)))
	}
	items = append(items, types.TransactWriteItem{Update: &types.Update{
		TableName:                           aws.String(db.table),
		Key:                                 key(customerPK(s.StoreID, s.Customer.Email), "#PROFILE"),
		UpdateExpression:                    aws.String("SET store_id = :store, email = :email, last_survey_at = :send"),
		ConditionExpression:                 aws.String(condition),
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}})
	return db.withEarlyCheck(items, s), nil
}

// waitsToSend reports whether a new survey in status st will be sent:
// then it is due (a pending one at its max-wait time) and takes the
// customer's contact budget.
func waitsToSend(st closeloop.Status) bool {
	return st == closeloop.StatusScheduled || st == closeloop.StatusPending
}

// OrderSurvey returns the survey of a store's order, ENOTFOUND when the
// store has no such order: stores look surveys up by their own order IDs.
func (db *DB) OrderSurvey(ctx context.Context, storeID, orderID string) (closeloop.Survey, error) {
	if !validKeyPart(orderID) {
		return closeloop.Survey{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such order")
	}
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: key(orderPK(storeID, orderID), "#ORDER"), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return closeloop.Survey{}, unavailable("get order", err)
	}
	var order orderRecord
	if out.Item != nil {
		if err := unmarshal(out.Item, &order); err != nil {
			return closeloop.Survey{}, err
		}
	}
	if out.Item == nil || !db.live(order.ExpiresAt) {
		return closeloop.Survey{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such order")
	}
	s, err := db.Survey(ctx, order.SurveyID)
	if err == nil && s.StoreID != storeID {
		return closeloop.Survey{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such order")
	}
	return s, err
}

// CancelOrder cancels the survey of an order unless it was answered (or
// has otherwise ended), and returns the survey as it then stands.
func (db *DB) CancelOrder(ctx context.Context, storeID, orderID string, at time.Time) (closeloop.Survey, error) {
	if !validKeyPart(orderID) {
		return closeloop.Survey{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such order")
	}
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: key(orderPK(storeID, orderID), "#ORDER"), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return closeloop.Survey{}, unavailable("get order", err)
	}
	if out.Item == nil {
		return closeloop.Survey{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such order")
	}
	var order orderRecord
	if err := unmarshal(out.Item, &order); err != nil {
		return closeloop.Survey{}, err
	}
	if !db.live(order.ExpiresAt) {
		return closeloop.Survey{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such order")
	}
	values := map[string]types.AttributeValue{
		":cancelled": str(string(closeloop.StatusCancelled)),
		":at":        str(stamp(at)),
	}
	upd, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(db.table),
		Key:                                 surveyKey(order.SurveyID),
		UpdateExpression:                    aws.String("SET #status = :cancelled, cancelled_at = :at REMOVE due_pk, due_sk"),
		ConditionExpression:                 aws.String(statusIn(closeloop.SurveyStatusesInto(closeloop.StatusCancelled), values)),
		ExpressionAttributeNames:            map[string]string{"#status": "status"},
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	item := map[string]types.AttributeValue(nil)
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		item = ccf.Item
	case err != nil:
		return closeloop.Survey{}, unavailable("cancel survey", err)
	default:
		item = upd.Attributes
	}
	var rec surveyRecord
	if err := unmarshal(item, &rec); err != nil {
		return closeloop.Survey{}, err
	}
	if err == nil && ccf == nil && rec.SentAt == nil {
		// Never sent: the contact budget it took is given back, while no
		// later survey has taken it since.
		if err := db.returnBudget(ctx, rec.Survey); err != nil {
			return closeloop.Survey{}, err
		}
	}
	return rec.Survey, nil
}

// returnBudget undoes the contact budget a survey took when it was
// created, on condition the customer's last survey is still this one.
func (db *DB) returnBudget(ctx context.Context, s closeloop.Survey) error {
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(db.table),
		Key:                       key(customerPK(s.StoreID, s.Customer.Email), "#PROFILE"),
		UpdateExpression:          aws.String("REMOVE last_survey_at"),
		ConditionExpression:       aws.String("last_survey_at = :send"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":send": str(stamp(s.SendAt))},
	})
	if err != nil && !conditionFailed(err) {
		return unavailable("return contact budget", err)
	}
	return nil
}

// Survey returns a survey by ID, ENOTFOUND when there is none.
func (db *DB) Survey(ctx context.Context, surveyID string) (closeloop.Survey, error) {
	rec, err := db.surveyRecord(ctx, surveyID)
	return rec.Survey, err
}

// SurveyTokens returns a survey with the hashes of its link tokens.
func (db *DB) SurveyTokens(ctx context.Context, surveyID string) (closeloop.Survey, closeloop.TokenHashes, error) {
	rec, err := db.surveyRecord(ctx, surveyID)
	return rec.Survey, closeloop.TokenHashes{Survey: rec.TokenHashes, Unsubscribe: rec.UnsubscribeHashes}, err
}

func (db *DB) surveyRecord(ctx context.Context, surveyID string) (surveyRecord, error) {
	if !validKeyPart(surveyID) {
		// Longer than any ID: DynamoDB would refuse the key outright.
		return surveyRecord{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such survey")
	}
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: surveyKey(surveyID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return surveyRecord{}, unavailable("get survey", err)
	}
	if out.Item == nil {
		return surveyRecord{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such survey")
	}
	var rec surveyRecord
	if err := unmarshal(out.Item, &rec); err != nil {
		return surveyRecord{}, err
	}
	if !db.live(rec.ExpiresAt) {
		// Past retention: gone, though TTL deletes it late.
		return surveyRecord{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such survey")
	}
	return rec, nil
}

// responseRecord is a response as listed under its store by time. Type
// marks it for the stream relay, which acts on new responses and cases.
type responseRecord struct {
	PK    string `json:"pk"`
	SK    string `json:"sk"`
	Type  string `json:"type"`
	Email string `json:"email"` // the customer's, for exports by address
	// SKUs are the items' SKUs, for filtering a store's responses by
	// product (contains() reads a set, not a list of maps).
	SKUs []string `json:"skus,omitempty,stringset"`
	// SentAt and TimeZone are the survey's, so that the relay counts the
	// answer's products on the survey's send day without reading it.
	SentAt   *time.Time `json:"sent_at,omitempty"`
	TimeZone string     `json:"time_zone"`
	// Counted says the store's counters hold the answer (written with
	// them); responses from before counters lack it, for storectl
	// backfill-counters.
	Counted bool `json:"counted"`
	closeloop.ResponseItem
	ExpiresAt int64 `json:"expires_at,omitempty"` // as its survey's
}

// skus lists the distinct SKUs of items, sorted.
func skus(items []closeloop.Item) []string {
	var out []string
	for _, it := range items {
		if !slices.Contains(out, it.SKU) {
			out = append(out, it.SKU)
		}
	}
	slices.Sort(out)
	return out
}

// Item types the stream relay acts on (the "type" attribute).
const (
	typeResponse = "response"
	typeCase     = "case"
)

type ledgerRecord struct {
	PK string `json:"pk"`
	SK string `json:"sk"`
	closeloop.LedgerEntry
	// ExpiresAt ends the entry, not its points: the balance on the profile
	// keeps them, and the ledger lists the entries within retention.
	ExpiresAt int64 `json:"expires_at,omitempty"`
}

func customerPK(storeID, email string) string { return "STORE#" + storeID + "#CUSTOMER#" + email }

// Answer records a response in one transaction: the survey turns answered
// (only from a status the domain allows; the caller checks it is still
// open), the response is listed, the points go to the ledger and the
// balance, and the follow-up case c is opened when there is one. When the
// survey cannot take the answer (answered already, closed) nothing is
// written, and the survey as stored is returned with recorded false.
func (db *DB) Answer(ctx context.Context, s closeloop.Survey, r closeloop.Response, c *closeloop.Case, at time.Time) (stored closeloop.Survey, recorded bool, err error) {
	answeredAt := at.UTC()
	items, err := db.answerItems(s, r, c, answeredAt)
	if err != nil {
		return closeloop.Survey{}, false, err
	}
	err = db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		s.Status, s.AnsweredAt, s.Response = closeloop.StatusAnswered, &answeredAt, &r
		return s, true, nil
	}
	reasons := cancelReasons(err)
	if len(reasons) == 0 || aws.ToString(reasons[0].Code) != "ConditionalCheckFailed" {
		return closeloop.Survey{}, false, unavailable("answer survey", err)
	}
	var rec surveyRecord
	if err := unmarshal(reasons[0].Item, &rec); err != nil {
		return closeloop.Survey{}, false, err
	}
	return rec.Survey, false, nil
}

// answerItems are the writes of Answer, the survey's first: a cancelled
// transaction's reasons come in this order.
func (db *DB) answerItems(s closeloop.Survey, r closeloop.Response, c *closeloop.Case, answeredAt time.Time) ([]types.TransactWriteItem, error) {
	response, err := marshal(r)
	if err != nil {
		return nil, err
	}
	// What the answer writes expires with its survey, so that the
	// survey's pointer, which export and erase follow, never goes first.
	expires := expiry(s.CreatedAt, s.RetentionMonths)
	respItem, err := marshal(responseRecord{
		PK: responsesPK(s.StoreID), SK: stamp(answeredAt) + "#" + s.SurveyID, Type: typeResponse,
		Email: s.Customer.Email, SKUs: skus(s.Items), SentAt: s.SentAt, TimeZone: s.Policy.TimeZone, Counted: true,
		ResponseItem: closeloop.ResponseItem{
			StoreID: s.StoreID, SurveyID: s.SurveyID, OrderID: s.OrderID, Customer: s.Customer,
			Items: s.Items, AnsweredAt: answeredAt, Response: r,
		},
		ExpiresAt: expires,
	})
	if err != nil {
		return nil, err
	}
	custPK := customerPK(s.StoreID, s.Customer.Email)
	ledgerItem, err := marshal(ledgerRecord{
		PK: custPK, SK: "LEDGER#" + stamp(answeredAt) + "#" + s.SurveyID,
		LedgerEntry: closeloop.LedgerEntry{SurveyID: s.SurveyID, Points: r.Points, Reason: "survey_answered", At: answeredAt},
		ExpiresAt:   expires,
	})
	if err != nil {
		return nil, err
	}
	values := map[string]types.AttributeValue{
		":answered": str(string(closeloop.StatusAnswered)),
		":at":       str(stamp(answeredAt)),
		":response": &types.AttributeValueMemberM{Value: response},
	}
	absent := aws.String("attribute_not_exists(pk)")
	items := []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: aws.String(db.table), Key: surveyKey(s.SurveyID),
			UpdateExpression:                    aws.String("SET #status = :answered, answered_at = :at, #response = :response REMOVE due_pk, due_sk"),
			ConditionExpression:                 aws.String(statusIn(closeloop.SurveyStatusesInto(closeloop.StatusAnswered), values) + " AND closes_at > :at"),
			ExpressionAttributeNames:            map[string]string{"#status": "status", "#response": "response"},
			ExpressionAttributeValues:           values,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		{Put: &types.Put{TableName: aws.String(db.table), Item: respItem}},
		{Put: &types.Put{TableName: aws.String(db.table), Item: ledgerItem, ConditionExpression: absent}},
		{Update: &types.Update{
			TableName: aws.String(db.table), Key: key(custPK, "#PROFILE"),
			UpdateExpression: aws.String("SET store_id = :store, email = :email, updated_at = :at ADD balance :points"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":store":  str(s.StoreID),
				":email":  str(s.Customer.Email),
				":at":     str(stamp(answeredAt)),
				":points": num(r.Points),
			},
		}},
	}
	if c != nil {
		rec := newCaseRecord(*c)
		rec.ExpiresAt = expires // with its notes
		caseItem, err := marshal(rec)
		if err != nil {
			return nil, err
		}
		items = append(items,
			types.TransactWriteItem{Put: &types.Put{TableName: aws.String(db.table), Item: caseItem, ConditionExpression: absent}},
			db.loadItem(s.StoreID, c.CaseID, 1, 0))
	}
	// The store's counters change in the answer's own transaction: a
	// retried or concurrent answer fails the survey's condition and counts
	// nothing.
	return append(items, db.tallyItems(s.StoreID, s.SurveyID, closeloop.AnswerTallies(s, r, answeredAt))...), nil
}

// Points returns a customer's balance and ledger, newest first. The
// ledger lists the entries within retention only; the balance still holds
// the points of those past it.
func (db *DB) Points(ctx context.Context, storeID, email string) (closeloop.Points, error) {
	p := closeloop.Points{Ledger: []closeloop.LedgerEntry{}}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(db.table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(customerPK(storeID, email))},
		ScanIndexForward:          aws.Bool(false),
	}
	for page := dynamodb.NewQueryPaginator(db.api, in); page.HasMorePages(); {
		out, err := page.NextPage(ctx)
		if err != nil {
			return closeloop.Points{}, unavailable("query points", err)
		}
		for _, item := range out.Items {
			var sk string
			if v, ok := item[attrSK].(*types.AttributeValueMemberS); ok {
				sk = v.Value
			}
			if sk == "#PROFILE" {
				var profile profileRecord
				if err := unmarshal(item, &profile); err != nil {
					return closeloop.Points{}, err
				}
				p.Balance = profile.Balance
				continue
			}
			if !ledgerSK(sk) {
				continue // another record of the customer, e.g. an adjustment's idempotency record
			}
			var rec ledgerRecord
			if err := unmarshal(item, &rec); err != nil {
				return closeloop.Points{}, err
			}
			if !db.live(rec.ExpiresAt) {
				continue // past retention: its points stay in the balance
			}
			p.Ledger = append(p.Ledger, rec.LedgerEntry)
		}
	}
	return p, nil
}
