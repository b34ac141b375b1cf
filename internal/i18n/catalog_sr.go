package i18n

// srTexts are the Serbian texts customers read, in Latin script; add also
// writes them in Cyrillic script as sr-Cyrl (serbian.go). Formal "vi".
// A store's name stays in the nominative ("u prodavnici %s"), since
// Serbian would otherwise decline it.
func srTexts() map[string]string {
	return map[string]string{
		"points.forms": "one=bod|few=boda|other=bodova",
		"punct.label":  "%s:",

		// Adverbs, short enough for the five rating boxes side by side
		// ("nezadovoljan" is not), and the same for every reader's gender.
		"score.1": "Veoma loše",
		"score.2": "Loše",
		"score.3": "Neutralno",
		"score.4": "Dobro",
		"score.5": "Odlično",

		"email.subject":          "Kako vam se dopala porudžbina iz prodavnice %s?",
		"email.greeting":         "Dobar dan, %s!",
		"email.greeting_anon":    "Dobar dan!",
		"email.intro":            "Hvala vam na porudžbini %s u prodavnici %s. Koliko ste zadovoljni njome?",
		"email.tap":              "Izaberite ocenu. Komentar možete dodati na sledećoj stranici.",
		"email.reminder_subject": "Kratak podsetnik: kako vam se dopala porudžbina iz prodavnice %s?",
		"email.reminder_intro":   "I dalje bismo voleli da čujemo vaše mišljenje o porudžbini %s iz prodavnice %s. Potrebno je samo nekoliko sekundi.",
		"email.promise":          "Za odgovor dobijate %s.",
		"email.promise_bonus":    "Za odgovor dobijate %s, a uz komentar %s.",
		"email.why":              "Ovu poruku ste dobili jer ste kupovali u prodavnici %s.",
		"email.privacy":          "Politika privatnosti",
		"email.unsubscribe":      "Odjava sa anketa o kupovini",

		"page.title":            "Vaše mišljenje – %s",
		"page.heading":          "Koliko ste zadovoljni porudžbinom?",
		"page.order":            "Porudžbina %s",
		"page.score_legend":     "Vaša ocena (obavezno)",
		"page.hint":             "Izabrana ocena još nije poslata. Kliknite na „Pošalji mišljenje“ kada budete spremni.",
		"page.nps_legend":       "Koliko je verovatno da biste prodavnicu %s preporučili prijatelju? (nije obavezno)",
		"page.nps_low":          "0 = nimalo verovatno",
		"page.nps_high":         "10 = veoma verovatno",
		"page.comment_label":    "Želite li još nešto da nam kažete? (nije obavezno)",
		"page.comment_bonus":    "Napišite najmanje %d znakova i dobićete još %s.",
		"page.contact_label":    "Molim vas da me kontaktirate u vezi sa porudžbinom",
		"page.submit":           "Pošalji mišljenje",
		"page.promise":          "Za odgovor dobijate %s.",
		"page.promise_bonus":    "Za odgovor dobijate %s, a uz komentar %s.",
		"page.error_heading":    "Proverite odgovor",
		"page.error.score":      "Izaberite ocenu od 1 do 5.",
		"page.error.nps":        "Izaberite broj od 0 do 10 ili nijedan.",
		"page.error.comment":    "Komentar mora imati manje od 2000 znakova.",
		"page.error.busy":       "Trenutno nismo uspeli da sačuvamo vaš odgovor. Ništa nije izgubljeno: kliknite ponovo na „Pošalji mišljenje“ za trenutak.",
		"page.privacy":          "Politika privatnosti",
		"thanks.title":          "Hvala vam!",
		"thanks.points":         "Dobili ste %s!",
		"thanks.points_note":    "Bodovi su dodati na vaš nalog u prodavnici %s.",
		"thanks.received":       "Primili smo vaše mišljenje. Hvala vam što ste odvojili vreme.",
		"thanks.contact":        "Uskoro ćemo vas kontaktirati.",
		"closed.title":          "Ova anketa je zatvorena",
		"closed.body":           "Ova anketa više nije otvorena. Hvala vam na interesovanju.",
		"unsubscribe.title":     "Odjava",
		"unsubscribe.body":      "Da li želite da prodavnica %s više ne šalje ankete na adresu %s?",
		"unsubscribe.button":    "Odjavi me",
		"unsubscribe.done":      "Odjavljeni ste",
		"unsubscribe.done_body": "Prodavnica %s vam više neće slati ankete.",

		// "subota, 29. novembar, 14:00 (Europe/Berlin)", "sub, 29. nov 14:00".
		"date.weekdays":       "nedelja|ponedeljak|utorak|sreda|četvrtak|petak|subota",
		"date.weekdays_short": "ned|pon|uto|sre|čet|pet|sub",
		"date.months":         "januar|februar|mart|april|maj|jun|jul|avgust|septembar|oktobar|novembar|decembar",
		"date.months_short":   "jan|feb|mar|apr|maj|jun|jul|avg|sep|okt|nov|dec",
		"date.long":           "%[1]s, %[2]d. %[3]s, %[4]s (%[5]s)",
		"date.short":          "%[1]s, %[2]d. %[3]s %[4]s",

		"email.why_answered": "Ovu poruku ste dobili jer ste odgovorili na anketu prodavnice %s.",
		"email.signoff":      "Tim prodavnice %s",
		"email.points_note":  "Bodovi su dodati na vaš nalog u prodavnici %s.",

		"thanks_email.subject":       "Hvala vam! Dobili ste %s",
		"thanks_email.subject_plain": "Hvala vam na mišljenju",
		"thanks_email.intro":         "Hvala vam na mišljenju o porudžbini %s.",

		"ack.subject_sorry":   "Žao nam je zbog porudžbine %s",
		"ack.subject_contact": "Javićemo vam se u vezi sa porudžbinom %s",
		"ack.sorry":           "Žao nam je što porudžbina %s nije prošla kako treba. Hvala vam što ste nam rekli.",
		"ack.contact":         "Zamolili ste nas da vas kontaktiramo u vezi sa porudžbinom %s. Hvala vam što ste nam javili.",
		"ack.understood":      "Evo šta smo razumeli:",
		"ack.score":           "Vaša ocena: %s (%d od 5)",
		"ack.comment":         "Vaš komentar:",
		"ack.next_heading":    "Šta sledi",
		"ack.next":            "Neko iz tima podrške prodavnice %s javiće vam se e-poštom. Rok: %s.",
		"ack.reply":           "Ako želite da dodate nešto pre toga, samo odgovorite na ovu poruku.",
		"ack.points":          "Za vaše mišljenje dobili ste %s.",

		"closing.subject": "Vaš zahtev u vezi sa porudžbinom %s je rešen",
		"closing.intro":   "Rešili smo vaš zahtev u vezi sa porudžbinom %s.",
		"closing.message": "Poruka tima podrške prodavnice %s:",
		"closing.reply":   "Ako nešto i dalje nije u redu, samo odgovorite na ovu poruku i ponovo ćemo to proveriti.",
		"closing.thanks":  "Hvala vam na strpljenju.",

		"recheck.subject":        "Da li je problem sa porudžbinom %s rešen?",
		"recheck.intro":          "Pre nekog vremena ste nam javili da nešto nije u redu sa porudžbinom %s, i naš tim se time pozabavio.",
		"recheck.question":       "Da li je problem rešen?",
		"recheck.yes":            "Da, rešen je",
		"recheck.no":             "Ne, i dalje nije u redu",
		"recheck.tap":            "Dovoljan je jedan klik. Na sledećoj stranici možete i ponovo oceniti porudžbinu.",
		"recheck.no_note":        "Ako odgovorite sa „ne“, vaš zahtev se ponovo otvara i neko iz našeg tima će vas kontaktirati.",
		"recheck.page_title":     "Da li je problem rešen? – %s",
		"recheck.page_heading":   "Da li je problem sa porudžbinom %s rešen?",
		"recheck.answer_legend":  "Vaš odgovor",
		"recheck.score_legend":   "Koliko ste sada zadovoljni porudžbinom? (nije obavezno)",
		"recheck.submit":         "Pošalji odgovor",
		"recheck.error.answer":   "Izaberite „da“ ili „ne“.",
		"recheck.error.score":    "Izaberite ocenu od 1 do 5 ili nijednu.",
		"recheck.error.busy":     "Trenutno nismo uspeli da sačuvamo vaš odgovor. Ništa nije izgubljeno: kliknite ponovo na „Pošalji odgovor“ za trenutak.",
		"recheck.thanks_title":   "Hvala vam na odgovoru",
		"recheck.thanks_yes":     "Drago nam je što je problem rešen.",
		"recheck.thanks_no":      "Žao nam je što i dalje nije u redu. Vaš zahtev je ponovo otvoren i naš tim će vas uskoro kontaktirati.",
		"recheck.thanks_already": "Vaš odgovor smo već primili, hvala vam.",
	}
}

func init() { later(func() { add("sr-Latn", srTexts()) }) }
