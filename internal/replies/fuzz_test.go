package replies

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// FuzzReplyText: whatever arrives, parsing never panics, and a note made
// of it is one the case accepts (valid text, within the limits).
func FuzzReplyText(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("From: a@b.c\r\nContent-Type: text/html\r\n\r\n<blockquote><blockquote><p>x</blockquote><pre>\x00y</pre>"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg, err := ParseMessage(raw)
		if err != nil {
			return
		}
		n, ok := closeloop.NewReplyNote("m", stripQuoted(msg.Text), msg.Attachments, testTime)
		if !ok {
			return
		}
		if _, err := closeloop.ValidNoteText("text", n.Text); err != nil {
			t.Fatalf("note %q: %v", n.Text, err)
		}
	})
}
