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

// TestAddReplyFromAStaleRead: a reply written from a case read before
// support moved it still lands once, as the case now stands: claimed meanwhile
// (no reopen), reopened meanwhile (no second reopen), resolved meanwhile
// (reopened by the reply).
func TestAddReplyFromAStaleRead(t *testing.T) {
	db := dynamo.New(testenv.DynamoDB(t), testenv.NewTable(t, testenv.DynamoDB(t)))
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	note := func(id string) closeloop.Note {
		n, _ := closeloop.NewReplyNote(id, "Still broken.", nil, now)
		return n
	}

	open := openCase(t, db, "stale-open")
	if _, err := db.ClaimCase(ctx, "shop", open.CaseID, "sam@shop.test", now); err != nil {
		t.Fatal(err)
	}
	c, result, err := db.AddReply(ctx, open, note("m-1"), now.Add(time.Hour))
	if err != nil || result != closeloop.ReplyAdded || c.Status != closeloop.CaseClaimed || c.Assignee != "sam@shop.test" || len(c.Notes) != 1 {
		t.Fatalf("reply to a case claimed since it was read: %+v, %v, %v", c, result, err)
	}

	resolved := openCase(t, db, "stale-resolved")
	if resolved, err = db.ResolveCase(ctx, "shop", resolved.CaseID, closeloop.Resolution{Text: "Refunded.", Outcome: "resolved", Reason: "damaged"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReopenCase(ctx, "shop", resolved.CaseID, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	c, result, err = db.AddReply(ctx, resolved, note("m-2"), now.Add(time.Hour))
	if err != nil || result != closeloop.ReplyAdded || c.Status != closeloop.CaseOpen || len(c.Notes) != 1 || !c.DueBy.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("reply to a case reopened since it was read: %+v, %v, %v", c, result, err)
	}

	later := openCase(t, db, "stale-later")
	if _, err := db.ResolveCase(ctx, "shop", later.CaseID, closeloop.Resolution{Text: "Refunded.", Outcome: "resolved", Reason: "damaged"}, now); err != nil {
		t.Fatal(err)
	}
	c, result, err = db.AddReply(ctx, later, note("m-3"), now.Add(time.Hour))
	if err != nil || result != closeloop.ReplyAdded || c.Status != closeloop.CaseOpen || c.ResolvedAt != nil || len(c.Notes) != 1 {
		t.Fatalf("reply to a case resolved since it was read: %+v, %v, %v", c, result, err)
	}
	stored, err := db.Case(ctx, "shop", later.CaseID)
	if err != nil || stored.Status != closeloop.CaseOpen || len(stored.Notes) != 1 || stored.Notes[0].Author != closeloop.NoteAuthorCustomer {
		t.Fatalf("stored: %+v, %v", stored, err)
	}
	if _, result, err := db.AddReply(ctx, stored, note("m-3"), now.Add(time.Hour)); err != nil || result != closeloop.ReplyDuplicate {
		t.Fatalf("the same reply again: %v, %v; want a duplicate", result, err)
	}
}

// TestAddReplyToAFullCase: a case holding the most notes takes no reply,
// and another store's case is not found.
func TestAddReplyToAFullCase(t *testing.T) {
	db := dynamo.New(testenv.DynamoDB(t), testenv.NewTable(t, testenv.DynamoDB(t)))
	ctx := context.Background()
	now := time.Now().UTC()
	c := openCase(t, db, "full")
	for i := range closeloop.MaxNotesPerCase {
		if _, err := db.AddNote(ctx, "shop", c.CaseID, closeloop.Note{NoteID: fmt.Sprintf("n_%d", i), Author: "sam", Text: "x", At: now}); err != nil {
			t.Fatal(err)
		}
	}
	n, _ := closeloop.NewReplyNote("m-full", "One more.", nil, now)
	got, result, err := db.AddReply(ctx, c, n, now.Add(time.Hour))
	if err != nil || result != closeloop.ReplyCaseFull || len(got.Notes) != closeloop.MaxNotesPerCase {
		t.Fatalf("reply to a full case: %v, %d notes, %v; want case full", result, len(got.Notes), err)
	}
	other := c
	other.StoreID = "another-shop"
	if _, _, err := db.AddReply(ctx, other, n, now.Add(time.Hour)); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Fatalf("reply through another store: %v, want ENOTFOUND", err)
	}
	if _, err := db.CaseByID(ctx, "c_nothing"); closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		t.Fatalf("CaseByID of no case: %v, want ENOTFOUND", err)
	}
}
