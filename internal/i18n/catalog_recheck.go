package i18n

// recheckCatalog is the recovery check's texts (closeloop/recheck.go): its
// email and page. Kept beside catalog, merged into it at start, so that
// the texts of one feature stay together.
func recheckCatalog() map[string]map[string]string {
	return map[string]map[string]string{
		"en": {
			"recheck.subject":        "Was your issue with order %s put right?",
			"recheck.intro":          "Some time ago you told us something was wrong with your order %s, and our team worked on it.",
			"recheck.question":       "Was the issue put right?",
			"recheck.yes":            "Yes, it was put right",
			"recheck.no":             "No, it still is not right",
			"recheck.tap":            "One click is enough. On the next page you can also rate your order again.",
			"recheck.no_note":        "If you answer no, your request is reopened and someone from our team will contact you.",
			"recheck.page_title":     "Was your issue put right? – %s",
			"recheck.page_heading":   "Was your issue with order %s put right?",
			"recheck.answer_legend":  "Your answer",
			"recheck.score_legend":   "How satisfied are you with your order now? (optional)",
			"recheck.submit":         "Send my answer",
			"recheck.error.answer":   "Please choose yes or no.",
			"recheck.error.score":    "Please choose a rating from 1 to 5, or none.",
			"recheck.error.busy":     "We could not save your answer just now. Nothing was lost: please press “Send my answer” again in a moment.",
			"recheck.thanks_title":   "Thank you for your answer",
			"recheck.thanks_yes":     "We are glad the issue was put right.",
			"recheck.thanks_no":      "We are sorry it is still not right. Your request is open again and our team will contact you soon.",
			"recheck.thanks_already": "Your answer was received earlier; thank you.",

			"digest.recovery_rate": "Recovered after a follow-up",
			"digest.score_change":  "Mean score change after a follow-up",
		},
		"ru": {
			"recheck.subject":        "Удалось ли решить проблему с заказом %s?",
			"recheck.intro":          "Некоторое время назад вы сообщили нам о проблеме с заказом %s, и наша команда занялась ею.",
			"recheck.question":       "Проблема решена?",
			"recheck.yes":            "Да, всё исправлено",
			"recheck.no":             "Нет, всё ещё не так",
			"recheck.tap":            "Достаточно одного нажатия. На следующей странице можно заново оценить заказ.",
			"recheck.no_note":        "Если вы ответите «нет», обращение откроется снова, и наша команда свяжется с вами.",
			"recheck.page_title":     "Проблема решена? – %s",
			"recheck.page_heading":   "Удалось ли решить проблему с заказом %s?",
			"recheck.answer_legend":  "Ваш ответ",
			"recheck.score_legend":   "Насколько вы довольны заказом теперь? (необязательно)",
			"recheck.submit":         "Отправить ответ",
			"recheck.error.answer":   "Пожалуйста, выберите «да» или «нет».",
			"recheck.error.score":    "Пожалуйста, выберите оценку от 1 до 5 или не выбирайте ничего.",
			"recheck.error.busy":     "Не удалось сохранить ответ. Ничего не потеряно: нажмите «Отправить ответ» ещё раз чуть позже.",
			"recheck.thanks_title":   "Спасибо за ответ",
			"recheck.thanks_yes":     "Мы рады, что проблема решена.",
			"recheck.thanks_no":      "Нам жаль, что всё ещё не так. Обращение открыто снова, и наша команда скоро свяжется с вами.",
			"recheck.thanks_already": "Мы уже получили ваш ответ, спасибо.",

			"digest.recovery_rate": "Проблема решена после обращения",
			"digest.score_change":  "Изменение оценки после обращения",
		},
	}
}

func init() {
	later(func() {
		for lang, texts := range recheckCatalog() {
			for key, text := range texts {
				catalog[lang][key] = text
			}
		}
	})
}
