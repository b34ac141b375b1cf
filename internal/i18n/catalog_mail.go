package i18n

import "maps"

// mailTexts are the texts the emails gained for mail clients: what was
// bought (up to three names, then how many more), the hidden preheader
// lines, and the survey page's list of products. Merged into catalog at
// start, like alertTexts.
func mailTexts() map[string]map[string]string {
	return map[string]map[string]string{
		"en": {
			// "Mug and Kettle"; "Mug, Kettle, Teapot and 2 more items".
			"products.and":        "%[1]s and %[2]s",
			"products.and_more":   "%[1]s and %[2]s",
			"products.more.forms": "one=more item|other=more items",
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
			"products.more.forms":    "one=товар|few=товара|many=товаров|other=товара",
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
}

// mailTranslations are the same customer texts in the other languages
// customers read (owners' and support's stay English and Russian).
// Serbian is written in Latin script; add writes the Cyrillic.
func mailTranslations() map[string]map[string]string {
	return map[string]map[string]string{
		"de": {
			"products.and":           "%[1]s und %[2]s",
			"products.and_more":      "%[1]s und %[2]s",
			"products.more.forms":    "one=weiterer Artikel|other=weitere Artikel",
			"email.products":         "Sie haben bestellt: %s.",
			"page.products":          "Sie haben bestellt: %s",
			"email.preheader":        "Bewerten Sie Ihre Bestellung %s mit einem Tippen. %s",
			"thanks_email.preheader": "Vielen Dank für Ihr Feedback zur Bestellung %s.",
			"ack.preheader":          "Jemand aus unserem Team meldet sich spätestens am %s bei Ihnen.",
			"closing.preheader":      "Ihr Anliegen zur Bestellung %s ist erledigt.",
			"recheck.preheader":      "Ein Klick: Ist Ihr Problem mit der Bestellung %s gelöst?",
		},
		"es": {
			"products.and":           "%[1]s y %[2]s",
			"products.and_more":      "%[1]s y %[2]s",
			"products.more.forms":    "one=artículo más|many=artículos más|other=artículos más",
			"email.products":         "Pediste: %s.",
			"page.products":          "Pediste: %s",
			"email.preheader":        "Valora tu pedido %s con un toque. %s",
			"thanks_email.preheader": "Gracias por tu opinión sobre el pedido %s.",
			"ack.preheader":          "Una persona de nuestro equipo te escribirá a más tardar el %s.",
			"closing.preheader":      "Tu solicitud sobre el pedido %s está resuelta.",
			"recheck.preheader":      "Un clic: ¿se resolvió tu problema con el pedido %s?",
		},
		"fr": {
			"products.and":           "%[1]s et %[2]s",
			"products.and_more":      "%[1]s et %[2]s",
			"products.more.forms":    "one=autre article|many=autres articles|other=autres articles",
			"email.products":         "Vous avez commandé : %s.",
			"page.products":          "Vous avez commandé : %s",
			"email.preheader":        "Notez votre commande %s d’un seul geste. %s",
			"thanks_email.preheader": "Merci pour votre avis sur la commande %s.",
			"ack.preheader":          "Une personne de notre équipe vous contactera au plus tard le %s.",
			"closing.preheader":      "Votre demande concernant la commande %s est résolue.",
			"recheck.preheader":      "Un clic : votre problème avec la commande %s est-il réglé ?",
		},
		"sr-Latn": {
			"products.and":           "%[1]s i %[2]s",
			"products.and_more":      "%[1]s i još %[2]s",
			"products.more.forms":    "one=proizvod|few=proizvoda|other=proizvoda",
			"email.products":         "Naručili ste: %s.",
			"page.products":          "Naručili ste: %s",
			"email.preheader":        "Ocenite porudžbinu %s jednim dodirom. %s",
			"thanks_email.preheader": "Hvala vam na utisku o porudžbini %s.",
			"ack.preheader":          "Neko iz našeg tima javiće vam se najkasnije %s.",
			"closing.preheader":      "Vaš zahtev u vezi sa porudžbinom %s je rešen.",
			"recheck.preheader":      "Jedan klik: da li je problem sa porudžbinom %s rešen?",
		},
	}
}

func init() {
	later(func() {
		for lang, texts := range mailTexts() {
			maps.Copy(catalog[lang], texts)
		}
		for lang, texts := range mailTranslations() {
			add(lang, texts)
		}
	})
}
