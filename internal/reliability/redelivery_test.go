package reliability_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/testenv"
)

// TestRedeliveriesSendNothingTwice runs a batch of orders through
// survey, answer (half unhappy, opening cases), the stream relay and the
// follow-up queue; then hands every stream record to the relay again,
// twice, and puts two copies of every case's task on the follow-up queue.
// The inbox holds, per recipient and kind, exactly what one delivery
// sends: the survey and the thank-you or the acknowledgement for each
// customer, one alert per case for support.
func TestRedeliveriesSendNothingTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	orders := scale(16, 200)
	support := apptest.Email("support")
	f := newFixture(t, func(s *closeloop.Settings) { s.SupportEmails = []string{support} })
	emails := make([]string, orders)
	for i := range emails {
		emails[i] = apptest.Email("redeliver")
	}
	ids := postOrders(t, f, "redeliver", emails)
	dispatchAll(t, f)
	paths := surveyPaths(t, f, emails)
	parallel(orders, func(i int) {
		body := "score=5"
		if unhappy(i) {
			body = "score=1&comment=cracked"
		}
		if r := f.Do(t, "POST", paths[i], "", form, body); r.Status != http.StatusOK {
			t.Errorf("answer %d: %d", i, r.Status)
		}
	})
	f.Settle(t)
	check := func(when string) {
		t.Helper()
		by := f.Inbox.ByRecipient(t)
		cases := 0
		for i, e := range emails {
			got := by[strings.ToLower(e)]
			if len(got) != 2 {
				t.Fatalf("%s: %d emails to customer %d, want the survey and one more", when, len(got), i)
			}
			survey, next := got[0], got[1]
			if !surveyLink.MatchString(survey.Text) {
				t.Fatalf("%s: customer %d's first email is not the survey: %q", when, i, survey.Subject)
			}
			if unhappy(i) {
				cases++
				if !strings.Contains(next.Subject, "sorry") {
					t.Fatalf("%s: customer %d's second email %q, want the acknowledgement", when, i, next.Subject)
				}
			} else if !strings.Contains(next.Subject, "50 points") {
				t.Fatalf("%s: customer %d's second email %q, want the thank-you", when, i, next.Subject)
			}
		}
		if n := len(by[strings.ToLower(support)]); n != cases {
			t.Fatalf("%s: %d alerts to support, want one per case: %d", when, n, cases)
		}
	}
	check("after one delivery")

	for range 2 {
		if err := f.Product.RedeliverStream(ctx); err != nil {
			t.Fatal(err)
		}
	}
	client := testenv.SQS(t)
	queue := f.Product.Queues["FollowupQueue"]
	for i, id := range ids {
		if !unhappy(i) {
			continue
		}
		sv, err := f.Product.DB.Survey(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		body := `{"type":"opened","store_id":"` + f.StoreID + `","case_id":"` + caseOf(t, f, sv) + `"}`
		for range 2 {
			if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(body)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.Settle(t)
	check("after the redeliveries")
	if sum := today(t, f); sum.Answered != orders || sum.Followups.Opened != (orders+1)/2 {
		t.Errorf("summary %+v, want %d answers and %d cases", sum, orders, (orders+1)/2)
	}
}

func unhappy(i int) bool { return i%2 == 0 }
