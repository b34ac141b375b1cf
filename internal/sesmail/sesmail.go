// Package sesmail sends email through Amazon SES v2 (SendEmail with simple
// content and custom headers).
package sesmail

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// API is the part of the SES v2 client the mailer uses; tests wrap it to
// inject throttling and rejections the emulator cannot produce.
type API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

var _ API = (*sesv2.Client)(nil)

// Mailer sends closeloop messages with SES.
type Mailer struct {
	api              API
	configurationSet string
}

var _ closeloop.Mailer = (*Mailer)(nil)

// New returns a Mailer; configurationSet may be empty.
func New(api API, configurationSet string) *Mailer {
	return &Mailer{api: api, configurationSet: configurationSet}
}

// Send sends m and returns the SES message ID. A message SES refuses for
// good wraps closeloop.ErrRejected.
func (m *Mailer) Send(ctx context.Context, msg closeloop.Message) (string, error) {
	headers := make([]types.MessageHeader, len(msg.Headers))
	for i, h := range msg.Headers {
		headers[i] = types.MessageHeader{Name: aws.String(h.Name), Value: aws.String(h.Value)}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(msg.From),
		Destination:      &types.Destination{ToAddresses: []string{msg.To}},
		ReplyToAddresses: msg.ReplyTo,
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(msg.Subject), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(msg.HTML), Charset: aws.String("UTF-8")},
				Text: &types.Content{Data: aws.String(msg.Text), Charset: aws.String("UTF-8")},
			},
			Headers: headers,
		}},
	}
	for _, t := range msg.Tags {
		in.EmailTags = append(in.EmailTags, types.MessageTag{Name: aws.String(t.Name), Value: aws.String(t.Value)})
	}
	if m.configurationSet != "" {
		in.ConfigurationSetName = aws.String(m.configurationSet)
	}
	out, err := m.api.SendEmail(ctx, in)
	if err != nil {
		var rejected *types.MessageRejected
		var notVerified *types.MailFromDomainNotVerifiedException
		var bad *types.BadRequestException
		if errors.As(err, &rejected) || errors.As(err, &notVerified) || errors.As(err, &bad) {
			return "", fmt.Errorf("ses send: %w: %w", closeloop.ErrRejected, err)
		}
		return "", fmt.Errorf("ses send: %w", err)
	}
	return aws.ToString(out.MessageId), nil
}
