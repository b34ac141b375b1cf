package apptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// SlackReceiver stands in for a Slack incoming webhook in tests: an HTTPS
// server on loopback that records each message posted and can refuse the
// next few with a status of the test's choice.
type SlackReceiver struct {
	Server   *httptest.Server
	mu       sync.Mutex
	got      []SlackPost
	fail     int
	status   int
	response string
}

// SlackPost is one POST the receiver took.
type SlackPost struct {
	Body        string
	ContentType string
	Accepted    bool
}

func newSlackReceiver(t testing.TB) *SlackReceiver {
	s := &SlackReceiver{}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		p := SlackPost{Body: string(body), ContentType: r.Header.Get("Content-Type"), Accepted: s.fail == 0}
		s.got = append(s.got, p)
		if !p.Accepted {
			s.fail--
			w.WriteHeader(s.status)
			io.WriteString(w, s.response)
			return
		}
		// Slack answers a message it took with 200 and "ok".
		io.WriteString(w, "ok")
	}))
	t.Cleanup(s.Server.Close)
	return s
}

// URL is the receiver's incoming-webhook URL, shaped like Slack's.
func (s *SlackReceiver) URL() string { return s.Server.URL + "/services/T000/B000/XXXX" }

// FailNext makes the receiver answer the next n posts with status and
// body, as Slack does ("invalid_token", "rate_limited"…).
func (s *SlackReceiver) FailNext(n, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail, s.status, s.response = n, status, body
}

// Posts returns every post so far, oldest first.
func (s *SlackReceiver) Posts() []SlackPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackPost(nil), s.got...)
}
