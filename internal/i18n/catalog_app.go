package i18n

import "maps"

// appTexts are the dashboard's texts, in English and Russian only (its
// readers are the store's owners and support). Each area of the dashboard
// keeps its texts in a catalog_app_<area>.go of its own, merged in the
// same way.
func appTexts() map[string]map[string]string {
	return map[string]map[string]string{
		"en": {
			"app.skip":           "Skip to content",
			"app.nav":            "Dashboard",
			"app.nav.overview":   "Overview",
			"app.nav.products":   "Products",
			"app.nav.responses":  "Responses",
			"app.nav.followups":  "Follow-ups",
			"app.nav.settings":   "Settings",
			"app.nav.keys":       "API keys",
			"app.switch_store":   "Switch store",
			"app.logout":         "Sign out",
			"app.error.title":    "Something is not right",
			"app.error.internal": "Something went wrong on our side. Try again in a minute.",
			"app.error.back":     "Back to the overview",
		},
		"ru": {
			"app.skip":           "К содержимому",
			"app.nav":            "Панель",
			"app.nav.overview":   "Обзор",
			"app.nav.products":   "Товары",
			"app.nav.responses":  "Ответы",
			"app.nav.followups":  "Обращения",
			"app.nav.settings":   "Настройки",
			"app.nav.keys":       "API-ключи",
			"app.switch_store":   "Сменить магазин",
			"app.logout":         "Выйти",
			"app.error.title":    "Что-то не так",
			"app.error.internal": "У нас что-то сломалось. Попробуйте через минуту.",
			"app.error.back":     "К обзору",
		},
	}
}

func init() {
	later(func() {
		for lang, texts := range appTexts() {
			maps.Copy(catalog[lang], texts)
		}
	})
}
