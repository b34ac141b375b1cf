package closeloop

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/closeloop/closeloop/internal/lazy"
)

// Store is one shop served by the deployment. Every record belongs to exactly
// one store, and one store's keys never reach another store's data.
type Store struct {
	StoreID   string    `json:"store_id"`
	Settings  Settings  `json:"settings"`
	CreatedAt time.Time `json:"created_at"`
	// WebhookSecrets sign the store's webhook deliveries; never shown in
	// settings (POST /v1/settings/webhook-secret shows a new one once).
	WebhookSecrets WebhookSecrets `json:"webhook_secrets"`
	// CursorKey signs the store's list cursors, so that a client cannot
	// forge one; never shown.
	CursorKey string `json:"cursor_key"`
	// SettingsVersion counts the changes of Settings: a change is made on
	// condition the version is still the one read, so concurrent changes
	// never silently undo each other (the API's ETag).
	SettingsVersion int `json:"settings_version"`
	// SenderIdentities are the SES identities (addresses and domains) the
	// operator granted the store to send as, lower case; never changed by
	// its owner (sender.go). Empty, never absent, once the operator
	// revoked them all: storectl upgrade grants the sender_email of a store
	// without the attribute.
	SenderIdentities []string `json:"sender_identities,omitempty"`
	// DigestOptOut holds the hashes (digest.AddressHash) of the owner
	// addresses unsubscribed from the weekly digest; only ever added to.
	DigestOptOut []string `json:"digest_optout,omitempty"`

	// Shop platforms (shop.go): the secrets their webhooks are signed
	// with; write-only in settings, never shown or logged.
	ShopSecrets ShopSecrets `json:"shop_secrets"`
}

// Webhooks reports whether the store receives webhook events: it has a
// URL and a secret to sign them with.
func (s Store) Webhooks() bool {
	return s.Settings.WebhookURL != "" && s.WebhookSecrets.Current != ""
}

// Settings are what a store owner configures. The JSON form is the one
// GET and PUT /v1/settings speak.
type Settings struct {
	TimeZone           string   `json:"time_zone"`
	DefaultLocale      string   `json:"default_locale"`
	SurveyDelayHours   int      `json:"survey_delay_hours"`
	SurveyExpiryDays   int      `json:"survey_expiry_days"`
	ReminderAfterHours int      `json:"reminder_after_hours"`
	PointsPerAnswer    int      `json:"points_per_answer"`
	PointsCommentBonus int      `json:"points_comment_bonus"`
	MinCommentLength   int      `json:"min_comment_length"`
	CSATThreshold      int      `json:"csat_threshold"`
	SLAHours           int      `json:"sla_hours"`
	ContactBudgetDays  int      `json:"contact_budget_days"`
	RetentionMonths    int      `json:"retention_months"` // see Retention; 0 in a store saved before the setting
	MaxSendPerSecond   float64  `json:"max_send_per_second"`
	SenderEmail        string   `json:"sender_email"`
	SenderName         string   `json:"sender_name"`
	ReplyTo            string   `json:"reply_to"`
	SupportEmails      []string `json:"support_emails"`
	OwnerEmails        []string `json:"owner_emails"`
	DigestWeekday      string   `json:"digest_weekday"` // monday…sunday, store-local
	WebhookURL         string   `json:"webhook_url"`
	Branding           Branding `json:"branding"`
	// Closing the loop (loop.go): a resolution's reason is one of
	// CaseReasons; a comment holding one of CaseKeywords (by language)
	// opens a case whatever its score; Recheck asks the customer,
	// RecheckAfterHours after a resolution, whether it was put right;
	// alerts of new cases go to SupportAddresses and SlackWebhookURL,
	// for the cases AlertOn (with AlertMaxScore) picks, AlertMode.
	CaseReasons       []string            `json:"case_reasons"`
	CaseKeywords      map[string][]string `json:"case_keywords"`
	Recheck           bool                `json:"recheck"`
	RecheckAfterHours int                 `json:"recheck_after_hours"`
	SlackWebhookURL   string              `json:"slack_webhook_url"`
	AlertOn           string              `json:"alert_on"`
	AlertMaxScore     int                 `json:"alert_max_score"`
	AlertMode         string              `json:"alert_mode"`
	// When to ask (timing.go): the survey's delay counts from the
	// purchase, fulfilment or delivery (SurveyAfter); a survey still
	// waiting for its event MaxWaitDays after the purchase is sent or
	// expired (OnNoEvent); surveys go out only inside SendWindow,
	// store-local.
	SurveyAfter string     `json:"survey_after"`
	MaxWaitDays int        `json:"max_wait_days"`
	OnNoEvent   string     `json:"on_no_event"`
	SendWindow  SendWindow `json:"send_window"`
	// Texts are the store's own words in the survey and thank-you emails,
	// by language (wording.go).
	Texts map[string]StoreTexts `json:"texts"`
}

