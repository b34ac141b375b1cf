package dashboard

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/i18n"
)

// queuePageSize is how many cases a page of the queue lists (a variable
// only so that tests can page through a few).
var queuePageSize = 25

// queueTabs are the queue's tabs, in the order shown; the first is the
// default. Each is a status the store API's list takes.
var queueTabs = []string{"open", "claimed", "overdue", "resolved"}

// queueView is the follow-up queue page.
type queueView struct {
	Tab   string
	Tabs  []string
	Cases []closeloop.CaseView
	Next  string // the next page's address, "" on the last
	Loc   *time.Location
}

// followups lists the store's cases of one tab, oldest first, a page at a
// time, as GET /v1/followups lists them.
func (d *Dashboard) followups(w http.ResponseWriter, r *http.Request, v Viewer) error {
	q := r.URL.Query()
	tab := q.Get("status")
	if tab == "" {
		tab = queueTabs[0]
	}
	if !slices.Contains(queueTabs, tab) {
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such list of follow-ups")
	}
	cases, next, err := d.Followups.List(r.Context(), v.StoreID, closeloop.CaseFilter{
		Status: tab, Limit: queuePageSize, Cursor: q.Get("cursor"),
	})
	if err != nil {
		return err
	}
	now := d.now()
	view := queueView{Tab: tab, Tabs: queueTabs, Cases: make([]closeloop.CaseView, len(cases)), Loc: v.Store.Settings.Location()}
	for i, c := range cases {
		view.Cases[i] = closeloop.NewCaseView(c, now)
	}
	if next != "" {
		view.Next = "/app/followups?" + url.Values{"status": {tab}, "cursor": {next}}.Encode()
	}
	t := Lang(r)
	d.write(w, r, http.StatusOK, "followups", Page{T: t, V: &v, Title: t.Get("app.queue.title"), Nav: "followups", Data: view})
	return nil
}

// caseView is a case's page: the case, the customer's other surveys, and
// the forms of the moves support can make on it.
type caseView struct {
	Case    closeloop.CaseView
	History []closeloop.HistoryEntry
	Loc     *time.Location
	// Reasons are the store's case reasons, for resolving and tagging;
	// Outcomes how a resolution can end.
	Reasons  []string
	Outcomes []string
	// Mine is true when the viewer holds the claim.
	Mine bool
	// Conflict explains why the move just tried did not happen (the case
	// changed under the viewer); "" otherwise.
	Conflict string
	// Errors are the refused form's problems by field, with Form the
	// values it was sent with, to show them again.
	Errors map[string]string
	Form   caseForm
}

// caseForm is what the note and resolve forms were sent with.
type caseForm struct {
	Note            string
	Resolution      string
	Outcome         string
	Reason          string
	Notify          bool
	CustomerMessage string
}

// followup shows a case with the customer's history and the moves support
// can make on it.
func (d *Dashboard) followup(w http.ResponseWriter, r *http.Request, v Viewer) error {
	flash := ""
	if done := r.URL.Query().Get("done"); slices.Contains(caseActions, done) {
		flash = Lang(r).Get("app.queue.done." + done)
	}
	return d.showCase(w, r, v, http.StatusOK, flash, caseView{})
}

// showCase draws the case of the request's path with status: base brings
// a refused move's message, errors and form values.
func (d *Dashboard) showCase(w http.ResponseWriter, r *http.Request, v Viewer, status int, flash string, base caseView) error {
	c, history, err := d.Followups.Get(r.Context(), v.StoreID, r.PathValue("case_id"))
	if err != nil {
		return err
	}
	view := base
	view.Case, view.History = closeloop.NewCaseView(c, d.now()), history
	view.Loc = v.Store.Settings.Location()
	view.Reasons, view.Outcomes = v.Store.Settings.CaseReasons, closeloop.CaseOutcomes
	view.Mine = c.Status == closeloop.CaseClaimed && c.Assignee == v.Email
	t := Lang(r)
	d.write(w, r, status, "followup", Page{T: t, V: &v, Title: t.Get("app.queue.case_title", c.Customer.Email), Nav: "followups", Flash: flash, Data: view})
	return nil
}

