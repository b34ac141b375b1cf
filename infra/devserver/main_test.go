package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/closeloop/closeloop/internal/callrec"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/testenv"
)

var (
	bannerBase    = regexp.MustCompile(`closeloop runs on (http://127\.0\.0\.1:\d+)`)
	bannerSignIn  = regexp.MustCompile(`Dashboard: http://localhost:8080(/app/login/[A-Za-z0-9_-]+) \(demo owner owner@demo-coffee\.example, valid 15 minutes\)`)
	sessionCookie = "__Host-closeloop-session"
)

// make dev's banner carries a sign-in link for the demo owner that works:
// its button signs the owner in to the demo store. The devserver runs on
// ports of its own against the test stack, on a table of its own.
func TestDevserverPrintsDashboardLink(t *testing.T) {
	client := testenv.DynamoDB(t) // fails the test without the stack
	table := "t-devserver-" + strings.ToLower(secret.NewID("x")[2:10])
	for name, env := range map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB": os.Getenv(testenv.EnvDynamoDBURL),
		"AWS_ENDPOINT_URL_SESV2":    os.Getenv(testenv.EnvSESURL),
		"AWS_ENDPOINT_URL_SQS":      os.Getenv(testenv.EnvSQSURL),
		"TABLE_NAME":                table,
		"PUBLIC_BASE_URL":           "http://localhost:8080",
		"SENDER_ADDRESS":            "feedback@demo-coffee.example",
		"STAGE":                     "test",
	} {
		t.Setenv(name, env)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	})
	ctx, stop := context.WithCancel(context.Background())
	out := &syncBuffer{}
	finished := make(chan struct{})
	var runErr error
	// Under make test the product records each function's calls itself
	// (local.New); the devserver's own clients are a tool's, not recorded.
	getenv := func(name string) string {
		if name == callrec.EnvDir {
			return ""
		}
		return os.Getenv(name)
	}
	go func() {
		defer close(finished)
		runErr = run(ctx, []string{
			"-addr", "127.0.0.1:0", "-slack-addr", "127.0.0.1:0", "-dispatch-every", "1h",
			"-template", filepath.Join("..", "..", "template.yaml"), "-demo-file", filepath.Join(t.TempDir(), "demo.json"),
		}, getenv, out)
	}()
	t.Cleanup(func() {
		stop()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
			t.Error("the devserver did not stop")
		}
	})

	var base, path string
	for deadline := time.Now().Add(60 * time.Second); ; {
		b, p := bannerBase.FindStringSubmatch(out.String()), bannerSignIn.FindStringSubmatch(out.String())
		if b != nil && p != nil {
			base, path = b[1], p[1]
			break
		}
		select {
		case <-finished:
			t.Fatalf("the devserver ended: %v\n%s", runErr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner with a sign-in link:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(base+path, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/overview" || session == nil {
		t.Fatalf("POST of the printed link: %s to %q, cookie %v", resp.Status, resp.Header.Get("Location"), session)
	}
	req, _ := http.NewRequest("GET", base+"/app/stores", nil)
	req.AddCookie(session)
	resp, err = browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /app/stores signed in: %s, want 200", resp.Status)
	}
}
