package dynamo_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/storeapi"
	"github.com/closeloop/closeloop/internal/testenv"
)

// The privacy port, checked when the tests compile.
var _ storeapi.Privacy = (*dynamo.DB)(nil)

// answeredCustomer gives email in store "shop" a sent survey answered
// with a comment and a case (with a note), and a points grant: one of each
// item kind erase deals with. It returns the survey.
func answeredCustomer(t *testing.T, db *dynamo.DB, id, email string, now time.Time) closeloop.Survey {
	t.Helper()
	ctx := context.Background()
	s := closeloop.Survey{
		SurveyID: id, StoreID: "shop", OrderID: "o-" + id,
		Customer: closeloop.Customer{Email: email, Name: "Ada", Locale: "en-GB"}, Status: closeloop.StatusSent,
		SendAt: now, ClosesAt: now.Add(time.Hour), CreatedAt: now, Offer: closeloop.PointsOffer{PerAnswer: 50},
	}
	if _, _, err := db.CreateSurvey(ctx, s, 0); err != nil {
		t.Fatal(err)
	}
	r := closeloop.Response{Score: 1, Comment: "Broken on arrival", Points: 50}
	c, ok := closeloop.NewCase(s, r, now)
	if !ok {
		t.Fatal("a score of 1 opens no case")
	}
	r.CaseID = c.CaseID
	if _, ok, err := db.Answer(ctx, s, r, &c, now); !ok || err != nil {
		t.Fatalf("answer: %v %v", ok, err)
	}
	if _, err := db.AddNote(ctx, "shop", c.CaseID, closeloop.Note{NoteID: "n_1", Author: "sam@shop.test", Text: "Called Ada", At: now}); err != nil {
		t.Fatal(err)
	}
	adj := closeloop.Adjustment{StoreID: "shop", Email: email, Points: 5, Reason: "test", IdempotencyKey: "k-" + id, At: now}
	if _, _, err := db.AdjustPoints(ctx, adj); err != nil {
		t.Fatal(err)
	}
	return s
}

// failingDeletes lets the first deletes through and fails every one after,
// as an erase cut short by an outage.
type failingDeletes struct {
	dynamo.API
	left atomic.Int32
}

func (f *failingDeletes) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if f.left.Add(-1) < 0 {
		return nil, &types.InternalServerError{Message: aws.String("injected")}
	}
	return f.API.DeleteItem(ctx, in, opts...)
}

