package storeapi

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

func (a *API) listSuppressions(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	limit, err := pageLimit(r)
	if err != nil {
		return err
	}
	items, next, err := a.Suppressions.Suppressions(r.Context(), key.StoreID, limit, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	var cursor *string
	if next != "" {
		cursor = &next
	}
	web.JSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": cursor})
	return nil
}

// deleteSuppression lifts the store's suppression of the {email} path
// segment (percent-encoded: "+", "%" and "#" are address characters).
func (a *API) deleteSuppression(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	email, err := customerEmail(r)
	if err != nil {
		return err
	}
	if err := a.Suppressions.Unsuppress(r.Context(), key.StoreID, email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
