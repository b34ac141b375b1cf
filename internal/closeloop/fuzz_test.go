package closeloop

import (
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets below run briefly in every make test (infra/test.sh);
// their corpora are in testdata/fuzz. Run one longer with
// go test -run '^$' -fuzz '^FuzzNormalizeEmail$' -fuzztime 60s ./internal/closeloop/

// FuzzNormalizeEmail checks that an accepted address is what SES and
// net/mail take as it is: ASCII, lower case, trimmed, one @, and normalized
// already.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"ada@example.com", "  Ada@Example.COM ", "a.b+tag@sub.example.co", "Ada <ada@example.com>",
		"ada@localhost", "ada@", "@example.com", "a@@example.com", "a..b@example.com",
		"ada@[127.0.0.1]", "ada@xn--80ak6aa92e.com", "ada@-example.com", "\u00e1da@example.com",
		"ada@example.com\x00", "\"ada\"@example.com", "{|}~!#$%&'*+/=?^_`-@example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		email, err := NormalizeEmail(raw)
		check, problem := CheckEmail(raw)
		if (err == nil) != (problem == "") || check != email {
			t.Fatalf("NormalizeEmail(%q) = %q, %v but CheckEmail = %q, %q", raw, email, err, check, problem)
		}
		if err != nil {
			if email != "" || ErrorCode(err) != EINVALID {
				t.Fatalf("NormalizeEmail(%q) = %q, %v; want \"\" and an invalid error", raw, email, err)
			}
			return
		}
		for i := 0; i < len(email); i++ {
			if c := email[i]; c < 0x21 || c > 0x7e {
				t.Fatalf("NormalizeEmail(%q) = %q holds byte %#x", raw, email, c)
			}
		}
		if email != strings.ToLower(email) || email != strings.TrimSpace(email) || strings.Count(email, "@") != 1 {
			t.Fatalf("NormalizeEmail(%q) = %q: not lower case, trimmed, with one @", raw, email)
		}
		if again, err := NormalizeEmail(email); err != nil || again != email {
			t.Fatalf("NormalizeEmail(%q) = %q, %v; want it unchanged", email, again, err)
		}
		a, err := mail.ParseAddress(email)
		if err != nil {
			t.Fatalf("net/mail cannot parse %q (from %q): %v", email, raw, err)
		}
		if a.Address != email {
			t.Fatalf("net/mail parses %q as %q", email, a.Address)
		}
	})
}

// FuzzAnswerParse checks that an accepted answer is in range and its
// comment is clean text of at most MaxCommentRunes runes.
func FuzzAnswerParse(f *testing.F) {
	f.Add("5", "10", "Great, thanks!\r\nWill buy again.", true)
	f.Add("1", "", "", false)
	f.Add(" 3 ", "0", "\tindented\x00\x1b[31mred\x7f", false)
	f.Add("6", "11", "x", false)
	f.Add("+4", "-0", "\u2028\u200b\xff\xfe", true)
	f.Add("04", "007", strings.Repeat("é", MaxCommentRunes)+" ", false)
	f.Add("9999999999999999999999", "1e1", "\x85\u009b", false)
	f.Fuzz(func(t *testing.T, score, nps, comment string, contactMe bool) {
		a := Answer{Score: score, NPS: nps, Comment: comment, ContactMe: contactMe}
		r, p := a.Parse()
		if len(p) > 0 {
			return
		}
		if r.Score < 1 || r.Score > 5 {
			t.Fatalf("%+v gives score %d", a, r.Score)
		}
		if r.NPS != nil && (*r.NPS < 0 || *r.NPS > 10) {
			t.Fatalf("%+v gives nps %d", a, *r.NPS)
		}
		if (r.NPS == nil) != (nps == "") {
			t.Fatalf("%+v gives nps %v", a, r.NPS)
		}
		if !utf8.ValidString(r.Comment) || utf8.RuneCountInString(r.Comment) > MaxCommentRunes {
			t.Fatalf("%+v gives a comment of %d runes, valid UTF-8 %v", a, utf8.RuneCountInString(r.Comment), utf8.ValidString(r.Comment))
		}
		if i := strings.IndexFunc(r.Comment, notText); i >= 0 {
			t.Fatalf("%+v gives a comment with control character %q at %d", a, r.Comment[i:], i)
		}
		if r.Comment != strings.TrimSpace(r.Comment) || r.ContactMe != contactMe || r.Points != 0 || r.CaseID != "" {
			t.Fatalf("%+v gives %+v", a, r)
		}
	})
}

// FuzzSenderHeader checks that any sender name and address Settings.Validate
// accepts make a From header that parses back to them, on one line (the
// address granted to the store).
func FuzzSenderHeader(f *testing.F) {
	f.Add("Our store", "shop@example.com")
	f.Add("", "")
	f.Add("Магазин «Ромашка»", "info@xn--80ak6aa92e.com")
	f.Add("O'Brien & Sons, Ltd.", "o'brien+news@example.co")
	f.Add("=?utf-8?q?Evil?=", "a@example.com")
	f.Add("  spaced  out  ", "a@example.com")
	f.Add("(comment) name; with: specials @ [x]", "a@example.com")
	f.Add(strings.Repeat("日本", 16)+"ストア", "a@example.com")
	f.Add("Ada\r\nBcc: victim@example.com", "a@example.com")
	f.Fuzz(func(t *testing.T, name, addr string) {
		s := DefaultSettings()
		s.SenderName, s.SenderEmail = name, addr
		if s.Validate() != nil {
			return
		}
		const fallback = "noreply@closeloop.example"
		store := Store{Settings: s, SenderIdentities: []string{addr}}
		from := store.From(fallback)
		if strings.ContainsAny(from, "\r\n\x00") {
			t.Fatalf("From with name %q, address %q is %q: it holds CR, LF or NUL", name, addr, from)
		}
		wantName, wantAddr := name, addr
		if wantName == "" {
			wantName = s.Branding.Name
		}
		if wantAddr == "" {
			wantAddr = fallback
		}
		a, err := mail.ParseAddress(from)
		if err != nil {
			t.Fatalf("From with name %q, address %q is %q, which net/mail cannot parse: %v", name, addr, from, err)
		}
		if a.Name != wantName || a.Address != wantAddr {
			t.Fatalf("From %q parses as name %q, address %q; want %q, %q", from, a.Name, a.Address, wantName, wantAddr)
		}
	})
}
