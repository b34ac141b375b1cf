package dispatch_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
)

// TestStoreTextsReachTheEmails: a store's own subject, greeting and intro
// go out in its survey email (the real dispatch, on the SES emulator), and
// its thank-you line in the thank-you email; the points promise, the
// products, the unsubscribe link and the postal address stay.
func TestStoreTextsReachTheEmails(t *testing.T) {
	f := apptest.New(t)
	put := f.API(t, "PUT", "/v1/settings", `{"branding":{"postal_address":"1 Roastery Lane, Bristol"},"texts":{"en":{`+
		`"subject":"{first_name}, how is your {products} from {store}?",`+
		`"greeting":"Hello {first_name}!",`+
		`"intro":"Your beans were roasted by hand at {store}.",`+
		`"thanks":"Cheers, {first_name}: your {products} review earned {points}."}}}`)
	if put.Status != http.StatusOK {
		t.Fatalf("put texts: %d %s", put.Status, put.Body)
	}
	addr := apptest.Email("worded")
	order := `{"order_id":"w-1","customer":{"email":"` + addr + `","name":"Ada Lovelace","locale":"en-GB"},` +
		`"items":[{"sku":"MUG-1","name":"Mug"},{"sku":"KETTLE","name":"Kettle"},{"sku":"POT","name":"Teapot"}],` +
		`"purchased_at":"` + time.Now().UTC().Add(-time.Hour).Format(time.RFC3339) + `"}`
	if r := f.API(t, "POST", "/v1/orders", order); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t)
	emails := f.Inbox.To(t, addr)
	if len(emails) != 1 {
		t.Fatalf("%d emails to %s, want the survey", len(emails), addr)
	}
	survey := emails[0]
	if want := "Ada, how is your Mug, Kettle and Teapot from Test Shop?"; survey.Subject != want {
		t.Errorf("survey subject %q, want the store's %q", survey.Subject, want)
	}
	for part, body := range map[string]string{"HTML": survey.HTML, "text": survey.Text} {
		for _, want := range []string{"Hello Ada!", "Your beans were roasted by hand at Test Shop.",
			"You ordered: Mug, Kettle and Teapot.", "Answering earns you", "1 Roastery Lane, Bristol", "https://feedback.test/u/"} {
			if !strings.Contains(body, want) {
				t.Errorf("the survey's %s part lacks %q", part, want)
			}
		}
		for _, gone := range []string{"Hi Ada Lovelace,", "Thank you for your order w-1"} {
			if strings.Contains(body, gone) {
				t.Errorf("the survey's %s part still has the product's line %q", part, gone)
			}
		}
	}
	if !strings.HasPrefix(survey.Headers["List-Unsubscribe"], "<https://feedback.test/u/") {
		t.Errorf("List-Unsubscribe %q, want the unsubscribe link", survey.Headers["List-Unsubscribe"])
	}

	// The answer's thank-you email carries the store's line and the points.
	if r := f.Do(t, "POST", f.SurveyPath(t, addr), "", "application/x-www-form-urlencoded", "score=5"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	f.Settle(t)
	thanks := f.Inbox.WaitTo(t, addr, 2, 10*time.Second)[1]
	points := "50 points"
	for part, body := range map[string]string{"HTML": thanks.HTML, "text": thanks.Text} {
		for _, want := range []string{"Cheers, Ada: your Mug, Kettle and Teapot review earned " + points + ".", "You earned " + points} {
			if !strings.Contains(body, want) {
				t.Errorf("the thank-you's %s part lacks %q:\n%s", part, want, body)
			}
		}
	}
}
