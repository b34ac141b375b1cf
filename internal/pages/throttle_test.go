package pages_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/pages"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/survey"
)

// throttled passes calls to DynamoDB Local but fails transactions with
// throttling while on: a fault the emulator never produces.
type throttled struct {
	dynamo.API
	on     atomic.Bool
	tokens map[string]bool
}

func (f *throttled) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	token := aws.ToString(in.ClientRequestToken)
	if token == "" || f.tokens[token] {
		return nil, &types.TransactionInProgressException{Message: aws.String("the token was used before")}
	}
	f.tokens[token] = true
	if f.on.Load() {
		return nil, &types.ThrottlingException{Message: aws.String("Throughput exceeds the current capacity")}
	}
	return f.API.TransactWriteItems(ctx, in, opts...)
}

func TestThrottledAnswerComesBackToSendAgain(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("throttled")
	f.API(t, "POST", "/v1/orders", apptest.Order("o-throttled", email))
	f.Dispatch(t)
	path := f.SurveyPath(t, email)

	faults := &throttled{API: f.Product.FunctionClients("public").DynamoDB, tokens: map[string]bool{}}
	db := dynamo.New(faults, f.Table)
	renderer, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(pages.New(survey.NewService(db, db, f.Clock.Now), digest.NewUnsubscribes(db), renderer).Routes())
	t.Cleanup(server.Close)
	post := func() (*http.Response, string) {
		t.Helper()
		form := url.Values{"score": {"2"}, "comment": {"The lid does not fit <at all>"}}
		resp, err := http.PostForm(server.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}

	faults.on.Store(true)
	resp, body := post()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("throttled answer: %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, want := range []string{"The lid does not fit &lt;at all&gt;", `value="2" required checked`, "Nothing was lost"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form shown again lacks %q:\n%s", want, body)
		}
	}
	if p := pointsOf(t, f, email); p.Balance != 0 {
		t.Fatalf("balance %d after a throttled answer, want 0", p.Balance)
	}
	faults.on.Store(false)
	if resp, body := post(); resp.StatusCode != http.StatusOK || !strings.Contains(body, "You earned 75 points!") {
		t.Fatalf("answer sent again: %d\n%s", resp.StatusCode, body)
	}
}
