package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
)

// Stores lists every store. The DynamoDB adapter implements it with a
// query of the stores' list in the "lists" index: no scan.
type Stores interface {
	EachStore(ctx context.Context, each func(closeloop.Store) error) error
}

// Summaries are the store's summaries (summary.Service).
type Summaries interface {
	Summary(ctx context.Context, store closeloop.Store, r closeloop.DayRange, sku string) (closeloop.Summary, error)
	Products(ctx context.Context, store closeloop.Store, r closeloop.DayRange) ([]closeloop.ProductSummary, error)
}

// Responses lists a store's responses, newest first.
type Responses interface {
	Responses(ctx context.Context, storeID string, f closeloop.ResponseFilter) ([]closeloop.ResponseItem, string, error)
}

// Cases lists a store's follow-up cases, oldest first.
type Cases interface {
	Cases(ctx context.Context, storeID string, f closeloop.CaseFilter) ([]closeloop.Case, string, error)
}

// Mail sends an email once (mailing.Sender).
type Mail interface {
	Send(ctx context.Context, e mailing.Email) (mailing.Result, error)
}

// Deps are what the digest reads and sends with.
type Deps struct {
	Stores    Stores
	Summaries Summaries
	Responses Responses
	Cases     Cases
	Mail      Mail
	Renderer  *render.Renderer
}

// Config is what composing the digest needs besides the store.
type Config struct {
	PublicBaseURL string // the dashboard and the unsubscribe page live under it
	DefaultSender string // the From address when a store sets none
}

// How much of each list a digest shows.
const (
	worstProducts = 3
	unhappyShown  = 5
	overdueShown  = 10
	unhappyPages  = 3 // pages of responses read for the unhappy comments at most
)

// Report counts what one run did.
type Report struct {
	Stores  int `json:"stores"`  // stores looked at
	Due     int `json:"due"`     // stores whose digest is due now
	Sent    int `json:"sent"`    // digests sent now
	Skipped int `json:"skipped"` // not sent: sent before this week, or the address is opted out, suppressed or refused
	Failed  int `json:"failed"`  // left for a later run today
}

// Service sends the weekly digests.
type Service struct {
	deps Deps
	cfg  Config
	now  func() time.Time
}

// New returns a Service; now is the clock.
func New(deps Deps, cfg Config, now func() time.Time) *Service {
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	return &Service{deps: deps, cfg: cfg, now: now}
}

// Run sends the digest of every store that is due one now to each of its
// owner addresses that did not opt out. It is meant to run every hour and
// safe to run any number of times: each address gets one digest per store
// and ISO week. One store's failure does not stop the others; its digest
// is tried again by the next run that day. The error is the listing's.
func (s *Service) Run(ctx context.Context) (Report, error) {
	var rep Report
	now := s.now()
	err := s.deps.Stores.EachStore(ctx, func(store closeloop.Store) error {
		rep.Stores++
		week, due := Due(store.Settings, now)
		if !due {
			return nil
		}
		rep.Due++
		s.send(ctx, store, week, now, &rep)
		// A run out of time stops rather than fail every store left.
		return ctx.Err()
	})
	return rep, err
}

// send sends a store's digest of week to its owners.
func (s *Service) send(ctx context.Context, store closeloop.Store, week Week, now time.Time, rep *Report) {
	to, optedOut := recipients(store)
	rep.Skipped += optedOut
	if len(to) == 0 {
		return
	}
	if store.CursorKey == "" {
		// Its unsubscribe links could be forged; `storectl` gives the
		// store a key of its own.
		slog.WarnContext(ctx, "store has no key to sign digest unsubscribe links: digest not sent", "store_id", store.StoreID)
		rep.Skipped += len(to)
		return
	}
	facts, err := s.gather(ctx, store, week, now)
	if err != nil {
		slog.ErrorContext(ctx, "digest not gathered", "store_id", store.StoreID, "week", week.ISO, "err", err)
		rep.Failed += len(to)
		return
	}
	for _, addr := range to {
		result, err := s.sendTo(ctx, store, week, facts, addr)
		switch {
		case err != nil:
			slog.ErrorContext(ctx, "digest not sent", "store_id", store.StoreID, "week", week.ISO, "err", err)
			rep.Failed++
		case result == mailing.Sent:
			rep.Sent++
		default:
			rep.Skipped++
		}
	}
}

