package settings

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
)

// Stores reads a store as the last change left it (strongly consistent)
// and saves its settings on condition of the version read (ECONFLICT when
// they moved on since).
type Stores interface {
	LatestStore(ctx context.Context, storeID string) (closeloop.Store, error)
	UpdateSettings(ctx context.Context, read closeloop.Store, s closeloop.Settings) error
}

// Service validates and saves changes of stores' settings.
type Service struct {
	stores Stores
	// checkWebhookURL refuses a webhook URL a store may not use (not
	// https, or resolving to a private address) with an EINVALID error.
	checkWebhookURL func(ctx context.Context, raw string) error
}

// New returns the service; checkWebhookURL is webhook.ValidateURL with the
// deployment's resolver.
func New(stores Stores, checkWebhookURL func(ctx context.Context, raw string) error) *Service {
	return &Service{stores: stores, checkWebhookURL: checkWebhookURL}
}

// AnyVersion is Change.Version for a change made on whatever settings are
// current: its fields are applied on top of any other change, never in
// place of it.
const AnyVersion = -1

// Change is one change of a store's settings.
type Change struct {
	// Fields are the settings changed, by their JSON names (GET
	// /v1/settings); the others keep their values. branding is an object
	// of the branding fields changed.
	Fields map[string]json.RawMessage
	// Version is the version the change was made on (ETag), or AnyVersion.
	Version int
	// Problems are the caller's own findings in the input (fields it took
	// out, such as the shop secrets): reported with the settings' own, so
	// that every bad field is named at once, and nothing is saved.
	Problems closeloop.Problems
}

// Saved is the outcome of a change.
type Saved struct {
	Store    closeloop.Store    // as read before the change
	Settings closeloop.Settings // as saved
	Version  int                // the settings' version now
}

// maxAttempts bounds how often a change on AnyVersion reads the settings
// again after another change won the race.
const maxAttempts = 10

// ETag names a version of a store's settings.
func ETag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// ParseETag reads the version an ETag (weak or not) names.
func ParseETag(etag string) (int, bool) {
	s := strings.TrimPrefix(strings.TrimSpace(etag), "W/")
	if !strings.HasPrefix(s, `"v`) || !strings.HasSuffix(s, `"`) || len(s) < 4 {
		return 0, false
	}
	v, err := strconv.Atoi(s[2 : len(s)-1])
	return v, err == nil && v >= 0
}

// Current is the store with its settings as the last change left them,
// and their version: what a form to change them is drawn from.
func (s *Service) Current(ctx context.Context, storeID string) (closeloop.Store, error) {
	return s.stores.LatestStore(ctx, storeID)
}

// Update applies c to the store's settings and saves them when every field
// is good (EINVALID naming each bad one otherwise). A change on a version
// that is no longer current is EPRECONDITION; one on AnyVersion is retried
// on top of the change that won.
func (s *Service) Update(ctx context.Context, storeID string, c Change) (Saved, error) {
	if c.Fields == nil {
		return Saved{}, closeloop.Errorf(closeloop.EINVALID, "the body must be a JSON object of settings")
	}
	for attempt := 1; ; attempt++ {
		store, err := s.stores.LatestStore(ctx, storeID)
		if err != nil {
			return Saved{}, err
		}
		if c.Version != AnyVersion && c.Version != store.SettingsVersion {
			return Saved{}, closeloop.Errorf(closeloop.EPRECONDITION, "the settings changed since you read them (now %s): read them again", ETag(store.SettingsVersion))
		}
		next, err := s.Patch(ctx, store, c.Fields)
		if err = mergeProblems(err, c.Problems); err != nil {
			return Saved{}, err
		}
		err = s.stores.UpdateSettings(ctx, store, next)
		switch {
		case closeloop.ErrorCode(err) == closeloop.ECONFLICT && c.Version == AnyVersion && attempt < maxAttempts:
			// A short random pause, so that racing changes do not meet
			// again in step.
			time.Sleep(rand.N(time.Duration(attempt) * 10 * time.Millisecond))
			continue
		case closeloop.ErrorCode(err) == closeloop.ECONFLICT && c.Version != AnyVersion:
			return Saved{}, closeloop.Errorf(closeloop.EPRECONDITION, "the settings changed since you read them: read them again")
		case err != nil:
			return Saved{}, err
		}
		return Saved{Store: store, Settings: next, Version: store.SettingsVersion + 1}, nil
	}
}

