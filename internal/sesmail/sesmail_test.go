package sesmail_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/sesmail"
)

// failingSES is a fake of SES's SendEmail that returns one error: fault
// injection of what the SES emulator never produces (it accepts every
// send), each error shaped as the SDK decodes it.
type failingSES struct{ err error }

func (f failingSES) SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return nil, f.err
}

// secretText stands for SES's message text, which can name addresses: it
// must never come out of the mailer.
const secretText = "ada@example.com in region EU-WEST-1"

func msg(s string) *string { return &s }

func TestSendErrors(t *testing.T) {
	// A 503 as the SDK returns it when the body names no modelled error.
	unavailable := &smithy.OperationError{ServiceID: "SESv2", OperationName: "SendEmail", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 503}}, Err: errors.New(secretText)},
	}}
	tests := []struct {
		name  string
		err   error
		want  closeloop.SendProblem
		class closeloop.SendClass
	}{
		{"account suspended", &types.AccountSuspendedException{Message: msg(secretText)}, closeloop.ProblemAccountSuspended, closeloop.SendAccount},
		{"sending paused", &types.SendingPausedException{Message: msg(secretText)}, closeloop.ProblemSendingPaused, closeloop.SendAccount},
		{"daily quota", &types.LimitExceededException{Message: msg("Daily message quota exceeded. " + secretText)}, closeloop.ProblemDailyQuota, closeloop.SendAccount},
		{"configuration set gone", &types.NotFoundException{Message: msg(secretText)}, closeloop.ProblemMailConfig, closeloop.SendAccount},
		{"sender not verified", &types.MessageRejected{Message: msg("Email address is not verified. The following identities failed the check in region EU-WEST-1: " + secretText)}, closeloop.ProblemSenderNotVerified, closeloop.SendStore},
		{"MAIL FROM domain not verified", &types.MailFromDomainNotVerifiedException{Message: msg(secretText)}, closeloop.ProblemMailFromDomain, closeloop.SendStore},
		{"bad recipient", &types.BadRequestException{Message: msg("Missing final '@domain' " + secretText)}, closeloop.ProblemBadRecipient, closeloop.SendMessage},
		{"message rejected", &types.MessageRejected{Message: msg("Message contains a virus. " + secretText)}, closeloop.ProblemRejected, closeloop.SendMessage},
		{"throttled", &types.TooManyRequestsException{Message: msg("Maximum sending rate exceeded. " + secretText)}, closeloop.ProblemThrottled, closeloop.SendPassing},
		{"internal error", &types.InternalServiceErrorException{Message: msg(secretText)}, closeloop.ProblemUnavailable, closeloop.SendPassing},
		{"HTTP 503", unavailable, closeloop.ProblemUnavailable, closeloop.SendPassing},
		{"timeout", context.DeadlineExceeded, closeloop.ProblemUnavailable, closeloop.SendPassing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sesmail.New(failingSES{tt.err}, "")
			_, err := m.Send(context.Background(), closeloop.Message{From: "a@shop.test", To: "b@example.com", Subject: "s", HTML: "h", Text: "t"})
			if err == nil {
				t.Fatal("send succeeded")
			}
			if got := closeloop.SendProblemOf(err); got != tt.want || got.Class() != tt.class {
				t.Errorf("problem %q (%s), want %q (%s)", got, got.Class(), tt.want, tt.class)
			}
			if got, want := errors.Is(err, closeloop.ErrRejected), tt.class == closeloop.SendMessage; got != want {
				t.Errorf("errors.Is(err, ErrRejected) = %v, want %v", got, want)
			}
			if strings.Contains(err.Error(), "ada@example.com") || strings.Contains(err.Error(), "EU-WEST-1") {
				t.Errorf("error %q carries SES's message text", err)
			}
			var se *closeloop.SendError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is no *closeloop.SendError", err)
			}
		})
	}
}
