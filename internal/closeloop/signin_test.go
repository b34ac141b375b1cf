package closeloop_test

import (
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

func TestSignInClient(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"203.0.113.20", "203.0.113.20"},       // API Gateway's sourceIp
		{"203.0.113.20:51234", "203.0.113.20"}, // net/http's host:port
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"::ffff:198.51.100.7", "198.51.100.7"},
		{"", "unknown"},
		{"not an address", "unknown"},
	}
	for _, tt := range tests {
		if got := closeloop.SignInClient(tt.remote); got != tt.want {
			t.Errorf("SignInClient(%q) = %q, want %q", tt.remote, got, tt.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ next, want string }{
		{"/app/followups/c_1", "/app/followups/c_1"},
		{"/app/responses?from=2026-11-01", "/app/responses?from=2026-11-01"},
		{"", ""},
		{"/app", ""},
		{"//evil.example/app/", ""},
		{"https://evil.example/app/", ""},
		{"/app/login/abc", ""},
		{"/app/\\evil", ""},
		{"/v1/keys", ""},
	}
	for _, tt := range tests {
		if got := closeloop.SafeNext(tt.next); got != tt.want {
			t.Errorf("SafeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

func TestSessionExpiresAt(t *testing.T) {
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		seen time.Time
		want time.Time
	}{
		{"fresh: idle expiry", start, start.Add(closeloop.SessionIdle)},
		{"used a day on", start.Add(24 * time.Hour), start.Add(36 * time.Hour)},
		{"used near the end: the maximum age", start.Add(closeloop.SessionMaxAge - time.Hour), start.Add(closeloop.SessionMaxAge)},
	}
	for _, tt := range tests {
		s := closeloop.Session{CreatedAt: start, SeenAt: tt.seen}
		if got := s.ExpiresAt(); !got.Equal(tt.want) {
			t.Errorf("%s: ExpiresAt %v, want %v", tt.name, got, tt.want)
		}
		if !s.Live(tt.want.Add(-time.Nanosecond)) || s.Live(tt.want) {
			t.Errorf("%s: Live around %v wrong", tt.name, tt.want)
		}
	}
	s := closeloop.Session{CreatedAt: start, SeenAt: start}
	if s.Stale(start.Add(closeloop.SessionRefresh-time.Second)) || !s.Stale(start.Add(closeloop.SessionRefresh)) {
		t.Error("Stale should turn true at SessionRefresh")
	}
}

func TestStaffRole(t *testing.T) {
	s := closeloop.Settings{OwnerEmails: []string{"own@shop.test"}, SupportEmails: []string{"sup@shop.test", "own@shop.test"}}
	for email, want := range map[string]closeloop.Role{
		"own@shop.test": closeloop.RoleOwner, "sup@shop.test": closeloop.RoleSupport, "x@shop.test": "", "": "",
	} {
		if got := s.StaffRole(email); got != want {
			t.Errorf("StaffRole(%q) = %q, want %q", email, got, want)
		}
	}
	if got := s.Staff(); len(got) != 2 || got[0] != "own@shop.test" || got[1] != "sup@shop.test" {
		t.Errorf("Staff() = %q", got)
	}
	at := time.Date(2026, 11, 20, 10, 7, 0, 0, time.UTC)
	if got := closeloop.SignInPerAddress.WindowStart(at); !got.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("WindowStart %v", got)
	}
}
