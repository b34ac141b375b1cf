package closeloop

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/lazy"
)

// A store may put its own voice into the lines of the survey email that
// speak for it (settings texts, per language): the subject, the greeting
// and the intro, and the thank-you email's line. The lines that keep the
// product's promises (the points, the unsubscribe link, the postal
// address) are never the store's to replace.

// StoreTexts are a store's own words for one language; "" keeps the
// product's. They may hold the placeholders of TextPlaceholders.
type StoreTexts struct {
	Subject  string `json:"subject,omitempty"`
	Greeting string `json:"greeting,omitempty"`
	Intro    string `json:"intro,omitempty"`
	Thanks   string `json:"thanks,omitempty"`
}

// TextPlaceholders are what a store's texts may name, each in braces: the
// customer's first name, the store's name, the points (promised in the
// survey email, earned in the thank-you) and the products bought.
var TextPlaceholders = []string{"first_name", "store", "points", "products"}

// Limits on a store's texts, in characters.
const (
	MaxTextSubjectRunes = 120
	MaxTextLineRunes    = 300
)

var (
	placeholder = lazy.Regexp(`\{[^{}]*\}`)
	// markup is anything a mail client could read as HTML: a tag or an
	// entity. Texts are escaped anyway; refusing them says so at once.
	markup = lazy.Regexp(`<[^>]*>|&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);`)
)

// validateTexts checks the store's texts into p, naming each bad one as
// texts.<language>.<field>.
func validateTexts(texts map[string]StoreTexts, p Problems) {
	for lang, t := range texts {
		if !slices.Contains(SpokenLanguages, lang) {
			p.Add("texts."+lang, "must name a language the product speaks ("+strings.Join(SpokenLanguages, ", ")+")")
			continue
		}
		for _, f := range []struct {
			name, text string
			max        int
		}{
			{"subject", t.Subject, MaxTextSubjectRunes},
			{"greeting", t.Greeting, MaxTextLineRunes},
			{"intro", t.Intro, MaxTextLineRunes},
			{"thanks", t.Thanks, MaxTextLineRunes},
		} {
			if problem := textProblem(f.text, f.max); problem != "" {
				p.Add("texts."+lang+"."+f.name, problem)
			}
		}
	}
}

// textProblem says what is wrong with one of a store's texts, "" when
// nothing is.
func textProblem(text string, maxRunes int) string {
	switch {
	case utf8.RuneCountInString(text) > maxRunes:
		return "must be at most " + itoa(maxRunes) + " characters"
	case !utf8.ValidString(text) || strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) }) >= 0:
		return "must be one line of text, without line breaks or control characters"
	case markup().MatchString(text):
		return "must be plain text, without HTML tags or entities"
	}
	rest := placeholder().ReplaceAllStringFunc(text, func(m string) string {
		if slices.Contains(TextPlaceholders, m[1:len(m)-1]) {
			return ""
		}
		return m
	})
	if m := placeholder().FindString(rest); m != "" {
		return "names an unknown placeholder " + m + "; known are {" + strings.Join(TextPlaceholders, "}, {") + "}"
	}
	if strings.ContainsAny(rest, "{}") {
		return "has a brace outside a placeholder; placeholders are {" + strings.Join(TextPlaceholders, "}, {") + "}"
	}
	return ""
}

// FillText puts values (by placeholder name, without braces) into a store's
// text; a placeholder without a value becomes "".
func FillText(text string, values map[string]string) string {
	return strings.TrimSpace(placeholder().ReplaceAllStringFunc(text, func(m string) string {
		return values[m[1:len(m)-1]]
	}))
}

// FirstName is the first word of a customer's name, "" without one.
func FirstName(name string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	return first
}
