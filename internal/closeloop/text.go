package closeloop

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// NormalizeEmail returns the customer identity for an address: trimmed and
// lower-cased. It accepts a bare address only, no display name.
func NormalizeEmail(raw string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(raw))
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return "", Errorf(EINVALID, "not an email address")
	}
	at := strings.LastIndexByte(email, '@')
	domain := email[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", Errorf(EINVALID, "not an email address")
	}
	return email, nil
}

var localePattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// ValidLocale reports whether tag looks like a BCP 47 language tag.
func ValidLocale(tag string) bool {
	return len(tag) <= 35 && localePattern.MatchString(tag)
}

// Language returns the lower-cased primary language of a BCP 47 tag:
// "ru-RU" gives "ru".
func Language(tag string) string {
	lang, _, _ := strings.Cut(tag, "-")
	return strings.ToLower(lang)
}

func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}
