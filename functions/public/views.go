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

// surveySurveysView is the survey.Surveys of db: see views.
type surveySurveysView struct {
	createSurvey   func(ctx context.Context, s closeloop.Survey, budget time.Duration) (closeloop.Survey, bool, error)
	surveyTokens   func(ctx context.Context, surveyID string) (closeloop.Survey, closeloop.TokenHashes, error)
	answer         func(ctx context.Context, s closeloop.Survey, r closeloop.Response, c *closeloop.Case, at time.Time) (closeloop.Survey, bool, error)
	cancelOrder    func(ctx context.Context, storeID, orderID string, at time.Time) (closeloop.Survey, error)
	orderSurvey    func(ctx context.Context, storeID, orderID string) (closeloop.Survey, error)
	applyEvent     func(ctx context.Context, was, now closeloop.Survey) (stored closeloop.Survey, applied bool, err error)
	keepEarlyEvent func(ctx context.Context, storeID, orderID string, e closeloop.OrderEvent, at time.Time) error
}

func newSurveySurveysView(db *dynamo.DB) surveySurveysView {
	return surveySurveysView{
		createSurvey:   db.CreateSurvey,
		surveyTokens:   db.SurveyTokens,
		answer:         db.Answer,
		cancelOrder:    db.CancelOrder,
		orderSurvey:    db.OrderSurvey,
		applyEvent:     db.ApplyEvent,
		keepEarlyEvent: db.KeepEarlyEvent,
	}
}

func (v surveySurveysView) CreateSurvey(ctx context.Context, s closeloop.Survey, budget time.Duration) (closeloop.Survey, bool, error) {
	return v.createSurvey(ctx, s, budget)
}

func (v surveySurveysView) SurveyTokens(ctx context.Context, surveyID string) (closeloop.Survey, closeloop.TokenHashes, error) {
	return v.surveyTokens(ctx, surveyID)
}

func (v surveySurveysView) Answer(ctx context.Context, s closeloop.Survey, r closeloop.Response, c *closeloop.Case, at time.Time) (closeloop.Survey, bool, error) {
	return v.answer(ctx, s, r, c, at)
}

func (v surveySurveysView) CancelOrder(ctx context.Context, storeID, orderID string, at time.Time) (closeloop.Survey, error) {
	return v.cancelOrder(ctx, storeID, orderID, at)
}

func (v surveySurveysView) OrderSurvey(ctx context.Context, storeID, orderID string) (closeloop.Survey, error) {
	return v.orderSurvey(ctx, storeID, orderID)
}

func (v surveySurveysView) ApplyEvent(ctx context.Context, was, now closeloop.Survey) (stored closeloop.Survey, applied bool, err error) {
	return v.applyEvent(ctx, was, now)
}

func (v surveySurveysView) KeepEarlyEvent(ctx context.Context, storeID, orderID string, e closeloop.OrderEvent, at time.Time) error {
	return v.keepEarlyEvent(ctx, storeID, orderID, e, at)
}

// surveyCustomersView is the survey.Customers of db: see views.
type surveyCustomersView struct {
	suppress func(ctx context.Context, storeID, email, reason string, at time.Time) error
}

func newSurveyCustomersView(db *dynamo.DB) surveyCustomersView {
	return surveyCustomersView{
		suppress: db.Suppress,
	}
}

func (v surveyCustomersView) Suppress(ctx context.Context, storeID, email, reason string, at time.Time) error {
	return v.suppress(ctx, storeID, email, reason, at)
}

// digestOptOutsView is the digest.OptOuts of db: see views.
type digestOptOutsView struct {
	store          func(ctx context.Context, storeID string) (closeloop.Store, error)
	optOutOfDigest func(ctx context.Context, storeID, addressHash string) error
}

func newDigestOptOutsView(db *dynamo.DB) digestOptOutsView {
	return digestOptOutsView{
		store:          db.Store,
		optOutOfDigest: db.OptOutOfDigest,
	}
}

func (v digestOptOutsView) Store(ctx context.Context, storeID string) (closeloop.Store, error) {
	return v.store(ctx, storeID)
}

func (v digestOptOutsView) OptOutOfDigest(ctx context.Context, storeID, addressHash string) error {
	return v.optOutOfDigest(ctx, storeID, addressHash)
}

// followupRecheckStoreView is the followup.RecheckStore of db: see views.
type followupRecheckStoreView struct {
	recheckTokens func(ctx context.Context, caseID string) (closeloop.Case, []string, error)
	answerRecheck func(ctx context.Context, c closeloop.Case, a closeloop.RecheckAnswer, at time.Time) (closeloop.Case, bool, error)
}

func newFollowupRecheckStoreView(db *dynamo.DB) followupRecheckStoreView {
	return followupRecheckStoreView{
		recheckTokens: db.RecheckTokens,
		answerRecheck: db.AnswerRecheck,
	}
}

func (v followupRecheckStoreView) RecheckTokens(ctx context.Context, caseID string) (closeloop.Case, []string, error) {
	return v.recheckTokens(ctx, caseID)
}

func (v followupRecheckStoreView) AnswerRecheck(ctx context.Context, c closeloop.Case, a closeloop.RecheckAnswer, at time.Time) (closeloop.Case, bool, error) {
	return v.answerRecheck(ctx, c, a, at)
}

// shophooksStoresView is the shophooks.Stores of db: see views.
type shophooksStoresView struct {
	store func(ctx context.Context, storeID string) (closeloop.Store, error)
}

func newShophooksStoresView(db *dynamo.DB) shophooksStoresView {
	return shophooksStoresView{
		store: db.Store,
	}
}

func (v shophooksStoresView) Store(ctx context.Context, storeID string) (closeloop.Store, error) {
	return v.store(ctx, storeID)
}
