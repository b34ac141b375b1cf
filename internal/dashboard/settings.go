package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
	"github.com/closeloop/closeloop/internal/settings"
)

// The settings form shows the settings owners change most, by their JSON
// names (GET /v1/settings): a form field named branding.name is the
// setting branding.name. Posting it makes the same change a PUT
// /v1/settings of those fields makes, through settings.Service, so the
// page accepts and refuses exactly what the API does, with its messages.

// fieldKind is how the form writes a setting.
type fieldKind string

const (
	kindText   fieldKind = "text"
	kindLong   fieldKind = "textarea" // a string on several lines
	kindNumber fieldKind = "number"   // a whole number
	kindEmail  fieldKind = "email"
	kindURL    fieldKind = "url"
	kindLines  fieldKind = "lines"  // a list of strings, one a line
	kindSelect fieldKind = "select" // one of choices
	kindSender fieldKind = "sender" // a select of the granted addresses, or an address when a domain is granted
	kindSecret fieldKind = "secret" // write-only: replaced or removed, never shown
)

// formField is one setting on the form.
type formField struct {
	name string // the setting's JSON path, the form field's name
	kind fieldKind
	// choices are a select's values; each one's label is app.owner.c.<value>
	// unless the field labels them itself (settingsChoices).
	choices []string
}

// settingsGroup is a fieldset of the form.
type settingsGroup struct {
	id     string // its legend is app.owner.g.<id>
	fields []formField
}

var settingsForm = []settingsGroup{
	{"store", []formField{
		{name: "branding.name", kind: kindText},
		{name: "branding.logo_url", kind: kindURL},
		{name: "branding.color", kind: kindText},
		{name: "branding.postal_address", kind: kindLong},
		{name: "branding.privacy_url", kind: kindURL},
	}},
	{"locale", []formField{
		{name: "time_zone", kind: kindText},
		{name: "default_locale", kind: kindSelect},
	}},
	{"timing", []formField{
		{name: "survey_after", kind: kindSelect, choices: []string{closeloop.SurveyAfterPurchase, closeloop.SurveyAfterFulfillment, closeloop.SurveyAfterDelivery}},
		{name: "survey_delay_hours", kind: kindNumber},
		{name: "max_wait_days", kind: kindNumber},
		{name: "on_no_event", kind: kindSelect, choices: []string{closeloop.OnNoEventSend, closeloop.OnNoEventExpire}},
		{name: "send_window.from", kind: kindText},
		{name: "send_window.to", kind: kindText},
		{name: "survey_expiry_days", kind: kindNumber},
		{name: "reminder_after_hours", kind: kindNumber},
		{name: "contact_budget_days", kind: kindNumber},
	}},
	{"points", []formField{
		{name: "points_per_answer", kind: kindNumber},
		{name: "points_comment_bonus", kind: kindNumber},
		{name: "min_comment_length", kind: kindNumber},
	}},
	{"followup", []formField{
		{name: "csat_threshold", kind: kindNumber},
		{name: "sla_hours", kind: kindNumber},
		{name: "case_reasons", kind: kindLines},
	}},
	{"email", []formField{
		{name: "sender_email", kind: kindSender},
		{name: "sender_name", kind: kindText},
		{name: "reply_to", kind: kindEmail},
		{name: "support_emails", kind: kindLines},
		{name: "owner_emails", kind: kindLines},
	}},
	{"alerts", []formField{
		{name: "slack_webhook_url", kind: kindSecret},
		{name: "digest_weekday", kind: kindSelect},
		{name: "webhook_url", kind: kindURL},
	}},
	{"data", []formField{
		{name: "retention_months", kind: kindNumber},
	}},
}

// removeSuffix names the checkbox that removes a secret setting.
const removeSuffix = ".remove"

// settingsPage is the form as drawn.
type settingsPage struct {
	Groups  []groupView
	Version int
	// Errors are the bad fields in form order, for the summary above
	// the form; Other are problems of no field on the form.
	Errors []fieldView
	Other  []string
	Stale  bool
}

type groupView struct {
	ID, Legend string
	Fields     []fieldView
}