// partitionItems is every item left under the customer's partition key.
func partitionItems(t *testing.T, client *dynamodb.Client, table, email string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := client.Query(context.Background(), &dynamodb.QueryInput{
		TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :pk"), ConsistentRead: aws.Bool(true),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": attrS("STORE#shop#CUSTOMER#" + email)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Items
}

func TestEraseFinishesWhatAFailedEraseStarted(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	faults := &failingDeletes{API: client}
	faults.left.Store(1 << 20)
	db := dynamo.New(faults, table)
	email := "ada@example.com"
	now := time.Now().UTC().Truncate(time.Second)
	s := answeredCustomer(t, db, "s_resume", email, now)

	faults.left.Store(1) // one ledger entry goes, then the outage
	if _, err := db.EraseCustomer(ctx, "shop", email, now); closeloop.ErrorCode(err) != closeloop.EUNAVAILABLE {
		t.Fatalf("erase during an outage: %v, want unavailable", err)
	}
	// Already done: the suppression, and the records kept anonymised.
	if got, _, err := db.CreateSurvey(ctx, closeloop.Survey{SurveyID: "s_later", StoreID: "shop", OrderID: "o-later",
		Customer: closeloop.Customer{Email: email}, Status: closeloop.StatusScheduled, SendAt: now, ClosesAt: now.Add(time.Hour), CreatedAt: now}, 0); err != nil || got.Status != closeloop.StatusSuppressed {
		t.Fatalf("an order during the half-done erase: %v %v, want suppressed", got.Status, err)
	}
	if item := getRaw(t, client, table, "SURVEY#"+s.SurveyID, "#SURVEY"); strings.Contains(attrString(item["customer"].(*types.AttributeValueMemberM).Value, "email"), email) {
		t.Fatalf("the survey still names the customer: %v", item["customer"])
	}

	faults.left.Store(1 << 20)
	res, err := db.EraseCustomer(ctx, "shop", email, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// The retry erased the rest: the later order's survey (its pointer and
	// no profile: it was suppressed), and the first survey again.
	if res.ErasedAt != now || res.Removed.LedgerEntries != 1 || res.Removed.Adjustments != 1 || res.Removed.Profile != 1 ||
		res.Removed.SurveyPointers != 2 || res.Anonymised.Surveys != 2 || res.Anonymised.Followups != 1 {
		t.Fatalf("retried erase %+v", res)
	}
	if left := partitionItems(t, client, table, email); len(left) != 0 {
		t.Fatalf("the customer's partition after the retry: %v", left)
	}
	data, err := db.ExportCustomer(ctx, "shop", email)
	if err != nil || len(data.Surveys)+len(data.Ledger)+len(data.Adjustments)+len(data.Cases) != 0 || data.Profile.Balance != 0 {
		t.Fatalf("export after the erase: %+v %v", data, err)
	}
}

// interleavedUpdates runs between once before the first UpdateItem.
type interleavedUpdates struct {
	dynamo.API
	once    sync.Once
	between func()
}

func (i *interleavedUpdates) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	i.once.Do(i.between)
	return i.API.UpdateItem(ctx, in, opts...)
}

// TestEraseRereadsASurveyAnsweredMeanwhile answers the survey between the
// erase's read and its write: the erase reads it again and anonymises the
// answer's response and case too.
func TestEraseRereadsASurveyAnsweredMeanwhile(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	plain := dynamo.New(client, table)
	s := sentSurvey(t, plain)
	now := time.Now().UTC().Truncate(time.Millisecond)
	racing := dynamo.New(&interleavedUpdates{API: client, between: func() {
		r := closeloop.Response{Score: 1, Comment: "Cold coffee", Points: 50}
		c, _ := closeloop.NewCase(s, r, now)
		r.CaseID = c.CaseID
		if _, ok, err := plain.Answer(ctx, s, r, &c, now); !ok || err != nil {
			t.Errorf("answer between the erase's read and write: %v %v", ok, err)
		}
	}}, table)
	res, err := racing.EraseCustomer(ctx, "shop", s.Customer.Email, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Anonymised.Surveys != 1 || res.Anonymised.Responses != 1 || res.Anonymised.Followups != 1 || res.Anonymised.Cancelled != 0 {
		t.Fatalf("erase %+v, want the answered survey with its response and case", res)
	}
	got, err := plain.Survey(ctx, s.SurveyID)
	if err != nil || got.Status != closeloop.StatusAnswered || got.Customer.Email != closeloop.ErasedEmail(s.Customer.Email) || got.Response.Comment != "" || got.Response.Score != 1 {
		t.Fatalf("survey after the erase: %+v %v", got, err)
	}
	c, err := plain.Case(ctx, "shop", closeloop.CaseIDFor(s.SurveyID))
	if err != nil || c.Comment != "" || c.Customer.Email != closeloop.ErasedEmail(s.Customer.Email) {
		t.Fatalf("case after the erase: %+v %v", c, err)
	}
}

// TestEraseAnonymisesEveryKind checks each kind of item as stored.
func TestEraseAnonymisesEveryKind(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)
	email := "ada@example.com"
	now := time.Now().UTC().Truncate(time.Second)
	s := answeredCustomer(t, db, "s_kinds", email, now)
	if _, err := db.EraseCustomer(ctx, "shop", email, now); err != nil {
		t.Fatal(err)
	}
	placeholder := closeloop.ErasedEmail(email)
	if !strings.HasSuffix(placeholder, "@erased.invalid") || strings.Contains(placeholder, "ada") {
		t.Fatalf("placeholder %q", placeholder)
	}
	survey := getRaw(t, client, table, "SURVEY#"+s.SurveyID, "#SURVEY")
	for _, gone := range []string{"token_hashes", "unsubscribe_hashes"} {
		if _, has := survey[gone]; has {
			t.Errorf("the survey keeps %s", gone)
		}
	}
	customer := survey["customer"].(*types.AttributeValueMemberM).Value
	if len(customer) != 1 || attrString(customer, "email") != placeholder {
		t.Errorf("the survey's customer %v, want only the placeholder", customer)
	}
	response := getRaw(t, client, table, "STORE#shop#RESPONSES", now.Format("2006-01-02T15:04:05.000Z")+"#"+s.SurveyID)
	if _, has := response["comment"]; has || attrString(response, "email") != placeholder || attrString(response["customer"].(*types.AttributeValueMemberM).Value, "email") != placeholder {
		t.Errorf("the response after the erase: %v", response)
	}
	if _, has := response["score"]; !has {
		t.Error("the response lost its score")
	}
	kase := getRaw(t, client, table, "CASE#"+closeloop.CaseIDFor(s.SurveyID), "#CASE")
	notes := kase["notes"].(*types.AttributeValueMemberL).Value
	if attrString(kase, "comment") != "" || len(notes) != 1 || attrString(notes[0].(*types.AttributeValueMemberM).Value, "text") != "" ||
		attrString(notes[0].(*types.AttributeValueMemberM).Value, "author") != "sam@shop.test" || attrString(kase, "status") != "open" {
		t.Errorf("the case after the erase: %v", kase)
	}
	if left := partitionItems(t, client, table, email); len(left) != 0 {
		t.Errorf("the customer's partition after the erase: %v", left)
	}
	// The placeholder is suppressed, so nothing about the kept records is
	// ever sent.
	if start, err := db.BeginDelivery(ctx, closeloop.Delivery{Key: "closing#" + s.SurveyID, StoreID: "shop", Kind: "closing", To: placeholder}, now, now.Add(time.Minute)); err != nil || start != closeloop.DeliverySuppressed {
		t.Errorf("a delivery to the placeholder: %v %v, want suppressed", start, err)
	}
}

// TestCreateSurveyForAnErasedAddress reads the ingest transaction's
// cancellation reasons by position: the erased entry (the last item) makes
// a survey suppressed whether or not the contact budget failed too.
func TestCreateSurveyForAnErasedAddress(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)
	now := time.Now().UTC().Truncate(time.Second)
	newSurvey := func(id, email string) closeloop.Survey {
		return closeloop.Survey{SurveyID: id, StoreID: "shop", OrderID: "o-" + id, Customer: closeloop.Customer{Email: email},
			Status: closeloop.StatusScheduled, SendAt: now, ClosesAt: now.Add(time.Hour), CreatedAt: now}
	}
	for _, tc := range []struct {
		name       string
		erased     bool
		budgetUsed bool
		want       closeloop.Status
	}{
		{"neither", false, false, closeloop.StatusScheduled},
		{"budget spent", false, true, closeloop.StatusCapped},
		{"erased", true, false, closeloop.StatusSuppressed},
		{"erased and budget spent", true, true, closeloop.StatusSuppressed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			email := strings.ReplaceAll(tc.name, " ", "-") + "@example.com"
			if tc.budgetUsed {
				if _, _, err := db.CreateSurvey(ctx, newSurvey("s_first-"+email, email), 30*24*time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			if tc.erased {
				if err := db.PutErasedSuppression(ctx, "shop", email, closeloop.SuppressedErased, now); err != nil {
					t.Fatal(err)
				}
			}
			got, created, err := db.CreateSurvey(ctx, newSurvey("s_next-"+email, email), 30*24*time.Hour)
			if err != nil || !created || got.Status != tc.want {
				t.Fatalf("got %s (created %v, %v), want %s", got.Status, created, err, tc.want)
			}
		})
	}
	// Another store's erasure is not this store's.
	if err := db.PutErasedSuppression(ctx, "other", "bo@example.com", closeloop.SuppressedErased, now); err != nil {
		t.Fatal(err)
	}
	if got, _, err := db.CreateSurvey(ctx, newSurvey("s_bo", "bo@example.com"), 0); err != nil || got.Status != closeloop.StatusScheduled {
		t.Fatalf("an address erased in another store: %s %v, want scheduled", got.Status, err)
	}
}

// TestExportFindsOnlyTheStoresLiveItems plants a pointer to another
// store's survey under this store's customer, and moves the clock past
// retention.
func TestExportFindsOnlyTheStoresLiveItems(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)
	email := "ada@example.com"
	now := time.Now().UTC().Truncate(time.Second)
	s := answeredCustomer(t, db, "s_mine", email, now)
	theirs := closeloop.Survey{SurveyID: "s_theirs", StoreID: "other", OrderID: "o-theirs", Customer: closeloop.Customer{Email: email},
		Status: closeloop.StatusExpired, SendAt: now, ClosesAt: now, CreatedAt: now}
	if _, _, err := db.CreateSurvey(ctx, theirs, 0); err != nil {
		t.Fatal(err)
	}
	putRaw(t, client, table, map[string]types.AttributeValue{
		"pk": attrS("STORE#shop#CUSTOMER#" + email), "sk": attrS("SURVEY#" + now.Format("2006-01-02T15:04:05.000Z") + "#s_theirs"),
		"survey_id": attrS("s_theirs"), "order_id": attrS("o-theirs"),
	})
	data, err := db.ExportCustomer(ctx, "shop", email)
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Surveys) != 1 || data.Surveys[0].Survey.SurveyID != s.SurveyID || data.Surveys[0].Response == nil ||
		data.Surveys[0].Response.Comment != "Broken on arrival" || len(data.Cases) != 1 || len(data.Cases[0].Notes) != 1 ||
		len(data.Ledger) != 2 || len(data.Adjustments) != 1 || data.Profile.Balance != 55 {
		t.Fatalf("export %+v", data)
	}

	past := now.AddDate(0, closeloop.DefaultRetentionMonths, 0).Add(time.Second)
	later := db.WithClock(func() time.Time { return past })
	data, err = later.ExportCustomer(ctx, "shop", email)
	if err != nil || len(data.Surveys)+len(data.Cases)+len(data.Ledger)+len(data.Adjustments) != 0 || data.Profile.Balance != 55 {
		t.Fatalf("export past retention: %+v %v, want only the balance", data, err)
	}
	if _, err := later.Survey(ctx, s.SurveyID); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Fatalf("survey past retention: %v", err)
	}
	if h, err := later.CustomerHistory(ctx, "shop", email, 10); err != nil || len(h) != 0 {
		t.Fatalf("history past retention: %+v %v", h, err)
	}
	// A second before, everything is there.
	earlier := db.WithClock(func() time.Time { return now.AddDate(0, closeloop.DefaultRetentionMonths, 0).Add(-time.Second) })
	if data, err := earlier.ExportCustomer(ctx, "shop", email); err != nil || len(data.Surveys) != 1 || len(data.Ledger) != 2 {
		t.Fatalf("export a second before retention ends: %+v %v", data, err)
	}
	// The order is new again once its marker is past retention.
	again := s
	again.SurveyID, again.CreatedAt, again.SendAt, again.ClosesAt, again.Status = "s_again", past, past, past.Add(time.Hour), closeloop.StatusScheduled
	if got, created, err := later.CreateSurvey(ctx, again, 0); err != nil || !created || got.SurveyID != "s_again" {
		t.Fatalf("the order posted again past retention: %+v %v %v", got.SurveyID, created, err)
	}
	if _, created, err := later.CreateSurvey(ctx, closeloop.Survey{SurveyID: "s_third", StoreID: "shop", OrderID: s.OrderID, CreatedAt: past}, 0); err != nil || created {
		t.Fatalf("and a third time: created %v %v", created, err)
	}
}

