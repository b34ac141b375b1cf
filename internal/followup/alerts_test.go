package followup_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/testenv"
)

// slackBody is a Slack incoming-webhook message as Slack reads it.
type slackBody struct {
	Text   string `json:"text"`
	Blocks []struct {
		Type string `json:"type"`
		Text *struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"text"`
		Fields []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"fields"`
		Elements []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"elements"`
	} `json:"blocks"`
}

// parseSlack decodes a post strictly as Slack's format: text, and blocks
// of known types whose texts are mrkdwn; it returns every text joined.
func parseSlack(t *testing.T, p apptest.SlackPost) (slackBody, string) {
	t.Helper()
	if !strings.HasPrefix(p.ContentType, "application/json") {
		t.Fatalf("content type %q, want JSON", p.ContentType)
	}
	dec := json.NewDecoder(strings.NewReader(p.Body))
	dec.DisallowUnknownFields()
	var m slackBody
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not a Slack message: %v\n%s", err, p.Body)
	}
	if m.Text == "" || len(m.Blocks) == 0 || len(m.Blocks) > 50 {
		t.Fatalf("text %q and %d blocks, want a fallback text and 1 to 50 blocks", m.Text, len(m.Blocks))
	}
	all := []string{m.Text}
	for _, b := range m.Blocks {
		var texts []string
		switch b.Type {
		case "section":
			if b.Text != nil {
				texts = append(texts, b.Text.Type+":"+b.Text.Text)
			}
			for _, f := range b.Fields {
				texts = append(texts, f.Type+":"+f.Text)
			}
		case "context":
			for _, e := range b.Elements {
				texts = append(texts, e.Type+":"+e.Text)
			}
		case "divider":
		default:
			t.Fatalf("block type %q", b.Type)
		}
		for _, s := range texts {
			kind, text, _ := strings.Cut(s, ":")
			if kind != "mrkdwn" {
				t.Fatalf("text object of type %q, want mrkdwn", kind)
			}
			all = append(all, text)
		}
	}
	return m, strings.Join(all, "\n")
}

// slackLink is mrkdwn's link: <url|label>; only the product's links and
// nothing the customer wrote may take this form.
var slackLink = regexp.MustCompile(`<([^<>|]*)\|[^<>]*>`)

func (s shop) useSlack(t *testing.T, settings string) {
	t.Helper()
	body := `{"slack_webhook_url":"` + s.Slack.URL() + `"` + settings + `}`
	if r := s.API(t, "PUT", "/v1/settings", body); r.Status != http.StatusOK {
		t.Fatalf("set slack: %d %s", r.Status, r.Body)
	}
}

func TestNewCaseReachesSlackOnceInSlacksFormat(t *testing.T) {
	s := newShop(t)
	s.useSlack(t, "")
	comment := "The courier was rude <!channel> & <https://evil.example|click here> *sigh*"
	email := s.answered(t, "slack", "score=1&comment="+strings.NewReplacer("&", "%26", "<", "%3C", ">", "%3E", "|", "%7C", "*", "%2A").Replace(comment))
	s.Settle(t)
	posts := s.Slack.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d Slack posts, want 1", len(posts))
	}
	_, text := parseSlack(t, posts[0])
	c := s.caseOf(t, email)
	for _, want := range []string{
		"Test Shop", "1/5", "low score", "Reply by",
		"The courier was rude &lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;",
		"<https://feedback.test/app/followups/" + c.ID + "|Open the case>",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the Slack message lacks %q:\n%s", want, text)
		}
	}
	for _, m := range slackLink.FindAllStringSubmatch(text, -1) {
		if !strings.HasPrefix(m[1], "https://feedback.test/") {
			t.Errorf("a link to %q: only the product's links may be live", m[1])
		}
	}
	if strings.Contains(text, "<!channel>") || strings.Contains(text, email) {
		t.Errorf("the message mentions the channel or names the customer's address:\n%s", text)
	}
	if n := len(s.Inbox.To(t, s.support)); n != 1 {
		t.Fatalf("%d alert emails, want 1 besides Slack", n)
	}

	// The queue hands the task out again, twice: Slack hears of it once.
	queue := s.Product.Queues["FollowupQueue"]
	body := `{"type":"opened","store_id":"` + s.StoreID + `","case_id":"` + c.ID + `"}`
	for range 2 {
		if _, err := testenv.SQS(t).SendMessage(context.Background(), sqsSend(queue, body)); err != nil {
			t.Fatal(err)
		}
	}
	s.Settle(t)
	if n := len(s.Slack.Posts()); n != 1 {
		t.Fatalf("%d Slack posts after redeliveries, want 1", n)
	}
}

// waitSlack settles until the receiver took n posts.
func waitSlack(t *testing.T, s shop, n int) []apptest.SlackPost {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.Settle(t)
		if posts := s.Slack.Posts(); len(posts) >= n || time.Now().After(deadline) {
			return posts
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func TestSlackFailureIsRetriedByTheQueueAndLeavesOnlyAReasonCode(t *testing.T) {
	s := newShop(t)
	s.useSlack(t, "")
	s.Slack.FailNext(1, http.StatusServiceUnavailable, "secret_slack_answer_text")
	s.answered(t, "slack-retry", "score=2")
	posts := waitSlack(t, s, 2)
	if len(posts) != 2 || posts[0].Accepted || !posts[1].Accepted {
		t.Fatalf("posts %+v, want one refused then one accepted", posts)
	}
	if posts[0].Body != posts[1].Body {
		t.Error("the retry posted another message")
	}
	time.Sleep(1500 * time.Millisecond) // past the visibility timeout: nothing comes back
	s.Settle(t)
	if n := len(s.Slack.Posts()); n != 2 {
		t.Fatalf("%d posts after the retry succeeded, want 2", n)
	}
	if n := len(s.Inbox.To(t, s.support)); n != 1 {
		t.Fatalf("%d alert emails, want 1: the Slack retry sends no email again", n)
	}
	// Nothing Slack answered is kept anywhere in the table.
	out, err := s.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(s.Table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range out.Items {
		if data, _ := json.Marshal(item); strings.Contains(string(data), "secret_slack_answer_text") {
			t.Fatalf("an item keeps Slack's answer: %s", data)
		}
	}
}

func TestSlackRefusingTheWebhookForGoodIsNotRetried(t *testing.T) {
	s := newShop(t)
	s.useSlack(t, "")
	s.Slack.FailNext(5, http.StatusNotFound, "no_service")
	s.answered(t, "slack-gone", "score=1")
	s.Settle(t)
	time.Sleep(1500 * time.Millisecond)
	s.Settle(t)
	if n := len(s.Slack.Posts()); n != 1 {
		t.Fatalf("%d posts to a webhook Slack says is gone, want 1", n)
	}
	if n := len(s.Inbox.To(t, s.support)); n != 1 {
		t.Fatalf("%d alert emails, want 1", n)
	}
}

func TestAlertFilterByScore(t *testing.T) {
	// Score 3 with "contact me" opens a case, which the filter leaves out.
	s := newShop(t)
	s.useSlack(t, `,"alert_on":"score","alert_max_score":2`)
	s.answered(t, "filtered", "score=3&contact_me=on")
	s.Settle(t)
	if n, p := len(s.Inbox.To(t, s.support)), len(s.Slack.Posts()); n != 0 || p != 0 {
		t.Fatalf("%d emails and %d Slack posts for a score-3 case with alert_max_score 2, want none", n, p)
	}
	s.answered(t, "alerted", "score=2")
	s.Settle(t)
	if n, p := len(s.Inbox.To(t, s.support)), len(s.Slack.Posts()); n != 1 || p != 1 {
		t.Fatalf("%d emails and %d Slack posts for a score-2 case, want 1 and 1", n, p)
	}
	if got := s.list(t, "").Items; len(got) != 2 {
		t.Fatalf("%d cases in the queue, want both: the filter only silences alerts", len(got))
	}
}

func TestAlertFilterByKeyword(t *testing.T) {
	s := newShop(t)
	s.useSlack(t, `,"alert_on":"keyword"`)
	s.answered(t, "no-keyword", "score=1")
	s.Settle(t)
	if n, p := len(s.Inbox.To(t, s.support)), len(s.Slack.Posts()); n != 0 || p != 0 {
		t.Fatalf("%d emails and %d Slack posts for a case no keyword opened, want none", n, p)
	}
	// A 5-star answer whose comment holds a keyword rule opens a case,
	// and alerts both channels.
	email := s.answered(t, "keyword", "score=5&comment=The+courier+was+rude.")
	s.Settle(t)
	if c := s.caseOf(t, email); c.ID == "" {
		t.Fatal("the keyword opened no case")
	}
	if n, p := len(s.Inbox.To(t, s.support)), len(s.Slack.Posts()); n != 1 || p != 1 {
		t.Fatalf("%d emails and %d Slack posts for a keyword case, want 1 and 1", n, p)
	}
	if post := s.Slack.Posts()[0]; !strings.Contains(post.Body, "keyword") {
		t.Errorf("the Slack post does not say a keyword opened the case: %s", post.Body)
	}
}

func TestHourlyModeSendsOneMessageListingTheHoursCases(t *testing.T) {
	s := newShop(t)
	s.useSlack(t, `,"alert_mode":"hourly"`)
	const n = 3
	var emails []string
	for i := range n {
		emails = append(emails, s.answered(t, "hourly"+string(rune('a'+i)), "score=1&comment=broken+mug+"+string(rune('a'+i))))
	}
	s.Settle(t)
	if m, p := len(s.Inbox.To(t, s.support)), len(s.Slack.Posts()); m != 0 || p != 0 {
		t.Fatalf("%d emails and %d Slack posts per case in hourly mode, want none", m, p)
	}
	for _, e := range emails {
		if m := len(s.Inbox.To(t, e)); m != 2 {
			t.Fatalf("%d emails to customer %s, want the survey and the acknowledgement", m, e)
		}
	}
	run := func() followup.SLAReport {
		t.Helper()
		rep, err := s.Product.SLA.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := run(); rep.Hourly.Sent != 0 {
		t.Fatalf("the hourly alert went out before its hour ended: %+v", rep)
	}
	// A redelivered task lists its case once.
	c0 := s.caseOf(t, emails[0])
	body := `{"type":"opened","store_id":"` + s.StoreID + `","case_id":"` + c0.ID + `"}`
	if _, err := testenv.SQS(t).SendMessage(context.Background(), sqsSend(s.Product.Queues["FollowupQueue"], body)); err != nil {
		t.Fatal(err)
	}
	s.Settle(t)

	s.Clock.Advance(time.Hour + 2*time.Minute)
	if rep := run(); rep.Hourly.Sent != 1 || rep.Hourly.Failed != 0 {
		t.Fatalf("hourly report %+v, want one alert sent", rep.Hourly)
	}
	if rep := run(); rep.Hourly.Sent != 0 {
		t.Fatalf("a second run sent the hourly alert again: %+v", rep.Hourly)
	}
	mails := s.Inbox.To(t, s.support)
	if len(mails) != 1 {
		t.Fatalf("%d hourly emails, want 1", len(mails))
	}
	if !strings.Contains(mails[0].Subject, "3 new cases") {
		t.Errorf("subject %q, want the count of new cases", mails[0].Subject)
	}
	posts := s.Slack.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d hourly Slack posts, want 1", len(posts))
	}
	_, slackText := parseSlack(t, posts[0])
	for _, e := range emails {
		c := s.caseOf(t, e)
		link := "https://feedback.test/app/followups/" + c.ID
		if strings.Count(mails[0].Text, link) != 1 || strings.Count(mails[0].HTML, link) != 1 {
			t.Errorf("the hourly email lists case %s %d times, want once", c.ID, strings.Count(mails[0].Text, link))
		}
		if strings.Count(slackText, "<"+link+"|") != 1 {
			t.Errorf("the hourly Slack message lists case %s %d times, want once", c.ID, strings.Count(slackText, "<"+link+"|"))
		}
	}
	// The next hour has no new case: nothing goes out.
	s.Clock.Advance(time.Hour)
	if rep := run(); rep.Hourly.Sent != 0 {
		t.Fatalf("an hourly alert of no cases: %+v", rep.Hourly)
	}
}

func TestOverdueRealertReachesEmailAndSlackWhateverTheFilter(t *testing.T) {
	s := newShop(t, func(set *closeloop.Settings) { set.SLAHours = 2 })
	s.useSlack(t, `,"alert_on":"keyword","alert_mode":"hourly"`)
	s.answered(t, "overdue-slack", "score=1&comment=cold")
	s.Settle(t)
	if m, p := len(s.Inbox.To(t, s.support)), len(s.Slack.Posts()); m != 0 || p != 0 {
		t.Fatalf("%d emails and %d Slack posts for a filtered-out case, want none", m, p)
	}
	s.Clock.Advance(2*time.Hour + time.Minute)
	rep, err := s.Product.SLA.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Alerted != 1 || rep.Hourly.Sent != 0 {
		t.Fatalf("report %+v, want one re-alert and no hourly alert", rep)
	}
	mails := s.Inbox.To(t, s.support)
	if len(mails) != 1 || !strings.HasPrefix(mails[0].Subject, "Overdue") {
		t.Fatalf("%d emails to support, want the overdue re-alert", len(mails))
	}
	posts := s.Slack.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d Slack posts, want the overdue re-alert", len(posts))
	}
	if _, text := parseSlack(t, posts[0]); !strings.Contains(text, "overdue since") || !strings.Contains(text, "Overdue") {
		t.Fatalf("the Slack re-alert does not say the case is overdue:\n%s", text)
	}
}

func TestSlackWebhookURLMustBePublic(t *testing.T) {
	s := newShop(t)
	for _, raw := range []string{"https://10.0.0.8/services/x", "https://user:pw@hooks.slack.test/x", "http://hooks.slack.test/x"} {
		r := s.API(t, "PUT", "/v1/settings", `{"slack_webhook_url":"`+raw+`"}`)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "slack_webhook_url") {
			t.Errorf("PUT slack_webhook_url %s: %d %s, want 400 naming the field", raw, r.Status, r.Body)
		}
	}
	if got := s.API(t, "GET", "/v1/settings", "").Body; !strings.Contains(got, `"slack_webhook_url":""`) {
		t.Fatalf("a refused URL was saved: %s", got)
	}
}
