package dynamo_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

// storeSum is the sum of a store's tallies of the days around now.
func storeSum(t *testing.T, db *dynamo.DB) closeloop.Tally {
	t.Helper()
	now := time.Now().UTC()
	tallies, err := db.StoreTallies(context.Background(), "shop", now.AddDate(0, 0, -2).Format(closeloop.DayLayout), now.AddDate(0, 0, 2).Format(closeloop.DayLayout))
	if err != nil {
		t.Fatal(err)
	}
	var sum closeloop.Tally
	for _, tally := range tallies {
		sum.Add(tally)
	}
	return sum
}

// TestConcurrentFirstContactsCountOnce races claims and notes on a case
// never contacted: one of them is its first contact, counted once, and
// its time is never overwritten.
func TestConcurrentFirstContactsCountOnce(t *testing.T) {
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	c := openCase(t, db, "race")
	at := time.Now().UTC().Truncate(time.Millisecond)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			when := at.Add(time.Duration(i) * time.Minute)
			if i%2 == 0 {
				_, _ = db.ClaimCase(ctx, "shop", c.CaseID, "sam@shop.test", when) // all but one are conflicts
				return
			}
			if _, err := db.AddNote(ctx, "shop", c.CaseID, closeloop.Note{NoteID: "n_" + string(rune('a'+i)), Author: "sam", Text: "called", At: when}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := db.Case(ctx, "shop", c.CaseID)
	if err != nil || got.FirstContactAt == nil || len(got.Notes) != 3 {
		t.Fatalf("case %+v, %v", got, err)
	}
	if sum := storeSum(t, db); sum.Contacted != 1 {
		t.Fatalf("%d first contacts counted, want 1", sum.Contacted)
	}
	first := *got.FirstContactAt
	if _, err := db.AddNote(ctx, "shop", c.CaseID, closeloop.Note{NoteID: "n_late", Author: "sam", Text: "again", At: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.Case(ctx, "shop", c.CaseID); !again.FirstContactAt.Equal(first) || storeSum(t, db).Contacted != 1 {
		t.Fatalf("a later note moved the first contact to %v or counted it", again.FirstContactAt)
	}
}

// TestResolutionCountsItsReasonAndFirstCloseOnce: a resolution counts its
// outcome and reason; only the first one counts the close; a refused one
// counts nothing; the reasons come back from the counters by name.
func TestResolutionCountsItsReasonAndFirstCloseOnce(t *testing.T) {
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	c := openCase(t, db, "reasons")
	now := time.Now().UTC()
	resolve := func(outcome, reason string) error {
		_, err := db.ResolveCase(ctx, "shop", c.CaseID, closeloop.Resolution{Text: "done", Outcome: outcome, Reason: reason}, now)
		return err
	}
	if err := resolve(closeloop.OutcomeResolved, "wrong_item"); err != nil {
		t.Fatal(err)
	}
	if err := resolve(closeloop.OutcomeResolved, "wrong_item"); closeloop.ErrorCode(err) != closeloop.ECONFLICT {
		t.Fatalf("resolving a resolved case: %v", err)
	}
	if _, err := db.ReopenCase(ctx, "shop", c.CaseID, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := resolve(closeloop.OutcomeUnreachable, "price"); err != nil {
		t.Fatal(err)
	}
	sum := storeSum(t, db)
	if sum.Resolved != 2 || sum.Closed != 1 || sum.ClosedInSLA != 1 || sum.Outcomes != [3]int{1, 0, 1} ||
		!reflect.DeepEqual(sum.Reasons, map[string]int{"wrong_item": 1, "price": 1}) || sum.CloseTimes[0] != 1 {
		t.Fatalf("tallies %+v", sum)
	}
	got, _ := db.Case(ctx, "shop", c.CaseID)
	if got.Outcome != closeloop.OutcomeUnreachable || got.Reason != "price" || got.FirstResolvedAt == nil || !got.FirstResolvedAt.Equal(now.Truncate(time.Millisecond)) {
		t.Fatalf("case %+v", got)
	}
}
