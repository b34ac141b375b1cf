package dispatch

import (
	"context"
	"time"
)

// pace is one sender's spacing at a maximum rate: a token bucket holding
// one token, refilled from the start of the last send, so two sends are
// never closer than 1/rate even when a wait woke late. Each store has one
// and the account one more, shared by every store.
type pace struct {
	interval time.Duration // 0: no limit
	next     time.Time     // when the next send may start
}

func newPace(perSecond float64) pace {
	if perSecond <= 0 {
		return pace{}
	}
	return pace{interval: time.Duration(float64(time.Second) / perSecond)}
}

// sent records a send that started at start.
func (p *pace) sent(start time.Time) {
	if p.interval > 0 {
		p.next = start.Add(p.interval)
	}
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// sleepUntil waits until at, or until ctx ends.
func sleepUntil(ctx context.Context, at time.Time) error {
	d := time.Until(at)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
