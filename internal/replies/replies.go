// Package replies puts customers' email replies on their cases. Every
// case email to the customer (acknowledgement, closing email) carries
// Reply-To reply+{token}@{reply domain}, the token naming the case and
// signed with its store's key (closeloop.ReplyAddress). SES receives mail
// for the domain; its receipt rule publishes each message, base64, to an
// SNS topic whose subscription puts it on the replies queue, read by the
// Handler.
//
// The Handler verifies the token, strips the quoted history and the
// signature, and adds what the customer wrote as a note on the case
// (attachments listed by name and size, never stored), in one conditional
// write keyed by SES's message ID, so a message delivered again adds
// nothing. A resolved case is reopened by the same write. The assignee of
// a claimed case, else the store's support addresses, get an alert, once
// per reply. Mail that is no genuine customer reply (no token, a bad,
// forged or expired one, an unknown case, the store's own addresses, an
// auto-reply or bounce, spam) is dropped with a reason code, logged and
// counted, and reported as handled so the queue does not retry it.
package replies

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sqsbatch"
)

// Cases reads cases by ID and writes replies to them. The DynamoDB
// adapter implements it.
type Cases interface {
	// CaseByID returns a case whatever its store; ENOTFOUND when none.
	CaseByID(ctx context.Context, caseID string) (closeloop.Case, error)
	// AddReply puts reply note n on case c (as read) once, reopening a
	// resolved case due at dueBy, and returns the case after it.
	AddReply(ctx context.Context, c closeloop.Case, n closeloop.Note, dueBy time.Time) (closeloop.Case, closeloop.ReplyResult, error)
}

// Stores reads store settings.
type Stores interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
}

// Mail sends an email once (mailing.Sender).
type Mail interface {
	Send(ctx context.Context, e mailing.Email) (mailing.Result, error)
}

// Config is what the handler needs besides its ports.
type Config struct {
	ReplyDomain   string // the domain of the reply addresses (REPLY_DOMAIN)
	PublicBaseURL string // the dashboard's case pages live under it
	DefaultSender string // the alert's From when a store sets none
	Stage         string // the metrics' dimension
}

// Handler turns received replies into case notes.
type Handler struct {
	cases    Cases
	stores   Stores
	mail     Mail
	renderer *render.Renderer
	cfg      Config
	now      func() time.Time
	metrics  io.Writer

	mu      sync.Mutex
	counted map[string]int
}

// New returns a Handler; metrics receives one line of CloudWatch embedded
// metric format per message (a Lambda function's stdout); now is the clock.
func New(cases Cases, stores Stores, mail Mail, renderer *render.Renderer, cfg Config, metrics io.Writer, now func() time.Time) *Handler {
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	return &Handler{cases: cases, stores: stores, mail: mail, renderer: renderer, cfg: cfg, now: now, metrics: metrics, counted: map[string]int{}}
}

// Notification is what SES's SNS action publishes for a received email:
// the parts the handler reads.
type Notification struct {
	NotificationType string                    `json:"notificationType"`
	Mail             events.SimpleEmailMessage `json:"mail"`
	Receipt          Receipt                   `json:"receipt"`
	// Content is the raw MIME message, base64 (the action's encoding).
	Content string `json:"content"`
}

// Receipt is SES's verdicts on a received email and the action it took.
type Receipt struct {
	Recipients   []string                  `json:"recipients"`
	Timestamp    time.Time                 `json:"timestamp"`
	SpamVerdict  events.SimpleEmailVerdict `json:"spamVerdict"`
	VirusVerdict events.SimpleEmailVerdict `json:"virusVerdict"`
	SPFVerdict   events.SimpleEmailVerdict `json:"spfVerdict"`
	DKIMVerdict  events.SimpleEmailVerdict `json:"dkimVerdict"`
	DMARCVerdict events.SimpleEmailVerdict `json:"dmarcVerdict"`
	Action       ReceiptAction             `json:"action"`
}

// ReceiptAction is the receipt rule's action that published the email.
type ReceiptAction struct {
	Type     string `json:"type"`
	TopicARN string `json:"topicArn"`
	Encoding string `json:"encoding"`
}

// Outcomes besides the drop reasons (closeloop.ReplyDrop…).
const (
	OutcomeStored    = "stored"    // a new note on the case
	OutcomeDuplicate = "duplicate" // delivered again: the case held it
)

// Handle processes a batch from the replies queue, each message an SNS
// notification wrapping one received email, and reports the messages that
// failed for a passing reason (the table or SES unreachable): they come
// back after their visibility timeout, and after five tries wait in the
// DLQ. A message that is no SNS notification at all fails too, to be read
// there; anything about the email itself is dropped, never retried.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return sqsbatch.Each(ctx, ev, "reply failed", func(ctx context.Context, m events.SQSMessage) error {
		return h.handleMessage(ctx, m.Body)
	}), nil
}

