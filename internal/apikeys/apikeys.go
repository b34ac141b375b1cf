// Package apikeys holds the rules for a store's API keys that the store
// API (/v1/keys) and the dashboard's keys page share: which roles a key
// may have, what its name may be, and how a new key and its secret are
// made. The secret is shown once; only its hash is saved.
package apikeys

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
)

// Roles are the roles a key may be created with, in the order forms offer
// them.
var Roles = []closeloop.Role{closeloop.RoleOwner, closeloop.RoleSupport, closeloop.RoleIngest, closeloop.RolePoints}

// Saver saves a new key whose secret hashes to hash.
type Saver interface {
	CreateKey(ctx context.Context, k closeloop.Key, hash string) error
}

// Issued is a key as created: the one time its secret is known.
type Issued struct {
	closeloop.Key
	Secret string `json:"secret"`
}

// Check validates a new key's role and name and returns the name as
// saved (trimmed); the error is EINVALID naming role and name.
func Check(role closeloop.Role, name string) (string, error) {
	problems := closeloop.Problems{}
	if !slices.Contains(Roles, role) {
		names := make([]string, len(Roles))
		for i, r := range Roles {
			names[i] = string(r)
		}
		problems.Add("role", "must be "+strings.Join(names[:len(names)-1], ", ")+" or "+names[len(names)-1])
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		problems.Add("name", "must be 1 to 100 characters without control characters")
	}
	return name, problems.Err("the key is not valid")
}

// Create checks a new key of the store, makes its secret and saves it.
func Create(ctx context.Context, saver Saver, storeID string, role closeloop.Role, name string, now time.Time) (Issued, error) {
	name, err := Check(role, name)
	if err != nil {
		return Issued{}, err
	}
	secretKey, hash := secret.NewAPIKey()
	k := closeloop.Key{
		KeyID: secret.NewID("k"), StoreID: storeID, Role: role, Name: name,
		CreatedAt: now.UTC().Truncate(time.Second),
	}
	if err := saver.CreateKey(ctx, k, hash); err != nil {
		return Issued{}, err
	}
	return Issued{Key: k, Secret: secretKey}, nil
}

// CheckID refuses, as ENOTFOUND, an ID no key can have, before anything is
// read.
func CheckID(keyID string) error {
	if keyID == "" || len(keyID) > 64 {
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such API key")
	}
	return nil
}
