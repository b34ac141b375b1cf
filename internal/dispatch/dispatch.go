// Package dispatch sends the survey emails that are due. One run at a
// time holds the run lock (an item with a lease, so a crashed run's lock
// runs out); a run that finds it held returns at once. Each survey is
// claimed with a conditional write and a lease before its email is sent
// and marked sent after, so even runs that overlap never send one survey
// twice; a crash between the send and the mark can resend once after the
// lease runs out (SES has no idempotency key), never more than once per
// lease.
//
// Sends are paced at each store's own maximum rate and, across all
// stores, at the mail account's; stores take turns by the time each may
// send next, so a slow store never holds up the others. A refused send is
// handled by its class in the domain's table (closeloop/sending.go): an
// account-level refusal stops the run with every survey still due; a
// store-level one pauses that store's sending (its surveys held, still
// due) until `storectl resume` or an hourly probe send succeeds; a
// message-level one fails the survey with a reason code; a passing one
// retries with exponential backoff and gives up (failed, gave_up) after
// MaxAttempts or when the survey closes.
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/secret"
)

// Surveys is the storage dispatch works on: the due surveys and the run
// lock. The DynamoDB adapter implements it.
type Surveys interface {
	TakeRunLock(ctx context.Context, holder string, now, leaseUntil time.Time) (bool, error)
	ReleaseRunLock(ctx context.Context, holder string) error
	DueSurveys(ctx context.Context, now time.Time, limit int) ([]closeloop.DueSurvey, error)
	Claim(ctx context.Context, due closeloop.DueSurvey, leaseUntil time.Time, tokenHash, unsubscribeHash string) (closeloop.Lease, closeloop.ClaimResult, error)
	MarkSent(ctx context.Context, lease closeloop.Lease, sentAt, nextDue time.Time, brand closeloop.Branding, defaultLocale string) (bool, error)
	EndReminder(ctx context.Context, lease closeloop.Lease, remindedAt *time.Time, closesAt time.Time) (bool, error)
	MarkFailed(ctx context.Context, lease closeloop.Lease, reason string) (bool, error)
	Retry(ctx context.Context, lease closeloop.Lease, retryAt time.Time, counted bool) (bool, error)
	GiveUp(ctx context.Context, due closeloop.DueSurvey, reason string) (closeloop.Status, error)
	Hold(ctx context.Context, due closeloop.DueSurvey, until time.Time) (bool, error)
	Expire(ctx context.Context, due closeloop.DueSurvey) (bool, error)
}

// Stores reads store settings, and pauses, probes and resumes a store's
// sending.
type Stores interface {
	SendingStore(ctx context.Context, storeID string) (closeloop.Store, *closeloop.SendingPause, error)
	PauseSending(ctx context.Context, storeID string, reason closeloop.SendProblem, at time.Time) (closeloop.SendingPause, error)
	TakeProbe(ctx context.Context, storeID string, at time.Time) (bool, error)
	ResumeSending(ctx context.Context, storeID string) (*closeloop.SendingPause, error)
}

// DefaultAccountRate is SES's maximum send rate of an account that just
// left the sandbox, per second.
const DefaultAccountRate = 14

// Config is what a Dispatcher needs besides its ports.
type Config struct {
	PublicBaseURL string        // where the survey pages are served, e.g. https://feedback.example.com
	DefaultSender string        // the From address when a store sets none
	Lease         time.Duration // how long a claim holds a survey
	Batch         int           // most surveys per shard per run
	// Reserve is the time left before the run's deadline at which it stops
	// taking new surveys, so that a claimed survey is always finished.
	Reserve time.Duration
	// AccountRate is the mail account's maximum sends per second (SES's
	// maximum send rate), shared by all stores; DefaultAccountRate when 0.
	AccountRate float64
	// MaxAttempts is how many times a survey email is tried before it is
	// given up; closeloop.MaxSendAttempts when 0.
	MaxAttempts int
	// RunLease is how long the run lock holds when the run has no deadline
	// (Lambda gives one: then the lease is the time left plus a margin).
	RunLease time.Duration
}

