package storeapi

import (
	"context"
	"errors"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// checkSlackURL refuses a Slack webhook URL as a webhook URL is refused
// (not https, a user name in it, a host resolving to a private address),
// adding the problem under slack_webhook_url; it returns the error that is
// not about the URL (DNS unavailable now).
func (a *API) checkSlackURL(ctx context.Context, raw string, problems closeloop.Problems) error {
	err := a.CheckWebhookURL(ctx, raw)
	var invalid *closeloop.Error
	if err == nil || !errors.As(err, &invalid) || invalid.Code != closeloop.EINVALID {
		return err
	}
	for _, problem := range invalid.Fields {
		problems.Add("slack_webhook_url", problem)
	}
	return nil
}
