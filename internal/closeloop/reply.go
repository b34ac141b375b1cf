package closeloop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// A customer's email reply to a case email lands on the case as a note.
// Each case email to the customer carries Reply-To
// reply+{token}@{reply domain}; the token names the case and is signed
// with the store's CursorKey. That key is per store, already on the
// store item the reply function reads anyway (for the alert's addresses
// and sender), and never leaves the table: no new secret to provision or
// rotate. The store is found from the case, so the token holds no store
// ID and stays short.

// KindReplyAlert is the email telling support that a customer replied to
// a case (mailing's kind, keyed per reply).
const KindReplyAlert = "reply_alert"

// NoteAuthorCustomer is the author of a note the customer wrote by email
// replying to a case email. A fixed word rather than the sender's
// address: the case already names the customer, and a reply from another
// of their addresses is still theirs; its note ID ("r_…") tells it apart
// from support's notes ("n_…"), whose author support types freely.
const NoteAuthorCustomer = "customer"

// ReplyTokenTTL is how long a reply address stays good after the email
// carrying it was sent.
const ReplyTokenTTL = 90 * 24 * time.Hour

// ReplyLocalPrefix starts the local part of every reply address.
const ReplyLocalPrefix = "reply+"

// The reasons a received reply is dropped: logged and counted, never
// retried.
const (
	ReplyDropUnreadable  = "unreadable"   // no SES receipt, or no MIME message in it
	ReplyDropNoToken     = "no_token"     // no reply+ recipient at the reply domain
	ReplyDropBadToken    = "bad_token"    // not a token's form
	ReplyDropForged      = "forged"       // the signature does not match the case's store key
	ReplyDropExpired     = "expired"      // past the token's expiry
	ReplyDropUnknownCase = "unknown_case" // the case does not exist (any more)
	ReplyDropOwnAddress  = "own_address"  // sent by the store's own support or sender address
	ReplyDropAutomatic   = "automatic"    // an auto-reply, bounce or mailing-list message
	ReplyDropEmpty       = "empty"        // nothing left once quotes and signatures are gone
	ReplyDropCaseFull    = "case_full"    // the case holds MaxNotesPerCase notes
	ReplyDropSpam        = "spam"         // SES's spam or virus verdict failed
	ReplyDropErased      = "erased"       // the case's customer was erased: nothing of theirs is kept again
)

// replyTokenVersion is the token layout's first byte; a new layout or key
// scheme takes another.
const replyTokenVersion = 1

// replyMACLen is the signature's length: HMAC-SHA256 cut to 128 bits,
// what a forger must guess.
const replyMACLen = 16

// replyTokenDomain separates reply signatures from the cursors and digest
// links the same key signs.
const replyTokenDomain = "closeloop reply-token v1\x00"

// replyEncoding is lower-case base32: mail systems may fold the local
// part's case, and base32 loses nothing by it.
var replyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Layout: version (1 byte), the case ID's 10 random bytes (secret.NewID's
// 16 base32 characters after "c_"), the expiry day (days since the Unix
// epoch, 3 bytes), the signature (16 bytes): 30 bytes, 48 characters, so
// reply+{token} is 54 of the 64 a local part may have.
const (
	replyIDLen      = 10
	replyDayLen     = 3
	replyPayloadLen = 1 + replyIDLen + replyDayLen
	replyTokenLen   = replyPayloadLen + replyMACLen
)

// ReplyToken is what a reply address's token says: the case it is about
// and the last day it is good on.
type ReplyToken struct {
	CaseID  string
	Expires time.Time // the end of its last day, UTC
	payload []byte
	mac     []byte
}

// ReplyAddress returns the Reply-To address of an email about case caseID
// of store sent at now, at domain. ok is false, and the email keeps the
// store's own Reply-To, when there is no reply domain, the store has no
// key of its own (a key derived from its ID would let anyone forge
// addresses; storectl gives it one), or the case ID is not of the form
// NewCase gives.
func ReplyAddress(store Store, caseID, domain string, now time.Time) (addr string, ok bool) {
	if domain == "" || store.CursorKey == "" {
		return "", false
	}
	id, err := replyEncoding.DecodeString(strings.TrimPrefix(caseID, "c_"))
	if err != nil || len(id) != replyIDLen || !strings.HasPrefix(caseID, "c_") {
		return "", false
	}
	payload := make([]byte, replyPayloadLen, replyTokenLen)
	payload[0] = replyTokenVersion
	copy(payload[1:], id)
	day := uint32(now.Add(ReplyTokenTTL).Unix() / 86400)
	payload[1+replyIDLen] = byte(day >> 16)
	binary.BigEndian.PutUint16(payload[2+replyIDLen:], uint16(day))
	token := append(payload, replyMAC(store, payload)...)
	return ReplyLocalPrefix + replyEncoding.EncodeToString(token) + "@" + domain, true
}

