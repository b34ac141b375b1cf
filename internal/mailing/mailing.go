// Package mailing is the one path every email after a survey takes (the
// thank-you, the acknowledgement, support alerts, the closing message): it
// sends each at most once per key, never to an address suppressed in the
// store, and tags it with its store and kind for the provider's delivery
// events. Survey emails are held the same way by dispatch's claim, whose
// transaction checks suppression with the survey's lease.
package mailing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Deliveries remembers what was sent. The DynamoDB adapter implements it.
type Deliveries interface {
	BeginDelivery(ctx context.Context, d closeloop.Delivery, now, leaseUntil time.Time) (closeloop.DeliveryStart, error)
	EndDelivery(ctx context.Context, key string, at time.Time, rejected bool) error
	ReleaseDelivery(ctx context.Context, key string) error
}

// Result says what became of an email.
type Result int

// The results of Send.
const (
	Sent       Result = iota // sent now
	Duplicate                // sent (or refused for good) before: not sent again
	Suppressed               // the recipient unsubscribed, bounced or complained
	Rejected                 // the provider refused it for good
)

func (r Result) String() string {
	return [...]string{"sent", "duplicate", "suppressed", "rejected"}[r]
}

// ErrBusy means another sender holds the email right now; try again after
// its lease (a queue's redelivery does).
var ErrBusy = errors.New("the email is being sent by another worker")

// lease is how long a sender holds an email: far longer than one SES call,
// so that it only runs out when the sender crashed.
const lease = 2 * time.Minute

// Sender sends emails once.
type Sender struct {
	deliveries Deliveries
	mailer     closeloop.Mailer
	now        func() time.Time
}

// New returns a Sender; now is the clock.
func New(deliveries Deliveries, mailer closeloop.Mailer, now func() time.Time) *Sender {
	return &Sender{deliveries: deliveries, mailer: mailer, now: now}
}

// Email is one email to send once.
type Email struct {
	StoreID string
	Kind    string // closeloop.Kind…
	About   string // what it is about: a survey or case ID, with a version when one thing is mailed again
	Message closeloop.Message
}

// Send sends e unless it was sent before (its key is kind, about and the
// recipient), or its recipient is suppressed in the store. A passing
// failure returns an error and leaves the email free to retry; a crash
// after the provider accepted it can send it once more after the lease
// (the provider has no idempotency key), never more.
func (s *Sender) Send(ctx context.Context, e Email) (Result, error) {
	to := strings.ToLower(strings.TrimSpace(e.Message.To)) // the customer identity suppression is kept under
	d := closeloop.Delivery{Key: DeliveryKey(e.Kind, e.About, to), StoreID: e.StoreID, Kind: e.Kind, To: to}
	now := s.now()
	start, err := s.deliveries.BeginDelivery(ctx, d, now, now.Add(lease))
	switch {
	case err != nil:
		return 0, err
	case start == closeloop.DeliveryDone:
		return Duplicate, nil
	case start == closeloop.DeliverySuppressed:
		return Suppressed, nil
	case start == closeloop.DeliveryBusy:
		return 0, ErrBusy
	}
	m := e.Message
	m.Tags = append([]closeloop.Tag{{Name: "store", Value: e.StoreID}, {Name: "kind", Value: e.Kind}}, m.Tags...)
	if _, err := s.mailer.Send(ctx, m); err != nil {
		if errors.Is(err, closeloop.ErrRejected) {
			return Rejected, s.deliveries.EndDelivery(ctx, d.Key, s.now(), true)
		}
		// Free the email for the retry at once; the lease would free it too.
		return 0, errors.Join(fmt.Errorf("send %s: %w", e.Kind, err), s.deliveries.ReleaseDelivery(context.WithoutCancel(ctx), d.Key))
	}
	// The email went out: record it even when the caller gave up waiting.
	return Sent, s.deliveries.EndDelivery(context.WithoutCancel(ctx), d.Key, s.now(), false)
}

// DeliveryKey names one email: its kind, what it is about and its
// recipient, whose address enters only as a hash.
func DeliveryKey(kind, about, to string) string {
	sum := sha256.Sum256([]byte(to))
	return kind + "#" + about + "#" + hex.EncodeToString(sum[:10])
}
