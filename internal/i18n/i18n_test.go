package i18n

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/templates"
)

// allLanguages are the languages customers read; staff texts are in
// English and Russian only (StaffKey).
var allLanguages = []string{"de", "en", "es", "fr", "ru", "sr-Cyrl", "sr-Latn"}

// TestCatalogsAreComplete: every customer text is in every language, every
// staff text in English and Russian (and nowhere else), and no language
// has a key English lacks.
func TestCatalogsAreComplete(t *testing.T) {
	if got := Languages(); !slices.Equal(got, allLanguages) {
		t.Fatalf("Languages() = %v, want %v", got, allLanguages)
	}
	if got := StaffLanguages(); !slices.Equal(got, []string{"en", "ru"}) {
		t.Fatalf("StaffLanguages() = %v", got)
	}
	customer, staff := 0, 0
	for _, key := range Keys("en") {
		want := allLanguages
		if StaffKey(key) {
			want = StaffLanguages()
			staff++
		} else {
			customer++
		}
		for _, lang := range allLanguages {
			_, has := texts()[lang][key]
			switch {
			case slices.Contains(want, lang) && !has:
				t.Errorf("%s lacks %q", lang, key)
			case !slices.Contains(want, lang) && has:
				t.Errorf("%s has the staff text %q: staff read English and Russian only", lang, key)
			}
		}
	}
	for _, lang := range allLanguages {
		for _, key := range Keys(lang) {
			if _, ok := texts()["en"][key]; !ok {
				t.Errorf("%s has %q, which English lacks", lang, key)
			}
		}
	}
	if customer < 90 || staff < 100 {
		t.Errorf("%d customer keys and %d staff keys: the split by StaffKey is off", customer, staff)
	}
}

// TestStaffKey: the rule that splits the catalog.
func TestStaffKey(t *testing.T) {
	for key, want := range map[string]bool{
		"alert.subject_unhappy": true, "alert.reminders.forms": true, "digest.subject": true, "digest_unsubscribe.title": true,
		"hourly.subject": true, "slack.from": true, "reply.subject": true, "export.subject": true, "app.nav": true,
		"email.subject": false, "page.title": false, "recheck.subject": false, "ack.next": false, "closing.subject": false,
		"score.1": false, "date.long": false, "points.forms": false, "thanks_email.subject": false, "appetite": false,
	} {
		if got := StaffKey(key); got != want {
			t.Errorf("StaffKey(%q) = %v, want %v", key, got, want)
		}
	}
}

// verbs maps each argument a format text reads (from 1) to its verb:
// "%s of %[1]d" gives {1: 'd'} after the positional verb rereads it.
func verbs(text string) map[int]byte {
	got := map[int]byte{}
	arg := 1
	for i := 0; i < len(text); i++ {
		if text[i] != '%' {
			continue
		}
		i++
		if i < len(text) && text[i] == '%' {
			continue
		}
		for i < len(text) && !(text[i] >= 'a' && text[i] <= 'z' || text[i] >= 'A' && text[i] <= 'Z') {
			if text[i] == '[' {
				end := strings.IndexByte(text[i:], ']')
				if n, err := strconv.Atoi(text[i+1 : i+end]); end > 0 && err == nil {
					arg = n
				}
				i += end
			}
			i++
		}
		if i < len(text) {
			got[arg] = text[i]
			arg++
		}
	}
	return got
}

// TestTranslationsTakeEnglishsArguments: a translation reads the same
// arguments with the same verbs as the English text (in any order), so
// no text prints %!s(MISSING) or drops a value.
func TestTranslationsTakeEnglishsArguments(t *testing.T) {
	if got := verbs("%[2]s %[1]d %s, 100%%"); !maps.Equal(got, map[int]byte{1: 'd', 2: 's'}) {
		t.Fatalf("verbs() = %v", got)
	}
	for _, lang := range allLanguages {
		for _, key := range Keys(lang) {
			want := verbs(texts()["en"][key])
			if got := verbs(texts()[lang][key]); !maps.Equal(got, want) {
				t.Errorf("%s %q takes arguments %v, English %v", lang, key, got, want)
			}
		}
	}
}

