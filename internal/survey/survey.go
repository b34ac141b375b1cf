// Package survey is the life of a survey on the store's and the customer's
// side: creating one per order, opening its page from a link token, and
// recording the answer with its points exactly once.
package survey

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
)

// Surveys stores surveys. The DynamoDB adapter implements it.
type Surveys interface {
	CreateSurvey(ctx context.Context, s closeloop.Survey, budget time.Duration) (closeloop.Survey, bool, error)
	SurveyTokens(ctx context.Context, surveyID string) (closeloop.Survey, closeloop.TokenHashes, error)
	Answer(ctx context.Context, s closeloop.Survey, r closeloop.Response, c *closeloop.Case, at time.Time) (closeloop.Survey, bool, error)
	CancelOrder(ctx context.Context, storeID, orderID string, at time.Time) (closeloop.Survey, error)
	// For order events (events.go).
	OrderSurvey(ctx context.Context, storeID, orderID string) (closeloop.Survey, error)
	ApplyEvent(ctx context.Context, was, now closeloop.Survey) (stored closeloop.Survey, applied bool, err error)
	KeepEarlyEvent(ctx context.Context, storeID, orderID string, e closeloop.OrderEvent, at time.Time) error
}

// Customers keeps what the product knows of a store's customers.
type Customers interface {
	Suppress(ctx context.Context, storeID, email, reason string, at time.Time) error
}

// Service creates surveys and records answers.
type Service struct {
	surveys   Surveys
	customers Customers
	now       func() time.Time
}

// NewService returns a Service; now is the clock (time.Now in production).
func NewService(surveys Surveys, customers Customers, now func() time.Time) *Service {
	return &Service{surveys: surveys, customers: customers, now: now}
}

// Result is the survey an order got; Created is false when the order had
// been posted before and this is its original survey.
type Result struct {
	Survey  closeloop.Survey
	Created bool
}

// Ingest creates one survey per order for store. Every order is validated
// first; when any is invalid nothing is written and the error names the
// fields, prefixed "orders[i]." when batch is true.
func (s *Service) Ingest(ctx context.Context, store closeloop.Store, orders []closeloop.Order, batch bool) ([]Result, error) {
	now := s.now().UTC()
	if err := ValidateOrders(orders, batch, now).Err("some orders are not valid"); err != nil {
		return nil, err
	}
	results := make([]Result, 0, len(orders))
	for _, order := range orders {
		budget := time.Duration(store.Settings.ContactBudgetDays) * 24 * time.Hour
		stored, created, err := s.surveys.CreateSurvey(ctx, newSurvey(store, order, now), budget)
		var early *closeloop.EarlyEvents
		for try := 0; errors.As(err, &early) && try < 3; try++ {
			// Its fulfilment or delivery came first (RecordEvent): the
			// survey is timed from them.
			order = early.Apply(order)
			stored, created, err = s.surveys.CreateSurvey(ctx, newSurvey(store, order, now), budget)
		}
		if err != nil {
			return nil, err
		}
		results = append(results, Result{Survey: stored, Created: created})
	}
	return results, nil
}

// ValidateOrders checks every order (normalizing customer emails in place)
// and that no order ID repeats. Field names are prefixed "orders[i]." when
// batch is true.
func ValidateOrders(orders []closeloop.Order, batch bool, now time.Time) closeloop.Problems {
	problems := closeloop.Problems{}
	seen := map[string]int{}
	for i := range orders {
		prefix := ""
		if batch {
			prefix = "orders[" + strconv.Itoa(i) + "]."
		}
		problems.Merge(prefix, orders[i].Validate(now))
		if first, dup := seen[orders[i].OrderID]; dup && orders[i].OrderID != "" {
			problems.Add(prefix+"order_id", "repeats orders["+strconv.Itoa(first)+"].order_id")
		}
		seen[orders[i].OrderID] = i
	}
	return problems
}

// newSurvey schedules the survey of an order: sent the store's delay after
// the purchase (at once when that time has passed), open for the store's
// expiry after that, with the points offer of today's settings. An order
// older than the expiry is recorded as expired and never surveyed: asking
// about a purchase weeks later gets poor answers and annoys customers.
//
// A store timing its surveys by the order's fulfilment or delivery
// (survey_after) counts the delay and the expiry from that event when the
// order carries it; else the survey waits as pending, due at purchase +
// max_wait_days, when dispatch sends or expires it (on_no_event). A
// survey is sent only inside the store's send window.
func newSurvey(store closeloop.Store, order closeloop.Order, now time.Time) closeloop.Survey {
	set := store.Settings
	window := set.SendWindow
	status, sendAt, base := closeloop.StatusScheduled, order.PurchasedAt.UTC().Add(set.SurveyDelay()), order.PurchasedAt
	if set.SurveyAfter == closeloop.SurveyAfterFulfillment || set.SurveyAfter == closeloop.SurveyAfterDelivery {
		waitUntil := order.PurchasedAt.UTC().Add(set.MaxWait())
		switch event := closeloop.EventTime(set.SurveyAfter, order.FulfilledAt, order.DeliveredAt); {
		case event != nil:
			sendAt, base = event.UTC().Add(set.SurveyDelay()), *event
		case waitUntil.After(now):
			status, sendAt, base = closeloop.StatusPending, waitUntil, waitUntil
		case set.OnNoEvent == closeloop.OnNoEventExpire:
			status, sendAt, base = closeloop.StatusExpired, waitUntil, waitUntil
		default:
			// Waited long enough already: asked at once, as dispatch
			// would have at the max-wait time.
			sendAt, base = waitUntil, waitUntil
		}
	}
	if status != closeloop.StatusPending {
		if sendAt.Before(now) {
			sendAt = now
		}
		sendAt = window.Next(sendAt, set.Location())
	}
	sendAt = sendAt.Truncate(time.Second)
	if now.Sub(base) > set.SurveyExpiry() {
		status = closeloop.StatusExpired
	}
	return closeloop.Survey{
		SurveyID:    secret.NewID("s"),
		StoreID:     store.StoreID,
		OrderID:     order.OrderID,
		Customer:    order.Customer,
		Items:       order.Items,
		PurchasedAt: order.PurchasedAt.UTC(),
		Status:      status,
		SendAt:      sendAt,
		ClosesAt:    sendAt.Add(set.SurveyExpiry()),
		Offer: closeloop.PointsOffer{
			PerAnswer:        set.PointsPerAnswer,
			CommentBonus:     set.PointsCommentBonus,
			MinCommentLength: set.MinCommentLength,
		},
		CreatedAt:     now,
		Brand:         set.Branding,
		DefaultLocale: set.DefaultLocale,
		// The keyword rules of the customer's and the store's languages
		// come with it: answering reads the survey alone.
		Policy: set.PolicyFor(order.Customer.Locale),
		// Copied like the policy: what the answer writes expires with the
		// store's retention without reading the store again.
		RetentionMonths: set.Retention(),
		// Copied like the policy: dispatch times the survey from it.
		SurveyAfter: set.SurveyAfter,
		OnNoEvent:   set.OnNoEvent,
		SendWindow:  &window,
		FulfilledAt: utcTime(order.FulfilledAt),
		DeliveredAt: utcTime(order.DeliveredAt),
	}
}

