// Package dashboard serves the pages owners and support work in, under
// /app: sign-in by an emailed single-use link, the overview with its
// charts, products, responses, the follow-up queue and a case, and, for
// owners, settings and API keys. Pages are server-rendered with
// html/template and work without script; the numbers and moves come from
// the same services the store API uses (summary, followup), never from
// queries of its own.
package dashboard

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/i18n"
	"github.com/closeloop/closeloop/internal/settings"
	"github.com/closeloop/closeloop/internal/signin"
	"github.com/closeloop/closeloop/internal/summary"
	"github.com/closeloop/closeloop/internal/web"
	"github.com/closeloop/closeloop/templates"
)

// Stores reads a store.
type Stores interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
}

// Responses lists a store's survey responses, newest first: a page at a
// time for the list, every match for the CSV download.
type Responses interface {
	Responses(ctx context.Context, storeID string, f closeloop.ResponseFilter) ([]closeloop.ResponseItem, string, error)
	EachResponse(ctx context.Context, storeID string, f closeloop.ResponseFilter, each func(closeloop.ResponseItem) error) error
}

// Authenticator finds the signed-in person behind a request (their session
// cookie), for the store they chose. A request without a valid session
// answers an EUNAUTHORIZED error; one whose person has not chosen among
// several stores answers ErrChooseStore.
type Authenticator interface {
	Viewer(r *http.Request) (Viewer, error)
}

// ErrChooseStore is the Authenticator's answer for a person signed in to
// several stores who has not chosen one yet.
var ErrChooseStore = errors.New("dashboard: choose a store")

// Deps are what the dashboard works with. Each area of the dashboard adds
// the ports it needs at the end.
type Deps struct {
	Stores    Stores
	Responses Responses
	Followups *followup.Service // support's moves on cases, as the store API makes them
	Summaries *summary.Service  // the owners' numbers, as the store API reads them
	// Auth finds the signed-in person; sessions.go builds the production one.
	Auth Authenticator

	// Owners' pages (settings.go, keys.go): settings changed as the store
	// API changes them, the store's API keys, and the deployment's sender
	// address (a store without a sender of its own sends from it).
	Settings      *settings.Service
	Keys          Keys
	DefaultSender string
	// SignIn emails sign-in links and keeps the sessions (login.go).
	SignIn *signin.Service
}

// Dashboard is the /app pages with their dependencies.
type Dashboard struct {
	Deps
	now   func() time.Time
	pages map[string]func() (*htmltemplate.Template, error) // each parsed on first use
	css   []byte
}

// New returns the dashboard of the templates in templates/app, each page
// parsed when first drawn (Check parses them all); now is the clock
// (time.Now in production). Parsing every page here took most of the
// function's cold start beyond its AWS clients', though a start draws one.
func New(deps Deps, now func() time.Time) (*Dashboard, error) {
	d := &Dashboard{Deps: deps, now: now, pages: map[string]func() (*htmltemplate.Template, error){}}
	names, err := fs.Glob(templates.App, "app/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "app/"), ".html")
		if name == "layout" {
			continue
		}
		d.pages[name] = sync.OnceValues(func() (*htmltemplate.Template, error) {
			t, err := htmltemplate.New(name).Funcs(funcs).ParseFS(templates.App, "app/layout.html", file)
			if err != nil {
				return nil, fmt.Errorf("parse dashboard page %s: %w", name, err)
			}
			return t, nil
		})
	}
	// Each area keeps its styles in a file of its own; the browser gets
	// them as one stylesheet.
	sheets, err := fs.Glob(templates.App, "app/css/*.css")
	if err != nil {
		return nil, err
	}
	sort.Strings(sheets)
	for _, file := range sheets {
		b, err := fs.ReadFile(templates.App, file)
		if err != nil {
			return nil, err
		}
		d.css = append(append(d.css, b...), '\n')
	}
	return d, nil
}

// Check parses every page and the parts they draw, reporting the first
// that does not parse.
func (d *Dashboard) Check() error {
	for _, name := range slices.Sorted(maps.Keys(d.pages)) {
		if _, err := d.pages[name](); err != nil {
			return err
		}
	}
	if _, err := parts(); err != nil {
		return fmt.Errorf("parse dashboard parts: %w", err)
	}
	return nil
}

// Viewer is the signed-in person a page is drawn for, in the store they
// chose.
type Viewer struct {
	Email   string
	StoreID string
	Store   closeloop.Store
	Role    closeloop.Role // RoleOwner or RoleSupport, from the store's settings
	// Stores counts the stores the person may sign in to; above one the
	// pages offer to switch.
	Stores int
	// CSRF is the token every form of the session carries.
	CSRF string
}

// Owner reports whether the viewer may see settings and keys.
func (v Viewer) Owner() bool { return v.Role == closeloop.RoleOwner }

// handler is a page handler run for a signed-in viewer; errors it returns
// are shown as an error page.
type handler func(w http.ResponseWriter, r *http.Request, v Viewer) error

