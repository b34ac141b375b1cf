package storeapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

type adjustmentInput struct {
	Points         int    `json:"points"`
	Reason         string `json:"reason"`
	IdempotencyKey string `json:"idempotency_key"`
}

// postAdjustment answers 201 when the adjustment is applied and 200 when
// its idempotency key was already used for the same request: a retry gets
// the original result and changes nothing.
func (a *API) postAdjustment(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var in adjustmentInput
	if err := web.Decode(w, r, &in, 4<<10); err != nil {
		return err
	}
	email, err := customerEmail(r)
	if err != nil {
		return err
	}
	adj := closeloop.Adjustment{
		StoreID: key.StoreID, Email: email, Points: in.Points, Reason: strings.TrimSpace(in.Reason),
		IdempotencyKey: in.IdempotencyKey, At: a.now().UTC().Truncate(time.Millisecond),
	}
	if err := adj.Validate(); err != nil {
		return err
	}
	res, replay, err := a.Points.AdjustPoints(r.Context(), adj)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if replay {
		status = http.StatusOK
	}
	web.JSON(w, status, res)
	return nil
}
