// Package secret makes the random identifiers and credentials of the
// product: IDs, survey and unsubscribe link tokens, and API keys. Only the
// hashes of credentials are ever stored.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns prefix followed by 80 random bits, e.g. "s_k3j…". IDs are
// not credentials; they only need to be unique.
func NewID(prefix string) string {
	return prefix + "_" + idEncoding.EncodeToString(random(10))
}

// NewToken returns a link token bound to owner (a survey ID, say) and the
// hash to store. The token is owner + "." + 256 random bits; the stored
// hash is the first 128 bits of its secret part's SHA-256, in unpadded
// base64url (22 characters): finding a secret with a given 128-bit hash
// takes 2^128 tries, and the survey item keeps four of them (two emails'
// survey and unsubscribe links) within one kilobyte.
func NewToken(owner string) (token, hash string) {
	s := base64.RawURLEncoding.EncodeToString(random(32))
	return owner + "." + s, storedHash(Hash(s))
}

// storedHash is NewToken's stored form of a whole hash in hex.
func storedHash(hash string) string {
	sum, err := hex.DecodeString(hash[:32])
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// TokenIn reports whether hash, a token's as ParseToken returns it, is
// one of stored: NewToken's short hashes, or the whole hashes in hex it
// stored before (links already sent keep working). Each is compared in
// constant time.
func TokenIn(hash string, stored []string) bool {
	short := storedHash(hash)
	found := false
	for _, h := range stored {
		if Equal(h, hash) || short != "" && Equal(h, short) {
			found = true
		}
	}
	return found
}

// ParseToken splits a token into its owner and the hash of its secret part.
// ok is false for anything that cannot be a token.
func ParseToken(token string) (owner, hash string, ok bool) {
	owner, s, found := strings.Cut(token, ".")
	if !found || owner == "" || len(owner) > 64 || len(s) != 43 {
		return "", "", false
	}
	if _, err := base64.RawURLEncoding.DecodeString(s); err != nil {
		return "", "", false
	}
	return owner, Hash(s), true
}

// NewAPIKey returns an API key and the hash to store. Keys start with "cl_"
// so that secret scanners and people recognise them.
func NewAPIKey() (key, hash string) {
	key = "cl_" + base64.RawURLEncoding.EncodeToString(random(32))
	return key, Hash(key)
}

// NewKey returns 256 random bits in hex, for a signing key that is stored
// (a cursor key, say) rather than only its hash.
func NewKey() string { return hex.EncodeToString(random(32)) }

// Hash is the SHA-256 of s in hex. Tokens carry 256 random bits, so a fast
// hash is enough: there is nothing to brute-force.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Equal compares two hashes in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func random(n int) []byte {
	b := make([]byte, n)
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	return b
}
