package storeapi

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

// Routes lists every route of the store API.
func (a *API) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/orders", a.auth(closeloop.RoleIngest, a.postOrders))
	mux.Handle("GET /v1/orders/{order_id}", a.auth(closeloop.RoleIngest, a.getOrder))
	mux.Handle("POST /v1/orders/{order_id}/cancel", a.auth(closeloop.RoleIngest, a.cancelOrder))
	mux.Handle("POST /v1/orders/{order_id}/events", a.auth(closeloop.RoleIngest, a.postOrderEvent))
	mux.Handle("GET /v1/surveys/{survey_id}", a.auth(closeloop.RoleSupport, a.getSurvey))
	mux.Handle("GET /v1/customers/{email}/points", a.authAny([]closeloop.Role{closeloop.RoleSupport, closeloop.RolePoints}, a.getPoints))
	mux.Handle("POST /v1/customers/{email}/points/adjustments", a.auth(closeloop.RolePoints, a.postAdjustment))
	mux.Handle("GET /v1/customers/{email}/export", a.auth(closeloop.RoleOwner, a.exportCustomer))
	mux.Handle("DELETE /v1/customers/{email}", a.auth(closeloop.RoleOwner, a.eraseCustomer))
	mux.Handle("GET /v1/suppressions", a.auth(closeloop.RoleSupport, a.listSuppressions))
	mux.Handle("DELETE /v1/suppressions/{email}", a.auth(closeloop.RoleOwner, a.deleteSuppression))
	mux.Handle("GET /v1/responses", a.auth(closeloop.RoleSupport, a.listResponses))
	mux.Handle("GET /v1/followups", a.auth(closeloop.RoleSupport, a.listFollowups))
	mux.Handle("GET /v1/followups/{case_id}", a.auth(closeloop.RoleSupport, a.getFollowup))
	mux.Handle("POST /v1/followups/{case_id}/claim", a.auth(closeloop.RoleSupport, a.claimFollowup))
	mux.Handle("POST /v1/followups/{case_id}/release", a.auth(closeloop.RoleSupport, a.releaseFollowup))
	mux.Handle("POST /v1/followups/{case_id}/notes", a.auth(closeloop.RoleSupport, a.noteFollowup))
	mux.Handle("POST /v1/followups/{case_id}/resolve", a.auth(closeloop.RoleSupport, a.resolveFollowup))
	mux.Handle("POST /v1/followups/{case_id}/reopen", a.auth(closeloop.RoleSupport, a.reopenFollowup))
	mux.Handle("POST /v1/followups/{case_id}/tags", a.auth(closeloop.RoleSupport, a.tagFollowup))
	mux.Handle("GET /v1/summary", a.auth(closeloop.RoleSupport, a.getSummary))
	mux.Handle("GET /v1/summary/products", a.auth(closeloop.RoleSupport, a.getProducts))
	mux.Handle("GET /v1/settings", a.auth(closeloop.RoleOwner, a.getSettings))
	mux.Handle("PUT /v1/settings", a.auth(closeloop.RoleOwner, a.putSettings))
	mux.Handle("POST /v1/settings/webhook-secret", a.auth(closeloop.RoleOwner, a.postWebhookSecret))
	mux.Handle("GET /v1/keys", a.auth(closeloop.RoleOwner, a.getKeys))
	mux.Handle("POST /v1/keys", a.auth(closeloop.RoleOwner, a.postKey))
	mux.Handle("DELETE /v1/keys/{key_id}", a.auth(closeloop.RoleOwner, a.deleteKey))
	mux.HandleFunc("/v1/", notFound)
	return web.Log(web.APIHeaders(mux))
}
