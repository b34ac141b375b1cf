package closeloop

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMaskEmail(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"anna.berg@example.com", "a•••@example.com"},
		{"a@example.com", "a•••@example.com"},
		{"ö+x@example.com", "••••@example.com"},
		{"@example.com", ErasedMask},
		{"no-at-sign", ErasedMask},
		{"trailing@", ErasedMask},
		{"", ErasedMask},
	} {
		if got := MaskEmail(tt.in); got != tt.want {
			t.Errorf("MaskEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSuppressionJSON: both email and masked are always present, exactly
// one of them null.
func TestSuppressionJSON(t *testing.T) {
	at := time.Date(2026, 11, 20, 18, 3, 27, 514e6, time.FixedZone("CET", 3600))
	live := NewSuppression("anna.berg@example.com", SuppressedBounced, at)
	for _, tt := range []struct {
		s    Suppression
		want string
	}{
		{live, `{"email":"anna.berg@example.com","masked":null,"reason":"bounced","suppressed_at":"2026-11-20T17:03:27.514Z"}`},
		{live.Mask(), `{"email":null,"masked":"a•••@example.com","reason":"bounced","suppressed_at":"2026-11-20T17:03:27.514Z"}`},
		{live.Mask().Mask(), `{"email":null,"masked":"a•••@example.com","reason":"bounced","suppressed_at":"2026-11-20T17:03:27.514Z"}`},
		{MaskedSuppression("", SuppressedComplained, at), `{"email":null,"masked":"erased","reason":"complained","suppressed_at":"2026-11-20T17:03:27.514Z"}`},
	} {
		b, err := json.Marshal(tt.s)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("JSON %s, want %s", b, tt.want)
		}
	}
}
