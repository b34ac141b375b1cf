package render_test

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// spamassassinPath is Debian's SpamAssassin, which infra/stack.sh install
// puts there.
const spamassassinPath = "/usr/bin/spamassassin"

// maxSpamScore is the most an email may score: SpamAssassin calls 5.0 spam,
// and an email this product sends should be nowhere near.
const maxSpamScore = 1.0

// sesMessage is m as SES sends it for SendEmail with Simple content: a
// multipart/alternative message, text first, both parts UTF-8 quoted-
// printable, with SES's own Date and Message-ID and the custom headers
// after its own. Non-ASCII in the subject and display names is RFC 2047
// encoded, as SES does.
func sesMessage(m closeloop.Message, date time.Time, messageID string) []byte {
	const boundary = "----=_Part_1042_7731948.1764064800000"
	var b bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	header("From", m.From) // Store.From encodes a non-ASCII name already (net/mail)
	if len(m.ReplyTo) > 0 {
		header("Reply-To", strings.Join(m.ReplyTo, ", "))
	}
	header("To", m.To)
	header("Subject", mime.BEncoding.Encode("UTF-8", m.Subject))
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	header("Message-ID", "<"+messageID+">")
	header("Date", date.Format(time.RFC1123Z))
	for _, h := range m.Headers {
		header(h.Name, h.Value)
	}
	b.WriteString("\r\n")
	for _, part := range []struct{ kind, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		b.WriteString("--" + boundary + "\r\n")
		header("Content-Type", part.kind+"; charset=UTF-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		w := quotedprintable.NewWriter(&b)
		_, _ = w.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n")))
		_ = w.Close()
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
}

var (
	spamStatus = regexp.MustCompile(`(?m)^X-Spam-Status: (?:Yes|No), score=(-?[0-9.]+) required=[0-9.]+ tests=((?:.|\n[ \t])*?) autolearn=`)
	spamRule   = regexp.MustCompile(`(?m)^ *(-?[0-9]+\.[0-9]+) ([A-Z0-9_]+) `)
	mboxFrom   = regexp.MustCompile(`(?m)^From MAILER-DAEMON `)
	messageID  = regexp.MustCompile(`(?m)^Message-ID: <([^>]+)>`)
)

// spamScore is one email's SpamAssassin verdict.
type spamScore struct {
	Score  float64
	Rules  []string // "HTML_MESSAGE=0.001", as the report scores them
	Report string
}

// TestGoldenEmailsAreNotSpam scores every golden email, as SES would send
// it, with Debian's SpamAssassin and its shipped rules: local tests only
// (-L: no DNS blocklists, no Razor or Pyzor), no Bayes, nothing written
// outside a temporary folder. Every email must score at most 1.0 of the
// 5.0 that makes spam; the test logs each score with the rules that fired.
func TestGoldenEmailsAreNotSpam(t *testing.T) {
	if _, err := os.Stat(spamassassinPath); err != nil {
		t.Fatalf("%s not found (run infra/stack.sh install, which installs Debian's spamassassin): %v", spamassassinPath, err)
	}
	emails := goldenEmails(t)
	dir := t.TempDir()
	// One mbox, one spamassassin process: its start (loading and compiling
	// the rules) costs far more than scoring a message.
	var mbox bytes.Buffer
	date := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	ids := make([]string, len(emails))
	for i, g := range emails {
		ids[i] = fmt.Sprintf("0102019ab3c4d5e6-%04d-%s-%s-000000@email.amazonses.com", i, strings.ReplaceAll(g.Name, "_", "-"), strings.ToLower(g.Lang))
		msg := sesMessage(g.Message, date, ids[i])
		fmt.Fprintf(&mbox, "From MAILER-DAEMON %s\n", date.Format("Mon Jan _2 15:04:05 2006"))
		mbox.Write(bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n")))
		mbox.WriteString("\n")
	}
	in := filepath.Join(dir, "golden.mbox")
	if err := os.WriteFile(in, mbox.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	prefs := filepath.Join(dir, "user_prefs")
	if err := os.WriteFile(prefs, []byte("use_bayes 0\nbayes_auto_learn 0\nuse_auto_whitelist 0\nuse_txrep 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, spamassassinPath,
		"--local", "--test-mode", "--mbox", "--nocreate-prefs",
		"--prefspath", prefs,
		// Debian's shipped rules, never what sa-update may have fetched.
		"--configpath", "/usr/share/spamassassin",
		in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("spamassassin: %v\n%s", err, stderr.String())
	}
	t.Logf("spamassassin scored %d emails in %s", len(emails), time.Since(start).Round(time.Millisecond))
	scores := parseSpamReports(t, string(out))
	if len(scores) != len(emails) {
		t.Fatalf("spamassassin reported %d verdicts for %d emails:\n%s\n%s", len(scores), len(emails), out, stderr.String())
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-26s %-8s %6s  %s\n", "email", "language", "score", "rules")
	for i, g := range emails {
		s, ok := scores[ids[i]]
		if !ok {
			t.Errorf("%s %s: spamassassin gave no verdict", g.Name, g.Lang)
			continue
		}
		fmt.Fprintf(&table, "%-26s %-8s %6.1f  %s\n", g.Name, g.Lang, s.Score, strings.Join(s.Rules, " "))
		if s.Score > maxSpamScore {
			t.Errorf("%s %s scores %.1f (at most %.1f): %s\n%s", g.Name, g.Lang, s.Score, maxSpamScore, strings.Join(s.Rules, " "), s.Report)
		}
	}
	t.Log("SpamAssassin scores:\n" + table.String())
}

// parseSpamReports reads the verdicts of spamassassin --test-mode on an
// mbox, by Message-ID (it may answer in another order than the mbox's):
// each message comes back with its X-Spam-Status header and, after its
// body, a report of the rules with their points.
func parseSpamReports(t *testing.T, out string) map[string]spamScore {
	t.Helper()
	scores := map[string]spamScore{}
	for _, msg := range mboxFrom.Split(out, -1) {
		id := messageID.FindStringSubmatch(msg)
		m := spamStatus.FindStringSubmatch(msg)
		if id == nil || m == nil {
			continue
		}
		score, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatalf("spamassassin score %q: %v", m[1], err)
		}
		s := spamScore{Score: score, Report: msg}
		if i := strings.Index(msg, "Content analysis details:"); i >= 0 {
			s.Report = msg[i:]
		}
		for _, r := range spamRule.FindAllStringSubmatch(s.Report, -1) {
			s.Rules = append(s.Rules, r[2]+"="+r[1])
		}
		slices.Sort(s.Rules)
		scores[id[1]] = s
	}
	return scores
}
