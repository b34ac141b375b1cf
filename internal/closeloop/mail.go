package closeloop

import (
	"context"
	"errors"
)

// Message is an email to send.
type Message struct {
	From    string // "Name <address>" or an address
	To      string
	ReplyTo []string
	Subject string
	HTML    string
	Text    string
	Headers []Header
	// Tags travel with the send to the provider's delivery events (bounces,
	// complaints), so an event can be traced to its store and survey.
	Tags []Tag
}

// Tag is a name and value attached to a sent email.
type Tag struct {
	Name  string
	Value string
}

// Mailer sends one email and returns the provider's message ID. A send
// the provider refused is a *SendError naming the problem (sending.go);
// one refused for good (a message-level problem) also matches
// ErrRejected.
type Mailer interface {
	Send(ctx context.Context, m Message) (string, error)
}

// ErrRejected marks a send the provider refused for good (a bad address,
// say): retrying would not help.
var ErrRejected = errors.New("rejected by the mail provider")

// Header is an extra email header, such as List-Unsubscribe.
type Header struct {
	Name  string
	Value string
}

// Lease is a dispatcher's exclusive hold on a survey it is sending, until
// the time the claim gave. Holder is the storage's opaque mark of this
// particular hold.
type Lease struct {
	SurveyID string
	Holder   string
	Status   Status // the survey's status while held: sending, or sent for a reminder
	// Survey is the survey as claimed: marking it sent counts it in its
	// store's and time zone's day.
	Survey Survey
	// TokenHash and UnsubscribeHash are the hashes of the link tokens of
	// the email sent under this lease: kept when it is sent, dropped when
	// the attempt fails, so that retries never grow the survey.
	TokenHash, UnsubscribeHash string
}

// TokenHashes are the stored hashes of a survey's link tokens: the survey
// links of every email sent for it, and its unsubscribe links.
type TokenHashes struct {
	Survey      []string
	Unsubscribe []string
}

// DueSurvey is a survey the dispatcher must act on now, with Mark, the
// storage's opaque mark of the state it was read in: acting on it succeeds
// only while the survey is still in that state.
type DueSurvey struct {
	Survey Survey
	Mark   string
}

// ClaimResult says how a claim ended.
type ClaimResult int

// The results of claiming a due survey.
const (
	Claimed    ClaimResult = iota // the survey is ours to send until the lease ends
	Lost                          // another dispatcher took it, or it changed
	Suppressed                    // the customer must not be emailed: a first send closes the survey as suppressed, a reminder is skipped
)

// Delivery is one email the product sends at most once: Key names it
// (the kind, what it is about and for whom), and the recipient To must
// not be suppressed in the store. A message to no person (a Slack
// alert) has To "".
type Delivery struct {
	Key     string
	StoreID string
	Kind    string
	To      string
}

// DeliveryStart says whether a delivery may be sent now.
type DeliveryStart int

// How beginning a delivery ended.
const (
	DeliveryBegun      DeliveryStart = iota // ours to send under a lease
	DeliveryDone                            // sent (or refused for good) before: nothing to do
	DeliveryBusy                            // another sender holds it; try again after its lease
	DeliverySuppressed                      // the recipient must not be emailed by this store
)

// The kinds of email, carried as a tag so delivery events can be told apart.
const (
	KindSurvey         = "survey"
	KindThanks         = "thanks"
	KindAcknowledgment = "acknowledgement"
	KindSupportAlert   = "support_alert"
	KindOverdueAlert   = "overdue_alert"
	KindClosing        = "closing"
	KindDigest         = "digest"
)

// KindRecheck is the recovery check, a while after a case's resolution
// (recheck.go).
const KindRecheck = "recheck"
