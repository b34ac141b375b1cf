package storeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/web"
	"github.com/closeloop/closeloop/internal/webhook"
)

// maxSettingsBody is far above any valid settings (40 addresses, a few URLs).
const maxSettingsBody = 64 << 10

func (a *API) getSettings(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	store, err := a.Stores.Store(r.Context(), key.StoreID)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", settingsETag(store.SettingsVersion))
	web.JSON(w, http.StatusOK, withShops(settingsView(store.Settings), store.ShopSecrets))
	return nil
}

// settingsETag names a version of a store's settings.
func settingsETag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// maxSettingsAttempts bounds how often a PUT without If-Match reads the
// settings again after another change won the race: its own fields are
// applied on top of the other change, never in place of it.
const maxSettingsAttempts = 10

// putSettings changes the settings the body names and keeps the others.
// Each field is decoded on its own so that every bad one is named, with
// the ones Validate finds, and nothing is saved unless all are good.
func (a *API) putSettings(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	var fields map[string]json.RawMessage
	if err := web.Decode(w, r, &fields, maxSettingsBody); err != nil {
		return err
	}
	if fields == nil {
		return closeloop.Errorf(closeloop.EINVALID, "the body must be a JSON object of settings")
	}
	shops, shopProblems := takeShopSecrets(fields)
	ifMatch := strings.TrimPrefix(strings.TrimSpace(r.Header.Get("If-Match")), "W/")
	for attempt := 1; ; attempt++ {
		store, err := a.Stores.Store(r.Context(), key.StoreID)
		if err != nil {
			return err
		}
		if ifMatch != "" && ifMatch != "*" && ifMatch != settingsETag(store.SettingsVersion) {
			return closeloop.Errorf(closeloop.EPRECONDITION, "the settings changed since you read them (now %s): read them again", settingsETag(store.SettingsVersion))
		}
		s, err := a.patchSettings(r, store, fields)
		if err = mergeProblems(err, shopProblems); err != nil {
			return err
		}
		err = a.Stores.UpdateSettings(r.Context(), key.StoreID, s, store.SettingsVersion)
		switch {
		case closeloop.ErrorCode(err) == closeloop.ECONFLICT && ifMatch == "" && attempt < maxSettingsAttempts:
			// A short random pause, so that racing changes do not meet
			// again in step.
			time.Sleep(rand.N(time.Duration(attempt) * 10 * time.Millisecond))
			continue
		case closeloop.ErrorCode(err) == closeloop.ECONFLICT && ifMatch != "":
			return closeloop.Errorf(closeloop.EPRECONDITION, "the settings changed since you read them: read them again")
		case err != nil:
			return err
		}
		secrets, err := a.saveShopSecrets(r, store, shops)
		if err != nil {
			return err
		}
		w.Header().Set("ETag", settingsETag(store.SettingsVersion+1))
		web.JSON(w, http.StatusOK, withShops(settingsView(s), secrets))
		return nil
	}
}

// patchSettings applies the body's fields to the store's settings and
// validates the result, naming every bad field.
func (a *API) patchSettings(r *http.Request, store closeloop.Store, body map[string]json.RawMessage) (closeloop.Settings, error) {
	fields := maps.Clone(body)
	s := store.Settings
	// Lists are copied: Normalize changes them in place. A map given is
	// the whole map (decoding would merge it into the one stored).
	s.SupportEmails, s.OwnerEmails = slices.Clone(s.SupportEmails), slices.Clone(s.OwnerEmails)
	if _, ok := fields["case_keywords"]; ok {
		s.CaseKeywords = nil
	}
	problems := closeloop.Problems{}
	if raw, ok := fields["branding"]; ok {
		delete(fields, "branding")
		var branding map[string]json.RawMessage
		if err := json.Unmarshal(raw, &branding); err != nil {
			problems.Add("branding", "must be an object")
		}
		patch(&s.Branding, branding, "branding.", problems)
	}
	if raw, ok := fields["texts"]; ok {
		delete(fields, "texts")
		s.Texts = patchTexts(raw, problems)
	}
	patch(&s, fields, "", problems)
	s.Normalize()
	if err := s.Validate(); err != nil {
		var invalid *closeloop.Error
		if !errors.As(err, &invalid) {
			return closeloop.Settings{}, err
		}
		problems.Merge("", invalid.Fields)
	}
	// Only a new sender is checked: a store from before grants keeps its
	// own until storectl upgrade grants it, and a revoked one is replaced
	// by the deployment's at sending (Store.From).
	if s.SenderEmail != store.Settings.SenderEmail && problems["sender_email"] == "" {
		if problem := store.SenderProblem(s.SenderEmail); problem != "" {
			problems.Add("sender_email", problem)
		}
	}
	if s.WebhookURL != "" && s.WebhookURL != store.Settings.WebhookURL && problems["webhook_url"] == "" {
		if err := a.CheckWebhookURL(r.Context(), s.WebhookURL); err != nil {
			var invalid *closeloop.Error
			if !errors.As(err, &invalid) {
				return closeloop.Settings{}, err
			}
			problems.Merge("", invalid.Fields)
		}
	}
	if s.SlackWebhookURL != "" && s.SlackWebhookURL != store.Settings.SlackWebhookURL && problems["slack_webhook_url"] == "" {
		if err := a.checkSlackURL(r.Context(), s.SlackWebhookURL, problems); err != nil {
			return closeloop.Settings{}, err
		}
	}
	return s, problems.Err("some settings are not valid")
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

// settingsView shows lists that were never set as [], not null.
func settingsView(s closeloop.Settings) closeloop.Settings {
	if s.SupportEmails == nil {
		s.SupportEmails = []string{}
	}
	if s.OwnerEmails == nil {
		s.OwnerEmails = []string{}
	}
	if s.Texts == nil {
		s.Texts = map[string]closeloop.StoreTexts{}
	}
	return s
}

// postWebhookSecret makes a new signing secret for the store's webhooks
// and shows it this once; the one it replaces keeps signing alongside for
// closeloop.SecretOverlap, so the store's receiver can switch without
// losing events.
func (a *API) postWebhookSecret(w http.ResponseWriter, r *http.Request, key closeloop.Key) error {
	if err := decodeEmpty(w, r); err != nil {
		return err
	}
	secrets, err := a.Stores.RotateWebhookSecret(r.Context(), key.StoreID, webhook.NewSecret(), a.now())
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusCreated, map[string]any{"secret": secrets.Current, "previous_valid_until": secrets.PreviousUntil})
	return nil
}
