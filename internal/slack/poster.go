package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/webhook"
)

// lease is how long a poster holds a message: far longer than one post
// (the client gives up after 10 s), so it only runs out after a crash.
const lease = 2 * time.Minute

// postTimeout bounds one post, below the client's own 10 s: Slack answers
// in well under a second, and the follow-up worker posts in series within
// its 30 s.
const postTimeout = 5 * time.Second

// maxAnswerRead is how much of Slack's answer is read (and thrown away) so
// that the connection can be reused.
const maxAnswerRead = 16 << 10

// Failure is a post that did not reach Slack, by a reason code only: what
// Slack answered ("invalid_token", "no_service"…) and the URL (which is
// the webhook's secret) are never kept or logged.
type Failure struct {
	Reason string // http_503, timeout, address_refused, connect_failed
}

// Error names the reason only.
func (f *Failure) Error() string { return "slack post failed: " + f.Reason }

// Poster posts messages to incoming webhooks, each at most once per key.
type Poster struct {
	deliveries mailing.Deliveries
	client     *http.Client
	now        func() time.Time
}

// New returns a Poster whose client is configured by cfg (the zero value
// is production's: public https addresses only); now is the clock.
func New(deliveries mailing.Deliveries, cfg webhook.ClientConfig, now func() time.Time) *Poster {
	return &Poster{deliveries: deliveries, client: webhook.NewClient(cfg), now: now}
}

// Post sends m to the incoming webhook at hookURL, unless the message of
// kind about the same thing was posted before: the store's alerts of a
// case reach Slack once however often their task is delivered. A passing
// failure (a timeout, 429, 5xx) returns a *Failure and frees the message
// for the queue's retry; Slack refusing it for good (400, 403, 404, 410:
// a revoked or mistyped webhook) is recorded, returns Rejected and is
// never retried.
func (p *Poster) Post(ctx context.Context, storeID, hookURL, kind, about string, m Message) (mailing.Result, error) {
	d := closeloop.Delivery{Key: mailing.DeliveryKey(kind, about, ""), StoreID: storeID, Kind: kind}
	now := p.now()
	start, err := p.deliveries.BeginDelivery(ctx, d, now, now.Add(lease))
	switch {
	case err != nil:
		return 0, err
	case start == closeloop.DeliveryDone:
		return mailing.Duplicate, nil
	case start == closeloop.DeliveryBusy:
		return 0, mailing.ErrBusy
	}
	status, err := p.post(ctx, hookURL, m)
	switch {
	case err == nil && status >= 200 && status <= 299:
		return mailing.Sent, p.deliveries.EndDelivery(context.WithoutCancel(ctx), d.Key, p.now(), false)
	case err == nil && refusedForGood(status):
		return mailing.Rejected, errors.Join(&Failure{Reason: "http_" + strconv.Itoa(status)},
			p.deliveries.EndDelivery(context.WithoutCancel(ctx), d.Key, p.now(), true))
	case err == nil:
		err = &Failure{Reason: "http_" + strconv.Itoa(status)}
	}
	return 0, errors.Join(err, p.deliveries.ReleaseDelivery(context.WithoutCancel(ctx), d.Key))
}

// refusedForGood are the statuses with which Slack says the webhook will
// never take this message: retrying cannot help.
func refusedForGood(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return true
	}
	return false
}

// post sends m and returns the status Slack answered.
func (p *Poster) post(ctx context.Context, hookURL string, m Message) (int, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return 0, fmt.Errorf("encode slack message: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, postTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hookURL, bytes.NewReader(body))
	if err != nil {
		return 0, &Failure{Reason: "bad_url"}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "closeloop-alerts/1")
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, &Failure{Reason: reason(err)}
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerRead))
	return resp.StatusCode, nil
}

// reason names why a request failed, without the URL the error holds.
func reason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, webhook.ErrAddressRefused):
		return "address_refused"
	case errors.Is(err, webhook.ErrNotHTTPS):
		return "not_https"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return "connect_failed"
}
