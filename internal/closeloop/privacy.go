package closeloop

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Retention bounds, in months: how long what a store holds about its
// customers (surveys, responses, cases with their notes, ledger entries)
// is kept after it was written.
const (
	DefaultRetentionMonths = 24
	MinRetentionMonths     = 1
	MaxRetentionMonths     = 120
)

// Retention is the store's retention in months. A store saved before the
// setting existed has 0, which means the default.
func (s Settings) Retention() int {
	if s.RetentionMonths == 0 {
		return DefaultRetentionMonths
	}
	return s.RetentionMonths
}

// ExpiresAt is when something written at t is past a retention of months
// (0: the default): the moment the table's TTL may delete it and every
// read treats it as gone.
func ExpiresAt(t time.Time, months int) time.Time {
	if months <= 0 {
		months = DefaultRetentionMonths
	}
	return t.UTC().AddDate(0, months, 0)
}

// AddressHash is the SHA-256 of a customer identity (a normalized email
// address), hex-encoded: what is kept of an erased customer, so that the
// address is recognised, and never emailed, without being stored.
func AddressHash(email string) string {
	sum := sha256.Sum256([]byte(email))
	return hex.EncodeToString(sum[:])
}

// ErasedEmail is what an erased customer's address becomes on the records
// kept for the store's numbers (surveys, responses, cases): derived from
// the hash, so one person's records stay one customer in the store's
// history, and under the reserved .invalid domain (RFC 2606), so that no
// email can ever reach it.
func ErasedEmail(email string) string {
	return "erased-" + AddressHash(email)[:32] + "@erased.invalid"
}

// SuppressedErased is the suppression reason of an erased customer.
const SuppressedErased = "erased"

// CustomerProfile is what a store keeps on a customer beside their
// surveys: the points balance and whether they may be emailed.
type CustomerProfile struct {
	Balance          int        `json:"balance"`
	Suppressed       bool       `json:"suppressed"`
	SuppressedReason string     `json:"suppressed_reason"`
	SuppressedAt     *time.Time `json:"suppressed_at"`
}

// AdjustmentRecord is an applied points adjustment as remembered under
// its idempotency key: the entry and the balance right after it.
type AdjustmentRecord struct {
	IdempotencyKey string      `json:"idempotency_key"`
	Balance        int         `json:"balance_after"`
	Entry          LedgerEntry `json:"entry"`
}

// CustomerSurvey is one of a customer's surveys with the response item
// listed for the store, when the survey was answered.
type CustomerSurvey struct {
	Survey   Survey
	Response *ResponseItem
}

// CustomerData is everything a store holds about one customer, found by
// key: the profile, the ledger and adjustments within retention, and the
// surveys with their responses and cases. Items past retention are left
// out, as every read leaves them out.
type CustomerData struct {
	Email       string
	Profile     CustomerProfile
	Ledger      []LedgerEntry // newest first
	Adjustments []AdjustmentRecord
	Surveys     []CustomerSurvey // newest first
	Cases       []Case           // in the order of their surveys
}

// Erasure is what erasing a customer did. Each count is of this call: a
// repeated erase finds nothing left and counts zeros, with ErasedAt the
// first erase's time.
type Erasure struct {
	Email    string    `json:"email"`
	ErasedAt time.Time `json:"erased_at"`
	// Suppressed is always true: the hashed entry that keeps the address
	// from ever being emailed by the store again is in place.
	Suppressed bool           `json:"suppressed"`
	Removed    ErasureRemoved `json:"removed"`
	Anonymised ErasureAnon    `json:"anonymised"`
}

// ErasureRemoved counts the customer's items deleted.
type ErasureRemoved struct {
	Profile        int `json:"profile"`
	LedgerEntries  int `json:"ledger_entries"`
	Adjustments    int `json:"adjustments"`
	SurveyPointers int `json:"survey_pointers"`
}

// ErasureAnon counts the items kept for the store's numbers with the
// customer's identity and words taken out.
type ErasureAnon struct {
	Surveys   int `json:"surveys"`
	Responses int `json:"responses"`
	Followups int `json:"followups"`
	Notes     int `json:"notes"`
	// Cancelled counts the surveys among them that could still have been
	// sent or reminded: they are cancelled, so nothing more goes out.
	Cancelled int `json:"cancelled"`
}
