// Package i18n holds every text people read (customers, and owners and
// support in the alerts, the digest and the dashboard) in each supported
// language, picks the language for a customer (the order's BCP 47 locale,
// else the store's default, else English) and for the store's staff
// (English or Russian), and names numbers and dates the way each language
// writes them, with plural forms chosen by CLDR's rules.
//
// Customers read English, Russian, German, Spanish, French and Serbian in
// Latin and Cyrillic script; owners and support read English and Russian
// (see StaffKey). Each language's customer texts are in catalog_<lang>.go;
// Serbian Cyrillic is written from the Latin text (serbian.go).
package i18n

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Fallback is the language used when neither the customer's nor the
// store's is supported.
const Fallback = "en"

// staffLanguages are the languages of the texts owners and support read.
var staffLanguages = []string{"en", "ru"}

// staffPrefixes start the keys of the texts only owners and support read:
// the alerts (email and Slack), replies to cases, the hourly alert, the
// digest and its unsubscribe page, the data export and the dashboard.
// These exist in English and Russian only; every other key is a
// customer's and exists in every language.
var staffPrefixes = []string{"alert.", "reply.", "hourly.", "slack.", "digest.", "digest_unsubscribe.", "export.", "app."}

// StaffKey reports whether key names a text only owners and support read,
// written in English and Russian only.
func StaffKey(key string) bool {
	for _, p := range staffPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// Languages lists the supported languages, those customers read, as BCP
// 47 tags (sr-Latn, sr-Cyrl).
func Languages() []string {
	langs := make([]string, 0, len(texts()))
	for lang := range texts() {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	return langs
}

// StaffLanguages lists the languages owners and support read.
func StaffLanguages() []string { return slices.Clone(staffLanguages) }

// Pick returns the supported language for a customer's locale, falling back
// to the store's default locale, then to English. The tags are matched as
// closeloop.Language does: de-AT is de, sr-RS sr-Latn.
func Pick(customerLocale, storeLocale string) string {
	for _, tag := range []string{customerLocale, storeLocale} {
		if lang := closeloop.Language(tag); texts()[lang] != nil {
			return lang
		}
	}
	return Fallback
}

// PickStaff returns the language of the texts owners and support read for
// a store whose default locale is locale: Russian for a Russian store,
// else English.
func PickStaff(locale string) string {
	if lang := closeloop.Language(locale); slices.Contains(staffLanguages, lang) {
		return lang
	}
	return Fallback
}

// Text is the texts of one language.
type Text struct {
	Lang string
}

// For returns the texts of lang, English when lang is not supported.
func For(lang string) Text {
	if texts()[lang] == nil {
		lang = Fallback
	}
	return Text{Lang: lang}
}

// Get returns the text for key, formatted with args (fmt verbs). A missing
// key shows as the key itself, and a test keeps every key in every language.
func (t Text) Get(key string, args ...any) string {
	catalog := texts()
	msg, ok := catalog[t.Lang][key]
	if !ok {
		msg, ok = catalog[Fallback][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Points names a number of points with the language's plural form:
// "1 point", "5 points"; "1 балл", "2 балла", "5 баллов".
func (t Text) Points(n int) string {
	return t.Count("points.forms", n)
}

// Count names n of something whose plural forms are the text of formsKey,
// the number written as the language groups digits: Count("points.forms",
// 2) is "2 points" or "2 балла"; 1500 is "1,500 points", "1 500 баллов",
// "1.500 Punkte".
func (t Text) Count(formsKey string, n int) string {
	return t.Number(n) + " " + t.Plural(formsKey, n)
}

// Number writes the whole number n with the language's digit grouping
// (CLDR's, through golang.org/x/text/number): "12,345", "12 345", "12.345".
func (t Text) Number(n int) string {
	tag, err := language.Parse(t.Lang)
	if err != nil {
		tag = language.English
	}
	return message.NewPrinter(tag).Sprint(number.Decimal(n))
}

// Plural is the form of formsKey's word that goes with the whole number n,
// as CLDR's plural rules for the language choose it. The text of a forms
// key names each form by its CLDR category, "|"-separated:
// "one=point|other=points", "one=балл|few=балла|many=баллов|other=балла".
// A category the text lacks takes the "other" form.
func (t Text) Plural(formsKey string, n int) string {
	if n < 0 {
		n = -n
	}
	forms := splitForms(t.Get(formsKey))
	if form, ok := forms[category(t.Lang, n)]; ok {
		return form
	}
	if form, ok := forms["other"]; ok {
		return form
	}
	return formsKey // shows what is missing, as Get does
}

// splitForms splits the text of a forms key into its forms by CLDR category
// name (zero, one, two, few, many, other).
func splitForms(text string) map[string]string {
	forms := map[string]string{}
	for _, part := range strings.Split(text, "|") {
		if cat, form, ok := strings.Cut(part, "="); ok {
			forms[cat] = form
		}
	}
	return forms
}

// categoryNames are CLDR's names of the plural categories.
var categoryNames = map[plural.Form]string{
	plural.Other: "other", plural.Zero: "zero", plural.One: "one",
	plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

// category is the CLDR plural category of the whole number n in lang.
func category(lang string, n int) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return "other"
	}
	return categoryNames[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]
}

// DateTime names the moment at as the language writes it in loc (UTC when
// nil), with a 24-hour clock and the zone's name, so that a customer in
// another zone still knows which hour is meant: "Saturday 29 November, 14:00
// (Europe/Berlin)", "суббота, 29 ноября, 14:00 (Europe/Berlin)".
func (t Text) DateTime(at time.Time, loc *time.Location) string {
	at, zone := in(at, loc)
	return t.Get("date.long", t.name("date.weekdays", int(at.Weekday())), at.Day(),
		t.name("date.months", int(at.Month())-1), at.Format("15:04"), zone)
}

// ShortDateTime is DateTime abbreviated for a subject line, without the
// zone: "Sat 29 Nov 14:00", "сб, 29 нояб., 14:00".
func (t Text) ShortDateTime(at time.Time, loc *time.Location) string {
	at, _ = in(at, loc)
	return t.Get("date.short", t.name("date.weekdays_short", int(at.Weekday())), at.Day(),
		t.name("date.months_short", int(at.Month())-1), at.Format("15:04"))
}

// in moves at into loc and names the zone.
func in(at time.Time, loc *time.Location) (time.Time, string) {
	if loc == nil {
		loc = time.UTC
	}
	return at.In(loc), loc.String()
}

// name is the i-th of the "|"-separated names under key (weekdays from
// Sunday, as time.Weekday counts; months from January).
func (t Text) name(key string, i int) string {
	names := strings.Split(t.Get(key), "|")
	if i < 0 || i >= len(names) {
		return "?"
	}
	return names[i]
}

// Keys lists every key of a language, for tests that compare languages.
func Keys(lang string) []string {
	keys := make([]string, 0, len(texts()[lang]))
	for k := range texts()[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// add merges texts into lang's catalog; Serbian Latin texts are also
// written in Cyrillic script, so the two never drift apart. Each
// catalog_*.go file adds its texts in a step its init registers (later).
func add(lang string, texts map[string]string) {
	into := func(lang string, key, text string) {
		if catalog[lang] == nil {
			catalog[lang] = map[string]string{}
		}
		catalog[lang][key] = text
	}
	for key, text := range texts {
		into(lang, key, text)
		if lang == "sr-Latn" {
			into("sr-Cyrl", key, cyrillic(key, text))
		}
	}
}

// steps complete the catalog: each catalog_*.go file's init registers one
// (later), in file order, merging its texts. They run once, when a text is
// first read (texts), not in init: merging every language's texts and
// writing Serbian in Cyrillic took about 0.3 ms of every function's cold
// start, though most starts read a few texts of one language, if any. The
// texts themselves are map literals returned by functions (baseCatalog,
// deTexts, …), built then too: as package variables they were built in
// init, another 0.1–0.2 ms.
var steps []func()

// later registers a step that completes the catalog; only init calls it.
func later(step func()) { steps = append(steps, step) }

// complete runs the registered steps, once.
var complete = sync.OnceFunc(func() {
	catalog = baseCatalog()
	for _, step := range steps {
		step()
	}
})

// texts returns the catalog, complete.
func texts() map[string]map[string]string {
	complete()
	return catalog
}
