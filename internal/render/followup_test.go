package render

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

// due is a Saturday, 14:00 in Berlin (UTC+1 in November).
var due = time.Date(2025, 11, 29, 13, 0, 0, 0, time.UTC)

const caseURL = "https://feedback.test/app/followups/c_x"

var testBrand = closeloop.Branding{
	Name: "Shop", Color: "#aa3300", PostalAddress: "1 Main St", PrivacyURL: "https://shop.test/privacy",
}

// testCase is an unhappy case: a low score and a detractor's NPS, with a
// comment that tries to inject markup.
func testCase(locale string) closeloop.Case {
	nps := 3
	return closeloop.Case{
		CaseID: "c_x", SurveyID: "s_x", OrderID: "1001",
		Customer: closeloop.Customer{Email: "ada@example.com", Name: "Ada", Locale: locale},
		Items:    []closeloop.Item{{SKU: "MUG-1", Name: "Blue mug"}, {SKU: "LID-2"}},
		Score:    1, NPS: &nps, Comment: "The mug arrived broken.\n<script>alert(1)</script> & no reply",
		Points: 75, OpenReasons: []string{closeloop.OpenedLowScore, closeloop.OpenedDetractor},
		Status: closeloop.CaseOpen, OpenedAt: due.Add(-24 * time.Hour), DueBy: due,
		Policy: closeloop.FollowupPolicy{CSATThreshold: 2, SLAHours: 24, TimeZone: "Europe/Berlin"}, DefaultLocale: "en",
	}
}

// contactCase is a satisfied customer who asked to be contacted.
func contactCase(locale string) closeloop.Case {
	c := testCase(locale)
	c.Score, c.NPS, c.Comment = 4, nil, ""
	c.OpenReasons = []string{closeloop.OpenedContactMe}
	return c
}

// keywordCase is a happy answer whose comment fired a keyword rule.
func keywordCase(locale string) closeloop.Case {
	c := testCase(locale)
	c.Score, c.NPS, c.Comment = 5, nil, "Great coffee. The courier was rude."
	c.OpenReasons, c.KeywordRule = []string{closeloop.OpenedKeyword}, "rude"
	return c
}

func renderEmail(t *testing.T, e EmailData) Email {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	email, err := r.RenderEmail(e)
	if err != nil {
		t.Fatal(err)
	}
	return email
}

var tag = regexp.MustCompile(`<[^>]*>`)

// visible is what a reader gets of an HTML part: its text without tags,
// then the links' targets.
func visible(htmlPart string) string {
	text := html.UnescapeString(tag.ReplaceAllString(strings.ReplaceAll(htmlPart, "<br>", "\n"), ""))
	for _, m := range href.FindAllStringSubmatch(htmlPart, -1) {
		text += "\n" + html.UnescapeString(m[1])
	}
	return text
}

// checkContains reports each of want that the HTML part (as read) or the
// text part lacks, and each of wantNot that either holds.
func checkContains(t *testing.T, email Email, want, wantNot []string) {
	t.Helper()
	for part, body := range map[string]string{"HTML": visible(email.HTML), "text": email.Text} {
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s part lacks %q:\n%s", part, w, body)
			}
		}
		for _, w := range wantNot {
			if strings.Contains(body, w) {
				t.Errorf("%s part holds %q:\n%s", part, w, body)
			}
		}
	}
}

