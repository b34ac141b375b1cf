// Package storeapi serves the store API under /v1: what a store's systems
// and people call with an API key (API.md).
package storeapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/settings"
	"github.com/closeloop/closeloop/internal/summary"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/web"
)

// Keys authenticates callers and keeps a store's API keys. Each port below
// names one aggregate; the DynamoDB adapter implements them all.
type Keys interface {
	KeyByHash(ctx context.Context, hash string) (closeloop.Key, error)
	Keys(ctx context.Context, storeID string) ([]closeloop.Key, error)
	CreateKey(ctx context.Context, k closeloop.Key, hash string) error
	RevokeKey(ctx context.Context, storeID, keyID, byKeyID string) error
}

// Stores reads and changes a store's settings.
type Stores interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
	// LatestStore reads it strongly consistent, for a change of settings.
	LatestStore(ctx context.Context, storeID string) (closeloop.Store, error)
	UpdateSettings(ctx context.Context, read closeloop.Store, s closeloop.Settings) error
	RotateWebhookSecret(ctx context.Context, storeID, next string, now time.Time) (closeloop.WebhookSecrets, error)
	// The shop platforms' webhook secrets (shopsettings.go).
	SetShopSecrets(ctx context.Context, storeID string, secrets closeloop.ShopSecrets) error
}

// Surveys reads surveys.
type Surveys interface {
	Survey(ctx context.Context, surveyID string) (closeloop.Survey, error)
	OrderSurvey(ctx context.Context, storeID, orderID string) (closeloop.Survey, error)
}

// Points reads and adjusts customers' points.
type Points interface {
	Points(ctx context.Context, storeID, email string) (closeloop.Points, error)
	AdjustPoints(ctx context.Context, a closeloop.Adjustment) (res closeloop.Adjusted, replay bool, err error)
}

// Responses lists a store's survey responses, newest first: a page at a
// time for the JSON list, every match for the CSV export.
type Responses interface {
	Responses(ctx context.Context, storeID string, f closeloop.ResponseFilter) ([]closeloop.ResponseItem, string, error)
	EachResponse(ctx context.Context, storeID string, f closeloop.ResponseFilter, each func(closeloop.ResponseItem) error) error
}

// Privacy exports and erases what a store holds about one customer,
// found by key (no scan).
type Privacy interface {
	ExportCustomer(ctx context.Context, storeID, email string) (closeloop.CustomerData, error)
	EraseCustomer(ctx context.Context, storeID, email string, at time.Time) (closeloop.Erasure, error)
}

// Suppressions lists a store's suppressed addresses, newest first, and
// lifts one (ENOTFOUND when the address is not suppressed).
type Suppressions interface {
	Suppressions(ctx context.Context, storeID string, limit int, cursor string) ([]closeloop.Suppression, string, error)
	Unsuppress(ctx context.Context, storeID, email string) error
}

// Deps are what the store API works with.
type Deps struct {
	Keys      Keys
	Stores    Stores
	Surveys   Surveys
	Points    Points
	Responses Responses
	Ingest    *survey.Service   // creates and cancels surveys from orders
	Followups *followup.Service // support's moves on follow-up cases
	Summaries *summary.Service  // owners' numbers
	// Suppressions are the addresses the store may not email.
	Suppressions Suppressions
	// Privacy is a customer's data export and erasure.
	Privacy Privacy
	// CheckWebhookURL refuses a webhook URL a store may not use (not https,
	// or resolving to a private address) with an EINVALID error.
	CheckWebhookURL func(ctx context.Context, raw string) error
}

// API is the store API's handlers with their dependencies.
type API struct {
	Deps
	now func() time.Time
	// settings validates and saves settings changes, as the dashboard's
	// settings form does.
	settings *settings.Service
}

// New returns the store API; now is the clock (time.Now in production).
func New(deps Deps, now func() time.Time) *API {
	return &API{Deps: deps, now: now, settings: settings.New(deps.Stores, deps.CheckWebhookURL)}
}

// authed is a handler that runs with the caller's API key.
type authed func(w http.ResponseWriter, r *http.Request, key closeloop.Key) error

// auth checks the bearer key and that its role allows need, then runs h.
// Errors h returns are written in the API's error shape.
func (a *API) auth(need closeloop.Role, h authed) http.Handler {
	return a.authAny([]closeloop.Role{need}, h)
}

// authAny is auth for a route that any of needs may use.
func (a *API) authAny(needs []closeloop.Role, h authed) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			web.Error(w, r, closeloop.Errorf(closeloop.EUNAUTHORIZED, "send the API key as Authorization: Bearer <key>"))
			return
		}
		key, err := a.Keys.KeyByHash(r.Context(), secret.Hash(strings.TrimSpace(token)))
		if err != nil {
			web.Error(w, r, err)
			return
		}
		if !key.Role.AllowsAny(needs...) {
			names := []string{}
			for _, need := range needs {
				if need != closeloop.RoleOwner {
					names = append(names, string(need))
				}
			}
			web.Error(w, r, closeloop.Errorf(closeloop.EFORBIDDEN, "this %s key cannot do this; it needs a key with role %s",
				key.Role, strings.Join(append(names, "owner"), " or ")))
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
