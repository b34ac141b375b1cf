package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries a delivery's timestamp and signatures:
// "t=<unix seconds>,v1=<hex>[,v1=<hex>]".
const SignatureHeader = "Closeloop-Signature"

// DefaultTolerance is how far a delivery's timestamp may be from the
// receiver's clock: wide enough for clock skew and a slow network, narrow
// enough that a captured request cannot be replayed for long.
const DefaultTolerance = 5 * time.Minute

// secretPrefix marks a webhook signing secret, so one is recognised when
// it is pasted into the wrong place (and by secret scanners).
const secretPrefix = "whsec_"

// The errors Verify wraps; test for them with errors.Is.
var (
	// ErrMalformedHeader means the header is missing, or it has no
	// timestamp or no v1 signature.
	ErrMalformedHeader = errors.New("webhook: malformed " + SignatureHeader + " header")
	// ErrNoMatch means no v1 signature matches the body with the secret:
	// the body was changed, or it was signed with another secret.
	ErrNoMatch = errors.New("webhook: no signature matches the body")
	// ErrTimestamp means the signature matches but was made too long ago
	// (or too far ahead): a replay, or a clock far off.
	ErrTimestamp = errors.New("webhook: timestamp outside the tolerance")
)

// NewSecret returns a new signing secret: "whsec_" and 32 random bytes in
// unpadded base64url. The whole string, prefix included, is the HMAC key.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never returns an error: it crashes the program first
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// Sign returns the Closeloop-Signature value for body sent at t: the unix
// time and one v1 per secret, in the order given (current first), each the
// hex HMAC-SHA256 of "<t>.<body>" keyed with the secret.
func Sign(secrets []string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, secret := range secrets {
		b.WriteString(",v1=" + hex.EncodeToString(signature(secret, ts, body)))
	}
	return b.String()
}

func signature(secret, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// Verify checks a delivery as a receiver: header is the Closeloop-Signature
// value, body the raw request body, secret the store's current secret. It
// accepts when any v1 signature matches (compared in constant time) and the
// timestamp is within tolerance of now. The error wraps ErrMalformedHeader,
// ErrNoMatch or ErrTimestamp.
func Verify(header string, body []byte, secret string, tolerance time.Duration, now time.Time) error {
	ts, sigs, err := parseHeader(header)
	if err != nil {
		return err
	}
	want := signature(secret, ts, body)
	matched := false
	for _, sig := range sigs {
		got, err := hex.DecodeString(sig)
		// Every signature is compared, so the time taken does not tell
		// which one matched.
		if err == nil && hmac.Equal(got, want) {
			matched = true
		}
	}
	if !matched {
		return ErrNoMatch
	}
	// The timestamp is only trusted once a signature covering it matched.
	unix, _ := strconv.ParseInt(ts, 10, 64)
	if skew := now.Sub(time.Unix(unix, 0)).Abs(); skew > tolerance {
		return fmt.Errorf("%w: signed %v away from now, tolerance %v", ErrTimestamp, skew.Round(time.Second), tolerance)
	}
	return nil
}

// parseHeader returns the timestamp as sent and the v1 signatures. Other
// schemes (v0, a future v2) are skipped so that receivers keep working
// when one is added.
func parseHeader(header string) (ts string, v1 []string, err error) {
	if strings.TrimSpace(header) == "" {
		return "", nil, fmt.Errorf("%w: empty", ErrMalformedHeader)
	}
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", nil, fmt.Errorf("%w: %q is not key=value", ErrMalformedHeader, truncate(part))
		}
		switch k {
		case "t":
			if ts != "" {
				return "", nil, fmt.Errorf("%w: more than one t", ErrMalformedHeader)
			}
			if _, err := strconv.ParseInt(v, 10, 64); err != nil || v == "" {
				return "", nil, fmt.Errorf("%w: t is not a unix time", ErrMalformedHeader)
			}
			ts = v
		case "v1":
			v1 = append(v1, v)
		}
	}
	if ts == "" {
		return "", nil, fmt.Errorf("%w: no t", ErrMalformedHeader)
	}
	if len(v1) == 0 {
		return "", nil, fmt.Errorf("%w: no v1 signature", ErrMalformedHeader)
	}
	return ts, v1, nil
}

// truncate keeps error messages short when a header is garbage.
func truncate(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
