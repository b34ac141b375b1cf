package dashboard

// The handlers below are placeholders each area replaces with its own
// file: login.go (signing in), overview.go and products.go (the numbers),
// responses.go and followups.go, settings.go and keys.go (owners).

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/closeloop"
)

func notBuilt(w http.ResponseWriter, r *http.Request, _ Viewer) error {
	return closeloop.Errorf(closeloop.ENOTFOUND, "this page is not built yet")
}

func (d *Dashboard) getLogin(w http.ResponseWriter, r *http.Request)      { http.NotFound(w, r) }
func (d *Dashboard) postLogin(w http.ResponseWriter, r *http.Request)     { http.NotFound(w, r) }
func (d *Dashboard) getLoginLink(w http.ResponseWriter, r *http.Request)  { http.NotFound(w, r) }
func (d *Dashboard) postLoginLink(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
func (d *Dashboard) getStores(w http.ResponseWriter, r *http.Request)     { http.NotFound(w, r) }
func (d *Dashboard) postStores(w http.ResponseWriter, r *http.Request)    { http.NotFound(w, r) }

func (d *Dashboard) postLogout(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}
