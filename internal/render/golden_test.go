package render_test

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
	"github.com/closeloop/closeloop/internal/render"
)

// update rewrites the golden files from what the templates render now:
// go test ./internal/render/ -run TestGoldenEmails -update
var update = flag.Bool("update", false, "rewrite the golden emails under testdata/golden")

const goldenDir = "testdata/golden"

// The fixed world every golden email is rendered in.
const (
	goldenBaseURL = "https://feedback.example.com"
	goldenSender  = "feedback@mail.example.com"
	goldenReplyTo = "support@coffee.example.com"
)

var (
	goldenBrand = closeloop.Branding{
		Name: "Demo Coffee Roasters", LogoURL: "https://coffee.example.com/logo.png", Color: "#7a3e12",
		PostalAddress: "12 Harbour Street, Bristol BS1 4RN, United Kingdom", PrivacyURL: "https://coffee.example.com/privacy",
	}
	goldenItems = []closeloop.Item{
		{SKU: "BEANS-ETH", Name: "Ethiopia Yirgacheffe beans 250 g"},
		{SKU: "MUG-1", Name: "Stoneware mug"},
		{SKU: "KETTLE", Name: "Gooseneck kettle"},
	}
	goldenPurchased = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	goldenOpened    = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
)

// customerLanguages are the languages customer emails are written in: all
// the catalog's. Owners and support read English and Russian.
func customerLanguages() []string { return i18n.Languages() }

var staffLanguages = []string{"en", "ru"}

// goldenEmail is one email kind in one language, rendered from fixed data,
// with the message the product sends it as (From, Reply-To, headers).
type goldenEmail struct {
	Name  string // the kind, or a variant of one: survey_reminder
	Lang  string
	Email render.Email
	// Message is the email as handed to SES, with the headers the sending
	// code sets (dispatch, relay, followup, digest, shophooks).
	Message closeloop.Message
}

// File is the golden file's path without its extension.
func (g goldenEmail) File() string { return filepath.Join(goldenDir, g.Name+"."+g.Lang) }

// goldenKind builds one email kind in a language, and the message headers
// the product sends it with.
type goldenKind struct {
	name     string
	customer bool // written in every customer language, else staff's
	build    func(lang string) render.EmailData
	// unsubscribe is the List-Unsubscribe URL the sender sets, "" for none.
	unsubscribe string
	// replyTo is where replies go: the store's support for customers, the
	// customer for alerts about them.
	replyTo string
}

func goldenStore(lang string) closeloop.Store {
	set := closeloop.DefaultSettings()
	set.DefaultLocale = lang
	set.TimeZone = "Europe/London"
	set.Branding = goldenBrand
	set.ReplyTo = goldenReplyTo
	set.Recheck = true
	return closeloop.Store{StoreID: "demo", Settings: set}
}

func goldenSurvey(lang string, items []closeloop.Item) closeloop.Survey {
	return closeloop.Survey{
		SurveyID: "s_7Hq2mXkP", StoreID: "demo", OrderID: "1042",
		Customer:    closeloop.Customer{Email: "ada.lovelace@example.net", Name: "Ada Lovelace", Locale: lang},
		Items:       items,
		PurchasedAt: goldenPurchased,
		Offer:       closeloop.PointsOffer{PerAnswer: 50, CommentBonus: 25, MinCommentLength: 20},
		Brand:       goldenBrand, DefaultLocale: "en",
	}
}

