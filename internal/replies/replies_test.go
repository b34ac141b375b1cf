package replies_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/replies"
	"github.com/closeloop/closeloop/internal/sesmail"
	"github.com/closeloop/closeloop/internal/testenv"
)

var _ replies.Cases = (*dynamo.DB)(nil)

// shop is a fixture whose store alerts a support address of the test's own.
type shop struct {
	*apptest.Fixture
	support string
}

func newShop(t *testing.T) shop {
	support := apptest.Email("support")
	return shop{Fixture: apptest.New(t, func(s *closeloop.Settings) {
		s.SupportEmails = []string{support}
		s.ReplyTo = support
	}), support: support}
}

// customer is an unhappy customer with a case, and the reply address the
// acknowledgement of the case gave them.
type customer struct {
	email   string
	caseID  string
	replyTo string
}

// unhappy posts an order for a new customer, sends its survey, answers it
// with score 1 and delivers the acknowledgement, whose Reply-To it returns.
func (s shop) unhappy(t *testing.T, name string) customer {
	t.Helper()
	email := apptest.Email(name)
	if r := s.API(t, "POST", "/v1/orders", apptest.Order("o-"+name+"-"+email[:6], email)); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	s.Dispatch(t)
	path := s.SurveyPath(t, email)
	if r := s.Do(t, "POST", path, "", "application/x-www-form-urlencoded", "score=1&comment=Cracked"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	s.Settle(t)
	var ack *testenv.Email
	for _, e := range s.Inbox.To(t, email) {
		if strings.Contains(e.Text, "support team") {
			ack = &e
		}
	}
	if ack == nil || len(ack.ReplyTo) != 1 {
		t.Fatalf("no acknowledgement with one Reply-To to %s", email)
	}
	token, ok := closeloop.ParseReplyAddress(ack.ReplyTo[0], apptest.ReplyDomain)
	if !ok {
		t.Fatalf("the acknowledgement's Reply-To %q is no reply address at %s", ack.ReplyTo[0], apptest.ReplyDomain)
	}
	return customer{email: email, caseID: token.CaseID, replyTo: ack.ReplyTo[0]}
}

// message reads testdata/file with its sender and reply address filled in.
func message(t testing.TB, file, from, replyTo string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("{{FROM}}", from, "{{REPLY_TO}}", replyTo).Replace(string(data)))
}

// sesMessageID is a message ID of the form SES receiving gives.
func sesMessageID() string { return strings.ToLower(rand.Text()[:20] + rand.Text()[:19]) }

// received is SES's notification of raw received from from for replyTo,
// as the receipt rule's SNS action publishes it (events/replies-*.json).
func received(raw []byte, from, replyTo, messageID string) replies.Notification {
	var n replies.Notification
	n.NotificationType = "Received"
	n.Mail.MessageID, n.Mail.Source, n.Mail.Destination = messageID, from, []string{replyTo}
	n.Mail.Timestamp = time.Now().UTC()
	n.Receipt.Recipients = []string{replyTo}
	n.Receipt.SpamVerdict.Status, n.Receipt.VirusVerdict.Status = "PASS", "PASS"
	n.Receipt.Action = replies.ReceiptAction{Type: "SNS", TopicARN: "arn:aws:sns:us-east-1:123456789012:closeloop-RepliesTopic-T3st", Encoding: "BASE64"}
	n.Content = base64.StdEncoding.EncodeToString(raw)
	return n
}

// deliver puts notifications on the fixture's replies queue, each in its
// SNS envelope, and delivers them to the handler.
func deliver(t testing.TB, f *apptest.Fixture, notes ...replies.Notification) {
	t.Helper()
	client := testenv.SQS(t)
	for _, n := range notes {
		msg, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(map[string]string{
			"Type": "Notification", "MessageId": strings.ToLower(rand.Text()), "TopicArn": n.Receipt.Action.TopicARN,
			"Subject": "Amazon SES Email Receipt Notification", "Message": string(msg),
			"Timestamp": time.Now().UTC().Format(time.RFC3339Nano), "SignatureVersion": "1", "Signature": "c2lnbmF0dXJl",
			"SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem",
			"UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{
			QueueUrl: aws.String(f.Product.Queues["RepliesQueue"]), MessageBody: aws.String(string(body)),
		}); err != nil {
			t.Fatal(err)
		}
	}
	f.Settle(t)
}

// caseBody is what GET /v1/followups/{id} says of a case.
type caseBody struct {
	Status         string  `json:"status"`
	Assignee       string  `json:"assignee"`
	FirstContactAt *string `json:"first_contact_at"`
	Notes          []struct {
		ID     string `json:"id"`
		Author string `json:"author"`
		Text   string `json:"text"`
	} `json:"notes"`
}

