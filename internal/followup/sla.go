package followup

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/render"
)

// Overdue finds and marks the cases whose SLA alert is due. The DynamoDB
// adapter implements it with the "due" index: no scan.
type Overdue interface {
	OverdueCases(ctx context.Context, now time.Time, limit int) ([]closeloop.DueCase, error)
	MarkOverdueAlerted(ctx context.Context, due closeloop.DueCase, next time.Time) (bool, error)
	// RecordSLACheck notes when a check ran: stores' overdue counts are as
	// of it.
	RecordSLACheck(ctx context.Context, at time.Time) error
}

// SLAReport counts what one SLA check did.
type SLAReport struct {
	Due     int `json:"due"`     // unresolved cases past their due time or last alert's period
	Alerted int `json:"alerted"` // re-alerted now
	Skipped int `json:"skipped"` // changed since read (resolved, or alerted by another run)
	Failed  int `json:"failed"`  // left for the next check
	// Hourly is what the run did of the stores' hourly alerts of new
	// cases, which the SLA check sends once their hour is over.
	Hourly HourlyReport `json:"hourly_alerts"`
	// Rechecks is what the recovery check sender did in the same run.
	Rechecks RecheckReport `json:"rechecks"`
}

// Checker re-alerts support about overdue cases, once per SLA period per
// case for as long as the case stays unresolved.
type Checker struct {
	overdue Overdue
	w       *Worker
	now     func() time.Time
	// rechecks, when set, sends the due recovery checks in each run.
	rechecks *Rechecker
}

// NewChecker returns a Checker sending through the worker's mail path.
func NewChecker(overdue Overdue, w *Worker, now func() time.Time) *Checker {
	return &Checker{overdue: overdue, w: w, now: now}
}

// WithRechecks makes each run also send the recovery checks that are
// due (recheck.go): the SLA function's schedule serves both.
func (c *Checker) WithRechecks(r *Rechecker) *Checker {
	c.rechecks = r
	return c
}

// checkBatch is the most cases per SLA shard one check takes.
const checkBatch = 100

// Run re-alerts every case whose alert is due. One case's failure does not
// stop the others; it stays due for the next check.
func (c *Checker) Run(ctx context.Context) (SLAReport, error) {
	var rep SLAReport
	now := c.now()
	due, err := c.overdue.OverdueCases(ctx, now, checkBatch)
	if err != nil {
		return rep, err
	}
	rep.Due = len(due)
	stores := map[string]closeloop.Store{}
	for _, d := range due {
		if err := c.realert(ctx, d, stores, now, &rep); err != nil {
			rep.Failed++
			slog.ErrorContext(ctx, "overdue alert failed", "case_id", d.Case.CaseID, "err", err)
		}
	}
	var hourlyErr, recheckErr error
	rep.Hourly, hourlyErr = c.w.SendHourlyAlerts(ctx)
	if c.rechecks != nil {
		rep.Rechecks, recheckErr = c.rechecks.Run(ctx)
	}
	return rep, errors.Join(hourlyErr, c.overdue.RecordSLACheck(ctx, now), recheckErr)
}

func (c *Checker) realert(ctx context.Context, d closeloop.DueCase, stores map[string]closeloop.Store, now time.Time, rep *SLAReport) error {
	store, ok := stores[d.Case.StoreID]
	if !ok {
		var err error
		if store, err = c.w.stores.Store(ctx, d.Case.StoreID); err != nil {
			return err
		}
		stores[d.Case.StoreID] = store
	}
	// The index is eventually consistent: a case resolved a moment ago may
	// still be listed. Its item says.
	cs, err := c.w.cases.Case(ctx, d.Case.StoreID, d.Case.CaseID)
	if err != nil {
		return err
	}
	if cs.Status == closeloop.CaseResolved || cs.OverdueAlerts != d.Case.OverdueAlerts {
		rep.Skipped++
		return nil
	}
	alert := render.NewSupportAlert(cs, store.Settings.Branding, store.Settings.DefaultLocale, render.CaseURL(c.w.cfg.PublicBaseURL, cs.CaseID)).
		AsOverdue(cs.DueBy, cs.OverdueAlerts)
	// The alert's number is in its key: a check retried after a crash
	// sends the same alert at most once.
	about := cs.CaseID + "#" + strconv.Itoa(cs.OverdueAlerts+1)
	// It goes through whatever the store's alert filter and mode: to the
	// support addresses and to Slack.
	if err := errors.Join(c.w.alert(ctx, cs, store, alert, closeloop.KindOverdueAlert, about),
		c.w.slackAlert(ctx, store, alert.Slack(), closeloop.KindSlackOverdueAlert, about)); err != nil {
		return err
	}
	alerted, err := c.overdue.MarkOverdueAlerted(ctx, d, now.Add(cs.Policy.SLA()))
	switch {
	case err != nil:
		return err
	case alerted:
		rep.Alerted++
	default:
		rep.Skipped++
	}
	return nil
}