func goldenCase(lang string) closeloop.Case {
	nps := 3
	return closeloop.Case{
		CaseID: "c_9fK2pQ", StoreID: "demo", SurveyID: "s_7Hq2mXkP", OrderID: "1042",
		Customer: closeloop.Customer{Email: "ada.lovelace@example.net", Name: "Ada Lovelace", Locale: lang},
		Items:    goldenItems, Score: 2, NPS: &nps,
		Comment:     "The kettle arrived with a dent in the lid.\nThe beans were lovely, though.",
		Points:      75,
		OpenReasons: []string{closeloop.OpenedLowScore, closeloop.OpenedDetractor},
		Status:      closeloop.CaseOpen, OpenedAt: goldenOpened, DueBy: goldenOpened.Add(24 * time.Hour),
		Policy:        closeloop.FollowupPolicy{CSATThreshold: 2, SLAHours: 24, TimeZone: "Europe/London"},
		DefaultLocale: "en",
		CustomerMessage: "We are sending a new kettle today; keep the dented one.\n" +
			"Thank you for your patience, Sam",
		Recheck: &closeloop.CaseRecheck{Brand: goldenBrand},
	}
}

func f64(v float64) *float64 { return &v }

func goldenDigest(lang string) render.DigestFacts {
	nps := 4
	return render.DigestFacts{
		Store: goldenStore(lang),
		Week:  closeloop.DayRange{From: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)},
		Last: closeloop.Summary{Sent: 42, Answered: 21, ResponseRate: f64(0.5),
			CSAT: closeloop.CSATSummary{Score: f64(86), Answers: 21}, NPS: closeloop.NPSSummary{Score: f64(25)}},
		Before: closeloop.Summary{Sent: 40, Answered: 19, ResponseRate: f64(0.475),
			CSAT: closeloop.CSATSummary{Score: f64(82.8), Answers: 19}, NPS: closeloop.NPSSummary{Score: f64(20)}},
		Worst: []closeloop.ProductSummary{{SKU: "KETTLE", Name: "Gooseneck kettle",
			CSAT: closeloop.CSATSummary{Score: f64(50), Answers: 4}}},
		Unhappy: []closeloop.ResponseItem{{OrderID: "1042", AnsweredAt: goldenOpened,
			Response: closeloop.Response{Score: 2, NPS: &nps, Comment: "The kettle arrived with a dent in the lid."}}},
		Overdue:        []closeloop.Case{{OrderID: "1017", Score: 1, DueBy: time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC)}},
		DashboardURL:   goldenBaseURL + "/app",
		UnsubscribeURL: goldenBaseURL + "/d/demo.b3duZXI.Zk9wN2tQ",
	}
}

// The links of the golden emails, as the senders build them.
const (
	goldenSurveyURL      = goldenBaseURL + "/s/s_7Hq2mXkP.Wm9sZGVuU3VydmV5VG9rZW4"
	goldenUnsubscribeURL = goldenBaseURL + "/u/s_7Hq2mXkP.VW5zdWJzY3JpYmVUb2tlbg"
	goldenRecheckURL     = goldenBaseURL + "/r/c_9fK2pQ.UmVjaGVja1Rva2Vu"
)

