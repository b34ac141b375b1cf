package dynamo_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/testenv"
)

// faulty wraps the real DynamoDB Local client and injects what the emulator
// never produces: TransactionConflict cancellations (it runs transactions
// one at a time) and throttling. Everything else reaches DynamoDB Local.
type faulty struct {
	dynamo.API
	conflicts atomic.Int32 // how many TransactWriteItems calls to cancel next
	throttle  atomic.Bool  // fail every GetItem with throttling
	calls     atomic.Int32 // TransactWriteItems calls seen
}

func (f *faulty) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.calls.Add(1)
	if f.conflicts.Add(-1) >= 0 {
		reasons := make([]types.CancellationReason, len(in.TransactItems))
		for i := range reasons {
			reasons[i] = types.CancellationReason{Code: aws.String("None")}
		}
		reasons[len(reasons)-1] = types.CancellationReason{Code: aws.String("TransactionConflict"), Message: aws.String("Transaction is ongoing for the item")}
		return nil, &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
	}
	return f.API.TransactWriteItems(ctx, in, opts...)
}

func (f *faulty) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if f.throttle.Load() {
		return nil, &types.ProvisionedThroughputExceededException{Message: aws.String("Rate of requests exceeds the allowed throughput")}
	}
	return f.API.GetItem(ctx, in, opts...)
}

func newFaulty(t *testing.T) (*faulty, *dynamo.DB) {
	client := testenv.DynamoDB(t)
	f := &faulty{API: client}
	return f, dynamo.New(f, testenv.NewTable(t, client))
}

func sentSurvey(t *testing.T, db *dynamo.DB) closeloop.Survey {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	s := closeloop.Survey{
		SurveyID: "s_" + t.Name()[:8], StoreID: "shop", OrderID: "o-1",
		Customer: closeloop.Customer{Email: "ada@example.com"}, Status: closeloop.StatusScheduled,
		SendAt: now, ClosesAt: now.Add(time.Hour), Offer: closeloop.PointsOffer{PerAnswer: 50},
	}
	if _, _, err := db.CreateSurvey(context.Background(), s, 0); err != nil {
		t.Fatal(err)
	}
	due, err := db.DueSurveys(context.Background(), now, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v %v", due, err)
	}
	lease, result, err := db.Claim(context.Background(), due[0], now.Add(time.Minute), "h", "u")
	if err != nil || result != closeloop.Claimed {
		t.Fatalf("claim %v %v", result, err)
	}
	if held, err := db.MarkSent(context.Background(), lease, now, s.ClosesAt, closeloop.Branding{}, "en"); !held || err != nil {
		t.Fatalf("mark sent %v %v", held, err)
	}
	s.Status = closeloop.StatusSent
	return s
}

func TestAnswerRetriesTransactionConflicts(t *testing.T) {
	f, db := newFaulty(t)
	s := sentSurvey(t, db)
	f.conflicts.Store(3)
	f.calls.Store(0)
	stored, recorded, err := db.Answer(context.Background(), s, closeloop.Response{Score: 5, Points: 50}, nil, time.Now())
	if err != nil || !recorded || stored.Status != closeloop.StatusAnswered {
		t.Fatalf("answer after 3 conflicts: %v %v %v", stored.Status, recorded, err)
	}
	if got := f.calls.Load(); got != 4 {
		t.Fatalf("%d transaction calls, want 4 (3 conflicts, then success)", got)
	}
	p, err := db.Points(context.Background(), "shop", "ada@example.com")
	if err != nil || p.Balance != 50 || len(p.Ledger) != 1 {
		t.Fatalf("points %+v %v, want 50 once", p, err)
	}
}

func TestAnswerGivesUpOnEndlessConflicts(t *testing.T) {
	f, db := newFaulty(t)
	s := sentSurvey(t, db)
	f.conflicts.Store(100)
	_, recorded, err := db.Answer(context.Background(), s, closeloop.Response{Score: 5, Points: 50}, nil, time.Now())
	if err == nil || recorded {
		t.Fatalf("answer under endless conflicts: recorded %v, err %v; want an error", recorded, err)
	}
	f.conflicts.Store(0)
	if p, _ := db.Points(context.Background(), "shop", "ada@example.com"); p.Balance != 0 {
		t.Fatalf("balance %d after a failed answer, want 0", p.Balance)
	}
}

