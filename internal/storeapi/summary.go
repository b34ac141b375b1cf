package storeapi

import (
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

// storeRange reads the caller's store and the request's from/to as its
// local days.
func (a *API) storeRange(r *http.Request, key closeloop.Key) (closeloop.Store, closeloop.DayRange, error) {
	store, err := a.Stores.Store(r.Context(), key.StoreID)
	if err != nil {
		return closeloop.Store{}, closeloop.DayRange{}, err
	}
	q := r.URL.Query()
	rng, err := closeloop.ParseDayRange(q.Get("from"), q.Get("to"), a.Summaries.Today(store))
	return store, rng, err
}

func (a *API) getSummary(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	store, rng, err := a.storeRange(r, key)
	if err != nil {
		return err
	}
	sku := strings.TrimSpace(r.URL.Query().Get("sku"))
	if len(sku) > 128 {
		return &closeloop.Error{Code: closeloop.EINVALID, Message: "bad sku", Fields: map[string]string{"sku": "must be at most 128 characters"}}
	}
	sum, err := a.Summaries.Summary(r.Context(), store, rng, sku)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, sum)
	return nil
}

func (a *API) getProducts(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	store, rng, err := a.storeRange(r, key)
	if err != nil {
		return err
	}
	items, err := a.Summaries.Products(r.Context(), store, rng)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, map[string]any{
		"from": rng.From.Format(closeloop.DayLayout), "to": rng.To.Format(closeloop.DayLayout), "items": items,
	})
	return nil
}
