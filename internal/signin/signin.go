// Package signin signs owners and support in to the dashboard: a link
// emailed to an owner or support address of a store's settings, used
// once within 15 minutes, opens a session kept under the hash of its
// cookie; the person's role is read again from the store's settings at
// every use (closeloop/signin.go holds the rules).
package signin

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/secret"
)

// Table is what signing in keeps in the table; the DynamoDB adapter
// implements it.
type Table interface {
	CountSignIn(ctx context.Context, counts []closeloop.RateCount, now time.Time) error
	StaffStores(ctx context.Context, email string) ([]string, error)
	StoresByID(ctx context.Context, ids []string) ([]closeloop.Store, error)
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
	PutSignInLink(ctx context.Context, hash string, l closeloop.SignInLink) error
	TakeSignInLink(ctx context.Context, hash string, now time.Time) (closeloop.SignInLink, error)
	PutSession(ctx context.Context, hash string, s closeloop.Session) error
	Session(ctx context.Context, hash string, now time.Time) (closeloop.Session, error)
	UpdateSession(ctx context.Context, hash string, s closeloop.Session) error
	TouchSession(ctx context.Context, hash string, s closeloop.Session) error
	DeleteSession(ctx context.Context, hash string) error
}

// Config is the deployment's part of sign-in.
type Config struct {
	PublicBaseURL string // the links' base, such as https://feedback.example.com; "" for the request's own
	DefaultSender string // the From of a link to staff of several stores, and of stores without a granted sender
	// MinAnswer is the least time RequestLink takes, whether or not it
	// sends a link, so that its timing does not tell registered addresses
	// from others. 0 in tests that do not measure it.
	MinAnswer time.Duration
}

// DefaultMinAnswer is the production MinAnswer: above a DynamoDB write
// and an SES send together, as measured at the 99th percentile.
const DefaultMinAnswer = 700 * time.Millisecond

// Service signs people in and finds their sessions.
type Service struct {
	table    Table
	mailer   closeloop.Mailer
	renderer *render.Renderer
	cfg      Config
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration)
}

