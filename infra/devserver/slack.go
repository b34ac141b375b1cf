package main

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
)

// slackReceiver stands in for a Slack incoming webhook on this machine:
// an HTTPS server whose certificate only the devserver trusts, which logs
// the text of every message the demo store's alerts post, as Slack would
// show it, and answers "ok" as Slack does.
type slackReceiver struct {
	server *httptest.Server
}

// startSlackReceiver listens on addr (a fixed port, so that the demo
// store's slack_webhook_url stays right across runs of a kept database).
func startSlackReceiver(addr string, out io.Writer) (*slackReceiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("slack receiver: %w", err)
	}
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
			} `json:"blocks"`
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := json.Unmarshal(body, &m); err != nil || m.Text == "" {
			slog.Warn("slack receiver: not a Slack message", "err", err)
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		fmt.Fprintf(out, "slack receiver: %s (%d blocks)\n", strings.ReplaceAll(m.Text, "\n", " "), len(m.Blocks))
		io.WriteString(w, "ok")
	}))
	server.Listener.Close()
	server.Listener = ln
	server.StartTLS()
	return &slackReceiver{server: server}, nil
}

// URL is the demo store's slack_webhook_url.
func (s *slackReceiver) URL() string { return s.server.URL + "/services/demo/closeloop" }

// roots are the system's certificate authorities and the receiver's own.
func (s *slackReceiver) roots() *x509.CertPool {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pool.AddCert(s.server.Certificate())
	return pool
}

// Close stops the receiver.
func (s *slackReceiver) Close() { s.server.Close() }