// ParseReplyAddress reads the token of a reply address at domain (either
// case); ok is false for any other address or a token of the wrong form.
// Only Verify says whether it is genuine.
func ParseReplyAddress(addr, domain string) (ReplyToken, bool) {
	local, host, found := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	if !found || domain == "" || host != strings.ToLower(domain) || !strings.HasPrefix(local, ReplyLocalPrefix) {
		return ReplyToken{}, false
	}
	encoded := strings.TrimPrefix(local, ReplyLocalPrefix)
	if len(encoded) != replyEncoding.EncodedLen(replyTokenLen) {
		return ReplyToken{}, false
	}
	raw, err := replyEncoding.DecodeString(encoded)
	if err != nil || len(raw) != replyTokenLen || raw[0] != replyTokenVersion {
		return ReplyToken{}, false
	}
	day := uint32(raw[1+replyIDLen])<<16 | uint32(binary.BigEndian.Uint16(raw[2+replyIDLen:]))
	return ReplyToken{
		CaseID:  "c_" + replyEncoding.EncodeToString(raw[1:1+replyIDLen]),
		Expires: time.Unix(int64(day+1)*86400, 0).UTC(),
		payload: raw[:replyPayloadLen], mac: raw[replyPayloadLen:],
	}, true
}

// IsReplyAddress reports whether addr is at the reply domain with the
// reply prefix, genuine or not.
func IsReplyAddress(addr, domain string) bool {
	local, host, found := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	return found && domain != "" && host == strings.ToLower(domain) && strings.HasPrefix(local, ReplyLocalPrefix)
}

// Verify checks the token against the store of the case it names, in
// constant time, and its expiry at now: "" when it is good, else the
// ReplyDrop… reason.
func (t ReplyToken) Verify(store Store, now time.Time) string {
	if store.CursorKey == "" || !hmac.Equal(t.mac, replyMAC(store, t.payload)) {
		return ReplyDropForged
	}
	if !now.Before(t.Expires) {
		return ReplyDropExpired
	}
	return ""
}

// replyMAC signs a token's payload with the store's key, binding it to
// the store's ID too.
func replyMAC(store Store, payload []byte) []byte {
	h := hmac.New(sha256.New, []byte(store.CursorKey))
	h.Write([]byte(replyTokenDomain + store.StoreID + "\x00"))
	h.Write(payload)
	return h.Sum(nil)[:replyMACLen]
}

// Attachment is a file a customer attached to a reply: listed on the note
// by name and size, never stored.
type Attachment struct {
	Name string
	Size int // bytes, decoded
}

// ReplyNoteID is the note ID of the reply received as the provider's
// message messageID: the same message delivered again makes the same
// note, which the case then already holds.
func ReplyNoteID(messageID string) string {
	sum := sha256.Sum256([]byte(messageID))
	return "r_" + replyEncoding.EncodeToString(sum[:10])
}

// NewReplyNote is the note of a customer's reply received as messageID at
// at: its text (quotes and signature already gone) with the attachments
// listed after it, cleaned of control characters and cut to the note
// limits. ok is false when nothing is left to store.
func NewReplyNote(messageID, text string, attachments []Attachment, at time.Time) (n Note, ok bool) {
	text = cleanReplyText(text)
	var list []string
	for _, a := range attachments {
		name := cleanReplyText(strings.ReplaceAll(a.Name, "\n", " "))
		if name == "" {
			name = "unnamed"
		}
		list = append(list, fmt.Sprintf("%s (%s)", truncateRunes(name, 100), byteSize(a.Size)))
	}
	suffix := ""
	if len(list) > 0 {
		suffix = "[attachments, not stored: " + strings.Join(list, ", ") + "]"
		suffix = truncateRunes(suffix, MaxNoteRunes/4)
		if text != "" {
			suffix = "\n\n" + suffix
		}
	}
	if text == "" && suffix == "" {
		return Note{}, false
	}
	room := MaxNoteRunes - utf8.RuneCountInString(suffix)
	if utf8.RuneCountInString(text) > room {
		text = strings.TrimSpace(truncateRunes(text, room-1)) + "…"
	}
	body := text + suffix
	for len(body) > maxNoteBytes { // many multi-byte characters: cut by bytes too
		text = strings.TrimSpace(truncateRunes(text, utf8.RuneCountInString(text)*9/10)) + "…"
		body = text + suffix
	}
	return Note{NoteID: ReplyNoteID(messageID), Author: NoteAuthorCustomer, Text: body, At: at.UTC().Truncate(time.Millisecond)}, true
}

// cleanReplyText makes line ends plain, drops control characters other
// than line breaks and tabs (and zero-width and bidi marks mail clients
// add), trims trailing spaces off each line, keeps at most one empty line
// in a row, and trims the whole.
func cleanReplyText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u00a0", " ").Replace(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case notText(r), r == '\u200b', r == '\u200c', r == '\u200d', r == '\ufeff', r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func truncateRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// byteSize says a size the way a person reads it: 512 B, 14 KB, 2.3 MB.
func byteSize(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%d KB", (n+512)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// ReplyResult says what became of a reply written to a case.
type ReplyResult int

// The results of writing a reply to a case.
const (
	ReplyAdded     ReplyResult = iota // the note is on the case now
	ReplyDuplicate                    // the case held the note already: the same message delivered again
	ReplyCaseFull                     // the case holds MaxNotesPerCase notes
)

// Erased reports whether the case's customer was erased (privacy): the
// case keeps only what the store's numbers need.
func (c Case) Erased() bool { return strings.HasSuffix(c.Customer.Email, erasedDomain) }

// erasedDomain ends every ErasedEmail.
var erasedDomain = ErasedEmail("")[strings.LastIndex(ErasedEmail(""), "@"):]

// ReplyReopens reports whether a reply to case c opens it again: a
// resolved case the domain lets move back to open.
func (c Case) ReplyReopens() bool {
	return c.Status == CaseResolved && c.Status.CanMove(CaseOpen)
}
