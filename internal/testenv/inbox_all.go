package testenv

import (
	"slices"
	"testing"
)

// ByRecipient returns every e-mail in the inbox by lower-cased recipient
// address (To, Cc and Bcc), oldest first: one read of the inbox for a
// test that counts the mail of many recipients.
func (i *Inbox) ByRecipient(t testing.TB) map[string][]Email {
	t.Helper()
	all, err := i.fetch()
	if err != nil {
		t.Fatalf("read the SES inbox: %v", err)
	}
	by := make(map[string][]Email)
	for _, e := range all {
		seen := map[string]bool{}
		for _, r := range slices.Concat(e.To, e.Cc, e.Bcc) {
			if a := address(r); !seen[a] {
				seen[a] = true
				by[a] = append(by[a], e)
			}
		}
	}
	return by
}
