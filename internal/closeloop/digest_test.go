package closeloop

import (
	"testing"
	"time"
)

func TestDigestWeekday(t *testing.T) {
	for _, tt := range []struct {
		setting string
		valid   bool
		day     time.Weekday
	}{
		{"monday", true, time.Monday},
		{"sunday", true, time.Sunday},
		{"saturday", true, time.Saturday},
		{"wednesday", true, time.Wednesday},
		// Stores saved before the setting existed have none: the default.
		{"", true, time.Monday},
		{"Monday", false, time.Monday},
		{"mon", false, time.Monday},
		{"1", false, time.Monday},
	} {
		s := DefaultSettings()
		s.DigestWeekday = tt.setting
		err := s.Validate()
		if tt.valid && err != nil {
			t.Errorf("%q: Validate() = %v, want valid", tt.setting, err)
		}
		if !tt.valid {
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID || e.Fields["digest_weekday"] == "" {
				t.Errorf("%q: Validate() = %v, want EINVALID naming digest_weekday", tt.setting, err)
			}
		}
		if got := s.DigestDay(); tt.valid && got != tt.day {
			t.Errorf("%q: DigestDay() = %v, want %v", tt.setting, got, tt.day)
		}
	}
	if got := DefaultSettings().DigestWeekday; got != "monday" {
		t.Errorf("default digest_weekday %q, want monday", got)
	}
}
