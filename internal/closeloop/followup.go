package closeloop

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CaseStatus is where a follow-up case is in its life.
type CaseStatus string

// Case statuses. Overdue is not a status: an open or claimed case is
// overdue once its due time has passed.
const (
	CaseOpen     CaseStatus = "open"     // waiting for someone in support to take it
	CaseClaimed  CaseStatus = "claimed"  // a support person (the assignee) is on it
	CaseResolved CaseStatus = "resolved" // closed with a resolution; can be reopened
)

// Why a case was opened; a case lists every reason that held.
const (
	OpenedLowScore  = "low_score"  // the CSAT score was at or below the store's threshold
	OpenedDetractor = "detractor"  // the NPS was 0–6
	OpenedContactMe = "contact_me" // the customer asked to be contacted
	OpenedKeyword   = "keyword"    // the comment holds one of the store's keyword rules (keywords.go)
)

// Limits on what a case holds, so that a case item stays far below
// DynamoDB's 400 KB: 50 notes of at most 6,000 bytes each.
const (
	MaxNotesPerCase  = 50
	MaxNoteRunes     = 2000
	maxNoteBytes     = 6000
	MaxResolveRunes  = 2000
	maxAssigneeBytes = 254
)

// FollowupPolicy is how a store follows up unhappy answers. It is copied
// onto each survey when the survey is created, so that answering it reads
// nothing but the survey.
type FollowupPolicy struct {
	CSATThreshold int    `json:"csat_threshold"` // a score at or below it opens a case
	SLAHours      int    `json:"sla_hours"`      // the case is due this long after it opens
	TimeZone      string `json:"time_zone"`      // the store's, for the times named to the customer
	// Recheck is the recovery check (recheck.go); nil in a survey created
	// before it, read as the defaults.
	Recheck *RecheckPolicy `json:"recheck,omitempty"`
	// CaseKeywords are the store's keyword rules (keywords.go) of the
	// languages the survey may be answered in; nil (absent) in a survey
	// created before rules were copied, which then reads
	// DefaultCaseKeywords; empty when the store has none.
	CaseKeywords map[string][]string `json:"case_keywords"`
}

// withDefaults fills what a survey created before policies were copied
// lacks, with the defaults stores start with.
func (p FollowupPolicy) withDefaults() FollowupPolicy {
	d := DefaultSettings()
	if p.CSATThreshold == 0 {
		p.CSATThreshold = d.CSATThreshold
	}
	if p.SLAHours == 0 {
		p.SLAHours = d.SLAHours
	}
	if p.TimeZone == "" {
		p.TimeZone = d.TimeZone
	}
	return p
}

// SLA is how long support has to contact the customer.
func (p FollowupPolicy) SLA() time.Duration {
	return time.Duration(p.withDefaults().SLAHours) * time.Hour
}

// Policy returns the store's follow-up policy as settings give it.
func (s Settings) Policy() FollowupPolicy {
	return FollowupPolicy{CSATThreshold: s.CSATThreshold, SLAHours: s.SLAHours, TimeZone: s.TimeZone, Recheck: s.recheckPolicy()}
}

// CaseReasons lists why answer r to a survey with policy p needs a case,
// none when it does not: a score at or below the threshold, a detractor's
// NPS, or a request to be contacted.
func (p FollowupPolicy) CaseReasons(r Response) []string {
	p = p.withDefaults()
	var reasons []string
	if r.Score <= p.CSATThreshold {
		reasons = append(reasons, OpenedLowScore)
	}
	if r.NPS != nil && *r.NPS <= 6 {
		reasons = append(reasons, OpenedDetractor)
	}
	if r.ContactMe {
		reasons = append(reasons, OpenedContactMe)
	}
	return reasons
}

// CaseIDFor is the ID of the case an answer to survey surveyID opens: one
// survey has at most one case, and its key follows from the survey's.
func CaseIDFor(surveyID string) string {
	return "c_" + strings.TrimPrefix(surveyID, "s_")
}