// recipients are the store's owner addresses that get its digest, each
// once, and how many opted out.
func recipients(store closeloop.Store) (to []string, optedOut int) {
	for _, raw := range store.Settings.OwnerEmails {
		addr := normalize(raw)
		switch {
		case addr == "" || slices.Contains(to, addr):
		case slices.Contains(store.DigestOptOut, AddressHash(addr)):
			optedOut++
		default:
			to = append(to, addr)
		}
	}
	return to, optedOut
}

// gather reads what the week's digest reports: the same for every owner.
func (s *Service) gather(ctx context.Context, store closeloop.Store, week Week, now time.Time) (render.DigestFacts, error) {
	f := render.DigestFacts{Store: store, Week: week.Last, DashboardURL: s.cfg.PublicBaseURL + "/app"}
	var err error
	if f.Last, err = s.deps.Summaries.Summary(ctx, store, week.Last, ""); err != nil {
		return f, fmt.Errorf("summary of the week: %w", err)
	}
	if f.Before, err = s.deps.Summaries.Summary(ctx, store, week.Before, ""); err != nil {
		return f, fmt.Errorf("summary of the week before: %w", err)
	}
	products, err := s.deps.Summaries.Products(ctx, store, week.Last)
	if err != nil {
		return f, fmt.Errorf("products: %w", err)
	}
	for _, p := range products {
		// Worst first already; a product only sent this week says nothing.
		if p.CSAT.Answers > 0 && len(f.Worst) < worstProducts {
			f.Worst = append(f.Worst, p)
		}
	}
	if f.Unhappy, err = s.unhappy(ctx, store, week); err != nil {
		return f, fmt.Errorf("unhappy comments: %w", err)
	}
	var next string
	f.Overdue, next, err = s.deps.Cases.Cases(ctx, store.StoreID, closeloop.CaseFilter{Status: "overdue", Now: now, Limit: overdueShown})
	if err != nil {
		return f, fmt.Errorf("overdue follow-ups: %w", err)
	}
	f.MoreOverdue = next != ""
	return f, nil
}

// unhappy reads the week's newest answers at or below the store's CSAT
// threshold that carry a comment. A page can come back short while more
// follow, so a few pages are read before giving up on filling the list.
func (s *Service) unhappy(ctx context.Context, store closeloop.Store, week Week) ([]closeloop.ResponseItem, error) {
	hasComment := true
	f := closeloop.ResponseFilter{From: week.From, To: week.To, HasComment: &hasComment, CursorKey: store.CursorKey}
	for score := 1; score <= store.Settings.CSATThreshold; score++ {
		f.Scores = append(f.Scores, score)
	}
	var found []closeloop.ResponseItem
	for range unhappyPages {
		f.Limit = unhappyShown - len(found)
		page, next, err := s.deps.Responses.Responses(ctx, store.StoreID, f)
		if err != nil {
			return nil, err
		}
		found = append(found, page...)
		if next == "" || len(found) >= unhappyShown {
			break
		}
		f.Cursor = next
	}
	return found, nil
}

// sendTo renders the digest for one owner, with the link that turns it off
// for them, and sends it once for the store and week.
func (s *Service) sendTo(ctx context.Context, store closeloop.Store, week Week, facts render.DigestFacts, addr string) (mailing.Result, error) {
	token, ok := UnsubscribeToken(store, addr)
	if !ok {
		return 0, errors.New("no key to sign the unsubscribe link")
	}
	facts.UnsubscribeURL = s.cfg.PublicBaseURL + "/d/" + token
	email, err := s.deps.Renderer.RenderEmail(render.NewDigestEmail(facts))
	if err != nil {
		return 0, err
	}
	return s.deps.Mail.Send(ctx, mailing.Email{
		StoreID: store.StoreID, Kind: closeloop.KindDigest, About: store.StoreID + "#" + week.ISO,
		Message: closeloop.Message{
			From: store.From(s.cfg.DefaultSender), To: addr,
			Subject: email.Subject, HTML: email.HTML, Text: email.Text,
			// RFC 8058 one-click: mail clients offer their own button.
			Headers: []closeloop.Header{
				{Name: "List-Unsubscribe", Value: "<" + facts.UnsubscribeURL + ">"},
				{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
			},
		},
	})
}
