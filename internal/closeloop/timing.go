package closeloop

import (
	"time"
)

// When a survey is asked (settings survey_after, max_wait_days,
// on_no_event, send_window). A store may count the survey's delay from
// the order's fulfilment or delivery instead of its purchase: the survey
// then waits as pending until the event comes, and at purchase +
// max_wait_days without it is sent or expired. Surveys and reminders go
// out only inside the store-local send window.

// What a survey's delay counts from (survey_after).
const (
	SurveyAfterPurchase    = "purchase"
	SurveyAfterFulfillment = "fulfillment"
	SurveyAfterDelivery    = "delivery"
)

// What a pending survey does when its event never comes (on_no_event).
const (
	OnNoEventSend   = "send"
	OnNoEventExpire = "expire"
)

// Limits and defaults of the timing settings.
const (
	DefaultMaxWaitDays = 21
	MaxMaxWaitDays     = 90
	// MaxEventAhead is how far past now an order's event time may lie:
	// clocks of shops and of this service differ a little, never by more.
	MaxEventAhead = time.Hour
)

// SendWindow is the store-local time of day surveys are sent in: from
// From (inclusive) to To (exclusive), "HH:MM" each, To up to "24:00".
// From must come before To: an overnight window is refused, as the window
// exists to keep emails out of the night. "00:00"–"24:00" is any hour; a
// survey from before the setting has no window and is sent at any hour.
type SendWindow struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// DefaultSendWindow is a new store's window: local daytime.
func DefaultSendWindow() SendWindow { return SendWindow{From: "09:00", To: "20:00"} }

// AnyHour is the window that sends at any hour.
func AnyHour() SendWindow { return SendWindow{From: "00:00", To: "24:00"} }

