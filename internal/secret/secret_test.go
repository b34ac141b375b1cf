package secret

import (
	"strings"
	"testing"
)

func TestTokenRoundTrip(t *testing.T) {
	token, hash := NewToken("s_abc")
	owner, got, ok := ParseToken(token)
	if !ok || owner != "s_abc" || !TokenIn(got, []string{hash}) {
		t.Fatalf("ParseToken(%q) = %q, %q, %v; want s_abc, a hash matching %q, true", token, owner, got, ok, hash)
	}
	if len(hash) != 22 {
		t.Fatalf("stored hash %q is %d characters, want 22 (128 bits in base64url)", hash, len(hash))
	}
	other, otherHash := NewToken("s_abc")
	if other == token {
		t.Fatal("two tokens are equal")
	}
	if TokenIn(got, []string{otherHash}) {
		t.Fatal("a token matches another token's hash")
	}
}

// TestTokenInWholeHashes: links sent before stored hashes were shortened
// keep working, and no shorter or altered hash matches.
func TestTokenInWholeHashes(t *testing.T) {
	token, short := NewToken("s_abc")
	_, hash, _ := ParseToken(token)
	if !TokenIn(hash, []string{"0123", hash}) || !TokenIn(hash, []string{short}) {
		t.Fatal("a token's whole or short hash does not match it")
	}
	flip := func(s string) string {
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	for _, stored := range [][]string{nil, {""}, {hash[:16]}, {hash[:32]}, {short[:21]}, {flip(short)}, {flip(hash)}} {
		if TokenIn(hash, stored) {
			t.Errorf("TokenIn matches stored %q", stored)
		}
	}
}

func TestParseTokenRejects(t *testing.T) {
	good, _ := NewToken("s_abc")
	_, secretPart, _ := strings.Cut(good, ".")
	for _, token := range []string{
		"", "s_abc", ".", "s_abc." + secretPart[:42], "s_abc." + secretPart + "x",
		"." + secretPart, "s_abc." + strings.Repeat("!", 43),
		strings.Repeat("a", 65) + "." + secretPart,
	} {
		if _, _, ok := ParseToken(token); ok {
			t.Errorf("ParseToken(%q) ok, want rejected", token)
		}
	}
}

func TestNewIDUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID("s")
		if seen[id] || !strings.HasPrefix(id, "s_") || len(id) != 18 {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func TestAPIKeyHash(t *testing.T) {
	key, hash := NewAPIKey()
	if !strings.HasPrefix(key, "cl_") || Hash(key) != hash || strings.Contains(hash, key) {
		t.Fatalf("key %q hash %q", key, hash)
	}
}