func (s shop) getCase(t testing.TB, caseID string) caseBody {
	t.Helper()
	r := s.API(t, "GET", "/v1/followups/"+caseID, "")
	if r.Status != http.StatusOK {
		t.Fatalf("get case: %d %s", r.Status, r.Body)
	}
	var c caseBody
	if err := json.Unmarshal([]byte(r.Body), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// replyAlerts are the reply alerts addr received about the order of c.
func replyAlerts(t testing.TB, f *apptest.Fixture, addr string) []testenv.Email {
	t.Helper()
	var out []testenv.Email
	for _, e := range f.Inbox.To(t, addr) {
		if strings.HasPrefix(e.Subject, "Customer replied") {
			out = append(out, e)
		}
	}
	return out
}

// TestRepliesLandOnTheCase feeds each sample message through the queue
// and the handler: the customer's own words become one note on the case,
// exactly, attachments listed, and support is alerted once with them.
func TestRepliesLandOnTheCase(t *testing.T) {
	s := newShop(t)
	tests := []struct {
		file string
		text string
	}{
		{"plain.eml", "Hi,\n\nThe mug arrived with a crack in the handle. Could you send a new one?\n\nThanks,\nAda"},
		{"html-only.eml", "Hello,\n\nI still have not received the refund for order o-1001.\nPlease check & reply."},
		{"alternative.eml", "Yes, that works for me — please send it by courier."},
		{"forwarded.eml", "This is what the courier sent me. The parcel is still not here."},
		{"cp1251.eml", "Добрый день!\n\nКружка пришла разбитой. Прошу вернуть деньги.\n\nС уважением,\nАда"},
		{"koi8r.eml", "Здравствуйте. Курьер был груб, коробка помята."},
		{"attachment.eml", "Here is a photo of the damage and the invoice. Très déçue.\n\n" +
			"[attachments, not stored: invoice o-1001.pdf (12 KB), фото.jpg (3 KB)]"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := s.unhappy(t, strings.TrimSuffix(tt.file, ".eml"))
			alertsBefore := len(replyAlerts(t, s.Fixture, s.support))
			deliver(t, s.Fixture, received(message(t, tt.file, c.email, c.replyTo), c.email, c.replyTo, sesMessageID()))

			got := s.getCase(t, c.caseID)
			if len(got.Notes) != 1 {
				t.Fatalf("%d notes, want 1: %+v", len(got.Notes), got.Notes)
			}
			n := got.Notes[0]
			if n.Text != tt.text {
				t.Errorf("note text:\n%q\nwant:\n%q", n.Text, tt.text)
			}
			if n.Author != closeloop.NoteAuthorCustomer || !strings.HasPrefix(n.ID, "r_") {
				t.Errorf("note author %q, id %q; want %q and r_…", n.Author, n.ID, closeloop.NoteAuthorCustomer)
			}
			if got.Status != string(closeloop.CaseOpen) {
				t.Errorf("status %q, want open", got.Status)
			}
			alerts := replyAlerts(t, s.Fixture, s.support)
			if len(alerts) != alertsBefore+1 {
				t.Fatalf("%d reply alerts to support, want %d", len(alerts), alertsBefore+1)
			}
			a := alerts[len(alerts)-1]
			firstLine, _, _ := strings.Cut(tt.text, "\n")
			if !strings.Contains(a.Text, firstLine) || len(a.ReplyTo) != 1 || a.ReplyTo[0] != c.email {
				t.Errorf("alert text lacks %q or Reply-To %q is not the customer:\n%s", firstLine, a.ReplyTo, a.Text)
			}
		})
	}
}

// TestReplyReopensResolvedCaseOnce: a reply to a resolved case reopens it
// with the note, alerts support once; the same message delivered again
// adds no note and no alert. Its DynamoDB requests are counted.
func TestReplyReopensResolvedCaseOnce(t *testing.T) {
	s := newShop(t)
	c := s.unhappy(t, "reopen")
	if r := s.API(t, "POST", "/v1/followups/"+c.caseID+"/resolve", `{"resolution":"Sent a new mug.","outcome":"resolved","reason":"damaged","notify_customer":true}`); r.Status != http.StatusOK {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}
	s.Settle(t)
	// The customer answers the closing email, whose reply address is the
	// acknowledgement's case.
	emails := s.Inbox.To(t, c.email)
	closing := emails[len(emails)-1]
	if len(closing.ReplyTo) != 1 || !strings.HasPrefix(closing.Subject, "Your request about order") {
		t.Fatalf("last email %q with Reply-To %q, want the closing email with one", closing.Subject, closing.ReplyTo)
	}
	if token, ok := closeloop.ParseReplyAddress(closing.ReplyTo[0], apptest.ReplyDomain); !ok || token.CaseID != c.caseID {
		t.Fatalf("the closing email's Reply-To %q is no reply address of the case", closing.ReplyTo[0])
	}
	c.replyTo = closing.ReplyTo[0]
	n := received(message(t, "plain.eml", c.email, c.replyTo), c.email, c.replyTo, sesMessageID())

	s.Counter.Reset()
	outcome, err := s.Product.Replies.Process(context.Background(), n)
	if err != nil || outcome != replies.OutcomeStored {
		t.Fatalf("process: %q, %v", outcome, err)
	}
	counts := s.Counter.Counts()
	t.Logf("DynamoDB requests for a reply that reopens its case and alerts one address: %d %v", s.Counter.Total(), counts)
	if s.Counter.Total() != 6 || counts["TransactWriteItems"] != 1 || counts["GetItem"] != 3 || counts["PutItem"] != 1 || counts["UpdateItem"] != 1 {
		t.Errorf("DynamoDB requests %v, want 2 GetItem (case, store), 1 TransactWriteItems (note, reopen, count), "+
			"and the alert's delivery: 1 GetItem (the recipient's suppression), 1 PutItem, 1 UpdateItem", counts)
	}

	got := s.getCase(t, c.caseID)
	if got.Status != string(closeloop.CaseOpen) || len(got.Notes) != 1 {
		t.Fatalf("status %q with %d notes, want open with 1", got.Status, len(got.Notes))
	}
	// Nobody had claimed or noted the case: the reply is its first
	// contact, kept by later ones.
	if got.FirstContactAt == nil {
		t.Fatal("the reply to a case never contacted is not its first contact")
	}
	firstContact := *got.FirstContactAt
	alerts := replyAlerts(t, s.Fixture, s.support)
	if len(alerts) != 1 || !strings.Contains(alerts[0].Subject, "reopened") {
		t.Fatalf("%d reply alerts, want 1 saying the case reopened", len(alerts))
	}

	// Delivered again, through the queue as SNS would.
	deliver(t, s.Fixture, n)
	if got := s.getCase(t, c.caseID); len(got.Notes) != 1 || got.Status != string(closeloop.CaseOpen) {
		t.Errorf("after redelivery: %d notes, status %q; want 1, open", len(got.Notes), got.Status)
	}
	if alerts := replyAlerts(t, s.Fixture, s.support); len(alerts) != 1 {
		t.Errorf("after redelivery: %d reply alerts, want 1", len(alerts))
	}
	if s.Product.Replies.Counted(replies.OutcomeDuplicate) < 1 {
		t.Error("the redelivery was not counted as a duplicate")
	}

	// A reply to an open case: one UpdateItem for the note.
	s.Counter.Reset()
	second := received(message(t, "koi8r.eml", c.email, c.replyTo), c.email, c.replyTo, sesMessageID())
	if outcome, err := s.Product.Replies.Process(context.Background(), second); err != nil || outcome != replies.OutcomeStored {
		t.Fatalf("second reply: %q, %v", outcome, err)
	}
	t.Logf("DynamoDB requests for a reply to an open case alerting one address: %d %v", s.Counter.Total(), s.Counter.Counts())
	if s.Counter.Total() != 6 || s.Counter.Counts()["UpdateItem"] != 2 || s.Counter.Counts()["PutItem"] != 1 {
		t.Errorf("DynamoDB requests %v, want 6: 2 GetItem, the note's UpdateItem, the alert's GetItem, PutItem and UpdateItem", s.Counter.Counts())
	}
	if got := s.getCase(t, c.caseID); len(got.Notes) != 2 {
		t.Errorf("%d notes after a second reply, want 2", len(got.Notes))
	} else if got.FirstContactAt == nil || *got.FirstContactAt != firstContact {
		t.Errorf("the second reply moved the first contact from %s to %v", firstContact, got.FirstContactAt)
	}
}

// TestReplyToClaimedCaseAlertsAssignee: the assignee of a claimed case is
// alerted, not the support addresses, and the case stays theirs.
func TestReplyToClaimedCaseAlertsAssignee(t *testing.T) {
	s := newShop(t)
	c := s.unhappy(t, "claimed")
	sam := apptest.Email("sam")
	if r := s.API(t, "POST", "/v1/followups/"+c.caseID+"/claim", `{"assignee":"`+sam+`"}`); r.Status != http.StatusOK {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}
	deliver(t, s.Fixture, received(message(t, "plain.eml", c.email, c.replyTo), c.email, c.replyTo, sesMessageID()))
	if got := s.getCase(t, c.caseID); got.Status != "claimed" || got.Assignee != sam || len(got.Notes) != 1 {
		t.Errorf("case %+v, want claimed by %s with the note", got, sam)
	}
	if n := len(replyAlerts(t, s.Fixture, sam)); n != 1 {
		t.Errorf("%d reply alerts to the assignee, want 1", n)
	}
	if n := len(replyAlerts(t, s.Fixture, s.support)); n != 0 {
		t.Errorf("%d reply alerts to support, want 0 (the case has an assignee)", n)
	}
}

// TestRepliesDroppedAndCounted: what is no genuine reply of the customer
// changes nothing, sends nothing, is counted by reason, and leaves the
// queue (success, no retry).
func TestRepliesDroppedAndCounted(t *testing.T) {
	s := newShop(t)
	c := s.unhappy(t, "dropped")
	store, err := s.Product.DB.Store(context.Background(), s.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	other := store
	other.CursorKey = "another store's key, or a guess"

	tamper := func(addr string) string {
		// Change one character of the signature (the token's end).
		i := strings.Index(addr, "@") - 3
		ch := byte('a')
		if addr[i] == 'a' {
			ch = 'b'
		}
		return addr[:i] + string(ch) + addr[i+1:]
	}
	forgedAddr, _ := closeloop.ReplyAddress(other, c.caseID, apptest.ReplyDomain, s.Clock.Now())
	unknownAddr, _ := closeloop.ReplyAddress(store, "c_aaaaaaaaaaaaaaaa", apptest.ReplyDomain, s.Clock.Now())
	expiredAddr, _ := closeloop.ReplyAddress(store, c.caseID, apptest.ReplyDomain, s.Clock.Now().Add(-closeloop.ReplyTokenTTL-48*time.Hour))
	plain := func(from, to string) replies.Notification {
		return received(message(t, "plain.eml", from, to), from, to, sesMessageID())
	}
	spam := plain(c.email, c.replyTo)
	spam.Receipt.SpamVerdict.Status = "FAIL"
	garbled := plain(c.email, c.replyTo)
	garbled.Content = "not base64!"

	tests := []struct {
		name   string
		n      replies.Notification
		reason string
	}{
		{"signature changed", plain(c.email, tamper(c.replyTo)), closeloop.ReplyDropForged},
		{"signed with another key", plain(c.email, forgedAddr), closeloop.ReplyDropForged},
		{"expired", plain(c.email, expiredAddr), closeloop.ReplyDropExpired},
		{"no such case", plain(c.email, unknownAddr), closeloop.ReplyDropUnknownCase},
		{"not a token", plain(c.email, "reply+hello@"+apptest.ReplyDomain), closeloop.ReplyDropBadToken},
		{"no reply address", plain(c.email, "info@"+apptest.ReplyDomain), closeloop.ReplyDropNoToken},
		{"from support itself", plain(s.support, c.replyTo), closeloop.ReplyDropOwnAddress},
		{"auto-reply", received(message(t, "autoreply.eml", c.email, c.replyTo), c.email, c.replyTo, sesMessageID()), closeloop.ReplyDropAutomatic},
		{"bounce", plain("MAILER-DAEMON@mail.example.com", c.replyTo), closeloop.ReplyDropAutomatic},
		{"spam", spam, closeloop.ReplyDropSpam},
		{"unreadable content", garbled, closeloop.ReplyDropUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.Product.Replies.Counted(tt.reason)
			deliver(t, s.Fixture, tt.n)
			if got := s.Product.Replies.Counted(tt.reason); got != before+1 {
				t.Errorf("dropped as %s %d times, want 1", tt.reason, got-before)
			}
			if got := s.getCase(t, c.caseID); len(got.Notes) != 0 {
				t.Errorf("the case has %d notes, want none", len(got.Notes))
			}
			if n := len(replyAlerts(t, s.Fixture, s.support)); n != 0 {
				t.Errorf("%d reply alerts, want none", n)
			}
			if n := visible(t, s.Product.Queues["RepliesQueue"]); n != 0 {
				t.Errorf("%d messages left on the queue, want none (a drop is not retried)", n)
			}
		})
	}

	// The same address, genuine, from the customer: stored.
	deliver(t, s.Fixture, plain(c.email, c.replyTo))
	if got := s.getCase(t, c.caseID); len(got.Notes) != 1 {
		t.Errorf("the genuine reply made %d notes, want 1", len(got.Notes))
	}
}

// TestExpiredReplyAddress: the address the acknowledgement carried stops
// working once its 90 days have passed.
func TestExpiredReplyAddress(t *testing.T) {
	s := newShop(t)
	c := s.unhappy(t, "late")
	s.Clock.Advance(closeloop.ReplyTokenTTL + 25*time.Hour)
	outcome, err := s.Product.Replies.Process(context.Background(),
		received(message(t, "plain.eml", c.email, c.replyTo), c.email, c.replyTo, sesMessageID()))
	if err != nil || outcome != closeloop.ReplyDropExpired {
		t.Fatalf("outcome %q, %v; want %s", outcome, err, closeloop.ReplyDropExpired)
	}
	if got := s.getCase(t, c.caseID); len(got.Notes) != 0 {
		t.Errorf("the case has %d notes, want none", len(got.Notes))
	}
}

// TestReplyOfAnErasedCustomerDropped: once the store erased the customer,
// their reply address still verifies but nothing of theirs is stored again.
func TestReplyOfAnErasedCustomerDropped(t *testing.T) {
	s := newShop(t)
	c := s.unhappy(t, "erased")
	if r := s.API(t, "DELETE", "/v1/customers/"+c.email, ""); r.Status/100 != 2 {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	outcome, err := s.Product.Replies.Process(context.Background(),
		received(message(t, "plain.eml", c.email, c.replyTo), c.email, c.replyTo, sesMessageID()))
	if err != nil || outcome != closeloop.ReplyDropErased {
		t.Fatalf("outcome %q, %v; want %s", outcome, err, closeloop.ReplyDropErased)
	}
	if got := s.getCase(t, c.caseID); len(got.Notes) != 0 {
		t.Errorf("the case has %d notes, want none", len(got.Notes))
	}
	if n := len(replyAlerts(t, s.Fixture, s.support)); n != 0 {
		t.Errorf("%d reply alerts, want none", n)
	}
}

// visible counts the messages a queue holds, visible or in flight.
func visible(t testing.TB, queueURL string) int {
	t.Helper()
	out, err := testenv.SQS(t).GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range out.Attributes {
		v, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		n += v
	}
	return n
}

// failOnce is a mailer whose first send fails as an SES outage would.
type failOnce struct {
	closeloop.Mailer
	failed bool
}

func (m *failOnce) Send(ctx context.Context, msg closeloop.Message) (string, error) {
	if !m.failed {
		m.failed = true
		return "", errors.New("SES is unreachable")
	}
	return m.Mailer.Send(ctx, msg)
}

// TestReplyAlertRetriedAfterSESFails: the note is written, the alert fails
// and is freed for the retry; the retry (the message delivered again)
// adds no note and sends the alert once.
func TestReplyAlertRetriedAfterSESFails(t *testing.T) {
	s := newShop(t)
	c := s.unhappy(t, "outage")
	db := s.Product.FunctionDB("replies")
	renderer, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	mailer := &failOnce{Mailer: sesmail.New(s.Product.FunctionClients("replies").SES, "")}
	h := replies.New(db, db, mailing.New(db, mailer, s.Clock.Now), renderer,
		replies.Config{ReplyDomain: apptest.ReplyDomain, PublicBaseURL: "https://feedback.test", DefaultSender: "feedback@shop.test"}, nil, s.Clock.Now)
	n := received(message(t, "plain.eml", c.email, c.replyTo), c.email, c.replyTo, sesMessageID())
	if _, err := h.Process(context.Background(), n); err == nil {
		t.Fatal("the alert's failure was not reported: the message would not be retried")
	}
	if got := s.getCase(t, c.caseID); len(got.Notes) != 1 {
		t.Fatalf("%d notes after the failed alert, want 1", len(got.Notes))
	}
	outcome, err := h.Process(context.Background(), n)
	if err != nil || outcome != replies.OutcomeDuplicate {
		t.Fatalf("retry: %q, %v; want %s", outcome, err, replies.OutcomeDuplicate)
	}
	if got := s.getCase(t, c.caseID); len(got.Notes) != 1 {
		t.Errorf("%d notes after the retry, want 1", len(got.Notes))
	}
	if n := len(replyAlerts(t, s.Fixture, s.support)); n != 1 {
		t.Errorf("%d reply alerts, want 1", n)
	}
}
