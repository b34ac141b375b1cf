package followup_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/testenv"
)

// shop is a fixture whose store alerts a support address of the test's own.
type shop struct {
	*apptest.Fixture
	support string
}

func newShop(t *testing.T, opts ...apptest.Option) shop {
	support := apptest.Email("support")
	opts = append([]apptest.Option{func(s *closeloop.Settings) {
		s.SupportEmails = []string{support}
		s.ReplyTo = support
	}}, opts...)
	return shop{Fixture: apptest.New(t, opts...), support: support}
}

// answered posts an order for a new customer, sends its survey and answers
// it with form; it returns the customer's address.
func (s shop) answered(t *testing.T, name, form string) string {
	t.Helper()
	email := apptest.Email(name)
	if r := s.API(t, "POST", "/v1/orders", apptest.Order("o-"+name+"-"+email[:6], email)); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	s.Dispatch(t)
	path := s.SurveyPath(t, email)
	if r := s.Do(t, "POST", path, "", "application/x-www-form-urlencoded", form); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	return email
}

type caseBody struct {
	ID            string   `json:"id"`
	SurveyID      string   `json:"survey_id"`
	Status        string   `json:"status"`
	Overdue       bool     `json:"overdue"`
	Assignee      string   `json:"assignee"`
	Score         int      `json:"score"`
	Comment       string   `json:"comment"`
	OpenReasons   []string `json:"open_reasons"`
	Points        int      `json:"points"`
	OverdueAlerts int      `json:"overdue_alerts"`
	DueBy         string   `json:"due_by"`
	Notes         []struct {
		Author string `json:"author"`
		Text   string `json:"text"`
	} `json:"notes"`
	Customer struct {
		Email string `json:"email"`
	} `json:"customer"`
	History []struct {
		Survey struct {
			SurveyID string `json:"survey_id"`
		} `json:"survey"`
		Followup *struct {
			ID string `json:"id"`
		} `json:"followup"`
	} `json:"customer_history"`
}

