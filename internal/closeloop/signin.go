package closeloop

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Signing in to the dashboard: a person asks for a link at their owner or
// support address (settings), follows the single-use link, and gets a
// session. The rules below are the product's; the adapters build their
// conditions and expiries from them.

// KindSignIn is the email carrying a sign-in link.
const KindSignIn = "signin"

// SignInLinkTTL is how long an emailed sign-in link can be used.
const SignInLinkTTL = 15 * time.Minute

// Session expiries: a session ends SessionIdle after its last use, and
// SessionMaxAge after sign-in whatever its use. Its last use is written at
// most once a SessionRefresh, to save a write per page view.
const (
	SessionIdle    = 12 * time.Hour
	SessionMaxAge  = 7 * 24 * time.Hour
	SessionRefresh = 5 * time.Minute
)

// RateLimit allows Max events per Window for one subject, counted in
// fixed windows (the Window-aligned stretch of time an event falls in).
type RateLimit struct {
	Name   string // names the limit in storage: "signin-address"
	Max    int
	Window time.Duration
}

// The sign-in rate limits: links asked for one address, and requests of
// one client (a source IP address, an IPv6 /64), each per 15 minutes. Both
// count whether or not the address is registered, so that hitting one
// tells nothing about the address.
var (
	SignInPerAddress = RateLimit{Name: "signin-address", Max: 5, Window: 15 * time.Minute}
	SignInPerClient  = RateLimit{Name: "signin-client", Max: 20, Window: 15 * time.Minute}
)

// WindowStart is the start of the window at holds.
func (l RateLimit) WindowStart(at time.Time) time.Time { return at.UTC().Truncate(l.Window) }

// WindowEnd is the end of the window at holds: its count can be forgotten
// from then on.
func (l RateLimit) WindowEnd(at time.Time) time.Time { return l.WindowStart(at).Add(l.Window) }

// RateCount is one event counted against a limit for a subject (stored as
// given: callers pass a hash of personal data).
type RateCount struct {
	Limit   RateLimit
	Subject string
}

// SignInLink is an emailed link's record, stored under its token's hash.
type SignInLink struct {
	Email     string
	StoreIDs  []string // the stores the address was staff of when the link was sent
	Next      string   // the dashboard page to land on, "" for the overview
	CreatedAt time.Time
}

// ExpiresAt is when the link stops working.
func (l SignInLink) ExpiresAt() time.Time { return l.CreatedAt.Add(SignInLinkTTL) }

// Session is a signed-in person's session, stored under its cookie's hash.
// Whatever the session holds, the person's role is read from the current
// settings of the store at each use.
type Session struct {
	Email   string
	StoreID string // the store chosen, "" until one is
	// Stores counts the stores the person could choose from at sign-in,
	// for the pages' "switch store" link.
	Stores    int
	CSRF      string // the token every form of the session carries
	CreatedAt time.Time
	SeenAt    time.Time // its last use, as written (every SessionRefresh at most)
}

// ExpiresAt is when the session ends unless it is used: idle since SeenAt,
// and never past its maximum age.
func (s Session) ExpiresAt() time.Time {
	idle, max := s.SeenAt.Add(SessionIdle), s.CreatedAt.Add(SessionMaxAge)
	if idle.Before(max) {
		return idle
	}
	return max
}

// Live reports whether the session can be used at now.
func (s Session) Live(now time.Time) bool { return now.Before(s.ExpiresAt()) }

// Stale reports whether the session's last use should be written again at
// now.
func (s Session) Stale(now time.Time) bool { return now.Sub(s.SeenAt) >= SessionRefresh }

// StaffRole is the role email (normalized) has in the store by its
// settings: RoleOwner for an owner address, RoleSupport for a support
// address, "" for anyone else.
func (s Settings) StaffRole(email string) Role {
	switch {
	case email == "":
		return ""
	case slices.Contains(s.OwnerEmails, email):
		return RoleOwner
	case slices.Contains(s.SupportEmails, email):
		return RoleSupport
	}
	return ""
}

// Staff lists the settings' owner and support addresses, each once,
// sorted: the addresses that may sign in to the store.
func (s Settings) Staff() []string {
	all := slices.Concat(s.OwnerEmails, s.SupportEmails)
	slices.Sort(all)
	return slices.Compact(all)
}

// SignInClient names the client of a sign-in request for its rate limit,
// from the request's remote address (API Gateway gives the source IP,
// net/http "host:port"): the IP address, or its /64 network for IPv6,
// where one subscriber holds a whole /64.
func SignInClient(remoteAddr string) string {
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return "unknown"
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// SafeNext is next when it is a dashboard page to go to after signing in
// (a path under /app/), "" otherwise: a sign-in never sends its person to
// another site.
func SafeNext(next string) string {
	if !strings.HasPrefix(next, "/app/") || strings.ContainsAny(next, "\\\r\n") || strings.HasPrefix(next, "/app/login") || len(next) > 500 {
		return ""
	}
	return next
}
