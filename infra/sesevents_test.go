package infra

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"

	"github.com/closeloop/closeloop/internal/sesevents"
)

// snsTopicARN matches an SNS topic ARN: region, account, topic name.
var snsTopicARN = regexp.MustCompile(`^arn:aws:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,256})$`)

// checkSESNotification checks an SES events queue message as SNS delivers
// it to SQS (no raw delivery): the notification envelope, strictly, from
// the topic the template subscribes the queue to; inside it an SES event of
// a type the configuration set publishes, with the tags every email of
// the product carries.
func checkSESNotification(t *testing.T, i int, dec *json.Decoder) {
	t.Helper()
	var n events.SNSEntity
	if err := dec.Decode(&n); err != nil {
		t.Fatalf("record %d: body is not an SNS notification: %v", i, err)
	}
	tpl := loadTemplate(t, repoRoot(t))
	topicID := subscribedTopic(t, tpl, "SesEventsQueue")
	if n.Type != "Notification" || n.MessageID == "" || n.Timestamp.IsZero() || n.Signature == "" || n.SigningCertURL == "" {
		t.Errorf("record %d: SNS envelope %+v lacks Type Notification, a MessageId, a Timestamp or a signature", i, n)
	}
	// CloudFormation names the topic <stack>-<logical id>-<suffix>.
	if m := snsTopicARN.FindStringSubmatch(n.TopicArn); m == nil || !strings.Contains(m[1], "-"+topicID+"-") {
		t.Errorf("record %d: TopicArn %q is not %s, the topic SesEventsQueue is subscribed to", i, n.TopicArn, topicID)
	}
	var e sesevents.Event
	if err := json.Unmarshal([]byte(n.Message), &e); err != nil {
		t.Fatalf("record %d: Message is not an SES event: %v", i, err)
	}
	published := scalars(lookup(tpl, "Resources", "SesEventDestination", "Properties", "EventDestination", "MatchingEventTypes"))
	if !slices.Contains(published, strings.ToLower(e.EventType)) {
		t.Errorf("record %d: eventType %q is not one the configuration set publishes (%q)", i, e.EventType, published)
	}
	var recipients []sesevents.Recipient
	switch {
	case e.EventType == sesevents.EventBounce && e.Bounce != nil:
		if !slices.Contains([]string{sesevents.BouncePermanent, sesevents.BounceTransient, sesevents.BounceUndetermined}, e.Bounce.BounceType) {
			t.Errorf("record %d: bounceType %q", i, e.Bounce.BounceType)
		}
		recipients = e.Bounce.BouncedRecipients
	case e.EventType == sesevents.EventComplaint && e.Complaint != nil:
		recipients = e.Complaint.ComplainedRecipients
	default:
		t.Fatalf("record %d: a %q event without its details", i, e.EventType)
	}
	if len(recipients) == 0 || e.Mail.MessageID == "" || e.Mail.Timestamp.IsZero() {
		t.Errorf("record %d: no recipients, mail.messageId or mail.timestamp", i)
	}
	for _, r := range recipients {
		if !slices.Contains(e.Mail.Destination, r.EmailAddress) {
			t.Errorf("record %d: recipient %q is not among mail.destination %q", i, r.EmailAddress, e.Mail.Destination)
		}
	}
	for _, tag := range []string{"ses:configuration-set", sesevents.TagStore, sesevents.TagKind} {
		if e.Tag(tag) == "" {
			t.Errorf("record %d: mail.tags lacks %s: SES returns every tag the email was sent with, and the product sends it", i, tag)
		}
	}
}

// subscribedTopic returns the logical id of the topic that the template
// subscribes queue to.
func subscribedTopic(t *testing.T, tpl *yaml.Node, queue string) string {
	t.Helper()
	for id, res := range pairs(lookup(tpl, "Resources")) {
		props := lookup(res, "Properties")
		if scalar(lookup(res, "Type")) != "AWS::SNS::Subscription" || scalar(lookup(props, "Protocol")) != "sqs" {
			continue
		}
		if q, ok := getAtt(lookup(props, "Endpoint"), "Arn"); !ok || q != queue {
			continue
		}
		topic := lookup(props, "TopicArn")
		if topic == nil || topic.Tag != "!Ref" || topic.Value == "" {
			t.Fatalf("subscription %s: TopicArn is not !Ref <topic>", id)
		}
		return topic.Value
	}
	t.Fatalf("template.yaml subscribes %s to no SNS topic", queue)
	return ""
}
