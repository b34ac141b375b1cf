package settings

import (
	"encoding/json"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// patchTexts reads the texts setting, which replaces the whole map: each
// language's object is decoded on its own, so that a bad field is named
// as texts.<language>.<field>. Validate checks the words themselves.
func patchTexts(raw json.RawMessage, problems closeloop.Problems) map[string]closeloop.StoreTexts {
	var langs map[string]json.RawMessage
	if err := json.Unmarshal(raw, &langs); err != nil {
		problems.Add("texts", "must be an object of languages, each an object of subject, greeting, intro and thanks")
		return nil
	}
	texts := make(map[string]closeloop.StoreTexts, len(langs))
	for lang, raw := range langs {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
			problems.Add("texts."+lang, "must be an object of subject, greeting, intro and thanks")
			continue
		}
		var t closeloop.StoreTexts
		patch(&t, fields, "texts."+lang+".", problems)
		texts[lang] = t
	}
	return texts
}