// New returns the Service; now is the clock.
func New(table Table, mailer closeloop.Mailer, renderer *render.Renderer, cfg Config, now func() time.Time) *Service {
	return &Service{table: table, mailer: mailer, renderer: renderer, cfg: cfg, now: now, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Request is a request for a sign-in link.
type Request struct {
	Email  string // as typed
	Client string // closeloop.SignInClient of the request
	Lang   string // the browser's language, for the email
	Next   string // the page to land on after signing in
	// Origin is the request's own https origin, the links' base when
	// Config.PublicBaseURL is empty (a stack without a custom domain).
	Origin string
}

// RequestLink emails a sign-in link to r.Email when it is an owner or
// support address of a store, and does nothing more otherwise: the caller
// answers the same either way. EINVALID for what is no email address;
// ERATELIMITED when the address or the client asked too often. It never
// answers before MinAnswer, measured from its start.
func (s *Service) RequestLink(ctx context.Context, r Request) error {
	start := time.Now()
	email, problem := closeloop.CheckEmail(r.Email)
	if problem != "" {
		return &closeloop.Error{Code: closeloop.EINVALID, Message: "not an email address", Fields: map[string]string{"email": problem}}
	}
	err := s.requestLink(ctx, email, r)
	// Whatever happened, the answer waits as long as a sent link would.
	s.sleep(ctx, s.cfg.MinAnswer-time.Since(start))
	return err
}

func (s *Service) requestLink(ctx context.Context, email string, r Request) error {
	now := s.now()
	err := s.table.CountSignIn(ctx, []closeloop.RateCount{
		{Limit: closeloop.SignInPerAddress, Subject: secret.Hash(email)[:32]},
		{Limit: closeloop.SignInPerClient, Subject: secret.Hash(r.Client)[:32]},
	}, now)
	if err != nil {
		return err
	}
	stores, err := s.staffStores(ctx, email)
	if err != nil || len(stores) == 0 {
		return err
	}
	// From here on only a registered address gets: a failure is logged,
	// never answered, or the answer would tell the address is registered.
	if err := s.sendLink(ctx, email, stores, r, now); err != nil {
		slog.ErrorContext(ctx, "sign-in link not sent", "stores", len(stores), "err", err)
	}
	return nil
}

// sendLink saves a new link for email and emails it.
func (s *Service) sendLink(ctx context.Context, email string, stores []closeloop.Store, r Request, now time.Time) error {
	token, err := s.issue(ctx, email, stores, r.Next, now)
	if err != nil {
		return err
	}
	base := s.cfg.PublicBaseURL
	if base == "" {
		base = r.Origin
	}
	e, err := s.renderer.RenderEmail(render.NewSignInEmail(r.Lang, stores, linkURL(base, token)))
	if err != nil {
		return err
	}
	from := (&mail.Address{Name: "closeloop", Address: s.cfg.DefaultSender}).String()
	tags := []closeloop.Tag{{Name: "kind", Value: closeloop.KindSignIn}}
	if len(stores) == 1 {
		from = stores[0].From(s.cfg.DefaultSender)
		tags = append(tags, closeloop.Tag{Name: "store", Value: stores[0].StoreID})
	}
	// Straight to the provider, not through mailing's once-per-key path:
	// each request is a new link, and the address is the store's staff, not
	// a customer, so the store's customer suppressions do not apply.
	if _, err := s.mailer.Send(ctx, closeloop.Message{From: from, To: email, Subject: e.Subject, HTML: e.HTML, Text: e.Text, Tags: tags}); err != nil {
		return err
	}
	slog.InfoContext(ctx, "sign-in link sent", "stores", len(stores))
	return nil
}

// staffStores are the stores email may sign in to now: those listing it
// whose current settings name it owner or support.
func (s *Service) staffStores(ctx context.Context, email string) ([]closeloop.Store, error) {
	ids, err := s.table.StaffStores(ctx, email)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	stores, err := s.table.StoresByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(stores, func(st closeloop.Store) bool { return st.Settings.StaffRole(email) == "" }), nil
}

func (s *Service) issue(ctx context.Context, email string, stores []closeloop.Store, next string, now time.Time) (string, error) {
	token, hash := secret.NewCredential()
	ids := make([]string, len(stores))
	for i, st := range stores {
		ids[i] = st.StoreID
	}
	err := s.table.PutSignInLink(ctx, hash, closeloop.SignInLink{Email: email, StoreIDs: ids, Next: closeloop.SafeNext(next), CreatedAt: now})
	return token, err
}

// linkURL is the address of a sign-in link under base.
func linkURL(base, token string) string {
	return strings.TrimRight(base, "/") + "/app/login/" + url.PathEscape(token)
}

// IssueLink makes a sign-in link for email without emailing it or
// counting it against the limits, for the operator's local demo (make dev
// prints one). ENOTFOUND when the address may sign in to no store.
func (s *Service) IssueLink(ctx context.Context, email string) (string, error) {
	email, problem := closeloop.CheckEmail(email)
	if problem != "" {
		return "", closeloop.Errorf(closeloop.EINVALID, "not an email address")
	}
	stores, err := s.staffStores(ctx, email)
	if err != nil {
		return "", err
	}
	if len(stores) == 0 {
		return "", closeloop.Errorf(closeloop.ENOTFOUND, "%s is no owner or support address of any store", email)
	}
	token, err := s.issue(ctx, email, stores, "", s.now())
	if err != nil {
		return "", err
	}
	return linkURL(s.cfg.PublicBaseURL, token), nil
}

// SignedIn is a new session: the cookie's value (shown to the browser
// only) and the session.
type SignedIn struct {
	Cookie  string
	Session closeloop.Session
	Next    string // where the link asked to land, "" for the overview
}

// UseLink uses up the link of token and opens a session for its person:
// in its store when the person may sign in to one store, with no store
// chosen yet when to several. ENOTFOUND when the link was used, has
// expired or never existed, or the person may no longer sign in anywhere.
func (s *Service) UseLink(ctx context.Context, token string) (SignedIn, error) {
	now := s.now()
	if token == "" || len(token) > 100 {
		return SignedIn{}, closeloop.Errorf(closeloop.ENOTFOUND, "this sign-in link was used already or has expired")
	}
	link, err := s.table.TakeSignInLink(ctx, secret.Hash(token), now)
	if err != nil {
		return SignedIn{}, err
	}
	csrf, _ := secret.NewCredential()
	session := closeloop.Session{Email: link.Email, Stores: len(link.StoreIDs), CSRF: csrf, CreatedAt: now, SeenAt: now}
	if len(link.StoreIDs) == 1 {
		session.StoreID = link.StoreIDs[0]
	}
	cookie, hash := secret.NewCredential()
	if err := s.table.PutSession(ctx, hash, session); err != nil {
		return SignedIn{}, err
	}
	slog.InfoContext(ctx, "signed in", "stores", session.Stores)
	return SignedIn{Cookie: cookie, Session: session, Next: link.Next}, nil
}

// Session returns the live session of a cookie's value and refreshes its
// last use when that is stale. EUNAUTHORIZED when there is none.
func (s *Service) Session(ctx context.Context, cookie string) (closeloop.Session, error) {
	if cookie == "" || len(cookie) > 100 {
		return closeloop.Session{}, closeloop.Errorf(closeloop.EUNAUTHORIZED, "not signed in")
	}
	now := s.now()
	hash := secret.Hash(cookie)
	session, err := s.table.Session(ctx, hash, now)
	if err != nil {
		return closeloop.Session{}, err
	}
	if session.Stale(now) {
		session.SeenAt = now
		if err := s.table.TouchSession(ctx, hash, session); err != nil {
			return closeloop.Session{}, err
		}
	}
	return session, nil
}

// Store returns the store a session's person works in with their role
// there, read from its current settings. ErrChooseStore when no store is
// chosen or the chosen one no longer names them while others may;
// EUNAUTHORIZED when they may sign in to none.
func (s *Service) Store(ctx context.Context, session closeloop.Session) (closeloop.Store, closeloop.Role, error) {
	if session.StoreID == "" {
		return closeloop.Store{}, "", ErrChooseStore
	}
	store, err := s.table.Store(ctx, session.StoreID)
	if err != nil && closeloop.ErrorCode(err) != closeloop.ENOTFOUND {
		return closeloop.Store{}, "", err
	}
	if role := store.Settings.StaffRole(session.Email); err == nil && role != "" {
		return store, role, nil
	}
	if session.Stores > 1 {
		return closeloop.Store{}, "", ErrChooseStore
	}
	return closeloop.Store{}, "", closeloop.Errorf(closeloop.EUNAUTHORIZED, "this address may no longer sign in to the store")
}

// ErrChooseStore means the person must choose one of their stores.
var ErrChooseStore = errors.New("signin: choose a store")

// Choice is a store a person may choose, with their role in it.
type Choice struct {
	Store closeloop.Store
	Role  closeloop.Role
}

// Choices lists the stores the session's person may work in now.
func (s *Service) Choices(ctx context.Context, session closeloop.Session) ([]Choice, error) {
	stores, err := s.staffStores(ctx, session.Email)
	if err != nil {
		return nil, err
	}
	choices := make([]Choice, len(stores))
	for i, st := range stores {
		choices[i] = Choice{Store: st, Role: st.Settings.StaffRole(session.Email)}
	}
	slices.SortFunc(choices, func(a, b Choice) int {
		return strings.Compare(strings.ToLower(a.Store.Settings.Branding.Name), strings.ToLower(b.Store.Settings.Branding.Name))
	})
	return choices, nil
}

// Choose makes storeID the session's store, when its current settings
// name the person; EFORBIDDEN otherwise.
func (s *Service) Choose(ctx context.Context, cookie string, session closeloop.Session, storeID string) error {
	choices, err := s.Choices(ctx, session)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(choices, func(c Choice) bool { return c.Store.StoreID == storeID }) {
		return closeloop.Errorf(closeloop.EFORBIDDEN, "this address may not sign in to that store")
	}
	session.StoreID, session.Stores, session.SeenAt = storeID, len(choices), s.now()
	return s.table.UpdateSession(ctx, secret.Hash(cookie), session)
}

// SignOut ends the session of a cookie's value.
func (s *Service) SignOut(ctx context.Context, cookie string) error {
	if cookie == "" || len(cookie) > 100 {
		return nil
	}
	return s.table.DeleteSession(ctx, secret.Hash(cookie))
}
