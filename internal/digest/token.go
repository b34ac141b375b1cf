package digest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/lazy"
)

// tokenDomain separates the digest's unsubscribe signatures from anything
// else a store's key signs (its list cursors).
const tokenDomain = "closeloop digest-unsubscribe v1\x00"

// macLen is the signature's length in bytes: HMAC-SHA256 truncated to 128
// bits, as much as a forger would have to guess.
const macLen = 16

// hashLen is the length of an address hash in hex: 128 bits tell a
// store's few owners apart and keep the link short.
const hashLen = 32

var tokenEncoding = base64.RawURLEncoding.Strict()

// tokenPattern is store ID (stores.Create's form), address hash and
// signature, dot-separated: nothing else is read further.
var tokenPattern = lazy.Regexp(`^([a-z0-9][a-z0-9-]{1,62})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{22})$`)

// AddressHash is what an owner address is known by in a store's digest
// opt-outs and in its unsubscribe token, so that neither holds the
// address: 128 bits of the SHA-256 of the trimmed, lower-cased address.
func AddressHash(addr string) string {
	sum := sha256.Sum256([]byte(normalize(addr)))
	return hex.EncodeToString(sum[:])[:hashLen]
}

// normalize is the address as a store's customers are identified:
// trimmed and lower-cased.
func normalize(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }

// UnsubscribeToken returns the token of the link that turns the store's
// digest off for addr. ok is false when the store has no key of its own:
// a key derived from its ID would let anyone forge the link.
func UnsubscribeToken(store closeloop.Store, addr string) (token string, ok bool) {
	if store.CursorKey == "" {
		return "", false
	}
	hash := AddressHash(addr)
	return store.StoreID + "." + hash + "." + tokenEncoding.EncodeToString(tokenMAC(store, hash)), true
}

// parseToken splits a token into its store ID, address hash and
// signature; ok is false for anything that cannot be one.
func parseToken(token string) (storeID, hash string, mac []byte, ok bool) {
	m := tokenPattern().FindStringSubmatch(token)
	if m == nil {
		return "", "", nil, false
	}
	mac, err := tokenEncoding.DecodeString(m[3])
	if err != nil || len(mac) != macLen {
		return "", "", nil, false
	}
	return m[1], m[2], mac, true
}

// validToken reports whether mac signs hash for store, in constant time.
func validToken(store closeloop.Store, hash string, mac []byte) bool {
	return store.CursorKey != "" && hmac.Equal(mac, tokenMAC(store, hash))
}

// tokenMAC signs store ID and address hash with the store's key; the
// domain prefix keeps it from ever equalling a cursor's signature.
func tokenMAC(store closeloop.Store, hash string) []byte {
	h := hmac.New(sha256.New, []byte(store.CursorKey))
	h.Write([]byte(tokenDomain + store.StoreID + "\x00" + hash))
	return h.Sum(nil)[:macLen]
}