var goldenKinds = []goldenKind{
	{name: "survey", customer: true, unsubscribe: goldenUnsubscribeURL, replyTo: goldenReplyTo, build: func(lang string) render.EmailData {
		return render.NewSurveyEmail(goldenSurvey(lang, goldenItems), goldenBrand, "en", goldenSurveyURL, goldenUnsubscribeURL)
	}},
	{name: "survey_reminder", customer: true, unsubscribe: goldenUnsubscribeURL, replyTo: goldenReplyTo, build: func(lang string) render.EmailData {
		// Five items: the reminder shows the "and 2 more" form.
		items := append(append([]closeloop.Item{}, goldenItems...), closeloop.Item{SKU: "FILTER", Name: "Paper filters"}, closeloop.Item{SKU: "SCALE", Name: "Brew scale"})
		return render.NewSurveyEmail(goldenSurvey(lang, items), goldenBrand, "en", goldenSurveyURL, goldenUnsubscribeURL).AsReminder()
	}},
	{name: "thanks", customer: true, replyTo: goldenReplyTo, build: func(lang string) render.EmailData {
		return render.NewThanksEmail(goldenSurvey(lang, goldenItems).Customer, "1042", 75, goldenBrand, "en")
	}},
	{name: "acknowledgement", customer: true, replyTo: "r+c_9fK2pQ.abc@reply.example.com", build: func(lang string) render.EmailData {
		return render.NewAcknowledgement(goldenCase(lang), goldenBrand)
	}},
	{name: "acknowledgement_contact", customer: true, replyTo: "r+c_9fK2pQ.abc@reply.example.com", build: func(lang string) render.EmailData {
		c := goldenCase(lang)
		c.Score, c.NPS, c.Comment, c.ContactMe = 4, nil, "", true
		c.OpenReasons = []string{closeloop.OpenedContactMe}
		return render.NewAcknowledgement(c, goldenBrand)
	}},
	{name: "closing", customer: true, replyTo: goldenReplyTo, build: func(lang string) render.EmailData {
		return render.NewClosingEmail(goldenCase(lang), goldenBrand)
	}},
	{name: "recheck", customer: true, replyTo: goldenReplyTo, build: func(lang string) render.EmailData {
		return render.NewRecheckEmail(goldenCase(lang), goldenBrand, goldenRecheckURL)
	}},
	{name: "signin", build: func(lang string) render.EmailData {
		return render.NewSignInEmail(lang, []closeloop.Store{goldenStore(lang)}, goldenBaseURL+"/app/login/l_Wm9sZGVuU2lnbkluVG9rZW4")
	}},
	{name: "signin_several", build: func(lang string) render.EmailData {
		other := goldenStore(lang)
		other.Settings.Branding.Name = "Demo Tea House"
		return render.NewSignInEmail(lang, []closeloop.Store{goldenStore(lang), other}, goldenBaseURL+"/app/login/l_Wm9sZGVuU2lnbkluVG9rZW4")
	}},
	{name: "support_alert", replyTo: "ada.lovelace@example.net", build: func(lang string) render.EmailData {
		return render.NewSupportAlert(goldenCase(lang), goldenBrand, lang, render.CaseURL(goldenBaseURL, "c_9fK2pQ"))
	}},
	{name: "support_alert_overdue", replyTo: "ada.lovelace@example.net", build: func(lang string) render.EmailData {
		c := goldenCase(lang)
		return render.NewSupportAlert(c, goldenBrand, lang, render.CaseURL(goldenBaseURL, c.CaseID)).AsOverdue(c.DueBy, 1)
	}},
	{name: "reply_alert", replyTo: "ada.lovelace@example.net", build: func(lang string) render.EmailData {
		c := goldenCase(lang)
		c.Status, c.Assignee = closeloop.CaseClaimed, "sam@coffee.example.com"
		n := closeloop.Note{NoteID: "n_1", Author: "customer", Text: "Thank you! Could you send it to my office instead?", At: goldenOpened.Add(2 * time.Hour)}
		return render.NewReplyAlert(c, n, false, goldenBrand, lang, render.CaseURL(goldenBaseURL, c.CaseID))
	}},
	{name: "hourly_alert", build: func(lang string) render.EmailData {
		c := goldenCase(lang)
		other := goldenCase(lang)
		other.CaseID, other.OrderID, other.Score, other.NPS, other.Comment = "c_3mT8wZ", "1043", 4, nil, ""
		other.OpenReasons = []string{closeloop.OpenedContactMe}
		return render.NewHourlyAlert(goldenStore(lang), goldenOpened.Truncate(time.Hour), []closeloop.Case{c, other}, 2, goldenBaseURL)
	}},
	{name: "digest", unsubscribe: goldenBaseURL + "/d/demo.b3duZXI.Zk9wN2tQ", build: func(lang string) render.EmailData {
		return render.NewDigestEmail(goldenDigest(lang))
	}},
	{name: "export", build: func(lang string) render.EmailData {
		export := "{\n  \"email\": \"ada.lovelace@example.net\",\n  \"surveys\": [\n    {\"order_id\": \"1042\", \"score\": 2}\n  ]\n}"
		return render.NewExportEmail(goldenBrand, lang, "Shopify", "ada.lovelace@example.net", "4517", export)
	}},
}

