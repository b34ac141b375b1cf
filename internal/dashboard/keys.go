package dashboard

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/apikeys"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

// Keys lists, creates and revokes a store's API keys. A person revokes as
// an owner: the revocation is refused once their address is no longer
// among the store's owner_emails.
type Keys interface {
	Keys(ctx context.Context, storeID string) ([]closeloop.Key, error)
	CreateKey(ctx context.Context, k closeloop.Key, hash string) error
	RevokeKeyAsOwner(ctx context.Context, storeID, keyID, ownerEmail string) error
}

// keysPage is the list of keys with the form for a new one.
type keysPage struct {
	Keys     []keyView
	Roles    []choice
	Location *time.Location
	// The new key's form as typed, with its problems.
	Name, Role           string
	NameError, RoleError string
	NameDesc, RoleDesc   string
	Invalid              bool
}

type keyView struct {
	closeloop.Key
	RoleLabel string
}

// keys lists the store's keys, never their secrets.
func (d *Dashboard) keys(w http.ResponseWriter, r *http.Request, v Viewer) error {
	t := Lang(r)
	p := Page{T: t, V: &v, Title: t.Get("app.owner.keys.title"), Nav: "keys"}
	if r.URL.Query().Get("revoked") == "1" {
		p.Flash = t.Get("app.owner.keys.revoked")
	}
	view, err := d.keysView(r.Context(), t, v, "", string(closeloop.RoleSupport), nil)
	if err != nil {
		return err
	}
	p.Data = view
	d.write(w, r, http.StatusOK, "keys", p)
	return nil
}

func (d *Dashboard) keysView(ctx context.Context, t i18n.Text, v Viewer, name, role string, problems map[string]string) (keysPage, error) {
	keys, err := d.Keys.Keys(ctx, v.StoreID)
	if err != nil {
		return keysPage{}, err
	}
	page := keysPage{Location: v.Store.Settings.Location(), Name: name, Role: role,
		NameError: problemText(t, problems["name"]), RoleError: problemText(t, problems["role"]), Invalid: len(problems) > 0}
	page.NameDesc, page.RoleDesc = "key-name-hint", ""
	if page.NameError != "" {
		page.NameDesc += " key-name-error"
	}
	if page.RoleError != "" {
		page.RoleDesc = "key-role-error"
	}
	for _, k := range keys {
		page.Keys = append(page.Keys, keyView{Key: k, RoleLabel: t.Get("app.owner.keys.role." + string(k.Role))})
	}
	for _, role := range apikeys.Roles {
		page.Roles = append(page.Roles, choice{string(role), t.Get("app.owner.keys.role." + string(role))})
	}
	return page, nil
}

// postKey creates a key and shows its secret this once, on the page the
// POST answers (never cached); it is not kept anywhere to be shown again.
func (d *Dashboard) postKey(w http.ResponseWriter, r *http.Request, v Viewer) error {
	t := Lang(r)
	name, role := r.PostFormValue("name"), r.PostFormValue("role")
	issued, err := apikeys.Create(r.Context(), d.Keys, v.StoreID, closeloop.Role(role), name, d.now())
	var invalid *closeloop.Error
	switch {
	case errors.As(err, &invalid) && invalid.Code == closeloop.EINVALID:
		view, err := d.keysView(r.Context(), t, v, name, role, invalid.Fields)
		if err != nil {
			return err
		}
		d.write(w, r, http.StatusBadRequest, "keys", Page{T: t, V: &v, Title: t.Get("app.owner.keys.title"), Nav: "keys", Data: view})
		return nil
	case err != nil:
		return err
	}
	d.write(w, r, http.StatusCreated, "key_created", Page{T: t, V: &v, Title: t.Get("app.owner.created.title"), Nav: "keys",
		Data: keyCreated{Issued: issued, RoleLabel: t.Get("app.owner.keys.role." + string(issued.Role))}})
	return nil
}

type keyCreated struct {
	apikeys.Issued
	RoleLabel string
}

// revokeKey revokes a key at once, as the signed-in owner.
func (d *Dashboard) revokeKey(w http.ResponseWriter, r *http.Request, v Viewer) error {
	keyID := r.PathValue("key_id")
	if err := apikeys.CheckID(keyID); err != nil {
		return err
	}
	if err := d.Keys.RevokeKeyAsOwner(r.Context(), v.StoreID, keyID, v.Email); err != nil {
		return err
	}
	http.Redirect(w, r, "/app/keys?revoked=1", http.StatusSeeOther)
	return nil
}
