package secret

import (
	"strings"
	"testing"
)

// FuzzParseToken checks that ParseToken never panics, that a token from
// NewToken parses back to its owner and hash, and that whatever ParseToken
// accepts is an owner and a 43-character secret part.
func FuzzParseToken(f *testing.F) {
	good, _ := NewToken("s_abc")
	f.Add("s_abc", good)
	f.Add("", "")
	f.Add("a.b", "s_abc."+strings.Repeat("A", 43))
	f.Add(strings.Repeat("o", 64), strings.Repeat("o", 65)+"."+strings.Repeat("_", 43))
	f.Add("é", "s_abc."+strings.Repeat("A", 42)+"=")
	f.Add("s_x", "s_x."+strings.Repeat("-", 42)+"B")
	f.Add("\x00", ".."+strings.Repeat("A", 42))
	f.Fuzz(func(t *testing.T, owner, token string) {
		if owner != "" && len(owner) <= 64 && !strings.Contains(owner, ".") {
			tok, hash := NewToken(owner)
			gotOwner, gotHash, ok := ParseToken(tok)
			if !ok || gotOwner != owner || !TokenIn(gotHash, []string{hash}) {
				t.Fatalf("ParseToken(NewToken(%q)) = %q, %q, %v; want %q, %q, true", owner, gotOwner, gotHash, ok, owner, hash)
			}
		}
		gotOwner, gotHash, ok := ParseToken(token)
		if !ok {
			if gotOwner != "" || gotHash != "" {
				t.Fatalf("ParseToken(%q) refuses it but returns %q, %q", token, gotOwner, gotHash)
			}
			return
		}
		prefix, s, _ := strings.Cut(token, ".")
		if len(s) != 43 || gotOwner != prefix || gotOwner == "" || len(gotOwner) > 64 || strings.Contains(gotOwner, ".") {
			t.Fatalf("ParseToken(%q) accepts owner %q, secret part of %d characters", token, gotOwner, len(s))
		}
		if gotHash != Hash(s) {
			t.Fatalf("ParseToken(%q) hash %q; want %q", token, gotHash, Hash(s))
		}
	})
}
