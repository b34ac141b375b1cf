package survey

import (
	"context"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// RecordEvent records an order's fulfilment or delivery on its survey
// (idempotent: the same event again changes nothing) and returns the
// survey as it then stands; ENOTFOUND when the store has no such order,
// EINVALID (nothing written) for a bad event. A pending survey waiting
// for the event becomes scheduled, sent store's survey delay after it
// inside its send window (closeloop.Survey.WithEvent). An event for a
// survey in any other status (scheduled, sent, answered, expired,
// cancelled…) is recorded without changing its status.
//
// An event for an order not ingested yet (a platform's fulfilment webhook
// before its order webhook) is kept for 30 days on a small item of the
// order (dynamo.KeepEarlyEvent) and returns ENOTFOUND: when the order is
// posted, Ingest times its survey from it.
func (s *Service) RecordEvent(ctx context.Context, store closeloop.Store, orderID string, e closeloop.OrderEvent) (closeloop.Survey, error) {
	now := s.now().UTC()
	if err := e.Validate(now).Err("the event is not valid"); err != nil {
		return closeloop.Survey{}, err
	}
	sv, err := s.surveys.OrderSurvey(ctx, store.StoreID, orderID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		if err := s.surveys.KeepEarlyEvent(ctx, store.StoreID, orderID, e, now); err != nil {
			return closeloop.Survey{}, err
		}
		// The order may have been posted meanwhile, its ingest too early
		// to see the event kept: then it is applied as to any survey.
		sv, err = s.surveys.OrderSurvey(ctx, store.StoreID, orderID)
		if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
			return closeloop.Survey{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such order yet: the event is kept, and times the order's survey when the order is posted")
		}
	}
	if err != nil {
		return closeloop.Survey{}, err
	}
	if e.At.Before(sv.PurchasedAt) {
		return closeloop.Survey{}, &closeloop.Error{Code: closeloop.EINVALID, Message: "the event is not valid",
			Fields: map[string]string{"at": "must not be before the order's purchased_at"}}
	}
	// A concurrent change (dispatch claiming the survey at its max-wait
	// time, the same event twice at once) fails the write's condition: the
	// event is applied again to the survey as it then stands.
	for range 3 {
		next, changed := sv.WithEvent(e, store.Settings, now)
		if !changed {
			return sv, nil
		}
		stored, applied, err := s.surveys.ApplyEvent(ctx, sv, next)
		if err != nil || applied {
			return stored, err
		}
		sv = stored
	}
	return sv, nil
}
