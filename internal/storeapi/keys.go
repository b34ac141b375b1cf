package storeapi

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/apikeys"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

type keyInput struct {
	Role closeloop.Role `json:"role"`
	Name string         `json:"name"`
}

func (a *API) getKeys(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	keys, err := a.Keys.Keys(r.Context(), key.StoreID)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, map[string]any{"items": keys})
	return nil
}

func (a *API) postKey(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var in keyInput
	if err := web.Decode(w, r, &in, 4<<10); err != nil {
		return err
	}
	created, err := apikeys.Create(r.Context(), a.Keys, key.StoreID, in.Role, in.Name, a.now())
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusCreated, created)
	return nil
}

func (a *API) deleteKey(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	keyID := r.PathValue("key_id")
	if keyID == key.KeyID {
		// Revoking oneself could leave the store with no owner key at all.
		return closeloop.Errorf(closeloop.ECONFLICT, "this is the key making the request: use another owner key to revoke this one")
	}
	if err := apikeys.CheckID(keyID); err != nil {
		return err
	}
	if err := a.Keys.RevokeKey(r.Context(), key.StoreID, keyID, key.KeyID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