// fieldView is one control of the form.
type fieldView struct {
	ID, Name, Label, Hint string
	Kind                  fieldKind
	Value                 string
	Choices               []choice
	Error                 string
	// Now is the value saved meanwhile, shown after a refused stale save
	// where it differs from the owner's entry.
	Now string
	// Set says whether a secret is set (Note says it); the secret
	// itself is never shown. Remove labels the box that removes it.
	Set          bool
	Note, Remove string
	// DescribedBy lists the hint's and the error's IDs.
	DescribedBy string
}

type choice struct{ Value, Label string }

// settings shows the form with the store's current settings, read again
// strongly consistent: the viewer's store may predate a save just made,
// and a form drawn from it would be refused as stale.
func (d *Dashboard) settings(w http.ResponseWriter, r *http.Request, v Viewer) error {
	t := Lang(r)
	p := Page{T: t, V: &v, Title: t.Get("app.owner.settings.title"), Nav: "settings"}
	if r.URL.Query().Get("saved") == "1" {
		p.Flash = t.Get("app.owner.settings.saved")
	}
	store, err := d.Settings.Current(r.Context(), v.StoreID)
	if err != nil {
		return err
	}
	p.Data = d.settingsView(t, store, formValues(store.Settings), nil)
	d.write(w, r, http.StatusOK, "settings", p)
	return nil
}

