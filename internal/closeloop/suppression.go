package closeloop

import (
	"strings"
	"time"
)

// Why an address is suppressed: the store may never email it again.
const (
	SuppressedUnsubscribed = "unsubscribed" // the customer used an unsubscribe link
	SuppressedBounced      = "bounced"      // the mail provider reported a permanent bounce
	SuppressedComplained   = "complained"   // the customer marked an email as spam
)

// ErasedMask is the masked form of an erased person's address when nothing
// of it is kept.
const ErasedMask = "erased"

// Suppression is one entry of a store's suppression list, as the API shows
// it. A person whose data was erased stays suppressed, but their address
// is gone: Email is then nil and Masked holds what may still be shown
// (MaskEmail's form, or ErasedMask), and Reason is SuppressedErased.
// Exactly one of Email and Masked is set.
type Suppression struct {
	Email        *string   `json:"email"`
	Masked       *string   `json:"masked"`
	Reason       string    `json:"reason"`
	SuppressedAt time.Time `json:"suppressed_at"`
}

// NewSuppression is the entry of a suppressed address.
func NewSuppression(email, reason string, at time.Time) Suppression {
	return Suppression{Email: &email, Reason: reason, SuppressedAt: at.UTC()}
}

// MaskedSuppression is the entry of an erased person: masked is what was
// kept of the address (MaskEmail's form); "" shows as ErasedMask.
func MaskedSuppression(masked, reason string, at time.Time) Suppression {
	if masked == "" {
		masked = ErasedMask
	}
	return Suppression{Masked: &masked, Reason: reason, SuppressedAt: at.UTC()}
}

// Mask returns the entry with its address masked, as it shows once the
// person is erased.
func (s Suppression) Mask() Suppression {
	if s.Email == nil {
		return s
	}
	return MaskedSuppression(MaskEmail(*s.Email), s.Reason, s.SuppressedAt)
}

// MaskEmail keeps of an address its first character and its domain
// ("a•••@example.com"): enough for an owner to recognise an entry, too
// little to recover the address. Anything without an @ masks whole.
func MaskEmail(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 {
		return ErasedMask
	}
	first := email[:1]
	if first[0] >= 0x80 {
		first = "•" // never cut a multi-byte character in half
	}
	return first + "•••" + email[at:]
}