// Dispatcher sends due surveys.
type Dispatcher struct {
	surveys  Surveys
	stores   Stores
	mailer   closeloop.Mailer
	renderer *render.Renderer
	cfg      Config
	now      func() time.Time
}

// New returns a Dispatcher.
func New(surveys Surveys, stores Stores, mailer closeloop.Mailer, renderer *render.Renderer, cfg Config, now func() time.Time) *Dispatcher {
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.Reserve <= 0 {
		cfg.Reserve = 5 * time.Second
	}
	if cfg.AccountRate <= 0 {
		cfg.AccountRate = DefaultAccountRate
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = closeloop.MaxSendAttempts
	}
	if cfg.RunLease <= 0 {
		cfg.RunLease = 2 * time.Minute
	}
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	return &Dispatcher{surveys: surveys, stores: stores, mailer: mailer, renderer: renderer, cfg: cfg, now: now}
}

// Report counts what one run did. Its fields stay comparable (no slices):
// tests and the end-to-end check compare whole reports.
type Report struct {
	// Locked: another run held the run lock, so this one did nothing.
	Locked     bool `json:"locked,omitempty"`
	Due        int  `json:"due"`
	Sent       int  `json:"sent"`
	Reminded   int  `json:"reminded"`   // reminders sent for unanswered surveys
	Skipped    int  `json:"skipped"`    // claimed by another run, or changed since read
	Suppressed int  `json:"suppressed"` // the customer unsubscribed or bounced
	Expired    int  `json:"expired"`    // answer window over, unanswered
	Failed     int  `json:"failed"`     // refused for good or given up: marked failed (a reminder: dropped)
	GaveUp     int  `json:"gave_up"`    // of Failed, given up: attempts spent or the survey closed first
	Retried    int  `json:"retried"`    // a passing failure, due again after a backoff
	Deferred   int  `json:"deferred"`   // left for the next run: the deadline came near, or the run stopped
	// Held counts surveys of stores whose sending is paused: left due
	// until the store's next probe.
	Held int `json:"held"`
	// StoresPaused counts the stores with surveys due whose sending is
	// paused at the end of the run (paused now or before).
	StoresPaused  int `json:"stores_paused"`
	StoresResumed int `json:"stores_resumed"` // by a probe send that went out
	// AccountRefused is the problem for which the mail provider refused
	// the whole account, which stopped the run; "" when it did not.
	AccountRefused closeloop.SendProblem `json:"account_refused,omitempty"`
	// Windowed counts surveys (and reminders) due outside their store's
	// send window: due again at its next opening.
	Windowed int `json:"windowed"`
}

// Run sends every survey due now, each store's at most at its maximum send
// rate and all of them at most at the account's, expires the sent ones
// whose answer window closed and gives up the unsent ones that closed. One
// survey's failure does not stop the others. It returns at once with
// Locked set when another run holds the run lock. It stops taking
// surveys when ctx's deadline is near; they stay due for the next run.
//
// The error is set when the run could not work (the due surveys could not
// be read), when the mail provider refused the account, and when nothing
// could be sent at all for passing failures: the invocation then fails,
// and its alarm tells the operator.
func (d *Dispatcher) Run(ctx context.Context) (Report, error) {
	var rep Report
	holder := secret.NewID("run")
	now := d.now()
	taken, err := d.surveys.TakeRunLock(ctx, holder, now, now.Add(d.runLease(ctx)))
	if err != nil {
		return rep, err
	}
	if !taken {
		rep.Locked = true
		slog.InfoContext(ctx, "dispatch run skipped: another run holds the run lock")
		return rep, nil
	}
	defer func() {
		if err := d.surveys.ReleaseRunLock(context.WithoutCancel(ctx), holder); err != nil {
			slog.WarnContext(ctx, "release the dispatch run lock: the next run waits for its lease", "err", err)
		}
	}()
	due, err := d.surveys.DueSurveys(ctx, now, d.cfg.Batch)
	if err != nil {
		return rep, err
	}
	rep.Due = len(due)
	r := &run{Dispatcher: d, rep: &rep, byStore: map[string]*storeState{}, account: newPace(d.cfg.AccountRate)}
	r.plan(ctx, due)
	r.sendAll(ctx)
	for _, st := range r.order {
		if st.pause != nil {
			rep.StoresPaused++
		}
	}
	switch {
	case rep.AccountRefused != "":
		return rep, fmt.Errorf("the mail provider refuses the account (%s): every survey stays due", rep.AccountRefused)
	case rep.Sent+rep.Reminded == 0 && rep.Retried > 0:
		return rep, fmt.Errorf("no survey could be sent: %d sends failed for passing reasons and are retried later", rep.Retried)
	}
	return rep, nil
}

