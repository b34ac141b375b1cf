// Package sesevents acts on what Amazon SES reports about the emails the
// product sent: the configuration set publishes bounce and complaint
// events to an SNS topic, whose subscription puts each on the SES events
// queue, read by the Handler.
//
// A permanent bounce or a complaint suppresses each recipient it names in
// the store that sent the email (the "store" tag every send carries), so
// nothing more is ever sent to the address by that store: surveys,
// reminders, acknowledgements, closing emails, digests. A transient bounce
// (a full mailbox, a server down) is counted for the store, never
// suppressed: the next email may well arrive. Both are idempotent, so an
// event SNS or SQS delivers again changes nothing the second time.
package sesevents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/sqsbatch"
)

// Suppressions records suppressions and counts transient bounces. The
// DynamoDB adapter implements it.
type Suppressions interface {
	// Suppress keeps the first suppression of an address in a store;
	// repeating it changes nothing.
	Suppress(ctx context.Context, storeID, email, reason string, at time.Time) error
	// CountTransientBounce counts the event named eventKey once.
	CountTransientBounce(ctx context.Context, storeID, eventKey string, at time.Time) (counted bool, err error)
}

// The tags the product sends with every email (closeloop.Message.Tags),
// which SES hands back in the event's mail.tags.
const (
	TagStore  = "store"  // the store that sent the email
	TagKind   = "kind"   // closeloop.Kind…
	TagSurvey = "survey" // the survey the email is about
	TagCase   = "case"   // the follow-up case the email is about
)

// The SES event types and bounce types the handler acts on.
const (
	EventBounce    = "Bounce"
	EventComplaint = "Complaint"

	BouncePermanent    = "Permanent"
	BounceTransient    = "Transient"
	BounceUndetermined = "Undetermined"
)

// Event is an SES event notification (event publishing's format), the
// parts the handler reads.
type Event struct {
	EventType string     `json:"eventType"`
	Mail      Mail       `json:"mail"`
	Bounce    *Bounce    `json:"bounce,omitempty"`
	Complaint *Complaint `json:"complaint,omitempty"`
}

// Mail describes the email an event is about.
type Mail struct {
	MessageID   string              `json:"messageId"`
	Timestamp   time.Time           `json:"timestamp"`
	Source      string              `json:"source"`
	Destination []string            `json:"destination"`
	Tags        map[string][]string `json:"tags"`
}

// Bounce is a bounce event's details.
type Bounce struct {
	BounceType        string      `json:"bounceType"`
	BounceSubType     string      `json:"bounceSubType"`
	BouncedRecipients []Recipient `json:"bouncedRecipients"`
	Timestamp         time.Time   `json:"timestamp"`
	FeedbackID        string      `json:"feedbackId"`
}

// Complaint is a complaint event's details.
type Complaint struct {
	ComplainedRecipients  []Recipient `json:"complainedRecipients"`
	Timestamp             time.Time   `json:"timestamp"`
	FeedbackID            string      `json:"feedbackId"`
	ComplaintFeedbackType string      `json:"complaintFeedbackType,omitempty"`
}

// Recipient is one recipient a bounce or complaint names.
type Recipient struct {
	EmailAddress string `json:"emailAddress"`
}

// Tag returns the first value of the email's tag name, "" when it has none.
func (e Event) Tag(name string) string {
	if v := e.Mail.Tags[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Handler acts on SES events.
type Handler struct {
	suppressions Suppressions
	now          func() time.Time
}

// New returns a Handler; now is the clock.
func New(suppressions Suppressions, now func() time.Time) *Handler {
	return &Handler{suppressions: suppressions, now: now}
}

// Handle processes a batch from the SES events queue, each message an SNS
// notification wrapping one SES event, and reports the messages that
// failed: they come back after their visibility timeout, and after five
// tries wait in the DLQ for `storectl redrive`. A message that can never
// be read fails too, so that it lands in the DLQ where it can be.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return sqsbatch.Each(ctx, ev, "SES event failed", func(ctx context.Context, m events.SQSMessage) error {
		return h.handleMessage(ctx, m.Body)
	}), nil
}

// errUnreadable marks a message that is no SES event notification.
var errUnreadable = errors.New("not an SES event notification")

