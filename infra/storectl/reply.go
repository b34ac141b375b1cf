package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/replies"
)

// reply puts an email from a case's customer to the case's reply address
// on the replies queue, wrapped as SES receiving and SNS would: for make
// dev and staging, where no mail server reaches SES.
func reply(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("reply", flag.ContinueOnError)
	table := flags.String("table", getenv("TABLE_NAME"), "the closeloop table (the stack's TableName output)")
	caseID := flags.String("case", "", "the case the customer replies to (c_…)")
	domain := flags.String("domain", getenv("REPLY_DOMAIN"), "the reply domain (the ReplyDomain parameter)")
	queueURL := flags.String("queue-url", "", "the replies queue's URL (default: make dev's, TABLE-RepliesQueue)")
	text := flags.String("text", "Thank you, but the new mug has not arrived yet.", "the reply's text")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *table == "" || *caseID == "" || *domain == "" {
		return errors.New("-table, -case and -domain are required")
	}
	db, err := open(ctx, *table, getenv)
	if err != nil {
		return err
	}
	c, err := db.CaseByID(ctx, *caseID)
	if err != nil {
		return err
	}
	store, err := db.Store(ctx, c.StoreID)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	to, ok := closeloop.ReplyAddress(store, c.CaseID, *domain, now)
	if !ok {
		return fmt.Errorf("store %s has no key to sign reply addresses with (storectl upgrade gives it one)", c.StoreID)
	}
	from := (&mail.Address{Name: c.Customer.Name, Address: c.Customer.Email}).String()
	raw := "From: " + from + "\r\nTo: " + to + "\r\nSubject: Re: order " + c.OrderID +
		"\r\nDate: " + now.Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(*text, "\n", "\r\n") + "\r\n\r\nOn " + now.Add(-time.Hour).Format(time.RFC1123Z) + ", " + store.Settings.Branding.Name +
		" wrote:\r\n> We are sorry about your order.\r\n"

	topic := "arn:aws:sns:us-east-1:000000000000:closeloop-RepliesTopic-local"
	var n replies.Notification
	n.NotificationType = "Received"
	n.Mail.MessageID = strings.ToLower(rand.Text() + rand.Text())[:40]
	n.Mail.Source, n.Mail.Destination, n.Mail.Timestamp = c.Customer.Email, []string{to}, now
	n.Receipt.Recipients, n.Receipt.Timestamp = []string{to}, now
	n.Receipt.SpamVerdict.Status, n.Receipt.VirusVerdict.Status = "PASS", "PASS"
	n.Receipt.Action = replies.ReceiptAction{Type: "SNS", TopicARN: topic, Encoding: "BASE64"}
	n.Content = base64.StdEncoding.EncodeToString([]byte(raw))
	msg, err := json.Marshal(n)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]string{
		"Type": "Notification", "MessageId": strings.ToLower(rand.Text()), "TopicArn": topic, "Message": string(msg),
		"Timestamp": now.Format(time.RFC3339Nano), "SignatureVersion": "1", "Signature": "bG9jYWw=",
		"SigningCertURL": "https://sns.us-east-1.amazonaws.com/local.pem", "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/",
	})
	if err != nil {
		return err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load aws config: %w", err)
	}
	client := sqs.NewFromConfig(awsCfg)
	if *queueURL == "" {
		// make dev names its queues after the table (devserver's prefix).
		got, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(*table + "-RepliesQueue")})
		if err != nil {
			return fmt.Errorf("find the replies queue (give -queue-url): %w", err)
		}
		queueURL = got.QueueUrl
	}
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(*queueURL), MessageBody: aws.String(string(body))}); err != nil {
		return fmt.Errorf("send to the replies queue: %w", err)
	}
	fmt.Fprintf(out, "A reply from %s to %s is on the replies queue; it lands on case %s as the customer's note.\n", c.Customer.Email, to, c.CaseID)
	return nil
}
