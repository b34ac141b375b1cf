package closeloop

import (
	"errors"
	"testing"
	"time"
)

func TestTimingSettingsValidation(t *testing.T) {
	for _, c := range []struct {
		field  string
		change func(*Settings)
	}{
		{"survey_after", func(s *Settings) { s.SurveyAfter = "" }},
		{"survey_after", func(s *Settings) { s.SurveyAfter = "shipping" }},
		{"max_wait_days", func(s *Settings) { s.MaxWaitDays = 0 }},
		{"max_wait_days", func(s *Settings) { s.MaxWaitDays = 91 }},
		{"on_no_event", func(s *Settings) { s.OnNoEvent = "remind" }},
		{"send_window.from", func(s *Settings) { s.SendWindow.From = "9:00" }},
		{"send_window.from", func(s *Settings) { s.SendWindow.From = " 9:00" }},
		{"send_window.from", func(s *Settings) { s.SendWindow.From = "+9:00" }},
		{"send_window.to", func(s *Settings) { s.SendWindow.To = "24:30" }},
		{"send_window.to", func(s *Settings) { s.SendWindow.To = "20:60" }},
		{"send_window", func(s *Settings) { s.SendWindow = SendWindow{From: "20:00", To: "06:00"} }}, // overnight
		{"send_window", func(s *Settings) { s.SendWindow = SendWindow{From: "09:00", To: "09:00"} }},
	} {
		s := DefaultSettings()
		c.change(&s)
		var e *Error
		if err := s.Validate(); !errors.As(err, &e) || e.Fields[c.field] == "" || len(e.Fields) != 1 {
			t.Errorf("%s: Validate() = %v, want one problem naming it", c.field, err)
		}
	}
	s := DefaultSettings()
	s.SurveyAfter, s.MaxWaitDays, s.OnNoEvent, s.SendWindow = SurveyAfterDelivery, 90, OnNoEventExpire, AnyHour()
	if err := s.Validate(); err != nil {
		t.Errorf("valid timing settings refused: %v", err)
	}
}

func TestSendWindowNext(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, berlin) }
	day := DefaultSendWindow()
	for _, tt := range []struct {
		window   SendWindow
		t, want  time.Time
		describe string
	}{
		{day, at(20, 3, 0), at(20, 9, 0), "3 a.m.: the same day's opening"},
		{day, at(20, 9, 0), at(20, 9, 0), "the opening itself"},
		{day, at(20, 19, 59), at(20, 19, 59), "inside"},
		{day, at(20, 20, 0), at(21, 9, 0), "the close: the next day's opening"},
		{day, at(20, 23, 30), at(21, 9, 0), "late: the next day's opening"},
		{AnyHour(), at(20, 3, 0), at(20, 3, 0), "any hour"},
		{SendWindow{}, at(20, 3, 0), at(20, 3, 0), "none (a survey from before)"},
		{SendWindow{From: "00:00", To: "06:00"}, at(20, 7, 0), at(21, 0, 0), "after an early window: midnight"},
		{SendWindow{From: "18:00", To: "24:00"}, at(20, 23, 59), at(20, 23, 59), "a window to midnight"},
	} {
		if got := tt.window.Next(tt.t, berlin); !got.Equal(tt.want) {
			t.Errorf("%s: Next(%s) = %s, want %s", tt.describe, tt.t, got.In(berlin), tt.want)
		}
	}
	// Across the change to summer time the opening is still 09:00 local.
	if got := day.Next(time.Date(2026, 3, 29, 1, 0, 0, 0, berlin), berlin); got.In(berlin).Hour() != 9 {
		t.Errorf("on the day clocks go forward: %s, want 09:00", got.In(berlin))
	}
}

func TestSurveyWithEvent(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	set := DefaultSettings()
	set.SurveyDelayHours = 48
	window := AnyHour()
	pending := Survey{Status: StatusPending, SurveyAfter: SurveyAfterDelivery, SendWindow: &window,
		PurchasedAt: now.Add(-72 * time.Hour), SendAt: now.Add(18 * 24 * time.Hour), ClosesAt: now.Add(32 * 24 * time.Hour)}
	delivered := OrderEvent{Type: OrderDelivered, At: now.Add(-time.Hour)}
	got, changed := pending.WithEvent(delivered, set, now)
	if !changed || got.Status != StatusScheduled || !got.SendAt.Equal(now.Add(47*time.Hour)) || !got.ClosesAt.Equal(got.SendAt.Add(14*24*time.Hour)) {
		t.Fatalf("delivered: %v %+v, want scheduled 48 h after delivery", changed, got)
	}
	if again, changed := got.WithEvent(delivered, set, now); changed || again.Status != StatusScheduled {
		t.Errorf("the same event again changed the survey")
	}
	if _, changed := got.WithEvent(OrderEvent{Type: OrderFulfilled, At: now.Add(-2 * time.Hour)}, set, now); changed {
		t.Errorf("a fulfilment after the delivery changed the survey")
	}
	// Fulfilment does not end the wait for delivery, but is recorded.
	if got, changed := pending.WithEvent(OrderEvent{Type: OrderFulfilled, At: now}, set, now); !changed || got.Status != StatusPending || got.FulfilledAt == nil {
		t.Errorf("fulfilled while waiting for delivery: %v %+v", changed, got)
	}
	// A delivery ends the wait for fulfilment too.
	fulfilment := pending
	fulfilment.SurveyAfter = SurveyAfterFulfillment
	if got, _ := fulfilment.WithEvent(delivered, set, now); got.Status != StatusScheduled {
		t.Errorf("delivered while waiting for fulfilment: %s, want scheduled", got.Status)
	}
	// A delivery longer ago than the answer window is too old to ask about.
	if got, _ := pending.WithEvent(OrderEvent{Type: OrderDelivered, At: now.Add(-15 * 24 * time.Hour)}, set, now); got.Status != StatusExpired {
		t.Errorf("delivered 15 days ago: %s, want expired", got.Status)
	}
	// Long past the delay: at once.
	if got, _ := pending.WithEvent(OrderEvent{Type: OrderDelivered, At: now.Add(-5 * 24 * time.Hour)}, set, now); !got.SendAt.Equal(now) {
		t.Errorf("delivered 5 days ago: send at %s, want now", got.SendAt)
	}
	// A sent survey keeps its status.
	sent := pending
	sent.Status = StatusSent
	if got, changed := sent.WithEvent(delivered, set, now); !changed || got.Status != StatusSent || got.DeliveredAt == nil || !got.SendAt.Equal(sent.SendAt) {
		t.Errorf("delivered after the send: %v %+v", changed, got)
	}
}

func TestOrderEventTimes(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	bought, before, later := now.Add(-48*time.Hour), now.Add(-49*time.Hour), now.Add(2*time.Hour)
	for _, tt := range []struct {
		fulfilled, delivered *time.Time
		field                string
	}{
		{&before, nil, "fulfilled_at"},
		{nil, &later, "delivered_at"},
		{&now, &now, ""},
	} {
		o := Order{OrderID: "1", Customer: Customer{Email: "a@example.com"}, PurchasedAt: bought, FulfilledAt: tt.fulfilled, DeliveredAt: tt.delivered}
		p := o.Validate(now)
		if tt.field == "" && len(p) != 0 || tt.field != "" && (p[tt.field] == "" || len(p) != 1) {
			t.Errorf("%v %v: problems %v, want %q only", tt.fulfilled, tt.delivered, p, tt.field)
		}
	}
}
