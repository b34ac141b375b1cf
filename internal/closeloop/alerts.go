package closeloop

import (
	"slices"
	"time"
)

// Alerts of new cases (issue "close the loop", item 5): which cases alert
// support (alert_on), and whether each alerts at once or is listed in the
// store's hourly alert (alert_mode). The overdue re-alert ignores both.

// Kinds of alert besides the emails': Slack messages are delivered at most
// once under the same records (Delivery with no recipient to suppress).
const (
	KindHourlyAlert       = "hourly_alert"        // the email listing an hour's new cases
	KindSlackAlert        = "slack_alert"         // a new case, to Slack
	KindSlackOverdueAlert = "slack_overdue_alert" // an overdue case, to Slack
	KindSlackHourlyAlert  = "slack_hourly_alert"  // an hour's new cases, to Slack
)

// HourlyAlertDelay is how long after its hour ends an hourly alert is due:
// a case queued in the last moments of the hour (its transaction still
// under way) is in the list when it is read.
const HourlyAlertDelay = time.Minute

// Alerts reports whether new case c alerts support under the store's
// filter: every case, only those scored at most alert_max_score, or only
// those a keyword rule opened.
func (s Settings) Alerts(c Case) bool {
	switch s.AlertOn {
	case AlertOnScore:
		return c.Score <= s.AlertMaxScore
	case AlertOnKeyword:
		return slices.Contains(c.OpenReasons, OpenedKeyword)
	}
	return true
}

// Hourly reports whether the store's new cases are listed in one alert an
// hour rather than alerted one by one.
func (s Settings) Hourly() bool { return s.AlertMode == AlertHourly }

// AlertHour is the hour (UTC) whose hourly alert lists a case queued at t.
func AlertHour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// HourlyAlert is one store's list of the cases queued in an hour, due to
// be sent once the hour is over. Mark is the storage's opaque mark of the
// list as read.
type HourlyAlert struct {
	StoreID string
	Hour    time.Time
	CaseIDs []string
	Mark    string
}

// About names the hourly alert in its deliveries: one per store and hour.
func (a HourlyAlert) About() string {
	return a.StoreID + "#" + a.Hour.UTC().Format("2006-01-02T15")
}
