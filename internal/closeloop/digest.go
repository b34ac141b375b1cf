package closeloop

import (
	"slices"
	"time"
)

// DigestWeekdays are the values of the digest_weekday setting, Sunday
// first as time.Weekday counts.
var DigestWeekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// DefaultDigestWeekday is the day of the weekly digest unless the owner
// chooses another.
const DefaultDigestWeekday = "monday"

// validDigestWeekday reports whether s is a digest_weekday. "" is valid: a
// store saved before the setting existed has none and gets the default,
// and a PUT of another setting must not fail on it.
func validDigestWeekday(s string) bool {
	return s == "" || slices.Contains(DigestWeekdays, s)
}

// DigestDay is the store-local weekday of the weekly digest.
func (s Settings) DigestDay() time.Weekday {
	if i := slices.Index(DigestWeekdays, s.DigestWeekday); i >= 0 {
		return time.Weekday(i)
	}
	return time.Monday
}
