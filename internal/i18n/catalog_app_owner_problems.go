package i18n

import "maps"

// appOwnerProblems translate the problems the shared validation names
// (closeloop.Settings.Validate, the sender grant, webhook URLs, API keys),
// which are English, for the owners' pages. Each English text is a
// pattern: %s stands for a part that is itself translated when it is one
// of these texts (an address's problem) and kept as it is otherwise (a
// number, an address). A problem without a pattern stays English.
func appOwnerProblems() map[string]map[string]string {
	return map[string]map[string]string{
		"en": {
			"app.owner.p.range":         "must be from %s to %s",
			"app.owner.p.at_most":       "must be at most %s characters",
			"app.owner.p.time_zone":     "must be an IANA time zone such as Europe/Berlin",
			"app.owner.p.locale":        "must be a BCP 47 language tag such as en or ru-RU",
			"app.owner.p.spoken":        "must be a language the product speaks: %s",
			"app.owner.p.header_name":   "must be at most 100 characters without quotes, angle brackets, backslashes, line breaks or control characters",
			"app.owner.p.brand_name":    "must be 1 to 100 characters without quotes, angle brackets, backslashes, line breaks or control characters",
			"app.owner.p.weekday":       "must be a day of the week in lower case, monday to sunday",
			"app.owner.p.https":         "must be an https URL",
			"app.owner.p.slack":         "must be an https URL (a Slack incoming webhook)",
			"app.owner.p.colour":        "must be a colour such as #1f5fbf",
			"app.owner.p.reasons":       "must list 1 to 30 reasons",
			"app.owner.p.reason":        "must list distinct reasons of 1 to 40 lower-case letters, digits and underscores, such as wrong_item: %s",
			"app.owner.p.survey_after":  "must be purchase, fulfillment or delivery",
			"app.owner.p.on_no_event":   "must be send or expire",
			"app.owner.p.window_from":   "must be a time of day such as 09:00",
			"app.owner.p.window_to":     "must be a time of day such as 20:00, or 24:00 for midnight",
			"app.owner.p.window":        "must end after it starts, on the same day (00:00 to 24:00 is any hour)",
			"app.owner.p.no_grants":     "is not a sender identity of this store: the operator has granted it none (storectl grant-sender); leave it empty to send from the service's address",
			"app.owner.p.grants":        "is not a sender identity of this store: it may send from %s (the operator grants others with storectl grant-sender)",
			"app.owner.p.whole":         "must be a whole number",
			"app.owner.p.user":          "must not contain a user name or password",
			"app.owner.p.host":          "must name a host",
			"app.owner.p.public":        "must point to a public address, not a private or reserved one",
			"app.owner.p.resolve":       "the host name does not resolve",
			"app.owner.p.private":       "the host resolves to a private or reserved address",
			"app.owner.p.email":         "must be an email address: %s",
			"app.owner.p.emails":        "must list email addresses only; %s: %s",
			"app.owner.p.max_addresses": "must list at most 20 addresses",
			"app.owner.p.empty":         "it is empty",
			"app.owner.p.long":          "it is longer than 254 characters",
			"app.owner.p.characters":    "it holds a space, a control or invisible character, or a non-ASCII letter (write an international domain in punycode)",
			"app.owner.p.one_at":        "it must hold exactly one @",
			"app.owner.p.before_at":     "nothing comes before the @",
			"app.owner.p.local_long":    "the part before the @ is longer than 64 characters",
			"app.owner.p.local_dots":    "the part before the @ has a dot at its start or end, or two in a row",
			"app.owner.p.local_chars":   "the part before the @ holds a character addresses cannot hold unquoted",
			"app.owner.p.domain_ip":     "the domain must be a name, not an IP address",
			"app.owner.p.domain_dot":    "the domain must have a dot, like example.com",
			"app.owner.p.domain_labels": "the domain must be names of letters, digits and hyphens joined by dots",
			"app.owner.p.domain_tld":    "the domain must end in a name of letters, like .com",
			"app.owner.p.key_role":      "must be owner, support, ingest or points",
			"app.owner.p.lower_case":    "must be written trimmed and in lower case",
			"app.owner.p.key_name":      "must be 1 to 100 characters without control characters",
		},
		"ru": {
			"app.owner.p.range":         "должно быть от %s до %s",
			"app.owner.p.at_most":       "должно быть не длиннее %s символов",
			"app.owner.p.time_zone":     "должно быть часовым поясом IANA, например Europe/Berlin",
			"app.owner.p.locale":        "должно быть языковым тегом BCP 47, например en или ru-RU",
			"app.owner.p.spoken":        "должно быть языком, на котором пишет сервис: %s",
			"app.owner.p.header_name":   "должно быть не длиннее 100 символов, без кавычек, угловых скобок, обратных косых черт, переносов строк и управляющих символов",
			"app.owner.p.brand_name":    "должно быть от 1 до 100 символов, без кавычек, угловых скобок, обратных косых черт, переносов строк и управляющих символов",
			"app.owner.p.weekday":       "должно быть днём недели строчными латинскими буквами, от monday до sunday",
			"app.owner.p.https":         "должно быть адресом https",
			"app.owner.p.slack":         "должно быть адресом https (входящий вебхук Slack)",
			"app.owner.p.colour":        "должно быть цветом, например #1f5fbf",
			"app.owner.p.reasons":       "нужно от 1 до 30 причин",
			"app.owner.p.reason":        "причины должны быть разными, из 1–40 строчных латинских букв, цифр и подчёркиваний, например wrong_item: %s",
			"app.owner.p.survey_after":  "должно быть purchase, fulfillment или delivery",
			"app.owner.p.on_no_event":   "должно быть send или expire",
			"app.owner.p.window_from":   "должно быть временем суток, например 09:00",
			"app.owner.p.window_to":     "должно быть временем суток, например 20:00, или 24:00 для полуночи",
			"app.owner.p.window":        "окно должно заканчиваться позже начала, в тот же день (с 00:00 до 24:00 — в любое время)",
			"app.owner.p.no_grants":     "не разрешён этому магазину как отправитель: оператор не разрешил ему ни одного (storectl grant-sender); оставьте пустым, чтобы письма уходили с адреса сервиса",
			"app.owner.p.grants":        "не разрешён этому магазину как отправитель: разрешены %s (другие разрешает оператор командой storectl grant-sender)",
			"app.owner.p.whole":         "должно быть целым числом",
			"app.owner.p.user":          "не должно содержать имя пользователя или пароль",
			"app.owner.p.host":          "должно содержать имя хоста",
			"app.owner.p.public":        "должно вести на публичный адрес, а не на частный или зарезервированный",
			"app.owner.p.resolve":       "имя хоста не находится в DNS",
			"app.owner.p.private":       "имя хоста ведёт на частный или зарезервированный адрес",
			"app.owner.p.email":         "должно быть адресом электронной почты: %s",
			"app.owner.p.emails":        "должны быть только адреса электронной почты; %s: %s",
			"app.owner.p.max_addresses": "должно быть не больше 20 адресов",
			"app.owner.p.empty":         "адрес пуст",
			"app.owner.p.long":          "адрес длиннее 254 символов",
			"app.owner.p.characters":    "в адресе пробел, управляющий или невидимый символ или буква не из ASCII (международный домен пишите в punycode)",
			"app.owner.p.one_at":        "в адресе должен быть ровно один @",
			"app.owner.p.before_at":     "перед @ ничего нет",
			"app.owner.p.local_long":    "часть до @ длиннее 64 символов",
			"app.owner.p.local_dots":    "в части до @ точка в начале или в конце или две точки подряд",
			"app.owner.p.local_chars":   "в части до @ символ, недопустимый в адресе без кавычек",
			"app.owner.p.domain_ip":     "домен должен быть именем, а не IP-адресом",
			"app.owner.p.domain_dot":    "в домене должна быть точка, как в example.com",
			"app.owner.p.domain_labels": "домен должен состоять из имён из букв, цифр и дефисов, соединённых точками",
			"app.owner.p.domain_tld":    "домен должен оканчиваться именем из букв, как .com",
			"app.owner.p.key_role":      "должна быть owner, support, ingest или points",
			"app.owner.p.lower_case":    "должно быть записано без пробелов по краям и строчными буквами",
			"app.owner.p.key_name":      "должно быть от 1 до 100 символов без управляющих символов",
		},
	}
}

func init() {
	later(func() {
		for lang, texts := range appOwnerProblems() {
			maps.Copy(catalog[lang], texts)
		}
	})
}
