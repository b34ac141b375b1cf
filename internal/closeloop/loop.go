package closeloop

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/lazy"
)

// The settings that close the loop on a case (issue "close the loop"):
// why cases close, what opens one besides the score, the recovery check,
// and where and how support is alerted.

// DefaultCaseReasons are what a new store's resolutions give as their
// reason, until its owner sets case_reasons.
var DefaultCaseReasons = []string{"delivery", "damaged", "quality", "wrong_item", "service", "price", "other"}

// DefaultCaseKeywords are, by language, the phrases that open a case
// whatever the score when a comment holds one, until the owner sets
// case_keywords.
var DefaultCaseKeywords = map[string][]string{
	"en": {"broken", "damaged", "refund", "rude", "never arrived", "not arrived", "missing", "wrong item", "scam", "complaint"},
	"ru": {"сломан", "сломана", "сломано", "разбит", "возврат", "верните деньги", "хамство", "грубо", "не пришел", "не доставили", "обман", "жалоба"},
}

// DefaultRecheckAfterHours is how long after a resolution the customer is
// asked whether the issue was put right: a week.
const DefaultRecheckAfterHours = 168

// How support is alerted of new cases (alert_on, alert_mode).
const (
	AlertOnAll     = "all"     // every case
	AlertOnScore   = "score"   // cases whose score is at most alert_max_score
	AlertOnKeyword = "keyword" // cases a keyword rule opened
	AlertEach      = "each"    // one alert per case
	AlertHourly    = "hourly"  // one message an hour listing the new cases
)

// Limits of the loop settings.
const (
	maxCaseReasons     = 30
	maxKeywordsPerLang = 100
	maxKeywordBytes    = 60
	MaxRecheckHours    = 24 * 60
)

var reasonPattern = lazy.Regexp(`^[a-z0-9][a-z0-9_]{0,39}$`)

// validateLoop adds the loop settings' problems to p.
func (s Settings) validateLoop(p Problems) {
	if len(s.CaseReasons) == 0 || len(s.CaseReasons) > maxCaseReasons {
		p.Add("case_reasons", "must list 1 to 30 reasons")
	}
	for i, r := range s.CaseReasons {
		if !reasonPattern().MatchString(r) || slices.Contains(s.CaseReasons[:i], r) {
			p.Add("case_reasons", "must list distinct reasons of 1 to 40 lower-case letters, digits and underscores, such as wrong_item: "+r)
			break
		}
	}
	for lang, phrases := range s.CaseKeywords {
		if !slices.Contains(SpokenLanguages, lang) {
			p.Add("case_keywords", "must name languages the product speaks ("+strings.Join(SpokenLanguages, ", ")+"): "+lang)
			continue
		}
		if len(phrases) > maxKeywordsPerLang {
			p.Add("case_keywords", "must list at most 100 phrases per language")
		}
		for _, phrase := range phrases {
			if strings.TrimSpace(phrase) != phrase || phrase == "" || len(phrase) > maxKeywordBytes || !utf8.ValidString(phrase) || strings.IndexFunc(phrase, notText) >= 0 || strings.ContainsAny(phrase, "\n\t") {
				p.Add("case_keywords", "must list phrases of 1 to 60 bytes of text on one line, without spaces around them: "+phrase)
				break
			}
		}
	}
	if s.RecheckAfterHours < 0 || s.RecheckAfterHours > MaxRecheckHours {
		p.Add("recheck_after_hours", rangeProblem(0, MaxRecheckHours))
	}
	if s.SlackWebhookURL != "" && !httpsURL(s.SlackWebhookURL) {
		p.Add("slack_webhook_url", "must be an https URL (a Slack incoming webhook)")
	}
	if !slices.Contains([]string{AlertOnAll, AlertOnScore, AlertOnKeyword}, s.AlertOn) {
		p.Add("alert_on", "must be all, score or keyword")
	}
	if s.AlertMaxScore < 1 || s.AlertMaxScore > 5 {
		p.Add("alert_max_score", rangeProblem(1, 5))
	}
	if s.AlertMode != AlertEach && s.AlertMode != AlertHourly {
		p.Add("alert_mode", "must be each or hourly")
	}
}

// defaultCaseKeywords is a copy of DefaultCaseKeywords for a new store.
func defaultCaseKeywords() map[string][]string {
	m := make(map[string][]string, len(DefaultCaseKeywords))
	for lang, phrases := range DefaultCaseKeywords {
		m[lang] = slices.Clone(phrases)
	}
	return m
}
