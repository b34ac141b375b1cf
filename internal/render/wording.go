package render

import (
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

// greeting is "Hi Ada," or, without a name, "Hi,".
func greeting(t i18n.Text, name string) string {
	if name == "" {
		return t.Get("email.greeting_anon")
	}
	return t.Get("email.greeting", name)
}

// WithStoreTexts puts the store's own subject, greeting and intro (settings
// texts, in the email's language) in place of the product's; the points
// promise, the rating links and the footer stay. A text that fills to
// nothing keeps the product's line.
func (e SurveyEmail) WithStoreTexts(texts map[string]closeloop.StoreTexts) SurveyEmail {
	own, ok := texts[e.T.Lang]
	if !ok {
		return e
	}
	values := map[string]string{
		"first_name": closeloop.FirstName(e.Name), "store": e.Brand.Name, "points": e.points, "products": e.Products,
	}
	fill(&e.Subject, own.Subject, values)
	fill(&e.Greeting, own.Greeting, values)
	fill(&e.Intro, own.Intro, values)
	return e
}

// WithStoreTexts puts the store's own thank-you line (settings texts, in
// the email's language) in place of the product's; the points stay.
// items are the order's, for the {products} placeholder.
func (e ThanksEmail) WithStoreTexts(texts map[string]closeloop.StoreTexts, items []closeloop.Item) ThanksEmail {
	own, ok := texts[e.T.Lang]
	if !ok {
		return e
	}
	fill(&e.Line, own.Thanks, map[string]string{
		"first_name": closeloop.FirstName(e.Name), "store": e.Brand.Name, "points": e.Points, "products": Products(e.T, items),
	})
	return e
}

// fill sets *line to the store's text with values put in, unless that
// leaves nothing.
func fill(line *string, text string, values map[string]string) {
	if filled := closeloop.FillText(text, values); filled != "" {
		*line = filled
	}
}
