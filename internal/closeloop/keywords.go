package closeloop

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// CaseClassifier reads what a customer wrote and says whether it needs a
// case whatever the score, and which rule said so. Keyword rules
// (KeywordRules) implement it with no service to pay for; a store could
// plug in another implementation (a paid or AI text classifier, say)
// where the case is decided, through OpenCase. An implementation that
// calls out over the network runs inside the answer's request: it must
// answer fast, and fail closed (ok false) rather than fail the answer.
type CaseClassifier interface {
	// Classify returns the rule that fired on comment (for keyword rules,
	// the phrase), ok false when none did.
	Classify(comment string) (rule string, ok bool)
}

// KeywordRules match a comment against a list of phrases, case- and
// accent-insensitive and whole-word: "rude" matches "RUDE!" but not
// "prudent", "never arrived" matches "It never  arrived." (words in
// sequence, whatever lies between them that is not a word), "сломан"
// matches "Сломан" but not "сломана", "ё" matches "е".
type KeywordRules struct {
	phrases []string
	words   [][]string
	byFirst map[string][]int // phrases by their first folded word
}

var _ CaseClassifier = (*KeywordRules)(nil)

// NewKeywordRules compiles phrases (in order: the first of them that
// matches is the rule reported). A phrase with no word in it never fires.
func NewKeywordRules(phrases []string) *KeywordRules {
	k := &KeywordRules{phrases: phrases, words: make([][]string, len(phrases)), byFirst: map[string][]int{}}
	for i, phrase := range phrases {
		k.words[i] = FoldWords(phrase)
		if len(k.words[i]) > 0 {
			first := k.words[i][0]
			k.byFirst[first] = append(k.byFirst[first], i)
		}
	}
	return k
}

// Classify returns the first of the phrases that comment holds.
func (k *KeywordRules) Classify(comment string) (string, bool) {
	words := FoldWords(comment)
	best := -1
	for at, w := range words {
		for _, i := range k.byFirst[w] {
			if (best < 0 || i < best) && slices.Equal(words[at:min(len(words), at+len(k.words[i]))], k.words[i]) {
				best = i
			}
		}
	}
	if best < 0 {
		return "", false
	}
	return k.phrases[best], true
}

// FoldWords splits s into its words (runs of letters and digits), each
// lower-cased with accents removed: "Ёлка, CAFÉ!" gives [елка cafe]. The
// Cyrillic short i (й) keeps its mark: it is a letter of its own, not an
// accented и. ASCII and the common Cyrillic letters take a fast path;
// another letter is decomposed (NFD) alone and its marks dropped. The
// words share one string: a comment costs a few allocations, not one per
// word.
func FoldWords(s string) []string {
	var b strings.Builder
	b.Grow(len(s))
	var bounds []int // each word's start and end in b
	inWord := false
	word := func(r rune) {
		if !inWord {
			bounds, inWord = append(bounds, b.Len()), true
		}
		b.WriteRune(r)
	}
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			word(r)
		case r < utf8.RuneSelf && r >= 'A' && r <= 'Z':
			word(r + 'a' - 'A')
		case r < utf8.RuneSelf:
			inWord = endWord(&bounds, b.Len(), inWord)
		case r >= 'а' && r <= 'я' && (r != 'и' || !strings.HasPrefix(s[i+len("и"):], "\u0306")):
			word(r)
		case r >= 'А' && r <= 'Я' && (r != 'И' || !strings.HasPrefix(s[i+len("И"):], "\u0306")):
			word(r + 'а' - 'А')
		case r == 'ё' || r == 'Ё':
			word('е')
		case r == 'и' || r == 'И': // и and a combining breve: й, whose mark stays
			word('й')
		case unicode.Is(unicode.Mn, r):
			// a combining accent: dropped
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			var buf [16]byte
			for _, d := range string(norm.NFD.AppendString(buf[:0], string(r))) {
				if !unicode.Is(unicode.Mn, d) || d == '\u0306' && (r == 'й' || r == 'Й') {
					word(unicode.ToLower(d))
				}
			}
		default:
			inWord = endWord(&bounds, b.Len(), inWord)
		}
	}
	endWord(&bounds, b.Len(), inWord)
	if len(bounds) == 0 {
		return nil
	}
	folded := b.String()
	words := make([]string, 0, len(bounds)/2)
	for i := 0; i+1 < len(bounds); i += 2 {
		words = append(words, folded[bounds[i]:bounds[i+1]])
	}
	return words
}

// endWord records the end of the word being read, if any, at end; it
// returns false: no word is being read after it.
func endWord(bounds *[]int, end int, inWord bool) bool {
	if inWord {
		*bounds = append(*bounds, end)
	}
	return false
}

// Classifier is the survey's keyword rules: those of the customer's
// language when the survey has a list for it, else those of the store's
// default language; the defaults (DefaultCaseKeywords) for a survey
// created before rules were copied onto it. nil when no list applies.
func (s Survey) Classifier() CaseClassifier {
	rules := s.Policy.CaseKeywords
	if rules == nil {
		rules = DefaultCaseKeywords
	}
	for _, tag := range []string{s.Customer.Locale, s.DefaultLocale} {
		if phrases, ok := rules[Language(tag)]; ok && tag != "" {
			return NewKeywordRules(phrases)
		}
	}
	return nil
}

// PolicyFor is the follow-up policy copied onto a survey of a customer
// whose locale is locale: the store's policy with the keyword rules of
// the customer's language and of the store's default language only, as
// Survey.Classifier reads them. The rules are nil when the store's are the
// defaults, and the recovery check when it is the default one: both read
// the same, and the survey item stays small. Otherwise never nil rules: a
// store that has none must not fall back to the defaults.
func (s Settings) PolicyFor(locale string) FollowupPolicy {
	p := s.Policy()
	if *p.Recheck == (RecheckPolicy{On: true, AfterHours: DefaultRecheckAfterHours}) {
		p.Recheck = nil
	}
	if maps.EqualFunc(s.CaseKeywords, DefaultCaseKeywords, slices.Equal) {
		return p
	}
	p.CaseKeywords = map[string][]string{}
	for _, tag := range []string{locale, s.DefaultLocale} {
		lang := Language(tag)
		if phrases, ok := s.CaseKeywords[lang]; ok && tag != "" {
			p.CaseKeywords[lang] = slices.Clone(phrases)
		}
	}
	return p
}