// caseActions are the moves a case's page posts, as the last part of
// POST /app/followups/{case_id}/{action}.
var caseActions = []string{"claim", "release", "note", "resolve", "reopen", "tags"}

// followupAction makes a move on a case as the signed-in person, through
// the same service calls as the store API: on success back to the case
// with a confirmation; a conflict shows the case as it now stands; bad
// input shows the form again with its problems.
func (d *Dashboard) followupAction(w http.ResponseWriter, r *http.Request, v Viewer) error {
	ctx, caseID := r.Context(), r.PathValue("case_id")
	action := r.PathValue("action")
	// The page middleware has parsed the form (CheckForm).
	form := caseForm{
		Note: r.PostFormValue("text"), Resolution: r.PostFormValue("resolution"),
		Outcome: r.PostFormValue("outcome"), Reason: r.PostFormValue("reason"),
		Notify: r.PostFormValue("notify_customer") != "", CustomerMessage: r.PostFormValue("customer_message"),
	}
	var err error
	switch action {
	case "claim":
		_, err = d.Followups.Claim(ctx, v.StoreID, caseID, v.Email)
	case "release":
		_, err = d.Followups.Release(ctx, v.StoreID, caseID)
	case "note":
		_, _, err = d.Followups.Note(ctx, v.StoreID, caseID, v.Email, form.Note)
	case "resolve":
		_, err = d.Followups.Resolve(ctx, v.StoreID, caseID, closeloop.Resolution{
			Text: form.Resolution, NotifyCustomer: form.Notify, CustomerMessage: form.CustomerMessage,
			Outcome: form.Outcome, Reason: form.Reason,
		})
	case "reopen":
		_, err = d.Followups.Reopen(ctx, v.StoreID, caseID)
	case "tags":
		_, err = d.Followups.Tag(ctx, v.StoreID, caseID, r.PostForm["tags"])
	default:
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such move on a follow-up")
	}
	t := Lang(r)
	var conflict *followup.Conflict
	var invalid *closeloop.Error
	switch {
	case errors.As(err, &conflict):
		return d.showCase(w, r, v, http.StatusConflict, "", caseView{Conflict: conflictText(t, conflict.Current)})
	case errors.As(err, &invalid) && invalid.Code == closeloop.EINVALID:
		return d.showCase(w, r, v, http.StatusBadRequest, "", caseView{Errors: fieldErrors(t, invalid.Fields), Form: form})
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/app/followups/"+url.PathEscape(caseID)+"?done="+action, http.StatusSeeOther)
	return nil
}

// conflictText says, in the viewer's language, where the case stands now
// that a move on it did not happen.
func conflictText(t i18n.Text, c closeloop.Case) string {
	switch c.Status {
	case closeloop.CaseClaimed:
		return t.Get("app.queue.conflict.claimed", c.Assignee)
	case closeloop.CaseResolved:
		return t.Get("app.queue.conflict.resolved")
	default:
		return t.Get("app.queue.conflict.open")
	}
}

// fieldErrors turns the service's problems into texts in the viewer's
// language, by form field; a field without a text of its own gets the
// general one.
func fieldErrors(t i18n.Text, fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for field := range fields {
		key := "app.queue.invalid." + field
		if msg := t.Get(key); msg != key {
			out[field] = msg
		} else {
			out[field] = t.Get("app.queue.invalid")
		}
	}
	if len(out) == 0 {
		out["form"] = t.Get("app.queue.invalid")
	}
	return out
}

func init() {
	// excerpt shortens a comment for a list, at a word when it can.
	funcs["excerpt"] = func(s string, n int) string {
		s = strings.Join(strings.Fields(s), " ")
		if utf8.RuneCountInString(s) <= n {
			return s
		}
		cut := string([]rune(s)[:n])
		if i := strings.LastIndexByte(cut, ' '); i > n/2 {
			cut = cut[:i]
		}
		return cut + "…"
	}
	// label is the text of key + "." + name in the viewer's language, or
	// name itself when the catalog has none (a store's own case reason).
	funcs["label"] = func(t i18n.Text, key, name string) string {
		if msg := t.Get(key + "." + name); msg != key+"."+name {
			return msg
		}
		return strings.ReplaceAll(name, "_", " ")
	}
	funcs["has"] = func(list []string, s string) bool { return slices.Contains(list, s) }
}
