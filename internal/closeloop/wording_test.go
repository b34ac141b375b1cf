package closeloop

import (
	"errors"
	"strings"
	"testing"
)

func TestStoreTextsValidation(t *testing.T) {
	good := []string{"", "Hi {first_name}!", "{store}: {points} for {products}", "5 > 3 and 2 < 4", "Fish & chips", "Как вам {products}?"}
	for _, text := range good {
		if p := textProblem(text, MaxTextLineRunes); p != "" {
			t.Errorf("textProblem(%q) = %q, want none", text, p)
		}
	}
	bad := []string{"{name}", "{first_name", "first_name}", "{}", "<b>", "a <br/> b", "&amp;", "&#233;", "&#x41;", "a\nb", "a\tb", "\x00",
		strings.Repeat("x", MaxTextLineRunes+1)}
	for _, text := range bad {
		if p := textProblem(text, MaxTextLineRunes); p == "" {
			t.Errorf("textProblem(%q) found nothing wrong", text)
		}
	}
	s := DefaultSettings()
	s.Texts = map[string]StoreTexts{"en": {Subject: strings.Repeat("x", MaxTextSubjectRunes+1), Greeting: "Hi {first}"}, "zz": {}}
	err := s.Validate()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate: %v, want an invalid error", err)
	}
	for _, field := range []string{"texts.en.subject", "texts.en.greeting", "texts.zz"} {
		if e.Fields[field] == "" {
			t.Errorf("Validate does not name %s: %v", field, e.Fields)
		}
	}
}

func TestFillText(t *testing.T) {
	values := map[string]string{"first_name": "Ada", "store": "Shop", "points": "50 points", "products": "Mug"}
	if got, want := FillText(" {first_name}, your {products} from {store} earns {points} ", values), "Ada, your Mug from Shop earns 50 points"; got != want {
		t.Errorf("FillText = %q, want %q", got, want)
	}
	if got := FillText("{first_name}", map[string]string{}); got != "" {
		t.Errorf("FillText without a value = %q, want \"\"", got)
	}
	if got := FirstName("  Ada King Lovelace "); got != "Ada" {
		t.Errorf("FirstName = %q", got)
	}
}
