package render

import (
	"bytes"
	"strings"
	"testing"
)

// Templates are parsed on first use, so a broken one would surface only
// when a function first renders it: Check parses them all here.
func TestCheckParsesEveryTemplate(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	if len(r.pages) != len(pageNames) || len(r.emailHTML) != len(emailKinds) || len(r.emailText) != len(emailKinds) {
		t.Errorf("renderer has %d pages and %d/%d email kinds, want %d and %d", len(r.pages), len(r.emailHTML), len(r.emailText), len(pageNames), len(emailKinds))
	}
}

// A page parsed on first use, by several goroutines at once, renders the
// same for each.
func TestFirstUseParsesOnce(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	page := Page{T: textFor("en", "en"), Title: "Closed"}
	out := make(chan string, 8)
	for range cap(out) {
		go func() {
			var b bytes.Buffer
			if err := r.WritePage(&b, PageClosed, page); err != nil {
				out <- "error: " + err.Error()
				return
			}
			out <- b.String()
		}()
	}
	first := <-out
	if !strings.Contains(first, "Closed") {
		t.Fatalf("closed page: %s", first)
	}
	for range cap(out) - 1 {
		if got := <-out; got != first {
			t.Fatalf("renders differ:\n%s\n---\n%s", got, first)
		}
	}
	if err := r.WritePage(&bytes.Buffer{}, "nope", page); err == nil {
		t.Error("an unknown page rendered")
	}
}
