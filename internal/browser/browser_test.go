package browser_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

// chromiumPath is Debian's Chromium, which infra/stack.sh install puts there.
const chromiumPath = "/usr/bin/chromium"

// Paths from this package's folder, where go test runs the tests.
var (
	axePath        = filepath.Join("..", "..", "infra", "node_modules", "axe-core", "axe.min.js")
	screenshotsDir = filepath.Join("..", "..", ".local", "screenshots")
)

// The one browser of the test binary; each test opens its own tab in it.
var (
	startOnce   sync.Once
	browserCtx  context.Context
	stopBrowser = func() {}
	startErr    error
	profileDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	if profileDir != "" {
		_ = os.RemoveAll(profileDir)
	}
	os.Exit(code)
}

// startBrowser starts Chromium headless with a fresh profile. The flags keep
// it off the network: without them it tries to reach Google's hosts at every
// start. The profile is made here rather than in a t.TempDir, which would be
// removed when the first test ends while the browser still runs.
func startBrowser() {
	if _, err := os.Stat(chromiumPath); err != nil {
		startErr = fmt.Errorf("%s not found (run infra/stack.sh install, which installs Debian's chromium): %w", chromiumPath, err)
		return
	}
	profileDir, startErr = os.MkdirTemp("", "closeloop-chromium-")
	if startErr != nil {
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(profileDir),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root, where the sandbox cannot start
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	stopBrowser = func() { cancelBrowser(); cancelAlloc() }
	// The first Do starts the browser and ties it to ctx, which has no
	// deadline: a test's timeout must not end the shared browser.
	if err := chromedp.Do(ctx); err != nil {
		startErr = fmt.Errorf("start %s: %w", chromiumPath, err)
		return
	}
	browserCtx = ctx
}

// newTab opens a tab in the shared browser, closed when the test ends; its
// actions fail after 20 s. opts are chromedp's (WithNewBrowserContext: a
// cookie jar of the tab's own).
func newTab(t *testing.T, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	startOnce.Do(startBrowser)
	if startErr != nil {
		t.Fatal(startErr)
	}
	tab, closeTab := chromedp.NewContext(browserCtx, opts...)
	t.Cleanup(closeTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// do runs the actions in order and fails the test at the first error.
func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, expression string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expression, err)
	}
	return v
}

// load runs the actions, which must make the tab load a page (a navigation,
// a click on a submit button…), and fails unless the page came with status.
func load(t *testing.T, ctx context.Context, status int64, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		t.Fatal(err)
	}
	if resp == nil || resp.Status != status {
		got := "no response"
		if resp != nil {
			got = fmt.Sprint(resp.Status)
		}
		t.Fatalf("page %s answered %s, want %d", eval[string](t, ctx, `location.pathname`), got, status)
	}
}

// bodyText is the text the page shows.
func bodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `document.body.innerText`)
}

// screenshot saves a full-page PNG of the tab to .local/screenshots/name.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(screenshotsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(screenshotsDir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		t.Logf("screenshot: %s", abs)
	}
}

