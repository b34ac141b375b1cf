package dashboard_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/closeloop/closeloop/internal/browsertest"
)

// The overview and the products pass axe-core in light and dark mode, on a
// desktop and on a 360 px phone, without scrolling sideways.
func TestNumbersPagesInTheBrowser(t *testing.T) {
	n := newNumbers(t)
	desktop := chromedp.EmulateViewport(1280, 900)
	phone := chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2),
		chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
	pages := []struct {
		name, path string
		status     int64
		want       string
	}{
		{"overview", "/app/overview", http.StatusOK, "CSAT per day"},
		{"overview-product", "/app/overview?sku=MUG-1&days=90", http.StatusOK, "Overview of product MUG-1"},
		{"overview-bad-range", "/app/overview?from=2026-02-30", http.StatusBadRequest, "Check the dates"},
		{"products", "/app/products", http.StatusOK, "Products, worst CSAT first"},
	}
	for _, p := range pages {
		for _, scheme := range []string{"light", "dark"} {
			t.Run(p.name+"/"+scheme, func(t *testing.T) {
				ctx := browsertest.NewTab(t) // a tab's actions must end within 20 s
				browsertest.Do(t, ctx, browsertest.ColorScheme(scheme), desktop)
				browsertest.Load(t, ctx, p.status, chromedp.Navigate(n.Dash.URL+p.path))
				if dark := browsertest.Eval[bool](t, ctx, `matchMedia('(prefers-color-scheme: dark)').matches`); dark != (scheme == "dark") {
					t.Fatalf("the page sees dark %v, want %v", dark, scheme == "dark")
				}
				if text := browsertest.BodyText(t, ctx); !strings.Contains(text, p.want) {
					t.Fatalf("%s lacks %q:\n%s", p.path, p.want, text)
				}
				// Open the charts' tables, so axe checks them too.
				browsertest.Do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
				t.Run("desktop", func(t *testing.T) { browsertest.CheckAccessibility(t, ctx) })
				browsertest.Screenshot(t, ctx, "dashboard-"+p.name+"-"+scheme+"-desktop.png")
				browsertest.Do(t, ctx, phone)
				t.Run("phone", func(t *testing.T) {
					browsertest.NoHorizontalScroll(t, ctx)
					browsertest.CheckAccessibility(t, ctx)
				})
				browsertest.Screenshot(t, ctx, "dashboard-"+p.name+"-"+scheme+"-phone.png")
			})
		}
	}
}

// The browser shows the numbers of GET /v1/summary, and on a phone the
// charts keep their strokes and labels within the drawing, apart, in
// English and in Russian, whose month names are longer.
func TestOverviewInTheBrowserMatchesTheAPI(t *testing.T) {
	n := newNumbers(t)
	ctx := browsertest.NewTab(t)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(n.Dash.URL+"/app/overview"))
	got := browsertest.Eval[map[string]string](t, ctx,
		`Object.fromEntries([...document.querySelectorAll('[data-metric]')].map(e => [e.dataset.metric, e.textContent]))`)
	from, to, _, _ := shownRange(t, browsertest.BodyText(t, ctx))
	want := n.summaryJSON(t, "/v1/summary?from="+from+"&to="+to)
	if len(got) != len(everyMetric) {
		t.Errorf("the page shows %d numbers, want %d: %v", len(got), len(everyMetric), got)
	}
	for _, key := range everyMetric {
		if w := shown(key, want[key]); got[key] != w {
			t.Errorf("%s: the browser shows %q, GET /v1/summary %v (%q)", key, got[key], want[key], w)
		}
	}
	checkCharts(t, ctx)
	russian := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "ru"}})
		return err
	})
	browsertest.Do(t, ctx, russian)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(n.Dash.URL+"/app/overview?days=90"))
	if lang := browsertest.Eval[string](t, ctx, `document.documentElement.lang`); lang != "ru" {
		t.Fatalf("the page came in %q, want ru", lang)
	}
	checkCharts(t, ctx)
	browsertest.NoHorizontalScroll(t, ctx)
}