// runLease is how long a run holds the run lock: past its deadline by a
// margin, so the lock never lapses under a live run.
func (d *Dispatcher) runLease(ctx context.Context) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return time.Until(deadline) + 10*time.Second
	}
	return d.cfg.RunLease
}

func (d *Dispatcher) nearDeadline(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < d.cfg.Reserve
}

// run is the state of one Run: its report, the stores with surveys to
// send and the account's pace.
type run struct {
	*Dispatcher
	rep     *Report
	byStore map[string]*storeState
	order   []*storeState // in the order first seen, for ties
	account pace
	stopped bool // the account was refused: send nothing more
}

// storeState is one store's part of a run: its settings, its sending
// pause, its pace and the surveys it has to send, in due order.
type storeState struct {
	store closeloop.Store
	err   error // the store could not be read: its surveys stay due
	pause *closeloop.SendingPause
	probe bool // paused, and this run may try one send as the hourly probe
	pace  pace
	queue []closeloop.DueSurvey
}

func (r *run) storeOf(ctx context.Context, storeID string) *storeState {
	if st, ok := r.byStore[storeID]; ok {
		return st
	}
	st := &storeState{}
	st.store, st.pause, st.err = r.stores.SendingStore(ctx, storeID)
	if st.err == nil {
		st.pace = newPace(st.store.Settings.MaxSendPerSecond)
		st.probe = st.pause != nil && !r.now().Before(st.pause.NextProbe())
		if st.store.Settings.SenderEmail != "" && !st.store.SenderGranted() {
			// Revoked since the owner set it: the emails go from the
			// deployment's sender until the owner picks a granted one.
			slog.WarnContext(ctx, "the store's sender_email is not granted to it: sending from the deployment's sender", "store_id", storeID)
		}
	}
	r.byStore[storeID] = st
	r.order = append(r.order, st)
	return st
}

// plan does what needs no email (expiring, giving up, holding the surveys
// of paused stores) and queues the rest by store.
func (r *run) plan(ctx context.Context, due []closeloop.DueSurvey) {
	for i, item := range due {
		if ctx.Err() != nil || r.nearDeadline(ctx) {
			r.rep.Deferred += len(due) - i
			return
		}
		s := item.Survey
		sent := s.Status == closeloop.StatusSent
		now := r.now()
		var err error
		switch {
		case sent && !now.Before(s.ClosesAt):
			err = r.expire(ctx, item)
		case s.Status == closeloop.StatusPending && s.OnNoEvent == closeloop.OnNoEventExpire:
			// Its max-wait time came without the order's fulfilment or
			// delivery, and the store asks only after it.
			err = r.expire(ctx, item)
		case !now.Before(s.ClosesAt):
			// Never sent and closed: a late email would only show the
			// closed page.
			err = r.giveUp(ctx, item)
		case !sent && s.Attempts >= r.cfg.MaxAttempts:
			// Its claims kept ending without a mark (crashes): stop here.
			err = r.giveUp(ctx, item)
		case sent && s.Attempts >= r.cfg.MaxAttempts:
			// The same for a reminder: drop it, the survey stays open.
			_, err = r.surveys.Hold(ctx, item, s.ClosesAt)
			r.rep.Skipped++
		case s.NextSend(now).After(now):
			err = r.toWindow(ctx, item, s.NextSend(now))
		default:
			st := r.storeOf(ctx, s.StoreID)
			switch {
			case closeloop.ErrorCode(st.err) == closeloop.ENOTFOUND:
				// No store to send for, ever: it must not sit at the head
				// of its shard.
				err = errors.Join(fmt.Errorf("load store: %w", st.err), r.giveUp(ctx, item))
			case st.err != nil:
				r.rep.Deferred++
				err = fmt.Errorf("load store: %w", st.err) // nothing claimed: the survey stays due
			case st.pause != nil && !st.probe:
				err = r.hold(ctx, st, item)
			default:
				st.queue = append(st.queue, item)
			}
		}
		if err != nil {
			slog.ErrorContext(ctx, "dispatch survey", "survey_id", s.SurveyID, "err", err)
		}
	}
}

