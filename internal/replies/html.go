package replies

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText makes the text a person reads of an HTML email: block
// elements on lines of their own, links as their words, scripts, styles
// and signatures left out, and quoted mail (blockquote) as "> " lines for
// stripQuoted to remove like a plain reply's.
func htmlToText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return ""
	}
	var b textBuilder
	b.node(doc, 0)
	return b.String()
}

// textBuilder writes text line by line, each line prefixed with "> " once
// per blockquote it sits in.
type textBuilder struct {
	lines   []string
	line    strings.Builder
	quote   int
	pre     int
	pending bool // a space is owed before the next word
}

// blocks are the elements that start and end a line.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Tr: true, atom.Table: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Pre: true,
	atom.Blockquote: true, atom.Hr: true, atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true,
	atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Address: true, atom.Center: true,
}

// skipped are the elements whose content nobody reads as the message.
var skipped = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Title: true, atom.Template: true, atom.Noscript: true,
	atom.Svg: true, atom.Math: true, atom.Object: true, atom.Iframe: true,
}

func (b *textBuilder) node(n *html.Node, depth int) {
	if depth > 200 {
		return
	}
	switch n.Type {
	case html.TextNode:
		b.text(n.Data)
		return
	case html.ElementNode:
		if skipped[n.DataAtom] || signature(n) {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			b.newline(true)
			return
		case atom.Img:
			return
		}
	}
	block := n.Type == html.ElementNode && blocks[n.DataAtom]
	if block {
		b.newline(false)
		if n.DataAtom == atom.P {
			b.blank()
		}
	}
	if n.DataAtom == atom.Blockquote {
		b.quote++
	}
	if n.DataAtom == atom.Pre {
		b.pre++
	}
	if n.DataAtom == atom.Li {
		b.line.WriteString("- ")
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.node(c, depth+1)
	}
	if n.DataAtom == atom.Blockquote {
		b.newline(false)
		b.quote--
	}
	if n.DataAtom == atom.Pre {
		b.pre--
	}
	if block {
		b.newline(false)
		if n.DataAtom == atom.P {
			b.blank()
		}
	}
}

// signature reports whether an element holds the sender's signature as
// mail clients mark it (Gmail's gmail_signature, Thunderbird's
// moz-signature, Outlook's Signature div).
func signature(n *html.Node) bool {
	for _, a := range n.Attr {
		if (a.Key == "class" || a.Key == "id") && strings.Contains(strings.ToLower(a.Val), "signature") {
			return true
		}
		if a.Key == "data-smartmail" && a.Val == "gmail_signature" {
			return true
		}
	}
	return false
}

// text adds a text node: whitespace collapsed outside <pre>.
func (b *textBuilder) text(s string) {
	if b.pre > 0 {
		for i, part := range strings.Split(s, "\n") {
			if i > 0 {
				b.newline(true)
			}
			b.line.WriteString(part)
		}
		return
	}
	if s != "" && isSpace(s[0]) {
		b.pending = true
	}
	words := strings.Fields(s)
	for i, w := range words {
		if (i > 0 || b.pending) && b.line.Len() > 0 && !strings.HasSuffix(b.line.String(), "- ") {
			b.line.WriteByte(' ')
		}
		b.line.WriteString(w)
		b.pending = false
	}
	if s != "" && isSpace(s[len(s)-1]) && len(words) > 0 {
		b.pending = true
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }

// newline ends the current line; force ends it even when it is empty (a <br>).
func (b *textBuilder) newline(force bool) {
	if b.line.Len() == 0 && !force {
		return
	}
	prefix := strings.Repeat("> ", b.quote)
	b.lines = append(b.lines, prefix+b.line.String())
	b.line.Reset()
	b.pending = false
}

// blank leaves an empty line, once, between paragraphs.
func (b *textBuilder) blank() {
	if len(b.lines) > 0 && strings.TrimSpace(strings.TrimLeft(b.lines[len(b.lines)-1], "> ")) != "" {
		b.lines = append(b.lines, strings.TrimSpace(strings.Repeat("> ", b.quote)))
	}
}

func (b *textBuilder) String() string {
	b.newline(false)
	return strings.Join(b.lines, "\n")
}