func TestThanksEmail(t *testing.T) {
	tests := []struct {
		locale      string
		points      int
		wantSubject string
		wantPoints  string
	}{
		{"en", 75, "Thank you! You earned 75 points", "You earned 75 points!"},
		{"en-GB", 1, "Thank you! You earned 1 point", "You earned 1 point!"},
		{"ru", 1, "Спасибо! Вы получили 1 балл", "Вы получили 1 балл!"},
		{"ru-RU", 2, "Спасибо! Вы получили 2 балла", "Вы получили 2 балла!"},
		{"ru", 5, "Спасибо! Вы получили 5 баллов", "Вы получили 5 баллов!"},
		{"ru", 21, "Спасибо! Вы получили 21 балл", "Вы получили 21 балл!"},
		{"ru", 75, "Спасибо! Вы получили 75 баллов", "Вы получили 75 баллов!"},
		{"de-DE", 50, "Vielen Dank! Sie haben 50 Punkte erhalten", "Sie haben 50 Punkte erhalten!"},
		{"sr-RS", 22, "Hvala vam! Dobili ste 22 boda", "Dobili ste 22 boda!"},
		{"pt-BR", 50, "Thank you! You earned 50 points", "You earned 50 points!"}, // the store's default
	}
	for _, tt := range tests {
		customer := closeloop.Customer{Email: "ada@example.com", Name: "Ada", Locale: tt.locale}
		email := renderEmail(t, NewThanksEmail(customer, "1001", tt.points, testBrand, "en"))
		if got := email.Subject; got != tt.wantSubject {
			t.Errorf("%s %d: subject = %q, want %q", tt.locale, tt.points, got, tt.wantSubject)
		}
		checkContains(t, email, []string{tt.wantPoints, "1001", "Shop", "1 Main St", "https://shop.test/privacy"}, []string{"?score="})
	}
}

func TestThanksEmailWithoutPoints(t *testing.T) {
	customer := closeloop.Customer{Email: "ada@example.com", Locale: "en"}
	email := renderEmail(t, NewThanksEmail(customer, "1001", 0, testBrand, "en"))
	if got, want := email.Subject, "Thank you for your feedback"; got != want {
		t.Errorf("subject = %q, want %q", got, want)
	}
	checkContains(t, email, []string{"Hi,", "order 1001"}, []string{"point"})
}

func TestAcknowledgement(t *testing.T) {
	tests := []struct {
		name        string
		c           closeloop.Case
		wantSubject string
		want        []string
		wantNot     []string
	}{
		{
			name: "en unhappy", c: testCase("en"),
			wantSubject: "We're sorry about your order 1001",
			want: []string{
				"We're sorry your order 1001 did not go as it should.",
				"Your rating: Very dissatisfied (1 of 5)",
				"A person from the Shop support team will contact you by email by Saturday 29 November, 14:00 (Europe/Berlin).",
				"simply reply to this email", "For your feedback you earned 75 points.",
				"The mug arrived broken.", "<script>alert(1)</script> & no reply",
			},
			wantNot: []string{"You asked us to contact you"},
		},
		{
			name: "en contact me", c: contactCase("en"),
			wantSubject: "We'll be in touch about your order 1001",
			want:        []string{"You asked us to contact you about your order 1001.", "Your rating: Satisfied (4 of 5)", "Saturday 29 November, 14:00 (Europe/Berlin)"},
			wantNot:     []string{"sorry", "Your comment"},
		},
		{
			name: "ru unhappy", c: testCase("ru-RU"),
			wantSubject: "Нам жаль, что заказ 1001 вас огорчил",
			want: []string{
				"Нам очень жаль, что с вашим заказом 1001 всё прошло не так",
				"Ваша оценка: Очень недоволен (1 из 5)",
				"Сотрудник службы поддержки Shop свяжется с вами по электронной почте. Самое позднее — суббота, 29 ноября, 14:00 (Europe/Berlin).",
				"просто ответьте на это письмо", "За отзыв вы получили 75 баллов.",
				"<script>alert(1)</script> & no reply",
			},
		},
		{
			name: "ru contact me", c: contactCase("ru"),
			wantSubject: "Мы свяжемся с вами по поводу заказа 1001",
			want:        []string{"Вы попросили связаться с вами по поводу заказа 1001.", "Ваша оценка: Доволен (4 из 5)"},
			wantNot:     []string{"жаль", "Ваш комментарий"},
		},
		{
			name: "the store's zone, not the customer's", c: func() closeloop.Case {
				c := testCase("ru")
				c.Policy.TimeZone = "America/New_York"
				return c
			}(),
			wantSubject: "Нам жаль, что заказ 1001 вас огорчил",
			want:        []string{"суббота, 29 ноября, 08:00 (America/New_York)"},
		},
		{
			name: "the store's language when the customer's is unknown", c: func() closeloop.Case {
				c := testCase("fi-FI")
				c.DefaultLocale = "ru"
				c.Points = 21
				return c
			}(),
			wantSubject: "Нам жаль, что заказ 1001 вас огорчил",
			want:        []string{"За отзыв вы получили 21 балл."},
		},
		{
			name: "no points earned", c: func() closeloop.Case {
				c := contactCase("en")
				c.Points = 0
				return c
			}(),
			wantSubject: "We'll be in touch about your order 1001",
			wantNot:     []string{"points"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			email := renderEmail(t, NewAcknowledgement(tt.c, testBrand))
			if got := email.Subject; got != tt.wantSubject {
				t.Errorf("subject = %q, want %q", got, tt.wantSubject)
			}
			checkContains(t, email, append(tt.want, "1 Main St", "https://shop.test/privacy"), tt.wantNot)
		})
	}
}

