package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

// TestAnswerHalfASecondAfterCloseIsRefused: a survey closing on a whole
// second is stored as "…:00.000Z"; an answer at "…:00.500Z" must fail the
// condition closes_at > :at. With RFC 3339's variable width the stored
// "…:00Z" sorted after "…:00.5Z" and the late answer was taken.
func TestAnswerHalfASecondAfterCloseIsRefused(t *testing.T) {
	db := dynamo.New(testenv.DynamoDB(t), testenv.NewTable(t, testenv.DynamoDB(t)))
	s := sentSurvey(t, db)
	late := s.ClosesAt.Add(500 * time.Millisecond)
	stored, recorded, err := db.Answer(context.Background(), s, closeloop.Response{Score: 5, Points: 50}, nil, late)
	if err != nil {
		t.Fatal(err)
	}
	if recorded || stored.Status != closeloop.StatusSent {
		t.Fatalf("answer half a second after closing: recorded %v, status %s; want refused", recorded, stored.Status)
	}
	onTime := s.ClosesAt.Add(-500 * time.Millisecond)
	if _, recorded, err := db.Answer(context.Background(), s, closeloop.Response{Score: 5, Points: 50}, nil, onTime); err != nil || !recorded {
		t.Fatalf("answer half a second before closing: recorded %v, %v", recorded, err)
	}
}

// openCase answers a survey of its own with a case and returns the case.
func openCase(t *testing.T, db *dynamo.DB, name string) closeloop.Case {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	s := closeloop.Survey{
		SurveyID: "s_" + name, StoreID: "shop", OrderID: "o-" + name,
		Customer: closeloop.Customer{Email: name + "@example.com"}, Status: closeloop.StatusScheduled,
		SendAt: now, ClosesAt: now.Add(time.Hour), Offer: closeloop.PointsOffer{PerAnswer: 50},
		Policy: closeloop.FollowupPolicy{CSATThreshold: 2, SLAHours: 24, TimeZone: "UTC"},
	}
	ctx := context.Background()
	if _, _, err := db.CreateSurvey(ctx, s, 0); err != nil {
		t.Fatal(err)
	}
	due, err := db.DueSurveys(ctx, now, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if d.Survey.SurveyID != s.SurveyID {
			continue
		}
		lease, _, err := db.Claim(ctx, d, now.Add(time.Minute), "h-"+name, "u-"+name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MarkSent(ctx, lease, now, s.ClosesAt, closeloop.Branding{}, "en"); err != nil {
			t.Fatal(err)
		}
	}
	r := closeloop.Response{Score: 1, Points: 50}
	c, ok := closeloop.NewCase(s, r, now)
	if !ok {
		t.Fatal("a score of 1 opens no case")
	}
	r.CaseID = c.CaseID
	if _, recorded, err := db.Answer(ctx, s, r, &c, now); err != nil || !recorded {
		t.Fatalf("answer: %v %v", recorded, err)
	}
	return c
}

// TestCaseMovesFollowTheDomain walks every case status against every move
// the adapter makes: each succeeds exactly when the domain's table allows
// the change from that status, and a refused one changes nothing and
// returns the case as it stands with ECONFLICT.
func TestCaseMovesFollowTheDomain(t *testing.T) {
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	now := time.Now().UTC()
	moves := []struct {
		name string
		to   closeloop.CaseStatus
		from closeloop.CaseStatus // the one status the move starts from, "" for any the domain allows
		do   func(caseID string) (closeloop.Case, error)
	}{
		{"claim", closeloop.CaseClaimed, closeloop.CaseOpen, func(id string) (closeloop.Case, error) {
			return db.ClaimCase(ctx, "shop", id, "sam@shop.test", now)
		}},
		{"release", closeloop.CaseOpen, closeloop.CaseClaimed, func(id string) (closeloop.Case, error) { return db.ReleaseCase(ctx, "shop", id) }},
		{"resolve", closeloop.CaseResolved, "", func(id string) (closeloop.Case, error) {
			return db.ResolveCase(ctx, "shop", id, closeloop.Resolution{Text: "done"}, now)
		}},
		{"reopen", closeloop.CaseOpen, closeloop.CaseResolved, func(id string) (closeloop.Case, error) {
			return db.ReopenCase(ctx, "shop", id, now.Add(time.Hour))
		}},
	}
	// into puts a fresh case into status.
	into := func(name string, status closeloop.CaseStatus) closeloop.Case {
		c := openCase(t, db, name)
		switch status {
		case closeloop.CaseClaimed:
			c, _ = db.ClaimCase(ctx, "shop", c.CaseID, "kim@shop.test", now)
		case closeloop.CaseResolved:
			c, _ = db.ResolveCase(ctx, "shop", c.CaseID, closeloop.Resolution{Text: "earlier"}, now)
		}
		if c.Status != status {
			t.Fatalf("could not put a case into %s", status)
		}
		return c
	}
	for i, from := range closeloop.CaseStatuses {
		for j, m := range moves {
			t.Run(string(from)+" "+m.name, func(t *testing.T) {
				c := into("walk"+string(rune('a'+i))+string(rune('a'+j)), from)
				want := from.CanMove(m.to) && (m.from == "" || m.from == from)
				got, err := m.do(c.CaseID)
				switch {
				case want && (err != nil || got.Status != m.to):
					t.Fatalf("%s → %s: %v, status %s; want the move", from, m.to, err, got.Status)
				case !want && closeloop.ErrorCode(err) != closeloop.ECONFLICT:
					t.Fatalf("%s → %s by %s: err %v, want ECONFLICT", from, m.to, m.name, err)
				case !want && got.Status != from:
					t.Fatalf("refused %s returned status %s, want the case as it stands (%s)", m.name, got.Status, from)
				}
				stored, err := db.Case(ctx, "shop", c.CaseID)
				if err != nil {
					t.Fatal(err)
				}
				if wantStatus := map[bool]closeloop.CaseStatus{true: m.to, false: from}[want]; stored.Status != wantStatus {
					t.Fatalf("stored status %s, want %s", stored.Status, wantStatus)
				}
			})
		}
	}
	// Another store's case is not found, whatever the move.
	c := openCase(t, db, "other")
	if _, err := db.ClaimCase(ctx, "another-shop", c.CaseID, "x@shop.test", now); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Fatalf("another store's claim: %v, want ENOTFOUND", err)
	}
}

