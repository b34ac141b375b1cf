package dashboard_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/closeloop/closeloop/internal/browsertest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

// The owners' pages pass axe-core on a desktop and on a 360 px phone (in
// the light and the dark palette), where nothing scrolls sideways: the settings (as read and with errors),
// the keys and a created key.
func TestOwnerPagesInABrowser(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	if r := s.f.API(t, "PUT", "/v1/settings", `{"slack_webhook_url":"https://hooks.slack.test/services/T0/B0/x"}`); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	ctx := browsertest.NewTab(t)
	type step = chromedp.Action[chromedp.Void]
	pages := []struct {
		name   string
		before []step
		open   step
		status int64
		want   string
	}{
		{"settings", nil, chromedp.Navigate(s.f.Server.URL + "/app/settings"), http.StatusOK, "Save settings"},
		{"settings with errors", []step{chromedp.Navigate(s.f.Server.URL + "/app/settings"),
			chromedp.SetValue(chromedp.CSS(`#f-time_zone`), "Mars/Olympus_Mons"),
			chromedp.SetValue(chromedp.CSS(`#f-reply_to`), "care@@shop")},
			chromedp.Submit(chromedp.CSS(`form.settings`)), http.StatusBadRequest, "must be an IANA time zone"},
		{"keys", nil, chromedp.Navigate(s.f.Server.URL + "/app/keys"), http.StatusOK, "first owner key"},
		{"key created", []step{chromedp.Navigate(s.f.Server.URL + "/app/keys"),
			chromedp.SetValue(chromedp.CSS(`#key-name`), "Warehouse system with a rather long name for a phone")},
			chromedp.Submit(chromedp.CSS(`form.new-key`)), http.StatusCreated, "shown only this once"},
	}
	sizes := []struct {
		name string
		size step
	}{
		{"desktop", chromedp.EmulateViewport(1280, 900)},
		{"phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)},
		// Colour contrast in the dark palette too.
		{"phone-dark", browsertest.ColorScheme("dark")},
	}
	for _, size := range sizes {
		browsertest.Do(t, ctx, size.size)
		for _, p := range pages {
			t.Run(size.name+"/"+p.name, func(t *testing.T) {
				browsertest.Do(t, ctx, p.before...)
				browsertest.Load(t, ctx, p.status, p.open)
				if text := browsertest.Eval[string](t, ctx, `document.body.innerText`); !strings.Contains(text, p.want) {
					t.Fatalf("page lacks %q:\n%s", p.want, text)
				}
				browsertest.CheckAccessibility(t, ctx)
				browsertest.NoHorizontalScroll(t, ctx)
				browsertest.Screenshot(t, ctx, "owner-"+strings.ReplaceAll(p.name, " ", "-")+"-"+size.name+".png")
			})
		}
	}
}

// An owner without a mouse changes a setting: Tab reaches the field with
// a visible focus, typing replaces its value, Tab reaches the button and
// Enter saves; the page says so and the API shows the change.
func TestSettingsSavedByKeyboard(t *testing.T) {
	s := newOwnerSite(t, closeloop.RoleOwner)
	ctx := browsertest.NewTab(t)
	browsertest.Do(t, ctx, browsertest.EmulateFocus, chromedp.EmulateViewport(1280, 900))
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(s.f.Server.URL+"/app/settings"))

	tabTo := func(want string) {
		t.Helper()
		for range 80 {
			browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Tab))
			desc, visible := browsertest.Focused(t, ctx)
			if !visible {
				t.Errorf("%s has focus without a focus indicator", desc)
			}
			if desc == want {
				return
			}
		}
		t.Fatalf("Tab never reached %s", want)
	}
	tabTo("input#f-time_zone[name=time_zone]")
	browsertest.Do(t, ctx, chromedp.KeyEvent("Europe/Berlin"))
	if got := browsertest.Eval[string](t, ctx, `document.activeElement.value`); got != "Europe/Berlin" {
		t.Fatalf("the time zone field holds %q after typing, want Europe/Berlin", got)
	}
	tabTo("button")
	browsertest.Load(t, ctx, http.StatusOK, chromedp.KeyEvent(kb.Enter))
	if text := browsertest.Eval[string](t, ctx, `document.body.innerText`); !strings.Contains(text, "Settings saved") {
		t.Fatalf("after saving, the page says:\n%s", text)
	}
	if got := s.apiSettings(t); !strings.Contains(got, `"time_zone":"Europe/Berlin"`) {
		t.Fatalf("settings after the keyboard save: %s", got)
	}
}
