package storeapi_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

// TestStoreTextsSettings: a store's own texts are saved per language,
// shown by GET, replaced whole by a PUT, and every bad one is refused
// naming it (texts.<language>.<field>) with nothing saved.
func TestStoreTextsSettings(t *testing.T) {
	f := apptest.New(t)
	if body, got := getSettings(t, f, f.APIKey); !strings.Contains(body, `"texts":{}`) || len(got.Texts) != 0 {
		t.Fatalf("new store's texts: %s, want {}", body)
	}
	put := f.API(t, "PUT", "/v1/settings", `{"texts":{"en":{"subject":"{first_name}, how is your {products}?","greeting":"Hello {first_name}!"},`+
		`"ru":{"thanks":"Спасибо, {first_name}! {points} уже на вашем счёте в {store}."}}}`)
	if put.Status != http.StatusOK {
		t.Fatalf("put texts: %d %s", put.Status, put.Body)
	}
	want := map[string]closeloop.StoreTexts{
		"en": {Subject: "{first_name}, how is your {products}?", Greeting: "Hello {first_name}!"},
		"ru": {Thanks: "Спасибо, {first_name}! {points} уже на вашем счёте в {store}."},
	}
	if _, got := getSettings(t, f, f.APIKey); !reflect.DeepEqual(got.Texts, want) {
		t.Fatalf("texts after PUT %+v, want %+v", got.Texts, want)
	}
	before, _ := getSettings(t, f, f.APIKey)

	long := strings.Repeat("a", closeloop.MaxTextLineRunes+1)
	tests := []struct {
		name   string
		body   string
		fields []string
	}{
		{"unknown placeholder", `{"texts":{"en":{"subject":"Hi {name}"}}}`, []string{"texts.en.subject"}},
		{"brace outside a placeholder", `{"texts":{"en":{"intro":"Hi {first_name"}}}`, []string{"texts.en.intro"}},
		{"tag", `{"texts":{"en":{"greeting":"Hi <b>{first_name}</b>"}}}`, []string{"texts.en.greeting"}},
		{"entity", `{"texts":{"ru":{"thanks":"Спасибо&nbsp;вам"}}}`, []string{"texts.ru.thanks"}},
		{"numeric entity", `{"texts":{"en":{"intro":"Caf&#233; time"}}}`, []string{"texts.en.intro"}},
		{"line break", `{"texts":{"en":{"subject":"Hi\nBcc: x@y.z"}}}`, []string{"texts.en.subject"}},
		{"subject too long", `{"texts":{"en":{"subject":"` + strings.Repeat("é", closeloop.MaxTextSubjectRunes+1) + `"}}}`, []string{"texts.en.subject"}},
		{"line too long", `{"texts":{"en":{"intro":"` + long + `"}}}`, []string{"texts.en.intro"}},
		{"language not spoken", `{"texts":{"xx":{"subject":"Hi"}}}`, []string{"texts.xx"}},
		{"unknown field", `{"texts":{"en":{"footer":"Bye"}}}`, []string{"texts.en.footer"}},
		{"wrong type", `{"texts":{"en":{"subject":5}}}`, []string{"texts.en.subject"}},
		{"language not an object", `{"texts":{"en":"Hi"}}`, []string{"texts.en"}},
		{"not an object", `{"texts":["Hi"]}`, []string{"texts"}},
		{"every bad one, with good ones", `{"sla_hours":12,"texts":{"en":{"subject":"ok","greeting":"<i>","intro":"{x}"},"ru":{"thanks":"` + long + `"}}}`,
			[]string{"texts.en.greeting", "texts.en.intro", "texts.ru.thanks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantInvalid(t, f.API(t, "PUT", "/v1/settings", tt.body), tt.fields...)
			if len(e.Error.Fields) != len(tt.fields) {
				t.Errorf("error fields %v, want only %v", e.Error.Fields, tt.fields)
			}
		})
	}
	if after, _ := getSettings(t, f, f.APIKey); after != before {
		t.Fatalf("settings changed by refused PUTs:\n%s\nwas\n%s", after, before)
	}

	// null or {} clears them.
	if r := f.API(t, "PUT", "/v1/settings", `{"texts":null}`); r.Status != http.StatusOK || !strings.Contains(r.Body, `"texts":{}`) {
		t.Fatalf("clearing texts: %d %s", r.Status, r.Body)
	}
}
