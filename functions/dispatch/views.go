package main

// Views: the function hands each port a view of the table adapter that
// holds the adapter's methods as func values, instead of the *dynamo.DB
// itself. A *dynamo.DB converted to an interface keeps every exported
// method of it (about a hundred, for every function's needs) in a binary
// that executes templates: text/template calls methods by name through
// reflect, and the linker then keeps all exported methods of every type
// converted to an interface. A view's type names only its port's methods.
// Generated from the port interfaces; a changed port fails to compile
// here.

import (
	"context"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
)

// dispatchSurveysView is the dispatch.Surveys of db: see views.
type dispatchSurveysView struct {
	takeRunLock    func(ctx context.Context, holder string, now, leaseUntil time.Time) (bool, error)
	releaseRunLock func(ctx context.Context, holder string) error
	dueSurveys     func(ctx context.Context, now time.Time, limit int) ([]closeloop.DueSurvey, error)
	claim          func(ctx context.Context, due closeloop.DueSurvey, leaseUntil time.Time, tokenHash, unsubscribeHash string) (closeloop.Lease, closeloop.ClaimResult, error)
	markSent       func(ctx context.Context, lease closeloop.Lease, sentAt, nextDue time.Time, brand closeloop.Branding, defaultLocale string) (bool, error)
	endReminder    func(ctx context.Context, lease closeloop.Lease, remindedAt *time.Time, closesAt time.Time) (bool, error)
	markFailed     func(ctx context.Context, lease closeloop.Lease, reason string) (bool, error)
	retry          func(ctx context.Context, lease closeloop.Lease, retryAt time.Time, counted bool) (bool, error)
	giveUp         func(ctx context.Context, due closeloop.DueSurvey, reason string) (closeloop.Status, error)
	hold           func(ctx context.Context, due closeloop.DueSurvey, until time.Time) (bool, error)
	expire         func(ctx context.Context, due closeloop.DueSurvey) (bool, error)
}

func newDispatchSurveysView(db *dynamo.DB) dispatchSurveysView {
	return dispatchSurveysView{
		takeRunLock:    db.TakeRunLock,
		releaseRunLock: db.ReleaseRunLock,
		dueSurveys:     db.DueSurveys,
		claim:          db.Claim,
		markSent:       db.MarkSent,
		endReminder:    db.EndReminder,
		markFailed:     db.MarkFailed,
		retry:          db.Retry,
		giveUp:         db.GiveUp,
		hold:           db.Hold,
		expire:         db.Expire,
	}
}

func (v dispatchSurveysView) TakeRunLock(ctx context.Context, holder string, now, leaseUntil time.Time) (bool, error) {
	return v.takeRunLock(ctx, holder, now, leaseUntil)
}

func (v dispatchSurveysView) ReleaseRunLock(ctx context.Context, holder string) error {
	return v.releaseRunLock(ctx, holder)
}

func (v dispatchSurveysView) DueSurveys(ctx context.Context, now time.Time, limit int) ([]closeloop.DueSurvey, error) {
	return v.dueSurveys(ctx, now, limit)
}

func (v dispatchSurveysView) Claim(ctx context.Context, due closeloop.DueSurvey, leaseUntil time.Time, tokenHash, unsubscribeHash string) (closeloop.Lease, closeloop.ClaimResult, error) {
	return v.claim(ctx, due, leaseUntil, tokenHash, unsubscribeHash)
}

func (v dispatchSurveysView) MarkSent(ctx context.Context, lease closeloop.Lease, sentAt, nextDue time.Time, brand closeloop.Branding, defaultLocale string) (bool, error) {
	return v.markSent(ctx, lease, sentAt, nextDue, brand, defaultLocale)
}

func (v dispatchSurveysView) EndReminder(ctx context.Context, lease closeloop.Lease, remindedAt *time.Time, closesAt time.Time) (bool, error) {
	return v.endReminder(ctx, lease, remindedAt, closesAt)
}

func (v dispatchSurveysView) MarkFailed(ctx context.Context, lease closeloop.Lease, reason string) (bool, error) {
	return v.markFailed(ctx, lease, reason)
}

func (v dispatchSurveysView) Retry(ctx context.Context, lease closeloop.Lease, retryAt time.Time, counted bool) (bool, error) {
	return v.retry(ctx, lease, retryAt, counted)
}

func (v dispatchSurveysView) GiveUp(ctx context.Context, due closeloop.DueSurvey, reason string) (closeloop.Status, error) {
	return v.giveUp(ctx, due, reason)
}

func (v dispatchSurveysView) Hold(ctx context.Context, due closeloop.DueSurvey, until time.Time) (bool, error) {
	return v.hold(ctx, due, until)
}

func (v dispatchSurveysView) Expire(ctx context.Context, due closeloop.DueSurvey) (bool, error) {
	return v.expire(ctx, due)
}

// dispatchStoresView is the dispatch.Stores of db: see views.
type dispatchStoresView struct {
	sendingStore  func(ctx context.Context, storeID string) (closeloop.Store, *closeloop.SendingPause, error)
	pauseSending  func(ctx context.Context, storeID string, reason closeloop.SendProblem, at time.Time) (closeloop.SendingPause, error)
	takeProbe     func(ctx context.Context, storeID string, at time.Time) (bool, error)
	resumeSending func(ctx context.Context, storeID string) (*closeloop.SendingPause, error)
}

func newDispatchStoresView(db *dynamo.DB) dispatchStoresView {
	return dispatchStoresView{
		sendingStore:  db.SendingStore,
		pauseSending:  db.PauseSending,
		takeProbe:     db.TakeProbe,
		resumeSending: db.ResumeSending,
	}
}

func (v dispatchStoresView) SendingStore(ctx context.Context, storeID string) (closeloop.Store, *closeloop.SendingPause, error) {
	return v.sendingStore(ctx, storeID)
}

func (v dispatchStoresView) PauseSending(ctx context.Context, storeID string, reason closeloop.SendProblem, at time.Time) (closeloop.SendingPause, error) {
	return v.pauseSending(ctx, storeID, reason, at)
}

func (v dispatchStoresView) TakeProbe(ctx context.Context, storeID string, at time.Time) (bool, error) {
	return v.takeProbe(ctx, storeID, at)
}

func (v dispatchStoresView) ResumeSending(ctx context.Context, storeID string) (*closeloop.SendingPause, error) {
	return v.resumeSending(ctx, storeID)
}