func (h *Handler) handleMessage(ctx context.Context, body string) error {
	var n events.SNSEntity
	if err := json.Unmarshal([]byte(body), &n); err != nil || n.Type == "" {
		return fmt.Errorf("not an SNS notification: %v", err)
	}
	if n.Type != "Notification" {
		slog.WarnContext(ctx, "SNS message that is not a notification: dropped", "type", n.Type, "sns_message_id", n.MessageID)
		return nil
	}
	var note Notification
	if err := json.Unmarshal([]byte(n.Message), &note); err != nil || note.NotificationType != "Received" {
		h.count(ctx, closeloop.ReplyDropUnreadable, slog.String("sns_message_id", n.MessageID))
		return nil
	}
	_, err := h.Process(ctx, note)
	return err
}

// Process handles one received email and returns its outcome: OutcomeStored,
// OutcomeDuplicate or the closeloop.ReplyDrop… reason it was dropped for.
// An error means a passing failure, worth retrying.
func (h *Handler) Process(ctx context.Context, n Notification) (string, error) {
	outcome, c, err := h.process(ctx, n)
	if err != nil {
		return "", err
	}
	attrs := []slog.Attr{slog.String("ses_message_id", n.Mail.MessageID)}
	if c.CaseID != "" {
		attrs = append(attrs, slog.String("case_id", c.CaseID), slog.String("store_id", c.StoreID))
	}
	h.count(ctx, outcome, attrs...)
	return outcome, nil
}

func (h *Handler) process(ctx context.Context, n Notification) (string, closeloop.Case, error) {
	var none closeloop.Case
	if n.Receipt.VirusVerdict.Status == "FAIL" || n.Receipt.SpamVerdict.Status == "FAIL" {
		return closeloop.ReplyDropSpam, none, nil
	}
	token, reason := h.token(n)
	if reason != "" {
		return reason, none, nil
	}
	raw, err := base64.StdEncoding.DecodeString(n.Content)
	if err != nil || n.Mail.MessageID == "" {
		return closeloop.ReplyDropUnreadable, none, nil
	}
	msg, err := ParseMessage(raw)
	if err != nil {
		return closeloop.ReplyDropUnreadable, none, nil
	}
	if automatic(msg, n) {
		return closeloop.ReplyDropAutomatic, none, nil
	}

	c, err := h.cases.CaseByID(ctx, token.CaseID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return closeloop.ReplyDropUnknownCase, none, nil
	}
	if err != nil {
		return "", none, err
	}
	store, err := h.stores.Store(ctx, c.StoreID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return closeloop.ReplyDropUnknownCase, none, nil
	}
	if err != nil {
		return "", none, err
	}
	now := h.now().UTC()
	if reason := token.Verify(store, now); reason != "" {
		return reason, none, nil
	}
	if c.Erased() {
		return closeloop.ReplyDropErased, c, nil
	}
	if h.ownAddress(store, msg.From) {
		return closeloop.ReplyDropOwnAddress, c, nil
	}
	note, ok := closeloop.NewReplyNote(n.Mail.MessageID, stripQuoted(msg.Text), msg.Attachments, now)
	if !ok {
		return closeloop.ReplyDropEmpty, c, nil
	}

	before := c
	c, result, err := h.cases.AddReply(ctx, before, note, now.Add(before.Policy.SLA()))
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return closeloop.ReplyDropUnknownCase, before, nil
	}
	if err != nil {
		return "", before, err
	}
	outcome := OutcomeStored
	switch result {
	case closeloop.ReplyCaseFull:
		return closeloop.ReplyDropCaseFull, c, nil
	case closeloop.ReplyDuplicate:
		// Written before; its alert may not have gone out (a crash in
		// between): sending it again is a no-op when it did.
		outcome = OutcomeDuplicate
		if i := slices.IndexFunc(c.Notes, func(x closeloop.Note) bool { return x.NoteID == note.NoteID }); i >= 0 {
			note = c.Notes[i]
		}
	}
	reopened := before.ReplyReopens()
	return outcome, c, h.alert(ctx, before, c, store, note, reopened)
}

// token finds the reply address among the email's recipients (the ones
// the receipt rule matched first) and reads its token.
func (h *Handler) token(n Notification) (closeloop.ReplyToken, string) {
	found := false
	for _, addr := range slices.Concat(n.Receipt.Recipients, n.Mail.Destination) {
		if !closeloop.IsReplyAddress(addr, h.cfg.ReplyDomain) {
			continue
		}
		found = true
		if t, ok := closeloop.ParseReplyAddress(addr, h.cfg.ReplyDomain); ok {
			return t, ""
		}
	}
	if found {
		return closeloop.ReplyToken{}, closeloop.ReplyDropBadToken
	}
	return closeloop.ReplyToken{}, closeloop.ReplyDropNoToken
}

