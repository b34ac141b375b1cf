package i18n

import (
	"io/fs"
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

func TestEveryLanguageHasEveryKey(t *testing.T) {
	all := map[string]bool{}
	for _, lang := range Languages() {
		for _, k := range Keys(lang) {
			all[k] = true
		}
	}
	for _, lang := range Languages() {
		for k := range all {
			if _, ok := catalog[lang][k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
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
	goKey := regexp.MustCompile(`\b[tT]\.(?:Get|Count)\("([a-z_0-9]+\.[a-z_.0-9]*[a-z_0-9])"`)
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
		for _, lang := range Languages() {
			if _, ok := catalog[lang][key]; !ok {
				t.Errorf("%s uses %q, which %s lacks", where, key, lang)
			}
		}
	}
}

func TestPick(t *testing.T) {
	tests := []struct{ customer, store, want string }{
		{"ru-RU", "en", "ru"},
		{"en-GB", "ru", "en"},
		{"de-DE", "ru", "ru"},
		{"xx-YY", "en", "en"},
		{"", "", "en"},
		{"EN", "", "en"},
	}
	for _, lang := range Languages() {
		tests = append(tests, struct{ customer, store, want string }{lang + "-XX", "", lang}, struct{ customer, store, want string }{"zz", lang, lang})
	}
	for _, tt := range tests {
		if got := Pick(tt.customer, tt.store); got != tt.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", tt.customer, tt.store, got, tt.want)
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
		if got := For(tt.lang).Count("reminders.forms", tt.n); got != tt.want {
			t.Errorf("%s Count(reminders, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
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
	tests := []struct {
		lang      string
		at        time.Time
		loc       *time.Location
		want      string
		wantShort string
	}{
		{"en", time.Date(2025, 11, 29, 13, 0, 0, 0, time.UTC), berlin, "Saturday 29 November, 14:00 (Europe/Berlin)", "Sat 29 Nov 14:00"},
		{"ru", time.Date(2025, 11, 29, 13, 0, 0, 0, time.UTC), berlin, "суббота, 29 ноября, 14:00 (Europe/Berlin)", "сб, 29 нояб., 14:00"},
		// The store's zone moves the day: late Sunday in UTC is Monday in Moscow.
		{"ru", time.Date(2026, 5, 3, 21, 30, 0, 0, time.UTC), moscow, "понедельник, 4 мая, 00:30 (Europe/Moscow)", "пн, 4 мая, 00:30"},
		{"en", time.Date(2025, 3, 1, 5, 0, 0, 0, time.UTC), la, "Friday 28 February, 21:00 (America/Los_Angeles)", "Fri 28 Feb 21:00"},
		{"ru", time.Date(2026, 1, 1, 9, 5, 0, 0, time.UTC), nil, "четверг, 1 января, 09:05 (UTC)", "чт, 1 янв., 09:05"},
		{"en", time.Date(2026, 8, 16, 23, 59, 0, 0, time.UTC), time.UTC, "Sunday 16 August, 23:59 (UTC)", "Sun 16 Aug 23:59"},
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
			if got := len(strings.Split(catalog[lang][key], "|")); got != want {
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
