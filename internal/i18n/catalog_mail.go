package i18n

import "maps"

// mailTexts are the texts the emails gained for mail clients: what was
// bought (up to three names, then how many more), the hidden preheader
// lines, and the survey page's list of products. Merged into catalog at
// start, like alertTexts.
var mailTexts = map[string]map[string]string{
	"en": {
		// "Mug and Kettle"; "Mug, Kettle, Teapot and 2 more items".
		"products.and":        "%[1]s and %[2]s",
		"products.and_more":   "%[1]s and %[2]s",
		"products.more.forms": "more item|more items",
		"email.products":      "You ordered: %s.",
		"page.products":       "You ordered: %s",
		// Preheaders: the line a mail client shows after the subject.
		"email.preheader":        "One tap to rate your order %s. %s",
		"thanks_email.preheader": "Thank you for your feedback on order %s.",
		"ack.preheader":          "A person from our team will contact you by %s.",
		"closing.preheader":      "Your request about order %s is resolved.",
		"recheck.preheader":      "One click: was your issue with order %s put right?",
		"alert.preheader":        "Order %s: respond by %s.",
		"reply.preheader":        "The customer wrote about order %s.",
		"hourly.preheader":       "New follow-up cases at %s.",
		"export.preheader":       "A customer data export for %s.",
	},
	"ru": {
		"products.and":           "%[1]s и %[2]s",
		"products.and_more":      "%[1]s и ещё %[2]s",
		"products.more.forms":    "товар|товара|товаров",
		"email.products":         "Вы заказали: %s.",
		"page.products":          "Вы заказали: %s",
		"email.preheader":        "Оцените заказ %s одним нажатием. %s",
		"thanks_email.preheader": "Спасибо за отзыв о заказе %s.",
		"ack.preheader":          "Сотрудник нашей команды свяжется с вами до %s.",
		"closing.preheader":      "Ваше обращение по заказу %s решено.",
		"recheck.preheader":      "Одно нажатие: решена ли проблема с заказом %s?",
		"alert.preheader":        "Заказ %s: ответить до %s.",
		"reply.preheader":        "Покупатель написал о заказе %s.",
		"hourly.preheader":       "Новые обращения в магазине %s.",
		"export.preheader":       "Выгрузка данных покупателя для %s.",
	},
}

func init() {
	for lang, texts := range mailTexts {
		maps.Copy(catalog[lang], texts)
	}
}