// Patch applies fields to the store's settings and validates the result,
// naming every bad field; it saves nothing.
func (s *Service) Patch(ctx context.Context, store closeloop.Store, body map[string]json.RawMessage) (closeloop.Settings, error) {
	fields := maps.Clone(body)
	next := store.Settings
	// Lists are copied: Normalize changes them in place. A map given is
	// the whole map (decoding would merge it into the one stored).
	next.SupportEmails, next.OwnerEmails = slices.Clone(next.SupportEmails), slices.Clone(next.OwnerEmails)
	if _, ok := fields["case_keywords"]; ok {
		next.CaseKeywords = nil
	}
	problems := closeloop.Problems{}
	if raw, ok := fields["branding"]; ok {
		delete(fields, "branding")
		var branding map[string]json.RawMessage
		if err := json.Unmarshal(raw, &branding); err != nil {
			problems.Add("branding", "must be an object")
		}
		patch(&next.Branding, branding, "branding.", problems)
	}
	if raw, ok := fields["texts"]; ok {
		delete(fields, "texts")
		next.Texts = patchTexts(raw, problems)
	}
	patch(&next, fields, "", problems)
	next.Normalize()
	if err := next.Validate(); err != nil {
		var invalid *closeloop.Error
		if !errors.As(err, &invalid) {
			return closeloop.Settings{}, err
		}
		problems.Merge("", invalid.Fields)
	}
	// Only a new sender is checked: a store from before grants keeps its
	// own until storectl upgrade grants it, and a revoked one is replaced
	// by the deployment's at sending (Store.From).
	if next.SenderEmail != store.Settings.SenderEmail && problems["sender_email"] == "" {
		if problem := store.SenderProblem(next.SenderEmail); problem != "" {
			problems.Add("sender_email", problem)
		}
	}
	// The outbound webhook and Slack URLs are refused alike (not https, a
	// user name in them, a host resolving to a private address).
	urls := []struct{ field, now, was string }{
		{"webhook_url", next.WebhookURL, store.Settings.WebhookURL},
		{"slack_webhook_url", next.SlackWebhookURL, store.Settings.SlackWebhookURL},
	}
	for _, u := range urls {
		if u.now == "" || u.now == u.was || problems[u.field] != "" {
			continue
		}
		err := s.checkWebhookURL(ctx, u.now)
		var invalid *closeloop.Error
		if err != nil && (!errors.As(err, &invalid) || invalid.Code != closeloop.EINVALID) {
			return closeloop.Settings{}, err
		}
		if invalid != nil {
			for _, problem := range invalid.Fields {
				problems.Add(u.field, problem)
			}
		}
	}
	return next, problems.Err("some settings are not valid")
}

// patch decodes each of fields onto the struct v, recording unknown fields
// and wrong types under prefix + the field's name.
func patch(v any, fields map[string]json.RawMessage, prefix string, problems closeloop.Problems) {
	for name, raw := range fields {
		one, err := json.Marshal(map[string]json.RawMessage{name: raw})
		if err != nil {
			problems.Add(prefix+name, "could not be read")
			continue
		}
		if err := web.CheckNames(one, v); err != nil {
			problems.Add(prefix+name, "is not a known setting; names are case-sensitive")
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(one))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			problems.Add(prefix+name, fieldProblem(err))
		}
	}
}

// fieldProblem says what is wrong with one decoded field.
func fieldProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		return "is not a known setting"
	}
	switch typeErr.Type.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Int:
		return "must be a whole number"
	case reflect.Float64:
		return "must be a number"
	case reflect.Slice:
		return "must be a list of strings"
	}
	return "has the wrong type"
}

// mergeProblems adds the caller's problems to Patch's error, so that every
// bad field is named at once.
func mergeProblems(err error, more closeloop.Problems) error {
	if len(more) == 0 {
		return err
	}
	var invalid *closeloop.Error
	if err != nil && (!errors.As(err, &invalid) || invalid.Code != closeloop.EINVALID) {
		return err
	}
	all := closeloop.Problems{}
	if invalid != nil {
		all.Merge("", invalid.Fields)
	}
	all.Merge("", more)
	return all.Err("some settings are not valid")
}
