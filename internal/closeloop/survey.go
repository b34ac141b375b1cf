package closeloop

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a survey is in its life.
type Status string

// Survey statuses (API.md).
const (
	StatusScheduled  Status = "scheduled"  // waiting for its send time
	StatusPending    Status = "pending"    // waiting for the order's fulfilment or delivery (settings survey_after)
	StatusSending    Status = "sending"    // claimed by a dispatcher under a lease
	StatusSent       Status = "sent"       // emailed, waiting for an answer
	StatusAnswered   Status = "answered"   // answered once, points awarded
	StatusExpired    Status = "expired"    // closed unanswered
	StatusCapped     Status = "capped"     // not sent: the customer's contact budget is spent
	StatusSuppressed Status = "suppressed" // not sent: the address unsubscribed, bounced or complained
	StatusCancelled  Status = "cancelled"  // the order was cancelled or refunded
	StatusFailed     Status = "failed"     // could not be sent; see FailureReason
)

// Failure reasons of a failed survey: codes, never a provider's error text.
// A message-level send problem (sending.go) is its own reason.
const (
	ReasonRejected     = string(ProblemRejected)     // the mail provider refused the email for good
	ReasonBadRecipient = string(ProblemBadRecipient) // the customer's address was refused as invalid
	// ReasonGaveUp: passing send failures went on until MaxSendAttempts,
	// or the survey closed before it could be sent.
	ReasonGaveUp = "gave_up"
)

// Limits on what an order may carry.
const (
	MaxOrdersPerBatch = 100
	MaxItemsPerOrder  = 50
	MaxCommentRunes   = 2000
)

// Customer is who bought, as the store tells us.
type Customer struct {
	Email  string `json:"email"`
	Name   string `json:"name,omitempty"`
	Locale string `json:"locale,omitempty"`
}

// Item is one product in an order.
type Item struct {
	SKU  string `json:"sku"`
	Name string `json:"name,omitempty"`
}

