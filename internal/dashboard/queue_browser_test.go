package dashboard_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/closeloop/closeloop/internal/browsertest"
)

var (
	desktop = chromedp.EmulateViewport(1280, 900)
	phone   = chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2),
		chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
)

// tabTo presses Tab until the focused element matches selector, failing
// after 60 presses; every element on the way must show its focus.
func tabTo(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	for range 60 {
		browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Tab))
		desc, visible := browsertest.Focused(t, ctx)
		if !visible {
			t.Errorf("%s has the focus but does not show it (:focus-visible)", desc)
		}
		if browsertest.Eval[bool](t, ctx, `document.activeElement.matches(`+strconv.Quote(selector)+`)`) {
			return
		}
	}
	t.Fatalf("Tab never reached %s on %s", selector, browsertest.Eval[string](t, ctx, `location.pathname`))
}

// checkPage runs axe-core on the tab's page on a desktop, then lays it out
// on a 360 px phone: nothing may scroll sideways, and axe runs again.
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browsertest.Do(t, ctx, desktop)
	browsertest.CheckAccessibility(t, ctx)
	browsertest.Screenshot(t, ctx, name+"-desktop.png")
	browsertest.Do(t, ctx, phone)
	browsertest.NoHorizontalScroll(t, ctx)
	browsertest.CheckAccessibility(t, ctx)
	browsertest.Screenshot(t, ctx, name+"-phone.png")
	browsertest.Do(t, ctx, desktop)
}

// Support opens the queue, then a case, and claims, notes and resolves it
// with the keyboard alone; the queue, the case and the responses pass
// axe-core and fit a 360 px phone.
func TestQueueInTheBrowser(t *testing.T) {
	s := newQueueShop(t)
	id, email := s.unhappy(t, "browser", "The handle broke off on the first day, and the box was wet.")
	s.unhappy(t, "other", "Late")
	ctx := browsertest.NewTab(t)
	browsertest.Do(t, ctx, browsertest.EmulateFocus, desktop)

	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(s.App.URL+"/app/followups"))
	checkPage(t, ctx, "queue")
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(s.App.URL+"/app/responses"))
	checkPage(t, ctx, "responses")

	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(s.App.URL+"/app/followups"))
	tabTo(t, ctx, `a[href="/app/followups/`+id+`"]`)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.KeyEvent(kb.Enter))
	if path := browsertest.Eval[string](t, ctx, `location.pathname`); path != "/app/followups/"+id {
		t.Fatalf("Enter on the case's link opened %s", path)
	}
	checkPage(t, ctx, "case")

	// Claim: Enter on the button.
	tabTo(t, ctx, `form[action$="/claim"] button`)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.KeyEvent(kb.Enter))
	if text := browsertest.BodyText(t, ctx); !strings.Contains(text, "You have claimed this follow-up.") {
		t.Fatalf("after the claim the page says:\n%s", text)
	}

	// A note: typed, then Space on its button.
	tabTo(t, ctx, `#note-text`)
	browsertest.Do(t, ctx, chromedp.KeyEvent("Called, sending a new mug."))
	tabTo(t, ctx, `form[action$="/note"] button`)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.KeyEvent(" "))
	if text := browsertest.BodyText(t, ctx); !strings.Contains(text, "Your note is saved.") || !strings.Contains(text, "Called, sending a new mug.") {
		t.Fatalf("after the note the page says:\n%s", text)
	}

	// Resolve: the first outcome by Space, the reason by the arrow keys,
	// the texts typed, the closing email ticked.
	tabTo(t, ctx, `input[name=outcome]`)
	browsertest.Do(t, ctx, chromedp.KeyEvent(" "))
	tabTo(t, ctx, `#reason`)
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	tabTo(t, ctx, `#resolution`)
	browsertest.Do(t, ctx, chromedp.KeyEvent("Sent a new mug."))
	tabTo(t, ctx, `#notify`)
	browsertest.Do(t, ctx, chromedp.KeyEvent(" "))
	tabTo(t, ctx, `#customer_message`)
	browsertest.Do(t, ctx, chromedp.KeyEvent("A new mug is on its way."))
	form := browsertest.Eval[struct {
		Outcome, Reason string
		Notify          bool
	}](t, ctx, `({outcome: (document.querySelector('input[name=outcome]:checked') || {}).value || '',
		reason: document.getElementById('reason').value, notify: document.getElementById('notify').checked})`)
	if form.Outcome != "resolved" || form.Reason != "damaged" || !form.Notify {
		t.Fatalf("the resolve form before sending: %+v, want resolved, damaged, notify", form)
	}
	tabTo(t, ctx, `form[action$="/resolve"] button`)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.KeyEvent(kb.Enter))
	if text := browsertest.BodyText(t, ctx); !strings.Contains(text, "The follow-up is resolved.") {
		t.Fatalf("after resolving the page says:\n%s", text)
	}
	checkPage(t, ctx, "case-resolved")

	c := s.apiCase(t, id, "")
	if c.Status != "resolved" || c.Assignee != "sam@shop.test" || c.Outcome != "resolved" || c.Reason != "damaged" ||
		c.Resolution != "Sent a new mug." || len(c.Notes) != 1 || c.Notes[0].Text != "Called, sending a new mug." {
		t.Fatalf("the case after the keyboard walk: %+v", c)
	}
	s.Settle(t)
	mails := s.Inbox.To(t, email)
	if len(mails) != 3 || !strings.Contains(mails[2].Text, "A new mug is on its way.") {
		t.Fatalf("%d emails to the customer; want the closing one with support's words last", len(mails))
	}
}
