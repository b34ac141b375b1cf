package secret

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestCredentialsCarry256Bits: a link token's secret part and an API key
// each decode to 32 bytes, and no byte is the same in every one of many:
// 256 random bits, nothing to guess.
func TestCredentialsCarry256Bits(t *testing.T) {
	const n = 500
	parts := map[string]func() string{
		"token":   func() string { tok, _ := NewToken("s_abc"); _, s, _ := strings.Cut(tok, "."); return s },
		"API key": func() string { key, _ := NewAPIKey(); return strings.TrimPrefix(key, "cl_") },
	}
	for name, next := range parts {
		var first []byte
		varies := make([]bool, 32)
		for range n {
			b, err := base64.RawURLEncoding.DecodeString(next())
			if err != nil || len(b) != 32 {
				t.Fatalf("%s: %d bytes (%v), want 32", name, len(b), err)
			}
			if first == nil {
				first = b
			}
			for i := range b {
				varies[i] = varies[i] || b[i] != first[i]
			}
		}
		for i, v := range varies {
			if !v {
				t.Errorf("%s: byte %d is the same in %d of them", name, i, n)
			}
		}
	}
}