// Case is a follow-up case: an answer that needs a person from support to
// contact the customer, by DueBy.
type Case struct {
	CaseID      string     `json:"id"`
	StoreID     string     `json:"store_id"`
	SurveyID    string     `json:"survey_id"`
	OrderID     string     `json:"order_id"`
	Customer    Customer   `json:"customer"`
	Items       []Item     `json:"items"`
	Score       int        `json:"score"`
	NPS         *int       `json:"nps"`
	Comment     string     `json:"comment"`
	ContactMe   bool       `json:"contact_me"`
	Points      int        `json:"points"` // what the answer earned, named in the acknowledgement
	OpenReasons []string   `json:"open_reasons"`
	Status      CaseStatus `json:"status"`
	Assignee    string     `json:"assignee"`
	Notes       []Note     `json:"notes"`
	OpenedAt    time.Time  `json:"opened_at"`
	DueBy       time.Time  `json:"due_by"`
	ClaimedAt   *time.Time `json:"claimed_at"`
	ResolvedAt  *time.Time `json:"resolved_at"`
	Resolution  string     `json:"resolution"`
	// NotifyCustomer asks, with the last resolution, for the closing
	// email; CustomerMessage is support's own words in it.
	NotifyCustomer  bool   `json:"notify_customer,omitempty"`
	CustomerMessage string `json:"customer_message,omitempty"`
	// OverdueAlerts counts the re-alerts sent since the case fell overdue.
	OverdueAlerts int            `json:"overdue_alerts"`
	Policy        FollowupPolicy `json:"policy"`
	DefaultLocale string         `json:"default_locale"` // the store's, for the customer's language
	// Recheck is the recovery check (recheck.go): nil until it is sent or
	// skipped.
	Recheck *CaseRecheck `json:"recheck,omitempty"`
	// Closing the loop (outcome.go, keywords.go): the last resolution's
	// Outcome and Reason (one of the store's case_reasons), the Tags
	// support gave the case from the same list, the keyword rule that
	// opened it ("" when none did), and the times of its first contact
	// (claim, note or customer reply) and first resolution, each set once
	// and kept through reopening: the loop numbers count them.
	Outcome         string     `json:"outcome,omitempty"`
	Reason          string     `json:"reason,omitempty"`
	Tags            []string   `json:"tags,omitempty"`
	KeywordRule     string     `json:"keyword_rule,omitempty"`
	FirstContactAt  *time.Time `json:"first_contact_at,omitempty"`
	FirstResolvedAt *time.Time `json:"first_resolved_at,omitempty"`
}

// NewCase opens the case for answer r to survey s, answered at at, when the
// answer needs one; ok is false when it does not. The comment is read by
// the survey's keyword rules (Survey.Classifier).
func NewCase(s Survey, r Response, at time.Time) (c Case, ok bool) {
	return OpenCase(s, r, at, s.Classifier())
}

// OpenCase is NewCase with the comment read by cl: the seam where a store
// could plug in another classifier than its keyword rules (CaseClassifier).
// cl may be nil: the score alone decides.
func OpenCase(s Survey, r Response, at time.Time, cl CaseClassifier) (c Case, ok bool) {
	reasons := s.Policy.CaseReasons(r)
	rule := ""
	if cl != nil && r.Comment != "" {
		if fired, ok := cl.Classify(r.Comment); ok {
			rule = fired
			reasons = append(reasons, OpenedKeyword)
		}
	}
	if len(reasons) == 0 {
		return Case{}, false
	}
	policy := s.Policy.withDefaults()
	policy.CaseKeywords = nil // the survey keeps them; the case has no use for them
	return Case{
		CaseID: CaseIDFor(s.SurveyID), StoreID: s.StoreID, SurveyID: s.SurveyID, OrderID: s.OrderID,
		Customer: s.Customer, Items: s.Items,
		Score: r.Score, NPS: r.NPS, Comment: r.Comment, ContactMe: r.ContactMe, Points: r.Points,
		OpenReasons: reasons, Status: CaseOpen, Notes: []Note{},
		OpenedAt: at, DueBy: at.Add(policy.SLA()), Policy: policy, DefaultLocale: s.DefaultLocale,
		KeywordRule: rule,
	}, true
}

// Unhappy reports whether the case opened on a low score, a detractor's
// NPS or a complaint a keyword rule found, not only because the customer
// asked to be contacted: the customer is then owed an apology.
func (c Case) Unhappy() bool {
	for _, r := range c.OpenReasons {
		if r == OpenedLowScore || r == OpenedDetractor || r == OpenedKeyword {
			return true
		}
	}
	return false
}

// Overdue reports whether the case is still unresolved at now, past its
// due time.
func (c Case) Overdue(now time.Time) bool {
	return c.Status != CaseResolved && !now.Before(c.DueBy)
}

