package render

import (
	"regexp"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// The sign-in email in each language: the store, the link in both parts,
// the 15 minutes, what to do when it was not asked for; no key left
// untranslated, the store's name escaped only in the HTML part.
func TestSignInEmail(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	store := func(name string) closeloop.Store {
		s := closeloop.Store{StoreID: "shop", Settings: closeloop.DefaultSettings()}
		s.Settings.Branding.Name = name
		return s
	}
	const link = "https://f.test/app/login/AbC_d-1"
	tests := []struct {
		lang   string
		stores []closeloop.Store
		want   []string
	}{
		{"en", []closeloop.Store{store(`Tom & Jerry's`)}, []string{"Sign in to the Tom & Jerry's dashboard", "within 15 minutes", "If you did not ask to sign in, ignore this email"}},
		{"ru", []closeloop.Store{store("Кофе")}, []string{"Вход в панель магазина Кофе", "15 минут", "не обращайте внимания"}},
		{"en", []closeloop.Store{store("One"), store("Two")}, []string{"Sign in to your stores' dashboard", "- One", "- Two"}},
	}
	untranslatedKey := regexp.MustCompile(`\bapp\.[a-z_.]+\b`)
	for _, tt := range tests {
		e, err := r.RenderEmail(NewSignInEmail(tt.lang, tt.stores, link))
		if err != nil {
			t.Fatal(err)
		}
		text := e.Subject + "\n" + e.Text
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s email lacks %q:\n%s", tt.lang, w, text)
			}
		}
		if !strings.Contains(e.Text, link) || !strings.Contains(e.HTML, `href="`+link+`"`) {
			t.Errorf("the link is not in both parts")
		}
		if m := untranslatedKey.FindString(e.Subject + e.HTML + e.Text); m != "" {
			t.Errorf("untranslated key %q", m)
		}
		if strings.Contains(e.Text, "&amp;") || strings.Contains(e.HTML, "Tom & Jerry") {
			t.Errorf("the store's name is escaped in the wrong part")
		}
	}
}
