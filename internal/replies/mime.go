package replies

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/lazy"
)

// Limits on what parsing a message reads. SES's SNS action delivers
// messages of at most 150 KB, so these only bound a crafted one.
const (
	maxParts     = 100 // MIME parts walked in one message
	maxDepth     = 8   // nesting of multiparts
	maxBodyBytes = 1 << 20
)

// Message is what the handler reads of a received email.
type Message struct {
	From        string // the sender's address, lower case; "" when none can be read
	Header      mail.Header
	Text        string // the reply's text as written (plain, or made from HTML), quotes still in
	Attachments []closeloop.Attachment
}

// wordDecoder decodes RFC 2047 words in any charset the text package knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("charset %q: %w", charset, err)
	}
	return enc.NewDecoder().Reader(r), nil
}}

// ParseMessage reads a raw MIME message: its sender, the text to keep
// (text/plain preferred, else text/html made text), and the files attached.
func ParseMessage(raw []byte) (Message, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("read message: %w", err)
	}
	msg := Message{Header: m.Header}
	msg.From = sender(m.Header.Get("From"))
	w := walker{}
	if err := w.part(textproto.MIMEHeader(m.Header), m.Body, 0); err != nil {
		return Message{}, err
	}
	switch {
	case w.plain != "":
		msg.Text = w.plain
	case w.html != "":
		msg.Text = htmlToText(w.html)
	}
	msg.Attachments = w.attachments
	return msg, nil
}

// walker collects the first plain and HTML bodies and the attachments of
// a message's parts.
type walker struct {
	plain, html string
	attachments []closeloop.Attachment
	parts       int
}

func (w *walker) part(h textproto.MIMEHeader, body io.Reader, depth int) error {
	w.parts++
	if w.parts > maxParts || depth > maxDepth {
		return errors.New("too many MIME parts")
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mediaType, params = "text/plain", map[string]string{} // RFC 2045's default
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := decodeHeader(dparams["filename"])
	if name == "" {
		name = decodeHeader(params["name"])
	}

	if strings.HasPrefix(mediaType, "multipart/") {
		if params["boundary"] == "" {
			return errors.New("multipart without a boundary")
		}
		// Quoted-printable or base64 on a multipart is not allowed
		// (RFC 2045 6.4): its body is read as it stands.
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read %s: %w", mediaType, err)
			}
			if err := w.part(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}

	data, err := io.ReadAll(io.LimitReader(decodeTransfer(h.Get("Content-Transfer-Encoding"), body), maxBodyBytes))
	if err != nil {
		return fmt.Errorf("decode %s part: %w", mediaType, err)
	}
	attached := disposition == "attachment" || (name != "" && disposition != "inline")
	switch {
	case !attached && mediaType == "text/plain" && w.plain == "":
		w.plain = decodeCharset(params["charset"], data)
	case !attached && mediaType == "text/html" && w.html == "":
		w.html = decodeCharset(params["charset"], data)
	case !attached && (mediaType == "text/plain" || mediaType == "text/html"):
		// A later text part of an alternative, or a second body part: the
		// first said it.
	case disposition == "inline" && h.Get("Content-Id") != "":
		// An image the HTML shows (a signature's logo): not something
		// the customer attached.
	case mediaType == "message/rfc822" && name == "":
		w.attachments = append(w.attachments, closeloop.Attachment{Name: "forwarded message.eml", Size: len(data)})
	case attached || name != "":
		w.attachments = append(w.attachments, closeloop.Attachment{Name: name, Size: len(data)})
	}
	return nil
}

// decodeTransfer undoes a part's Content-Transfer-Encoding; 7bit, 8bit,
// binary and anything unknown are read as they stand.
func decodeTransfer(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &lineSkipper{r: r})
	}
	return r
}

// lineSkipper drops the line breaks and spaces base64 bodies are wrapped
// with, which the decoder does not skip itself (only \r and \n).
type lineSkipper struct{ r io.Reader }

func (l *lineSkipper) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}

// decodeCharset turns a text part's bytes into UTF-8 from its charset
// (windows-1251, koi8-r, iso-8859-1…). UTF-8, ASCII and an unknown charset
// are taken as UTF-8, invalid bytes replaced.
func decodeCharset(charset string, data []byte) string {
	charset = strings.ToLower(strings.TrimSpace(charset))
	switch charset {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
	default:
		if enc, err := htmlindex.Get(charset); err == nil {
			if out, err := enc.NewDecoder().Bytes(data); err == nil {
				return string(out)
			}
		}
	}
	if utf8.Valid(data) {
		return string(data)
	}
	return strings.ToValidUTF8(string(data), "\uFFFD")
}

// addressParser reads addresses whose names are encoded in any charset
// the text package knows (a windows-1251 name, say).
var addressParser = &mail.AddressParser{WordDecoder: wordDecoder}

// angleAddress is the last <addr> of a From header too broken to parse.
var angleAddress = lazy.Regexp(`<([^<>\s@]+@[^<>\s@]+)>\s*$`)

// sender reads the address of a From header, lower case; "" when it has
// none.
func sender(header string) string {
	if from, err := addressParser.Parse(header); err == nil {
		return strings.ToLower(from.Address)
	}
	if m := angleAddress().FindStringSubmatch(strings.TrimSpace(header)); m != nil {
		if from, err := mail.ParseAddress(m[1]); err == nil {
			return strings.ToLower(from.Address)
		}
	}
	return ""
}

// decodeHeader decodes RFC 2047 encoded words in a header value, leaving
// it as it stands when they cannot be decoded.
func decodeHeader(v string) string {
	out, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return out
}
