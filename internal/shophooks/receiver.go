package shophooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/lazy"
	"github.com/closeloop/closeloop/internal/web"
)

// Stores reads a store with its shop secrets.
type Stores interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
}

// Queue holds verified deliveries for the worker; the SQS adapter
// implements it.
type Queue interface {
	Send(ctx context.Context, v any) error
}

// The platforms' headers.
const (
	ShopifySignatureHeader = "X-Shopify-Hmac-Sha256"
	ShopifyTopicHeader     = "X-Shopify-Topic"
	ShopifyWebhookIDHeader = "X-Shopify-Webhook-Id"
	WooSignatureHeader     = "X-WC-Webhook-Signature"
	WooTopicHeader         = "X-WC-Webhook-Topic"
	WooDeliveryIDHeader    = "X-WC-Webhook-Delivery-ID"
)

// Receiver answers the platforms' webhook requests.
type Receiver struct {
	stores Stores
	queue  Queue
	now    func() time.Time
}

// NewReceiver returns a Receiver; now is the clock.
func NewReceiver(stores Stores, queue Queue, now func() time.Time) *Receiver {
	return &Receiver{stores: stores, queue: queue, now: now}
}

// Routes serves POST /hooks/shopify/{store_id} and
// POST /hooks/woocommerce/{store_id}.
func (rc *Receiver) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hooks/shopify/{store_id}", rc.handler(closeloop.PlatformShopify))
	mux.HandleFunc("POST /hooks/woocommerce/{store_id}", rc.handler(closeloop.PlatformWooCommerce))
	return web.Log(web.APIHeaders(mux))
}

// storeIDPattern is what a store ID can be; anything else is no store.
var storeIDPattern = lazy.Regexp(`^[A-Za-z0-9_-]{1,64}$`)

// wooPing is the unsigned request WooCommerce sends when a webhook is
// saved; it refuses to save the webhook unless it gets a 2xx.
var wooPing = lazy.Regexp(`^webhook_id=[0-9]+$`)

var errUnauthorized = closeloop.Errorf(closeloop.EUNAUTHORIZED, "the signature does not match the store's shop secret")

func (rc *Receiver) handler(platform string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := rc.receive(w, r, platform); err != nil {
			web.Error(w, r, err)
		}
	}
}

// receive verifies a delivery and queues it. An unknown store, a store
// without the platform's secret and a bad signature all answer 401 alike,
// so that the answers do not tell which stores exist; none writes.
func (rc *Receiver) receive(w http.ResponseWriter, r *http.Request, platform string) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return closeloop.Errorf(closeloop.EINVALID, "the body is larger than %d bytes", MaxBody)
	case err != nil:
		return closeloop.Errorf(closeloop.EINVALID, "the body could not be read")
	}
	if platform == closeloop.PlatformWooCommerce && wooPing().Match(bytes.TrimSpace(body)) && r.Header.Get(WooSignatureHeader) == "" {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	storeID := r.PathValue("store_id")
	if !storeIDPattern().MatchString(storeID) {
		return errUnauthorized
	}
	store, err := rc.stores.Store(r.Context(), storeID)
	switch {
	case closeloop.ErrorCode(err) == closeloop.ENOTFOUND:
		return errUnauthorized
	case err != nil:
		return err
	}
	d := Delivery{Platform: platform, StoreID: storeID, ReceivedAt: rc.now().UTC()}
	var signature string
	if platform == closeloop.PlatformShopify {
		signature, d.Topic, d.DeliveryID = r.Header.Get(ShopifySignatureHeader), r.Header.Get(ShopifyTopicHeader), r.Header.Get(ShopifyWebhookIDHeader)
	} else {
		// WooCommerce names each attempt anew: the body names the delivery.
		signature, d.Topic = r.Header.Get(WooSignatureHeader), r.Header.Get(WooTopicHeader)
	}
	if !Verify(store.ShopSecrets.For(platform), body, signature) {
		return errUnauthorized
	}
	if !json.Valid(body) {
		return closeloop.Errorf(closeloop.EINVALID, "the body is not JSON")
	}
	if !handled(platform, d.Topic) {
		// Acknowledged, so that the platform does not retry a topic this
		// product does not act on.
		slog.InfoContext(r.Context(), "shop webhook topic ignored", "platform", platform, "topic", d.Topic)
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if d.DeliveryID == "" || len(d.DeliveryID) > 128 {
		d.DeliveryID = bodyID(d.Topic, body)
	}
	d.Body = body
	if err := rc.queue.Send(r.Context(), d); err != nil {
		// The platform retries a failed request: nothing is lost.
		slog.ErrorContext(r.Context(), "queue shop webhook", "platform", platform, "err", err)
		return closeloop.Errorf(closeloop.EUNAVAILABLE, "the delivery could not be queued; send it again")
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
