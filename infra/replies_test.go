package infra

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/replies"
)

// checkReceivedNotification checks a replies queue message as SNS delivers
// it to SQS: the notification envelope from the topic the template
// subscribes the queue to; inside it, strictly, SES's notification of a
// received email as the receipt rule's SNS action publishes it (base64),
// whose content is a MIME message sent to a reply+ address.
func checkReceivedNotification(t *testing.T, i int, dec *json.Decoder) {
	t.Helper()
	var n events.SNSEntity
	if err := dec.Decode(&n); err != nil {
		t.Fatalf("record %d: body is not an SNS notification: %v", i, err)
	}
	tpl := loadTemplate(t, repoRoot(t))
	topicID := subscribedTopic(t, tpl, "RepliesQueue")
	if n.Type != "Notification" || n.MessageID == "" || n.Timestamp.IsZero() || n.Signature == "" || n.SigningCertURL == "" {
		t.Errorf("record %d: SNS envelope %+v lacks Type Notification, a MessageId, a Timestamp or a signature", i, n)
	}
	if m := snsTopicARN.FindStringSubmatch(n.TopicArn); m == nil || !strings.Contains(m[1], "-"+topicID+"-") {
		t.Errorf("record %d: TopicArn %q is not %s, the topic RepliesQueue is subscribed to", i, n.TopicArn, topicID)
	}
	actions := lookup(tpl, "Resources", "RepliesReceiptRule", "Properties", "Rule", "Actions")
	if actions == nil || len(actions.Content) != 1 || scalar(lookup(actions.Content[0], "SNSAction", "Encoding")) != "Base64" {
		t.Error("RepliesReceiptRule's one action is not an SNS action with Encoding Base64")
	}
	var rn replies.Notification
	inner := json.NewDecoder(strings.NewReader(n.Message))
	if err := inner.Decode(&rn); err != nil {
		t.Fatalf("record %d: Message is not an SES receipt notification: %v", i, err)
	}
	if rn.NotificationType != "Received" || rn.Mail.MessageID == "" || rn.Receipt.Action.Type != "SNS" || rn.Receipt.Action.Encoding != "BASE64" {
		t.Errorf("record %d: notification type %q, message id %q, action %+v; want Received, an id, SNS with BASE64",
			i, rn.NotificationType, rn.Mail.MessageID, rn.Receipt.Action)
	}
	if rn.Receipt.Action.TopicARN != n.TopicArn {
		t.Errorf("record %d: the action's topic %q is not the envelope's %q", i, rn.Receipt.Action.TopicARN, n.TopicArn)
	}
	raw, err := base64.StdEncoding.DecodeString(rn.Content)
	if err != nil {
		t.Fatalf("record %d: content is not base64: %v", i, err)
	}
	msg, err := replies.ParseMessage(raw)
	if err != nil || msg.From == "" || !bytes.Contains(raw, []byte("reply+")) {
		t.Errorf("record %d: content is no MIME message from an address to a reply+ address: %v", i, err)
	}
	found := false
	for _, r := range rn.Receipt.Recipients {
		found = found || strings.HasPrefix(r, "reply+")
	}
	if !found {
		t.Errorf("record %d: receipt recipients %q hold no reply+ address", i, rn.Receipt.Recipients)
	}
}
