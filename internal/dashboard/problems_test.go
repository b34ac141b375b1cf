package dashboard

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"unicode"

	"github.com/closeloop/closeloop/internal/apikeys"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
	"github.com/closeloop/closeloop/internal/webhook"
)

// fields is what an EINVALID error names, by field.
func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	var e *closeloop.Error
	if !errors.As(err, &e) || e.Code != closeloop.EINVALID {
		t.Fatalf("%v is not EINVALID", err)
	}
	return e.Fields
}

type noHost struct{}

func (noHost) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return nil, errors.New("no such host")
}

// Every problem the settings form and the keys form can show, made by the
// shared validation itself, has a Russian text: none stays English.
func TestProblemsInRussian(t *testing.T) {
	var problems []string
	addAll := func(err error) {
		for _, p := range fields(t, err) {
			problems = append(problems, p)
		}
	}
	bad := closeloop.DefaultSettings()
	bad.TimeZone, bad.DefaultLocale, bad.SurveyDelayHours, bad.SurveyExpiryDays = "Mars/Olympus", "!!", -1, 0
	bad.SenderEmail, bad.SenderName, bad.ReplyTo = "a@@b.com", `"Shop"`, "Care@Shop.Test"
	bad.SupportEmails, bad.OwnerEmails = []string{"nobody"}, make([]string, 21)
	bad.DigestWeekday, bad.WebhookURL, bad.SlackWebhookURL = "Funday", "http://hook.test", "http://slack.test"
	bad.Branding = closeloop.Branding{LogoURL: "ftp://x", PrivacyURL: "ftp://y", Color: "red", PostalAddress: strings.Repeat("x", 301)}
	bad.CaseReasons = []string{"Bad Reason"}
	bad.SurveyAfter, bad.MaxWaitDays, bad.OnNoEvent = "shipping", 0, "remind"
	bad.SendWindow = closeloop.SendWindow{From: "25:00", To: "26:00"}
	addAll(bad.Validate())
	more := closeloop.DefaultSettings()
	more.DefaultLocale, more.CaseReasons, more.SendWindow = "de", nil, closeloop.SendWindow{From: "20:00", To: "08:00"}
	more.Branding.Name = strings.Repeat("n", 101)
	more.SenderName = strings.Repeat("n", 101)
	addAll(more.Validate())
	for _, addr := range []string{"", strings.Repeat("a", 250) + "@b.com", "a b@c.com", "@b.com", strings.Repeat("a", 65) + "@b.com",
		".a@b.com", "a(b@c.com", "a@[1.2.3.4]", "a@b", "a@-b.com", "a@b.c1"} {
		if _, p := closeloop.CheckEmail(addr); p != "" {
			problems = append(problems, p)
		}
	}
	problems = append(problems, closeloop.Store{}.SenderProblem("a@b.com"),
		closeloop.Store{SenderIdentities: []string{"shop.test"}}.SenderProblem("a@b.com"), "must be a whole number")
	for _, raw := range []string{"http://x.test", "https://u:p@x.test", "https:///path", "https://10.0.0.1/", "https://nowhere.test/", strings.Repeat("x", 2001)} {
		addAll(webhook.ValidateURL(context.Background(), raw, noHost{}, false))
	}
	_, err := apikeys.Check("admin", "")
	addAll(err)

	ru := i18n.For("ru")
	for _, p := range problems {
		got := problemText(ru, p)
		if !strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) || strings.Contains(got, "must ") {
			t.Errorf("no Russian for %q: %q", p, got)
		}
		if en := problemText(i18n.For("en"), p); en != p {
			t.Errorf("the English page changes %q to %q", p, en)
		}
	}
	if len(problems) < 40 {
		t.Fatalf("only %d problems made; the test is broken", len(problems))
	}
	if got, want := problemText(ru, "must list email addresses only; it must hold exactly one @: nobody"),
		"должны быть только адреса электронной почты; в адресе должен быть ровно один @: nobody"; got != want {
		t.Errorf("a list's problem reads %q, want %q", got, want)
	}
	if got := problemText(ru, "something new and unknown"); got != "something new and unknown" {
		t.Errorf("an unknown problem became %q", got)
	}
}
