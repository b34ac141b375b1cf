package dashboard

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/signin"
)

// Signing in: the email form, the emailed link's page and its button,
// the store choice and signing out. The link's GET only shows a button:
// mail scanners open links, and only the button's POST uses it up.

// checkSite refuses a sign-in form sent from another site, where the
// browser says so (Fetch Metadata): these forms have no session and so no
// CSRF token yet.
func checkSite(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
		return nil
	}
	return closeloop.Errorf(closeloop.EFORBIDDEN, "this form was sent from another site")
}

// loginView is the sign-in form's data.
type loginView struct {
	Email   string
	Next    string
	Problem string // why the address was refused, or the rate limit
}

func (d *Dashboard) getLogin(w http.ResponseWriter, r *http.Request) {
	t := Lang(r)
	d.write(w, r, http.StatusOK, "login", Page{T: t, Title: t.Get("app.login.title"), Data: loginView{Next: closeloop.SafeNext(r.URL.Query().Get("next"))}})
}

func (d *Dashboard) postLogin(w http.ResponseWriter, r *http.Request) {
	if err := checkSite(r); err != nil {
		d.fail(w, r, nil, err)
		return
	}
	t := Lang(r)
	view := loginView{Email: r.PostFormValue("email"), Next: closeloop.SafeNext(r.PostFormValue("next"))}
	err := d.SignIn.RequestLink(r.Context(), signin.Request{
		Email: view.Email, Client: closeloop.SignInClient(r.RemoteAddr), Lang: t.Lang, Next: view.Next,
		Origin: "https://" + r.Host,
	})
	switch closeloop.ErrorCode(err) {
	case "":
		// The same answer whether or not the address may sign in.
		d.write(w, r, http.StatusOK, "login_sent", Page{T: t, Title: t.Get("app.login.sent.title"), Data: view})
		return
	case closeloop.EINVALID:
		view.Problem = t.Get("app.login.invalid")
		d.write(w, r, http.StatusBadRequest, "login", Page{T: t, Title: t.Get("app.login.title"), Data: view})
		return
	case closeloop.ERATELIMITED:
		view.Problem = t.Get("app.login.limited", int(closeloop.SignInPerAddress.Window.Minutes()))
		w.Header().Set("Retry-After", strconv.Itoa(int(closeloop.SignInPerAddress.Window.Seconds())))
		d.write(w, r, http.StatusTooManyRequests, "login", Page{T: t, Title: t.Get("app.login.title"), Data: view})
		return
	}
	d.fail(w, r, nil, err)
}

// linkView is the data of the link's page.
type linkView struct {
	Action string
}

func (d *Dashboard) getLoginLink(w http.ResponseWriter, r *http.Request) {
	t := Lang(r)
	d.write(w, r, http.StatusOK, "login_link", Page{T: t, Title: t.Get("app.login.link.title"),
		Data: linkView{Action: "/app/login/" + url.PathEscape(r.PathValue("token"))}})
}

func (d *Dashboard) postLoginLink(w http.ResponseWriter, r *http.Request) {
	if err := checkSite(r); err != nil {
		d.fail(w, r, nil, err)
		return
	}
	in, err := d.SignIn.UseLink(r.Context(), r.PathValue("token"))
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		t := Lang(r)
		d.write(w, r, http.StatusGone, "login_used", Page{T: t, Title: t.Get("app.login.used.title")})
		return
	}
	if err != nil {
		d.fail(w, r, nil, err)
		return
	}
	// A session this browser held before (another person's, say) ends
	// rather than lingering until it expires.
	if old, err := r.Cookie(SessionCookie); err == nil {
		if err := d.SignIn.SignOut(r.Context(), old.Value); err != nil {
			slog.WarnContext(r.Context(), "dashboard: end the previous session", "err", err)
		}
	}
	setSession(w, in.Cookie)
	next := "/app/overview"
	switch {
	case in.Session.StoreID == "":
		next = "/app/stores"
	case in.Next != "":
		next = in.Next
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// storesView is the store choice's data.
type storesView struct {
	Choices []signin.Choice
	Current string // the session's store
	CSRF    string
}

func (d *Dashboard) getStores(w http.ResponseWriter, r *http.Request) {
	session, _, err := d.session(r)
	if closeloop.ErrorCode(err) == closeloop.EUNAUTHORIZED {
		http.Redirect(w, r, "/app/login?next=%2Fapp%2Fstores", http.StatusSeeOther)
		return
	}
	if err != nil {
		d.fail(w, r, nil, err)
		return
	}
	choices, err := d.SignIn.Choices(r.Context(), session)
	if err != nil {
		d.fail(w, r, nil, err)
		return
	}
	t := Lang(r)
	d.write(w, r, http.StatusOK, "stores", Page{T: t, Title: t.Get("app.stores.title"),
		Data: storesView{Choices: choices, Current: session.StoreID, CSRF: session.CSRF}})
}

func (d *Dashboard) postStores(w http.ResponseWriter, r *http.Request) {
	session, cookie, err := d.session(r)
	if err == nil {
		err = CheckForm(r, session.CSRF)
	}
	if err == nil {
		err = d.SignIn.Choose(r.Context(), cookie, session, r.PostFormValue("store"))
	}
	if err != nil {
		d.fail(w, r, nil, err)
		return
	}
	http.Redirect(w, r, "/app/overview", http.StatusSeeOther)
}

func (d *Dashboard) postLogout(w http.ResponseWriter, r *http.Request) {
	session, cookie, err := d.session(r)
	switch {
	case closeloop.ErrorCode(err) == closeloop.EUNAUTHORIZED:
		// Signed out already: the cookie goes too.
	case err != nil:
		d.fail(w, r, nil, err)
		return
	default:
		if err := CheckForm(r, session.CSRF); err != nil {
			d.fail(w, r, nil, err)
			return
		}
		if err := d.SignIn.SignOut(r.Context(), cookie); err != nil {
			d.fail(w, r, nil, err)
			return
		}
	}
	clearSession(w)
	http.Redirect(w, r, "/app/login", http.StatusSeeOther)
}