// goldenEmails renders every kind in every language it is written in.
func goldenEmails(t *testing.T) []goldenEmail {
	t.Helper()
	r, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	var all []goldenEmail
	for _, k := range goldenKinds {
		langs := staffLanguages
		if k.customer {
			langs = customerLanguages()
		}
		for _, lang := range langs {
			email, err := r.RenderEmail(k.build(lang))
			if err != nil {
				t.Fatalf("%s %s: %v", k.name, lang, err)
			}
			store := goldenStore(lang)
			to := "ada.lovelace@example.net"
			if !k.customer {
				to = "support@coffee.example.com"
			}
			m := closeloop.Message{
				From: store.From(goldenSender), To: to, Subject: email.Subject, HTML: email.HTML, Text: email.Text,
			}
			if k.replyTo != "" {
				m.ReplyTo = []string{k.replyTo}
			}
			if k.unsubscribe != "" {
				// RFC 8058 one-click unsubscribe, as dispatch and digest set it.
				m.Headers = []closeloop.Header{
					{Name: "List-Unsubscribe", Value: "<" + k.unsubscribe + ">"},
					{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
				}
			}
			all = append(all, goldenEmail{Name: k.name, Lang: lang, Email: email, Message: m})
		}
	}
	return all
}

// goldenText is the text golden file: the subject, then the text part.
func goldenText(e render.Email) string { return "Subject: " + e.Subject + "\n\n" + e.Text }

// TestGoldenEmails compares every email kind in every language it is
// written in with its committed rendering: a change of a template or a
// text shows in review as a change of these files.
func TestGoldenEmails(t *testing.T) {
	emails := goldenEmails(t)
	if *update {
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for _, g := range emails {
		t.Run(g.Name+"."+g.Lang, func(t *testing.T) { render.CheckMailSafe(t, g.Email.HTML) })
		files := map[string]string{g.File() + ".html": g.Email.HTML, g.File() + ".txt": goldenText(g.Email)}
		for path, got := range files {
			want[filepath.Base(path)] = true
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			old, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s: %v (go test ./internal/render/ -run TestGoldenEmails -update writes it)", path, err)
				continue
			}
			if string(old) != got {
				t.Errorf("%s differs from the rendering: %s (-update rewrites it)", path, firstDifference(string(old), got))
			}
		}
	}
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("%s: no email renders it any more (-update removes it)", filepath.Join(goldenDir, e.Name()))
		}
	}
}

// firstDifference shows the line where two renderings part.
func firstDifference(old, got string) string {
	a, b := strings.Split(old, "\n"), strings.Split(got, "\n")
	for i := range max(len(a), len(b)) {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ": golden " + quoteLine(x) + ", now " + quoteLine(y)
		}
	}
	return "same lines"
}

func quoteLine(s string) string {
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return "«" + s + "»"
}

// TestSurveyEmailsNameTheProducts: the survey names a three-item order's
// products, the reminder of a five-item order three and how many more, in
// every customer language, in both parts.
func TestSurveyEmailsNameTheProducts(t *testing.T) {
	for _, g := range goldenEmails(t) {
		if g.Name != "survey" && g.Name != "survey_reminder" {
			continue
		}
		for _, item := range goldenItems {
			for part, body := range map[string]string{"HTML": g.Email.HTML, "text": g.Email.Text} {
				if !strings.Contains(body, item.Name) {
					t.Errorf("%s %s: the %s part does not name %q", g.Name, g.Lang, part, item.Name)
				}
			}
		}
		if g.Name == "survey_reminder" {
			more := i18n.For(g.Lang).Count("products.more.forms", 2)
			if !strings.Contains(g.Email.Text, more) || strings.Contains(g.Email.Text, "Paper filters") {
				t.Errorf("%s %s: the reminder does not name three products and %q:\n%s", g.Name, g.Lang, more, g.Email.Text)
			}
		}
	}
}