// automatic reports whether an email was sent by a machine: an
// auto-reply (Auto-Submitted, X-Autoreply, Precedence), a bounce or
// delivery report (empty return path, mailer-daemon, multipart/report),
// or a mailing list's copy.
func automatic(msg Message, n Notification) bool {
	h := msg.Header
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || h.Get("X-Autoreply-From") != "" ||
		h.Get("List-Id") != "" || h.Get("List-Unsubscribe") != "" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	if strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "multipart/report") {
		return true
	}
	source := strings.ToLower(strings.Trim(strings.TrimSpace(n.Mail.Source), "<>"))
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp == "<>" || source == "" {
		return true
	}
	for _, addr := range []string{source, msg.From} {
		local, _, _ := strings.Cut(addr, "@")
		if local == "mailer-daemon" || local == "postmaster" || strings.HasPrefix(local, "no-reply") || strings.HasPrefix(local, "noreply") {
			return true
		}
	}
	return msg.From == ""
}

// ownAddress reports whether from is one of the store's own addresses
// (support, reply-to, owners, sender), the deployment's sender, or a
// reply address: a loop, not a customer.
func (h *Handler) ownAddress(store closeloop.Store, from string) bool {
	s := store.Settings
	own := slices.Concat(s.SupportEmails, s.OwnerEmails, []string{s.ReplyTo, s.SenderEmail, h.cfg.DefaultSender})
	for _, addr := range own {
		if addr != "" && strings.EqualFold(strings.TrimSpace(addr), from) {
			return true
		}
	}
	_, host, _ := strings.Cut(from, "@")
	return h.cfg.ReplyDomain != "" && strings.EqualFold(host, h.cfg.ReplyDomain)
}

// alert tells the case's assignee (when it was claimed) or else the
// store's support addresses about the reply, once per reply and address,
// with Reply-To the customer.
func (h *Handler) alert(ctx context.Context, before, after closeloop.Case, store closeloop.Store, n closeloop.Note, reopened bool) error {
	to := store.Settings.SupportAddresses()
	if before.Status == closeloop.CaseClaimed && before.Assignee != "" {
		to = []string{before.Assignee}
	}
	if len(to) == 0 {
		slog.WarnContext(ctx, "store has no support, reply-to or owner address: reply alert not sent", "store_id", after.StoreID, "case_id", after.CaseID)
		return nil
	}
	data := render.NewReplyAlert(before, n, reopened, store.Settings.Branding, store.Settings.DefaultLocale, render.CaseURL(h.cfg.PublicBaseURL, after.CaseID))
	email, err := h.renderer.RenderEmail(data)
	if err != nil {
		return err
	}
	var errs []error
	for _, addr := range to {
		result, err := h.mail.Send(ctx, mailing.Email{StoreID: after.StoreID, Kind: closeloop.KindReplyAlert, About: after.CaseID + "#" + n.NoteID, Message: closeloop.Message{
			From: store.From(h.cfg.DefaultSender), To: addr, ReplyTo: []string{after.Customer.Email},
			Subject: email.Subject, HTML: email.HTML, Text: email.Text,
			Tags: []closeloop.Tag{{Name: "case", Value: after.CaseID}, {Name: "survey", Value: after.SurveyID}},
		}})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if result != mailing.Sent {
			slog.InfoContext(ctx, "reply alert not sent", "case_id", after.CaseID, "result", result.String())
		}
	}
	return errors.Join(errs...)
}

// count logs the outcome of one email and writes it as a metric: Replies
// (stored), RepliesDuplicate, or RepliesDropped with its reason.
func (h *Handler) count(ctx context.Context, outcome string, attrs ...slog.Attr) {
	h.mu.Lock()
	h.counted[outcome]++
	h.mu.Unlock()
	level, msg := slog.LevelWarn, "reply dropped"
	switch outcome {
	case OutcomeStored:
		level, msg = slog.LevelInfo, "reply stored"
	case OutcomeDuplicate:
		level, msg = slog.LevelInfo, "reply already stored"
	}
	slog.LogAttrs(ctx, level, msg, append(attrs, slog.String("outcome", outcome))...)
	if h.metrics != nil {
		h.metrics.Write(emf(h.cfg.Stage, outcome, h.now()))
	}
}

// Counted returns how many emails had outcome since the handler started
// (for tests and the local product).
func (h *Handler) Counted(outcome string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counted[outcome]
}

// emf is one line of CloudWatch embedded metric format counting one email:
// metric Replies, RepliesDuplicate or RepliesDropped (namespace closeloop,
// dimensions stage and, for drops, stage and reason).
func emf(stage, outcome string, at time.Time) []byte {
	name := "RepliesDropped"
	dims := [][]string{{"stage"}, {"stage", "reason"}}
	switch outcome {
	case OutcomeStored:
		name, dims = "Replies", [][]string{{"stage"}}
	case OutcomeDuplicate:
		name, dims = "RepliesDuplicate", [][]string{{"stage"}}
	}
	line := map[string]any{
		"stage": stage, "reason": outcome, name: 1,
		"_aws": map[string]any{
			"Timestamp": at.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace": "closeloop", "Dimensions": dims,
				"Metrics": []map[string]string{{"Name": name, "Unit": "Count"}},
			}},
		},
	}
	out, _ := json.Marshal(line) // strings and numbers only: it cannot fail
	return append(out, '\n')
}
