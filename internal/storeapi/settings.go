package storeapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/settings"
	"github.com/closeloop/closeloop/internal/web"
	"github.com/closeloop/closeloop/internal/webhook"
)

// maxSettingsBody is far above any valid settings (40 addresses, a few URLs).
const maxSettingsBody = 64 << 10

func (a *API) getSettings(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	store, err := a.Stores.Store(r.Context(), key.StoreID)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", settings.ETag(store.SettingsVersion))
	web.JSON(w, http.StatusOK, withShops(settingsView(store.Settings), store.ShopSecrets))
	return nil
}

// putSettings changes the settings the body names and keeps the others
// (settings.Service: each field decoded on its own, every bad one named,
// nothing saved unless all are good). With If-Match, only the settings
// read at that ETag are changed.
func (a *API) putSettings(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var fields map[string]json.RawMessage
	if err := web.Decode(w, r, &fields, maxSettingsBody); err != nil {
		return err
	}
	shops, shopProblems := takeShopSecrets(fields)
	change := settings.Change{Fields: fields, Version: settings.AnyVersion, Problems: shopProblems}
	if ifMatch := strings.TrimSpace(r.Header.Get("If-Match")); ifMatch != "" && ifMatch != "*" {
		version, ok := settings.ParseETag(ifMatch)
		if !ok {
			version = -2 // names no version: refused as stale, with the current ETag
		}
		change.Version = version
	}
	saved, err := a.settings.Update(r.Context(), key.StoreID, change)
	if err != nil {
		return err
	}
	secrets, err := a.saveShopSecrets(r, saved.Store, shops)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", settings.ETag(saved.Version))
	web.JSON(w, http.StatusOK, withShops(settingsView(saved.Settings), secrets))
	return nil
}

// settingsView shows lists that were never set as [], not null.
func settingsView(s closeloop.Settings) closeloop.Settings {
	if s.SupportEmails == nil {
		s.SupportEmails = []string{}
	}
	if s.OwnerEmails == nil {
		s.OwnerEmails = []string{}
	}
	if s.Texts == nil {
		s.Texts = map[string]closeloop.StoreTexts{}
	}
	return s
}

// postWebhookSecret makes a new signing secret for the store's webhooks
// and shows it this once; the one it replaces keeps signing alongside for
// closeloop.SecretOverlap, so the store's receiver can switch without
// losing events.
func (a *API) postWebhookSecret(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	if err := decodeEmpty(w, r); err != nil {
		return err
	}
	secrets, err := a.Stores.RotateWebhookSecret(r.Context(), key.StoreID, webhook.NewSecret(), a.now())
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusCreated, map[string]any{"secret": secrets.Current, "previous_valid_until": secrets.PreviousUntil})
	return nil
}
