package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"
)

// Inbox reads the e-mails aws-ses-v2-local accepted, from its GET /store.
type Inbox struct {
	url    string
	client *http.Client
}

// Email is one e-mail as aws-ses-v2-local stored it.
type Email struct {
	MessageID string
	From      string
	ReplyTo   []string
	To        []string
	Cc        []string
	Bcc       []string
	Subject   string
	HTML      string
	Text      string
	// Headers holds the custom headers of the SendEmail call (Simple content's
	// Headers), by name as sent; the last wins when a name repeats.
	Headers map[string]string
	// At is when the emulator accepted the e-mail, to the second.
	At time.Time
}

// storedEmail is an e-mail in the JSON of GET /store:
// {"templates":{…},"emails":[{"messageId","from","replyTo":[],
// "destination":{"to":[],"cc":[],"bcc":[]},"subject","body":{"html","text"},
// "attachments":[],"headers":[{"name","value"}],"at":<epoch seconds>}]}.
// html, text and headers are left out when the request had none.
type storedEmail struct {
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	ReplyTo     []string `json:"replyTo"`
	Destination struct {
		To  []string `json:"to"`
		Cc  []string `json:"cc"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	At int64 `json:"at"`
}

// NewInbox returns an Inbox on the stack's SES emulator.
func NewInbox(t testing.TB) *Inbox {
	t.Helper()
	return &Inbox{
		url:    strings.TrimSuffix(getenv(t, EnvSESURL), "/") + "/store",
		client: &http.Client{Timeout: 10 * time.Second},
	}
}

// To returns every e-mail sent to addr (in To, Cc or Bcc; the address part
// compared case-insensitively), oldest first. Tests use recipients of their own.
func (i *Inbox) To(t testing.TB, addr string) []Email {
	t.Helper()
	all, err := i.fetch()
	if err != nil {
		t.Fatalf("read the SES inbox: %v", err)
	}
	want := address(addr)
	var got []Email
	for _, e := range all {
		rcpts := slices.Concat(e.To, e.Cc, e.Bcc)
		if slices.ContainsFunc(rcpts, func(r string) bool { return address(r) == want }) {
			got = append(got, e)
		}
	}
	return got
}

// WaitTo polls the inbox until at least n e-mails were sent to addr and
// returns them, or fails the test after timeout.
func (i *Inbox) WaitTo(t testing.TB, addr string, n int, timeout time.Duration) []Email {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := i.To(t, addr)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d e-mails to %s after %v, want at least %d", len(got), addr, timeout, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (i *Inbox) fetch() ([]Email, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, i.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := i.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", i.url, resp.Status)
	}
	var store struct {
		Emails []storedEmail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return nil, fmt.Errorf("GET %s: %w", i.url, err)
	}
	emails := make([]Email, 0, len(store.Emails))
	for _, s := range store.Emails {
		e := Email{
			MessageID: s.MessageID,
			From:      s.From,
			ReplyTo:   s.ReplyTo,
			To:        s.Destination.To,
			Cc:        s.Destination.Cc,
			Bcc:       s.Destination.Bcc,
			Subject:   s.Subject,
			HTML:      s.Body.HTML,
			Text:      s.Body.Text,
			Headers:   make(map[string]string, len(s.Headers)),
			At:        time.Unix(s.At, 0),
		}
		for _, h := range s.Headers {
			e.Headers[h.Name] = h.Value
		}
		emails = append(emails, e)
	}
	return emails, nil
}

// address returns the lower-cased address part of "Name <a@b>" or "a@b".
func address(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(strings.TrimSpace(s))
}
