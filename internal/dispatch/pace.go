package dispatch

import (
	"context"
	"time"
)

// pacer spaces each store's sends at its maximum rate: a token bucket
// holding one token, refilled from the moment of the last send, so two
// sends are never closer than 1/rate even when a wait woke late.
type pacer struct {
	next map[string]time.Time // when each store may send next
}

func newPacer() *pacer { return &pacer{next: map[string]time.Time{}} }

// wait blocks until storeID may send at perSecond, or ctx ends.
func (p *pacer) wait(ctx context.Context, storeID string, perSecond float64) error {
	if perSecond <= 0 {
		return nil
	}
	if d := time.Until(p.next[storeID]); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
	}
	p.next[storeID] = time.Now().Add(time.Duration(float64(time.Second) / perSecond))
	return nil
}
