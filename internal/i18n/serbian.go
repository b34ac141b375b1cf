package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Serbian is written in two scripts that map letter for letter (Vuk
// Karadžić's alphabet and Gaj's Latin alphabet), so the Cyrillic catalog
// is written from the Latin one rather than kept by hand.

// latinDigraphs are the Latin letter pairs that are one Cyrillic letter.
// A word where the pair is two letters (nadživeti, konjunkcija) would be
// written wrong; the catalog avoids such words (TestSerbianAvoidsSplitDigraphs).
var latinDigraphs = map[string]string{
	"lj": "љ", "Lj": "Љ", "LJ": "Љ",
	"nj": "њ", "Nj": "Њ", "NJ": "Њ",
	"dž": "џ", "Dž": "Џ", "DŽ": "Џ",
}

// latinLetters are the other letters of the Latin alphabet, lower case.
var latinLetters = map[rune]rune{
	'a': 'а', 'b': 'б', 'c': 'ц', 'č': 'ч', 'ć': 'ћ', 'd': 'д', 'đ': 'ђ', 'e': 'е',
	'f': 'ф', 'g': 'г', 'h': 'х', 'i': 'и', 'j': 'ј', 'k': 'к', 'l': 'л', 'm': 'м',
	'n': 'н', 'o': 'о', 'p': 'п', 'r': 'р', 's': 'с', 'š': 'ш', 't': 'т', 'u': 'у',
	'v': 'в', 'z': 'з', 'ž': 'ж',
}

// cyrillic writes the Serbian Latin text of key in Cyrillic script,
// leaving fmt verbs (%s, %[2]d) and the plural categories of a forms key
// (one=, few=) as they are.
func cyrillic(key, text string) string {
	if !strings.HasSuffix(key, ".forms") {
		return toCyrillic(text)
	}
	parts := strings.Split(text, "|")
	for i, part := range parts {
		if cat, form, ok := strings.Cut(part, "="); ok {
			parts[i] = cat + "=" + toCyrillic(form)
		}
	}
	return strings.Join(parts, "|")
}

// toCyrillic transliterates text, copying fmt verbs through.
func toCyrillic(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		if text[i] == '%' {
			n := verbLength(text[i:])
			b.WriteString(text[i : i+n])
			i += n
			continue
		}
		if c, size := digraph(text[i:]); size > 0 {
			b.WriteString(c)
			i += size
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if c, ok := latinLetters[unicode.ToLower(r)]; ok {
			if unicode.IsUpper(r) {
				c = unicode.ToUpper(c)
			}
			r = c
		}
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

// digraph is the Cyrillic letter of the digraph text starts with and the
// digraph's length in bytes (2 for lj, 3 for dž), or size 0.
func digraph(text string) (string, int) {
	for _, size := range []int{2, 3} {
		if size <= len(text) {
			if c, ok := latinDigraphs[text[:size]]; ok {
				return c, size
			}
		}
	}
	return "", 0
}

// verbLength is the length of the fmt verb text starts with ("%%", "%s",
// "%[2]d", "%-5d"); 1 for a lone "%".
func verbLength(text string) int {
	for i := 1; i < len(text); i++ {
		c := text[i]
		if c == '%' && i == 1 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return i + 1
		}
	}
	return 1
}
