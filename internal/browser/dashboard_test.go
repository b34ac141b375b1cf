package browser_test

import (
	"context"
	"github.com/closeloop/closeloop/internal/browsertest"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

// newDashboardTab opens a tab with a cookie jar of its own: every test
// server is 127.0.0.1 and cookies ignore ports, so tabs sharing the
// browser's jar would share one session cookie.
func newDashboardTab(t *testing.T) context.Context {
	t.Helper()
	return browsertest.NewTab(t, chromedp.WithNewBrowserContext())
}

// signInDashboard signs email in to the dashboard of f in the tab, as a
// person does: the form at /app/login, the link from the SES inbox, the
// button on the link's page. It returns with the tab on the page the
// button led to (the overview, or the store choice for staff of several
// stores). Tests of the dashboard's pages start with it, in a tab from
// newDashboardTab.
func signInDashboard(t *testing.T, ctx context.Context, f *apptest.Fixture, email string) {
	t.Helper()
	signInDashboardAt(t, ctx, f, f.Server.URL, email)
}

// signInDashboardAt is signInDashboard with the server at base (another
// host name for it, such as http://localhost:port).
func signInDashboardAt(t *testing.T, ctx context.Context, f *apptest.Fixture, base, email string) {
	t.Helper()
	before := f.SignInEmails(t, email)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(base+"/app/login"))
	browsertest.Do(t, ctx, chromedp.SendKeys(chromedp.CSS(`#email`), email))
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Click(chromedp.CSS(`button[type=submit]`)))
	if text := browsertest.BodyText(t, ctx); !strings.Contains(text, "Check your email") {
		t.Fatalf("after asking for a link the page says:\n%s", text)
	}
	path := f.SignInPath(t, email, before+1)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(base+path))
	// The page the button leads to may not be built yet in every branch:
	// its status is the caller's to check.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	if p := browsertest.Eval[string](t, ctx, `location.pathname`); strings.HasPrefix(p, "/app/login") {
		t.Fatalf("still on %s after pressing sign in:\n%s", p, browsertest.BodyText(t, ctx))
	}
}

// sessionCookie returns the browser's session cookie for base, nil when
// it has none.
func sessionCookie(t *testing.T, ctx context.Context, base string) *network.Cookie {
	t.Helper()
	var cookies []*network.Cookie
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		res, err := cdp.Call(ctx, target, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/app/overview"}})
		cookies = res.Cookies
		return err
	}))
	for _, c := range cookies {
		if c.Name == apptest.SessionCookie {
			return c
		}
	}
	return nil
}

// staffFixture is a fixture whose store names one owner and one support
// address of the test's own.
func staffFixture(t *testing.T) (f *apptest.Fixture, owner, support string) {
	t.Helper()
	owner, support = apptest.Email("owner"), apptest.Email("support")
	return apptest.New(t, apptest.Staff([]string{owner}, []string{support})), owner, support
}

// The owner signs in, on 127.0.0.1 and on localhost (make dev's
// http://localhost:8080): Chromium keeps the Secure __Host- cookie over
// plain http there, and the dashboard's layout is drawn for the owner.
func TestDashboardSignIn(t *testing.T) {
	f, owner, _ := staffFixture(t)
	for _, base := range []string{f.Server.URL, strings.Replace(f.Server.URL, "127.0.0.1", "localhost", 1)} {
		t.Run(base, func(t *testing.T) {
			ctx := newDashboardTab(t)
			browsertest.Do(t, ctx, chromedp.EmulateViewport(1280, 900))
			signInDashboardAt(t, ctx, f, base, owner)
			if p := browsertest.Eval[string](t, ctx, `location.pathname`); p != "/app/overview" {
				t.Errorf("landed on %s, want /app/overview", p)
			}
			c := sessionCookie(t, ctx, base)
			if c == nil {
				t.Fatalf("the browser kept no %s cookie for %s", apptest.SessionCookie, base)
			}
			if !c.HTTPOnly || !c.Secure || c.SameSite != network.CookieSameSiteLax || c.Path != "/" {
				t.Errorf("cookie HttpOnly %v, Secure %v, SameSite %q, Path %q; want HttpOnly, Secure, Lax, /", c.HTTPOnly, c.Secure, c.SameSite, c.Path)
			}
			nav := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'))`)
			if !strings.Contains(strings.Join(nav, " "), "/app/settings") || !strings.Contains(browsertest.BodyText(t, ctx), owner) {
				t.Errorf("the owner's layout: nav %q, page:\n%s", nav, browsertest.BodyText(t, ctx))
			}
			if browsertest.Eval[bool](t, ctx, `document.cookie.includes('closeloop')`) {
				t.Error("script can read the session cookie")
			}
			// Signing out ends it: a page then leads to the login form.
			browsertest.Load(t, ctx, http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/app/logout"] button`)))
			if p := browsertest.Eval[string](t, ctx, `location.pathname`); p != "/app/login" {
				t.Errorf("after signing out on %s, want /app/login", p)
			}
			browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(base+"/app/overview"))
			if p := browsertest.Eval[string](t, ctx, `location.pathname`); p != "/app/login" {
				t.Errorf("the overview after signing out shows %s, want the login page", p)
			}
		})
	}
}

