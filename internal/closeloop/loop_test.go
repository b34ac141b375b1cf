package closeloop

import (
	"errors"
	"testing"
)

func TestLoopSettingsValidation(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("the defaults are not valid: %v", err)
	}
	for _, c := range []struct {
		field  string
		change func(*Settings)
	}{
		{"case_reasons", func(s *Settings) { s.CaseReasons = nil }},
		{"case_reasons", func(s *Settings) { s.CaseReasons = []string{"delivery", "delivery"} }},
		{"case_reasons", func(s *Settings) { s.CaseReasons = []string{"Wrong Item"} }},
		{"case_keywords", func(s *Settings) { s.CaseKeywords = map[string][]string{"pt": {"quebrado"}} }},
		{"case_keywords", func(s *Settings) { s.CaseKeywords = map[string][]string{"en": {" rude"}} }},
		{"case_keywords", func(s *Settings) { s.CaseKeywords = map[string][]string{"en": {"a\nb"}} }},
		{"recheck_after_hours", func(s *Settings) { s.RecheckAfterHours = -1 }},
		{"slack_webhook_url", func(s *Settings) { s.SlackWebhookURL = "http://hooks.slack.com/x" }},
		{"alert_on", func(s *Settings) { s.AlertOn = "some" }},
		{"alert_max_score", func(s *Settings) { s.AlertMaxScore = 0 }},
		{"alert_mode", func(s *Settings) { s.AlertMode = "daily" }},
	} {
		s := DefaultSettings()
		c.change(&s)
		var e *Error
		if err := s.Validate(); !errors.As(err, &e) || e.Fields[c.field] == "" || len(e.Fields) != 1 {
			t.Errorf("%s: Validate() = %v, want one problem naming it", c.field, err)
		}
	}
	s := DefaultSettings()
	s.CaseKeywords = map[string][]string{"ru": {"не пришёл"}}
	s.RecheckAfterHours, s.Recheck, s.AlertOn, s.AlertMode = 0, false, AlertOnKeyword, AlertHourly
	if err := s.Validate(); err != nil {
		t.Errorf("valid loop settings refused: %v", err)
	}
}
