package storeapi

import (
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

// surveyView is a survey as the API shows it.
type surveyView struct {
	SurveyID      string                `json:"survey_id"`
	OrderID       string                `json:"order_id"`
	Status        closeloop.Status      `json:"status"`
	Customer      closeloop.Customer    `json:"customer"`
	Items         []closeloop.Item      `json:"items"`
	PurchasedAt   time.Time             `json:"purchased_at"`
	SendAt        time.Time             `json:"send_at"`
	ClosesAt      time.Time             `json:"closes_at"`
	SentAt        *time.Time            `json:"sent_at"`
	RemindedAt    *time.Time            `json:"reminded_at"`
	AnsweredAt    *time.Time            `json:"answered_at"`
	Offer         closeloop.PointsOffer `json:"points_offer"`
	Response      *closeloop.Response   `json:"response"`
	FailureReason string                `json:"failure_reason,omitempty"`
	// The order's events as recorded (settings survey_after).
	FulfilledAt *time.Time `json:"fulfilled_at,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

func newSurveyView(s closeloop.Survey) surveyView {
	items := s.Items
	if items == nil {
		items = []closeloop.Item{}
	}
	return surveyView{
		SurveyID: s.SurveyID, OrderID: s.OrderID, Status: s.Status, Customer: s.Customer, Items: items,
		PurchasedAt: s.PurchasedAt, SendAt: s.SendAt, ClosesAt: s.ClosesAt, SentAt: s.SentAt, RemindedAt: s.RemindedAt,
		AnsweredAt: s.AnsweredAt, Offer: s.Offer, Response: s.Response, FailureReason: s.FailureReason,
		FulfilledAt: s.FulfilledAt, DeliveredAt: s.DeliveredAt,
	}
}

func (a *API) getSurvey(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	s, err := a.Surveys.Survey(r.Context(), r.PathValue("survey_id"))
	if err != nil {
		return err
	}
	if s.StoreID != key.StoreID {
		// Another store's survey is as absent as a missing one.
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such survey")
	}
	web.JSON(w, http.StatusOK, newSurveyView(s))
	return nil
}
