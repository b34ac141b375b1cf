// Package i18n holds every text people read (customers, and support in the
// alerts) in each supported language, picks the language for a customer (the
// order's BCP 47 locale, else the store's default, else English), and names
// numbers and dates the way each language writes them.
package i18n

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Fallback is the language used when neither the customer's nor the
// store's is supported.
const Fallback = "en"

// Languages lists the supported languages.
func Languages() []string {
	langs := make([]string, 0, len(catalog))
	for lang := range catalog {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	return langs
}

// Pick returns the supported language for a customer's locale, falling back
// to the store's default locale, then to English.
func Pick(customerLocale, storeLocale string) string {
	for _, tag := range []string{customerLocale, storeLocale} {
		if lang := closeloop.Language(tag); catalog[lang] != nil {
			return lang
		}
	}
	return Fallback
}

// Text is the texts of one language.
type Text struct {
	Lang string
}

// For returns the texts of lang, English when lang is not supported.
func For(lang string) Text {
	if catalog[lang] == nil {
		lang = Fallback
	}
	return Text{Lang: lang}
}

// Get returns the text for key, formatted with args (fmt verbs). A missing
// key shows as the key itself, and a test keeps every key in every language.
func (t Text) Get(key string, args ...any) string {
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

// Count names n of something whose plural forms are the "|"-separated text
// of formsKey, in the order of the language's CLDR plural categories:
// Count("reminders.forms", 2) is "2 times" or "2 раза".
func (t Text) Count(formsKey string, n int) string {
	forms := strings.Split(t.Get(formsKey), "|")
	return fmt.Sprintf("%d %s", n, forms[pluralIndex(t.Lang, n, len(forms))])
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

// pluralIndex picks the plural form: English-like languages have one and
// other; Russian has one (1, 21, 31…), few (2–4, 22–24…) and many.
func pluralIndex(lang string, n, forms int) int {
	if n < 0 {
		n = -n
	}
	var i int
	switch lang {
	case "ru":
		switch {
		case n%10 == 1 && n%100 != 11:
			i = 0
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			i = 1
		default:
			i = 2
		}
	default:
		if n != 1 {
			i = 1
		}
	}
	return min(i, forms-1)
}

// Keys lists every key of a language, for tests that compare languages.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalog[lang]))
	for k := range catalog[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