// checkCharts fails when a chart of the page is not about the width of a
// phone, draws outside its box, or overlaps two labels.
func checkCharts(t *testing.T, ctx context.Context) {
	t.Helper()
	charts := browsertest.Eval[[]struct {
		Width, Height float64
		Outside       []string
	}](t, ctx, `[...document.querySelectorAll('svg.chart')].map(svg => {
		const box = svg.getBoundingClientRect();
		const outside = [...svg.querySelectorAll('text, path, circle, line')].filter(e => {
			const r = e.getBoundingClientRect();
			return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
		}).map(e => e.outerHTML.slice(0, 80));
		const ticks = [...svg.querySelectorAll('text.tick')].map(e => [e, e.getBoundingClientRect()]);
		for (const [a, ra] of ticks) for (const [b, rb] of ticks) {
			if (a !== b && ra.left < rb.right && rb.left < ra.right && ra.top < rb.bottom && rb.top < ra.bottom) outside.push('overlap: ' + a.textContent + ' / ' + b.textContent);
		}
		return {width: box.width, height: box.height, outside};
	})`)
	if len(charts) != 2 {
		t.Fatalf("%d charts, want 2", len(charts))
	}
	for i, c := range charts {
		if c.Width < 280 || c.Width > 360 || c.Height < 150 {
			t.Errorf("chart %d is %.0f×%.0f px on a 360 px phone", i, c.Width, c.Height)
		}
		if len(c.Outside) > 0 {
			t.Errorf("chart %d draws outside its box or overlaps its labels: %q", i, c.Outside)
		}
	}
}

// Without a mouse, Tab reaches a chart's "Show the data", Enter opens it,
// and the next Tab lands on its table, which then shows.
func TestChartTableByKeyboard(t *testing.T) {
	n := newNumbers(t)
	ctx := browsertest.NewTab(t)
	focus := func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}
	browsertest.Do(t, ctx, chromedp.Func(focus), chromedp.EmulateViewport(1280, 900))
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(n.Dash.URL+"/app/overview"))
	active := `(() => { const e = document.activeElement; return (e.closest('.chart-card') || {}).id + ' ' + e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''); })()`
	var path []string
	for range 40 {
		browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Tab))
		at := browsertest.Eval[string](t, ctx, active)
		path = append(path, at)
		if at == "csat-chart summary" {
			break
		}
	}
	if path[len(path)-1] != "csat-chart summary" {
		t.Fatalf("40 Tabs never reached the CSAT chart's \"Show the data\": %q", path)
	}
	if _, visible := browsertest.Focused(t, ctx); !visible {
		t.Errorf("\"Show the data\" has no visible focus")
	}
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Enter))
	if open := browsertest.Eval[bool](t, ctx, `document.querySelector('#csat-chart details').open`); !open {
		t.Fatal("Enter did not open the CSAT chart's data")
	}
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Tab))
	if at := browsertest.Eval[string](t, ctx, active); at != "csat-chart div.table-wrap" {
		t.Fatalf("after Enter and Tab, focus is on %q, want the CSAT chart's table", at)
	}
	rows := browsertest.Eval[int](t, ctx, `[...document.querySelectorAll('#csat-chart tbody tr')].filter(r => r.getBoundingClientRect().height > 0).length`)
	if rows != 30 {
		t.Errorf("the opened table shows %d rows, want 30 (one a day)", rows)
	}
	// The table scrolls with the arrow keys once focused.
	before := browsertest.Eval[float64](t, ctx, `document.querySelector('#csat-chart .table-wrap').scrollTop`)
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	// The browser scrolls smoothly: the position is read a moment later.
	after, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise(done => setTimeout(() => done(document.querySelector('#csat-chart .table-wrap').scrollTop), 500))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("ArrowDown did not scroll the focused table (scrollTop %v → %v)", before, after)
	}
}
