package sesevents_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/sesevents"
	"github.com/closeloop/closeloop/internal/testenv"
)

const form = "application/x-www-form-urlencoded"

// messageID is an SES message ID of the form SES v2 gives.
func messageID() string {
	return "0102019a" + strings.ToLower(rand.Text()[:8]) + "-" + strings.ToLower(rand.Text()[:20]) + "-000000"
}

// sesEvent is an SES event about an email to email, sent with tags (name,
// value pairs) as the product tags it.
func sesEvent(eventType string, email string, tags ...string) sesevents.Event {
	e := sesevents.Event{EventType: eventType, Mail: sesevents.Mail{
		MessageID: messageID(), Timestamp: time.Now().UTC(), Source: "feedback@shop.test",
		Destination: []string{email},
		Tags:        map[string][]string{"ses:configuration-set": {"closeloop-test"}, "ses:from-domain": {"shop.test"}},
	}}
	for i := 0; i+1 < len(tags); i += 2 {
		e.Mail.Tags[tags[i]] = []string{tags[i+1]}
	}
	return e
}

// bounceOf is a bounce of bounceType for the email to email.
func bounceOf(bounceType, email string, tags ...string) sesevents.Event {
	e := sesEvent(sesevents.EventBounce, email, tags...)
	subType := map[string]string{sesevents.BouncePermanent: "General", sesevents.BounceTransient: "MailboxFull"}[bounceType]
	e.Bounce = &sesevents.Bounce{BounceType: bounceType, BounceSubType: subType, Timestamp: time.Now().UTC(),
		FeedbackID: messageID(), BouncedRecipients: []sesevents.Recipient{{EmailAddress: email}}}
	return e
}

// complaintOf is a complaint about the email to email.
func complaintOf(email string, tags ...string) sesevents.Event {
	e := sesEvent(sesevents.EventComplaint, email, tags...)
	e.Complaint = &sesevents.Complaint{ComplaintFeedbackType: "abuse", Timestamp: time.Now().UTC(),
		FeedbackID: messageID(), ComplainedRecipients: []sesevents.Recipient{{EmailAddress: email}}}
	return e
}

// notification is what SNS puts on the SES events queue for e: its
// notification envelope (no raw delivery) with e as the Message.
func notification(t testing.TB, e sesevents.Event) string {
	t.Helper()
	msg, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]string{
		"Type": "Notification", "MessageId": strings.ToLower(rand.Text()),
		"TopicArn": "arn:aws:sns:us-east-1:123456789012:closeloop-SesEventsTopic-T3st", "Message": string(msg),
		"Timestamp": time.Now().UTC().Format(time.RFC3339Nano), "SignatureVersion": "1", "Signature": "c2lnbmF0dXJl",
		"SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem",
		"UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// publish puts the events on the fixture's SES events queue, as SNS
// would, and delivers them to the handler.
func publish(t testing.TB, f *apptest.Fixture, events ...sesevents.Event) {
	t.Helper()
	client := testenv.SQS(t)
	for _, e := range events {
		_, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{
			QueueUrl: aws.String(f.Product.Queues["SesEventsQueue"]), MessageBody: aws.String(notification(t, e)),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	f.Settle(t)
}

// suppressionList is GET /v1/suppressions's body.
type suppressionList struct {
	Items      []closeloop.Suppression `json:"items"`
	NextCursor *string                 `json:"next_cursor"`
}

// suppressions reads every page of the store's suppression list with the
// key, limit entries a page.
func suppressions(t testing.TB, f *apptest.Fixture, key string, limit int) []closeloop.Suppression {
	t.Helper()
	var all []closeloop.Suppression
	cursor := ""
	for page := 0; ; page++ {
		path := "/v1/suppressions?limit=" + itoa(limit)
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := f.Do(t, "GET", path, key, "", "")
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		var l suppressionList
		if err := json.Unmarshal([]byte(r.Body), &l); err != nil {
			t.Fatalf("GET %s: %s: %v", path, r.Body, err)
		}
		if len(l.Items) > limit {
			t.Fatalf("GET %s: %d items", path, len(l.Items))
		}
		all = append(all, l.Items...)
		if l.NextCursor == nil {
			return all
		}
		cursor = *l.NextCursor
		if page > 100 {
			t.Fatal("paging does not end")
		}
	}
}

// suppressed returns the store's suppression of email, and whether there is one.
func suppressed(t testing.TB, f *apptest.Fixture, email string) (closeloop.Suppression, bool) {
	t.Helper()
	for _, s := range suppressions(t, f, f.APIKey, 200) {
		if s.Email != nil && *s.Email == email {
			return s, true
		}
	}
	return closeloop.Suppression{}, false
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// order posts an order for email with its own ID and returns the status of
// its survey.
func order(t testing.TB, f *apptest.Fixture, email string) string {
	t.Helper()
	r := f.API(t, "POST", "/v1/orders", apptest.Order("o-"+strings.ToLower(rand.Text()[:10]), email))
	if r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	var body struct {
		Surveys []struct {
			SurveyID string `json:"survey_id"`
			Status   string `json:"status"`
		} `json:"surveys"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || len(body.Surveys) != 1 {
		t.Fatalf("post order: %s: %v", r.Body, err)
	}
	return body.Surveys[0].Status
}
