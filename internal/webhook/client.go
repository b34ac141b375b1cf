package webhook

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// ClientConfig tunes the delivery client; the zero value is production's.
type ClientConfig struct {
	// AllowLoopback lets the client reach 127.0.0.0/8 and ::1, for tests
	// whose receiver is an httptest server. URLs must still be https.
	AllowLoopback bool
	// RootCAs are the certificate authorities trusted; nil means the
	// system's. Tests pass the httptest TLS server's certificate.
	RootCAs *x509.CertPool
}

const (
	connectTimeout = 3 * time.Second
	requestTimeout = 10 * time.Second
	// maxResponseRead is how much of an answer is read (and thrown away)
	// so that the connection can be reused; a larger answer is cut off.
	maxResponseRead = 64 << 10
	maxURLLength    = 2000
)

// ErrAddressRefused is wrapped by the error of a connection to, or a URL
// resolving to, an address that is not public.
var ErrAddressRefused = errors.New("webhook: address is not public")

// ErrNotHTTPS is wrapped by the error of a request whose URL is not https.
var ErrNotHTTPS = errors.New("webhook: only https URLs are allowed")

// NewClient returns the HTTP client deliveries use. It connects only to
// public addresses, checked in the dialer for each address tried after DNS
// resolution, so a name that resolves to a public address when the store
// saves it and to a private one later (DNS rebinding) is still refused. It
// speaks only https, follows no redirect (the 3xx comes back as the
// answer) and gives up after 3 s to connect and 10 s for the whole request.
func NewClient(cfg ClientConfig) *http.Client {
	dialer := &net.Dialer{Timeout: connectTimeout, Control: control(cfg.AllowLoopback)}
	transport := &http.Transport{
		// No proxy: through one, the dialer would check the proxy's
		// address, not the store's.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    5 * time.Second,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           50,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        60 * time.Second,
		MaxResponseHeaderBytes: maxResponseRead,
	}
	return &http.Client{
		Transport: httpsOnly{transport},
		Timeout:   requestTimeout,
		// A redirect could point anywhere; the store must give its final URL.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// httpsOnly refuses plain-text requests before they reach the transport,
// whatever URL the caller built.
type httpsOnly struct{ next http.RoundTripper }

func (h httpsOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, ErrNotHTTPS
	}
	return h.next.RoundTrip(req)
}

// control is the dialer's last word on each address: it runs after DNS
// and before connect, so the address checked is the one connected to.
func control(allowLoopback bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if network != "tcp4" && network != "tcp6" {
			return fmt.Errorf("%w: network %s", ErrAddressRefused, network)
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrAddressRefused, address, err)
		}
		return checkAddr(ap.Addr(), allowLoopback)
	}
}

// Prefixes not covered by netip's predicates that are not reachable on
// the public internet, or that embed an IPv4 address a gateway would
// translate (so could reach a private network), from the IANA
// special-purpose address registries.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT, used inside clouds
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relays
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments, Teredo
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds an IPv4 address
	netip.MustParsePrefix("3fff::/20"),       // documentation
}

// globalUnicast6 is the only IPv6 space allocated for global unicast; it
// leaves out NAT64 (64:ff9b::/96), IPv4-compatible (::/96), discard-only,
// unique-local, site-local and link-local addresses at once.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// checkAddr returns nil for a public unicast address (or a loopback one
// when allowed), and an error wrapping ErrAddressRefused otherwise.
func checkAddr(addr netip.Addr, allowLoopback bool) error {
	// ::ffff:10.0.0.1 is 10.0.0.1 on the wire.
	a := addr.Unmap().WithZone("")
	refused := func(why string) error { return fmt.Errorf("%w: %s is %s", ErrAddressRefused, addr, why) }
	switch {
	case !a.IsValid():
		return fmt.Errorf("%w: no address", ErrAddressRefused)
	case a.IsLoopback():
		if allowLoopback {
			return nil
		}
		return refused("loopback")
	case a.IsUnspecified():
		return refused("unspecified")
	case a.IsMulticast():
		return refused("multicast")
	case a.IsLinkLocalUnicast():
		return refused("link-local")
	case a.IsPrivate():
		return refused("private")
	case !a.IsGlobalUnicast():
		return refused("not global unicast")
	case a.Is6() && !globalUnicast6.Contains(a):
		return refused("reserved")
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return refused("reserved (" + p.String() + ")")
		}
	}
	return nil
}

// Resolver looks up a host's addresses; *net.Resolver is one. Tests pass
// their own so that they never depend on real DNS.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ValidateURL checks a webhook URL when a store saves its settings: https,
// no user name or password, and a host that resolves only to public
// addresses. It returns an EINVALID *closeloop.Error naming webhook_url
// with what is wrong, or EUNAVAILABLE when DNS could not answer now. The
// delivery client checks the addresses again at every connection: this
// check is for the owner's benefit, not the defence.
func ValidateURL(ctx context.Context, raw string, resolver Resolver, allowLoopback bool) error {
	invalid := func(problem string) error {
		return &closeloop.Error{
			Code: closeloop.EINVALID, Message: "the webhook URL cannot be used",
			Fields: map[string]string{"webhook_url": problem},
		}
	}
	if len(raw) > maxURLLength {
		return invalid(fmt.Sprintf("must be at most %d characters", maxURLLength))
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Opaque != "" {
		return invalid("must be an https URL")
	}
	if u.User != nil {
		return invalid("must not contain a user name or password")
	}
	host := u.Hostname()
	if host == "" {
		return invalid("must name a host")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if checkAddr(ip, allowLoopback) != nil {
			return invalid("must point to a public address, not a private or reserved one")
		}
		return nil
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && !dnsErr.IsNotFound && (dnsErr.IsTimeout || dnsErr.IsTemporary) {
		// The owner's URL may be right; asking again later may work.
		return closeloop.Errorf(closeloop.EUNAVAILABLE, "the webhook URL's host could not be looked up now, try again shortly")
	}
	if err != nil || len(addrs) == 0 {
		return invalid("the host name does not resolve")
	}
	for _, a := range addrs {
		if checkAddr(a, allowLoopback) != nil {
			return invalid("the host resolves to a private or reserved address")
		}
	}
	return nil
}