// noHorizontalScroll fails when the page is wider than the viewport, naming
// the outermost elements that stick out. On a phone, Chromium zooms a page
// that is too wide out until it fits, which widens innerWidth as well: the
// root's clientWidth (the layout viewport) is the width the page was given.
func noHorizontalScroll(t *testing.T, ctx context.Context) {
	t.Helper()
	w := eval[struct {
		ScrollWidth, InnerWidth, ClientWidth int
		Wide                                 []string
	}](t, ctx, `(() => {
		const edge = document.documentElement.clientWidth;
		const past = e => e.getBoundingClientRect().right > edge + 0.5;
		const name = e => e.tagName.toLowerCase() + [...e.classList].map(c => '.' + c).join('');
		const wide = [...document.body.querySelectorAll('*')]
			.filter(e => past(e) && !past(e.parentElement))
			.map(e => name(e.parentElement) + ' > ' + name(e) + ':nth-child(' + ([...e.parentElement.children].indexOf(e) + 1) + ') "' +
				e.innerText.replace(/\s+/g, ' ').trim().slice(0, 40) + '" ends at ' + Math.round(e.getBoundingClientRect().right) + ' px');
		return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth, clientWidth: edge, wide};
	})()`)
	if w.ScrollWidth > w.InnerWidth || w.ScrollWidth > w.ClientWidth {
		t.Errorf("page %s scrolls sideways: scrollWidth %d, innerWidth %d, layout viewport %d px; sticking out:\n    %s",
			eval[string](t, ctx, `location.pathname`), w.ScrollWidth, w.InnerWidth, w.ClientWidth, strings.Join(w.Wide, "\n    "))
	}
}

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
	ctx := newTab(t)

	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2),
		chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+path+"?score=4"))

	if got := eval[[]string](t, ctx, `[...document.querySelectorAll('input[name=score]:checked')].map(e => e.value)`); len(got) != 1 || got[0] != "4" {
		t.Errorf("checked scores %q, want [4]", got)
	}
	hint := eval[struct {
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
	noHorizontalScroll(t, ctx)
	// A narrow rating box can split its label mid-word ("Satisfie" / "d"),
	// which reads badly: each word must stay on one line.
	split := eval[[]string](t, ctx, `[...document.querySelectorAll('.scores label')].flatMap(label => {
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
	screenshot(t, ctx, "survey-mobile.png")

	load(t, ctx, http.StatusOK, chromedp.Tap(chromedp.CSS(`button[type=submit]`)))
	if text := bodyText(t, ctx); !strings.Contains(text, "You earned 50 points!") {
		t.Errorf("thank-you page says:\n%s\nwant %q", text, "You earned 50 points!")
	}
	noHorizontalScroll(t, ctx)
	screenshot(t, ctx, "thanks-mobile.png")
}

// focused describes the focused element, as tag#id[name=…][value=…] (the
// value of radios only), and whether the browser shows it as focused.
func focused(t *testing.T, ctx context.Context) (desc string, visible bool) {
	t.Helper()
	got := eval[struct {
		Desc    string
		Visible bool
	}](t, ctx, `(() => {
		const e = document.activeElement;
		if (!e || e === document.body) return {desc: 'body', visible: false};
		let d = e.tagName.toLowerCase();
		if (e.id) d += '#' + e.id;
		if (e.name) d += '[name=' + e.name + ']';
		if (e.type === 'radio') d += '[value=' + e.value + ']';
		return {desc: d, visible: e.matches(':focus-visible')};
	})()`)
	return got.Desc, got.Visible
}

// A customer without a mouse answers: Tab reaches every control in order,
// the arrow keys choose the rating, and Enter on the button sends it.
func TestSurveyByKeyboard(t *testing.T) {
	f := apptest.New(t)
	email := apptest.Email("keyboard")
	path := sentSurvey(t, f, f.APIKey, email)
	ctx := newTab(t)

	// Key events reach the page as in a focused window, whichever tab the
	// headless browser thinks is in front.
	focus := func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}
	do(t, ctx, chromedp.Func(focus), chromedp.EmulateViewport(1280, 900))
	load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+path))

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
		do(t, ctx, chromedp.KeyEvent(s.keys))
		desc, visible := focused(t, ctx)
		if desc != s.want {
			t.Fatalf("after %s, focus is on %s, want %s", s.name, desc, s.want)
		}
		if !visible {
			t.Errorf("after %s, %s does not match :focus-visible (no focus indicator)", s.name, desc)
		}
	}
	form := eval[struct {
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

	load(t, ctx, http.StatusOK, chromedp.KeyEvent(kb.Enter))
	text := bodyText(t, ctx)
	for _, want := range []string{"You earned 75 points!", "We will get in touch with you soon."} {
		if !strings.Contains(text, want) {
			t.Errorf("thank-you page lacks %q:\n%s", want, text)
		}
	}
	screenshot(t, ctx, "thanks-desktop.png")
	if got := balance(t, f, email); got != 75 {
		t.Errorf("balance %d, want 75", got)
	}
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// violation is what the tests keep of an axe-core result.
type violation struct {
	ID     string
	Impact string
	Help   string
	Nodes  []struct {
		Target  string
		HTML    string
		Summary string
	}
}

func (v violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %s  %s", n.Target, n.HTML)
		for line := range strings.Lines(n.Summary) {
			fmt.Fprintf(&b, "\n      %s", strings.TrimRight(line, "\n"))
		}
	}
	return b.String()
}

// axeRun is the check: WCAG 2.0, 2.1 and 2.2 at levels A and AA (color
// contrast among them) and axe's best practices.
const axeRun = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
	resultTypes: ['violations', 'incomplete'],
}).then(r => {
	const keep = v => ({id: v.id, impact: v.impact || '', help: v.help,
		nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary || ''}))});
	return {violations: r.violations.map(keep), incomplete: r.incomplete.map(keep)};
})`

// idRefs lists the ID references (aria-describedby and the like, label
// for) that name no element of the page. axe-core only reports them as
// needing review, since a script could add the element later; these pages
// run no script, so a dangling reference is a template bug.
const idRefs = `(() => {
	const attrs = ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-owns', 'aria-errormessage', 'for'];
	const out = [];
	for (const e of document.querySelectorAll(attrs.map(a => '[' + a + ']').join(','))) {
		for (const a of attrs) {
			for (const id of (e.getAttribute(a) || '').split(/\s+/).filter(Boolean)) {
				if (!document.getElementById(id)) out.push(e.outerHTML.split('>')[0] + '>: ' + a + '="' + id + '" names no element');
			}
		}
	}
	return out;
})()`

// accessibilityProblems injects axe-core into the tab's page and runs it,
// with the ID reference check. It returns the serious and critical
// violations and the dangling references, and logs the rest of axe's
// findings and what it could not decide.
func accessibilityProblems(t *testing.T, ctx context.Context) []string {
	t.Helper()
	axeOnce.Do(func() {
		var src []byte
		src, axeErr = os.ReadFile(axePath)
		if errors.Is(axeErr, fs.ErrNotExist) {
			axeErr = fmt.Errorf("%s missing: run infra/stack.sh install: %w", axePath, axeErr)
		}
		axeSource = string(src)
	})
	if axeErr != nil {
		t.Fatal(axeErr)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](axeSource))
	res, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Violations []violation
		Incomplete []violation
	}](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe: %v", err)
	}
	var problems []string
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			problems = append(problems, v.String())
		} else {
			t.Logf("axe (not failing): %s", v)
		}
	}
	for _, v := range res.Incomplete {
		t.Logf("axe could not decide: %s", v)
	}
	for _, ref := range eval[[]string](t, ctx, idRefs) {
		problems = append(problems, "dangling ID reference: "+ref)
	}
	return problems
}

