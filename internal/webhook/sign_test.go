package webhook_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/webhook"
)

func TestSign(t *testing.T) {
	at := time.Unix(1700000000, 0)
	body := []byte(`{"id":"evt_1"}`)
	// The expected values were computed with Python's hmac module, not
	// with the code under test.
	const current = "bc6a132fc01c69791c7ac73bdc58c357268043ed931f408bd3446c5a0f8196f8"
	const previous = "05ef06fe3c42008abd51f061b6d4ba9978c831cf95e5e8988bc3209c62793cc0"
	tests := []struct {
		name    string
		secrets []string
		want    string
	}{
		{"one secret", []string{"whsec_current"}, "t=1700000000,v1=" + current},
		{"after a rotation, current first", []string{"whsec_current", "whsec_previous"}, "t=1700000000,v1=" + current + ",v1=" + previous},
		{"no secret", nil, "t=1700000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := webhook.Sign(tt.secrets, at, body); got != tt.want {
				t.Errorf("Sign = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSignWithRotatedSecrets(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	secrets := closeloop.WebhookSecrets{Current: "whsec_old"}.Rotate("whsec_new", now)
	body := []byte(`{"id":"evt_1"}`)

	header := webhook.Sign(secrets.Signing(now.Add(time.Hour)), now.Add(time.Hour), body)
	if got := strings.Count(header, "v1="); got != 2 {
		t.Fatalf("an hour after rotation: %d signatures in %q, want 2", got, header)
	}
	for _, secret := range []string{"whsec_new", "whsec_old"} {
		if err := webhook.Verify(header, body, secret, webhook.DefaultTolerance, now.Add(time.Hour)); err != nil {
			t.Errorf("a receiver holding %s during the overlap: %v", secret, err)
		}
	}

	later := now.Add(closeloop.SecretOverlap + time.Second)
	header = webhook.Sign(secrets.Signing(later), later, body)
	if err := webhook.Verify(header, body, "whsec_old", webhook.DefaultTolerance, later); !errors.Is(err, webhook.ErrNoMatch) {
		t.Errorf("the old secret after the overlap: err = %v, want ErrNoMatch", err)
	}
	if err := webhook.Verify(header, body, "whsec_new", webhook.DefaultTolerance, later); err != nil {
		t.Errorf("the new secret after the overlap: %v", err)
	}
}

func TestSignNewSecret(t *testing.T) {
	a, b := webhook.NewSecret(), webhook.NewSecret()
	if a == b {
		t.Fatalf("two secrets are both %q", a)
	}
	for _, s := range []string{a, b} {
		rest, ok := strings.CutPrefix(s, "whsec_")
		if !ok {
			t.Fatalf("secret %q lacks the whsec_ prefix", s)
		}
		raw, err := base64.RawURLEncoding.DecodeString(rest)
		if err != nil || len(raw) != 32 {
			t.Errorf("secret %q: %d bytes, %v; want 32 bytes of base64url", s, len(raw), err)
		}
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1700000000, 0)
	body := []byte(`{"id":"evt_1","type":"response.created"}`)
	signed := func(at time.Time, secrets ...string) string { return webhook.Sign(secrets, at, body) }
	tests := []struct {
		name    string
		header  string
		body    []byte
		secret  string
		wantErr error
	}{
		{"genuine", signed(now, "s1"), body, "s1", nil},
		{"signed 4 minutes ago", signed(now.Add(-4*time.Minute), "s1"), body, "s1", nil},
		{"clock 4 minutes behind the sender", signed(now.Add(4*time.Minute), "s1"), body, "s1", nil},
		{"two v1, current secret", signed(now, "new", "old"), body, "new", nil},
		{"two v1, previous secret", signed(now, "new", "old"), body, "old", nil},
		{"spaces after commas", strings.ReplaceAll(signed(now, "new", "old"), ",", ", "), body, "old", nil},
		{"an unknown scheme is skipped", "v0=abc," + signed(now, "s1") + ",v2=def", body, "s1", nil},
		{"tampered body", signed(now, "s1"), []byte(`{"id":"evt_2","type":"response.created"}`), "s1", webhook.ErrNoMatch},
		{"body with a byte added", signed(now, "s1"), append(append([]byte{}, body...), ' '), "s1", webhook.ErrNoMatch},
		{"wrong secret", signed(now, "s1"), body, "s2", webhook.ErrNoMatch},
		{"two v1, neither secret", signed(now, "new", "old"), body, "other", webhook.ErrNoMatch},
		{"timestamp changed", strings.Replace(signed(now, "s1"), "t=1700000000", "t=1700000001", 1), body, "s1", webhook.ErrNoMatch},
		{"v1 not hex", "t=1700000000,v1=zz", body, "s1", webhook.ErrNoMatch},
		{"old timestamp", signed(now.Add(-6*time.Minute), "s1"), body, "s1", webhook.ErrTimestamp},
		{"timestamp in the future", signed(now.Add(6*time.Minute), "s1"), body, "s1", webhook.ErrTimestamp},
		{"empty header", "", body, "s1", webhook.ErrMalformedHeader},
		{"no timestamp", "v1=" + strings.Repeat("ab", 32), body, "s1", webhook.ErrMalformedHeader},
		{"no signature", "t=1700000000", body, "s1", webhook.ErrMalformedHeader},
		{"timestamp not a number", "t=soon,v1=ab", body, "s1", webhook.ErrMalformedHeader},
		{"two timestamps", "t=1,t=1700000000,v1=ab", body, "s1", webhook.ErrMalformedHeader},
		{"garbage", "sha256=deadbeef;t:1", body, "s1", webhook.ErrMalformedHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.Verify(tt.header, tt.body, tt.secret, webhook.DefaultTolerance, now)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("Verify(%q) = %v, want nil", tt.header, err)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify(%q) = %v, want %v", tt.header, err, tt.wantErr)
			}
		})
	}
}
