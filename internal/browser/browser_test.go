package browser_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/browsertest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// sentSurvey posts an order for email through the store API with key,
// dispatches it and returns the survey page path.
func sentSurvey(t *testing.T, f *apptest.Fixture, key, email string) string {
	t.Helper()
	r := f.Do(t, "POST", "/v1/orders", key, "application/json", apptest.Order("ord-"+email[:8], email))
	if r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t)
	return f.SurveyPath(t, email)
}

func balance(t *testing.T, f *apptest.Fixture, email string) int {
	t.Helper()
	r := f.API(t, "GET", "/v1/customers/"+url.PathEscape(email)+"/points", "")
	if r.Status != http.StatusOK {
		t.Fatalf("points: %d %s", r.Status, r.Body)
	}
	var p struct {
		Balance int `json:"balance"`
	}
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatal(err)
	}
	return p.Balance
}

// A phone opens the link of the fourth star: the rating is pre-selected,
// the page says that it is not sent yet, nothing scrolls sideways, and a tap
// on the button sends it.
func TestSurveyOnPhone(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("phone")
	path := sentSurvey(t, f, f.APIKey, email)
	ctx := browsertest.NewTab(t)

	browsertest.Do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2),
		chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+path+"?score=4"))

	if got := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('input[name=score]:checked')].map(e => e.value)`); len(got) != 1 || got[0] != "4" {
		t.Errorf("checked scores %q, want [4]", got)
	}
	hint := browsertest.Eval[struct {
		Text    string
		Visible bool
	}](t, ctx, `(() => {
		const e = document.getElementById('hint'), r = e.getBoundingClientRect(), s = getComputedStyle(e);
		return {text: e.innerText, visible: r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth &&
			s.display !== 'none' && s.visibility === 'visible' && s.opacity !== '0'};
	})()`)
	if !hint.Visible || !strings.Contains(hint.Text, "Choosing a rating does not send it yet") {
		t.Errorf("hint %+v, want the visible text %q", hint, "Choosing a rating does not send it yet")
	}
	browsertest.NoHorizontalScroll(t, ctx)
	// A narrow rating box can split its label mid-word ("Satisfie" / "d"),
	// which reads badly: each word must stay on one line.
	split := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('.scores label')].flatMap(label => {
		const split = [], texts = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
		for (let n; (n = texts.nextNode());) {
			for (const m of n.data.matchAll(/\S+/g)) {
				const r = document.createRange();
				r.setStart(n, m.index);
				r.setEnd(n, m.index + m[0].length);
				if (new Set([...r.getClientRects()].map(c => Math.round(c.top))).size > 1) split.push(m[0]);
			}
		}
		return split;
	})`)
	if len(split) > 0 {
		t.Errorf("rating labels split words across lines: %q", split)
	}
	browsertest.Screenshot(t, ctx, "survey-mobile.png")

	browsertest.Load(t, ctx, http.StatusOK, chromedp.Tap(chromedp.CSS(`button[type=submit]`)))
	if text := browsertest.BodyText(t, ctx); !strings.Contains(text, "You earned 50 points!") {
		t.Errorf("thank-you page says:\n%s\nwant %q", text, "You earned 50 points!")
	}
	browsertest.NoHorizontalScroll(t, ctx)
	browsertest.Screenshot(t, ctx, "thanks-mobile.png")
}

// A customer without a mouse answers: Tab reaches every control in order,
// the arrow keys choose the rating, and Enter on the button sends it.
func TestSurveyByKeyboard(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("keyboard")
	path := sentSurvey(t, f, f.APIKey, email)
	ctx := browsertest.NewTab(t)

	// Key events reach the page as in a focused window, whichever tab the
	// headless browser thinks is in front.
	focus := func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}
	browsertest.Do(t, ctx, chromedp.Func(focus), chromedp.EmulateViewport(1280, 900))
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+path))

	const comment = "The mug keeps coffee warm" // 25 characters: earns the comment bonus
	steps := []struct {
		name, keys, want string
	}{
		{"Tab to the rating", kb.Tab, "input[name=score][value=1]"},
		{"ArrowRight to rating 2", kb.ArrowRight, "input[name=score][value=2]"},
		{"Tab to the recommendation", kb.Tab, "input[name=nps][value=0]"},
		{"Tab to the comment", kb.Tab, "textarea#comment[name=comment]"},
		{"type the comment", comment, "textarea#comment[name=comment]"},
		{"Tab to the contact checkbox", kb.Tab, "input#contact_me[name=contact_me]"},
		{"Space ticks it", " ", "input#contact_me[name=contact_me]"},
		{"Tab to the button", kb.Tab, "button"},
	}
	for _, s := range steps {
		browsertest.Do(t, ctx, chromedp.KeyEvent(s.keys))
		desc, visible := browsertest.Focused(t, ctx)
		if desc != s.want {
			t.Fatalf("after %s, focus is on %s, want %s", s.name, desc, s.want)
		}
		if !visible {
			t.Errorf("after %s, %s does not match :focus-visible (no focus indicator)", s.name, desc)
		}
	}
	form := browsertest.Eval[struct {
		Score   []string
		NPS     []string
		Comment string
		Contact bool
	}](t, ctx, `({
		score: [...document.querySelectorAll('input[name=score]:checked')].map(e => e.value),
		nps: [...document.querySelectorAll('input[name=nps]:checked')].map(e => e.value),
		comment: document.getElementById('comment').value,
		contact: document.getElementById('contact_me').checked,
	})`)
	if len(form.Score) != 1 || form.Score[0] != "2" || len(form.NPS) != 0 || form.Comment != comment || !form.Contact {
		t.Fatalf("form before sending %+v, want score 2, no recommendation, the comment and contact ticked", form)
	}

	browsertest.Load(t, ctx, http.StatusOK, chromedp.KeyEvent(kb.Enter))
	text := browsertest.BodyText(t, ctx)
	for _, want := range []string{"You earned 75 points!", "We will get in touch with you soon."} {
		if !strings.Contains(text, want) {
			t.Errorf("thank-you page lacks %q:\n%s", want, text)
		}
	}
	browsertest.Screenshot(t, ctx, "thanks-desktop.png")
	if got := balance(t, f, email); got != 75 {
		t.Errorf("balance %d, want 75", got)
	}
}

