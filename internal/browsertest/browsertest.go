// Package browsertest drives Debian's Chromium (chromedp) for the tests of
// server-rendered pages: a tab in a headless browser kept off the
// network, page loads checked by status, axe-core's accessibility check,
// the no-sideways-scroll check and the focused element. Test code only.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/testenv"
)

// ChromiumPath is Debian's Chromium, which infra/stack.sh install puts
// there.
const ChromiumPath = "/usr/bin/chromium"

// Tab starts a headless Chromium of the test's own (a fresh profile,
// stopped when the test ends) and returns its tab, whose actions fail
// after timeout. Key events reach the page as in a focused window.
func Tab(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Fatalf("%s not found (run infra/stack.sh install, which installs Debian's chromium): %v", ChromiumPath, err)
	}
	// The flags keep it off the network: without them it reaches for
	// Google's hosts at every start.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.UserDataDir(t.TempDir()),
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
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	ctx, cancel := context.WithTimeout(browser, timeout)
	t.Cleanup(cancel)
	focus := func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}
	if err := chromedp.Do(ctx, chromedp.Func(focus)); err != nil {
		t.Fatalf("start %s: %v", ChromiumPath, err)
	}
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
// a key that submits a form…), and fails unless the page came with status.
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
		t.Fatalf("page %s answered %s, want %d", Eval[string](t, ctx, `location.pathname + location.search`), got, status)
	}
}

// Focused describes the focused element as tag#id[name=…][value=…] (the
// value of radios only) and says whether the browser shows it as focused
// (:focus-visible).
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

// NoHorizontalScroll fails when the page is wider than the layout
// viewport, naming the outermost elements that stick out.
func NoHorizontalScroll(t *testing.T, ctx context.Context) {
	t.Helper()
	w := Eval[struct {
		ScrollWidth, ClientWidth int
		Wide                     []string
	}](t, ctx, `(() => {
		const edge = document.documentElement.clientWidth;
		const past = e => e.getBoundingClientRect().right > edge + 0.5;
		const wide = [...document.body.querySelectorAll('*')].filter(e => past(e) && !past(e.parentElement))
			.map(e => e.outerHTML.split('>')[0].slice(0, 80) + '> ends at ' + Math.round(e.getBoundingClientRect().right) + ' px');
		return {scrollWidth: document.scrollingElement.scrollWidth, clientWidth: edge, wide};
	})()`)
	if w.ScrollWidth > w.ClientWidth {
		t.Errorf("page %s scrolls sideways: %d px wide in a %d px viewport; sticking out:\n    %s",
			Eval[string](t, ctx, `location.pathname`), w.ScrollWidth, w.ClientWidth, strings.Join(w.Wide, "\n    "))
	}
}

// axeRun is the check: WCAG 2.0, 2.1 and 2.2 at levels A and AA (color
// contrast among them) and axe's best practices; serious and critical
// findings fail, with ID references that name no element (axe only
// asks to review them; pages without script cannot add the element).
const axeRun = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
}).then(r => {
	const out = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => v.id + ' (' + v.impact + '): ' + v.help + v.nodes.map(n => '\n    ' + n.target.join(' ') + '  ' + n.html).join(''));
	const attrs = ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-errormessage', 'for'];
	for (const e of document.querySelectorAll(attrs.map(a => '[' + a + ']').join(','))) {
		for (const a of attrs) {
			for (const id of (e.getAttribute(a) || '').split(/\s+/).filter(Boolean)) {
				if (!document.getElementById(id)) out.push('dangling ID reference: ' + e.outerHTML.split('>')[0] + '>: ' + a + '="' + id + '"');
			}
		}
	}
	return out;
})`

// CheckAccessibility runs axe-core (infra/node_modules) on the tab's page
// and fails the test on each serious or critical finding.
func CheckAccessibility(t *testing.T, ctx context.Context) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "infra", "node_modules", "axe-core", "axe.min.js"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("axe-core missing: run infra/stack.sh install: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	Do(t, ctx, chromedp.Evaluate[chromedp.Void](string(src)))
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe: %v", err)
	}
	page := Eval[string](t, ctx, `location.pathname`)
	for _, p := range problems {
		t.Errorf("on %s: %s", page, p)
	}
}

// Screenshot saves a full-page PNG of the tab as .local/screenshots/name
// in the repository, for a person to look at.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(testenv.RepoRoot(t), ".local", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

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