// Routes lists every route of the dashboard.
func (d *Dashboard) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /app/static/app.css", d.stylesheet)
	mux.HandleFunc("GET /app/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/app/overview", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /app", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/app/overview", http.StatusSeeOther)
	})

	// Signing in and out (login.go).
	mux.HandleFunc("GET /app/login", d.getLogin)
	mux.HandleFunc("POST /app/login", d.postLogin)
	mux.HandleFunc("GET /app/login/{token}", d.getLoginLink)
	mux.HandleFunc("POST /app/login/{token}", d.postLoginLink)
	mux.HandleFunc("GET /app/stores", d.getStores)
	mux.HandleFunc("POST /app/stores", d.postStores)
	// Signing out needs a session, not a store: a person who has not
	// chosen one yet may sign out too.
	mux.HandleFunc("POST /app/logout", d.postLogout)

	// The numbers (overview.go, products.go).
	mux.Handle("GET /app/overview", d.page(closeloop.RoleSupport, d.overview))
	mux.Handle("GET /app/products", d.page(closeloop.RoleSupport, d.products))

	// Responses and the follow-up queue (responses.go, followups.go).
	mux.Handle("GET /app/responses", d.page(closeloop.RoleSupport, d.responses))
	mux.Handle("GET /app/responses.csv", d.page(closeloop.RoleSupport, d.responsesCSV))
	mux.Handle("GET /app/followups", d.page(closeloop.RoleSupport, d.followups))
	mux.Handle("GET /app/followups/{case_id}", d.page(closeloop.RoleSupport, d.followup))
	mux.Handle("POST /app/followups/{case_id}/{action}", d.page(closeloop.RoleSupport, d.followupAction))

	// Owners only (settings.go, keys.go).
	mux.Handle("GET /app/settings", d.page(closeloop.RoleOwner, d.settings))
	mux.Handle("POST /app/settings", d.page(closeloop.RoleOwner, d.postSettings))
	mux.Handle("GET /app/keys", d.page(closeloop.RoleOwner, d.keys))
	mux.Handle("POST /app/keys", d.page(closeloop.RoleOwner, d.postKey))
	mux.Handle("POST /app/keys/{key_id}/revoke", d.page(closeloop.RoleOwner, d.revokeKey))

	mux.HandleFunc("/app/", func(w http.ResponseWriter, r *http.Request) {
		d.fail(w, r, nil, closeloop.Errorf(closeloop.ENOTFOUND, "no such page"))
	})
	return web.Log(Headers(mux))
}

// page runs h for the signed-in viewer when their role allows need: a
// visitor without a session goes to the login page, one with several
// stores to the store choice. Every POST must carry the session's CSRF
// token and must not come from another site.
func (d *Dashboard) page(need closeloop.Role, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := d.Auth.Viewer(r)
		switch {
		case errors.Is(err, ErrChooseStore):
			http.Redirect(w, r, "/app/stores", http.StatusSeeOther)
			return
		case closeloop.ErrorCode(err) == closeloop.EUNAUTHORIZED && r.Method == http.MethodGet:
			http.Redirect(w, r, "/app/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case err != nil:
			d.fail(w, r, nil, err)
			return
		}
		if r.Method == http.MethodPost {
			if err := CheckForm(r, v.CSRF); err != nil {
				d.fail(w, r, &v, err)
				return
			}
		}
		if !v.Role.Allows(need) {
			d.fail(w, r, &v, closeloop.Errorf(closeloop.EFORBIDDEN, "only the store's owners can open this page"))
			return
		}
		if err := h(w, r, v); err != nil {
			d.fail(w, r, &v, err)
		}
	})
}

// maxForm bounds a dashboard form's body; the largest is the settings form.
const maxForm = 64 << 10

// CheckForm refuses a POST sent from another site (Fetch Metadata, where
// the browser sends it) or without the session's CSRF token in its form
// field "csrf".
func CheckForm(r *http.Request, want string) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return closeloop.Errorf(closeloop.EFORBIDDEN, "this form was sent from another site")
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
	}
	got := r.PostFormValue("csrf")
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return closeloop.Errorf(closeloop.EFORBIDDEN, "this form has expired: open the page again and resend it")
	}
	return nil
}

func (d *Dashboard) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	// The stylesheet holds nothing personal; pages still are never cached.
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(d.css)
}

// Headers sets the dashboard's security headers: those of the survey
// pages, a CSP that allows no script at all and styles only from the
// dashboard's own stylesheet, and no caching of any page.
func Headers(next http.Handler) http.Handler {
	return web.PageHeadersWith("default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", next)
}

// Page is what the layout draws around every page's content.
type Page struct {
	T     i18n.Text
	V     *Viewer // nil on the sign-in pages
	Title string
	Nav   string // the current section: overview, products, responses, followups, settings, keys
	// Flash is a one-line confirmation shown above the content.
	Flash string
	Data  any
}

// write renders page name (templates/app/<name>.html inside layout.html).
func (d *Dashboard) write(w http.ResponseWriter, r *http.Request, status int, name string, p Page) {
	parse, ok := d.pages[name]
	if !ok {
		slog.ErrorContext(r.Context(), "dashboard: no such template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	t, err := parse()
	if err != nil {
		slog.ErrorContext(r.Context(), "dashboard: parse", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if p.T.Lang == "" {
		p.T = Lang(r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		slog.ErrorContext(r.Context(), "dashboard: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail shows err as an error page with its status; internal errors are
// logged and shown without their text.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, v *Viewer, err error) {
	status := web.Status(err)
	msg := ""
	var e *closeloop.Error
	if errors.As(err, &e) {
		msg = e.Message
	}
	if status >= 500 {
		slog.ErrorContext(r.Context(), "dashboard", "route", r.Pattern, "err", err)
		msg = ""
	}
	t := Lang(r)
	d.write(w, r, status, "error", Page{T: t, V: v, Title: t.Get("app.error.title"), Data: errorView{Status: status, Message: msg}})
}

type errorView struct {
	Status  int
	Message string
}

// Lang is the dashboard's language for a request: the browser's first
// choice among English and Russian, else English.
func Lang(r *http.Request) i18n.Text {
	if lang := closeloop.AcceptedLanguage(r.Header.Get("Accept-Language"), "en", "ru"); lang != "" {
		return i18n.For(lang)
	}
	return i18n.For("en")
}