// The check finds what it is there to find, on a page made to fail it.
func TestAccessibilityCheckFails(t *testing.T) {
	ctx := browsertest.NewTab(t)
	const bad = `<!doctype html><html lang="en"><title>Bad</title><main><h1>Bad</h1>` +
		`<p style="color:#aaa;background:#fff">Pale text on white</p>` +
		`<input type="text" aria-describedby="nowhere"></main>`
	browsertest.Do(t, ctx, chromedp.Navigate("data:text/html,"+url.PathEscape(bad)))
	got := strings.Join(browsertest.AccessibilityProblems(t, ctx), "\n")
	for _, want := range []string{"color-contrast (serious)", "label (critical)", `aria-describedby="nowhere" names no element`} {
		if !strings.Contains(got, want) {
			t.Errorf("the check missed %q; it found:\n%s", want, got)
		}
	}
}

var unsubscribeLink = regexp.MustCompile(`<https://feedback\.test(/u/[^>]+)>`)

// Every page a customer can reach from an email passes axe-core, on a
// desktop and on a phone.
func TestAccessibility(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("axe")
	path := sentSurvey(t, f, f.APIKey, email)
	// A store that offers no comment bonus shows no bonus hint.
	noBonusKey := f.NewStore(t, func(s *closeloop.Settings) { s.PointsCommentBonus = 0 })
	noBonusEmail := apptest.Email("axe-nobonus")
	noBonusPath := sentSurvey(t, f, noBonusKey, noBonusEmail)
	ctx := browsertest.NewTab(t)

	type step = chromedp.Action[chromedp.Void]
	pages := []struct {
		name   string
		before []step // actions that load an earlier page
		open   step   // the action that loads the page
		status int64
		want   string
	}{
		{"survey", nil, chromedp.Navigate(f.Server.URL + path), http.StatusOK, "Send my feedback"},
		{"survey without comment bonus", nil, chromedp.Navigate(f.Server.URL + noBonusPath), http.StatusOK, "Send my feedback"},
		// form.submit() skips the browser's own check of the required
		// rating, as old browsers and scripts do: the server answers.
		{"survey with errors", []step{chromedp.Navigate(f.Server.URL + path)},
			chromedp.Evaluate[chromedp.Void](`document.querySelector('form').submit()`),
			http.StatusBadRequest, "Please choose a rating from 1 to 5."},
		{"thank-you", []step{chromedp.Navigate(f.Server.URL + path + "?score=5")},
			chromedp.Click(chromedp.CSS(`button[type=submit]`)), http.StatusOK, "You earned 50 points!"},
		{"closed", nil, chromedp.Navigate(f.Server.URL + "/s/no-such-token"), http.StatusNotFound, "This survey has closed"},
		{"unsubscribe", nil, chromedp.Navigate(f.Server.URL + unsubscribePath(t, f, email)), http.StatusOK, "Stop receiving feedback emails"},
		{"unsubscribed", []step{chromedp.Navigate(f.Server.URL + unsubscribePath(t, f, email))},
			chromedp.Click(chromedp.CSS(`button[type=submit]`)), http.StatusOK, "You are unsubscribed"},
	}
	desktop := chromedp.EmulateViewport(1280, 900)
	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2),
		chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			browsertest.Do(t, ctx, desktop)
			browsertest.Do(t, ctx, p.before...)
			browsertest.Load(t, ctx, p.status, p.open)
			if text := browsertest.BodyText(t, ctx); !strings.Contains(text, p.want) {
				t.Fatalf("%s page lacks %q:\n%s", p.name, p.want, text)
			}
			t.Run("desktop", func(t *testing.T) { browsertest.CheckAccessibility(t, ctx) })
			// The same page laid out again on a phone, not loaded again:
			// some pages come from a POST.
			browsertest.Do(t, ctx, phone)
			t.Run("phone", func(t *testing.T) {
				browsertest.NoHorizontalScroll(t, ctx)
				browsertest.CheckAccessibility(t, ctx)
			})
		})
	}
}

// unsubscribePath returns the path of the List-Unsubscribe link of the
// survey email to addr.
func unsubscribePath(t *testing.T, f *apptest.Fixture, addr string) string {
	t.Helper()
	emails := f.Inbox.To(t, addr)
	if len(emails) != 1 {
		t.Fatalf("%d emails to %s, want 1", len(emails), addr)
	}
	header := emails[0].Headers["List-Unsubscribe"]
	m := unsubscribeLink.FindStringSubmatch(header)
	if m == nil {
		t.Fatalf("List-Unsubscribe %q holds no https://feedback.test/u/ link", header)
	}
	return m[1]
}
