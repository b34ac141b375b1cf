// Package sesmail sends email through Amazon SES v2 (SendEmail with simple
// content and custom headers).
package sesmail

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// API is the part of the SES v2 client the mailer uses; tests wrap it to
// inject the errors the emulator cannot produce (throttling, rejections,
// a paused account).
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

// Send sends m and returns the SES message ID. A send SES refused is a
// *closeloop.SendError (see sendError); one refused for good also matches
// closeloop.ErrRejected.
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
		return "", sendError(err)
	}
	return aws.ToString(out.MessageId), nil
}

// notVerified starts SES's MessageRejected text when an identity of the
// send (the From address or its domain) is not verified. Outside the
// sandbox only the sender can fail this check; in the sandbox an
// unverified recipient fails it too, and pausing the store until the
// account leaves the sandbox is then right as well.
const notVerified = "Email address is not verified"

// sendError maps an SES v2 SendEmail error onto the domain's send problems
// (closeloop/sending.go holds what each class leads to):
//
//	AccountSuspendedException            account_suspended       account
//	SendingPausedException               sending_paused          account
//	LimitExceededException               daily_quota             account
//	NotFoundException                    mail_config             account  (the configuration set is gone)
//	MessageRejected "Email address is not verified…"
//	                                     sender_not_verified     store
//	MailFromDomainNotVerifiedException   mail_from_not_verified  store
//	BadRequestException                  bad_recipient           message  (the address is the one input SES can find invalid)
//	MessageRejected (any other text)     rejected                message
//	TooManyRequestsException             throttled               passing
//	InternalServiceErrorException, 5xx   unavailable             passing
//	anything else (timeouts, network)    unavailable             passing
//
// The error returned carries the SES error code for logs, never SES's
// message text: it can hold addresses, and stored reasons are codes.
func sendError(err error) error {
	problem := closeloop.ProblemUnavailable
	var (
		suspended  *types.AccountSuspendedException
		paused     *types.SendingPausedException
		limit      *types.LimitExceededException
		notFound   *types.NotFoundException
		rejected   *types.MessageRejected
		mailFrom   *types.MailFromDomainNotVerifiedException
		badRequest *types.BadRequestException
		throttled  *types.TooManyRequestsException
	)
	switch {
	case errors.As(err, &suspended):
		problem = closeloop.ProblemAccountSuspended
	case errors.As(err, &paused):
		problem = closeloop.ProblemSendingPaused
	case errors.As(err, &limit):
		problem = closeloop.ProblemDailyQuota
	case errors.As(err, &notFound):
		problem = closeloop.ProblemMailConfig
	case errors.As(err, &rejected) && strings.HasPrefix(strings.TrimSpace(rejected.ErrorMessage()), notVerified):
		problem = closeloop.ProblemSenderNotVerified
	case errors.As(err, &rejected):
		problem = closeloop.ProblemRejected
	case errors.As(err, &mailFrom):
		problem = closeloop.ProblemMailFromDomain
	case errors.As(err, &badRequest):
		problem = closeloop.ProblemBadRecipient
	case errors.As(err, &throttled):
		problem = closeloop.ProblemThrottled
	}
	se := &closeloop.SendError{Problem: problem}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		se.ProviderCode = apiErr.ErrorCode()
	} else if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		se.ProviderCode = "timeout"
	}
	return fmt.Errorf("ses send: %w", se)
}
