package closeloop

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// The events a store can receive at its webhook URL (API.md).
const (
	EventFollowupOpened   = "followup.opened"
	EventFollowupResolved = "followup.resolved"
	EventResponseCreated  = "response.created"
	EventPointsAwarded    = "points.awarded"
)

// Event is one webhook event. Its ID is the same however often the fact
// behind it is seen, so receivers (and our own delivery) dedupe by it.
type Event struct {
	EventID   string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	StoreID   string          `json:"store_id"`
	Data      json.RawMessage `json:"data"`
}

// NewEvent builds the event of type typ about entity (a survey or case
// ID) as it stood at version (the time of the fact), with data as its
// body.
func NewEvent(typ, storeID, entity string, version, createdAt time.Time, data any) (Event, error) {
	body, err := json.Marshal(data)
	if err != nil {
		return Event{}, err
	}
	sum := sha256.Sum256([]byte(typ + "\x00" + storeID + "\x00" + entity + "\x00" + version.UTC().Format(time.RFC3339Nano)))
	return Event{
		EventID: "evt_" + hex.EncodeToString(sum[:12]), Type: typ,
		CreatedAt: createdAt.UTC(), StoreID: storeID, Data: body,
	}, nil
}

// SecretOverlap is how long a replaced webhook signing secret keeps signing
// alongside the new one, so receivers can switch without losing events.
const SecretOverlap = 24 * time.Hour

// WebhookSecrets are the secrets a store's webhook deliveries are signed
// with: the current one and, for a day after a rotation, the previous one.
type WebhookSecrets struct {
	Current       string     `json:"current"`
	Previous      string     `json:"previous,omitempty"`
	PreviousUntil *time.Time `json:"previous_until,omitempty"`
}

// Rotate makes next the current secret; the current one keeps signing
// until now + SecretOverlap.
func (w WebhookSecrets) Rotate(next string, now time.Time) WebhookSecrets {
	if w.Current == "" {
		return WebhookSecrets{Current: next}
	}
	until := now.Add(SecretOverlap).UTC().Truncate(time.Millisecond)
	return WebhookSecrets{Current: next, Previous: w.Current, PreviousUntil: &until}
}

// Signing lists the secrets that sign a delivery at now: the current one
// first, then the previous one while it overlaps.
func (w WebhookSecrets) Signing(now time.Time) []string {
	if w.Current == "" {
		return nil
	}
	secrets := []string{w.Current}
	if w.Previous != "" && w.PreviousUntil != nil && now.Before(*w.PreviousUntil) {
		secrets = append(secrets, w.Previous)
	}
	return secrets
}
