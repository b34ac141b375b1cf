// Package logscan captures what the product logs through log/slog while a
// test runs and finds in it what must never be logged: link tokens, API
// keys, session IDs and email addresses (paths and errors can hold them).
package logscan

import (
	"bytes"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Lines is the captured log output, one JSON line per record, as the
// functions write it (app.SetupLogging: JSON, Info and above).
type Lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; slog's handler calls it once per record.
func (l *Lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// All returns the lines captured so far.
func (l *Lines) All() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimRight(l.buf.String(), "\n"), "\n")
}

// Capture makes slog's default logger, and the log package that slog then
// feeds, write to the returned Lines until the test ends. Tests that
// capture must not run in parallel with others of their binary.
func Capture(t testing.TB) *Lines {
	t.Helper()
	lines := &Lines{}
	before := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(lines, nil)))
	t.Cleanup(func() { slog.SetDefault(before) })
	return lines
}

// emailPattern finds an address, its "@" plain or percent-encoded.
var emailPattern = regexp.MustCompile(`(?i)[a-z0-9._%+-]+(@|%40)[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}`)

// Leaks returns a description of each line that holds one of secrets (as
// is, path-escaped or query-escaped) or any email address.
func Leaks(lines []string, secrets ...string) []string {
	var out []string
	for _, line := range lines {
		for _, s := range secrets {
			if s == "" {
				continue
			}
			for _, form := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
				if strings.Contains(line, form) {
					out = append(out, "holds "+form+": "+line)
					break
				}
			}
		}
		if m := emailPattern.FindString(line); m != "" {
			out = append(out, "holds the address "+m+": "+line)
		}
	}
	return out
}
