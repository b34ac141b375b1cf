package closeloop

import (
	"errors"
	"time"
)

// SendClass says how far the cause of a refused send reaches, and so what
// the dispatcher does about it.
type SendClass string

// The classes of refused sends.
const (
	// SendAccount: the provider refuses the whole account. The run stops at
	// once and every survey stays due, its attempt not counted: no survey
	// is to blame, and the next run tries again.
	SendAccount SendClass = "account"
	// SendStore: the store's sender setup is wrong. The store's sending is
	// paused with its surveys still due, the operator alerted; it resumes
	// through `storectl resume` or an hourly probe send that succeeds.
	SendStore SendClass = "store"
	// SendMessage: this one email can never be sent. Its survey fails with
	// the problem as reason code (a reminder is dropped instead).
	SendMessage SendClass = "message"
	// SendPassing: a passing fault. The survey is tried again with
	// exponential backoff, up to MaxSendAttempts and never after it closes.
	SendPassing SendClass = "passing"
)

// SendProblem is why the mail provider refused a send, as a code: a failed
// survey's reason and a paused store's are one of these, never the
// provider's own text (which can hold addresses and changes without
// notice).
type SendProblem string

// The problems a send can meet. Adapters map their provider's errors onto
// these (sesmail documents which SES error is which).
const (
	ProblemAccountSuspended  SendProblem = "account_suspended"      // the provider stopped the account's sending for good
	ProblemSendingPaused     SendProblem = "sending_paused"         // the account's (or its configuration set's) sending is paused
	ProblemDailyQuota        SendProblem = "daily_quota"            // the account's sending quota for 24 hours is spent
	ProblemMailConfig        SendProblem = "mail_config"            // the deployment's mail configuration (configuration set) does not exist
	ProblemSenderNotVerified SendProblem = "sender_not_verified"    // the store's From address or domain is not a verified identity
	ProblemMailFromDomain    SendProblem = "mail_from_not_verified" // the store's custom MAIL FROM domain is not set up
	ProblemBadRecipient      SendProblem = "bad_recipient"          // the recipient's address is refused as invalid
	ProblemRejected          SendProblem = "rejected"               // the provider refused this email (its content, say)
	ProblemThrottled         SendProblem = "throttled"              // too many sends per second
	ProblemUnavailable       SendProblem = "unavailable"            // the provider failed or could not be reached
)

// sendProblems is the one table of refused sends: each problem's class.
// What each class leads to is written at the class.
var sendProblems = map[SendProblem]SendClass{
	ProblemAccountSuspended:  SendAccount,
	ProblemSendingPaused:     SendAccount,
	ProblemDailyQuota:        SendAccount,
	ProblemMailConfig:        SendAccount,
	ProblemSenderNotVerified: SendStore,
	ProblemMailFromDomain:    SendStore,
	ProblemBadRecipient:      SendMessage,
	ProblemRejected:          SendMessage,
	ProblemThrottled:         SendPassing,
	ProblemUnavailable:       SendPassing,
}

// SendProblems lists every problem, in the order of the table above.
var SendProblems = []SendProblem{
	ProblemAccountSuspended, ProblemSendingPaused, ProblemDailyQuota, ProblemMailConfig,
	ProblemSenderNotVerified, ProblemMailFromDomain,
	ProblemBadRecipient, ProblemRejected,
	ProblemThrottled, ProblemUnavailable,
}

// Class is the class of problem p; a problem not in the table is passing,
// so that an unknown fault is retried, never taken as final.
func (p SendProblem) Class() SendClass {
	if c, ok := sendProblems[p]; ok {
		return c
	}
	return SendPassing
}

// SendError is a failed send as the domain knows it: a refusal by the mail
// provider, or a fault on the way to it.
type SendError struct {
	Problem SendProblem
	// ProviderCode is the provider's name for the error (such as
	// "MessageRejected"), for the operator's logs; its message text is
	// never kept.
	ProviderCode string
}

func (e *SendError) Error() string {
	if e.ProviderCode == "" {
		return "mail send failed: " + string(e.Problem)
	}
	return "mail send failed: " + string(e.Problem) + " (" + e.ProviderCode + ")"
}

// Is makes a message-level refusal match ErrRejected, which the mailing
// path reads as "refused for good".
func (e *SendError) Is(target error) bool {
	return target == ErrRejected && e.Problem.Class() == SendMessage
}

// SendProblemOf returns the problem of a failed send: its SendError's, or
// ProblemUnavailable for any other error (a timeout, a broken connection).
func SendProblemOf(err error) SendProblem {
	var se *SendError
	if errors.As(err, &se) {
		return se.Problem
	}
	return ProblemUnavailable
}

// Retries of passing failures.
const (
	// MaxSendAttempts is how many times a survey email is tried before the
	// survey fails as gave_up. With RetryBackoff's doubling from a minute,
	// capped at an hour, ten attempts span about four hours.
	MaxSendAttempts = 10
	firstRetry      = time.Minute
	maxRetry        = time.Hour
)

// RetryBackoff is how long after its attempt-th failed attempt (1 for the
// first) a survey is tried again: one minute, doubling, at most an hour.
func RetryBackoff(attempt int) time.Duration {
	d := firstRetry
	for i := 1; i < attempt && d < maxRetry; i++ {
		d *= 2
	}
	return min(d, maxRetry)
}

// ProbeInterval is how often a paused store's sending is tried with one of
// its due surveys: a success resumes the store.
const ProbeInterval = time.Hour

// SendingPause is a store's sending paused after a store-level problem.
type SendingPause struct {
	Reason   SendProblem
	PausedAt time.Time
	// ProbedAt is when sending was last tried for the store: when it was
	// paused, then at each probe.
	ProbedAt time.Time
}

// NextProbe is when the paused store's sending may be tried next.
func (p SendingPause) NextProbe() time.Time { return p.ProbedAt.Add(ProbeInterval) }