// Order is what a store posts after a purchase.
type Order struct {
	OrderID     string    `json:"order_id"`
	Customer    Customer  `json:"customer"`
	Items       []Item    `json:"items"`
	PurchasedAt time.Time `json:"purchased_at"`
	// When the order was fulfilled (shipped) and delivered, if the store
	// knows already; later with POST /v1/orders/{order_id}/events. A store
	// whose survey_after is fulfillment or delivery counts its delay from
	// them.
	FulfilledAt *time.Time `json:"fulfilled_at,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

// OrderEventType is what happened to an order after its purchase.
type OrderEventType string

// The order events a survey can wait for (settings survey_after).
const (
	OrderFulfilled OrderEventType = "fulfilled" // shipped
	OrderDelivered OrderEventType = "delivered" // the parcel arrived
)

// OrderEvent is an order's fulfilment or delivery at At, as a store or a
// shop platform's webhook reports it.
type OrderEvent struct {
	Type OrderEventType `json:"type"`
	At   time.Time      `json:"at"`
}

// Validate checks the order and normalizes the customer's email address in
// place. Field names in the problems are the JSON paths inside the order.
func (o *Order) Validate(now time.Time) Problems {
	p := Problems{}
	if o.OrderID == "" {
		p.Add("order_id", "is required")
	} else if len(o.OrderID) > 128 || !printable(o.OrderID) {
		p.Add("order_id", "must be at most 128 printable characters")
	}
	if o.Customer.Email == "" {
		p.Add("customer.email", "is required")
	} else if email, problem := CheckEmail(o.Customer.Email); problem != "" {
		p.Add("customer.email", problem)
	} else {
		o.Customer.Email = email
	}
	if utf8.RuneCountInString(o.Customer.Name) > 200 || !printable(o.Customer.Name) {
		p.Add("customer.name", "must be at most 200 printable characters")
	}
	if o.Customer.Locale != "" && !ValidLocale(o.Customer.Locale) {
		p.Add("customer.locale", "must be a BCP 47 language tag such as en-GB")
	}
	if len(o.Items) > MaxItemsPerOrder {
		p.Add("items", "must list at most 50 items")
	}
	for i, item := range o.Items {
		prefix := "items[" + itoa(i) + "]."
		if item.SKU == "" {
			p.Add(prefix+"sku", "is required")
		} else if len(item.SKU) > 128 || !printable(item.SKU) {
			p.Add(prefix+"sku", "must be at most 128 printable characters")
		}
		if utf8.RuneCountInString(item.Name) > 200 || !printable(item.Name) {
			p.Add(prefix+"name", "must be at most 200 printable characters")
		}
	}
	if o.PurchasedAt.IsZero() {
		p.Add("purchased_at", "is required (RFC 3339, e.g. 2026-11-20T10:00:00Z)")
	} else if o.PurchasedAt.After(now.Add(time.Hour)) {
		p.Add("purchased_at", "must not be in the future")
	}
	o.validateEvents(now, p)
	return p
}

// Survey is one satisfaction survey for one order.
type Survey struct {
	SurveyID      string      `json:"survey_id"`
	StoreID       string      `json:"store_id"`
	OrderID       string      `json:"order_id"`
	Customer      Customer    `json:"customer"`
	Items         []Item      `json:"items,omitempty"`
	PurchasedAt   time.Time   `json:"purchased_at"`
	Status        Status      `json:"status"`
	SendAt        time.Time   `json:"send_at"`
	ClosesAt      time.Time   `json:"closes_at"`
	Offer         PointsOffer `json:"offer"`
	CreatedAt     time.Time   `json:"created_at"`
	SentAt        *time.Time  `json:"sent_at,omitempty"`
	RemindedAt    *time.Time  `json:"reminded_at,omitempty"`
	AnsweredAt    *time.Time  `json:"answered_at,omitempty"`
	Response      *Response   `json:"response,omitempty"`
	FailureReason string      `json:"failure_reason,omitempty"`
	Attempts      int         `json:"attempts,omitempty"`
	// Brand and DefaultLocale are the store's, copied when the survey is
	// created and again when it is sent, so its page renders from one read.
	Brand         Branding `json:"brand"`
	DefaultLocale string   `json:"default_locale"`
	// Policy is the store's follow-up policy, copied when the survey is
	// created, so that an answer opens its case from this one read.
	Policy FollowupPolicy `json:"policy"`
	// RetentionMonths is the store's retention, copied when the survey is
	// created, so that the survey and what its answer writes (response,
	// ledger entry, case) expire without a read of the store; 0 for a
	// survey from before, which keeps the default.
	RetentionMonths int `json:"retention_months,omitempty"`
	// When to ask (timing.go), copied when the survey is created so that
	// dispatch reads no store for it: what the survey waits for, what it
	// does when that never comes, and the store-local hours it may be
	// sent in (nil on surveys from before: any hour); the first two are
	// dropped once it is sent. FulfilledAt and DeliveredAt are the order's
	// events as recorded.
	SurveyAfter string      `json:"survey_after,omitempty"`
	OnNoEvent   string      `json:"on_no_event,omitempty"`
	SendWindow  *SendWindow `json:"send_window,omitempty"`
	FulfilledAt *time.Time  `json:"fulfilled_at,omitempty"`
	DeliveredAt *time.Time  `json:"delivered_at,omitempty"`
}

// Closed reports whether the survey's link no longer opens a page of its own.
func (s *Survey) Closed(now time.Time) bool {
	switch s.Status {
	case StatusSending, StatusSent, StatusAnswered:
		return !now.Before(s.ClosesAt)
	}
	return true
}

// PointsOffer is what the survey email promised for answering. It is fixed
// when the survey is created, so a settings change never breaks a promise.
type PointsOffer struct {
	PerAnswer        int `json:"per_answer"`
	CommentBonus     int `json:"comment_bonus"`
	MinCommentLength int `json:"min_comment_length"`
}

// Max is the most an answer can earn.
func (o PointsOffer) Max() int { return o.PerAnswer + o.CommentBonus }

// For returns the points an answer with comment earns. Rewards never depend
// on the score.
func (o PointsOffer) For(comment string) int {
	points := o.PerAnswer
	if o.CommentBonus > 0 && utf8.RuneCountInString(strings.TrimSpace(comment)) >= max(o.MinCommentLength, 1) {
		points += o.CommentBonus
	}
	return points
}

// Response is a customer's answer.
type Response struct {
	Score     int    `json:"score"`
	NPS       *int   `json:"nps,omitempty"`
	Comment   string `json:"comment,omitempty"`
	ContactMe bool   `json:"contact_me,omitempty"`
	Points    int    `json:"points"`
	// CaseID names the follow-up case the answer opened, "" when none.
	CaseID string `json:"case_id,omitempty"`
}

// Answer is what the survey form submits, before validation.
type Answer struct {
	Score     string
	NPS       string
	Comment   string
	ContactMe bool
}

// Parse validates the form values into a Response (points not yet set).
func (a Answer) Parse() (Response, Problems) {
	p := Problems{}
	var r Response
	score, ok := atoi(a.Score)
	if a.Score == "" {
		p.Add("score", "required")
	} else if !ok || score < 1 || score > 5 {
		p.Add("score", "range")
	}
	r.Score = score
	if a.NPS != "" {
		nps, ok := atoi(a.NPS)
		if !ok || nps < 0 || nps > 10 {
			p.Add("nps", "range")
		} else {
			r.NPS = &nps
		}
	}
	// Control characters (NUL, terminal escapes) are dropped: a comment is
	// shown in emails, pages and spreadsheets. Line breaks and tabs stay.
	r.Comment = strings.TrimSpace(strings.Map(func(c rune) rune {
		if notText(c) {
			return -1
		}
		return c
	}, strings.ReplaceAll(a.Comment, "\r\n", "\n")))
	if utf8.RuneCountInString(r.Comment) > MaxCommentRunes || !utf8.ValidString(r.Comment) {
		p.Add("comment", "long")
	}
	r.ContactMe = a.ContactMe
	return r, p
}

// LedgerEntry is one change of a customer's points balance.
type LedgerEntry struct {
	SurveyID string    `json:"survey_id,omitempty"`
	Points   int       `json:"points"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// Points is a customer's balance with its history, newest first.
type Points struct {
	Balance int           `json:"balance"`
	Ledger  []LedgerEntry `json:"ledger"`
}

// ResponseItem is a response as a store lists it: who answered which
// order's survey, when, and what.
type ResponseItem struct {
	StoreID    string    `json:"store_id"`
	SurveyID   string    `json:"survey_id"`
	OrderID    string    `json:"order_id"`
	Customer   Customer  `json:"customer"`
	Items      []Item    `json:"items"`
	AnsweredAt time.Time `json:"answered_at"`
	Response
}

// Change is what one change of stored data means to the work that follows
// it: a survey's first send, a new response, a new case, or a case just
// resolved.
type Change struct {
	Response *ResponseItem
	Case     *Case
	Resolved bool // Case was resolved by this change; else it was opened
	// Products are the change's counts per product, applied once under
	// Mark, which names the fact.
	StoreID  string
	Products []ProductTally
	Mark     string
}
