package apptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/webhook"
)

// Hooks is a store's webhook receiver for tests: an HTTPS server on
// loopback that records what it receives and can refuse the next few
// deliveries.
type Hooks struct {
	Server *httptest.Server
	mu     sync.Mutex
	got    []Delivery
	fail   int
}

// Delivery is one POST the receiver accepted or refused.
type Delivery struct {
	Body      string
	Signature string
	EventID   string
	Accepted  bool
	At        time.Time
}

func newHooks(t testing.TB) *Hooks {
	h := &Hooks{}
	h.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		d := Delivery{Body: string(body), Signature: r.Header.Get(webhook.SignatureHeader),
			EventID: r.Header.Get(webhook.EventIDHeader), Accepted: h.fail == 0, At: time.Now()}
		h.got = append(h.got, d)
		if !d.Accepted {
			h.fail--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Server.Close)
	return h
}

// URL is the receiver's webhook URL.
func (h *Hooks) URL() string { return h.Server.URL + "/hooks/closeloop" }

// FailNext makes the receiver refuse the next n deliveries with 503.
func (h *Hooks) FailNext(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail = n
}

// Deliveries returns every delivery so far, oldest first.
func (h *Hooks) Deliveries() []Delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Delivery(nil), h.got...)
}
