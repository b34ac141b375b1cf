package cursor

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// MaxLen is the longest cursor Decode reads: list keys are far shorter,
// and a bound keeps a hostile query string from costing work.
const MaxLen = 2048

// macLen is the signature's length in bytes: HMAC-SHA256 truncated to 128
// bits, as long as a forger would have to guess.
const macLen = 16

// encoding is URL-safe, so a cursor needs no escaping in a query string,
// and strict, so that one payload has one spelling.
var encoding = base64.RawURLEncoding.Strict()

// domain separates cursor signatures from anything else a store's key
// could ever sign.
const domain = "closeloop cursor v1\x00"

// StoreKey returns the key that signs a store's cursors: its CursorKey.
// A store created before cursor keys existed has none until `storectl
// upgrade` gives it one; its cursors are signed with a key derived from
// its ID. Anyone who knows the ID can compute that key, so it only keeps
// such a store's cursors structurally valid (no typos or truncation get
// through); the partition check of each list is what keeps them inside
// the store meanwhile.
func StoreKey(storeID, cursorKey string) []byte {
	if cursorKey != "" {
		return []byte(cursorKey)
	}
	sum := sha256.Sum256([]byte(domain + "derived from store ID\x00" + storeID))
	return sum[:]
}

// Encode returns v as a cursor signed with key. v must marshal to JSON (a
// struct or map of strings, say) and key must not be empty: either
// failing is a programming error, so Encode panics.
func Encode(key []byte, v any) string {
	if len(key) == 0 {
		panic("cursor: Encode with an empty key")
	}
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("cursor: encode %T: %v", v, err))
	}
	payload := encoding.EncodeToString(data)
	return payload + "." + encoding.EncodeToString(sign(key, payload))
}

// Decode reads a cursor made by Encode with the same key into v. Anything
// else (tampered, truncated, signed with another store's key, oversized,
// or holding fields v does not have) is an EINVALID *closeloop.Error
// naming the cursor.
func Decode(key []byte, s string, v any) error {
	if len(key) == 0 {
		return errors.New("cursor: Decode with an empty key")
	}
	if len(s) > MaxLen {
		return invalid()
	}
	payload, sig, ok := strings.Cut(s, ".")
	if !ok {
		return invalid()
	}
	// The signature is checked before the payload is even decoded, in
	// constant time so that it cannot be found one byte at a time. Its
	// text is compared, not its decoded bytes: base64 ignores the spare
	// bits of the last character, so other spellings of one signature
	// would pass.
	if !hmac.Equal([]byte(sig), []byte(encoding.EncodeToString(sign(key, payload)))) {
		return invalid()
	}
	data, err := encoding.DecodeString(payload)
	if err != nil {
		return invalid()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil || dec.More() {
		return invalid()
	}
	return nil
}

func sign(key []byte, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(domain))
	h.Write([]byte(payload))
	return h.Sum(nil)[:macLen]
}

func invalid() error {
	return &closeloop.Error{Code: closeloop.EINVALID, Message: "the cursor is not valid",
		Fields: map[string]string{"cursor": "must be a next_cursor this list returned, unchanged"}}
}
