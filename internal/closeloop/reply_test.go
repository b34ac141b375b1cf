package closeloop_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/closeloop"
)

func TestReplyAddress(t *testing.T) {
	store := closeloop.Store{StoreID: "shop-a", CursorKey: strings.Repeat("k", 64)}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const caseID = "c_k3jq7wz2m4n5p6r7"

	addr, ok := closeloop.ReplyAddress(store, caseID, "reply.shop.test", now)
	if !ok {
		t.Fatal("no reply address")
	}
	local, host, _ := strings.Cut(addr, "@")
	if host != "reply.shop.test" || !strings.HasPrefix(local, "reply+") || len(local) > 64 || strings.ToLower(local) != local {
		t.Errorf("address %q: want reply+… at reply.shop.test, a lower-case local part of at most 64 characters", addr)
	}

	// Mail systems may fold case: the upper-cased address reads the same.
	for _, a := range []string{addr, strings.ToUpper(addr)} {
		token, ok := closeloop.ParseReplyAddress(a, "Reply.Shop.Test")
		if !ok || token.CaseID != caseID {
			t.Fatalf("parse %q: %+v, %v; want case %s", a, token, ok, caseID)
		}
		if reason := token.Verify(store, now); reason != "" {
			t.Errorf("verify: %s", reason)
		}
		if reason := token.Verify(store, now.Add(closeloop.ReplyTokenTTL-time.Hour)); reason != "" {
			t.Errorf("verify just before expiry: %s", reason)
		}
		if reason := token.Verify(store, now.Add(closeloop.ReplyTokenTTL+24*time.Hour)); reason != closeloop.ReplyDropExpired {
			t.Errorf("verify after 91 days: %q, want expired", reason)
		}
		other := store
		other.CursorKey = strings.Repeat("x", 64)
		if reason := token.Verify(other, now); reason != closeloop.ReplyDropForged {
			t.Errorf("verify with another key: %q, want forged", reason)
		}
		renamed := store
		renamed.StoreID = "shop-b"
		if reason := token.Verify(renamed, now); reason != closeloop.ReplyDropForged {
			t.Errorf("verify for another store with the same key: %q, want forged", reason)
		}
		if reason := token.Verify(closeloop.Store{StoreID: "shop-a"}, now); reason != closeloop.ReplyDropForged {
			t.Errorf("verify for a store without a key: %q, want forged", reason)
		}
	}

	// Every changed character of the token fails: the case, the expiry or
	// the signature.
	for i := len("reply+"); i < len(local); i++ {
		c := byte('a')
		if local[i] == 'a' {
			c = 'b'
		}
		changed := local[:i] + string(c) + local[i+1:] + "@reply.shop.test"
		if token, ok := closeloop.ParseReplyAddress(changed, "reply.shop.test"); ok && token.Verify(store, now) == "" {
			t.Errorf("character %d changed (%s) still verifies", i, changed)
		}
	}

	for _, bad := range []string{"", "reply+@reply.shop.test", "reply+abc@reply.shop.test", local + "@other.test", local + "a@reply.shop.test", "support@reply.shop.test"} {
		if _, ok := closeloop.ParseReplyAddress(bad, "reply.shop.test"); ok {
			t.Errorf("%q parsed as a reply address", bad)
		}
	}

	// No domain, no store key, or a case ID of another form: no address.
	for name, tc := range map[string]struct {
		store  closeloop.Store
		caseID string
		domain string
	}{
		"no domain":    {store, caseID, ""},
		"no store key": {closeloop.Store{StoreID: "shop-a"}, caseID, "reply.shop.test"},
		"odd case ID":  {store, "c_UPPER", "reply.shop.test"},
	} {
		if addr, ok := closeloop.ReplyAddress(tc.store, tc.caseID, tc.domain, now); ok {
			t.Errorf("%s: address %q", name, addr)
		}
	}
}

func TestNewReplyNote(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	n, ok := closeloop.NewReplyNote("m-1", "  Hello\r\n\r\n\r\n\x00there\u200b \x1b[31m\n", []closeloop.Attachment{{Name: "a.pdf", Size: 2048}, {Name: "", Size: 10}}, at)
	if !ok || n.Text != "Hello\n\nthere [31m\n\n[attachments, not stored: a.pdf (2 KB), unnamed (10 B)]" || n.Author != closeloop.NoteAuthorCustomer {
		t.Errorf("note %+v", n)
	}
	again, _ := closeloop.NewReplyNote("m-1", "other", nil, at)
	if again.NoteID != n.NoteID || !strings.HasPrefix(n.NoteID, "r_") {
		t.Errorf("note IDs %q, %q: want one r_… ID per message", n.NoteID, again.NoteID)
	}
	if _, ok := closeloop.NewReplyNote("m-2", " \n\t\u200b", nil, at); ok {
		t.Error("an empty reply made a note")
	}

	long, ok := closeloop.NewReplyNote("m-3", strings.Repeat("ж", 5000), []closeloop.Attachment{{Name: "x.png", Size: 3 << 20}}, at)
	if !ok || utf8.RuneCountInString(long.Text) > closeloop.MaxNoteRunes || !strings.HasSuffix(long.Text, "…\n\n[attachments, not stored: x.png (3.0 MB)]") {
		t.Errorf("long reply: %d characters, ends %q", utf8.RuneCountInString(long.Text), long.Text[len(long.Text)-60:])
	}
	if _, err := closeloop.ValidNoteText("text", long.Text); err != nil {
		t.Errorf("the cut note is not a valid note: %v", err)
	}
}
