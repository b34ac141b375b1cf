package i18n

// shopCatalog is the texts of the shop platforms' privacy requests: the
// customer's data export emailed to the store's owners.
func shopCatalog() map[string]map[string]string {
	return map[string]map[string]string{
		"en": {
			"export.subject": "Customer data request from %s: %s",
			"export.intro":   "%s asked, through a customer data request, for everything this store holds about %s. Their data is below, as JSON; send it to the customer as your shop's privacy policy says.",
			"export.request": "Request",
			"export.why":     "You receive this email because this address is an owner address of %s.",
		},
		"ru": {
			"export.subject": "Запрос данных клиента из %s: %s",
			"export.intro":   "%s передал запрос клиента на его данные: всё, что магазин хранит о %s. Данные ниже, в формате JSON; передайте их клиенту так, как требует политика конфиденциальности магазина.",
			"export.request": "Запрос",
			"export.why":     "Вы получили это письмо, потому что этот адрес указан как адрес владельца магазина %s.",
		},
	}
}

func init() {
	later(func() {
		for lang, texts := range shopCatalog() {
			for key, text := range texts {
				catalog[lang][key] = text
			}
		}
	})
}
