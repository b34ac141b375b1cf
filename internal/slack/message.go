// Package slack posts alerts to a store's Slack incoming webhook, in
// Slack's message format: "text" as the notification's fallback and
// "blocks" of mrkdwn sections. Each message is posted at most once per key,
// under the same delivery records as emails, through the webhook package's
// client, which connects to public addresses only.
package slack

import (
	"strings"
	"unicode/utf8"
)

// Message is the JSON body of an incoming-webhook post.
type Message struct {
	Text   string  `json:"text"`
	Blocks []Block `json:"blocks,omitempty"`
}

// Block is one layout block: a section (Text, or Fields shown in two
// columns), a context line (Elements) or a divider.
type Block struct {
	Type     string `json:"type"`
	Text     *Text  `json:"text,omitempty"`
	Fields   []Text `json:"fields,omitempty"`
	Elements []Text `json:"elements,omitempty"`
}

// Text is a text object; every text here is mrkdwn.
type Text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// Slack's limits on what a message holds.
const (
	MaxBlocks      = 50
	maxSectionText = 3000
	maxFieldText   = 2000
	maxFields      = 10
	maxTextRunes   = 3000 // the fallback; Slack cuts longer ones
)

// Section is a section block of mrkdwn text (escaped already), cut to
// Slack's limit.
func Section(mrkdwn string) Block {
	return Block{Type: "section", Text: &Text{Type: "mrkdwn", Text: Cut(mrkdwn, maxSectionText)}}
}

// FieldsSection is a section block of at most ten mrkdwn fields.
func FieldsSection(fields ...string) Block {
	b := Block{Type: "section"}
	for _, f := range fields[:min(len(fields), maxFields)] {
		b.Fields = append(b.Fields, Text{Type: "mrkdwn", Text: Cut(f, maxFieldText)})
	}
	return b
}

// Context is a context block: one line of small mrkdwn text.
func Context(mrkdwn string) Block {
	return Block{Type: "context", Elements: []Text{{Type: "mrkdwn", Text: Cut(mrkdwn, maxFieldText)}}}
}

// Divider is a divider block.
func Divider() Block { return Block{Type: "divider"} }

// NewMessage is a message with fallback text (cut to Slack's limit) and
// blocks (at most MaxBlocks are kept).
func NewMessage(text string, blocks ...Block) Message {
	return Message{Text: Cut(text, maxTextRunes), Blocks: blocks[:min(len(blocks), MaxBlocks)]}
}

// escaper replaces the three characters Slack reads as control sequences.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes text safe in a message: &, < and > become &amp;, &lt; and
// &gt;, so that what a customer wrote cannot open a link, mention a
// channel or user (<!channel>, <@U123>) or break the markup.
func Escape(text string) string { return escaper.Replace(text) }

// Link is mrkdwn for a link to url labelled label (label escaped here;
// url must be a URL the product built).
func Link(url, label string) string {
	label = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "¦").Replace(label)
	return "<" + Escape(url) + "|" + label + ">"
}

// Quote is escaped text as a mrkdwn block quote, line by line.
func Quote(text string) string {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), "\n")
	for i, l := range lines {
		lines[i] = "&gt; " + Escape(l)
	}
	return strings.Join(lines, "\n")
}

// Cut shortens s to at most n runes, ending it with "…" when cut, and
// never inside an escape sequence (&amp;).
func Cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)[:n-1]
	if i := strings.LastIndex(string(runes), "&"); i >= 0 && !strings.Contains(string(runes)[i:], ";") {
		return string(runes)[:i] + "…"
	}
	return string(runes) + "…"
}
