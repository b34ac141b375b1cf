package closeloop

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxAdjustmentPoints bounds one adjustment either way, so that a slip in
// the store's loyalty system cannot mint or wipe a fortune in one call.
const MaxAdjustmentPoints = 1_000_000

// Adjustment is a change of a customer's points made by the store's own
// loyalty system: a redemption (negative) or a grant (positive). The
// idempotency key makes a retried call apply once.
type Adjustment struct {
	StoreID        string
	Email          string
	Points         int
	Reason         string
	IdempotencyKey string
	At             time.Time
}

// Adjusted is what an adjustment did: the balance right after it and its
// ledger entry. A replay of the adjustment answers the same, unchanged.
type Adjusted struct {
	Balance int         `json:"balance"`
	Entry   LedgerEntry `json:"entry"`
}

// Validate reports every field of the request that is out of range, by its
// JSON name.
func (a Adjustment) Validate() error {
	p := Problems{}
	if a.Points == 0 || a.Points < -MaxAdjustmentPoints || a.Points > MaxAdjustmentPoints {
		p.Add("points", "must be a non-zero whole number from -1000000 to 1000000")
	}
	if n := utf8.RuneCountInString(a.Reason); n == 0 || n > 200 || strings.TrimSpace(a.Reason) == "" ||
		strings.IndexFunc(a.Reason, unicode.IsControl) >= 0 {
		p.Add("reason", "must be 1 to 200 characters without control characters")
	}
	if !printableASCII(a.IdempotencyKey, 128) {
		p.Add("idempotency_key", "must be 1 to 128 printable ASCII characters")
	}
	return p.Err("the adjustment is not valid")
}

// Fingerprint identifies the request by its canonical fields: the same
// idempotency key with another fingerprint is another request, refused
// rather than mistaken for a retry.
func (a Adjustment) Fingerprint() string {
	// A JSON array keeps the fields apart: no value can run into the next.
	canonical, _ := json.Marshal([]any{a.StoreID, a.Email, a.IdempotencyKey, a.Points, a.Reason})
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

func printableASCII(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
