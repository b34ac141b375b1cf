package browser_test

import (
	"context"
	"github.com/closeloop/closeloop/internal/browsertest"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

// splitWords lists the words inside the elements matching selector that
// the layout breaks across lines, and those that stick out of their
// element (a word too long for its box): both read badly.
func splitWords(t *testing.T, ctx context.Context, selector string) []string {
	t.Helper()
	return browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll(`+strconv.Quote(selector)+`)].flatMap(box => {
		const split = [], texts = document.createTreeWalker(box, NodeFilter.SHOW_TEXT), edge = box.getBoundingClientRect();
		for (let n; (n = texts.nextNode());) {
			for (const m of n.data.matchAll(/\S+/g)) {
				const r = document.createRange();
				r.setStart(n, m.index);
				r.setEnd(n, m.index + m[0].length);
				const rects = [...r.getClientRects()];
				if (new Set(rects.map(c => Math.round(c.top))).size > 1) split.push(m[0]);
				else if (rects.some(c => c.left < edge.left - 0.5 || c.right > edge.right + 0.5)) split.push(m[0] + " (sticks out)");
			}
		}
		return split;
	})`)
}

// acceptLanguage makes the tab send header as its Accept-Language.
func acceptLanguage(header string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": header}})
		return err
	})
}

// Every language's survey, thank-you and closed pages, on a desktop, a
// narrow window (five ratings side by side at their narrowest) and a
// phone: marked with the language, nothing scrolls sideways, no rating's
// words are broken, and axe-core finds nothing.
func TestCustomerPagesInEveryLanguage(t *testing.T) {
	f := apptest.New(t)
	viewports := map[string]chromedp.Action[chromedp.Void]{
		"desktop": chromedp.EmulateViewport(1280, 900),
		"narrow":  chromedp.EmulateViewport(520, 900),
		"phone": chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2),
			chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch),
	}
	check := func(t *testing.T, ctx context.Context, lang, want string) {
		t.Helper()
		if got := browsertest.Eval[string](t, ctx, `document.documentElement.lang`); got != lang {
			t.Errorf("page is marked lang=%q, want %q", got, lang)
		}
		if text := browsertest.BodyText(t, ctx); !strings.Contains(text, want) {
			t.Errorf("page lacks %q:\n%s", want, text)
		}
		for name, viewport := range viewports {
			t.Run(name, func(t *testing.T) {
				browsertest.Do(t, ctx, viewport)
				browsertest.NoHorizontalScroll(t, ctx)
				if split := splitWords(t, ctx, ".scores label"); len(split) > 0 {
					t.Errorf("rating labels break words: %q", split)
				}
				browsertest.CheckAccessibility(t, ctx)
			})
		}
	}
	for _, lang := range closeloop.SpokenLanguages {
		text := i18n.For(lang)
		t.Run(lang, func(t *testing.T) {
			ctx := browsertest.NewTab(t) // a tab's time is short: one for each language
			email := apptest.Email("lang")
			order := strings.Replace(apptest.Order("lang-"+lang, email), `"locale":"en-GB"`, `"locale":"`+lang+`"`, 1)
			if r := f.Do(t, "POST", "/v1/orders", f.APIKey, "application/json", order); r.Status != http.StatusAccepted {
				t.Fatalf("post order: %d %s", r.Status, r.Body)
			}
			f.Dispatch(t)
			path := f.SurveyPath(t, email)

			browsertest.Do(t, ctx, viewports["desktop"])
			browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+path+"?score=2"))
			t.Run("survey", func(t *testing.T) { check(t, ctx, lang, text.Get("page.submit")) })
			browsertest.Load(t, ctx, http.StatusOK, chromedp.Click(chromedp.CSS(`button[type=submit]`)))
			t.Run("thanks", func(t *testing.T) { check(t, ctx, lang, text.Get("thanks.title")) })

			// The closed page knows no store: the browser's languages choose.
			browsertest.Do(t, ctx, acceptLanguage("pt-BR,pt;q=0.9,"+lang+";q=0.8"))
			browsertest.Load(t, ctx, http.StatusNotFound, chromedp.Navigate(f.Server.URL+"/s/no-such-token"))
			t.Run("closed", func(t *testing.T) { check(t, ctx, lang, text.Get("closed.title")) })
		})
	}
}
