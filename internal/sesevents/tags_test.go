package sesevents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/local"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/sesevents"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/testenv"
)

// sentEmail is a SendEmail request body as it went over the wire: what
// the SES emulator receives but drops (the configuration set and tags).
type sentEmail struct {
	ConfigurationSetName string
	Destination          struct{ ToAddresses []string }
	EmailTags            []struct{ Name, Value string }
}

// tag returns the value of the email's tag name, "" when it has none.
func (e sentEmail) tag(name string) string {
	for _, t := range e.EmailTags {
		if t.Name == name {
			return t.Value
		}
	}
	return ""
}

// sendRecorder records the SendEmail requests of the SES clients it is
// registered on, from their serialized HTTP bodies.
type sendRecorder struct {
	mu   sync.Mutex
	sent []sentEmail
	errs []error
}

// register adds the recorder to a client's middleware, after the request
// is serialized: what it reads is what is sent.
func (r *sendRecorder) register(o *sesv2.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Build.Add(middleware.BuildMiddlewareFunc("sesevents_test.sendRecorder", func(
			ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler,
		) (middleware.BuildOutput, middleware.Metadata, error) {
			if middleware.GetOperationName(ctx) == "SendEmail" {
				r.record(in.Request)
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
	})
}

func (r *sendRecorder) record(request any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := request.(*smithyhttp.Request)
	if !ok {
		r.errs = append(r.errs, fmt.Errorf("request is a %T", request))
		return
	}
	body, err := io.ReadAll(req.GetStream())
	if err == nil {
		err = req.RewindStream()
	}
	var e sentEmail
	if err == nil {
		err = json.Unmarshal(body, &e)
	}
	if err != nil {
		r.errs = append(r.errs, err)
		return
	}
	r.sent = append(r.sent, e)
}

// to returns the recorded sends to addr, failing on a recording error.
func (r *sendRecorder) to(t *testing.T, addr string) []sentEmail {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) > 0 {
		t.Fatalf("recording SendEmail: %v", r.errs)
	}
	var out []sentEmail
	for _, e := range r.sent {
		if len(e.Destination.ToAddresses) == 1 && e.Destination.ToAddresses[0] == addr {
			out = append(out, e)
		}
	}
	return out
}

// configurationSet is the SES_CONFIGURATION_SET of the product the test
// builds.
const configurationSet = "closeloop-test-events"

var surveyLink = regexp.MustCompile(`https://feedback\.test(/s/[A-Za-z0-9_.-]+)\?score=`)

// TestEmailsCarryTheConfigurationSetAndTags sends a survey, a thank-you
// and an acknowledgement and checks, on the outgoing SendEmail requests
// (the emulator drops both), that each names the configuration set whose
// events reach the handler and carries the tags the handler needs. Then
// it hands the handler a complaint carrying the thank-you's own tags, as
// SES would: the address is suppressed in the store that sent it.
func TestEmailsCarryTheConfigurationSetAndTags(t *testing.T) {
	rec := &sendRecorder{}
	sesURL := os.Getenv(testenv.EnvSESURL)
	if sesURL == "" {
		t.Fatalf("%s is not set: run the tests with `make test`", testenv.EnvSESURL)
	}
	ses := sesv2.NewFromConfig(testenv.AWSConfig(t), func(o *sesv2.Options) { o.BaseEndpoint = aws.String(sesURL) }, rec.register)
	client := testenv.DynamoDB(t)
	ctx := context.Background()
	product, err := local.New(ctx,
		app.Config{Table: testenv.NewTable(t, client), PublicBaseURL: "https://feedback.test", SenderAddress: "feedback@shop.test", ConfigurationSet: configurationSet},
		local.Clients{DynamoDB: client, Streams: testenv.Streams(t), SES: ses, SQS: testenv.SQS(t)},
		local.Options{
			Template:          filepath.Join(testenv.RepoRoot(t), "template.yaml"),
			QueuePrefix:       "t-" + secret.NewID("q")[2:14] + "-",
			VisibilityTimeout: time.Second,
		}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	support := apptest.Email("support")
	settings := closeloop.DefaultSettings()
	settings.SurveyDelayHours, settings.SupportEmails = 0, []string{support}
	storeID := "shop-" + strings.ToLower(secret.NewID("x")[2:10])
	_, key, err := stores.Create(ctx, product.DB, storeID, settings, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(product.Handler())
	t.Cleanup(server.Close)
	inbox := testenv.NewInbox(t)
	do := func(method, path, auth, contentType, body string) int {
		t.Helper()
		req, err := http.NewRequest(method, server.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	happy, unhappy := apptest.Email("happy"), apptest.Email("unhappy")
	for _, email := range []string{happy, unhappy} {
		if status := do("POST", "/v1/orders", key, "application/json", apptest.Order("o-"+email[:12], email)); status != http.StatusAccepted {
			t.Fatalf("post order: %d", status)
		}
	}
	if _, err := product.Dispatcher.Run(ctx); err != nil {
		t.Fatal(err)
	}
	surveyIDs := map[string]string{}
	for email, answer := range map[string]string{happy: "score=5", unhappy: "score=1"} {
		mails := inbox.To(t, email)
		if len(mails) != 1 {
			t.Fatalf("%d emails to %s, want the survey", len(mails), email)
		}
		m := surveyLink.FindStringSubmatch(mails[0].Text)
		if m == nil {
			t.Fatalf("no survey link in:\n%s", mails[0].Text)
		}
		surveyIDs[email] = surveyIDOf(m[1])
		if status := do("POST", m[1], "", form, answer); status != http.StatusOK {
			t.Fatalf("answer: %d", status)
		}
	}
	if err := product.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	caseID := closeloop.CaseIDFor(surveyIDs[unhappy])

	for _, tt := range []struct {
		name  string
		to    string
		index int
		tags  map[string]string
	}{
		{"survey", happy, 0, map[string]string{sesevents.TagStore: storeID, sesevents.TagKind: closeloop.KindSurvey, sesevents.TagSurvey: surveyIDs[happy]}},
		{"thank-you", happy, 1, map[string]string{sesevents.TagStore: storeID, sesevents.TagKind: closeloop.KindThanks, sesevents.TagSurvey: surveyIDs[happy]}},
		{"acknowledgement", unhappy, 1, map[string]string{sesevents.TagStore: storeID, sesevents.TagKind: closeloop.KindAcknowledgment, sesevents.TagSurvey: surveyIDs[unhappy], sesevents.TagCase: caseID}},
		{"support alert", support, 0, map[string]string{sesevents.TagStore: storeID, sesevents.TagKind: closeloop.KindSupportAlert, sesevents.TagSurvey: surveyIDs[unhappy], sesevents.TagCase: caseID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sent := rec.to(t, tt.to)
			if len(sent) <= tt.index {
				t.Fatalf("%d SendEmail requests to %s, want at least %d", len(sent), tt.to, tt.index+1)
			}
			e := sent[tt.index]
			if e.ConfigurationSetName != configurationSet {
				t.Errorf("ConfigurationSetName %q, want %q", e.ConfigurationSetName, configurationSet)
			}
			for name, want := range tt.tags {
				if got := e.tag(name); got != want {
					t.Errorf("tag %s = %q, want %q (tags %+v)", name, got, want, e.EmailTags)
				}
			}
			if len(e.EmailTags) != len(tt.tags) {
				t.Errorf("tags %+v, want exactly %v", e.EmailTags, tt.tags)
			}
		})
	}

	// The complaint SES would publish about the thank-you: its tags are
	// the ones sent, with SES's own added.
	thanks := rec.to(t, happy)[1]
	complaint := complaintOf(happy, "ses:configuration-set", thanks.ConfigurationSetName)
	for _, tag := range thanks.EmailTags {
		complaint.Mail.Tags[tag.Name] = []string{tag.Value}
	}
	if err := product.SesEvents.Process(ctx, complaint); err != nil {
		t.Fatal(err)
	}
	list, _, err := product.DB.Suppressions(ctx, storeID, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Email == nil || *list[0].Email != happy || list[0].Reason != closeloop.SuppressedComplained {
		t.Fatalf("suppressions %+v, want the complaining customer's", list)
	}
}