// Branding is how the store looks and introduces itself in emails and pages.
type Branding struct {
	Name          string `json:"name"`
	LogoURL       string `json:"logo_url"`
	Color         string `json:"color"`
	PostalAddress string `json:"postal_address"`
	PrivacyURL    string `json:"privacy_url"`
}

// DefaultSettings are a new store's settings until its owner changes them.
func DefaultSettings() Settings {
	return Settings{
		TimeZone:           "UTC",
		DefaultLocale:      "en",
		SurveyDelayHours:   72,
		SurveyExpiryDays:   14,
		ReminderAfterHours: 72,
		PointsPerAnswer:    50,
		PointsCommentBonus: 25,
		MinCommentLength:   20,
		CSATThreshold:      2,
		SLAHours:           24,
		ContactBudgetDays:  30,
		RetentionMonths:    DefaultRetentionMonths,
		MaxSendPerSecond:   10,
		DigestWeekday:      DefaultDigestWeekday,
		Branding:           Branding{Name: "Our store", Color: "#1f5fbf"},
		CaseReasons:        slices.Clone(DefaultCaseReasons),
		CaseKeywords:       defaultCaseKeywords(),
		Recheck:            true,
		RecheckAfterHours:  DefaultRecheckAfterHours,
		AlertOn:            AlertOnAll,
		AlertMaxScore:      5,
		AlertMode:          AlertEach,
		SurveyAfter:        SurveyAfterPurchase,
		MaxWaitDays:        DefaultMaxWaitDays,
		OnNoEvent:          OnNoEventSend,
		SendWindow:         DefaultSendWindow(),
		Texts:              map[string]StoreTexts{},
	}
}

// SupportAddresses are where support alerts go: the support addresses, else
// the reply-to address, else the owners'.
func (s Settings) SupportAddresses() []string {
	switch {
	case len(s.SupportEmails) > 0:
		return s.SupportEmails
	case s.ReplyTo != "":
		return []string{s.ReplyTo}
	}
	return s.OwnerEmails
}

// Normalize trims and lower-cases the settings' addresses in place, so
// they are stored as Validate checks them.
func (s *Settings) Normalize() {
	s.SenderEmail = strings.ToLower(strings.TrimSpace(s.SenderEmail))
	s.ReplyTo = strings.ToLower(strings.TrimSpace(s.ReplyTo))
	for _, list := range [][]string{s.SupportEmails, s.OwnerEmails} {
		for i := range list {
			list[i] = strings.ToLower(strings.TrimSpace(list[i]))
		}
	}
}

