package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/webhook"
)

// storeSecret is the store's signing secret, as POST /v1/settings/webhook-secret
// showed it once.
const storeSecret = "whsec_example-only-not-a-real-secret"

// handleWebhook is a store's webhook endpoint: it verifies the signature with
// the standard library only, then handles the event.
func handleWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || !validSignature(r.Header.Get("Closeloop-Signature"), body, time.Now()) {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	// Handle the event here, skipping an id already seen: delivery is at
	// least once.
	w.WriteHeader(http.StatusOK)
}

// validSignature reports whether any v1 in the header is the HMAC-SHA256 of
// "<t>.<body>" under the store's secret, with t less than 5 minutes from now.
func validSignature(header string, body []byte, now time.Time) bool {
	var t string
	var v1 []string
	for _, part := range strings.Split(header, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch key {
		case "t":
			t = value
		case "v1":
			v1 = append(v1, value)
		}
	}
	unix, err := strconv.ParseInt(t, 10, 64)
	if err != nil || now.Sub(time.Unix(unix, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(storeSecret))
	mac.Write([]byte(t + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range v1 {
		if got, err := hex.DecodeString(sig); err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

func Example_receiver() {
	body := []byte(`{"id":"evt_1","type":"response.created","created_at":"2026-03-01T12:00:00Z","store_id":"shop","data":{}}`)
	send := func(body []byte, header string) int {
		req := httptest.NewRequest(http.MethodPost, "/closeloop", strings.NewReader(string(body)))
		req.Header.Set("Closeloop-Signature", header)
		rec := httptest.NewRecorder()
		handleWebhook(rec, req)
		return rec.Code
	}
	now := time.Now()
	fmt.Println("genuine:", send(body, webhook.Sign([]string{storeSecret}, now, body)))
	fmt.Println("after a rotation:", send(body, webhook.Sign([]string{"whsec_new", storeSecret}, now, body)))
	fmt.Println("tampered:", send([]byte(strings.Replace(string(body), "shop", "shop2", 1)), webhook.Sign([]string{storeSecret}, now, body)))
	fmt.Println("replayed an hour later:", send(body, webhook.Sign([]string{storeSecret}, now.Add(-time.Hour), body)))
	// Output:
	// genuine: 200
	// after a rotation: 200
	// tampered: 401
	// replayed an hour later: 401
}
