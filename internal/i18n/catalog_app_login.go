package i18n

import "maps"

// appLoginTexts are the sign-in pages' and the sign-in email's texts.
func appLoginTexts() map[string]map[string]string {
	return map[string]map[string]string{
		"en": {
			"app.login.title":         "Sign in",
			"app.login.intro":         "Enter your work email address. If it is an owner or support address of a store, we will email you a link to sign in.",
			"app.login.email":         "Email address",
			"app.login.send":          "Email me a sign-in link",
			"app.login.invalid":       "Enter an email address, such as name@example.com.",
			"app.login.limited":       "Too many sign-in requests. Try again in %d minutes.",
			"app.login.sent.title":    "Check your email",
			"app.login.sent.text":     "If %s may sign in, a sign-in link is on its way to it.",
			"app.login.sent.valid":    "The link works once, within 15 minutes. It may take a minute to arrive; look in the spam folder too.",
			"app.login.sent.again":    "Use another address",
			"app.login.link.title":    "Sign in to the dashboard",
			"app.login.link.text":     "Press the button to sign in on this device.",
			"app.login.link.button":   "Sign in",
			"app.login.used.title":    "This link cannot be used",
			"app.login.used.text":     "It was used already or has expired: a sign-in link works once, within 15 minutes.",
			"app.login.used.again":    "Ask for a new link",
			"app.stores.title":        "Choose a store",
			"app.stores.intro":        "Your address may sign in to these stores. Which one do you want to work in?",
			"app.stores.none":         "Your address is no longer an owner or support address of any store. Ask a store owner to add it in the settings.",
			"app.stores.current":      "open now",
			"app.stores.role.owner":   "owner",
			"app.stores.role.support": "support",

			"app.login.email.subject":         "Sign in to the %s dashboard",
			"app.login.email.subject_several": "Sign in to your stores' dashboard",
			"app.login.email.intro":           "Use the button below to sign in to the %s dashboard.",
			"app.login.email.intro_several":   "Use the button below to sign in to the dashboard of your stores:",
			"app.login.email.button":          "Sign in",
			"app.login.email.valid":           "The link works once, within 15 minutes.",
			"app.login.email.ignore":          "If you did not ask to sign in, ignore this email: nobody can sign in without the link.",
			"app.login.email.why":             "You receive this email because a sign-in link was requested for this address, which is an owner or support address in the store's settings.",
		},
		"ru": {
			"app.login.title":         "Вход",
			"app.login.intro":         "Введите рабочий адрес почты. Если это адрес владельца или поддержки магазина, мы пришлём на него ссылку для входа.",
			"app.login.email":         "Адрес почты",
			"app.login.send":          "Прислать ссылку для входа",
			"app.login.invalid":       "Введите адрес почты, например name@example.com.",
			"app.login.limited":       "Слишком много запросов на вход. Попробуйте через %d минут.",
			"app.login.sent.title":    "Проверьте почту",
			"app.login.sent.text":     "Если с адреса %s можно войти, ссылка для входа уже в пути.",
			"app.login.sent.valid":    "Ссылка работает один раз в течение 15 минут. Письмо может идти минуту; загляните и в папку «Спам».",
			"app.login.sent.again":    "Ввести другой адрес",
			"app.login.link.title":    "Вход в панель",
			"app.login.link.text":     "Нажмите кнопку, чтобы войти на этом устройстве.",
			"app.login.link.button":   "Войти",
			"app.login.used.title":    "Эта ссылка не работает",
			"app.login.used.text":     "Ею уже воспользовались, или она устарела: ссылка для входа работает один раз в течение 15 минут.",
			"app.login.used.again":    "Запросить новую ссылку",
			"app.stores.title":        "Выберите магазин",
			"app.stores.intro":        "С вашего адреса можно войти в эти магазины. В каком вы хотите работать?",
			"app.stores.none":         "Ваш адрес больше не указан как адрес владельца или поддержки ни в одном магазине. Попросите владельца добавить его в настройках.",
			"app.stores.current":      "открыт сейчас",
			"app.stores.role.owner":   "владелец",
			"app.stores.role.support": "поддержка",

			"app.login.email.subject":         "Вход в панель магазина %s",
			"app.login.email.subject_several": "Вход в панель ваших магазинов",
			"app.login.email.intro":           "Нажмите кнопку ниже, чтобы войти в панель магазина %s.",
			"app.login.email.intro_several":   "Нажмите кнопку ниже, чтобы войти в панель ваших магазинов:",
			"app.login.email.button":          "Войти",
			"app.login.email.valid":           "Ссылка работает один раз в течение 15 минут.",
			"app.login.email.ignore":          "Если вы не запрашивали вход, просто не обращайте внимания на это письмо: без ссылки войти нельзя.",
			"app.login.email.why":             "Вы получили это письмо, потому что для этого адреса запросили ссылку для входа; он указан в настройках магазина как адрес владельца или поддержки.",
		},
	}
}

func init() {
	later(func() {
		for lang, texts := range appLoginTexts() {
			maps.Copy(catalog[lang], texts)
		}
	})
}