func TestCommentIsQuotedVerbatimAndEscaped(t *testing.T) {
	c := testCase("en")
	for name, e := range map[string]EmailData{
		"acknowledgement": NewAcknowledgement(c, testBrand),
		"alert":           NewSupportAlert(c, testBrand, "en", caseURL),
	} {
		email := renderEmail(t, e)
		if strings.Contains(email.HTML, "<script>") {
			t.Errorf("%s: the HTML part holds the comment's markup unescaped", name)
		}
		// A line break after <br>: SpamAssassin reads two texts joined by
		// a tag as a word split to hide it (HTML_OBFUSCATE_*).
		if want := "The mug arrived broken.<br>\n&lt;script&gt;alert(1)&lt;/script&gt; &amp; no reply"; !strings.Contains(email.HTML, want) {
			t.Errorf("%s: the HTML part lacks the escaped comment with its line break %q:\n%s", name, want, email.HTML)
		}
		if want := "> The mug arrived broken.\n> <script>alert(1)</script> & no reply\n"; !strings.Contains(email.Text, want) {
			t.Errorf("%s: the text part lacks the comment quoted verbatim %q:\n%s", name, want, email.Text)
		}
	}
}

func TestSupportAlert(t *testing.T) {
	claimed := testCase("ru")
	claimed.Status, claimed.Assignee = closeloop.CaseClaimed, "bob@shop.test"
	tests := []struct {
		name        string
		alert       SupportAlert
		wantSubject string
		want        []string
		wantNot     []string
	}{
		{
			name: "en", alert: NewSupportAlert(testCase("ru"), testBrand, "en", caseURL),
			wantSubject: "Unhappy customer: order 1001, score 1/5 — reply by Sat 29 Nov 14:00",
			want: []string{
				"Ada <ada@example.com>", "1001", "MUG-1 — Blue mug", "LID-2", "1/5 — Very dissatisfied", "NPS: 3/10",
				"<script>alert(1)</script> & no reply", "low score, detractor (NPS 0–6)",
				"Reply by: Saturday 29 November, 14:00 (Europe/Berlin)", caseURL,
			},
			wantNot: []string{"Overdue", "overdue", "Assigned to", "1 Main St"},
		},
		{
			name: "ru", alert: NewSupportAlert(testCase("en"), testBrand, "ru-RU", caseURL),
			wantSubject: "Недовольный покупатель: заказ 1001, оценка 1/5 — ответить до сб, 29 нояб., 14:00",
			want: []string{
				"Ada <ada@example.com>", "MUG-1 — Blue mug", "1/5 — Очень недоволен", "NPS: 3/10",
				"низкая оценка, критик (NPS 0–6)", "Ответить до: суббота, 29 ноября, 14:00 (Europe/Berlin)", caseURL,
			},
		},
		{
			name: "a store locale without texts falls back to en", alert: NewSupportAlert(contactCase("ru"), testBrand, "de", caseURL),
			wantSubject: "Customer asked to be contacted: order 1001, score 4/5 — reply by Sat 29 Nov 14:00",
			want:        []string{"asked to be contacted about their order", "Why this case opened: asked to be contacted", "Comment: (no comment)"},
			wantNot:     []string{"NPS:", "not happy"},
		},
		{
			name: "a keyword case names its rule, not unhappiness", alert: NewSupportAlert(keywordCase("en"), testBrand, "en", caseURL),
			wantSubject: "Comment says “rude”: order 1001, score 5/5 — reply by Sat 29 Nov 14:00",
			want:        []string{"Why this case opened: the comment holds a keyword rule"},
		},
		{
			name: "ru keyword", alert: NewSupportAlert(keywordCase("ru"), testBrand, "ru", caseURL),
			wantSubject: "В комментарии «rude»: заказ 1001, оценка 5/5 — ответить до сб, 29 нояб., 14:00",
		},
		{
			name: "en overdue, unclaimed", alert: NewSupportAlert(testCase("en"), testBrand, "en", caseURL).AsOverdue(due, 0),
			wantSubject: "Overdue: Unhappy customer: order 1001, score 1/5 — reply by Sat 29 Nov 14:00",
			want:        []string{"overdue since Saturday 29 November, 14:00 (Europe/Berlin)", "This is the first reminder.", "Nobody has taken this case yet.", caseURL},
		},
		{
			name: "en overdue, claimed", alert: NewSupportAlert(claimed, testBrand, "en", caseURL).AsOverdue(due, 1),
			wantSubject: "Overdue: Unhappy customer: order 1001, score 1/5 — reply by Sat 29 Nov 14:00",
			want:        []string{"already been reminded 1 time.", "Assigned to: bob@shop.test"},
			wantNot:     []string{"Nobody"},
		},
		{
			name: "ru overdue, claimed", alert: NewSupportAlert(claimed, testBrand, "ru", caseURL).AsOverdue(due, 2).AsOverdue(due, 5),
			wantSubject: "Просрочено: Недовольный покупатель: заказ 1001, оценка 1/5 — ответить до сб, 29 нояб., 14:00",
			want:        []string{"Срок ответа истёк: суббота, 29 ноября, 14:00 (Europe/Berlin)", "напоминали 5 раз.", "Ответственный: bob@shop.test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			email := renderEmail(t, tt.alert)
			if got := email.Subject; got != tt.wantSubject {
				t.Errorf("subject = %q, want %q", got, tt.wantSubject)
			}
			checkContains(t, email, tt.want, tt.wantNot)
		})
	}
}

