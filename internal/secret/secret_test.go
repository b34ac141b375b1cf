package secret

import (
	"strings"
	"testing"
)

func TestTokenRoundTrip(t *testing.T) {
	token, hash := NewToken("s_abc")
	owner, got, ok := ParseToken(token)
	if !ok || owner != "s_abc" || !Equal(got, hash) {
		t.Fatalf("ParseToken(%q) = %q, %q, %v; want s_abc, %q, true", token, owner, got, ok, hash)
	}
	other, _ := NewToken("s_abc")
	if other == token {
		t.Fatal("two tokens are equal")
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
