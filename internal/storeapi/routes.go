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
	mux.Handle("POST /v1/orders/{order_id}/cancel", a.auth(closeloop.RoleIngest, a.cancelOrder))
	mux.Handle("GET /v1/surveys/{survey_id}", a.auth(closeloop.RoleSupport, a.getSurvey))
	mux.Handle("GET /v1/customers/{email}/points", a.auth(closeloop.RoleSupport, a.getPoints))
	mux.HandleFunc("/v1/", notFound)
	return web.Log(web.APIHeaders(mux))
}