// Location is the store's time zone at the case's opening.
func (c Case) Location() *time.Location {
	loc, err := time.LoadLocation(c.Policy.withDefaults().TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Note is something written on a case: by support, or later the customer's
// reply.
type Note struct {
	NoteID string    `json:"id"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

// ValidNoteText checks a note's text and returns it trimmed, with Windows
// line ends made plain.
func ValidNoteText(field, text string) (string, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" || utf8.RuneCountInString(text) > MaxNoteRunes || len(text) > maxNoteBytes || !utf8.ValidString(text) ||
		strings.IndexFunc(text, notText) >= 0 {
		return "", &Error{Code: EINVALID, Message: "the note is not valid",
			Fields: map[string]string{field: "must be 1 to 2000 characters of text"}}
	}
	return text, nil
}

// notText is a control character other than a line break or a tab.
func notText(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }

// ValidAssignee checks who claims a case: a support person's email
// address, returned normalized.
func ValidAssignee(raw string) (string, error) {
	email, err := NormalizeEmail(raw)
	if err != nil || len(email) > maxAssigneeBytes {
		return "", &Error{Code: EINVALID, Message: "the assignee is not valid",
			Fields: map[string]string{"assignee": "must be the support person's email address"}}
	}
	return email, nil
}

// Resolution is how a case is closed.
type Resolution struct {
	Text string // what was done, for the store
	// NotifyCustomer sends the customer a closing email in their language,
	// with CustomerMessage (optional) as support's own words.
	NotifyCustomer  bool
	CustomerMessage string
	// Outcome is one of CaseOutcomes; Reason one of the store's
	// case_reasons.
	Outcome string
	Reason  string
}

// Validate checks a resolution against the store's case reasons and trims
// its texts in place.
func (r *Resolution) Validate(reasons []string) error {
	p := Problems{}
	r.validateOutcome(p, reasons)
	r.Text = strings.TrimSpace(strings.ReplaceAll(r.Text, "\r\n", "\n"))
	if r.Text == "" || utf8.RuneCountInString(r.Text) > MaxResolveRunes || strings.IndexFunc(r.Text, notText) >= 0 {
		p.Add("resolution", "must be 1 to 2000 characters of text saying what was done")
	}
	r.CustomerMessage = strings.TrimSpace(strings.ReplaceAll(r.CustomerMessage, "\r\n", "\n"))
	switch {
	case utf8.RuneCountInString(r.CustomerMessage) > MaxResolveRunes || strings.IndexFunc(r.CustomerMessage, notText) >= 0:
		p.Add("customer_message", "must be at most 2000 characters of text")
	case r.CustomerMessage != "" && !r.NotifyCustomer:
		p.Add("customer_message", "is sent only with notify_customer: true")
	}
	return p.Err("the resolution is not valid")
}

// HistoryEntry is one of a customer's surveys in a store, with the case it
// opened, if any.
type HistoryEntry struct {
	Survey Survey `json:"survey"`
	Case   *Case  `json:"followup,omitempty"`
}

// DueCase is an unresolved case whose SLA alert is due, with Mark, the
// storage's opaque mark of the state it was read in: acting on it succeeds
// only while the case is still in that state.
type DueCase struct {
	Case Case
	Mark string
}

// CaseFilter chooses the cases to list.
type CaseFilter struct {
	// Status is open, claimed, resolved, or overdue (open or claimed and
	// due at or before Now); "" lists open and claimed cases.
	Status string
	Now    time.Time
	Limit  int
	Cursor string // from the previous page, "" for the first
}

// CaseView is a case as the store sees it, through the API and in webhook
// events: what it is about and where it stands, without the copies the
// product keeps for itself.
type CaseView struct {
	CaseID        string     `json:"id"`
	SurveyID      string     `json:"survey_id"`
	OrderID       string     `json:"order_id"`
	Customer      Customer   `json:"customer"`
	Items         []Item     `json:"items"`
	Score         int        `json:"score"`
	NPS           *int       `json:"nps"`
	Comment       string     `json:"comment"`
	ContactMe     bool       `json:"contact_me"`
	Points        int        `json:"points"`
	OpenReasons   []string   `json:"open_reasons"`
	Status        CaseStatus `json:"status"`
	Overdue       bool       `json:"overdue"`
	Assignee      string     `json:"assignee"`
	OpenedAt      time.Time  `json:"opened_at"`
	DueBy         time.Time  `json:"due_by"`
	ClaimedAt     *time.Time `json:"claimed_at"`
	ResolvedAt    *time.Time `json:"resolved_at"`
	Resolution    string     `json:"resolution"`
	OverdueAlerts int        `json:"overdue_alerts"`
	Notes         []Note     `json:"notes"`
	// Recheck is the recovery check: null until it is sent or skipped.
	Recheck *RecheckView `json:"recheck"`
	// Closing the loop: the last resolution's outcome and reason ("" while
	// never resolved), the case's tags, the keyword rule that opened it,
	// and its first contact.
	Outcome        string     `json:"outcome"`
	Reason         string     `json:"reason"`
	Tags           []string   `json:"tags"`
	KeywordRule    string     `json:"keyword_rule"`
	FirstContactAt *time.Time `json:"first_contact_at"`
}

// NewCaseView shows c as it stands at now; lists never show as null.
func NewCaseView(c Case, now time.Time) CaseView {
	v := CaseView{
		CaseID: c.CaseID, SurveyID: c.SurveyID, OrderID: c.OrderID, Customer: c.Customer, Items: c.Items,
		Score: c.Score, NPS: c.NPS, Comment: c.Comment, ContactMe: c.ContactMe, Points: c.Points,
		OpenReasons: c.OpenReasons, Status: c.Status, Overdue: c.Overdue(now), Assignee: c.Assignee,
		OpenedAt: c.OpenedAt, DueBy: c.DueBy, ClaimedAt: c.ClaimedAt, ResolvedAt: c.ResolvedAt,
		Resolution: c.Resolution, OverdueAlerts: c.OverdueAlerts, Notes: c.Notes,
		Recheck: recheckView(c.Recheck),
		Outcome: c.Outcome, Reason: c.Reason, Tags: c.Tags, KeywordRule: c.KeywordRule, FirstContactAt: c.FirstContactAt,
	}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	if v.Items == nil {
		v.Items = []Item{}
	}
	if v.Notes == nil {
		v.Notes = []Note{}
	}
	if v.OpenReasons == nil {
		v.OpenReasons = []string{}
	}
	return v
}
