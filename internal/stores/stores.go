// Package stores creates stores and their API keys: the operator's first
// step for a new shop, used by the operator CLI and the local demo.
package stores

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/lazy"
	"github.com/closeloop/closeloop/internal/secret"
)

// Stores saves stores. The DynamoDB adapter implements it.
type Stores interface {
	CreateStore(ctx context.Context, store closeloop.Store, key closeloop.Key, keyHash string) error
}

var storeIDPattern = lazy.Regexp(`^[a-z0-9][a-z0-9-]{1,62}$`)

// Create saves a store with settings and its first owner key, and returns
// the key's secret: it is shown once and never stored. The settings'
// sender_email, if any, is granted to the store.
func Create(ctx context.Context, repo Stores, storeID string, settings closeloop.Settings, now time.Time) (closeloop.Store, string, error) {
	if !storeIDPattern().MatchString(storeID) {
		return closeloop.Store{}, "", &closeloop.Error{Code: closeloop.EINVALID, Message: "bad store ID",
			Fields: map[string]string{"store_id": "must be 2 to 63 lower-case letters, digits and dashes"}}
	}
	settings.Normalize()
	if err := settings.Validate(); err != nil {
		return closeloop.Store{}, "", err
	}
	store := closeloop.Store{StoreID: storeID, Settings: settings, CreatedAt: now.UTC(), CursorKey: secret.NewKey()}
	if settings.SenderEmail != "" {
		// The operator names the new store's sender: it is granted.
		store.SenderIdentities = []string{settings.SenderEmail}
	}
	secretKey, hash := secret.NewAPIKey()
	key := closeloop.Key{KeyID: secret.NewID("k"), StoreID: storeID, Role: closeloop.RoleOwner, Name: "first owner key", CreatedAt: now.UTC()}
	if err := repo.CreateStore(ctx, store, key, hash); err != nil {
		return closeloop.Store{}, "", err
	}
	return store, secretKey, nil
}
