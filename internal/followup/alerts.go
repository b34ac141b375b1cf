package followup

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/slack"
)

// Slack posts a message to a store's incoming webhook once per kind and
// about (slack.Poster).
type Slack interface {
	Post(ctx context.Context, storeID, hookURL, kind, about string, m slack.Message) (mailing.Result, error)
}

// HourlyAlerts keeps each store's list of new cases for its hourly alert.
// The DynamoDB adapter implements it with one item per store and hour,
// due in the "due" index at the hour's end: no scan.
type HourlyAlerts interface {
	// QueueHourlyAlert lists a case in the store's alert of the hour of
	// at, once however often it is called.
	QueueHourlyAlert(ctx context.Context, storeID, caseID string, at time.Time) error
	DueHourlyAlerts(ctx context.Context, now time.Time, limit int) ([]closeloop.HourlyAlert, error)
	// MarkHourlyAlertSent reports false when another run marked it.
	MarkHourlyAlertSent(ctx context.Context, a closeloop.HourlyAlert, at time.Time) (bool, error)
}

// WithAlerts gives the worker the Slack channel and the hourly lists, with
// now the clock; without them a worker alerts by email only, each case at
// once.
func (w *Worker) WithAlerts(slack Slack, hourly HourlyAlerts, now func() time.Time) *Worker {
	w.slack, w.hourly, w.now = slack, hourly, now
	return w
}

// alertOpened alerts support of new case c when the store's filter picks
// it: at once by email and Slack, or in hourly mode by listing it for the
// store's next hourly alert.
func (w *Worker) alertOpened(ctx context.Context, c closeloop.Case, store closeloop.Store) error {
	if !store.Settings.Alerts(c) {
		slog.InfoContext(ctx, "new case not alerted: the store's alert filter leaves it out", "case_id", c.CaseID, "alert_on", store.Settings.AlertOn)
		return nil
	}
	if store.Settings.Hourly() && w.hourly != nil {
		return w.hourly.QueueHourlyAlert(ctx, c.StoreID, c.CaseID, w.now())
	}
	data := render.NewSupportAlert(c, store.Settings.Branding, store.Settings.DefaultLocale, render.CaseURL(w.cfg.PublicBaseURL, c.CaseID))
	return errors.Join(
		w.alert(ctx, c, store, data, closeloop.KindSupportAlert, c.CaseID),
		w.slackAlert(ctx, store, data.Slack(), closeloop.KindSlackAlert, c.CaseID),
	)
}

// slackAlert posts m to the store's Slack webhook, when it has one.
func (w *Worker) slackAlert(ctx context.Context, store closeloop.Store, m slack.Message, kind, about string) error {
	if w.slack == nil || store.Settings.SlackWebhookURL == "" {
		return nil
	}
	result, err := w.slack.Post(ctx, store.StoreID, store.Settings.SlackWebhookURL, kind, about, m)
	if result == mailing.Rejected {
		// Slack refused the webhook for good (revoked, mistyped): retrying
		// cannot help, and the emails went out.
		slog.WarnContext(ctx, "slack refused the store's webhook: alert not posted", "store_id", store.StoreID, "kind", kind, "err", err)
		return nil
	}
	return err
}

// hourlyBatch is the most hourly alerts per due shard one run sends.
const hourlyBatch = 50

// HourlyReport counts what one run of the hourly alerts did.
type HourlyReport struct {
	Sent   int `json:"sent"`   // stores' hourly alerts sent now
	Failed int `json:"failed"` // left for the next run
}

// SendHourlyAlerts sends each store's hourly alert whose hour is over: one
// email per support address and one Slack message, listing the cases
// queued in the hour, each at most once per store and hour however often
// it runs.
func (w *Worker) SendHourlyAlerts(ctx context.Context) (HourlyReport, error) {
	var rep HourlyReport
	if w.hourly == nil {
		return rep, nil
	}
	now := w.now()
	due, err := w.hourly.DueHourlyAlerts(ctx, now, hourlyBatch)
	if err != nil {
		return rep, err
	}
	for _, a := range due {
		if err := w.sendHourly(ctx, a, now); err != nil {
			rep.Failed++
			slog.ErrorContext(ctx, "hourly alert failed", "store_id", a.StoreID, "hour", a.Hour, "err", err)
			continue
		}
		rep.Sent++
	}
	return rep, nil
}

func (w *Worker) sendHourly(ctx context.Context, a closeloop.HourlyAlert, now time.Time) error {
	store, err := w.stores.Store(ctx, a.StoreID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		_, err := w.hourly.MarkHourlyAlertSent(ctx, a, now) // nobody to alert
		return err
	}
	if err != nil {
		return err
	}
	var cases []closeloop.Case
	total := 0
	for _, id := range a.CaseIDs {
		if len(cases) >= render.MaxHourlyCases {
			total++
			continue
		}
		c, err := w.cases.Case(ctx, a.StoreID, id)
		if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
			continue // erased since
		}
		if err != nil {
			return err
		}
		cases = append(cases, c)
		total++
	}
	if total > 0 {
		alert := render.NewHourlyAlert(store, a.Hour, cases, total, w.cfg.PublicBaseURL)
		if err := errors.Join(w.hourlyEmails(ctx, store, a, alert), w.slackAlert(ctx, store, alert.Slack(), closeloop.KindSlackHourlyAlert, a.About())); err != nil {
			return err
		}
	}
	_, err = w.hourly.MarkHourlyAlertSent(ctx, a, now)
	return err
}

// hourlyEmails sends the hourly alert to each support address.
func (w *Worker) hourlyEmails(ctx context.Context, store closeloop.Store, a closeloop.HourlyAlert, alert render.HourlyAlert) error {
	email, err := w.renderer.RenderEmail(alert)
	if err != nil {
		return err
	}
	var errs []error
	for _, addr := range store.Settings.SupportAddresses() {
		m := closeloop.Message{From: store.From(w.cfg.DefaultSender), To: addr, Subject: email.Subject, HTML: email.HTML, Text: email.Text}
		result, err := w.mail.Send(ctx, mailing.Email{StoreID: store.StoreID, Kind: closeloop.KindHourlyAlert, About: a.About(), Message: m})
		if err == nil && result != mailing.Sent {
			slog.InfoContext(ctx, "hourly alert email not sent", "store_id", store.StoreID, "result", result.String())
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