// sendAll sends the queued surveys: each turn goes to the store that may
// send soonest by its own pace, and waits for the account's as well.
func (r *run) sendAll(ctx context.Context) {
	for !r.stopped {
		st := r.nextStore()
		if st == nil {
			return
		}
		at := later(st.pace.next, r.account.next)
		if ctx.Err() != nil || r.pastReserve(ctx, at) {
			r.deferRest()
			return
		}
		item := st.queue[0]
		st.queue = st.queue[1:]
		if err := r.send(ctx, st, item, at); err != nil {
			slog.ErrorContext(ctx, "dispatch survey", "survey_id", item.Survey.SurveyID, "err", err)
		}
	}
	r.deferRest()
}

// nextStore is the store with surveys queued that may send soonest; of
// stores ready alike, the one seen first.
func (r *run) nextStore() *storeState {
	var next *storeState
	for _, st := range r.order {
		if len(st.queue) > 0 && (next == nil || st.pace.next.Before(next.pace.next)) {
			next = st
		}
	}
	return next
}

// pastReserve reports whether a send starting at at would come too near
// ctx's deadline.
func (r *run) pastReserve(ctx context.Context, at time.Time) bool {
	deadline, ok := ctx.Deadline()
	return ok && deadline.Sub(later(at, time.Now())) < r.cfg.Reserve
}

// deferRest leaves every survey still queued due for the next run.
func (r *run) deferRest() {
	for _, st := range r.order {
		r.rep.Deferred += len(st.queue)
		st.queue = nil
	}
}

func (r *run) expire(ctx context.Context, due closeloop.DueSurvey) error {
	expired, err := r.surveys.Expire(ctx, due)
	if expired {
		r.rep.Expired++
	} else if err == nil {
		r.rep.Skipped++
	}
	return err
}

func (r *run) giveUp(ctx context.Context, due closeloop.DueSurvey) error {
	status, err := r.surveys.GiveUp(ctx, due, closeloop.ReasonGaveUp)
	switch {
	case status == closeloop.StatusFailed:
		r.rep.Failed++
		r.rep.GaveUp++
	case status == closeloop.StatusSuppressed:
		r.rep.Suppressed++
	case err == nil:
		r.rep.Skipped++
	}
	return err
}

// toWindow leaves a survey due outside its store's send window due at the
// window's next opening: off the head of its shard until then.
func (r *run) toWindow(ctx context.Context, due closeloop.DueSurvey, opens time.Time) error {
	held, err := r.surveys.Hold(ctx, due, opens)
	if held {
		r.rep.Windowed++
	} else if err == nil {
		r.rep.Skipped++
	}
	return err
}

// hold leaves a paused store's survey due at the store's next probe.
func (r *run) hold(ctx context.Context, st *storeState, due closeloop.DueSurvey) error {
	until := st.pause.NextProbe()
	if now := r.now(); !until.After(now) {
		// The probe is due but another run took it: try again an
		// interval on.
		until = now.Add(closeloop.ProbeInterval)
	}
	held, err := r.surveys.Hold(ctx, due, until)
	if held {
		r.rep.Held++
	} else if err == nil {
		r.rep.Skipped++
	}
	return err
}

