package replies

import (
	"strings"

	"github.com/closeloop/closeloop/internal/lazy"
)

// What ends the customer's own words in a reply: the history their mail
// client quotes below (or above) them, and their signature. Each pattern
// is matched against one trimmed line; the English and Russian forms of
// the common clients are known.
var (
	// "On Mon, 3 Nov 2026 at 10:00, Shop <a@b> wrote:" (Gmail, Apple
	// Mail, Thunderbird), "3 нояб. 2026 г., в 10:00, Shop <a@b> написал(а):",
	// "… пишет:" (Yandex, Mail.ru).
	attribution = lazy.Regexp(`(?i)^(on\s.*\swrote:|.*\s(wrote|пишет|написал|написала|написал\(а\)|schrieb|a écrit)\s*:)$`)
	// An attribution Gmail wraps over two lines: "On … Shop <" then "a@b> wrote:".
	attributionStart = lazy.Regexp(`(?i)^on\s.*\d`)
	attributionEnd   = lazy.Regexp(`(?i)(wrote|пишет|написал\(?а?\)?)\s*:$`)
	// Gmail in Russian and others write only the date and the address:
	// "пн, 3 нояб. 2026 г. в 10:00, Shop <a@b>:".
	dateAddress = lazy.Regexp(`^.*\d.*<[^<>\s@]+@[^<>\s]+>:$`)
	// "-----Original Message-----", "----- Исходное сообщение -----",
	// "---------- Forwarded message ---------", "Begin forwarded message:",
	// "-------- Пересылаемое сообщение --------".
	separator = lazy.Regexp(`(?i)^(-{2,}\s*(original message|исходное сообщение|forwarded message|пересылаемое сообщение|перенаправленное сообщение|переадресованное сообщение)\s*-{2,}|begin forwarded message:|начало переадресованного сообщения:)$`)
	forward   = lazy.Regexp(`(?i)(forwarded|пересылаемое|перенаправленное|переадресованного|переадресованное)`)
	// Outlook's header block: "From: …" then, within a few lines, "Sent: …"
	// or "Date: …" ("От: …", "Отправлено: …", "Дата: …").
	headerFrom = lazy.Regexp(`(?i)^\*?(from|от)\s*:\*?\s`)
	headerSent = lazy.Regexp(`(?i)^\*?(sent|date|отправлено|дата)\s*:\*?\s`)
	// Outlook's line above its header block.
	underscores = lazy.Regexp(`^_{10,}$`)
	// The phone clients' signatures.
	// Only whole short lines of the known forms: "Отправлено с опозданием…"
	// (sent late) is the customer's own sentence.
	sentFrom = lazy.Regexp(`(?i)^(sent from my \S+( \S+){0,3}|sent from (mail|outlook|yahoo mail|yandex mail|gmail)\b.{0,40}|get outlook for \S+( \S+)?|` +
		`отправлено с (моего )?(iphone|ipad|android|samsung|huawei|xiaomi|мобильного|телефона)\S*( \S+)?|` +
		`отправлено из (мобильной )?(почты|яндекс|mail\.ru)\S*( \S+){0,2})\.?$`)
)

// stripQuoted returns the customer's own words of a reply's text: quoted
// lines (">") and the history below an attribution, an "Original
// Message" or Outlook header block or a forwarded-message marker are
// dropped, and the signature below "-- " or a "Sent from my …" line.
// When the customer wrote nothing above a forwarded message, the
// forwarded text is what they sent, and is kept.
func stripQuoted(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var kept []string
	var forwarded []string
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		line := strings.TrimSpace(raw)
		if raw == "-- " || line == "--" || line == "—" || sentFrom().MatchString(line) {
			break // the signature: nothing below is the reply
		}
		if isHistory(lines, i) {
			if separator().MatchString(line) && forward().MatchString(line) && strings.TrimSpace(strings.Join(kept, "")) == "" {
				forwarded = lines[i+1:]
			}
			break
		}
		if strings.HasPrefix(line, ">") {
			continue // quoted inline between the customer's own lines
		}
		kept = append(kept, raw)
	}
	// An attribution line often ends the kept text when the quote below
	// was only ">" lines: drop it.
	for len(kept) > 0 {
		last := strings.TrimSpace(kept[len(kept)-1])
		if last == "" || attribution().MatchString(last) || dateAddress().MatchString(last) {
			kept = kept[:len(kept)-1]
			continue
		}
		break
	}
	out := strings.TrimSpace(strings.Join(kept, "\n"))
	if out == "" && forwarded != nil {
		return stripQuoted(strings.Join(skipHeaders(forwarded), "\n"))
	}
	return out
}

// isHistory reports whether line i starts the quoted history.
func isHistory(lines []string, i int) bool {
	line := strings.TrimSpace(lines[i])
	switch {
	case line == "":
		return false
	case separator().MatchString(line), attribution().MatchString(line), dateAddress().MatchString(line):
		return true
	case attributionStart().MatchString(line) && i+1 < len(lines) && attributionEnd().MatchString(strings.TrimSpace(lines[i+1])):
		return true
	case underscores().MatchString(line) && i+1 < len(lines) && headerFrom().MatchString(strings.TrimSpace(nextNonEmpty(lines, i+1))):
		return true
	case headerFrom().MatchString(line):
		for j := i + 1; j < len(lines) && j <= i+4; j++ {
			if headerSent().MatchString(strings.TrimSpace(lines[j])) {
				return true
			}
		}
	}
	return false
}

func nextNonEmpty(lines []string, i int) string {
	for ; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			return lines[i]
		}
	}
	return ""
}

// forwardedHeader is a header line a client writes atop a forwarded
// message.
var forwardedHeader = lazy.Regexp(`(?i)^\*?(from|date|sent|subject|to|cc|reply-to|от|дата|отправлено|тема|кому|копия)\s*:`)

// skipHeaders drops the header lines (and blank lines) atop a forwarded
// message.
func skipHeaders(lines []string) []string {
	for len(lines) > 0 {
		line := strings.TrimSpace(lines[0])
		if line != "" && !forwardedHeader().MatchString(line) {
			break
		}
		lines = lines[1:]
	}
	return lines
}
