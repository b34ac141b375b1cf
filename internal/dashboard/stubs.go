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

func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) products(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) responses(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) responsesCSV(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) followups(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) followup(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) followupAction(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) settings(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) postSettings(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) keys(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) postKey(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}

func (d *Dashboard) revokeKey(w http.ResponseWriter, r *http.Request, v Viewer) error {
	return notBuilt(w, r, v)
}
