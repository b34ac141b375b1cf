package closeloop

import (
	"slices"
	"unicode"

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
// accented и.
func FoldWords(s string) []string {
	var words []string
	word := make([]rune, 0, 32)
	runes := []rune(norm.NFD.String(s))
	for i, r := range runes {
		switch {
		case unicode.Is(unicode.Mn, r):
			// an accent: dropped
		case (r == 'и' || r == 'И') && i+1 < len(runes) && runes[i+1] == '\u0306':
			word = append(word, 'й')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = append(word, unicode.ToLower(r))
		case len(word) > 0:
			words = append(words, string(word))
			word = word[:0]
		}
	}
	if len(word) > 0 {
		words = append(words, string(word))
	}
	return words
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
// Survey.Classifier reads them. Never nil rules: a store that has none
// must not fall back to the defaults.
func (s Settings) PolicyFor(locale string) FollowupPolicy {
	p := s.Policy()
	p.CaseKeywords = map[string][]string{}
	for _, tag := range []string{locale, s.DefaultLocale} {
		lang := Language(tag)
		if phrases, ok := s.CaseKeywords[lang]; ok && tag != "" {
			p.CaseKeywords[lang] = slices.Clone(phrases)
		}
	}
	return p
}
