package pages

import (
	"context"
	"net/http"
	"strconv"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/web"
)

// Rechecks is what the recovery check's page needs (followup.RecheckAnswers).
type Rechecks interface {
	Open(ctx context.Context, token string) (closeloop.Case, followup.RecheckState, error)
	Answer(ctx context.Context, token string, f closeloop.RecheckForm) (closeloop.Case, followup.RecheckState, closeloop.Problems, error)
}

var _ Rechecks = (*followup.RecheckAnswers)(nil)

// WithRechecks serves the recovery check's links (/r/{token}) with
// rechecks; without, they show the closed page.
func (p *Pages) WithRechecks(rechecks Rechecks) *Pages {
	p.rechecks = rechecks
	return p
}

// getRecheck shows the recovery check's form with the email's choice
// (?answer=yes or no) selected. It never records the answer: mail
// scanners follow links, so only the form's POST does.
func (p *Pages) getRecheck(w http.ResponseWriter, r *http.Request) {
	if p.rechecks == nil {
		p.closed(w, r)
		return
	}
	token := r.PathValue("token")
	c, state, err := p.rechecks.Open(r.Context(), token)
	switch {
	case err != nil:
		p.fail(w, r, err)
	case state == followup.RecheckOpen:
		p.write(w, r, http.StatusOK, render.PageRecheck, render.RecheckPage(c, "/r/"+token, r.URL.Query().Get("answer"), 0, nil))
	case state == followup.RecheckAnswered:
		p.write(w, r, http.StatusOK, render.PageRecheck, render.RecheckThanksPage(c, true))
	default:
		p.closed(w, r)
	}
}

// postRecheck records the answer; a second answer changes nothing and
// shows the thank-you of the first.
func (p *Pages) postRecheck(w http.ResponseWriter, r *http.Request) {
	if p.rechecks == nil {
		p.closed(w, r)
		return
	}
	token := r.PathValue("token")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, closeloop.Errorf(closeloop.EINVALID, "the form could not be read"))
		return
	}
	form := closeloop.RecheckForm{Answer: r.PostForm.Get("answer"), Score: r.PostForm.Get("score")}
	c, state, problems, err := p.rechecks.Answer(r.Context(), token, form)
	selected, _ := strconv.Atoi(form.Score)
	switch {
	case err != nil && state == followup.RecheckOpen && web.Status(err) == http.StatusServiceUnavailable:
		// Busy for a moment: nothing was saved; the form comes back as sent.
		w.Header().Set("Retry-After", "5")
		p.write(w, r, http.StatusServiceUnavailable, render.PageRecheck,
			render.RecheckPage(c, "/r/"+token, form.Answer, selected, closeloop.Problems{"busy": "busy"}))
	case err != nil:
		p.fail(w, r, err)
	case state == followup.RecheckOpen:
		p.write(w, r, http.StatusBadRequest, render.PageRecheck, render.RecheckPage(c, "/r/"+token, form.Answer, selected, problems))
	case state == followup.RecheckRecorded, state == followup.RecheckAnswered:
		p.write(w, r, http.StatusOK, render.PageRecheck, render.RecheckThanksPage(c, state == followup.RecheckAnswered))
	default:
		p.closed(w, r)
	}
}
