// Package browsertest drives Debian's Chromium for the real-browser tests
// of the customer pages and the dashboard: one headless browser per test
// binary with a tab per test, page loads checked for their status, the
// focused element for keyboard walks, a check that nothing scrolls
// sideways, and axe-core's accessibility checks
// (infra/node_modules/axe-core/axe.min.js, installed by infra/stack.sh
// install). Only tests import it.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/testenv"
)

// chromiumPath is Debian's Chromium, which infra/stack.sh install puts there.
const chromiumPath = "/usr/bin/chromium"

// The one browser of the test binary; each test opens its own tab in it.
var (
	startOnce   sync.Once
	browserCtx  context.Context
	stopBrowser = func() {}
	startErr    error
	profileDir  string
)

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

// NewTab opens a tab in the shared browser, closed when the test ends; its
// actions fail after 20 s. opts are chromedp's (WithNewBrowserContext: a
// cookie jar of the tab's own).
func NewTab(t *testing.T, opts ...chromedp.ContextOption) context.Context {
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

// Do runs the actions in order and fails the test at the first error.
func Do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// Eval evaluates a JavaScript expression in the page and decodes its value.
func Eval[T any](t *testing.T, ctx context.Context, expression string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expression, err)
	}
	return v
}

// Load runs the actions, which must make the tab load a page (a navigation,
// a click on a submit button…), and fails unless the page came with status.
func Load(t *testing.T, ctx context.Context, status int64, actions ...chromedp.Action[chromedp.Void]) {
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
		t.Fatalf("page %s answered %s, want %d", Eval[string](t, ctx, `location.pathname`), got, status)
	}
}

// BodyText is the text the page shows.
func BodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return Eval[string](t, ctx, `document.body.innerText`)
}

// Screenshot saves a full-page PNG of the tab to .local/screenshots/name.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	screenshotsDir := filepath.Join(testenv.RepoRoot(t), ".local", "screenshots")
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

// NoHorizontalScroll fails when the page is wider than the viewport, naming
// the outermost elements that stick out. On a phone, Chromium zooms a page
// that is too wide out until it fits, which widens innerWidth as well: the
// root's clientWidth (the layout viewport) is the width the page was given.
func NoHorizontalScroll(t *testing.T, ctx context.Context) {
	t.Helper()
	w := Eval[struct {
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
			Eval[string](t, ctx, `location.pathname`), w.ScrollWidth, w.InnerWidth, w.ClientWidth, strings.Join(w.Wide, "\n    "))
	}
}

// Focused describes the focused element, as tag#id[name=…][value=…] (the
// value of radios only), and whether the browser shows it as focused.
func Focused(t *testing.T, ctx context.Context) (desc string, visible bool) {
	t.Helper()
	got := Eval[struct {
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

// AccessibilityProblems injects axe-core into the tab's page and runs it,
// with the ID reference check. It returns the serious and critical
// violations and the dangling references, and logs the rest of axe's
// findings and what it could not decide.
func AccessibilityProblems(t *testing.T, ctx context.Context) []string {
	t.Helper()
	axeOnce.Do(func() {
		var src []byte
		axePath := filepath.Join(testenv.RepoRoot(t), "infra", "node_modules", "axe-core", "axe.min.js")
		src, axeErr = os.ReadFile(axePath)
		if errors.Is(axeErr, fs.ErrNotExist) {
			axeErr = fmt.Errorf("%s missing: run infra/stack.sh install: %w", axePath, axeErr)
		}
		axeSource = string(src)
	})
	if axeErr != nil {
		t.Fatal(axeErr)
	}
	Do(t, ctx, chromedp.Evaluate[chromedp.Void](axeSource))
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
	for _, ref := range Eval[[]string](t, ctx, idRefs) {
		problems = append(problems, "dangling ID reference: "+ref)
	}
	return problems
}

// CheckAccessibility fails the test on every accessibility problem of the
// tab's page.
func CheckAccessibility(t *testing.T, ctx context.Context) {
	t.Helper()
	page := Eval[string](t, ctx, `location.pathname`)
	for _, p := range AccessibilityProblems(t, ctx) {
		t.Errorf("on %s: %s", page, p)
	}
}

// Stop ends the test binary's browser and removes its profile; a test
// package's TestMain calls it after m.Run.
func Stop() {
	stopBrowser()
	if profileDir != "" {
		_ = os.RemoveAll(profileDir)
	}
}

// EmulateFocus makes key events reach the tab's page as in a focused
// window, whichever tab the headless browser thinks is in front: run it
// before a keyboard walk.
var EmulateFocus = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
	return err
})

// ColorScheme makes the tab's pages see prefers-color-scheme as scheme
// ("dark" or "light").
func ColorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}