// checkAccessibility fails the test on every accessibility problem of the
// tab's page.
func checkAccessibility(t *testing.T, ctx context.Context) {
	t.Helper()
	page := eval[string](t, ctx, `location.pathname`)
	for _, p := range accessibilityProblems(t, ctx) {
		t.Errorf("on %s: %s", page, p)
	}
}

// The check finds what it is there to find, on a page made to fail it.
func TestAccessibilityCheckFails(t *testing.T) {
	ctx := newTab(t)
	const bad = `<!doctype html><html lang="en"><title>Bad</title><main><h1>Bad</h1>` +
		`<p style="color:#aaa;background:#fff">Pale text on white</p>` +
		`<input type="text" aria-describedby="nowhere"></main>`
	do(t, ctx, chromedp.Navigate("data:text/html,"+url.PathEscape(bad)))
	got := strings.Join(accessibilityProblems(t, ctx), "\n")
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
	ctx := newTab(t)

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
			do(t, ctx, desktop)
			do(t, ctx, p.before...)
			load(t, ctx, p.status, p.open)
			if text := bodyText(t, ctx); !strings.Contains(text, p.want) {
				t.Fatalf("%s page lacks %q:\n%s", p.name, p.want, text)
			}
			t.Run("desktop", func(t *testing.T) { checkAccessibility(t, ctx) })
			// The same page laid out again on a phone, not loaded again:
			// some pages come from a POST.
			do(t, ctx, phone)
			t.Run("phone", func(t *testing.T) {
				noHorizontalScroll(t, ctx)
				checkAccessibility(t, ctx)
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
