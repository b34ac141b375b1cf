package render

import (
	"strings"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

// MaxNamedProducts is how many products an email or page names; the rest
// are counted ("and 2 more items").
const MaxNamedProducts = 3

// Products names what an order bought, for the survey email and page: up
// to three names, then how many more, in the language's words: "Mug",
// "Mug and Kettle", "Mug, Kettle, Teapot and 2 more items"; "" for an
// order without items. An item without a name shows as its SKU.
func Products(t i18n.Text, items []closeloop.Item) string {
	names := make([]string, 0, MaxNamedProducts)
	for _, it := range items[:min(len(items), MaxNamedProducts)] {
		name := strings.TrimSpace(it.Name)
		if name == "" {
			name = it.SKU
		}
		names = append(names, name)
	}
	switch more := len(items) - len(names); {
	case len(names) == 0:
		return ""
	case more > 0:
		return t.Get("products.and_more", strings.Join(names, ", "), t.Count("products.more.forms", more))
	case len(names) == 1:
		return names[0]
	default:
		return t.Get("products.and", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
	}
}