func TestClosingEmail(t *testing.T) {
	withWords := func(locale string) closeloop.Case {
		c := testCase(locale)
		c.Status, c.NotifyCustomer = closeloop.CaseResolved, true
		c.CustomerMessage = "We sent a new mug today.\nSorry for the trouble!"
		return c
	}
	withoutWords := func(locale string) closeloop.Case {
		c := withWords(locale)
		c.CustomerMessage = ""
		return c
	}
	tests := []struct {
		name        string
		c           closeloop.Case
		wantSubject string
		want        []string
		wantNot     []string
	}{
		{
			name: "en with support's words", c: withWords("en"),
			wantSubject: "Your request about order 1001 is resolved",
			want: []string{"We have resolved your request about your order 1001.", "A message from the Shop support team:",
				"We sent a new mug today.", "Sorry for the trouble!", "just reply to this email"},
		},
		{
			name: "en without", c: withoutWords("en"),
			wantSubject: "Your request about order 1001 is resolved",
			want:        []string{"just reply to this email"},
			wantNot:     []string{"A message from"},
		},
		{
			name: "ru with support's words", c: withWords("ru"),
			wantSubject: "Ваше обращение по заказу 1001 решено",
			want:        []string{"Мы решили ваш вопрос по заказу 1001.", "Сообщение от службы поддержки Shop:", "We sent a new mug today.", "просто ответьте на это письмо"},
		},
		{
			name: "ru without", c: withoutWords("ru"),
			wantSubject: "Ваше обращение по заказу 1001 решено",
			want:        []string{"просто ответьте на это письмо"},
			wantNot:     []string{"Сообщение от"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			email := renderEmail(t, NewClosingEmail(tt.c, testBrand))
			if got := email.Subject; got != tt.wantSubject {
				t.Errorf("subject = %q, want %q", got, tt.wantSubject)
			}
			checkContains(t, email, append(tt.want, "1 Main St", "https://shop.test/privacy"), tt.wantNot)
		})
	}
	email := renderEmail(t, NewClosingEmail(withWords("en"), testBrand))
	if want := "> We sent a new mug today.\n> Sorry for the trouble!\n"; !strings.Contains(email.Text, want) {
		t.Errorf("text part lacks support's words quoted line by line %q:\n%s", want, email.Text)
	}
	if want := "We sent a new mug today.<br>\nSorry for the trouble!"; !strings.Contains(email.HTML, want) {
		t.Errorf("HTML part lacks support's words with their line break %q", want)
	}
}