func TestAdjustmentsExpireWithTheStoresRetention(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)
	putRaw(t, client, table, map[string]types.AttributeValue{
		"pk": attrS("STORE#shop"), "sk": attrS("#SETTINGS"), "store_id": attrS("shop"),
		"settings": attrM(map[string]types.AttributeValue{"retention_months": attrN("3")}),
	})
	now := time.Now().UTC().Truncate(time.Second)
	adj := closeloop.Adjustment{StoreID: "shop", Email: "ada@example.com", Points: 5, Reason: "test", IdempotencyKey: "k", At: now}
	if _, _, err := db.AdjustPoints(ctx, adj); err != nil {
		t.Fatal(err)
	}
	if _, replay, err := db.AdjustPoints(ctx, adj); err != nil || !replay {
		t.Fatalf("the key again within retention: replay %v %v, want the original", replay, err)
	}
	past := now.AddDate(0, 3, 0).Add(time.Second)
	later := db.WithClock(func() time.Time { return past })
	if p, err := later.Points(ctx, "shop", "ada@example.com"); err != nil || p.Balance != 5 || len(p.Ledger) != 0 {
		t.Fatalf("points past 3 months: %+v %v, want the balance without the entry", p, err)
	}
	// The idempotency record is gone with it: the key is new again.
	adj.At = past
	if res, replay, err := later.AdjustPoints(ctx, adj); err != nil || replay || res.Balance != 10 {
		t.Fatalf("the key again past retention: %+v replay %v %v, want it applied", res, replay, err)
	}
}

