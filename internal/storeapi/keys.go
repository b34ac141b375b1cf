package storeapi

import (
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/web"
)

type keyInput struct {
	Role closeloop.Role `json:"role"`
	Name string         `json:"name"`
}

// newKeyView is a key as created: the one time its secret is shown.
type newKeyView struct {
	closeloop.Key
	Secret string `json:"secret"`
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
	problems := closeloop.Problems{}
	if !in.Role.Valid() {
		problems.Add("role", "must be owner, support, ingest or points")
	}
	name := strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		problems.Add("name", "must be 1 to 100 characters without control characters")
	}
	if err := problems.Err("the key is not valid"); err != nil {
		return err
	}
	secretKey, hash := secret.NewAPIKey()
	created := closeloop.Key{
		KeyID: secret.NewID("k"), StoreID: key.StoreID, Role: in.Role, Name: name,
		CreatedAt: a.now().UTC().Truncate(time.Second),
	}
	if err := a.Keys.CreateKey(r.Context(), created, hash); err != nil {
		return err
	}
	web.JSON(w, http.StatusCreated, newKeyView{Key: created, Secret: secretKey})
	return nil
}

func (a *API) deleteKey(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	keyID := r.PathValue("key_id")
	if keyID == key.KeyID {
		// Revoking oneself could leave the store with no owner key at all.
		return closeloop.Errorf(closeloop.ECONFLICT, "this is the key making the request: use another owner key to revoke this one")
	}
	if keyID == "" || len(keyID) > 64 {
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such API key")
	}
	if err := a.Keys.RevokeKey(r.Context(), key.StoreID, keyID, key.KeyID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
