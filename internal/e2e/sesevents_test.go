//go:build unix

package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// TestSesEventsFunction runs the SES events function on a batch of the
// three sample events, each for an address of its own, with a message
// for another store's email, one from an email without tags and one that
// is no SNS notification: the permanent bounce and the complaint suppress
// their addresses in the store the tags name, the transient bounce is
// counted and suppresses nothing, the untagged event is dropped, and only
// the unreadable message is reported failed. The same batch again (SQS
// redelivers) changes nothing.
func TestSesEventsFunction(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	fn := startFunction(t, "sesevents", s.env(t))
	bounced, complained, full, untagged := uniqueEmail("bounced"), uniqueEmail("complained"), uniqueEmail("full"), uniqueEmail("untagged")

	var ev events.SQSEvent
	for _, f := range []struct{ file, email string }{
		{"sesevents-permanent-bounce.json", bounced},
		{"sesevents-complaint.json", complained},
		{"sesevents-transient-bounce.json", full},
	} {
		ev.Records = append(ev.Records, sqsEvent(t, f.file, sampleEmail, f.email).Records...)
	}
	noTags := sqsEvent(t, "sesevents-permanent-bounce.json", sampleEmail, untagged).Records[0]
	noTags.MessageId = "2c7e9a4f-untagged-email"
	setBody(&noTags, withoutStoreTag(t, noTags.Body))
	notSNS := ev.Records[0]
	notSNS.MessageId = "6d1b3f8e-not-sns"
	setBody(&notSNS, `{"eventType":"Bounce"}`)
	ev.Records = append(ev.Records, noTags, notSNS)

	invoke := func() {
		t.Helper()
		var resp events.SQSEventResponse
		fn.invokeJSON(t, ev, &resp)
		if got, want := failedMessages(resp), []string{notSNS.MessageId}; !slices.Equal(got, want) {
			t.Fatalf("batchItemFailures %q, want only the message that is no SNS notification %q", got, want)
		}
	}
	invoke()
	t.Logf("sesevents cold start: %s", fn.coldStart(t))

	ctx := context.Background()
	list := func() map[string]closeloop.Suppression {
		t.Helper()
		items, next, err := s.db.Suppressions(ctx, storeID, 50, "")
		if err != nil || next != "" {
			t.Fatalf("suppressions: next %q, %v", next, err)
		}
		got := map[string]closeloop.Suppression{}
		for _, it := range items {
			if it.Email == nil {
				t.Fatalf("a masked entry %+v: nobody was erased", it)
			}
			got[*it.Email] = it
		}
		return got
	}
	first := list()
	want := map[string]string{bounced: closeloop.SuppressedBounced, complained: closeloop.SuppressedComplained}
	if len(first) != len(want) {
		t.Fatalf("suppressed %v, want %v (the transient bounce and the untagged email suppress nothing)", first, want)
	}
	for email, reason := range want {
		if first[email].Reason != reason {
			t.Errorf("%s: reason %q, want %q", email, first[email].Reason, reason)
		}
	}
	counted := func() int {
		t.Helper()
		n, err := s.db.TransientBounces(ctx, storeID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := counted(); n != 1 {
		t.Errorf("%d transient bounces counted, want 1", n)
	}

	invoke()
	again := list()
	for email, sup := range first {
		if !again[email].SuppressedAt.Equal(sup.SuppressedAt) || again[email].Reason != sup.Reason {
			t.Errorf("%s: %+v after the batch came again, was %+v", email, again[email], sup)
		}
	}
	if len(again) != len(first) {
		t.Errorf("%d suppressions after the batch came again, want %d", len(again), len(first))
	}
	if n := counted(); n != 1 {
		t.Errorf("%d transient bounces counted after the batch came again, want still 1", n)
	}
}

// withoutStoreTag is an SES events queue message with the store tag taken
// out of the SES event it wraps.
func withoutStoreTag(t *testing.T, body string) string {
	t.Helper()
	var envelope map[string]any
	if err := json.Unmarshal([]byte(body), &envelope); err != nil {
		t.Fatal(err)
	}
	message, _ := envelope["Message"].(string)
	var whole map[string]any
	if err := json.Unmarshal([]byte(message), &whole); err != nil {
		t.Fatal(err)
	}
	tags, _ := whole["mail"].(map[string]any)["tags"].(map[string]any)
	if tags["store"] == nil {
		t.Fatal("the sample event has no store tag to take out")
	}
	delete(tags, "store")
	b, err := json.Marshal(whole)
	if err != nil {
		t.Fatal(err)
	}
	envelope["Message"] = string(b)
	out, err := json.Marshal(envelope)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
