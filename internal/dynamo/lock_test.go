package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

func TestRunLock(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	take := func(holder string, at time.Time) bool {
		t.Helper()
		taken, err := db.TakeRunLock(ctx, holder, at, at.Add(70*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return taken
	}
	if !take("a", now) {
		t.Fatal("a free lock was not taken")
	}
	if take("b", now.Add(time.Minute)) {
		t.Fatal("a held lock was taken within its lease")
	}
	// Releasing someone else's lock leaves it held.
	if err := db.ReleaseRunLock(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if take("b", now.Add(time.Minute)) {
		t.Fatal("b let go of a's lock")
	}
	if err := db.ReleaseRunLock(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if !take("b", now.Add(time.Minute)) {
		t.Fatal("a released lock was not taken")
	}
	// b crashes holding it: its lease runs out and c takes over; b's late
	// release then leaves c's lock alone.
	if !take("c", now.Add(3*time.Minute)) {
		t.Fatal("a lock past its lease was not taken")
	}
	if err := db.ReleaseRunLock(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if take("d", now.Add(3*time.Minute)) {
		t.Fatal("the crashed holder's release freed the new holder's lock")
	}
}
