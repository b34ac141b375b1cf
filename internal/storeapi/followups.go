package storeapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/web"
)

// historyView is one of the customer's other surveys on a case's page.
type historyView struct {
	Survey   surveyView `json:"survey"`
	Followup *caseRef   `json:"followup"`
}

// caseRef names a case and where it stands.
type caseRef struct {
	CaseID string               `json:"id"`
	Status closeloop.CaseStatus `json:"status"`
}

// pageLimit reads the limit of a list: 50 when absent, at most 200.
func pageLimit(r *http.Request) (int, error) {
	raw := r.URL.Query().Get("limit")
	if raw == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 200 {
		return 0, &closeloop.Error{Code: closeloop.EINVALID, Message: "bad limit", Fields: map[string]string{"limit": "must be from 1 to 200"}}
	}
	return n, nil
}

func (a *API) listFollowups(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	limit, err := pageLimit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	cases, next, err := a.Followups.List(r.Context(), key.StoreID, closeloop.CaseFilter{
		Status: q.Get("status"), Limit: limit, Cursor: q.Get("cursor"),
	})
	if err != nil {
		return err
	}
	now := a.now()
	items := make([]closeloop.CaseView, len(cases))
	for i, c := range cases {
		items[i] = closeloop.NewCaseView(c, now)
	}
	var cursor *string
	if next != "" {
		cursor = &next
	}
	web.JSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": cursor})
	return nil
}

func (a *API) getFollowup(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	c, history, err := a.Followups.Get(r.Context(), key.StoreID, r.PathValue("case_id"))
	if err != nil {
		return err
	}
	views := make([]historyView, len(history))
	for i, h := range history {
		views[i].Survey = newSurveyView(h.Survey)
		if h.Case != nil {
			views[i].Followup = &caseRef{CaseID: h.Case.CaseID, Status: h.Case.Status}
		}
	}
	web.JSON(w, http.StatusOK, struct {
		closeloop.CaseView
		History []historyView `json:"customer_history"`
	}{closeloop.NewCaseView(c, a.now()), views})
	return nil
}

// caseMove answers a move on a case: the case after it, or for a Conflict
// 409 with the case as it stands.
func (a *API) caseMove(w http.ResponseWriter, r *http.Request, status int, c closeloop.Case, err error) error {
	var conflict *followup.Conflict
	if errors.As(err, &conflict) {
		web.ErrorWith(w, r, conflict.Err, "followup", closeloop.NewCaseView(conflict.Current, a.now()))
		return nil
	}
	if err != nil {
		return err
	}
	web.JSON(w, status, closeloop.NewCaseView(c, a.now()))
	return nil
}

func (a *API) claimFollowup(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var in struct {
		Assignee string `json:"assignee"`
	}
	if err := web.Decode(w, r, &in, 4<<10); err != nil {
		return err
	}
	c, err := a.Followups.Claim(r.Context(), key.StoreID, r.PathValue("case_id"), in.Assignee)
	return a.caseMove(w, r, http.StatusOK, c, err)
}

func (a *API) releaseFollowup(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	if err := decodeEmpty(w, r); err != nil {
		return err
	}
	c, err := a.Followups.Release(r.Context(), key.StoreID, r.PathValue("case_id"))
	return a.caseMove(w, r, http.StatusOK, c, err)
}

func (a *API) reopenFollowup(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	if err := decodeEmpty(w, r); err != nil {
		return err
	}
	c, err := a.Followups.Reopen(r.Context(), key.StoreID, r.PathValue("case_id"))
	return a.caseMove(w, r, http.StatusOK, c, err)
}

func (a *API) noteFollowup(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var in struct {
		Text   string `json:"text"`
		Author string `json:"author"`
	}
	if err := web.Decode(w, r, &in, 32<<10); err != nil {
		return err
	}
	author := in.Author
	if author == "" {
		author = key.Name // the key's name says who, when the caller does not
	}
	c, _, err := a.Followups.Note(r.Context(), key.StoreID, r.PathValue("case_id"), author, in.Text)
	return a.caseMove(w, r, http.StatusCreated, c, err)
}

func (a *API) resolveFollowup(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var in struct {
		Resolution      string `json:"resolution"`
		NotifyCustomer  bool   `json:"notify_customer"`
		CustomerMessage string `json:"customer_message"`
		Outcome         string `json:"outcome"`
		Reason          string `json:"reason"`
	}
	if err := web.Decode(w, r, &in, 32<<10); err != nil {
		return err
	}
	c, err := a.Followups.Resolve(r.Context(), key.StoreID, r.PathValue("case_id"), closeloop.Resolution{
		Text: in.Resolution, NotifyCustomer: in.NotifyCustomer, CustomerMessage: in.CustomerMessage,
		Outcome: in.Outcome, Reason: in.Reason,
	})
	return a.caseMove(w, r, http.StatusOK, c, err)
}

func (a *API) tagFollowup(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var in struct {
		Tags *[]string `json:"tags"`
	}
	if err := web.Decode(w, r, &in, 4<<10); err != nil {
		return err
	}
	if in.Tags == nil {
		return &closeloop.Error{Code: closeloop.EINVALID, Message: "the tags are not valid",
			Fields: map[string]string{"tags": "must be a list of the store's case_reasons ([] clears them)"}}
	}
	c, err := a.Followups.Tag(r.Context(), key.StoreID, r.PathValue("case_id"), *in.Tags)
	return a.caseMove(w, r, http.StatusOK, c, err)
}

// decodeEmpty accepts a body that is empty or an empty JSON object, for
// moves that take no input.
func decodeEmpty(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<10))
	if err != nil {
		return closeloop.Errorf(closeloop.EINVALID, "this request takes no body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var none struct{}
	return web.Decode(w, r, &none, 1<<10)
}
