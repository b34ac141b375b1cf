// Package shophooks takes a store's orders straight from its shop: the
// webhooks of Shopify and WooCommerce. A thin receiver answers the
// platform within its budget (Shopify allows 5 s): it reads the store,
// verifies the signature on the raw body before parsing anything, and puts
// the verified delivery on a queue. The worker on that queue maps it and
// ingests, cancels or records the event through the survey service, once
// per delivery ID.
package shophooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"time"
)

// MaxBody is the largest delivery accepted. It keeps the queued message
// (the body and a small envelope) under SQS's 256 KB; Shopify's orders
// are far smaller unless they carry hundreds of line items.
const MaxBody = 200 << 10

// Delivery is a verified webhook delivery as queued for the worker.
type Delivery struct {
	Platform   string          `json:"platform"` // closeloop.PlatformShopify or PlatformWooCommerce
	StoreID    string          `json:"store_id"`
	Topic      string          `json:"topic"`
	DeliveryID string          `json:"delivery_id"`
	ReceivedAt time.Time       `json:"received_at"`
	Body       json.RawMessage `json:"body"`
}

// Sign is the signature both platforms send: base64 HMAC-SHA256 of the
// raw body with the shared secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is body's with secret, compared in
// constant time. An empty secret verifies nothing.
func Verify(secret string, body []byte, signature string) bool {
	if secret == "" || signature == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// bodyID names a delivery that carries no ID of its own by its topic and
// body: the same content again is the same delivery.
func bodyID(topic string, body []byte) string {
	sum := sha256.Sum256(append([]byte(topic+"\n"), body...))
	return "b" + hex.EncodeToString(sum[:16])
}
