package closeloop

import (
	"net/mail"
	"slices"
	"strings"
)

// A store sends only as the SES identities the operator granted it: one
// deployment's SES account holds every store's verified identities, and
// without the grant one store's owner could mail from another store's
// domain. Settings refuse a sender_email outside the grant, and every
// email takes its From from Store.From, which checks the grant again at
// the moment of sending (the grant may have been revoked since).

// CheckSenderIdentity normalizes an identity the operator grants: an
// email address, or a domain whose every address it covers (not its
// subdomains': grant those on their own). It returns what is wrong with
// it, "" when nothing is.
func CheckSenderIdentity(raw string) (identity, problem string) {
	identity = strings.ToLower(strings.TrimSpace(raw))
	if strings.Contains(identity, "@") {
		return CheckEmail(identity)
	}
	if identity == "" || len(identity) > 253 {
		return "", "must be an email address or a domain name"
	}
	for _, r := range identity {
		if r < 0x21 || r > 0x7e {
			return "", "must be an email address or a domain name: it holds a space, a control or invisible character, or a non-ASCII letter (write an international domain in punycode)"
		}
	}
	if reason := domainProblem(identity); reason != "" {
		return "", "must be an email address or a domain name: " + reason
	}
	return identity, ""
}

// MaySendAs reports whether the store may send from addr (lower case):
// the address itself is granted, or its domain is.
func (s Store) MaySendAs(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if addr == "" || at < 0 {
		return false
	}
	domain := addr[at+1:]
	return slices.ContainsFunc(s.SenderIdentities, func(id string) bool { return id == addr || id == domain })
}

// SenderGranted reports whether the store's emails go from its own
// sender_email: it has one, and it is granted. When it is not, they go
// from the deployment's sender (From).
func (s Store) SenderGranted() bool {
	return s.Settings.SenderEmail != "" && s.MaySendAs(s.Settings.SenderEmail)
}

// SenderProblem is the settings problem of a new sender_email, "" when the
// store may send from it (or has none: the deployment's sender is used).
func (s Store) SenderProblem(senderEmail string) string {
	if senderEmail == "" || s.MaySendAs(senderEmail) {
		return ""
	}
	if len(s.SenderIdentities) == 0 {
		return "is not a sender identity of this store: the operator has granted it none (storectl grant-sender); leave it empty to send from the service's address"
	}
	return "is not a sender identity of this store: it may send from " + strings.Join(s.SenderIdentities, ", ") + " (the operator grants others with storectl grant-sender)"
}

// From is the From of the store's emails: its sender address when the
// store may send from it, else the deployment's (fallback), under the
// store's display name.
func (s Store) From(fallback string) string {
	addr := fallback
	if s.SenderGranted() {
		addr = s.Settings.SenderEmail
	}
	name := s.Settings.SenderName
	if name == "" {
		name = s.Settings.Branding.Name
	}
	return (&mail.Address{Name: name, Address: addr}).String()
}