// send sends a due survey's email, its first or for a sent survey still
// open its one reminder, starting no earlier than at (the paces).
func (r *run) send(ctx context.Context, st *storeState, due closeloop.DueSurvey, at time.Time) error {
	s := due.Survey
	reminder := s.Status == closeloop.StatusSent
	if st.pause != nil {
		if !st.probe {
			return r.hold(ctx, st, due)
		}
		// One send per paused store and probe interval tells whether its
		// sender works again.
		st.probe = false
		taken, err := r.stores.TakeProbe(ctx, s.StoreID, r.now())
		if err != nil || !taken {
			return errors.Join(err, r.hold(ctx, st, due))
		}
	}
	token, hash := secret.NewToken(s.SurveyID)
	unsubscribe, unsubscribeHash := secret.NewToken(s.SurveyID)
	lease, result, err := r.surveys.Claim(ctx, due, r.now().Add(r.cfg.Lease), hash, unsubscribeHash)
	switch {
	case err != nil:
		return fmt.Errorf("claim: %w", err)
	case result == closeloop.Lost:
		r.rep.Skipped++
		return nil
	case result == closeloop.Suppressed:
		r.rep.Suppressed++
		return nil
	}
	msg, err := r.message(s, st.store, token, unsubscribe, reminder)
	if err != nil {
		return errors.Join(err, r.passing(ctx, lease, reminder))
	}
	// Pace right before the send, so SES sees the rates. The wait is at
	// most 10 s (the lowest store rate is 0.1/s), far inside the lease.
	if err := sleepUntil(ctx, at); err != nil {
		r.rep.Deferred++
		_, retryErr := r.surveys.Retry(context.WithoutCancel(ctx), lease, r.now(), false)
		return errors.Join(err, retryErr)
	}
	start := time.Now()
	st.pace.sent(start)
	r.account.sent(start)
	if _, err := r.mailer.Send(ctx, msg); err != nil {
		return errors.Join(err, r.refused(ctx, st, lease, reminder, err))
	}
	if st.pause != nil {
		// The probe went out: the store's sender works again.
		if _, err := r.stores.ResumeSending(ctx, s.StoreID); err != nil {
			slog.ErrorContext(ctx, "resume store sending after its probe", "store_id", s.StoreID, "err", err)
		} else {
			slog.WarnContext(ctx, "store sending resumed: its probe send went out", "store_id", s.StoreID, "paused_for", st.pause.Reason)
			st.pause = nil
			r.rep.StoresResumed++
		}
	}
	now := r.now()
	var held bool
	if reminder {
		held, err = r.surveys.EndReminder(ctx, lease, &now, s.ClosesAt)
		r.rep.Reminded++
	} else {
		held, err = r.surveys.MarkSent(ctx, lease, now, nextDue(now, s.ClosesAt, st.store.Settings), st.store.Settings.Branding, st.store.Settings.DefaultLocale)
		r.rep.Sent++
	}
	if err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	if !held {
		slog.WarnContext(ctx, "lease lost before mark sent: the email may be sent again, or the survey was answered meanwhile", "survey_id", s.SurveyID)
	}
	return nil
}

// refused handles a send the mail provider refused, by the class of its
// problem in the domain's table.
func (r *run) refused(ctx context.Context, st *storeState, lease closeloop.Lease, reminder bool, sendErr error) error {
	problem := closeloop.SendProblemOf(sendErr)
	switch problem.Class() {
	case closeloop.SendAccount:
		// Nothing can be sent: stop, and leave this survey due at once
		// and uncounted, as every other one is.
		r.stopped = true
		r.rep.AccountRefused = problem
		slog.ErrorContext(ctx, "the mail provider refuses the account: run stopped, every survey stays due", "reason", problem, "err", sendErr)
		_, err := r.surveys.Retry(ctx, lease, r.now(), false)
		return err
	case closeloop.SendStore:
		return r.pauseStore(ctx, st, lease, problem, sendErr)
	case closeloop.SendMessage:
		r.rep.Failed++
		if reminder {
			_, err := r.surveys.EndReminder(ctx, lease, nil, lease.Survey.ClosesAt) // the survey itself stays open
			return err
		}
		_, err := r.surveys.MarkFailed(ctx, lease, string(problem))
		return err
	}
	return r.passing(ctx, lease, reminder)
}

