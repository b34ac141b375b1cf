package i18n

import "maps"

// alertTexts are the texts of the hourly alert of new cases and of the
// Slack alerts, kept apart from catalog so that the parts of the loop
// each add their own; init merges them in before any text is read.
func alertTexts() map[string]map[string]string {
	return map[string]map[string]string{
		"en": {
			"hourly.subject":    "%[1]s: %[2]s in the last hour",
			"hourly.forms":      "one=new case|other=new cases",
			"hourly.intro":      "New cases at %[1]s from %[2]s to %[3]s:",
			"hourly.more":       "…and %d more: see the follow-up queue.",
			"hourly.resolved":   "already resolved",
			"hourly.open_queue": "Open the follow-up queue",
			"hourly.case":       "Order %[1]s, score %[2]s",
			"slack.from":        "From %s",
		},
		"ru": {
			"hourly.subject":    "%[1]s: %[2]s за последний час",
			"hourly.forms":      "one=новое обращение|few=новых обращения|many=новых обращений|other=нового обращения",
			"hourly.intro":      "Новые обращения в магазине %[1]s с %[2]s до %[3]s:",
			"hourly.more":       "…и ещё %d: смотрите очередь обращений.",
			"hourly.resolved":   "уже решено",
			"hourly.open_queue": "Открыть очередь обращений",
			"hourly.case":       "Заказ %[1]s, оценка %[2]s",
			"slack.from":        "Магазин %s",
		},
	}
}

func init() {
	later(func() {
		for lang, texts := range alertTexts() {
			maps.Copy(catalog[lang], texts)
		}
	})
}