// postSettings saves the form's settings when every one is good; else it
// shows the form again with what the owner typed and each problem next to
// its field. A form read before someone else saved is refused.
func (d *Dashboard) postSettings(w http.ResponseWriter, r *http.Request, v Viewer) error {
	t := Lang(r)
	typed := map[string]string{}
	for _, g := range settingsForm {
		for _, f := range g.fields {
			typed[f.name] = r.PostFormValue(f.name)
			if f.kind == kindSecret {
				typed[f.name+removeSuffix] = r.PostFormValue(f.name + removeSuffix)
			}
		}
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || version < 0 {
		version = -2 // names no version: refused as stale
	}
	change := settings.Change{Fields: formPatch(typed), Version: version, Problems: closeloop.Problems{}}
	if owners, ok := change.Fields["owner_emails"]; ok {
		var list []string
		_ = json.Unmarshal(owners, &list)
		if !slices.ContainsFunc(list, func(a string) bool { return strings.EqualFold(strings.TrimSpace(a), v.Email) }) {
			change.Problems.Add("owner_emails", t.Get("app.owner.settings.not_own", v.Email))
		}
	}
	_, err = d.Settings.Update(r.Context(), v.StoreID, change)
	var invalid *closeloop.Error
	switch {
	case err == nil:
		http.Redirect(w, r, "/app/settings?saved=1", http.StatusSeeOther)
		return nil
	case closeloop.ErrorCode(err) == closeloop.EPRECONDITION:
		// The form is drawn again on the settings as they are now, so that
		// saving it again is the owner's informed choice.
		store, err := d.Settings.Current(r.Context(), v.StoreID)
		if err != nil {
			return err
		}
		view := d.settingsView(t, store, typed, nil)
		view.Stale = true
		now := formValues(store.Settings)
		for gi := range view.Groups {
			for fi, f := range view.Groups[gi].Fields {
				if f.Kind != kindSecret && lines(f.Value) != lines(now[f.Name]) {
					saved := strings.ReplaceAll(lines(now[f.Name]), "\n", ", ")
					if saved == "" {
						saved = t.Get("app.owner.settings.empty")
					}
					view.Groups[gi].Fields[fi].Now = t.Get("app.owner.settings.now", saved)
				}
			}
		}
		d.write(w, r, http.StatusConflict, "settings", Page{T: t, V: &v, Title: t.Get("app.owner.settings.title"), Nav: "settings", Data: view})
		return nil
	case errors.As(err, &invalid) && invalid.Code == closeloop.EINVALID:
		view := d.settingsView(t, v.Store, typed, invalid.Fields)
		view.Version = version
		d.write(w, r, http.StatusBadRequest, "settings", Page{T: t, V: &v, Title: t.Get("app.owner.settings.title"), Nav: "settings", Data: view})
		return nil
	}
	return err
}

// lines is a field's value as compared: line ends and the spaces around
// lines do not count.
func lines(s string) string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// settingsView draws the form with values (the stored settings or what
// the owner typed) and problems by field.
func (d *Dashboard) settingsView(t i18n.Text, store closeloop.Store, values map[string]string, problems map[string]string) settingsPage {
	page := settingsPage{Version: store.SettingsVersion}
	shown := map[string]bool{}
	for _, g := range settingsForm {
		gv := groupView{ID: g.id, Legend: t.Get("app.owner.g." + g.id)}
		for _, f := range g.fields {
			fv := fieldView{
				ID: "f-" + strings.ReplaceAll(f.name, ".", "-"), Name: f.name, Kind: f.kind,
				Label: t.Get("app.owner.f." + f.name), Hint: t.Get("app.owner.f." + f.name + ".hint"),
				Value: values[f.name], Error: problemText(t, problems[f.name]),
			}
			shown[f.name] = true
			switch f.kind {
			case kindSelect:
				fv.Choices = settingsChoices(t, f, fv.Value)
			case kindSender:
				fv.Choices, fv.Hint = d.senderChoices(t, store, fv.Value)
				if fv.Choices == nil {
					fv.Kind = kindEmail
				}
			case kindSecret:
				// Never the secret, nor what was typed for it.
				fv.Value, fv.Set = "", store.Settings.SlackWebhookURL != ""
				fv.Note, fv.Remove = t.Get("app.owner.f."+f.name+".unset"), t.Get("app.owner.f."+f.name+".remove")
				if fv.Set {
					fv.Note = t.Get("app.owner.f." + f.name + ".set")
				}
			}
			gv.Fields = append(gv.Fields, fv)
		}
		page.Groups = append(page.Groups, gv)
	}
	// A problem of a whole object (send_window, branding) goes to its
	// first field; any other is listed above the form.
	for name, problem := range problems {
		if shown[name] {
			continue
		}
		if fv := firstField(page.Groups, name+"."); fv != nil && fv.Error == "" {
			fv.Error = problemText(t, problem)
			continue
		}
		page.Other = append(page.Other, name+": "+problemText(t, problem))
	}
	slices.Sort(page.Other)
	for gi := range page.Groups {
		for fi := range page.Groups[gi].Fields {
			fv := &page.Groups[gi].Fields[fi]
			var ids []string
			if fv.Hint != "" {
				ids = append(ids, fv.ID+"-hint")
			}
			if fv.Error != "" {
				ids = append(ids, fv.ID+"-error")
				page.Errors = append(page.Errors, *fv)
			}
			fv.DescribedBy = strings.Join(ids, " ")
		}
	}
	return page
}

func firstField(groups []groupView, prefix string) *fieldView {
	for gi := range groups {
		for fi := range groups[gi].Fields {
			if strings.HasPrefix(groups[gi].Fields[fi].Name, prefix) {
				return &groups[gi].Fields[fi]
			}
		}
	}
	return nil
}

// settingsChoices are a select's options, the current value among them
// even when it is not one of the usual ones.
func settingsChoices(t i18n.Text, f formField, current string) []choice {
	var out []choice
	switch f.name {
	case "default_locale":
		for _, lang := range closeloop.SpokenLanguages {
			out = append(out, choice{lang, i18n.For(lang).Get("app.owner.language") + " (" + lang + ")"})
		}
	case "digest_weekday":
		names := strings.Split(t.Get("date.weekdays"), "|")
		// Monday first, as the week is read in the dashboard's languages.
		for i := range closeloop.DigestWeekdays {
			day := (i + 1) % 7
			label := closeloop.DigestWeekdays[day]
			if day < len(names) {
				label = names[day]
			}
			out = append(out, choice{closeloop.DigestWeekdays[day], label})
		}
	default:
		for _, c := range f.choices {
			out = append(out, choice{c, t.Get("app.owner.c." + c)})
		}
	}
	if !slices.ContainsFunc(out, func(c choice) bool { return c.Value == current }) {
		out = append(out, choice{current, current})
	}
	return out
}

// senderChoices are the sender addresses the store may pick: the
// deployment's own (empty), each granted address, and its current one.
// When a whole domain is granted, any of its addresses goes: the field is
// then an address (nil choices) with the grants in its hint.
func (d *Dashboard) senderChoices(t i18n.Text, store closeloop.Store, current string) ([]choice, string) {
	def := t.Get("app.owner.f.sender_email.default")
	if d.DefaultSender != "" {
		def += " (" + d.DefaultSender + ")"
	}
	out := []choice{{"", def}}
	for _, id := range store.SenderIdentities {
		if !strings.Contains(id, "@") {
			return nil, t.Get("app.owner.f.sender_email.granted", strings.Join(store.SenderIdentities, ", "))
		}
		out = append(out, choice{id, id})
	}
	if !slices.ContainsFunc(out, func(c choice) bool { return c.Value == current }) {
		label := current
		if !store.MaySendAs(current) {
			label = t.Get("app.owner.f.sender_email.ungranted", current)
		}
		out = append(out, choice{current, label})
	}
	return out, t.Get("app.owner.f.sender_email.hint")
}

// formValues are the settings as the form shows them, by field name.
func formValues(s closeloop.Settings) map[string]string {
	// The retention and digest day of a store saved before those
	// settings are shown as what applies.
	if s.RetentionMonths == 0 {
		s.RetentionMonths = closeloop.DefaultRetentionMonths
	}
	if s.DigestWeekday == "" {
		s.DigestWeekday = closeloop.DefaultDigestWeekday
	}
	doc := map[string]any{}
	if b, err := json.Marshal(s); err == nil {
		_ = json.Unmarshal(b, &doc)
	}
	values := map[string]string{}
	for _, g := range settingsForm {
		for _, f := range g.fields {
			if f.kind == kindSecret {
				continue
			}
			values[f.name] = formValue(lookup(doc, f.name))
		}
	}
	return values
}

// lookup finds a dotted path (branding.name) in a decoded JSON object.
func lookup(doc map[string]any, path string) any {
	head, rest, nested := strings.Cut(path, ".")
	if !nested {
		return doc[head]
	}
	inner, _ := doc[head].(map[string]any)
	return lookup(inner, rest)
}

func formValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		out := make([]string, 0, len(v))
		for _, item := range v {
			out = append(out, fmt.Sprint(item))
		}
		return strings.Join(out, "\n")
	}
	return fmt.Sprint(v)
}

