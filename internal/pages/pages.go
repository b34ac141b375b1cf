// Package pages serves what customers open from their emails: the survey
// page (/s/{token}), the unsubscribe page (/u/{token}) and the recovery
// check's page (/r/{token}); and what store
// owners open from the weekly digest: its own unsubscribe page
// (/d/{token}). The token in the link is the only credential.
package pages

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/web"
)

// Surveys is what the pages need of the survey service.
type Surveys interface {
	Open(ctx context.Context, token string) (closeloop.Survey, survey.State, error)
	Submit(ctx context.Context, token string, a closeloop.Answer) (closeloop.Survey, survey.State, closeloop.Problems, error)
	Unsubscribing(ctx context.Context, token string) (closeloop.Survey, bool, error)
	Unsubscribe(ctx context.Context, token string) (closeloop.Survey, bool, error)
}

var _ Surveys = (*survey.Service)(nil)

// Digests is what the owners' digest unsubscribe page needs.
type Digests interface {
	Unsubscribing(ctx context.Context, token string) (digest.Subscription, bool, error)
	Unsubscribe(ctx context.Context, token string) (digest.Subscription, bool, error)
}

var _ Digests = (*digest.Unsubscribes)(nil)

// Pages is the customer pages' handlers.
type Pages struct {
	surveys  Surveys
	digests  Digests
	renderer *render.Renderer
	// rechecks answers the recovery check's links (recheck.go).
	rechecks Rechecks
}

// New returns the customer pages and the owners' digest unsubscribe page.
func New(surveys Surveys, digests Digests, renderer *render.Renderer) *Pages {
	return &Pages{surveys: surveys, digests: digests, renderer: renderer}
}

// Routes lists every route of the customer pages.
func (p *Pages) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{token}", p.getSurvey)
	mux.HandleFunc("POST /s/{token}", p.postSurvey)
	mux.HandleFunc("GET /u/{token}", p.getUnsubscribe)
	mux.HandleFunc("POST /u/{token}", p.postUnsubscribe)
	mux.HandleFunc("GET /d/{token}", p.getDigestUnsubscribe)
	mux.HandleFunc("POST /d/{token}", p.postDigestUnsubscribe)
	mux.HandleFunc("GET /r/{token}", p.getRecheck)
	mux.HandleFunc("POST /r/{token}", p.postRecheck)
	return web.Log(web.PageHeaders(mux))
}

// maxFormBody bounds a survey form: a 2000-character comment in UTF-8,
// percent-encoded, is at most 18 kB.
const maxFormBody = 32 << 10

func (p *Pages) getSurvey(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	s, state, err := p.surveys.Open(r.Context(), token)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	switch state {
	case survey.Open:
		selected, _ := strconv.Atoi(r.URL.Query().Get("score"))
		if selected < 1 || selected > 5 {
			selected = 0
		}
		p.write(w, r, http.StatusOK, render.PageSurvey, render.SurveyPage(s, "/s/"+token, closeloop.Answer{}, selected, nil))
	case survey.Answered:
		p.write(w, r, http.StatusOK, render.PageThanks, render.ThanksPage(s))
	default:
		p.closed(w, r)
	}
}

