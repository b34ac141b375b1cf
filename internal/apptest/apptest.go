// Package apptest builds the whole product against the suite's local AWS
// stack for integration tests: a fresh table, a store with an owner key,
// the store API and pages on a local HTTP server, a dispatcher, a
// controllable clock and the SES inbox.
package apptest

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/local"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/testenv"
)

// Clock is a settable time source, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// ReplyDomain is the domain of the reply addresses the fixture's case
// emails carry.
const ReplyDomain = "reply.shop.test"

// Fixture is the product running against the local stack.
type Fixture struct {
	Product  *local.Product
	Clock    *Clock
	Counter  *testenv.RequestCounter
	Server   *httptest.Server
	Inbox    *testenv.Inbox
	StoreID  string
	APIKey   string
	Settings closeloop.Settings
	Table    string
	Client   *dynamodb.Client
	// Hooks receives the store's webhooks when its settings name
	// Hooks.URL() and it has a secret.
	Hooks *Hooks
	// Slack receives the store's Slack alerts when its settings name
	// Slack.URL().
	Slack *SlackReceiver
}

// Option changes a store's settings before it is created.
type Option func(*closeloop.Settings)

// New builds a fixture with a fresh table and store. Settings start from
// the defaults with no survey delay, sending at any hour.
func New(t testing.TB, opts ...Option) *Fixture {
	t.Helper()
	return NewWith(t, func(*dynamodb.Client, string) []func(*dynamodb.Options) { return nil }, opts...)
}

// NewWith is New with more options for the product's DynamoDB client:
// clientOpts is given a plain client and the new table (e.g. for
// capacity.NewRecorder) and returns them.
func NewWith(t testing.TB, clientOpts func(raw *dynamodb.Client, table string) []func(*dynamodb.Options), opts ...Option) *Fixture {
	t.Helper()
	counter := &testenv.RequestCounter{}
	raw := testenv.DynamoDB(t)
	table := testenv.NewTable(t, raw)
	client := testenv.DynamoDB(t, append([]func(*dynamodb.Options){counter.Register}, clientOpts(raw, table)...)...)
	clock := &Clock{now: time.Now().UTC().Truncate(time.Second)}
	cfg := app.Config{Table: table, PublicBaseURL: "https://feedback.test", SenderAddress: "feedback@shop.test", ReplyDomain: ReplyDomain}
	clients := local.Clients{DynamoDB: client, Streams: testenv.Streams(t), SES: testenv.SES(t), SQS: testenv.SQS(t)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hooks := newHooks(t)
	roots := x509.NewCertPool()
	roots.AddCert(hooks.Server.Certificate())
	slackReceiver := newSlackReceiver(t)
	roots.AddCert(slackReceiver.Server.Certificate())
	product, err := local.New(ctx, cfg, clients, local.Options{
		Template:    filepath.Join(testenv.RepoRoot(t), "template.yaml"),
		QueuePrefix: "t-" + secret.NewID("q")[2:14] + "-",
		// Failed messages come back within a test.
		VisibilityTimeout: time.Second,
		WebhookRetryBase:  time.Second,
		WebhookLoopback:   true,
		WebhookRootCAs:    roots,
		Resolver:          loopbackResolver{},
	}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	settings := closeloop.DefaultSettings()
	settings.SurveyDelayHours = 0
	// The fixture's clock starts at the real time: tests of the send
	// window set one of their own.
	settings.SendWindow = closeloop.AnyHour()
	settings.Branding.Name = "Test Shop"
	settings.ReplyTo = "support@shop.test"
	for _, opt := range opts {
		opt(&settings)
	}
	storeID := newStoreID()
	_, key, err := stores.Create(context.Background(), product.DB, storeID, settings, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(product.Handler())
	t.Cleanup(server.Close)
	counter.Reset()
	return &Fixture{
		Product: product, Clock: clock, Counter: counter, Server: server, Inbox: testenv.NewInbox(t),
		StoreID: storeID, APIKey: key, Settings: settings, Table: table, Client: client, Hooks: hooks,
		Slack: slackReceiver,
	}
}

// NewStore creates another store in the fixture's table and returns its
// owner key, for tests of isolation between stores.
func (f *Fixture) NewStore(t testing.TB, opts ...Option) string {
	t.Helper()
	settings := f.Settings
	for _, opt := range opts {
		opt(&settings)
	}
	_, key, err := stores.Create(context.Background(), f.Product.DB, newStoreID(), settings, f.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func newStoreID() string { return "shop-" + strings.ToLower(secret.NewID("x")[2:10]) }

// Email returns an address unique to this test run, so inbox reads from
// parallel tests never mix.
func Email(name string) string {
	return name + "-" + strings.ToLower(secret.NewID("e")[2:]) + "@example.com"
}

// Response is an HTTP response read whole.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends a request to the fixture's server with key (when key is "",
// none), and headers as name, value pairs, and reads the response.
func (f *Fixture) Do(t testing.TB, method, path, key, contentType, body string, headers ...string) Response {
	t.Helper()
	req, err := http.NewRequest(method, f.Server.URL+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return Send(t, http.DefaultClient, req)
}

// NoRedirects is a client that shows each redirect rather than following
// it.
var NoRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Send sends req with client and reads the whole response.
func Send(t testing.TB, client *http.Client, req *http.Request) Response {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(data)}
}

// API calls the store API with the fixture's owner key.
func (f *Fixture) API(t testing.TB, method, path, body string) Response {
	t.Helper()
	return f.Do(t, method, path, f.APIKey, "application/json", body)
}

// Order returns a valid order body for order ID id and customer email.
func Order(id, email string) string {
	return `{"order_id":"` + id + `","customer":{"email":"` + email + `","name":"Ada","locale":"en-GB"},` +
		`"items":[{"sku":"MUG-1","name":"Mug"}],"purchased_at":"` + time.Now().UTC().Add(-time.Hour).Format(time.RFC3339) + `"}`
}

var linkPattern = regexp.MustCompile(`https://feedback\.test(/s/[A-Za-z0-9_.-]+)\?score=(\d)`)

// SurveyPath returns the survey page path (/s/{token}) from the one survey
// email sent to addr, failing when there is not exactly one.
func (f *Fixture) SurveyPath(t testing.TB, addr string) string {
	t.Helper()
	emails := f.Inbox.To(t, addr)
	if len(emails) != 1 {
		t.Fatalf("%d emails to %s, want 1", len(emails), addr)
	}
	m := linkPattern.FindStringSubmatch(emails[0].Text)
	if m == nil {
		t.Fatalf("no survey link in the email to %s:\n%s", addr, emails[0].Text)
	}
	return m[1]
}

// loopbackResolver resolves every host to 127.0.0.1: tests never reach
// real DNS, and their webhook receivers listen on loopback.
type loopbackResolver struct{}

func (loopbackResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

// Settle delivers everything the stream and the queues hold to their
// handlers, as Lambda would, and fails the test on error.
func (f *Fixture) Settle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := f.Product.Settle(ctx); err != nil {
		t.Fatal(err)
	}
}

// Dispatch runs the dispatcher once and fails the test on error.
func (f *Fixture) Dispatch(t testing.TB) {
	t.Helper()
	if _, err := f.Product.Dispatcher.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}
