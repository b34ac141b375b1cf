package closeloop

import "time"

// Role is what an API key may do.
type Role string

// The roles of API keys.
const (
	RoleOwner   Role = "owner"   // everything
	RoleSupport Role = "support" // follow-ups and responses
	RoleIngest  Role = "ingest"  // posting orders only
	RolePoints  Role = "points"  // a loyalty system: balances and adjustments only
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	return r == RoleOwner || r == RoleSupport || r == RoleIngest || r == RolePoints
}

// Allows reports whether a key of role r may act where need is required.
// Owner may do everything; other roles only what is theirs.
func (r Role) Allows(need Role) bool {
	return r == RoleOwner || r == need
}

// AllowsAny reports whether a key of role r may act where any of needs is
// enough (a balance, which support and a loyalty system both read).
func (r Role) AllowsAny(needs ...Role) bool {
	for _, need := range needs {
		if r.Allows(need) {
			return true
		}
	}
	return false
}

// Key is an API key without its secret, which is shown once at creation and
// only its hash is kept.
type Key struct {
	KeyID     string    `json:"id"`
	StoreID   string    `json:"-"`
	Role      Role      `json:"role"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}