// followupEmails is every email of the follow-up loop, in lang.
func followupEmails(lang string) map[string]EmailData {
	c := testCase(lang)
	return map[string]EmailData{
		"thanks":          NewThanksEmail(c.Customer, c.OrderID, 75, testBrand, "en"),
		"acknowledgement": NewAcknowledgement(c, testBrand),
		"contact me":      NewAcknowledgement(contactCase(lang), testBrand),
		"alert":           NewSupportAlert(c, testBrand, lang, caseURL),
		"overdue":         NewSupportAlert(c, testBrand, lang, caseURL).AsOverdue(due, 2),
		"closing":         NewClosingEmail(c, testBrand),
	}
}

var href = regexp.MustCompile(`href="([^"]*)"`)

func TestEveryFollowupEmailInEveryLanguage(t *testing.T) {
	for _, lang := range i18n.Languages() {
		for name, e := range followupEmails(lang) {
			t.Run(lang+" "+name, func(t *testing.T) {
				email := renderEmail(t, e)
				all := email.Subject + email.HTML + email.Text
				if m := untranslated.FindString(all); m != "" {
					t.Errorf("untranslated key %q", m)
				}
				want := lang
				if name == "alert" || name == "overdue" {
					want = i18n.PickStaff(lang) // support reads English or Russian
				}
				if !strings.Contains(email.HTML, `<html lang="`+want+`">`) {
					t.Errorf("HTML part is not marked lang=%s", want)
				}
				if email.Subject == "" || strings.ContainsAny(email.Subject, "\r\n") {
					t.Errorf("subject %q is empty or spans lines", email.Subject)
				}
				checkMailSafe(t, email.HTML)
			})
		}
	}
}

func TestTextPartHoldsTheHTMLPartsLinks(t *testing.T) {
	for _, lang := range i18n.Languages() {
		for name, e := range followupEmails(lang) {
			email := renderEmail(t, e)
			links := href.FindAllStringSubmatch(email.HTML, -1)
			if len(links) == 0 {
				t.Errorf("%s %s: no links in the HTML part", lang, name)
			}
			for _, m := range links {
				link := html.UnescapeString(m[1])
				if !strings.HasPrefix(link, "https://") {
					t.Errorf("%s %s: link %q is not absolute", lang, name, link)
				}
				if !strings.Contains(email.Text, link) {
					t.Errorf("%s %s: the text part lacks the link %q", lang, name, link)
				}
			}
		}
	}
}

func TestCaseURL(t *testing.T) {
	tests := []struct{ base, id, want string }{
		{"https://feedback.test", "c_x", "https://feedback.test/app/followups/c_x"},
		{"https://feedback.test/", "c_x", "https://feedback.test/app/followups/c_x"},
		{"https://feedback.test", "c_a/b?c", "https://feedback.test/app/followups/c_a%2Fb%3Fc"},
	}
	for _, tt := range tests {
		if got := CaseURL(tt.base, tt.id); got != tt.want {
			t.Errorf("CaseURL(%q, %q) = %q, want %q", tt.base, tt.id, got, tt.want)
		}
	}
}