// formPatch turns the form's fields into the settings change a PUT body
// of the same settings makes: numbers as numbers (what is not one is
// passed on as text, refused as "must be a whole number"), lists one item
// a line, dotted names as objects. A secret left empty is kept.
func formPatch(typed map[string]string) map[string]json.RawMessage {
	doc := map[string]any{}
	set := func(path string, v any) {
		head, rest, nested := strings.Cut(path, ".")
		if !nested {
			doc[head] = v
			return
		}
		inner, ok := doc[head].(map[string]any)
		if !ok {
			inner = map[string]any{}
			doc[head] = inner
		}
		inner[rest] = v
	}
	for _, g := range settingsForm {
		for _, f := range g.fields {
			raw := typed[f.name]
			switch f.kind {
			case kindNumber:
				if n, err := strconv.Atoi(strings.TrimSpace(raw)); err == nil {
					set(f.name, n)
				} else {
					set(f.name, raw)
				}
			case kindLines:
				list := []string{}
				if l := lines(raw); l != "" {
					list = strings.Split(l, "\n")
				}
				set(f.name, list)
			case kindSecret:
				switch {
				case typed[f.name+removeSuffix] != "":
					set(f.name, "")
				case strings.TrimSpace(raw) != "":
					set(f.name, strings.TrimSpace(raw))
				}
			default:
				set(f.name, raw)
			}
		}
	}
	fields := map[string]json.RawMessage{}
	for name, v := range doc {
		b, err := json.Marshal(v)
		if err != nil {
			continue
		}
		fields[name] = b
	}
	return fields
}