// usedKeys finds the literal keys that templates and Go code look up.
func usedKeys(t *testing.T) map[string]string {
	t.Helper()
	used := map[string]string{}
	tmplKey := regexp.MustCompile(`\.T\.Get "([a-z_.0-9]+)"`)
	err := fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS, path)
		for _, m := range tmplKey.FindAllStringSubmatch(string(data), -1) {
			used[m[1]] = path
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goKey := regexp.MustCompile(`\b[tT]\.(?:Get|Count|Plural)\("([a-z_0-9]+\.[a-z_.0-9]*[a-z_0-9])"`)
	files, _ := filepath.Glob("../*/*.go")
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(string(data), -1) {
			used[m[1]] = path
		}
	}
	// Keys built at run time.
	for v := 1; v <= 5; v++ {
		used["score."+strconv.Itoa(v)] = "render (score labels)"
	}
	for _, field := range []string{"score", "nps", "comment"} {
		used["page.error."+field] = "render (form errors)"
	}
	for _, prefix := range []string{"email", "page"} {
		used[prefix+".promise"] = "render.Promise"
		used[prefix+".promise_bonus"] = "render.Promise"
	}
	if len(used) < 30 {
		t.Fatalf("found only %d keys in use; the scan is broken", len(used))
	}
	return used
}

func TestEveryUsedKeyExistsInEveryLanguage(t *testing.T) {
	for key, where := range usedKeys(t) {
		langs := Languages()
		if StaffKey(key) {
			langs = StaffLanguages()
		}
		for _, lang := range langs {
			if _, ok := texts()[lang][key]; !ok {
				t.Errorf("%s uses %q, which %s lacks", where, key, lang)
			}
		}
	}
}

func TestPick(t *testing.T) {
	tests := []struct{ customer, store, want string }{
		{"ru-RU", "en", "ru"},
		{"en-GB", "ru", "en"},
		{"de-DE", "ru", "de"},
		{"de-AT", "en", "de"},
		{"es-MX", "en", "es"},
		{"fr-CA", "en", "fr"},
		{"sr", "en", "sr-Latn"},
		{"sr-RS", "en", "sr-Latn"},
		{"sr-Latn", "en", "sr-Latn"},
		{"sr-Latn-RS", "en", "sr-Latn"},
		{"sr-Cyrl", "en", "sr-Cyrl"},
		{"sr-Cyrl-RS", "en", "sr-Cyrl"},
		{"pt-BR", "fr", "fr"},
		{"pt-BR", "sr-Cyrl-RS", "sr-Cyrl"},
		{"xx-YY", "en", "en"},
		{"xx-YY", "it", "en"},
		{"", "", "en"},
		{"EN", "", "en"},
	}
	for _, lang := range Languages() {
		tests = append(tests, struct{ customer, store, want string }{lang, "", lang}, struct{ customer, store, want string }{"zz", lang, lang})
	}
	for _, tt := range tests {
		if got := Pick(tt.customer, tt.store); got != tt.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", tt.customer, tt.store, got, tt.want)
		}
	}
}

// TestPickStaff: owners and support read English or Russian whatever
// language the store's customers read.
func TestPickStaff(t *testing.T) {
	for locale, want := range map[string]string{"ru": "ru", "ru-RU": "ru", "en-GB": "en", "de": "en", "sr-Cyrl": "en", "fr-CA": "en", "": "en", "xx": "en"} {
		if got := PickStaff(locale); got != want {
			t.Errorf("PickStaff(%q) = %q, want %q", locale, got, want)
		}
	}
}

