package dashboard

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/signin"
)

// SessionCookie names the session cookie. The __Host- prefix makes the
// browser take it only when Secure, for the whole site (Path=/) and
// without a Domain, so no other host can set or read it. Chromium treats
// http://localhost and http://127.0.0.1 as secure, so make dev signs in
// over plain http too.
const SessionCookie = "__Host-closeloop-session"

// SessionAuth is the production Authenticator: the session of the
// request's cookie, in the store it chose, with the role the store's
// current settings give its person.
func SessionAuth(s *signin.Service) Authenticator { return sessionAuth{s} }

type sessionAuth struct{ signIn *signin.Service }

// Viewer reads the session (one consistent read, and a write every
// closeloop.SessionRefresh) and the chosen store (one read).
func (a sessionAuth) Viewer(r *http.Request) (Viewer, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return Viewer{}, closeloop.Errorf(closeloop.EUNAUTHORIZED, "not signed in")
	}
	session, err := a.signIn.Session(r.Context(), c.Value)
	if err != nil {
		return Viewer{}, err
	}
	store, role, err := a.signIn.Store(r.Context(), session)
	if errors.Is(err, signin.ErrChooseStore) {
		return Viewer{}, ErrChooseStore
	}
	if err != nil {
		return Viewer{}, err
	}
	return Viewer{Email: session.Email, StoreID: store.StoreID, Store: store, Role: role, Stores: session.Stores, CSRF: session.CSRF}, nil
}

// setSession gives the browser its session cookie, for as long as the
// session can last; the server ends it sooner when it idles.
func setSession(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: value, Path: "/",
		MaxAge: int(closeloop.SessionMaxAge.Seconds()), Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// clearSession tells the browser to drop its session cookie.
func clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// session is the request's live session and its cookie's value;
// EUNAUTHORIZED without one.
func (d *Dashboard) session(r *http.Request) (closeloop.Session, string, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return closeloop.Session{}, "", closeloop.Errorf(closeloop.EUNAUTHORIZED, "not signed in")
	}
	s, err := d.SignIn.Session(r.Context(), c.Value)
	return s, c.Value, err
}