// A support person signs in and cannot open the settings: a 403 page,
// and no settings link in the navigation.
func TestDashboardSupportCannotOpenSettings(t *testing.T) {
	f, _, support := staffFixture(t)
	ctx := newDashboardTab(t)
	signInDashboard(t, ctx, f, support)
	nav := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'))`)
	if strings.Contains(strings.Join(nav, " "), "/app/settings") || len(nav) == 0 {
		t.Errorf("support's navigation %q, want it without settings", nav)
	}
	browsertest.Load(t, ctx, http.StatusForbidden, chromedp.Navigate(f.Server.URL+"/app/settings"))
	if text := browsertest.BodyText(t, ctx); !strings.Contains(text, "only the store's owners") {
		t.Errorf("the settings page for support says:\n%s", text)
	}
	browsertest.Load(t, ctx, http.StatusForbidden, chromedp.Navigate(f.Server.URL+"/app/keys"))
}

// Every sign-in page passes axe-core, on a desktop and on a 360 px phone
// without scrolling sideways.
func TestDashboardLoginAccessibility(t *testing.T) {
	f, owner, _ := staffFixture(t)
	// The owner supports a second store: the store choice shows.
	f.NewStore(t, apptest.Staff([]string{apptest.Email("boss")}, []string{owner}), func(s *closeloop.Settings) {
		s.Branding.Name = "Second Shop With A Rather Long Name For A Narrow Phone"
	})
	ctx := newDashboardTab(t)
	desktop := chromedp.EmulateViewport(1280, 900)
	phone := chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
	check := func(name, want string) {
		t.Run(name, func(t *testing.T) {
			if text := browsertest.BodyText(t, ctx); !strings.Contains(text, want) {
				t.Fatalf("%s lacks %q:\n%s", name, want, text)
			}
			browsertest.Do(t, ctx, desktop)
			t.Run("desktop", func(t *testing.T) { browsertest.CheckAccessibility(t, ctx) })
			browsertest.Do(t, ctx, phone)
			t.Run("phone", func(t *testing.T) {
				browsertest.NoHorizontalScroll(t, ctx)
				browsertest.CheckAccessibility(t, ctx)
			})
			browsertest.Screenshot(t, ctx, "dashboard-"+name+"-mobile.png")
		})
	}
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+"/app/login"))
	check("login", "Email me a sign-in link")
	// The server's own check of the address (novalidate: the browser's
	// own would not reach the server).
	browsertest.Do(t, ctx, chromedp.SendKeys(chromedp.CSS(`#email`), "not an address"))
	browsertest.Load(t, ctx, http.StatusBadRequest, chromedp.Click(chromedp.CSS(`button[type=submit]`)))
	check("login-error", "Enter an email address")
	browsertest.Do(t, ctx, chromedp.SetValue(chromedp.CSS(`#email`), owner))
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Click(chromedp.CSS(`button[type=submit]`)))
	check("login-sent", "Check your email")
	path := f.SignInPath(t, owner, 1)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+path))
	check("login-link", "Sign in to the dashboard")
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Click(chromedp.CSS(`button[type=submit]`)))
	check("stores", "Choose a store")
	browsertest.Load(t, ctx, http.StatusGone, chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.createElement('form'); f.method = 'post'; f.action = '`+path+`';
		document.body.append(f); f.submit();
	})()`))
	check("login-used", "This link cannot be used")
}

// Signing in by keyboard alone: Tab reaches the address field and the
// button, each visibly focused, and Enter sends; on the link's page Tab
// reaches the sign-in button and Enter presses it.
func TestDashboardSignInByKeyboard(t *testing.T) {
	f, owner, _ := staffFixture(t)
	ctx := newDashboardTab(t)
	focus := func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}
	browsertest.Do(t, ctx, chromedp.Func(focus), chromedp.EmulateViewport(1280, 900))
	tabTo := func(want string) {
		t.Helper()
		browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Tab))
		desc, visible := browsertest.Focused(t, ctx)
		if desc != want {
			t.Fatalf("focus is on %s, want %s", desc, want)
		}
		if !visible {
			t.Errorf("%s does not match :focus-visible (no focus indicator)", desc)
		}
	}
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+"/app/login"))
	tabTo("a") // the skip link
	tabTo("input#email[name=email]")
	browsertest.Do(t, ctx, chromedp.KeyEvent(owner))
	tabTo("button")
	browsertest.Load(t, ctx, http.StatusOK, chromedp.KeyEvent(kb.Enter))
	if text := browsertest.BodyText(t, ctx); !strings.Contains(text, "Check your email") {
		t.Fatalf("after Enter the page says:\n%s", text)
	}
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+f.SignInPath(t, owner, 1)))
	tabTo("a")
	tabTo("button")
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if p := browsertest.Eval[string](t, ctx, `location.pathname`); p != "/app/overview" {
		t.Errorf("after Enter on the sign-in button: %s, want /app/overview", p)
	}
	if sessionCookie(t, ctx, f.Server.URL) == nil {
		t.Error("no session cookie after signing in by keyboard")
	}
}
