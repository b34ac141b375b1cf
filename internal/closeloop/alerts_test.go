package closeloop

import (
	"testing"
	"time"
)

func TestAlertFilterPicksTheCases(t *testing.T) {
	low := Case{Score: 1, OpenReasons: []string{OpenedLowScore}}
	contact := Case{Score: 4, OpenReasons: []string{OpenedContactMe}}
	keyword := Case{Score: 5, OpenReasons: []string{OpenedKeyword}}
	for _, tt := range []struct {
		on       string
		maxScore int
		c        Case
		want     bool
	}{
		{AlertOnAll, 5, low, true},
		{AlertOnAll, 5, contact, true},
		{AlertOnAll, 1, keyword, true},
		{AlertOnScore, 2, low, true},
		{AlertOnScore, 2, contact, false},
		{AlertOnScore, 4, contact, true},
		{AlertOnScore, 1, keyword, false},
		{AlertOnKeyword, 5, low, false},
		{AlertOnKeyword, 5, contact, false},
		{AlertOnKeyword, 1, keyword, true},
	} {
		s := DefaultSettings()
		s.AlertOn, s.AlertMaxScore = tt.on, tt.maxScore
		if got := s.Alerts(tt.c); got != tt.want {
			t.Errorf("alert_on %s (max %d), case %d %v: alerts %v, want %v", tt.on, tt.maxScore, tt.c.Score, tt.c.OpenReasons, got, tt.want)
		}
	}
}

func TestHourlyAlertIsNamedByStoreAndUTCHour(t *testing.T) {
	at := time.Date(2026, 11, 28, 12, 59, 59, 0, time.FixedZone("+03", 3*3600))
	a := HourlyAlert{StoreID: "shop", Hour: AlertHour(at)}
	if got, want := a.About(), "shop#2026-11-28T09"; got != want {
		t.Fatalf("about %q, want %q", got, want)
	}
	if got := AlertHour(at.Add(time.Second)); !got.Equal(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("the next second is in hour %v, want 10:00 UTC", got)
	}
}
