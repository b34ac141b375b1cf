package storeapi

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

// exportView is GET /v1/customers/{email}/export: everything the store
// holds about the person, for the store to hand to them.
type exportView struct {
	Email       string                       `json:"email"`
	ExportedAt  time.Time                    `json:"exported_at"`
	Profile     closeloop.CustomerProfile    `json:"profile"`
	Points      closeloop.Points             `json:"points"`
	Adjustments []closeloop.AdjustmentRecord `json:"adjustments"`
	Surveys     []exportSurvey               `json:"surveys"`
	Followups   []closeloop.CaseView         `json:"followups"`
}

// exportSurvey is a survey as GET /v1/surveys/{survey_id} shows it, its
// response with the time of the answer. Response, being shallower,
// replaces surveyView's in the JSON.
type exportSurvey struct {
	surveyView
	Response *exportResponse `json:"response"`
}

// exportResponse is an answer with its time.
type exportResponse struct {
	closeloop.Response
	AnsweredAt time.Time `json:"answered_at"`
}

func newExportView(d closeloop.CustomerData, now time.Time) exportView {
	v := exportView{
		Email: d.Email, ExportedAt: now, Profile: d.Profile,
		Points:      closeloop.Points{Balance: d.Profile.Balance, Ledger: d.Ledger},
		Adjustments: d.Adjustments, Surveys: []exportSurvey{}, Followups: []closeloop.CaseView{},
	}
	for _, cs := range d.Surveys {
		s := exportSurvey{surveyView: newSurveyView(cs.Survey)}
		// The listed response item is the answer as the store's lists show
		// it; the survey's own copy stands in when it was not found.
		switch {
		case cs.Response != nil:
			s.Response = &exportResponse{Response: cs.Response.Response, AnsweredAt: cs.Response.AnsweredAt}
		case cs.Survey.Response != nil && cs.Survey.AnsweredAt != nil:
			s.Response = &exportResponse{Response: *cs.Survey.Response, AnsweredAt: *cs.Survey.AnsweredAt}
		}
		v.Surveys = append(v.Surveys, s)
	}
	for _, c := range d.Cases {
		v.Followups = append(v.Followups, closeloop.NewCaseView(c, now))
	}
	return v
}

// exportCustomer answers with everything the store holds about the
// {email} path segment's customer (percent-encoded: "+", "%" and "#" are
// address characters).
func (a *API) exportCustomer(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	email, err := customerEmail(r)
	if err != nil {
		return err
	}
	data, err := a.Privacy.ExportCustomer(r.Context(), key.StoreID, email)
	if err != nil {
		return err
	}
	// A person's data: not for any cache on the way.
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, newExportView(data, a.now().UTC().Truncate(time.Millisecond)))
	return nil
}

// eraseCustomer erases the customer and answers with what was removed
// and anonymised. Repeating it is safe and finishes an erase that failed
// part way; it then counts only what was left.
func (a *API) eraseCustomer(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	email, err := customerEmail(r)
	if err != nil {
		return err
	}
	res, err := a.Privacy.EraseCustomer(r.Context(), key.StoreID, email, a.now())
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, res)
	return nil
}

// EscapeDecodedPath undoes what API Gateway's HTTP API does to a path
// before the function sees it: it delivers rawPath percent-decoded, so an
// address with "%" or "#" in /v1/customers/{email}/… would not even parse
// as a URL. Each segment is escaped again, and the mux unescapes it once,
// as behind any other server. "+" stays a plus. An address holding "/" or
// "?" cannot be told apart once decoded: such addresses cannot be named
// in a path through the HTTP API.
func EscapeDecodedPath(rawPath string) string {
	segments := strings.Split(rawPath, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	return strings.Join(segments, "/")
}