func TestPoints(t *testing.T) {
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 point"},
		{"en", 0, "0 points"},
		{"en", 75, "75 points"},
		{"ru", 1, "1 балл"},
		{"ru", 2, "2 балла"},
		{"ru", 4, "4 балла"},
		{"ru", 5, "5 баллов"},
		{"ru", 11, "11 баллов"},
		{"ru", 12, "12 баллов"},
		{"ru", 14, "14 баллов"},
		{"ru", 21, "21 балл"},
		{"ru", 22, "22 балла"},
		{"ru", 25, "25 баллов"},
		{"ru", 50, "50 баллов"},
		{"ru", 75, "75 баллов"},
		{"ru", 101, "101 балл"},
		{"ru", 111, "111 баллов"},
		{"de", 1, "1 Punkt"},
		{"de", 0, "0 Punkte"},
		{"de", 75, "75 Punkte"},
		{"es", 1, "1 punto"},
		{"es", 50, "50 puntos"},
		// French counts zero as one.
		{"fr", 0, "0 point"},
		{"fr", 1, "1 point"},
		{"fr", 2, "2 points"},
		{"sr-Latn", 1, "1 bod"},
		{"sr-Latn", 2, "2 boda"},
		{"sr-Latn", 4, "4 boda"},
		{"sr-Latn", 5, "5 bodova"},
		{"sr-Latn", 11, "11 bodova"},
		{"sr-Latn", 12, "12 bodova"},
		{"sr-Latn", 21, "21 bod"},
		{"sr-Latn", 23, "23 boda"},
		{"sr-Latn", 75, "75 bodova"},
		{"sr-Cyrl", 1, "1 бод"},
		{"sr-Cyrl", 22, "22 бода"},
		{"sr-Cyrl", 50, "50 бодова"},
		{"sr-Cyrl", 111, "111 бодова"},
		// Thousands grouped as each language writes them.
		{"en", 1500, "1,500 points"},
		{"ru", 1500, "1\u00a0500 баллов"},
		{"ru", 100001, "100\u00a0001 балл"},
		{"de", 1500, "1.500 Punkte"},
		{"fr", 12000, "12\u00a0000 points"},
		{"sr-Latn", 1002, "1.002 boda"},
	}
	for _, tt := range tests {
		if !slices.Contains(Languages(), tt.lang) {
			t.Fatalf("language %s is not supported", tt.lang)
		}
		if got := For(tt.lang).Points(tt.n); got != tt.want {
			t.Errorf("%s Points(%d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 times"},
		{"en", 1, "1 time"},
		{"en", 2, "2 times"},
		{"ru", 1, "1 раз"},
		{"ru", 2, "2 раза"},
		{"ru", 5, "5 раз"},
		{"ru", 21, "21 раз"},
		{"ru", 22, "22 раза"},
	}
	for _, tt := range tests {
		if got := For(tt.lang).Count("alert.reminders.forms", tt.n); got != tt.want {
			t.Errorf("%s Count(reminders, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
	if got := For("en").Count("no.such.forms", 2); got != "2 no.such.forms" {
		t.Errorf("a missing forms key gives %q, want it named", got)
	}
}

// TestPluralFormsCoverCLDR: every forms text names its forms by CLDR
// category, and has one for every category CLDR's rules give a whole
// number in its language.
func TestPluralFormsCoverCLDR(t *testing.T) {
	names := slices.Collect(maps.Values(categoryNames))
	checked := 0
	for _, lang := range Languages() {
		for _, key := range Keys(lang) {
			if !strings.HasSuffix(key, ".forms") {
				continue
			}
			checked++
			forms := splitForms(texts()[lang][key])
			if len(forms) != strings.Count(texts()[lang][key], "|")+1 {
				t.Errorf("%s %q: every form must be category=text: %q", lang, key, texts()[lang][key])
			}
			for cat, form := range forms {
				if !slices.Contains(names, cat) || form == "" {
					t.Errorf("%s %q: %q=%q is not a CLDR category with a form", lang, key, cat, form)
				}
			}
			for _, n := range append(slices.Collect(intRange(0, 1200)), 1_000_000, 1_000_001, 2_000_002) {
				if cat := category(lang, n); forms[cat] == "" {
					t.Errorf("%s %q lacks the %s form (for %d)", lang, key, cat, n)
					break
				}
			}
		}
	}
	if checked < len(Languages())+4 {
		t.Errorf("checked only %d forms texts", checked)
	}
}

func intRange(from, to int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for n := from; n < to && yield(n); n++ {
		}
	}
}

func TestDateTime(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	berlin, moscow, la := load("Europe/Berlin"), load("Europe/Moscow"), load("America/Los_Angeles")
	sat := time.Date(2025, 11, 29, 13, 0, 0, 0, time.UTC)
	tests := []struct {
		lang      string
		at        time.Time
		loc       *time.Location
		want      string
		wantShort string
	}{
		{"en", sat, berlin, "Saturday 29 November, 14:00 (Europe/Berlin)", "Sat 29 Nov 14:00"},
		{"ru", sat, berlin, "суббота, 29 ноября, 14:00 (Europe/Berlin)", "сб, 29 нояб., 14:00"},
		// The store's zone moves the day: late Sunday in UTC is Monday in Moscow.
		{"ru", time.Date(2026, 5, 3, 21, 30, 0, 0, time.UTC), moscow, "понедельник, 4 мая, 00:30 (Europe/Moscow)", "пн, 4 мая, 00:30"},
		{"en", time.Date(2025, 3, 1, 5, 0, 0, 0, time.UTC), la, "Friday 28 February, 21:00 (America/Los_Angeles)", "Fri 28 Feb 21:00"},
		{"ru", time.Date(2026, 1, 1, 9, 5, 0, 0, time.UTC), nil, "четверг, 1 января, 09:05 (UTC)", "чт, 1 янв., 09:05"},
		{"en", time.Date(2026, 8, 16, 23, 59, 0, 0, time.UTC), time.UTC, "Sunday 16 August, 23:59 (UTC)", "Sun 16 Aug 23:59"},
		{"de", sat, berlin, "Samstag, 29. November, 14:00 Uhr (Europe/Berlin)", "Sa., 29. Nov., 14:00"},
		{"de", time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), time.UTC, "Montag, 2. März, 08:00 Uhr (UTC)", "Mo., 2. März, 08:00"},
		{"es", sat, berlin, "sábado 29 de noviembre, 14:00 (Europe/Berlin)", "sáb 29 nov, 14:00"},
		{"fr", sat, berlin, "samedi 29 novembre à 14:00 (Europe/Berlin)", "sam. 29 nov. 14:00"},
		{"fr", time.Date(2026, 8, 12, 9, 0, 0, 0, time.UTC), time.UTC, "mercredi 12 août à 09:00 (UTC)", "mer. 12 août 09:00"},
		{"sr-Latn", sat, berlin, "subota, 29. novembar, 14:00 (Europe/Berlin)", "sub, 29. nov 14:00"},
		{"sr-Latn", time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), time.UTC, "ponedeljak, 23. novembar, 09:00 (UTC)", "pon, 23. nov 09:00"},
		{"sr-Cyrl", sat, berlin, "субота, 29. новембар, 14:00 (Europe/Berlin)", "суб, 29. нов 14:00"},
		{"sr-Cyrl", time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC), time.UTC, "недеља, 22. новембар, 09:00 (UTC)", "нед, 22. нов 09:00"},
	}
	for _, tt := range tests {
		text := For(tt.lang)
		if got := text.DateTime(tt.at, tt.loc); got != tt.want {
			t.Errorf("%s DateTime(%s) = %q, want %q", tt.lang, tt.at, got, tt.want)
		}
		if got := text.ShortDateTime(tt.at, tt.loc); got != tt.wantShort {
			t.Errorf("%s ShortDateTime(%s) = %q, want %q", tt.lang, tt.at, got, tt.wantShort)
		}
	}
}

// TestDateNames keeps every language's weekday and month lists complete:
// a short list would name the wrong day.
func TestDateNames(t *testing.T) {
	for _, lang := range Languages() {
		for key, want := range map[string]int{"date.weekdays": 7, "date.weekdays_short": 7, "date.months": 12, "date.months_short": 12} {
			if got := len(strings.Split(texts()[lang][key], "|")); got != want {
				t.Errorf("%s %s has %d names, want %d", lang, key, got, want)
			}
		}
	}
}

// TestSpokenLanguagesAreTheCatalogs: a store's default language is checked
// against closeloop.SpokenLanguages, which must be the catalog's.
func TestSpokenLanguagesAreTheCatalogs(t *testing.T) {
	got := slices.Sorted(slices.Values(closeloop.SpokenLanguages))
	if want := Languages(); !slices.Equal(got, want) {
		t.Fatalf("closeloop.SpokenLanguages %v, the catalog has %v", got, want)
	}
}