// pauseStore pauses a store's sending after a store-level refusal and
// holds its surveys, this one included, until its next probe.
func (r *run) pauseStore(ctx context.Context, st *storeState, lease closeloop.Lease, problem closeloop.SendProblem, sendErr error) error {
	storeID := lease.Survey.StoreID
	pause, err := r.stores.PauseSending(ctx, storeID, problem, r.now())
	if err != nil {
		// Not paused: the survey retries as for a passing failure.
		return errors.Join(err, r.passing(ctx, lease, lease.Status == closeloop.StatusSent))
	}
	if st.pause == nil {
		// The alert: this line, and the run's StoresPaused metric with
		// its alarm.
		slog.ErrorContext(ctx, "store sending paused: fix the store's sender, then run storectl resume (or wait for the hourly probe)",
			"store_id", storeID, "reason", problem, "err", sendErr)
	}
	st.pause = &pause
	_, err = r.surveys.Retry(ctx, lease, pause.NextProbe(), false)
	for _, item := range st.queue {
		err = errors.Join(err, r.hold(ctx, st, item))
	}
	st.queue = nil
	return err
}

// passing handles a passing failure: the survey is due again after a
// backoff growing with its attempts, and given up (failed, gave_up; a
// reminder dropped) at the last attempt. A first send is never retried
// after its survey closes: it is given up then.
func (r *run) passing(ctx context.Context, lease closeloop.Lease, reminder bool) error {
	s := lease.Survey
	attempt := s.Attempts + 1 // the claim counted this one
	if attempt >= r.cfg.MaxAttempts {
		r.rep.Failed++
		r.rep.GaveUp++
		if reminder {
			_, err := r.surveys.EndReminder(ctx, lease, nil, s.ClosesAt)
			return err
		}
		_, err := r.surveys.MarkFailed(ctx, lease, closeloop.ReasonGaveUp)
		return err
	}
	retryAt := r.now().Add(closeloop.RetryBackoff(attempt))
	if !reminder && retryAt.After(s.ClosesAt) {
		retryAt = s.ClosesAt
	}
	r.rep.Retried++
	_, err := r.surveys.Retry(ctx, lease, retryAt, true)
	return err
}

// nextDue is when a survey just sent needs the dispatcher again: for its
// reminder, when the store sends one and it falls a day or more before
// the survey closes; else when it closes, to expire.
func nextDue(sentAt, closesAt time.Time, set closeloop.Settings) time.Time {
	if set.ReminderAfterHours > 0 {
		remindAt := sentAt.Add(time.Duration(set.ReminderAfterHours) * time.Hour)
		if !remindAt.After(closesAt.Add(-24 * time.Hour)) {
			return remindAt
		}
	}
	return closesAt
}

// message composes the survey email of s.
func (d *Dispatcher) message(s closeloop.Survey, store closeloop.Store, token, unsubscribe string, reminder bool) (closeloop.Message, error) {
	set := store.Settings
	unsubscribeURL := d.cfg.PublicBaseURL + "/u/" + unsubscribe
	data := render.NewSurveyEmail(s, set.Branding, set.DefaultLocale, d.cfg.PublicBaseURL+"/s/"+token, unsubscribeURL).WithStoreTexts(set.Texts)
	if reminder {
		data = data.AsReminder()
	}
	email, err := d.renderer.RenderSurveyEmail(data)
	if err != nil {
		return closeloop.Message{}, err
	}
	m := closeloop.Message{
		From:    store.From(d.cfg.DefaultSender),
		To:      s.Customer.Email,
		Subject: email.Subject,
		HTML:    email.HTML,
		Text:    email.Text,
		// RFC 8058 one-click unsubscribe: mail clients show an unsubscribe
		// button and POST the body to the URL.
		Headers: []closeloop.Header{
			{Name: "List-Unsubscribe", Value: "<" + unsubscribeURL + ">"},
			{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
		},
		// SES hands the tags back with a bounce or complaint: the store
		// tag names where the address is suppressed.
		Tags: []closeloop.Tag{
			{Name: "store", Value: s.StoreID},
			{Name: "kind", Value: closeloop.KindSurvey},
			{Name: "survey", Value: s.SurveyID},
		},
	}
	if set.ReplyTo != "" {
		m.ReplyTo = []string{set.ReplyTo}
	}
	return m, nil
}
