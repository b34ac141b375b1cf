package dispatch

import (
	"context"
	"time"
)

// pacer spaces each store's sends evenly at its maximum rate: a token
// bucket holding one token, so a run never bursts above the rate SES and
// the store's reputation allow.
type pacer struct {
	next map[string]time.Time // when each store may send next
}

func newPacer() *pacer { return &pacer{next: map[string]time.Time{}} }

// wait blocks until storeID may send at perSecond, or ctx ends.
func (p *pacer) wait(ctx context.Context, storeID string, perSecond float64) error {
	if perSecond <= 0 {
		return nil
	}
	now := time.Now()
	at := p.next[storeID]
	if at.Before(now) {
		at = now
	}
	p.next[storeID] = at.Add(time.Duration(float64(time.Second) / perSecond))
	if d := at.Sub(now); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
	}
	return nil
}
