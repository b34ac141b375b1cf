package webhook_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/webhook"
)

// tlsServer is an https receiver on 127.0.0.1 that counts its requests by
// path, and a pool trusting its certificate.
func tlsServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *x509.CertPool, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool, &hits
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestDialLoopbackNeedsTheSwitch(t *testing.T) {
	srv, pool, hits := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))

	closed := webhook.NewClient(webhook.ClientConfig{RootCAs: pool})
	// localhost resolves (from /etc/hosts) to loopback: the dialer checks
	// the address after resolution, not the name.
	for _, url := range []string{srv.URL, "https://localhost:" + port + "/"} {
		if _, err := get(t, closed, url); !errors.Is(err, webhook.ErrAddressRefused) {
			t.Errorf("GET %s without the switch: err = %v, want ErrAddressRefused", url, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the receiver got %d requests through a refused dial", n)
	}

	open := webhook.NewClient(webhook.ClientConfig{AllowLoopback: true, RootCAs: pool})
	resp, err := get(t, open, srv.URL)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s with the switch: %v, %v; want 200", srv.URL, resp, err)
	}
}

func TestDialRefusesPlainHTTP(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := webhook.NewClient(webhook.ClientConfig{AllowLoopback: true})
	if _, err := get(t, c, srv.URL); !errors.Is(err, webhook.ErrNotHTTPS) {
		t.Errorf("GET %s: err = %v, want ErrNotHTTPS", srv.URL, err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the plain-text server got %d requests", n)
	}
}

func TestDialFollowsNoRedirect(t *testing.T) {
	var redirected atomic.Int32
	srv, pool, _ := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			redirected.Add(1)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	c := webhook.NewClient(webhook.ClientConfig{AllowLoopback: true, RootCAs: pool})
	resp, err := get(t, c, srv.URL+"/hook")
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("GET a redirecting URL: %v, %v; want the 302 itself", resp, err)
	}
	if n := redirected.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

// fakeResolver answers from a table, so no test depends on real DNS. It is
// a seam for name resolution, not an AWS fake.
type fakeResolver struct {
	t     *testing.T
	hosts map[string][]string
	errs  map[string]error
}

func (f fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	if _, err := netip.ParseAddr(host); err == nil {
		f.t.Errorf("an IP literal %s was looked up", host)
	}
	if err, ok := f.errs[host]; ok {
		return nil, err
	}
	addrs, ok := f.hosts[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestValidateURL(t *testing.T) {
	resolver := fakeResolver{
		t: t,
		hosts: map[string][]string{
			"hooks.example.com": {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
			"internal.example":  {"10.0.0.5"},
			"metadata.example":  {"169.254.169.254"},
			"mixed.example":     {"93.184.215.14", "192.168.1.10"},
			"mapped.example":    {"::ffff:10.0.0.1"},
			"cgnat.example":     {"100.64.3.4"},
			"ula.example":       {"fd00::1"},
			"localhost":         {"127.0.0.1", "::1"},
			"empty.example":     {},
		},
		errs: map[string]error{
			"slow.example": &net.DNSError{Err: "i/o timeout", Name: "slow.example", IsTimeout: true},
		},
	}
	tests := []struct {
		name          string
		url           string
		allowLoopback bool
		wantCode      string
		wantProblem   string
	}{
		{"public host", "https://hooks.example.com/closeloop?token=abc", false, "", ""},
		{"public host and port", "https://hooks.example.com:8443/in", false, "", ""},
		{"public IP", "https://93.184.215.14/in", false, "", ""},
		{"plain http", "http://hooks.example.com/in", false, closeloop.EINVALID, "https"},
		{"other scheme", "ftp://hooks.example.com/in", false, closeloop.EINVALID, "https"},
		{"no scheme", "hooks.example.com/in", false, closeloop.EINVALID, "https"},
		{"not a URL", "https://exa mple.com/%zz", false, closeloop.EINVALID, "https"},
		{"user info", "https://user:pw@hooks.example.com/in", false, closeloop.EINVALID, "user name"},
		{"no host", "https:///in", false, closeloop.EINVALID, "host"},
		{"too long", "https://hooks.example.com/" + strings.Repeat("a", 2000), false, closeloop.EINVALID, "2000"},
		{"unknown host", "https://nowhere.example/in", false, closeloop.EINVALID, "does not resolve"},
		{"no addresses", "https://empty.example/in", false, closeloop.EINVALID, "does not resolve"},
		{"DNS timeout", "https://slow.example/in", false, closeloop.EUNAVAILABLE, ""},
		{"private host", "https://internal.example/in", false, closeloop.EINVALID, "private"},
		{"metadata host", "https://metadata.example/latest", false, closeloop.EINVALID, "private"},
		{"one private address among public", "https://mixed.example/in", false, closeloop.EINVALID, "private"},
		{"IPv4-mapped private", "https://mapped.example/in", false, closeloop.EINVALID, "private"},
		{"CGNAT host", "https://cgnat.example/in", false, closeloop.EINVALID, "private"},
		{"unique local IPv6", "https://ula.example/in", false, closeloop.EINVALID, "private"},
		{"private IP", "https://10.1.2.3/in", false, closeloop.EINVALID, "private"},
		{"metadata IP", "https://169.254.169.254/latest/meta-data", false, closeloop.EINVALID, "private"},
		{"mapped private IP", "https://[::ffff:10.0.0.1]/in", false, closeloop.EINVALID, "private"},
		{"CGNAT IP", "https://100.64.1.1/in", false, closeloop.EINVALID, "private"},
		{"loopback IP", "https://127.0.0.1:8443/in", false, closeloop.EINVALID, "private"},
		{"loopback IPv6", "https://[::1]:8443/in", false, closeloop.EINVALID, "private"},
		{"localhost", "https://localhost/in", false, closeloop.EINVALID, "private"},
		{"loopback IP with the switch", "https://127.0.0.1:8443/in", true, "", ""},
		{"localhost with the switch", "https://localhost:8443/in", true, "", ""},
		{"private IP with the switch", "https://10.1.2.3/in", true, closeloop.EINVALID, "private"},
		{"plain http with the switch", "http://127.0.0.1:8080/in", true, closeloop.EINVALID, "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.ValidateURL(context.Background(), tt.url, resolver, tt.allowLoopback)
			if got := closeloop.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("ValidateURL(%q) = %v, want code %q", tt.url, err, tt.wantCode)
			}
			if tt.wantCode != closeloop.EINVALID {
				return
			}
			var e *closeloop.Error
			if !errors.As(err, &e) {
				t.Fatalf("ValidateURL(%q) = %T, want *closeloop.Error", tt.url, err)
			}
			if problem := e.Fields["webhook_url"]; !strings.Contains(problem, tt.wantProblem) {
				t.Errorf("webhook_url problem = %q, want it to mention %q", problem, tt.wantProblem)
			}
		})
	}
}