func (h *Handler) handleMessage(ctx context.Context, body string) error {
	var n events.SNSEntity
	if err := json.Unmarshal([]byte(body), &n); err != nil || n.Type == "" {
		return fmt.Errorf("%w: no SNS envelope (%v)", errUnreadable, err)
	}
	if n.Type != "Notification" {
		// SNS confirms an SQS subscription made by CloudFormation itself:
		// nothing comes here but notifications, and anything else is no
		// event to act on.
		slog.WarnContext(ctx, "SNS message that is not a notification: dropped", "type", n.Type, "sns_message_id", n.MessageID)
		return nil
	}
	var e Event
	if err := json.Unmarshal([]byte(n.Message), &e); err != nil || e.EventType == "" {
		return fmt.Errorf("%w: SNS message %s (%v)", errUnreadable, n.MessageID, err)
	}
	return h.Process(ctx, e)
}

// Process acts on one SES event.
func (h *Handler) Process(ctx context.Context, e Event) error {
	storeID := e.Tag(TagStore)
	log := slog.With("event_type", e.EventType, "ses_message_id", e.Mail.MessageID, "store_id", storeID,
		"kind", e.Tag(TagKind), "survey_id", e.Tag(TagSurvey), "case_id", e.Tag(TagCase))
	if storeID == "" {
		// Not an email of the product's (another sender's in the account
		// using this configuration set), or one from before tags: no store
		// to suppress the address in. Retrying cannot help.
		log.WarnContext(ctx, "SES event without a store tag: dropped")
		return nil
	}
	switch {
	case e.EventType == EventBounce && e.Bounce != nil && e.Bounce.BounceType == BouncePermanent:
		return h.suppress(ctx, log, storeID, closeloop.SuppressedBounced, e.Bounce.BouncedRecipients)
	case e.EventType == EventBounce && e.Bounce != nil:
		// Transient and undetermined bounces may not recur: SES's own
		// suppression list ignores them too.
		return h.countTransient(ctx, log, storeID, e)
	case e.EventType == EventComplaint && e.Complaint != nil:
		return h.suppress(ctx, log, storeID, closeloop.SuppressedComplained, e.Complaint.ComplainedRecipients)
	}
	log.WarnContext(ctx, "SES event the product does not act on: dropped")
	return nil
}

// suppress suppresses each recipient in the store. An address that is no
// address is logged and skipped: it cannot be emailed anyway.
func (h *Handler) suppress(ctx context.Context, log *slog.Logger, storeID, reason string, recipients []Recipient) error {
	var errs []error
	for _, r := range recipients {
		email, ok := address(r.EmailAddress)
		if !ok {
			log.WarnContext(ctx, "SES event names a recipient that is not an address: skipped")
			continue
		}
		if err := h.suppressions.Suppress(ctx, storeID, email, reason, h.now()); err != nil {
			errs = append(errs, err)
			continue
		}
		log.InfoContext(ctx, "address suppressed", "reason", reason)
	}
	return errors.Join(errs...)
}

// countTransient counts each bounced recipient's transient bounce once.
func (h *Handler) countTransient(ctx context.Context, log *slog.Logger, storeID string, e Event) error {
	var errs []error
	for _, r := range e.Bounce.BouncedRecipients {
		email, ok := address(r.EmailAddress)
		if !ok {
			log.WarnContext(ctx, "SES event names a recipient that is not an address: skipped")
			continue
		}
		counted, err := h.suppressions.CountTransientBounce(ctx, storeID, EventKey(e.Mail.MessageID, email), h.now())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		log.InfoContext(ctx, "transient bounce", "bounce_type", e.Bounce.BounceType, "sub_type", e.Bounce.BounceSubType, "counted", counted)
	}
	return errors.Join(errs...)
}

// EventKey names one recipient's bounce of one sent email: the provider's
// message ID and the recipient, whose address enters only as a hash.
func EventKey(messageID, email string) string {
	sum := sha256.Sum256([]byte(email))
	return "transient#" + messageID + "#" + hex.EncodeToString(sum[:10])
}

// address reads a recipient as the customer identity suppression is kept
// under. SES names the address the email was sent to, sometimes with a
// display name.
func address(raw string) (string, bool) {
	if strings.ContainsRune(raw, '<') {
		a, err := mail.ParseAddress(raw)
		if err != nil {
			return "", false
		}
		raw = a.Address
	}
	email, err := closeloop.NormalizeEmail(raw)
	return email, err == nil
}