func (p *Pages) postSurvey(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		// An oversized or garbled form: show the form again, nothing saved;
		// an answered survey keeps showing its thank-you page.
		s, state, err := p.surveys.Open(r.Context(), token)
		if err == nil && state == survey.Answered {
			p.write(w, r, http.StatusOK, render.PageThanks, render.ThanksPage(s))
			return
		}
		if err != nil || state != survey.Open {
			p.closedOr(w, r, err)
			return
		}
		problems := closeloop.Problems{"comment": "long"}
		p.write(w, r, http.StatusBadRequest, render.PageSurvey, render.SurveyPage(s, "/s/"+token, closeloop.Answer{}, 0, problems))
		return
	}
	answer := closeloop.Answer{
		Score:     r.PostForm.Get("score"),
		NPS:       r.PostForm.Get("nps"),
		Comment:   r.PostForm.Get("comment"),
		ContactMe: r.PostForm.Get("contact_me") != "",
	}
	s, state, problems, err := p.surveys.Submit(r.Context(), token, answer)
	if err != nil && state == survey.Open && web.Status(err) == http.StatusServiceUnavailable {
		// Busy for a moment: nothing was saved. The form comes back with
		// the customer's score and words, to send again, not lost.
		selected, _ := strconv.Atoi(answer.Score)
		w.Header().Set("Retry-After", "5")
		p.write(w, r, http.StatusServiceUnavailable, render.PageSurvey,
			render.SurveyPage(s, "/s/"+token, answer, selected, closeloop.Problems{"busy": "busy"}))
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	switch {
	case state == survey.Open && len(problems) > 0:
		selected, _ := strconv.Atoi(answer.Score)
		p.write(w, r, http.StatusBadRequest, render.PageSurvey, render.SurveyPage(s, "/s/"+token, answer, selected, problems))
	case state == survey.Answered:
		p.write(w, r, http.StatusOK, render.PageThanks, render.ThanksPage(s))
	default:
		p.closed(w, r)
	}
}

// getUnsubscribe asks for confirmation: a GET must not unsubscribe, since
// mail scanners open links.
func (p *Pages) getUnsubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	s, ok, err := p.surveys.Unsubscribing(r.Context(), token)
	if err != nil || !ok {
		p.closedOr(w, r, err)
		return
	}
	p.write(w, r, http.StatusOK, render.PageUnsubscribe, render.UnsubscribePage(s, "/u/"+token, false))
}

// postUnsubscribe unsubscribes, from the page's button or from a mail
// client's RFC 8058 one-click POST (body List-Unsubscribe=One-Click).
func (p *Pages) postUnsubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	s, ok, err := p.surveys.Unsubscribe(r.Context(), token)
	if err != nil || !ok {
		p.closedOr(w, r, err)
		return
	}
	p.write(w, r, http.StatusOK, render.PageUnsubscribe, render.UnsubscribePage(s, "/u/"+token, true))
}

// getDigestUnsubscribe asks a store owner to confirm leaving the weekly
// digest; like the survey's, it changes nothing on a GET.
func (p *Pages) getDigestUnsubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	sub, ok, err := p.digests.Unsubscribing(r.Context(), token)
	if err != nil || !ok {
		p.closedOr(w, r, err)
		return
	}
	p.write(w, r, http.StatusOK, render.PageDigestUnsubscribe, render.DigestUnsubscribePage(sub.Store, sub.Address, "/d/"+token, sub.OptedOut))
}

// postDigestUnsubscribe turns the digest off for the link's address, from
// the page's button or a mail client's RFC 8058 one-click POST.
func (p *Pages) postDigestUnsubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	sub, ok, err := p.digests.Unsubscribe(r.Context(), token)
	if err != nil || !ok {
		p.closedOr(w, r, err)
		return
	}
	p.write(w, r, http.StatusOK, render.PageDigestUnsubscribe, render.DigestUnsubscribePage(sub.Store, sub.Address, "/d/"+token, true))
}

func (p *Pages) closedOr(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.closed(w, r)
}

// closed writes the one neutral page, with one status, for every link
// that does not open a survey.
func (p *Pages) closed(w http.ResponseWriter, r *http.Request) {
	p.write(w, r, http.StatusNotFound, render.PageClosed, render.ClosedPage(r.Header.Get("Accept-Language")))
}

// fail answers a storage failure. Nothing was saved, so the customer is
// asked to try again rather than shown a thank-you.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := web.Status(err)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	} else {
		slog.ErrorContext(r.Context(), "page failed", "method", r.Method, "err", err)
	}
	msg := "Sorry, this page could not be loaded. Please try again in a minute.\n"
	if r.Method == http.MethodPost {
		msg = "Sorry, something went wrong and nothing was saved. Please try again in a minute.\n"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}

func (p *Pages) write(w http.ResponseWriter, r *http.Request, status int, name string, data render.Page) {
	var buf bytes.Buffer
	if err := p.renderer.WritePage(&buf, name, data); err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
