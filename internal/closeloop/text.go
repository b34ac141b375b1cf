package closeloop

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/closeloop/closeloop/internal/lazy"
)

// NormalizeEmail returns the customer identity for an address: trimmed and
// lower-cased. It accepts only what SES can deliver to: a bare address of
// printable ASCII (SES has no SMTPUTF8; an international domain must be
// written in punycode, xn--…), an unquoted local part of at most 64
// characters, and a domain name of letters, digits and hyphens with a
// dotted top-level name — no IP literal, no display name, no control or
// invisible characters. The error says which rule the address broke.
func NormalizeEmail(raw string) (string, error) {
	email, problem := CheckEmail(raw)
	if problem != "" {
		return "", &Error{Code: EINVALID, Message: "not an email address: " + problem}
	}
	return email, nil
}

// CheckEmail is NormalizeEmail for validation: the normalized address, or
// what is wrong with it as a field problem ("must be an email address: …").
func CheckEmail(raw string) (email, problem string) {
	email = strings.ToLower(strings.TrimSpace(raw))
	if reason := emailProblem(email); reason != "" {
		return "", "must be an email address: " + reason
	}
	return email, ""
}

// emailProblem says what keeps email from being an address SES delivers
// to, "" when nothing does.
func emailProblem(email string) string {
	if email == "" {
		return "it is empty"
	}
	if len(email) > 254 {
		return "it is longer than 254 characters"
	}
	for _, r := range email {
		if r < 0x21 || r > 0x7e {
			return "it holds a space, a control or invisible character, or a non-ASCII letter (write an international domain in punycode)"
		}
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 || strings.Count(email, "@") != 1 {
		return "it must hold exactly one @"
	}
	local, domain := email[:at], email[at+1:]
	switch {
	case local == "":
		return "nothing comes before the @"
	case len(local) > 64:
		return "the part before the @ is longer than 64 characters"
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, ".."):
		return "the part before the @ has a dot at its start or end, or two in a row"
	case strings.IndexFunc(local, notAtom) >= 0:
		return "the part before the @ holds a character addresses cannot hold unquoted"
	case strings.HasPrefix(domain, "["):
		return "the domain must be a name, not an IP address"
	}
	return domainProblem(domain)
}

// domainProblem says what keeps a lower-case domain from being a name
// SES sends to or from, "" when nothing does.
func domainProblem(domain string) string {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "the domain must have a dot, like example.com"
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") || strings.IndexFunc(l, notLabel) >= 0 {
			return "the domain must be names of letters, digits and hyphens joined by dots"
		}
	}
	if tld := labels[len(labels)-1]; !strings.HasPrefix(tld, "xn--") && strings.IndexFunc(tld, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return "the domain must end in a name of letters, like .com"
	}
	return ""
}

// notAtom reports a character an unquoted local part cannot hold (RFC 5322
// atext and the dot).
func notAtom(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+/=?^_`{|}~.-", r))
}

func notLabel(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') }

var localePattern = lazy.Regexp(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// ValidLocale reports whether tag looks like a BCP 47 language tag.
func ValidLocale(tag string) bool {
	return len(tag) <= 35 && localePattern().MatchString(tag)
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
