package closeloop

import (
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFoldWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"The courier was RUDE!", []string{"the", "courier", "was", "rude"}},
		{"Ёлка, CAFÉ naïve", []string{"елка", "cafe", "naive"}},
		{"Мой заказ — НЕ ПРИШЁЛ.", []string{"мой", "заказ", "не", "пришел"}},
		{"  ", nil},
		{"order #1042x2", []string{"order", "1042x2"}},
		// Marks written apart (NFD) fold the same as the letters written whole.
		{"е\u0308лка cafe\u0301", []string{"елка", "cafe"}},
		{"МОЙ мои\u0306 Йод", []string{"мой", "мой", "йод"}},
		{"Straße Άλφα ÑANDÚ", []string{"straße", "αλφα", "nandu"}},
		{"don't—stop", []string{"don", "t", "stop"}},
	}
	for _, tt := range tests {
		if got := FoldWords(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("FoldWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKeywordRules(t *testing.T) {
	en, ru := NewKeywordRules(DefaultCaseKeywords["en"]), NewKeywordRules(DefaultCaseKeywords["ru"])
	tests := []struct {
		rules   *KeywordRules
		comment string
		want    string // "" for no match
	}{
		{en, "The courier was rude.", "rude"},
		{en, "The courier was RUDE", "rude"},
		{en, "A prudent choice, rudely fast.", ""},
		{en, "My parcel never arrived!", "never arrived"},
		{en, "My parcel never\n   arrived", "never arrived"},
		{en, "It never really arrived", ""},
		{en, "arrived never", ""},
		{en, "Brökèn handle", "broken"},
		{en, "rude and broken", "broken"}, // the list's order, not the comment's
		{ru, "Сломан", "сломан"},
		{ru, "СЛОМАН носик", "сломан"},
		{ru, "чайник сломана ручка", "сломана"},
		{ru, "Несломанный", ""},
		{ru, "заказ не пришёл", "не пришел"},
		{ru, "Заказ НЕ ПРИШЕЛ вовремя", "не пришел"},
		{ru, "Всё отлично", ""},
		{NewKeywordRules([]string{"Пришёл"}), "пришел", "Пришёл"},
		{NewKeywordRules([]string{"мой"}), "мои вещи", ""}, // й is not an accented и
		{NewKeywordRules([]string{"!!!"}), "!!!", ""},
	}
	for _, tt := range tests {
		got, ok := tt.rules.Classify(tt.comment)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Classify(%q) = %q, %v; want %q", tt.comment, got, ok, tt.want)
		}
	}
}

func TestKeywordCase(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	store := DefaultSettings()
	s := Survey{SurveyID: "s_1", StoreID: "shop", DefaultLocale: "en", Policy: store.PolicyFor("en-GB")}

	// A 5-star answer with a keyword opens a case that names the rule.
	c, ok := NewCase(s, Response{Score: 5, Comment: "The courier was rude."}, at)
	if !ok || c.KeywordRule != "rude" || !reflect.DeepEqual(c.OpenReasons, []string{OpenedKeyword}) {
		t.Fatalf("case %v %+v, want opened by keyword rude", ok, c)
	}
	if c.Policy.CaseKeywords != nil {
		t.Errorf("the case keeps the survey's rules: %v", c.Policy.CaseKeywords)
	}
	if !c.Unhappy() {
		t.Error("a keyword case with 5 stars is not owed an apology")
	}
	if _, ok := NewCase(s, Response{Score: 5, Comment: "A prudent courier."}, at); ok {
		t.Error("prudent opened a case")
	}
	// A low score with a keyword lists both reasons.
	c, _ = NewCase(s, Response{Score: 1, Comment: "Broken."}, at)
	if !reflect.DeepEqual(c.OpenReasons, []string{OpenedLowScore, OpenedKeyword}) || c.KeywordRule != "broken" {
		t.Errorf("reasons %v rule %q", c.OpenReasons, c.KeywordRule)
	}

	// A Russian customer of an English store: the Russian list.
	ru := Survey{SurveyID: "s_2", DefaultLocale: "en", Customer: Customer{Locale: "ru-RU"}, Policy: store.PolicyFor("ru-RU")}
	if c, ok := NewCase(ru, Response{Score: 5, Comment: "Чайник СЛОМАН"}, at); !ok || c.KeywordRule != "сломан" {
		t.Errorf("ru case %v %q", ok, c.KeywordRule)
	}
	// A German customer: the store's default language's list.
	de := Survey{SurveyID: "s_3", DefaultLocale: "en", Customer: Customer{Locale: "de-DE"}, Policy: store.PolicyFor("de-DE")}
	if c, ok := NewCase(de, Response{Score: 5, Comment: "Refund please"}, at); !ok || c.KeywordRule != "refund" {
		t.Errorf("de case %v %q", ok, c.KeywordRule)
	}
	// A survey created before rules were copied reads the defaults.
	old := Survey{SurveyID: "s_4", DefaultLocale: "ru", Policy: FollowupPolicy{CSATThreshold: 2}}
	if c, ok := NewCase(old, Response{Score: 4, Comment: "Хамство курьера"}, at); !ok || c.KeywordRule != "хамство" {
		t.Errorf("old survey case %v %q", ok, c.KeywordRule)
	}
	// A store that cleared its rules opens no keyword case.
	store.CaseKeywords = map[string][]string{}
	none := Survey{SurveyID: "s_5", DefaultLocale: "en", Policy: store.PolicyFor("en")}
	if none.Policy.CaseKeywords == nil {
		t.Fatal("no rules copied as nil: the defaults would apply")
	}
	if _, ok := NewCase(none, Response{Score: 5, Comment: "rude"}, at); ok {
		t.Error("a store without rules opened a keyword case")
	}
	// A classifier plugged in through the seam decides instead.
	if c, ok := OpenCase(s, Response{Score: 5, Comment: "all fine"}, at, classifierFunc(func(string) (string, bool) { return "ai:angry", true })); !ok || c.KeywordRule != "ai:angry" {
		t.Errorf("seam case %v %q", ok, c.KeywordRule)
	}
}

type classifierFunc func(string) (string, bool)

func (f classifierFunc) Classify(s string) (string, bool) { return f(s) }

func TestPolicyForCopiesOnlyTheLanguagesNeeded(t *testing.T) {
	set := DefaultSettings()
	set.CaseKeywords = maps.Clone(DefaultCaseKeywords)
	set.CaseKeywords["de"] = []string{"kaputt"} // the store's own: not the defaults
	set.DefaultLocale = "ru"
	p := set.PolicyFor("en-US")
	if len(p.CaseKeywords) != 2 || p.CaseKeywords["en"] == nil || p.CaseKeywords["ru"] == nil {
		t.Errorf("rules %v", p.CaseKeywords)
	}
	set.DefaultLocale = "en"
	p = set.PolicyFor("")
	if len(p.CaseKeywords) != 1 || p.CaseKeywords["en"] == nil {
		t.Errorf("rules %v", p.CaseKeywords)
	}
	p.CaseKeywords["en"][0] = "changed"
	if set.CaseKeywords["en"][0] == "changed" {
		t.Error("the policy shares the store's list")
	}
	set.CaseKeywords = map[string][]string{}
	if p := set.PolicyFor("en"); p.CaseKeywords == nil || len(p.CaseKeywords) != 0 {
		t.Errorf("a store with no rules: %v, want empty, not nil (the defaults)", p.CaseKeywords)
	}
}

// TestPolicyForLeavesOutTheDefaults: a store on the default rules and
// recovery check copies neither, and its surveys classify and recheck as
// if it had.
func TestPolicyForLeavesOutTheDefaults(t *testing.T) {
	set := DefaultSettings()
	for _, locale := range []string{"en-GB", "ru", "de-AT", "fr", ""} {
		p := set.PolicyFor(locale)
		if p.CaseKeywords != nil || p.Recheck != nil {
			t.Fatalf("%q: rules %v, recheck %v; want both left out", locale, p.CaseKeywords, p.Recheck)
		}
		if got := p.RecheckPolicy(); got != *set.Policy().Recheck {
			t.Errorf("%q: recheck reads %+v, want the store's %+v", locale, got, *set.Policy().Recheck)
		}
		copied := set.Policy()
		copied.CaseKeywords = maps.Clone(set.CaseKeywords)
		left := Survey{DefaultLocale: "en", Customer: Customer{Locale: locale}, Policy: p}
		whole := Survey{DefaultLocale: "en", Customer: Customer{Locale: locale}, Policy: copied}
		for _, comment := range []string{"it arrived broken", "товар сломан", "kaputt angekommen", "fine"} {
			a, aok := classify(left, comment)
			b, bok := classify(whole, comment)
			if a != b || aok != bok {
				t.Errorf("%q %q: left out classifies %q %v, copied %q %v", locale, comment, a, aok, b, bok)
			}
		}
	}
	set.RecheckAfterHours = 24
	if p := set.PolicyFor("en"); p.Recheck == nil || p.Recheck.AfterHours != 24 {
		t.Errorf("a store's own recovery check: %+v, want copied", p.Recheck)
	}
}

func classify(s Survey, comment string) (string, bool) {
	c := s.Classifier()
	if c == nil {
		return "", false
	}
	return c.Classify(comment)
}

// BenchmarkKeywordRules is keyword matching of one 2,000-character comment
// against the default English list, rules compiled per comment as an
// answer does.
func BenchmarkKeywordRules(b *testing.B) {
	comment := strings.Repeat("The parcel came late and the box was dented, but the kettle works. ", 40)[:2000]
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := NewKeywordRules(DefaultCaseKeywords["en"]).Classify(comment); ok {
			b.Fatal("matched")
		}
	}
}

// BenchmarkKeywordRulesRussian is the same against the Russian list.
func BenchmarkKeywordRulesRussian(b *testing.B) {
	comment := []rune(strings.Repeat("Посылка пришла поздно, коробка помята, но чайник работает. ", 40))[:2000]
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := NewKeywordRules(DefaultCaseKeywords["ru"]).Classify(string(comment)); ok {
			b.Fatal("matched")
		}
	}
}