func TestNotesStopAtTheCap(t *testing.T) {
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	c := openCase(t, db, "notes")
	ctx := context.Background()
	for i := range closeloop.MaxNotesPerCase {
		if _, err := db.AddNote(ctx, "shop", c.CaseID, closeloop.Note{NoteID: fmt.Sprintf("n%d", i), Author: "sam", Text: "note", At: time.Now()}); err != nil {
			t.Fatalf("note %d: %v", i+1, err)
		}
	}
	got, err := db.AddNote(ctx, "shop", c.CaseID, closeloop.Note{NoteID: "over", Author: "sam", Text: "one too many", At: time.Now()})
	if closeloop.ErrorCode(err) != closeloop.ECONFLICT || len(got.Notes) != closeloop.MaxNotesPerCase {
		t.Fatalf("note %d: %v with %d notes, want ECONFLICT at %d", closeloop.MaxNotesPerCase+1, err, len(got.Notes), closeloop.MaxNotesPerCase)
	}
	// A note added again (the SDK's retry of a write whose answer was
	// lost) is not added twice, and its call succeeds.
	c = openCase(t, db, "retried")
	for range 2 {
		if got, err := db.AddNote(ctx, "shop", c.CaseID, closeloop.Note{NoteID: "n-once", Author: "sam", Text: "note", At: time.Now()}); err != nil || len(got.Notes) != 1 {
			t.Fatalf("the same note twice: %v with %d notes, want 1", err, len(got.Notes))
		}
	}
	if _, err := db.AddNote(ctx, "shop", c.CaseID, closeloop.Note{NoteID: "n-two", Author: "sam", Text: "note", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got, err := db.AddNote(ctx, "shop", c.CaseID, closeloop.Note{NoteID: "n-two", Author: "sam", Text: "note", At: time.Now()}); err != nil || len(got.Notes) != 2 {
			t.Fatalf("a later note twice: %v with %d notes, want 2", err, len(got.Notes))
		}
	}
}
