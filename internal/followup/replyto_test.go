package followup_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sesmail"
)

// TestCaseEmailsCarryTheReplyAddress: with a reply domain, the
// acknowledgement and the closing email have Reply-To the case's signed
// reply address; without one, the store's reply_to, as before.
func TestCaseEmailsCarryTheReplyAddress(t *testing.T) {
	s := newShop(t)
	store, err := s.Product.DB.Store(context.Background(), s.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	replyAddress := func(t *testing.T, email, caseID string, n int) {
		t.Helper()
		emails := s.Inbox.To(t, email)
		if len(emails) != n {
			t.Fatalf("%d emails to the customer, want %d", len(emails), n)
		}
		e := emails[n-1]
		if len(e.ReplyTo) != 1 {
			t.Fatalf("%q: Reply-To %q, want one address", e.Subject, e.ReplyTo)
		}
		token, ok := closeloop.ParseReplyAddress(e.ReplyTo[0], apptest.ReplyDomain)
		if !ok || token.CaseID != caseID || token.Verify(store, s.Clock.Now()) != "" {
			t.Errorf("%q: Reply-To %q is not a genuine reply address of case %s", e.Subject, e.ReplyTo[0], caseID)
		}
	}

	email := s.answered(t, "replyto", "score=1&comment=Cracked")
	s.Settle(t)
	c := s.caseOf(t, email)
	replyAddress(t, email, c.ID, 2) // the survey, the acknowledgement
	if r := s.API(t, "POST", "/v1/followups/"+c.ID+"/resolve", `{"resolution":"Refunded.","outcome":"resolved","reason":"damaged","notify_customer":true}`); r.Status != http.StatusOK {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}
	s.Settle(t)
	replyAddress(t, email, c.ID, 3) // and the closing email

	// Without a reply domain (a worker of its own, first to act on a new
	// case): the store's reply_to.
	renderer, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	db := s.Product.FunctionDB("followup")
	mail := mailing.New(db, sesmail.New(s.Product.FunctionClients("followup").SES, ""), s.Clock.Now)
	plain := followup.NewWorker(db, db, mail, renderer, followup.MailConfig{
		PublicBaseURL: "https://feedback.test", DefaultSender: "feedback@shop.test",
	})
	other := s.answered(t, "noreplydomain", "score=1&comment=Cracked")
	oc := s.caseOf(t, other)
	if err := plain.Process(context.Background(), followup.Task{Type: followup.TaskOpened, StoreID: s.StoreID, CaseID: oc.ID}); err != nil {
		t.Fatal(err)
	}
	emails := s.Inbox.To(t, other)
	if len(emails) != 2 || len(emails[1].ReplyTo) != 1 || emails[1].ReplyTo[0] != s.support {
		t.Fatalf("%d emails; the acknowledgement's Reply-To %v, want the store's reply_to %s", len(emails), emails[len(emails)-1].ReplyTo, s.support)
	}
}
