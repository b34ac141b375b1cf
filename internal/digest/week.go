package digest

import (
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// sendHour is the store-local hour from which a digest day's digest goes
// out: it is waiting with the morning's mail, and an hour whose run failed
// is caught up by a later run that day, never sent earlier.
const sendHour = 8

// Week is the digest a store is due at a moment: the ISO week it is sent
// in, which names it (one digest per store and week), and the days it
// reports.
type Week struct {
	// ISO is the ISO year and week of the send day, as "2026-W48".
	ISO string
	// Last is the seven store-local days before the send day; Before the
	// seven days before those.
	Last, Before closeloop.DayRange
	// From and To are the instants Last spans in the store's time zone:
	// the start of its first day and the start of the send day.
	From, To time.Time
}

// Due returns the week whose digest a store with settings set is due at
// now; ok is false when none is: in the store's time zone it is another
// weekday than its digest day, or earlier than 08:00.
func Due(set closeloop.Settings, now time.Time) (w Week, ok bool) {
	loc := set.Location()
	local := now.In(loc)
	if local.Weekday() != set.DigestDay() || local.Hour() < sendHour {
		return Week{}, false
	}
	// DayRange days are dates at midnight UTC; the instants are the same
	// dates' midnights in the store's zone (23 or 25 hours apart across a
	// daylight saving change).
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	year, week := today.ISOWeek()
	return Week{
		ISO:    fmt.Sprintf("%04d-W%02d", year, week),
		Last:   closeloop.DayRange{From: today.AddDate(0, 0, -7), To: today.AddDate(0, 0, -1)},
		Before: closeloop.DayRange{From: today.AddDate(0, 0, -14), To: today.AddDate(0, 0, -8)},
		From:   time.Date(local.Year(), local.Month(), local.Day()-7, 0, 0, 0, 0, loc),
		To:     time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc),
	}, true
}
