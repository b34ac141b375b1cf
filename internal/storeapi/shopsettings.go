package storeapi

import (
	"encoding/json"
	"net/http"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// settingsBody is the settings as GET and PUT /v1/settings answer: the
// settings, and whether each shop platform is connected (its secret set).
// The secrets themselves are write-only: PUT takes shopify_secret and
// woocommerce_secret, nothing ever shows them.
type settingsBody struct {
	closeloop.Settings
	ShopifyConnected     bool `json:"shopify_connected"`
	WooCommerceConnected bool `json:"woocommerce_connected"`
}

func withShops(s closeloop.Settings, secrets closeloop.ShopSecrets) settingsBody {
	return settingsBody{Settings: s, ShopifyConnected: secrets.Shopify != "", WooCommerceConnected: secrets.WooCommerce != ""}
}

// shopSecretFields are the write-only settings, by platform.
var shopSecretFields = map[string]string{
	"shopify_secret":     closeloop.PlatformShopify,
	"woocommerce_secret": closeloop.PlatformWooCommerce,
}

// takeShopSecrets removes the shop secrets (and the read-only
// *_connected) from a PUT's fields and checks them; the map holds the
// platforms named ("" disconnects).
func takeShopSecrets(fields map[string]json.RawMessage) (map[string]string, closeloop.Problems) {
	secrets, problems := map[string]string{}, closeloop.Problems{}
	// What GET shows is read-only: a PUT of the GET body passes over it.
	for _, name := range []string{"shopify_connected", "woocommerce_connected"} {
		if raw, ok := fields[name]; ok {
			delete(fields, name)
			var b bool
			if err := json.Unmarshal(raw, &b); err != nil {
				problems.Add(name, "is read-only (true or false, as GET shows it)")
			}
		}
	}
	for name, platform := range shopSecretFields {
		raw, ok := fields[name]
		if !ok {
			continue
		}
		delete(fields, name)
		var secret string
		if err := json.Unmarshal(raw, &secret); err != nil {
			problems.Add(name, "must be a string")
			continue
		}
		if p := closeloop.ShopSecretProblem(secret); p != "" {
			problems.Add(name, p)
			continue
		}
		secrets[platform] = secret
	}
	return secrets, problems
}

// saveShopSecrets writes the secrets a PUT named, after its settings, and
// returns the store's secrets as they then stand.
func (a *API) saveShopSecrets(r *http.Request, store closeloop.Store, named map[string]string) (closeloop.ShopSecrets, error) {
	secrets := store.ShopSecrets
	if len(named) == 0 {
		return secrets, nil
	}
	for platform, secret := range named {
		switch platform {
		case closeloop.PlatformShopify:
			secrets.Shopify = secret
		case closeloop.PlatformWooCommerce:
			secrets.WooCommerce = secret
		}
	}
	return secrets, a.Stores.SetShopSecrets(r.Context(), store.StoreID, secrets)
}
