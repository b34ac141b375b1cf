package render

import (
	"github.com/closeloop/closeloop/internal/closeloop"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/i18n"
)

// kindSignIn is the email with a dashboard sign-in link, to an owner or
// support address that asked for it.
const kindSignIn = closeloop.KindSignIn

func init() { emailKinds = append(emailKinds, kindSignIn) }

// SignInEmail is the data of the sign-in email.
type SignInEmail struct {
	T       i18n.Text
	Brand   closeloop.Branding // the store's when the address is staff of one store
	Subject string
	Intro   string
	Stores  []string // the stores' names when there are several
	URL     string   // the sign-in link
}

// NewSignInEmail builds the sign-in email in lang (the language of the
// browser that asked) for the stores the address may sign in to, with the
// link url.
func NewSignInEmail(lang string, stores []closeloop.Store, url string) SignInEmail {
	t := i18n.For(lang)
	e := SignInEmail{T: t, URL: url, Brand: closeloop.Branding{Name: "closeloop"}}
	if len(stores) == 1 {
		e.Brand = stores[0].Settings.Branding
		e.Subject = t.Get("app.login.email.subject", e.Brand.Name)
		e.Intro = t.Get("app.login.email.intro", e.Brand.Name)
		return e
	}
	e.Subject = t.Get("app.login.email.subject_several")
	e.Intro = t.Get("app.login.email.intro_several")
	for _, s := range stores {
		e.Stores = append(e.Stores, s.Settings.Branding.Name)
	}
	return e
}

// Color is the brand colour for the button's border.
func (e SignInEmail) Color() htmltemplate.CSS { return brandColor(e.Brand) }

// Footer says why the reader receives it.
func (e SignInEmail) Footer() Footer {
	return Footer{T: e.T, Why: e.T.Get("app.login.email.why")}
}

func (e SignInEmail) kind() string    { return kindSignIn }
func (e SignInEmail) subject() string { return e.Subject }
