package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/slack"
	"github.com/closeloop/closeloop/internal/webhook"
)

// memDeliveries keeps delivery records in memory: this test is of the
// receiver, not of the table.
type memDeliveries struct {
	mu   sync.Mutex
	done map[string]bool
}

func (m *memDeliveries) BeginDelivery(_ context.Context, d closeloop.Delivery, _, _ time.Time) (closeloop.DeliveryStart, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done[d.Key] {
		return closeloop.DeliveryDone, nil
	}
	return closeloop.DeliveryBegun, nil
}

func (m *memDeliveries) EndDelivery(_ context.Context, key string, _ time.Time, _ bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done[key] = true
	return nil
}

func (m *memDeliveries) ReleaseDelivery(context.Context, string) error { return nil }

// syncBuffer is a bytes.Buffer safe to write from the receiver's handler.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSlackMessageReachesTheLocalReceiver: on make dev, the demo store's
// Slack alerts reach the receiver through the same client as deployed
// (https, loopback allowed only here), and it logs what Slack would show.
func TestSlackMessageReachesTheLocalReceiver(t *testing.T) {
	var out syncBuffer
	r, err := startSlackReceiver("127.0.0.1:0", &out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	poster := slack.New(&memDeliveries{done: map[string]bool{}}, webhook.ClientConfig{AllowLoopback: true, RootCAs: r.roots()}, time.Now)
	m := slack.NewMessage("[Demo] Unhappy customer: order demo-1001", slack.Section("*"+slack.Escape("A <customer>")+"*"))
	for range 2 {
		if _, err := poster.Post(context.Background(), "demo", r.URL(), closeloop.KindSlackAlert, "c_1", m); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Count(out.String(), "slack receiver: [Demo] Unhappy customer: order demo-1001 (1 blocks)"); got != 1 {
		t.Fatalf("the receiver logged the message %d times, want once:\n%s", got, out.String())
	}
	// Without loopback allowed, as deployed, the same URL is refused.
	deployed := slack.New(&memDeliveries{done: map[string]bool{}}, webhook.ClientConfig{RootCAs: r.roots()}, time.Now)
	if _, err := deployed.Post(context.Background(), "demo", r.URL(), closeloop.KindSlackAlert, "c_2", m); err == nil || !strings.Contains(err.Error(), "address_refused") {
		t.Fatalf("a deployed client posted to loopback: %v", err)
	}
	if result, _ := poster.Post(context.Background(), "demo", r.URL(), closeloop.KindSlackAlert, "c_1", m); result != mailing.Duplicate {
		t.Fatalf("a third post of one message: %v, want duplicate", result)
	}
}
