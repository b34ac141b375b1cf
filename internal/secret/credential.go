package secret

import "encoding/base64"

// NewCredential returns 256 random bits, URL-safe (a sign-in link's token,
// a session cookie), and the hash to store.
func NewCredential() (value, hash string) {
	value = base64.RawURLEncoding.EncodeToString(random(32))
	return value, Hash(value)
}
