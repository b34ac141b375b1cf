package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

func items(names ...string) []closeloop.Item {
	var list []closeloop.Item
	for i, n := range names {
		list = append(list, closeloop.Item{SKU: "SKU-" + string(rune('A'+i)), Name: n})
	}
	return list
}

func TestProducts(t *testing.T) {
	tests := []struct {
		lang  string
		items []closeloop.Item
		want  string
	}{
		{"en", nil, ""},
		{"en", items("Mug"), "Mug"},
		{"en", items("Mug", "Kettle"), "Mug and Kettle"},
		{"en", items("Mug", "Kettle", "Teapot"), "Mug, Kettle and Teapot"},
		{"en", items("Mug", "Kettle", "Teapot", "Filters"), "Mug, Kettle, Teapot and 1 more item"},
		{"en", items("Mug", "Kettle", "Teapot", "Filters", "Scale"), "Mug, Kettle, Teapot and 2 more items"},
		{"en", items("Mug", ""), "Mug and SKU-B"}, // no name: the SKU
		{"ru", items("Кружка", "Чайник"), "Кружка и Чайник"},
		{"ru", items("Кружка", "Чайник", "Заварник", "Фильтры"), "Кружка, Чайник, Заварник и ещё 1 товар"},
		{"ru", items("Кружка", "Чайник", "Заварник", "Фильтры", "Весы"), "Кружка, Чайник, Заварник и ещё 2 товара"},
		{"ru", items("a", "b", "c", "d", "e", "f", "g", "h"), "a, b, c и ещё 5 товаров"},
	}
	for _, tt := range tests {
		if got := Products(i18n.For(tt.lang), tt.items); got != tt.want {
			t.Errorf("%s Products(%d items) = %q, want %q", tt.lang, len(tt.items), got, tt.want)
		}
	}
}

// TestSurveyPageNamesTheProducts: the page names what was bought, as the
// email does, and leaves the line out for an order without items.
func TestSurveyPageNamesTheProducts(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Languages() {
		s := testSurvey(lang)
		s.Items = items("Stoneware mug", "Gooseneck kettle", "Paper filters", "Brew scale")
		var buf bytes.Buffer
		if err := r.WritePage(&buf, PageSurvey, SurveyPage(s, "/s/x", closeloop.Answer{}, 0, nil)); err != nil {
			t.Fatal(err)
		}
		want := i18n.For(lang).Get("page.products", Products(i18n.For(lang), s.Items))
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s survey page lacks %q", lang, want)
		}
		s.Items = nil
		buf.Reset()
		if err := r.WritePage(&buf, PageSurvey, SurveyPage(s, "/s/x", closeloop.Answer{}, 0, nil)); err != nil {
			t.Fatal(err)
		}
		if prefix, _, _ := strings.Cut(i18n.For(lang).Get("page.products"), "%"); strings.Contains(buf.String(), prefix) {
			t.Errorf("%s survey page of an order without items shows %q", lang, prefix)
		}
	}
}
