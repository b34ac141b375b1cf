package closeloop

import (
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// SpokenLanguages are the languages the product writes its customers'
// emails and pages in (i18n's catalogs; a test keeps the two equal), as
// BCP 47 tags. A store's default must be one of them: customers without a
// locale of their own read it. Serbian is written in two scripts, each a
// language here.
var SpokenLanguages = []string{"en", "ru", "de", "es", "fr", "sr-Latn", "sr-Cyrl"}

// spokenMatcher finds the spoken language nearest a tag by CLDR's language
// matching data: de-AT is de, es-MX es, sr-Cyrl-RS sr-Cyrl. Built on first
// use: building it took a quarter of a millisecond of every cold start.
var spokenMatcher = sync.OnceValue(func() language.Matcher {
	tags := make([]language.Tag, len(SpokenLanguages))
	for i, lang := range SpokenLanguages {
		tags[i] = language.MustParse(lang)
	}
	return language.NewMatcher(tags)
})

var (
	serbian = language.MustParseBase("sr")
	latin   = language.MustParseScript("Latn")
)

// Language returns the spoken language (one of SpokenLanguages) a BCP 47
// tag asks for, or "" when the product speaks none close enough: "ru-RU"
// gives "ru", "fr-CA" "fr", "pt-BR" "". Serbian without a script (sr,
// sr-RS) is read in Latin script, as most Serbian is written online;
// CLDR would say Cyrillic.
func Language(tag string) string {
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return ""
	}
	return spoken(t)
}

// spoken is Language for a parsed tag.
func spoken(t language.Tag) string {
	if base, script, region := t.Raw(); base == serbian && script.String() == "Zzzz" {
		if t, err := language.Compose(base, latin, region); err == nil {
			return spoken(t)
		}
	}
	_, i, confidence := spokenMatcher().Match(t)
	if confidence < language.High {
		return ""
	}
	return SpokenLanguages[i]
}

// AcceptedLanguage returns the language a browser's Accept-Language header
// prefers most among among, or among every spoken language when among is
// empty ("fr-CH, fr;q=0.9, en;q=0.8" gives fr, or en among en and ru),
// or "" when it names none of them.
func AcceptedLanguage(header string, among ...string) string {
	wanted := func(lang string) bool {
		return lang != "" && (len(among) == 0 || slices.Contains(among, lang))
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		// One malformed entry spoils the parse: read the entries one by
		// one, in the order written.
		for _, part := range strings.Split(header, ",") {
			tag, _, _ := strings.Cut(part, ";")
			if lang := Language(tag); wanted(lang) {
				return lang
			}
		}
		return ""
	}
	for _, t := range tags {
		if lang := spoken(t); wanted(lang) {
			return lang
		}
	}
	return ""
}
