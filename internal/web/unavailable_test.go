package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestUnreachableStoreIsUnavailable: a DynamoDB that cannot be reached (the
// SDK's error keeps the refused connection inside, after its retries)
// answers 503 unavailable with Retry-After, never 500, and no internal text.
func TestUnreachableStoreIsUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"refused", fmt.Errorf("get survey: operation error DynamoDB: GetItem, exceeded maximum number of attempts, 3: %w", refused), http.StatusServiceUnavailable},
		{"joined with the retry quota", fmt.Errorf("put: %w", errors.Join(refused, errors.New("retry quota exceeded"))), http.StatusServiceUnavailable},
		{"plain failure", errors.New("marshal: bad value"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Status(tt.err); got != tt.want {
				t.Fatalf("Status = %d, want %d", got, tt.want)
			}
			rec := httptest.NewRecorder()
			Error(rec, httptest.NewRequest("GET", "/v1/summary", nil), tt.err)
			if rec.Code != tt.want {
				t.Fatalf("Error wrote %d, want %d", rec.Code, tt.want)
			}
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(rec.Body.String(), "dial") || strings.Contains(rec.Body.String(), "marshal") {
				t.Errorf("the body shows internal text: %s", rec.Body)
			}
			if tt.want != http.StatusServiceUnavailable {
				return
			}
			if body.Error.Code != "unavailable" || rec.Header().Get("Retry-After") == "" {
				t.Errorf("code %q, Retry-After %q; want unavailable with Retry-After", body.Error.Code, rec.Header().Get("Retry-After"))
			}
		})
	}
}
