// Package storeapi serves the store API under /v1: what a store's systems
// and people call with an API key (API.md).
package storeapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/web"
)

// Backend is the storage the API reads directly. The DynamoDB adapter
// implements it.
type Backend interface {
	KeyByHash(ctx context.Context, hash string) (closeloop.Key, error)
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
	Survey(ctx context.Context, surveyID string) (closeloop.Survey, error)
	Points(ctx context.Context, storeID, email string) (closeloop.Points, error)
	UpdateSettings(ctx context.Context, storeID string, s closeloop.Settings) error
	Keys(ctx context.Context, storeID string) ([]closeloop.Key, error)
	CreateKey(ctx context.Context, k closeloop.Key, hash string) error
	RevokeKey(ctx context.Context, storeID, keyID, byKeyID string) error
	AdjustPoints(ctx context.Context, a closeloop.Adjustment) (res closeloop.Adjusted, replay bool, err error)
}

// API is the store API's handlers with their dependencies.
type API struct {
	backend Backend
	surveys *survey.Service
	now     func() time.Time
}

// New returns the store API; now is the clock (time.Now in production).
func New(backend Backend, surveys *survey.Service, now func() time.Time) *API {
	return &API{backend: backend, surveys: surveys, now: now}
}

// authed is a handler that runs with the caller's API key.
type authed func(w http.ResponseWriter, r *http.Request, key closeloop.Key) error

// auth checks the bearer key and that its role allows need, then runs h.
// Errors h returns are written in the API's error shape.
func (a *API) auth(need closeloop.Role, h authed) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			web.Error(w, r, closeloop.Errorf(closeloop.EUNAUTHORIZED, "send the API key as Authorization: Bearer <key>"))
			return
		}
		key, err := a.backend.KeyByHash(r.Context(), secret.Hash(strings.TrimSpace(token)))
		if err != nil {
			web.Error(w, r, err)
			return
		}
		if !key.Role.Allows(need) {
			web.Error(w, r, closeloop.Errorf(closeloop.EFORBIDDEN, "a %s key cannot do this; it needs a %s or owner key", key.Role, need))
			return
		}
		if err := h(w, r, key); err != nil {
			web.Error(w, r, err)
		}
	})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	web.Error(w, r, closeloop.Errorf(closeloop.ENOTFOUND, "no such resource: see the API reference"))
}
