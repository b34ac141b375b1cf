package replies

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// readTestMessage reads testdata/name with its placeholders filled.
func readTestMessage(t testing.TB, name, from, replyTo string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("{{FROM}}", from, "{{REPLY_TO}}", replyTo).Replace(string(data)))
}

// TestParseAndStrip reads each sample message as the handler does: the
// sender, the customer's own words, and the attachments.
func TestParseAndStrip(t *testing.T) {
	tests := []struct {
		file        string
		text        string
		attachments []closeloop.Attachment
	}{
		{"plain.eml", "Hi,\n\nThe mug arrived with a crack in the handle. Could you send a new one?\n\nThanks,\nAda", nil},
		{"html-only.eml", "Hello,\n\nI still have not received the refund for order o-1001.\nPlease check & reply.", nil},
		{"alternative.eml", "Yes, that works for me — please send it by courier.", nil},
		{"forwarded.eml", "This is what the courier sent me. The parcel is still not here.", nil},
		{"cp1251.eml", "Добрый день!\n\nКружка пришла разбитой. Прошу вернуть деньги.\n\nС уважением,\nАда", nil},
		{"koi8r.eml", "Здравствуйте. Курьер был груб, коробка помята.", nil},
		{"attachment.eml", "Here is a photo of the damage and the invoice. Très déçue.",
			[]closeloop.Attachment{{Name: "invoice o-1001.pdf", Size: 12304}, {Name: "фото.jpg", Size: 3003}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			msg, err := ParseMessage(readTestMessage(t, tt.file, "ada@example.com", "reply+x@reply.shop.test"))
			if err != nil {
				t.Fatal(err)
			}
			if msg.From != "ada@example.com" {
				t.Errorf("from %q", msg.From)
			}
			if got := closeloopClean(stripQuoted(msg.Text)); got != tt.text {
				t.Errorf("text:\n%q\nwant:\n%q\n(parsed: %q)", got, tt.text, msg.Text)
			}
			if !slices.Equal(msg.Attachments, tt.attachments) {
				t.Errorf("attachments %+v, want %+v", msg.Attachments, tt.attachments)
			}
		})
	}
}

// closeloopClean is the cleaning NewReplyNote applies, through its note.
func closeloopClean(s string) string {
	n, ok := closeloop.NewReplyNote("m", s, nil, testTime)
	if !ok {
		return ""
	}
	return n.Text
}

var testTime = mustTime("2026-11-23T10:15:02Z")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSender(t *testing.T) {
	tests := map[string]string{
		"Ada <Ada@Example.com>":                     "ada@example.com",
		"ada@example.com":                           "ada@example.com",
		"=?windows-1251?B?wOTg?= <ada@example.com>": "ada@example.com",
		"=?koi8-r?Q?=E1=C4=C1?= <ada@example.com>":  "ada@example.com",
		"Ада, Лавлейс <ada@example.com>":            "ada@example.com",
		"=?x-unknown?B?AAAA?= <ada@example.com>":    "ada@example.com",
		"":                                          "",
		"undisclosed-recipients:;":                  "",
	}
	for header, want := range tests {
		if got := sender(header); got != want {
			t.Errorf("sender(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestStripQuoted(t *testing.T) {
	tests := map[string]string{
		"Отправлено с опозданием, но дошло.\nСпасибо":                                     "Отправлено с опозданием, но дошло.\nСпасибо",
		"Да.\n\nОтправлено с iPhone":                                                      "Да.",
		"Yes.\n\nSent from my Galaxy S23\n> quoted":                                       "Yes.",
		"Sent from my heart: thank you, the refund arrived and all is fine!":              "Sent from my heart: thank you, the refund arrived and all is fine!",
		"Fine.\n> old\nAlso this.":                                                        "Fine.\nAlso this.",
		"Ok\n\nOn Mon, 3 Nov 2026 at 10:00, Test Shop <\nfeedback@shop.test> wrote:\n> x": "Ok",
		"Ok\n\nпн, 3 нояб. 2026 г. в 10:00, Test Shop <feedback@shop.test>:\n> x":         "Ok",
		"Ok\n________________________________\nFrom: Shop\nSent: today":                   "Ok",
		"Ok\n\n-- \nAda": "Ok",
	}
	for in, want := range tests {
		if got := stripQuoted(in); got != want {
			t.Errorf("stripQuoted(%q) = %q, want %q", in, got, want)
		}
	}
}