// clockMinutes reads "HH:MM" (00:00 to 24:00) as minutes after midnight.
func clockMinutes(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// bounds are the window's minutes after midnight; ok is false for a
// window that is not valid.
func (w SendWindow) bounds() (from, to int, ok bool) {
	from, okFrom := clockMinutes(w.From)
	to, okTo := clockMinutes(w.To)
	return from, to, okFrom && okTo && from < to
}

func (w SendWindow) valid() bool {
	_, _, ok := w.bounds()
	return ok
}

// Next is the first time at or after t inside the window, in the time
// zone loc: t itself when it is inside, else the window's next opening.
// A window that is not valid (none, on a survey from before) is any hour.
func (w SendWindow) Next(t time.Time, loc *time.Location) time.Time {
	from, to, ok := w.bounds()
	if !ok || (from == 0 && to == 24*60) {
		return t
	}
	local := t.In(loc)
	y, m, d := local.Date()
	open := time.Date(y, m, d, from/60, from%60, 0, 0, loc)
	close := time.Date(y, m, d, to/60, to%60, 0, 0, loc)
	switch {
	case t.Before(open):
		return open.UTC()
	case t.Before(close):
		return t
	}
	return time.Date(y, m, d+1, from/60, from%60, 0, 0, loc).UTC()
}

// validateTiming adds the timing settings' problems to p.
func (s Settings) validateTiming(p Problems) {
	switch s.SurveyAfter {
	case SurveyAfterPurchase, SurveyAfterFulfillment, SurveyAfterDelivery:
	default:
		p.Add("survey_after", "must be purchase, fulfillment or delivery")
	}
	if s.MaxWaitDays < 1 || s.MaxWaitDays > MaxMaxWaitDays {
		p.Add("max_wait_days", rangeProblem(1, MaxMaxWaitDays))
	}
	switch s.OnNoEvent {
	case OnNoEventSend, OnNoEventExpire:
	default:
		p.Add("on_no_event", "must be send or expire")
	}
	from, okFrom := clockMinutes(s.SendWindow.From)
	_, okTo := clockMinutes(s.SendWindow.To)
	if !okFrom || from == 24*60 {
		p.Add("send_window.from", "must be a time of day such as 09:00")
	}
	if !okTo {
		p.Add("send_window.to", "must be a time of day such as 20:00, or 24:00 for midnight")
	}
	if okFrom && okTo && !s.SendWindow.valid() {
		p.Add("send_window", "must end after it starts, on the same day (00:00 to 24:00 is any hour)")
	}
}

// MaxWait is how long after a purchase a survey waits for its event.
func (s Settings) MaxWait() time.Duration {
	return time.Duration(s.MaxWaitDays) * 24 * time.Hour
}

// Satisfies reports whether an order event of type e is the one a survey
// timed after (survey_after) waits for: a delivery also means the order
// was fulfilled.
func Satisfies(after string, e OrderEventType) bool {
	switch after {
	case SurveyAfterFulfillment:
		return e == OrderFulfilled || e == OrderDelivered
	case SurveyAfterDelivery:
		return e == OrderDelivered
	}
	return false
}

// EventTime is the time of the event a survey timed after (survey_after)
// waits for, as the order or survey knows it, or nil.
func EventTime(after string, fulfilledAt, deliveredAt *time.Time) *time.Time {
	switch after {
	case SurveyAfterFulfillment:
		if fulfilledAt != nil {
			return fulfilledAt
		}
		return deliveredAt
	case SurveyAfterDelivery:
		return deliveredAt
	}
	return nil
}

// Validate checks an order event before the order is known: its type,
// and a time that is not in the future.
func (e OrderEvent) Validate(now time.Time) Problems {
	p := Problems{}
	if e.Type != OrderFulfilled && e.Type != OrderDelivered {
		p.Add("type", "must be fulfilled or delivered")
	}
	if e.At.IsZero() {
		p.Add("at", "is required (RFC 3339, e.g. 2026-11-20T10:00:00Z)")
	} else if e.At.After(now.Add(MaxEventAhead)) {
		p.Add("at", "must not be in the future")
	}
	return p
}

// Location is the survey's store's time zone (copied with its policy),
// UTC when it has none or it cannot be loaded.
func (s Survey) Location() *time.Location {
	if s.Policy.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.Policy.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// NextSend is the first time at or after t the survey may be emailed:
// inside its send window.
func (s Survey) NextSend(t time.Time) time.Time {
	if s.SendWindow == nil {
		return t
	}
	return s.SendWindow.Next(t, s.Location())
}

// WithEvent returns the survey with the order event e applied, and
// whether that changes it. The event is recorded on the survey once per
// type (the same event again changes nothing; a fulfilment after the
// delivery changes nothing); a pending survey waiting for it becomes
// scheduled, sent set's delay after the event (at once when that has
// passed) inside its send window, or expired when the event is older than
// the survey's answer window (too old to ask about). A survey in any
// other status keeps it.
func (s Survey) WithEvent(e OrderEvent, set Settings, now time.Time) (Survey, bool) {
	at := e.At.UTC().Truncate(time.Millisecond)
	switch {
	case e.Type == OrderFulfilled && (s.FulfilledAt != nil || s.DeliveredAt != nil):
		return s, false
	case e.Type == OrderDelivered && s.DeliveredAt != nil:
		return s, false
	case e.Type == OrderFulfilled:
		s.FulfilledAt = &at
	case e.Type == OrderDelivered:
		s.DeliveredAt = &at
	default:
		return s, false
	}
	if s.Status != StatusPending || !Satisfies(s.SurveyAfter, e.Type) {
		return s, true
	}
	span := s.ClosesAt.Sub(s.SendAt) // the answer window, as the survey was created
	if now.Sub(at) > span {
		s.Status = StatusExpired
		return s, true
	}
	sendAt := at.Add(set.SurveyDelay())
	if sendAt.Before(now) {
		sendAt = now
	}
	s.Status = StatusScheduled
	s.SendAt = s.NextSend(sendAt).Truncate(time.Second)
	s.ClosesAt = s.SendAt.Add(span)
	return s, true
}

// validateEvents checks the order's fulfilment and delivery times: not
// before the purchase, not in the future.
func (o *Order) validateEvents(now time.Time, p Problems) {
	for field, at := range map[string]*time.Time{"fulfilled_at": o.FulfilledAt, "delivered_at": o.DeliveredAt} {
		switch {
		case at == nil:
		case at.IsZero():
			p.Add(field, "must be an RFC 3339 time, e.g. 2026-11-22T10:00:00Z")
		case at.After(now.Add(MaxEventAhead)):
			p.Add(field, "must not be in the future")
		case !o.PurchasedAt.IsZero() && at.Before(o.PurchasedAt):
			p.Add(field, "must not be before purchased_at")
		}
	}
}

// EarlyEvents are an order's events that came before the order itself (a
// shop's fulfilment webhook before its order webhook), kept until it is
// posted. Creating a survey that lacks them fails with them as the error,
// and the survey is made again with them (survey.Service.Ingest).
type EarlyEvents struct {
	FulfilledAt *time.Time
	DeliveredAt *time.Time
}

func (e *EarlyEvents) Error() string { return "the order's events came before it" }

// Apply gives the order the early events it lacks; one dated before the
// purchase counts as at the purchase (the order's own times stand).
func (e *EarlyEvents) Apply(o Order) Order {
	for _, f := range []struct{ early, own **time.Time }{{&e.FulfilledAt, &o.FulfilledAt}, {&e.DeliveredAt, &o.DeliveredAt}} {
		if *f.early == nil || *f.own != nil {
			continue
		}
		at := **f.early
		if at.Before(o.PurchasedAt) {
			at = o.PurchasedAt
		}
		*f.own = &at
	}
	return o
}

// WaitsForEvent reports whether a survey's timing waits for its order's
// fulfilment or delivery (settings survey_after).
func WaitsForEvent(after string) bool {
	return after == SurveyAfterFulfillment || after == SurveyAfterDelivery
}