// headerSafe reports whether a name can go into a From display name or a
// subject as it is: none of the characters that end, quote or escape a
// header's part, and no control or invisible character.
func headerSafe(name string) bool {
	for _, r := range name {
		if strings.ContainsRune("\"<>\\", r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// SurveyDelay is how long after a purchase its survey is sent.
func (s Settings) SurveyDelay() time.Duration {
	return time.Duration(s.SurveyDelayHours) * time.Hour
}

// SurveyExpiry is how long a survey can be answered once it is due.
func (s Settings) SurveyExpiry() time.Duration {
	return time.Duration(s.SurveyExpiryDays) * 24 * time.Hour
}

// Location returns the store's time zone, UTC when it cannot be loaded.
func (s Settings) Location() *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

var colorPattern = lazy.Regexp(`^#[0-9a-fA-F]{6}$`)

// Validate reports every setting that is out of range, by its JSON name.
func (s Settings) Validate() error {
	p := Problems{}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		p.Add("time_zone", "must be an IANA time zone such as Europe/Berlin")
	}
	if !ValidLocale(s.DefaultLocale) {
		p.Add("default_locale", "must be a BCP 47 language tag such as en or ru-RU")
	} else if !slices.Contains(SpokenLanguages, Language(s.DefaultLocale)) {
		p.Add("default_locale", "must be a language the product speaks: "+strings.Join(SpokenLanguages, ", "))
	}
	ranges := []struct {
		field    string
		value    int
		min, max int
	}{
		{"survey_delay_hours", s.SurveyDelayHours, 0, 24 * 60},
		{"survey_expiry_days", s.SurveyExpiryDays, 1, 90},
		{"reminder_after_hours", s.ReminderAfterHours, 0, 24 * 30},
		{"points_per_answer", s.PointsPerAnswer, 0, 100000},
		{"points_comment_bonus", s.PointsCommentBonus, 0, 100000},
		{"min_comment_length", s.MinCommentLength, 0, 2000},
		{"csat_threshold", s.CSATThreshold, 1, 4},
		{"sla_hours", s.SLAHours, 1, 24 * 14},
		{"contact_budget_days", s.ContactBudgetDays, 0, 365},
	}
	if s.RetentionMonths != 0 && (s.RetentionMonths < MinRetentionMonths || s.RetentionMonths > MaxRetentionMonths) {
		p.Add("retention_months", rangeProblem(MinRetentionMonths, MaxRetentionMonths))
	}
	for _, r := range ranges {
		if r.value < r.min || r.value > r.max {
			p.Add(r.field, rangeProblem(r.min, r.max))
		}
	}
	if s.MaxSendPerSecond < 0.1 || s.MaxSendPerSecond > 1000 {
		p.Add("max_send_per_second", "must be from 0.1 to 1000")
	}
	for field, addr := range map[string]string{"sender_email": s.SenderEmail, "reply_to": s.ReplyTo} {
		if addr != "" {
			if email, problem := CheckEmail(addr); problem != "" {
				p.Add(field, problem)
			} else if email != addr {
				p.Add(field, "must be written trimmed and in lower case")
			}
		}
	}
	if len(s.SenderName) > 100 || !headerSafe(s.SenderName) {
		p.Add("sender_name", "must be at most 100 characters without quotes, angle brackets, backslashes, line breaks or control characters")
	}
	for field, list := range map[string][]string{"support_emails": s.SupportEmails, "owner_emails": s.OwnerEmails} {
		if len(list) > 20 {
			p.Add(field, "must list at most 20 addresses")
		}
		for _, addr := range list {
			if _, problem := CheckEmail(addr); problem != "" {
				p.Add(field, "must list email addresses only; "+strings.TrimPrefix(problem, "must be an email address: ")+": "+addr)
			}
		}
	}
	s.validateLoop(p)
	s.validateTiming(p)
	validateTexts(s.Texts, p)
	if !validDigestWeekday(s.DigestWeekday) {
		p.Add("digest_weekday", "must be a day of the week in lower case, monday to sunday")
	}
	if s.WebhookURL != "" && !httpsURL(s.WebhookURL) {
		p.Add("webhook_url", "must be an https URL")
	}
	b := s.Branding
	if strings.TrimSpace(b.Name) == "" || len(b.Name) > 100 || !headerSafe(b.Name) {
		p.Add("branding.name", "must be 1 to 100 characters without quotes, angle brackets, backslashes, line breaks or control characters")
	}
	if b.LogoURL != "" && !httpsURL(b.LogoURL) {
		p.Add("branding.logo_url", "must be an https URL")
	}
	if b.PrivacyURL != "" && !httpsURL(b.PrivacyURL) {
		p.Add("branding.privacy_url", "must be an https URL")
	}
	if b.Color != "" && !colorPattern().MatchString(b.Color) {
		p.Add("branding.color", "must be a colour such as #1f5fbf")
	}
	if len(b.PostalAddress) > 300 {
		p.Add("branding.postal_address", "must be at most 300 characters")
	}
	return p.Err("some settings are not valid")
}

func rangeProblem(min, max int) string {
	return "must be from " + itoa(min) + " to " + itoa(max)
}

func httpsURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.Host != "" && len(raw) <= 2000
}
