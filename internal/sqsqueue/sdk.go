package sqsqueue

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// FromSDK returns the SDK's client as an API that keeps only API's methods
// in the binary: see dynamo.FromSDK (a *sqs.Client converted to an
// interface keeps every SQS operation in a function that executes
// templates).
func FromSDK(c *sqs.Client) API {
	return sdkClient{sendMessage: c.SendMessage, changeMessageVisibility: c.ChangeMessageVisibility}
}

// sdkClient forwards API's methods to the SDK client's.
type sdkClient struct {
	sendMessage             func(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	changeMessageVisibility func(context.Context, *sqs.ChangeMessageVisibilityInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

func (s sdkClient) SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	return s.sendMessage(ctx, in, optFns...)
}

func (s sdkClient) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	return s.changeMessageVisibility(ctx, in, optFns...)
}
