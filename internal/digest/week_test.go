package digest

import (
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

func TestDue(t *testing.T) {
	berlin, auckland := load(t, "Europe/Berlin"), load(t, "Pacific/Auckland")
	day := func(s string) time.Time {
		d, err := time.Parse(closeloop.DayLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name     string
		tz       string
		weekday  string
		now      time.Time
		due      bool
		iso      string
		last     [2]string
		before   [2]string
		from, to time.Time
	}{
		{name: "Monday 07:59 in Berlin is too early", tz: "Europe/Berlin", weekday: "monday",
			now: time.Date(2026, 11, 23, 7, 59, 59, 0, berlin)},
		{name: "Monday 08:00 in Berlin", tz: "Europe/Berlin", weekday: "monday",
			now: time.Date(2026, 11, 23, 8, 0, 0, 0, berlin), due: true, iso: "2026-W48",
			last: [2]string{"2026-11-16", "2026-11-22"}, before: [2]string{"2026-11-09", "2026-11-15"},
			from: time.Date(2026, 11, 15, 23, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)},
		{name: "Monday 23:59 in Berlin catches up a failed day", tz: "Europe/Berlin", weekday: "monday",
			now: time.Date(2026, 11, 23, 23, 59, 0, 0, berlin), due: true, iso: "2026-W48",
			last: [2]string{"2026-11-16", "2026-11-22"}, before: [2]string{"2026-11-09", "2026-11-15"},
			from: time.Date(2026, 11, 15, 23, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)},
		{name: "Tuesday 00:30 in Berlin is past the day", tz: "Europe/Berlin", weekday: "monday",
			now: time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC)},
		{name: "the same instant is Monday 23:30 in UTC", tz: "UTC", weekday: "monday",
			now: time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC), due: true, iso: "2026-W48",
			last: [2]string{"2026-11-16", "2026-11-22"}, before: [2]string{"2026-11-09", "2026-11-15"},
			from: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{name: "Monday 09:00 in Auckland is Sunday in UTC", tz: "Pacific/Auckland", weekday: "monday",
			now: time.Date(2026, 11, 23, 9, 0, 0, 0, auckland), due: true, iso: "2026-W48",
			last: [2]string{"2026-11-16", "2026-11-22"}, before: [2]string{"2026-11-09", "2026-11-15"},
			from: time.Date(2026, 11, 15, 11, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)},
		{name: "the same instant is Sunday for a UTC store", tz: "UTC", weekday: "monday",
			now: time.Date(2026, 11, 23, 9, 0, 0, 0, auckland)},
		{name: "another weekday than the store's", tz: "Europe/Berlin", weekday: "tuesday",
			now: time.Date(2026, 11, 23, 10, 0, 0, 0, berlin)},
		{name: "no weekday set is Monday", tz: "UTC", weekday: "",
			now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), due: true, iso: "2026-W48",
			last: [2]string{"2026-11-16", "2026-11-22"}, before: [2]string{"2026-11-09", "2026-11-15"},
			from: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		// Sunday ends its ISO week: the digest is named by the week it is sent in.
		{name: "Sunday digest", tz: "UTC", weekday: "sunday",
			now: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC), due: true, iso: "2026-W48",
			last: [2]string{"2026-11-22", "2026-11-28"}, before: [2]string{"2026-11-15", "2026-11-21"},
			from: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},
		// Clocks went forward on Sunday 29 March: that week has 167 hours.
		{name: "a week with the change to summer time", tz: "Europe/Berlin", weekday: "monday",
			now: time.Date(2026, 3, 30, 8, 0, 0, 0, berlin), due: true, iso: "2026-W14",
			last: [2]string{"2026-03-23", "2026-03-29"}, before: [2]string{"2026-03-16", "2026-03-22"},
			from: time.Date(2026, 3, 22, 23, 0, 0, 0, time.UTC), to: time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC)},
		// 1 January 2027 is a Friday of 2026's 53rd ISO week.
		{name: "New Year's Day in the year before's ISO week", tz: "UTC", weekday: "friday",
			now: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC), due: true, iso: "2026-W53",
			last: [2]string{"2026-12-25", "2026-12-31"}, before: [2]string{"2026-12-18", "2026-12-24"},
			from: time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC), to: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "29 December 2025 in the next year's first ISO week", tz: "UTC", weekday: "monday",
			now: time.Date(2025, 12, 29, 8, 0, 0, 0, time.UTC), due: true, iso: "2026-W01",
			last: [2]string{"2025-12-22", "2025-12-28"}, before: [2]string{"2025-12-15", "2025-12-21"},
			from: time.Date(2025, 12, 22, 0, 0, 0, 0, time.UTC), to: time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := closeloop.DefaultSettings()
			set.TimeZone, set.DigestWeekday = tt.tz, tt.weekday
			w, due := Due(set, tt.now)
			if due != tt.due {
				t.Fatalf("Due at %v (%s) = %v, want %v", tt.now, tt.now.In(set.Location()).Weekday(), due, tt.due)
			}
			if !due {
				return
			}
			want := Week{
				ISO:    tt.iso,
				Last:   closeloop.DayRange{From: day(tt.last[0]), To: day(tt.last[1])},
				Before: closeloop.DayRange{From: day(tt.before[0]), To: day(tt.before[1])},
				From:   tt.from, To: tt.to,
			}
			if w.ISO != want.ISO || !w.Last.From.Equal(want.Last.From) || !w.Last.To.Equal(want.Last.To) ||
				!w.Before.From.Equal(want.Before.From) || !w.Before.To.Equal(want.Before.To) ||
				!w.From.Equal(want.From) || !w.To.Equal(want.To) {
				t.Errorf("Due = %+v,\nwant  %+v", w, want)
			}
			if w.Last.Days() != 7 || w.Before.Days() != 7 {
				t.Errorf("weeks of %d and %d days, want 7", w.Last.Days(), w.Before.Days())
			}
		})
	}
}

// TestDueOncePerWeekday: over a fortnight of hourly runs a store is due
// on its weekday from 08:00 to midnight, and each of those runs names the
// same week; the two weeks differ.
func TestDueOncePerWeekday(t *testing.T) {
	set := closeloop.DefaultSettings()
	set.TimeZone, set.DigestWeekday = "America/New_York", "thursday"
	loc := set.Location()
	start := time.Date(2026, 10, 26, 0, 30, 0, 0, loc)
	runs := map[string]int{}
	for at := start; at.Before(start.AddDate(0, 0, 14)); at = at.Add(time.Hour) {
		w, due := Due(set, at)
		local := at.In(loc)
		if want := local.Weekday() == time.Thursday && local.Hour() >= 8; due != want {
			t.Fatalf("Due at %v = %v, want %v", local, due, want)
		}
		if due {
			runs[w.ISO]++
		}
	}
	if len(runs) != 2 || runs["2026-W44"] != 16 || runs["2026-W45"] != 16 {
		t.Errorf("hourly runs due per week %v, want 16 in each of 2026-W44 and 2026-W45", runs)
	}
}

func load(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