type listBody struct {
	Items      []caseBody `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

type conflictBody struct {
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
	Followup caseBody `json:"followup"`
}

func decode[T any](t *testing.T, r apptest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("decode %T from %d %s: %v", v, r.Status, r.Body, err)
	}
	return v
}

func (s shop) list(t *testing.T, query string) listBody {
	t.Helper()
	r := s.API(t, "GET", "/v1/followups"+query, "")
	if r.Status != http.StatusOK {
		t.Fatalf("list %s: %d %s", query, r.Status, r.Body)
	}
	return decode[listBody](t, r)
}

// casesOf lists the open cases of customer email.
func (s shop) caseOf(t *testing.T, email string) caseBody {
	t.Helper()
	for _, c := range s.list(t, "?limit=200").Items {
		if c.Customer.Email == email {
			return c
		}
	}
	t.Fatalf("no case for %s", email)
	return caseBody{}
}

func TestUnhappyAnswerOpensACaseAlertsSupportAndAcknowledgesOnce(t *testing.T) {
	s := newShop(t)
	email := apptest.Email("unhappy")
	s.API(t, "POST", "/v1/orders", apptest.Order("o-unhappy", email))
	s.Dispatch(t)
	path := s.SurveyPath(t, email)
	s.Counter.Reset()
	r := s.Do(t, "POST", path, "", "application/x-www-form-urlencoded",
		"score=1&comment="+url.QueryEscape("The mug arrived cracked.\nSecond line <b>bold</b>")+"&contact_me=on")
	if r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	if got := s.Counter.Counts(); s.Counter.Total() != 2 || got["GetItem"] != 1 || got["TransactWriteItems"] != 1 {
		t.Fatalf("submit made DynamoDB requests %v, want one GetItem and one TransactWriteItems", got)
	}
	s.Settle(t)

	c := s.caseOf(t, email)
	if c.Status != "open" || c.Score != 1 || c.Points != 75 || !strings.Contains(c.Comment, "cracked") ||
		strings.Join(c.OpenReasons, ",") != "low_score,contact_me" {
		t.Fatalf("case %+v", c)
	}
	survey := decode[struct {
		Response struct {
			CaseID string `json:"case_id"`
		} `json:"response"`
	}](t, s.API(t, "GET", "/v1/surveys/"+c.SurveyID, ""))
	if survey.Response.CaseID != c.ID {
		t.Errorf("the response records case %q, want %q", survey.Response.CaseID, c.ID)
	}

	alerts := s.Inbox.To(t, s.support)
	if len(alerts) != 1 {
		t.Fatalf("%d emails to support, want 1 alert", len(alerts))
	}
	a := alerts[0]
	for _, want := range []string{"o-unhappy", email, "The mug arrived cracked.", "https://feedback.test/app/followups/" + c.ID, "MUG-1"} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("the alert lacks %q:\n%s", want, a.Text)
		}
	}
	if len(a.ReplyTo) != 1 || a.ReplyTo[0] != email {
		t.Errorf("alert Reply-To %v, want the customer", a.ReplyTo)
	}
	mails := s.Inbox.To(t, email)
	if len(mails) != 2 {
		t.Fatalf("%d emails to the customer, want the survey and one acknowledgement", len(mails))
	}
	ack := mails[1]
	for _, want := range []string{"sorry", "75 points", "The mug arrived cracked.", "Second line <b>bold</b>"} {
		if !strings.Contains(ack.Text, want) {
			t.Errorf("the acknowledgement lacks %q:\n%s", want, ack.Text)
		}
	}
	if strings.Contains(ack.HTML, "<b>bold</b>") {
		t.Error("the acknowledgement's HTML shows the comment's markup unescaped")
	}
	if !strings.Contains(ack.Subject, "sorry") {
		t.Errorf("acknowledgement subject %q, want an apology", ack.Subject)
	}

	// A second submit, a redelivery of every stream record and a second
	// settle send nothing more.
	s.Do(t, "POST", path, "", "application/x-www-form-urlencoded", "score=1")
	s.Settle(t)
	if n := len(s.Inbox.To(t, email)); n != 2 {
		t.Fatalf("%d emails to the customer after a resubmit, want 2", n)
	}
}

func TestHappyAnswerGetsOneThankYouAndNoCase(t *testing.T) {
	s := newShop(t)
	email := s.answered(t, "happy", "score=5&comment="+url.QueryEscape("Lovely beans, fast delivery, thanks!"))
	s.Settle(t)
	mails := s.Inbox.To(t, email)
	if len(mails) != 2 {
		t.Fatalf("%d emails, want the survey and one thank-you", len(mails))
	}
	if thanks := mails[1]; !strings.Contains(thanks.Subject, "75 points") || !strings.Contains(thanks.Text, "75 points") ||
		strings.Contains(strings.ToLower(thanks.Text), "sorry") {
		t.Errorf("thank-you %q:\n%s", thanks.Subject, thanks.Text)
	}
	if got := s.list(t, "").Items; len(got) != 0 {
		t.Fatalf("%d cases after a happy answer, want none", len(got))
	}
	if n := len(s.Inbox.To(t, s.support)); n != 0 {
		t.Fatalf("%d emails to support after a happy answer", n)
	}
}

func TestContactMeWithoutComplaintIsNoApology(t *testing.T) {
	s := newShop(t)
	email := s.answered(t, "question", "score=4&nps=9&contact_me=on")
	s.Settle(t)
	mails := s.Inbox.To(t, email)
	if len(mails) != 2 {
		t.Fatalf("%d emails, want the survey and one acknowledgement", len(mails))
	}
	if ack := mails[1]; strings.Contains(strings.ToLower(ack.Subject+ack.Text), "sorry") || !strings.Contains(ack.Text, "asked us to contact you") {
		t.Errorf("acknowledgement of a contact request %q:\n%s", ack.Subject, ack.Text)
	}
	if c := s.caseOf(t, email); strings.Join(c.OpenReasons, ",") != "contact_me" {
		t.Errorf("open reasons %v, want contact_me", c.OpenReasons)
	}
}

func TestDetractorOpensACase(t *testing.T) {
	s := newShop(t)
	email := s.answered(t, "detractor", "score=3&nps=6")
	s.Settle(t)
	if c := s.caseOf(t, email); strings.Join(c.OpenReasons, ",") != "detractor" {
		t.Errorf("open reasons %v, want detractor", c.OpenReasons)
	}
}

func TestSupportWorksACase(t *testing.T) {
	s := newShop(t)
	email := s.answered(t, "worked", "score=2&comment=late")
	s.Settle(t)
	c := s.caseOf(t, email)
	at := "/v1/followups/" + c.ID

	steps := []struct {
		name, path, body string
		status           int
		wantStatus       string
		wantAssignee     string
	}{
		{"claim", "/claim", `{"assignee":"Sam@Shop.test"}`, 200, "claimed", "sam@shop.test"},
		{"claim again by the same person", "/claim", `{"assignee":"sam@shop.test"}`, 200, "claimed", "sam@shop.test"},
		{"claim by another", "/claim", `{"assignee":"kim@shop.test"}`, 409, "claimed", "sam@shop.test"},
		{"reopen a case that is not resolved", "/reopen", ``, 409, "claimed", "sam@shop.test"},
		{"note", "/notes", `{"text":"Called, no answer.","author":"sam@shop.test"}`, 201, "claimed", "sam@shop.test"},
		{"release", "/release", ``, 200, "open", ""},
		{"release an open case", "/release", `{}`, 409, "open", ""},
		{"claim after release", "/claim", `{"assignee":"kim@shop.test"}`, 200, "claimed", "kim@shop.test"},
		{"resolve", "/resolve", `{"outcome":"resolved","reason":"other","resolution":"Sent a new mug.","notify_customer":true,"customer_message":"A new mug is on its way."}`, 200, "resolved", "kim@shop.test"},
		{"resolve again", "/resolve", `{"outcome":"resolved","reason":"other","resolution":"twice"}`, 409, "resolved", "kim@shop.test"},
		{"claim a resolved case", "/claim", `{"assignee":"kim@shop.test"}`, 409, "resolved", "kim@shop.test"},
		{"note on a resolved case", "/notes", `{"text":"Customer confirmed."}`, 201, "resolved", "kim@shop.test"},
		{"reopen", "/reopen", ``, 200, "open", ""},
	}
	for _, step := range steps {
		if step.name == "reopen" {
			// The resolution asked to notify the customer: one closing
			// email with support's words.
			s.Settle(t)
			mails := s.Inbox.To(t, email)
			if len(mails) != 3 {
				t.Fatalf("%d emails to the customer, want survey, acknowledgement and closing email", len(mails))
			}
			if closing := mails[2]; !strings.Contains(closing.Text, "A new mug is on its way.") || !strings.Contains(closing.Subject, "resolved") {
				t.Errorf("closing email %q:\n%s", closing.Subject, closing.Text)
			}
			s.Clock.Advance(time.Hour)
		}
		r := s.API(t, "POST", at+step.path, step.body)
		if r.Status != step.status {
			t.Fatalf("%s: %d %s, want %d", step.name, r.Status, r.Body, step.status)
		}
		got := decode[caseBody](t, r)
		if r.Status == http.StatusConflict {
			body := decode[conflictBody](t, r)
			if body.Error.Code != "conflict" {
				t.Fatalf("%s: error %s", step.name, r.Body)
			}
			got = body.Followup
		}
		if got.Status != step.wantStatus || got.Assignee != step.wantAssignee {
			t.Fatalf("%s: case %s / %q, want %s / %q (%s)", step.name, got.Status, got.Assignee, step.wantStatus, step.wantAssignee, r.Body)
		}
	}
	got := decode[caseBody](t, s.API(t, "GET", at, ""))
	if len(got.Notes) != 2 || got.Notes[0].Author != "sam@shop.test" || got.Notes[1].Author != "first owner key" {
		t.Errorf("notes %+v, want Sam's and one by the key's name", got.Notes)
	}

	// Reopened, the case is due a new SLA period from now.
	if got.DueBy == c.DueBy {
		t.Errorf("due_by %s unchanged by the reopening", got.DueBy)
	}
}

func TestBadMovesAreRefused(t *testing.T) {
	s := newShop(t)
	email := s.answered(t, "bad", "score=1")
	s.Settle(t)
	c := s.caseOf(t, email)
	other := s.NewStore(t)
	tests := []struct {
		name, key, method, path, body string
		status                        int
		field                         string
	}{
		{"another store's case", other, "GET", "/v1/followups/" + c.ID, ``, 404, ""},
		{"another store claims", other, "POST", "/v1/followups/" + c.ID + "/claim", `{"assignee":"x@shop.test"}`, 404, ""},
		{"no such case", s.APIKey, "POST", "/v1/followups/c_nope/resolve", `{"outcome":"resolved","reason":"other","resolution":"x"}`, 404, ""},
		{"an over-long id", s.APIKey, "GET", "/v1/followups/" + strings.Repeat("c", 2000), ``, 404, ""},
		{"claim without assignee", s.APIKey, "POST", "/v1/followups/" + c.ID + "/claim", `{}`, 400, "assignee"},
		{"assignee not an address", s.APIKey, "POST", "/v1/followups/" + c.ID + "/claim", `{"assignee":"sam"}`, 400, "assignee"},
		{"empty note", s.APIKey, "POST", "/v1/followups/" + c.ID + "/notes", `{"text":"  "}`, 400, "text"},
		{"note with a NUL", s.APIKey, "POST", "/v1/followups/" + c.ID + "/notes", `{"text":"a\u0000b"}`, 400, "text"},
		{"unknown field", s.APIKey, "POST", "/v1/followups/" + c.ID + "/notes", `{"text":"x","colour":"red"}`, 400, "colour"},
		{"resolve without resolution", s.APIKey, "POST", "/v1/followups/" + c.ID + "/resolve", `{}`, 400, "resolution"},
		{"message without notify", s.APIKey, "POST", "/v1/followups/" + c.ID + "/resolve", `{"outcome":"resolved","reason":"other","resolution":"x","customer_message":"hi"}`, 400, "customer_message"},
		{"release with a body", s.APIKey, "POST", "/v1/followups/" + c.ID + "/release", `{"assignee":"x"}`, 400, "assignee"},
		{"bad status filter", s.APIKey, "GET", "/v1/followups?status=pending", ``, 400, "status"},
		{"bad limit", s.APIKey, "GET", "/v1/followups?limit=500", ``, 400, "limit"},
		{"forged cursor", s.APIKey, "GET", "/v1/followups?cursor=eyJwayI6IngifQ", ``, 400, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.Do(t, tt.method, tt.path, tt.key, "application/json", tt.body)
			if r.Status != tt.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tt.status)
			}
			if tt.field != "" && !strings.Contains(r.Body, `"`+tt.field+`"`) {
				t.Fatalf("%s does not name %s", r.Body, tt.field)
			}
		})
	}
	// Nothing changed.
	if got := decode[caseBody](t, s.API(t, "GET", "/v1/followups/"+c.ID, "")); got.Status != "open" || len(got.Notes) != 0 {
		t.Fatalf("case after refused moves: %+v", got)
	}
}

func TestQueueListsPageOldestFirst(t *testing.T) {
	s := newShop(t)
	var emails []string
	for _, name := range []string{"first", "second", "third"} {
		emails = append(emails, s.answered(t, name, "score=1"))
		s.Clock.Advance(time.Minute)
	}
	s.Settle(t)
	// Claim the second.
	second := s.caseOf(t, emails[1])
	s.API(t, "POST", "/v1/followups/"+second.ID+"/claim", `{"assignee":"sam@shop.test"}`)

	var seen []string
	cursor := ""
	for page := 0; ; page++ {
		q := "?limit=1"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		got := s.list(t, q)
		for _, c := range got.Items {
			seen = append(seen, c.Customer.Email)
		}
		if got.NextCursor == nil {
			break
		}
		cursor = *got.NextCursor
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if strings.Join(seen, ",") != strings.Join(emails, ",") {
		t.Fatalf("paged %v, want oldest first %v", seen, emails)
	}
	for _, tt := range []struct {
		status string
		want   []string
	}{
		{"open", []string{emails[0], emails[2]}},
		{"claimed", []string{emails[1]}},
		{"resolved", nil},
		{"overdue", nil},
	} {
		var got []string
		for _, c := range s.list(t, "?status="+tt.status).Items {
			got = append(got, c.Customer.Email)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("status=%s: %v, want %v", tt.status, got, tt.want)
		}
	}
	// A cursor of one store's list leads nowhere in another's.
	other := s.NewStore(t)
	first := s.list(t, "?limit=1")
	if r := s.Do(t, "GET", "/v1/followups?cursor="+url.QueryEscape(*first.NextCursor), other, "", ""); r.Status != http.StatusBadRequest {
		t.Fatalf("another store's cursor: %d %s, want 400", r.Status, r.Body)
	}
}

func TestCaseShowsTheCustomersHistory(t *testing.T) {
	s := newShop(t, func(set *closeloop.Settings) { set.ContactBudgetDays = 0 })
	email := apptest.Email("regular")
	for i, form := range []string{"score=5", "score=1&comment=broken"} {
		s.API(t, "POST", "/v1/orders", apptest.Order("o-reg-"+string(rune('a'+i)), email))
		s.Dispatch(t)
		mails := s.Inbox.To(t, email)
		last := mails[len(mails)-1]
		path := last.Text[strings.Index(last.Text, "/s/"):]
		path = path[:strings.Index(path, "?")]
		if r := s.Do(t, "POST", path, "", "application/x-www-form-urlencoded", form); r.Status != http.StatusOK {
			t.Fatalf("answer %d: %d", i, r.Status)
		}
		s.Settle(t)
		s.Clock.Advance(time.Hour)
	}
	c := s.caseOf(t, email)
	got := decode[caseBody](t, s.API(t, "GET", "/v1/followups/"+c.ID, ""))
	if len(got.History) != 1 || got.History[0].Survey.SurveyID == c.SurveyID || got.History[0].Followup != nil {
		t.Fatalf("history %+v, want the earlier happy survey only", got.History)
	}
}

func TestOverdueCasesAreRealertedOncePerSLAPeriod(t *testing.T) {
	s := newShop(t, func(set *closeloop.Settings) { set.SLAHours = 2 })
	email := s.answered(t, "late", "score=1")
	s.Settle(t)
	if n := len(s.Inbox.To(t, s.support)); n != 1 {
		t.Fatalf("%d alerts, want 1", n)
	}
	ctx := context.Background()
	run := func() int {
		t.Helper()
		rep, err := s.Product.SLA.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Alerted
	}
	if n := run(); n != 0 {
		t.Fatalf("%d re-alerts before the SLA ran out", n)
	}
	s.Clock.Advance(2*time.Hour + time.Minute)
	if got := s.list(t, "?status=overdue").Items; len(got) != 1 || !got[0].Overdue {
		t.Fatalf("overdue list %+v, want the case", got)
	}
	if n := run(); n != 1 {
		t.Fatalf("%d re-alerts after the SLA, want 1", n)
	}
	if n := run(); n != 0 {
		t.Fatalf("%d re-alerts in the same SLA period, want 0", n)
	}
	alerts := s.Inbox.To(t, s.support)
	if len(alerts) != 2 || !strings.HasPrefix(alerts[1].Subject, "Overdue") {
		t.Fatalf("alerts %d, last %q; want the overdue re-alert", len(alerts), alerts[len(alerts)-1].Subject)
	}
	s.Clock.Advance(2 * time.Hour)
	if n := run(); n != 1 {
		t.Fatalf("%d re-alerts in the next period, want 1", n)
	}
	c := s.caseOf(t, email)
	if c.OverdueAlerts != 2 {
		t.Fatalf("overdue_alerts %d, want 2", c.OverdueAlerts)
	}
	// Resolved, it is never alerted again.
	s.API(t, "POST", "/v1/followups/"+c.ID+"/resolve", `{"outcome":"resolved","reason":"other","resolution":"called"}`)
	s.Clock.Advance(10 * time.Hour)
	if n := run(); n != 0 {
		t.Fatalf("%d re-alerts of a resolved case", n)
	}
	if n := len(s.Inbox.To(t, s.support)); n != 3 {
		t.Fatalf("%d emails to support, want 3", n)
	}
}

func TestRedeliveredQueueMessageSendsNothingTwice(t *testing.T) {
	s := newShop(t)
	email := s.answered(t, "redeliver", "score=1")
	s.Settle(t)
	c := s.caseOf(t, email)
	queue := s.Product.Queues["FollowupQueue"]
	body := `{"type":"opened","store_id":"` + s.StoreID + `","case_id":"` + c.ID + `"}`
	sqsClient := testenv.SQS(t)
	for range 2 {
		if _, err := sqsClient.SendMessage(context.Background(), sqsSend(queue, body)); err != nil {
			t.Fatal(err)
		}
	}
	s.Settle(t)
	if n := len(s.Inbox.To(t, email)); n != 2 {
		t.Fatalf("%d emails to the customer after redeliveries, want 2", n)
	}
	if n := len(s.Inbox.To(t, s.support)); n != 1 {
		t.Fatalf("%d alerts after redeliveries, want 1", n)
	}
}

// TestEverySenderSendsOnlyAsAGrantedIdentity follows the emails of an
// unhappy answer (survey, acknowledgement, support alert, overdue
// re-alert, closing email) from a store whose sender was revoked, then
// granted: each goes from the store's address only while it is granted.
func TestEverySenderSendsOnlyAsAGrantedIdentity(t *testing.T) {
	ctx := context.Background()
	const own, deployment = "care@brand.test", "feedback@shop.test"
	s := newShop(t, func(set *closeloop.Settings) { set.SenderEmail, set.SLAHours = own, 1 })
	// The store was granted its sender at creation; revoked, every sender
	// falls back to the deployment's address under the store's name.
	if _, err := s.Product.DB.RevokeSender(ctx, s.StoreID, own); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, want string
		grant      string
	}{
		{"revoked", deployment, ""},
		{"granted", own, "brand.test"},
	} {
		if c.grant != "" {
			if _, err := s.Product.DB.GrantSender(ctx, s.StoreID, c.grant); err != nil {
				t.Fatal(err)
			}
		}
		email := s.answered(t, c.name, "score=1&comment=broken")
		s.Settle(t)
		s.Clock.Advance(time.Hour + time.Minute)
		if rep, err := s.Product.SLA.Run(ctx); err != nil || rep.Alerted != 1 {
			t.Fatalf("%s: overdue re-alerts %+v, %v; want 1", c.name, rep, err)
		}
		id := s.caseOf(t, email).ID
		if r := s.API(t, "POST", "/v1/followups/"+id+"/resolve", `{"outcome":"resolved","reason":"other","resolution":"Refunded.","notify_customer":true}`); r.Status != http.StatusOK {
			t.Fatalf("%s: resolve %d %s", c.name, r.Status, r.Body)
		}
		s.Settle(t)
		toCustomer, toSupport := s.Inbox.To(t, email), s.Inbox.To(t, s.support)
		// Support's inbox holds the earlier round's alerts too.
		toSupport = toSupport[len(toSupport)-2:]
		if len(toCustomer) != 3 {
			t.Fatalf("%s: %d emails to the customer, want survey, acknowledgement and closing email", c.name, len(toCustomer))
		}
		for _, m := range append(toCustomer, toSupport...) {
			if !strings.Contains(m.From, "<"+c.want+">") || !strings.Contains(m.From, "Test Shop") {
				t.Errorf("%s: %q went from %s, want Test Shop <%s>", c.name, m.Subject, m.From, c.want)
			}
		}
	}
}
