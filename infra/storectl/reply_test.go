package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/testenv"
)

// TestReplyCommand: storectl reply puts a customer's reply on the replies
// queue as SES and SNS would, and the product puts it on the case.
func TestReplyCommand(t *testing.T) {
	f := apptest.New(t)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", os.Getenv(testenv.EnvDynamoDBURL))
	t.Setenv("AWS_ENDPOINT_URL_SQS", os.Getenv(testenv.EnvSQSURL))
	t.Setenv("TABLE_NAME", "")
	t.Setenv("REPLY_DOMAIN", "")

	email := apptest.Email("ada")
	if r := f.API(t, "POST", "/v1/orders", apptest.Order("o-reply", email)); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t)
	if r := f.Do(t, "POST", f.SurveyPath(t, email), "", "application/x-www-form-urlencoded", "score=1"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	f.Settle(t)
	var list struct {
		Items []closeloop.CaseView `json:"items"`
	}
	if err := json.Unmarshal([]byte(f.API(t, "GET", "/v1/followups", "").Body), &list); err != nil || len(list.Items) != 1 {
		t.Fatalf("cases: %+v, %v", list, err)
	}
	caseID := list.Items[0].CaseID

	var out bytes.Buffer
	args := []string{"reply", "-table", f.Table, "-case", caseID, "-domain", apptest.ReplyDomain,
		"-queue-url", f.Product.Queues["RepliesQueue"], "-text", "Still broken."}
	if err := run(context.Background(), args, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	f.Settle(t)
	var c closeloop.CaseView
	if err := json.Unmarshal([]byte(f.API(t, "GET", "/v1/followups/"+caseID, "").Body), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Notes) != 1 || c.Notes[0].Text != "Still broken." || c.Notes[0].Author != closeloop.NoteAuthorCustomer {
		t.Errorf("notes %+v, want the customer's \"Still broken.\"", c.Notes)
	}
	if !strings.Contains(out.String(), caseID) {
		t.Errorf("output %q does not name the case", out.String())
	}
	if err := run(context.Background(), []string{"reply", "-table", f.Table, "-case", caseID}, os.Getenv, &out); err == nil {
		t.Error("reply without -domain succeeded")
	}
}
