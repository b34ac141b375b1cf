package closeloop

import (
	"testing"
	"time"
)

func TestLanguage(t *testing.T) {
	tests := map[string]string{
		"en": "en", "EN": "en", "en-GB": "en", "en-US": "en",
		"ru": "ru", "ru-RU": "ru",
		"de": "de", "de-DE": "de", "de-AT": "de", "de-CH": "de",
		"es": "es", "es-ES": "es", "es-MX": "es", "es-419": "es",
		"fr": "fr", "fr-FR": "fr", "fr-CA": "fr", "fr-BE": "fr",
		// Serbian without a script is Latin; with one, that script.
		"sr": "sr-Latn", "sr-RS": "sr-Latn", "sr-ME": "sr-Latn", "sr-BA": "sr-Latn",
		"sr-Latn": "sr-Latn", "sr-Latn-RS": "sr-Latn", "sr-latn-rs": "sr-Latn",
		"sr-Cyrl": "sr-Cyrl", "sr-Cyrl-RS": "sr-Cyrl", "sr-Cyrl-BA": "sr-Cyrl",
		// Languages the product does not speak, and what is no tag.
		"pt-BR": "", "uk": "", "hr": "", "zh": "", "it": "", "xx-YY": "", "": "", "en_US!": "", "-": "",
	}
	for tag, want := range tests {
		if got := Language(tag); got != want {
			t.Errorf("Language(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestAcceptedLanguage(t *testing.T) {
	tests := map[string]string{
		"ru-RU,ru;q=0.9,en;q=0.8":   "ru",
		"fr-CH, fr;q=0.9, en;q=0.8": "fr",
		"pt-BR,pt;q=0.9,es;q=0.5":   "es",
		"en;q=0.2, sr-Cyrl;q=0.9":   "sr-Cyrl",
		"sr-RS":                     "sr-Latn",
		"*":                         "",
		"it, nl":                    "",
		"":                          "",
		"de-AT;q=bad, es":           "de",
		"uk, de;q=0":                "",
	}
	for header, want := range tests {
		if got := AcceptedLanguage(header); got != want {
			t.Errorf("AcceptedLanguage(%q) = %q, want %q", header, got, want)
		}
	}
	// Among the dashboard's languages.
	staff := map[string]string{
		"fr-CH, fr;q=0.9, en;q=0.8": "en",
		"de, ru-RU;q=0.5":           "ru",
		"en;q=0.2, ru;q=0.9":        "ru",
		"de-AT;q=bad, ru, en":       "ru",
		"de, fr":                    "",
	}
	for header, want := range staff {
		if got := AcceptedLanguage(header, "en", "ru"); got != want {
			t.Errorf("AcceptedLanguage(%q, en, ru) = %q, want %q", header, got, want)
		}
	}
}

// TestKeywordRulesOfSerbianByTag: a store's rules for sr-Latn serve a
// customer whose locale is sr-RS, and those for sr-Cyrl one of sr-Cyrl-RS.
func TestKeywordRulesOfSerbianByTag(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	store := DefaultSettings()
	store.CaseKeywords = map[string][]string{"sr-Latn": {"pokvaren"}, "sr-Cyrl": {"покварен"}}
	if err := store.Validate(); err != nil {
		t.Fatalf("Serbian rules refused: %v", err)
	}
	for locale, comment := range map[string]string{"sr-RS": "Stigao je pokvaren.", "sr-Cyrl-RS": "Стигао је покварен."} {
		s := Survey{SurveyID: "s_1", DefaultLocale: "en", Customer: Customer{Locale: locale}, Policy: store.PolicyFor(locale)}
		if c, ok := NewCase(s, Response{Score: 5, Comment: comment}, at); !ok || c.KeywordRule == "" {
			t.Errorf("%s: no keyword case for %q", locale, comment)
		}
	}
}
