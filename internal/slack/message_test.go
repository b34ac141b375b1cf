package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscapeLeavesNoControlSequence(t *testing.T) {
	for in, want := range map[string]string{
		"<!channel> refund & <@U123>":  "&lt;!channel&gt; refund &amp; &lt;@U123&gt;",
		"a &amp; b":                    "a &amp;amp; b",
		"<https://evil.example|click>": "&lt;https://evil.example|click&gt;",
		"сломан > 3 раз":               "сломан &gt; 3 раз",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinkAndQuote(t *testing.T) {
	if got, want := Link("https://x.test/a?b=1&c=2", "Order <1> | x"), "<https://x.test/a?b=1&amp;c=2|Order &lt;1&gt; ¦ x>"; got != want {
		t.Errorf("Link = %q, want %q", got, want)
	}
	if got, want := Quote(" first <b>\r\nsecond & "), "&gt; first &lt;b&gt;\n&gt; second &amp;"; got != want {
		t.Errorf("Quote = %q, want %q", got, want)
	}
}

func TestCutNeverSplitsAnEscape(t *testing.T) {
	s := strings.Repeat("x", 10) + "&amp;" + strings.Repeat("y", 10)
	for n := 2; n < utf8.RuneCountInString(s); n++ {
		got := Cut(s, n)
		if utf8.RuneCountInString(got) > n {
			t.Fatalf("Cut(_, %d) has %d runes", n, utf8.RuneCountInString(got))
		}
		if i := strings.LastIndex(got, "&"); i >= 0 && !strings.Contains(got[i:], ";") {
			t.Fatalf("Cut(_, %d) = %q splits an escape", n, got)
		}
	}
}

func TestMessageKeepsToSlacksLimits(t *testing.T) {
	var blocks []Block
	for range 60 {
		blocks = append(blocks, Section(strings.Repeat("é", 4000)))
	}
	m := NewMessage(strings.Repeat("t", 5000), blocks...)
	if len(m.Blocks) != MaxBlocks {
		t.Fatalf("%d blocks, want %d", len(m.Blocks), MaxBlocks)
	}
	if n := utf8.RuneCountInString(m.Blocks[0].Text.Text); n > 3000 {
		t.Fatalf("section of %d characters", n)
	}
	data, err := json.Marshal(NewMessage("hi", Section("*a*"), FieldsSection("1", "2"), Context("c"), Divider()))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"text":"hi","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*a*"}},` +
		`{"type":"section","fields":[{"type":"mrkdwn","text":"1"},{"type":"mrkdwn","text":"2"}]},` +
		`{"type":"context","elements":[{"type":"mrkdwn","text":"c"}]},{"type":"divider"}]}`
	if string(data) != want {
		t.Fatalf("JSON\n%s\nwant\n%s", data, want)
	}
}
