package sesmail

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// FromSDK returns the SDK's client as an API that keeps only SendEmail in
// the binary: see dynamo.FromSDK (a *sesv2.Client converted to an
// interface keeps every SES operation, about a hundred, in a function that
// executes templates).
func FromSDK(c *sesv2.Client) API { return sdkClient{sendEmail: c.SendEmail} }

// sdkClient forwards API's method to the SDK client's.
type sdkClient struct {
	sendEmail func(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

func (s sdkClient) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return s.sendEmail(ctx, in, optFns...)
}