func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Millisecond)
	return &u
}

// Cancel cancels the survey of a cancelled or refunded order, unless it
// was answered: an answer and its points stand. It returns the survey as it
// then stands.
func (s *Service) Cancel(ctx context.Context, storeID, orderID string) (closeloop.Survey, error) {
	return s.surveys.CancelOrder(ctx, storeID, orderID, s.now())
}

// State is what a survey link shows.
type State int

// The states of a survey link.
const (
	Closed   State = iota // unknown, expired or otherwise closed: the neutral page
	Open                  // the form
	Answered              // the original thank-you page
)

// Open finds the survey of a link token. It never writes: mail scanners
// fetch links before customers do.
func (s *Service) Open(ctx context.Context, token string) (closeloop.Survey, State, error) {
	surveyID, hash, ok := secret.ParseToken(token)
	if !ok {
		return closeloop.Survey{}, Closed, nil
	}
	sv, hashes, err := s.surveys.SurveyTokens(ctx, surveyID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return closeloop.Survey{}, Closed, nil
	}
	if err != nil {
		return closeloop.Survey{}, Closed, err
	}
	if !secret.TokenIn(hash, hashes.Survey) || sv.Closed(s.now()) {
		return closeloop.Survey{}, Closed, nil
	}
	if sv.Status == closeloop.StatusAnswered {
		return sv, Answered, nil
	}
	return sv, Open, nil
}

// Submit records an answer given through a link token, and opens its
// follow-up case in the same write when the answer needs one (a low score,
// a detractor, or "contact me"). An invalid answer returns the problems and
// writes nothing. A second or concurrent submit changes nothing and returns
// the survey as first answered.
func (s *Service) Submit(ctx context.Context, token string, a closeloop.Answer) (closeloop.Survey, State, closeloop.Problems, error) {
	sv, state, err := s.Open(ctx, token)
	if err != nil || state != Open {
		return sv, state, nil, err
	}
	r, problems := a.Parse()
	if len(problems) > 0 {
		return sv, Open, problems, nil
	}
	r.Points = sv.Offer.For(r.Comment)
	// Stored times have millisecond precision; the answer shows as stored.
	now := s.now().UTC().Truncate(time.Millisecond)
	var opened *closeloop.Case
	// The survey's keyword rules read the comment; a store's own classifier
	// (closeloop.CaseClassifier) would be passed to closeloop.OpenCase here.
	if c, ok := closeloop.NewCase(sv, r, now); ok {
		r.CaseID, opened = c.CaseID, &c
	}
	stored, _, err := s.surveys.Answer(ctx, sv, r, opened, now)
	if err != nil {
		// Nothing was saved; the survey is still open, so the page can give
		// the customer their answer back to send again.
		return sv, Open, nil, err
	}
	if stored.Status == closeloop.StatusAnswered {
		return stored, Answered, nil, nil
	}
	// The survey left the answerable states between the read and the write
	// (cancelled, say): the link is closed.
	return closeloop.Survey{}, Closed, nil, nil
}

// Unsubscribing finds the survey of an unsubscribe link token; ok is false
// for a link that is not one. It never writes.
func (s *Service) Unsubscribing(ctx context.Context, token string) (sv closeloop.Survey, ok bool, err error) {
	surveyID, hash, valid := secret.ParseToken(token)
	if !valid {
		return closeloop.Survey{}, false, nil
	}
	sv, hashes, err := s.surveys.SurveyTokens(ctx, surveyID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return closeloop.Survey{}, false, nil
	}
	if err != nil || !secret.TokenIn(hash, hashes.Unsubscribe) {
		return closeloop.Survey{}, false, err
	}
	return sv, true, nil
}

// Unsubscribe suppresses the address of an unsubscribe link for its store:
// nothing more is sent to it. Repeating it is harmless.
func (s *Service) Unsubscribe(ctx context.Context, token string) (closeloop.Survey, bool, error) {
	sv, ok, err := s.Unsubscribing(ctx, token)
	if err != nil || !ok {
		return sv, ok, err
	}
	return sv, true, s.customers.Suppress(ctx, sv.StoreID, sv.Customer.Email, "unsubscribed", s.now())
}