func TestThrottlingIsUnavailable(t *testing.T) {
	f, db := newFaulty(t)
	f.throttle.Store(true)
	svc := survey.NewService(db, db, time.Now)
	_, _, err := svc.Open(context.Background(), "s_abc."+"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	if code := closeloop.ErrorCode(err); code != closeloop.EUNAVAILABLE {
		t.Fatalf("throttled read: code %q (%v), want unavailable", code, err)
	}
}

// TestCountersCountOnceThroughConflicts: real DynamoDB cancels concurrent
// transactions on one counter item with TransactionConflict; the retried
// answer and product counts land exactly once.
func TestCountersCountOnceThroughConflicts(t *testing.T) {
	f, db := newFaulty(t)
	s := sentSurvey(t, db)
	ctx := context.Background()
	f.conflicts.Store(2)
	answeredAt := s.ClosesAt.Add(-time.Minute)
	if _, recorded, err := db.Answer(ctx, s, closeloop.Response{Score: 4, Points: 50}, nil, answeredAt); err != nil || !recorded {
		t.Fatalf("answer through conflicts: %v %v", recorded, err)
	}
	day := closeloop.Day(answeredAt, "UTC")
	tallies, err := db.StoreTallies(ctx, "shop", day, day)
	if err != nil {
		t.Fatal(err)
	}
	if got := tallies[day]; got.Answered != 1 || got.Sent != 1 || got.CSAT[3] != 1 || got.Points != 50 {
		t.Fatalf("tally %+v, want the send and the answer once", got)
	}
	pts := []closeloop.ProductTally{{SKU: "MUG-1", Name: "Mug", Day: day, Tally: closeloop.Tally{Answered: 1}}}
	for range 2 {
		f.conflicts.Store(3)
		if err := db.AddProductTallies(ctx, "shop", "answer#"+s.SurveyID, pts); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.ProductDays(ctx, "shop", day, day)
	if err != nil || len(got) != 1 || got[0].Answered != 1 {
		t.Fatalf("product days %+v %v, want one answer", got, err)
	}
}

// throttledTx fails the first n transactions with throttling, alternating
// a throttled request and a transaction cancelled for ThrottlingError, and
// records each try's ClientRequestToken.
type throttledTx struct {
	dynamo.API
	n      atomic.Int32
	tokens []string
}

func (f *throttledTx) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.tokens = append(f.tokens, aws.ToString(in.ClientRequestToken))
	switch left := f.n.Add(-1); {
	case left >= 0 && left%2 == 0:
		return nil, &types.ThrottlingException{Message: aws.String("Throughput exceeds the current capacity")}
	case left >= 0:
		reasons := make([]types.CancellationReason, len(in.TransactItems))
		for i := range reasons {
			reasons[i] = types.CancellationReason{Code: aws.String("None")}
		}
		reasons[0] = types.CancellationReason{Code: aws.String("ThrottlingError")}
		return nil, &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
	}
	return f.API.TransactWriteItems(ctx, in, opts...)
}

func TestThrottledAnswersAreRetriedThenUnavailable(t *testing.T) {
	client := testenv.DynamoDB(t)
	f := &throttledTx{API: client}
	db := dynamo.New(f, testenv.NewTable(t, client))
	s := sentSurvey(t, db)
	f.tokens = nil
	f.n.Store(4)
	if _, recorded, err := db.Answer(context.Background(), s, closeloop.Response{Score: 5, Points: 50}, nil, time.Now()); err != nil || !recorded {
		t.Fatalf("answer after 4 throttles: %v %v", recorded, err)
	}
	seen := map[string]bool{}
	for _, tok := range f.tokens {
		if tok == "" || seen[tok] {
			t.Fatalf("tokens %q: each try needs a fresh ClientRequestToken", f.tokens)
		}
		seen[tok] = true
	}
}

func TestEndlessThrottlingIsUnavailable(t *testing.T) {
	client := testenv.DynamoDB(t)
	f := &throttledTx{API: client}
	db := dynamo.New(f, testenv.NewTable(t, client))
	s := sentSurvey(t, db)
	f.n.Store(100)
	_, recorded, err := db.Answer(context.Background(), s, closeloop.Response{Score: 5, Points: 50}, nil, time.Now())
	if recorded || closeloop.ErrorCode(err) != closeloop.EUNAVAILABLE {
		t.Fatalf("answer under endless throttling: recorded %v, %v; want EUNAVAILABLE", recorded, err)
	}
}