// TestBounceAfterAnEraseWritesNoAddress: a bounce or complaint for an
// erased address (an email claimed before the erase, bouncing after) must
// not write the address back as a suppressed profile; the erased entry
// already suppresses it. Another store's erasure does not hold here.
func TestBounceAfterAnEraseWritesNoAddress(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)
	now := time.Now().UTC().Truncate(time.Second)
	if err := db.PutErasedSuppression(ctx, "shop", "gone@example.com", closeloop.SuppressedErased, now); err != nil {
		t.Fatal(err)
	}
	for _, reason := range []string{"bounced", "complained"} {
		if err := db.Suppress(ctx, "shop", "gone@example.com", reason, now.Add(time.Minute)); err != nil {
			t.Fatalf("suppress an erased address (%s): %v", reason, err)
		}
	}
	out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range out.Items {
		for name, v := range item {
			if s, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(s.Value, "gone@example.com") {
				t.Errorf("the erased address is stored again, in %s of %v", name, item["pk"])
			}
		}
	}
	if got, _, err := db.Suppressions(ctx, "shop", 10, ""); err != nil || len(got) != 1 || got[0].Reason != closeloop.SuppressedErased {
		t.Fatalf("suppressions %+v %v, want the erased entry alone", got, err)
	}
	// The same address in another store is suppressed as usual, once.
	for range 2 {
		if err := db.Suppress(ctx, "other", "gone@example.com", "bounced", now); err != nil {
			t.Fatal(err)
		}
	}
	if got, _, err := db.Suppressions(ctx, "other", 10, ""); err != nil || len(got) != 1 || got[0].Reason != "bounced" {
		t.Fatalf("the other store's suppressions %+v %v, want the bounce", got, err)
	}
}
