package followup_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

// loopCase is the loop's fields of a case.
type loopCase struct {
	ID             string   `json:"id"`
	Status         string   `json:"status"`
	Score          int      `json:"score"`
	OpenReasons    []string `json:"open_reasons"`
	Outcome        string   `json:"outcome"`
	Reason         string   `json:"reason"`
	Tags           []string `json:"tags"`
	KeywordRule    string   `json:"keyword_rule"`
	FirstContactAt *string  `json:"first_contact_at"`
	Resolution     string   `json:"resolution"`
	Customer       struct {
		Email string `json:"email"`
	} `json:"customer"`
}

// loopCaseOf returns customer email's case, whatever its status.
func (s shop) loopCaseOf(t *testing.T, email string) (loopCase, bool) {
	t.Helper()
	for _, status := range []string{"", "?status=resolved"} {
		r := s.API(t, "GET", "/v1/followups"+status, "")
		for _, c := range decode[struct{ Items []loopCase }](t, r).Items {
			if c.Customer.Email == email {
				return c, true
			}
		}
	}
	return loopCase{}, false
}

func TestResolveNeedsAnOutcomeAndAStoreReason(t *testing.T) {
	s := newShop(t, func(set *closeloop.Settings) { set.CaseReasons = []string{"late", "broken_lid"} })
	email := s.answered(t, "reasons", "score=1")
	s.Settle(t)
	c := s.caseOf(t, email)
	at := "/v1/followups/" + c.ID + "/resolve"
	for _, tt := range []struct {
		name, body string
		fields     []string
	}{
		{"neither", `{"resolution":"Refunded."}`, []string{"outcome", "reason"}},
		{"no outcome", `{"resolution":"Refunded.","reason":"late"}`, []string{"outcome"}},
		{"no reason", `{"resolution":"Refunded.","outcome":"resolved"}`, []string{"reason"}},
		{"unknown outcome", `{"resolution":"Refunded.","outcome":"fixed","reason":"late"}`, []string{"outcome"}},
		{"a default reason the store does not list", `{"resolution":"Refunded.","outcome":"resolved","reason":"delivery"}`, []string{"reason"}},
		{"reason in capitals", `{"resolution":"Refunded.","outcome":"resolved","reason":"LATE"}`, []string{"reason"}},
	} {
		r := s.API(t, "POST", at, tt.body)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("%s: %d %s, want 400", tt.name, r.Status, r.Body)
		}
		var body struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Error.Code != "invalid" {
			t.Fatalf("%s: %s", tt.name, r.Body)
		}
		for _, f := range tt.fields {
			if body.Error.Fields[f] == "" {
				t.Errorf("%s: %s does not name %s", tt.name, r.Body, f)
			}
		}
		if len(body.Error.Fields) != len(tt.fields) {
			t.Errorf("%s: fields %v, want %v", tt.name, body.Error.Fields, tt.fields)
		}
	}
	// Nothing changed: the case is open and nothing was counted.
	if got, _ := s.loopCaseOf(t, email); got.Status != "open" || got.Outcome != "" || got.Reason != "" {
		t.Fatalf("after refused resolutions: %+v", got)
	}
	sum := s.API(t, "GET", "/v1/summary", "")
	if !strings.Contains(sum.Body, `"resolved":0,`) || !strings.Contains(sum.Body, `"reasons":[]`) || !strings.Contains(sum.Body, `"closed":0`) {
		t.Fatalf("summary after refused resolutions: %s", sum.Body)
	}

	r := s.API(t, "POST", at, `{"resolution":"Refunded.","outcome":"not_resolved","reason":" late "}`)
	got := decode[loopCase](t, r)
	if r.Status != http.StatusOK || got.Status != "resolved" || got.Outcome != "not_resolved" || got.Reason != "late" || got.Resolution != "Refunded." {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}
	// The webhook event and the store's view carry them: the case's JSON.
	if got, _ := s.loopCaseOf(t, email); got.Outcome != "not_resolved" || got.Reason != "late" {
		t.Fatalf("listed: %+v", got)
	}
}

func TestTagsReplaceTheSetWhileTheCaseIsOpen(t *testing.T) {
	s := newShop(t)
	email := s.answered(t, "tags", "score=2")
	s.Settle(t)
	c := s.caseOf(t, email)
	at := "/v1/followups/" + c.ID
	steps := []struct {
		name, path, body string
		status           int
		tags             []string
	}{
		{"tag an open case", "/tags", `{"tags":["damaged","delivery","damaged"]}`, 200, []string{"damaged", "delivery"}},
		{"an unknown tag changes nothing", "/tags", `{"tags":["damaged","weather"]}`, 400, []string{"damaged", "delivery"}},
		{"no tags field", "/tags", `{}`, 400, []string{"damaged", "delivery"}},
		{"claim", "/claim", `{"assignee":"sam@shop.test"}`, 200, []string{"damaged", "delivery"}},
		{"tags replace the set on a claimed case", "/tags", `{"tags":["price"]}`, 200, []string{"price"}},
		{"resolve", "/resolve", `{"resolution":"Refunded.","outcome":"resolved","reason":"price"}`, 200, []string{"price"}},
		{"a resolved case cannot be tagged", "/tags", `{"tags":[]}`, 409, []string{"price"}},
		{"reopen", "/reopen", ``, 200, []string{"price"}},
		{"an empty list clears them", "/tags", `{"tags":[]}`, 200, []string{}},
	}
	for _, step := range steps {
		r := s.API(t, "POST", at+step.path, step.body)
		if r.Status != step.status {
			t.Fatalf("%s: %d %s, want %d", step.name, r.Status, r.Body, step.status)
		}
		if r.Status == http.StatusBadRequest && !strings.Contains(r.Body, `"tags"`) {
			t.Fatalf("%s: %s does not name tags", step.name, r.Body)
		}
		if r.Status == http.StatusConflict {
			body := decode[struct {
				Followup loopCase `json:"followup"`
			}](t, r)
			if body.Followup.Status != "resolved" {
				t.Fatalf("%s: conflict %s", step.name, r.Body)
			}
		}
		got, _ := s.loopCaseOf(t, email)
		if !slices.Equal(got.Tags, step.tags) || got.Tags == nil {
			t.Fatalf("%s: tags %v, want %v", step.name, got.Tags, step.tags)
		}
	}
}

// answeredIn is answered for a customer of locale.
func (s shop) answeredIn(t *testing.T, name, locale, form string) string {
	t.Helper()
	email := apptest.Email(name)
	order := strings.Replace(apptest.Order("o-"+name+"-"+email[:6], email), `"locale":"en-GB"`, `"locale":"`+locale+`"`, 1)
	if r := s.API(t, "POST", "/v1/orders", order); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	s.Dispatch(t)
	s.Counter.Reset()
	if r := s.Do(t, "POST", s.SurveyPath(t, email), "", "application/x-www-form-urlencoded", form); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	if got := s.Counter.Counts(); s.Counter.Total() != 2 || got["GetItem"] != 1 || got["TransactWriteItems"] != 1 {
		t.Fatalf("submit made DynamoDB requests %v, want one GetItem and one TransactWriteItems", got)
	}
	return email
}

func TestKeywordRulesOpenCasesWhateverTheScore(t *testing.T) {
	s := newShop(t)
	tests := []struct {
		name, locale, comment string
		score                 int
		rule                  string // "" for no case
		reasons               []string
	}{
		{"rude", "en-GB", "The courier was rude.", 5, "rude", []string{"keyword"}},
		{"prudent", "en-GB", "A prudent courier, very polite.", 5, "", nil},
		{"never arrived", "en-US", "My second parcel NEVER   arrived!", 4, "never arrived", []string{"keyword"}},
		{"low score too", "en-GB", "Broken handle.", 1, "broken", []string{"low_score", "keyword"}},
		{"сломан", "ru-RU", "Чайник Сломан", 5, "сломан", []string{"keyword"}},
		{"capitals", "ru", "ЧАЙНИК СЛОМАН, ужас", 5, "сломан", []string{"keyword"}},
		{"ё", "ru-RU", "Заказ так и не пришёл", 4, "не пришел", []string{"keyword"}},
		{"not a whole word", "ru-RU", "Несломанный чайник, спасибо", 5, "", nil},
		// A customer whose language has no list reads the store's default
		// language's.
		{"fallback", "de-DE", "Rude driver", 5, "rude", []string{"keyword"}},
	}
	emails := map[string]string{}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			email := s.answeredIn(t, "kw"+strconv.Itoa(i), tt.locale,
				"score="+string(rune('0'+tt.score))+"&comment="+url.QueryEscape(tt.comment))
			emails[tt.name] = email
			c, ok := s.loopCaseOf(t, email)
			if tt.rule == "" {
				if ok {
					t.Fatalf("a case opened: %+v", c)
				}
				return
			}
			if !ok || c.KeywordRule != tt.rule || !slices.Equal(c.OpenReasons, tt.reasons) || c.Score != tt.score {
				t.Fatalf("case %v %+v, want rule %q reasons %v", ok, c, tt.rule, tt.reasons)
			}
		})
	}
	// The 5-star complaint is owed an apology, not a thank-you.
	s.Settle(t)
	if mails := s.Inbox.To(t, emails["rude"]); len(mails) != 2 || !strings.Contains(mails[1].Subject, "sorry") {
		t.Errorf("emails to the rude courier's customer: %d, last %q; want the survey and an apology", len(mails), mails[len(mails)-1].Subject)
	}
}

func TestStoreKeywordRulesAreCopiedOntoTheSurvey(t *testing.T) {
	s := newShop(t, func(set *closeloop.Settings) { set.CaseKeywords = map[string][]string{"en": {"cold coffee"}} })
	cold := s.answeredIn(t, "cold", "en-GB", "score=5&comment="+url.QueryEscape("Cold  Coffee again."))
	if c, ok := s.loopCaseOf(t, cold); !ok || c.KeywordRule != "cold coffee" {
		t.Fatalf("case %v %+v", ok, c)
	}
	// The store's own rules replace the defaults.
	rude := s.answeredIn(t, "rude", "en-GB", "score=5&comment="+url.QueryEscape("The courier was rude."))
	if c, ok := s.loopCaseOf(t, rude); ok {
		t.Fatalf("a default rule opened a case: %+v", c)
	}
	// A survey created before the owner changed the rules keeps its own.
	email := apptest.Email("before")
	if r := s.API(t, "POST", "/v1/orders", apptest.Order("o-before", email)); r.Status != http.StatusAccepted {
		t.Fatalf("post order: %d %s", r.Status, r.Body)
	}
	if r := s.API(t, "PUT", "/v1/settings", `{"case_keywords":{"en":["rude"]}}`); r.Status != http.StatusOK {
		t.Fatalf("put settings: %d %s", r.Status, r.Body)
	}
	s.Dispatch(t)
	if r := s.Do(t, "POST", s.SurveyPath(t, email), "", "application/x-www-form-urlencoded", "score=5&comment="+url.QueryEscape("rude, and cold coffee")); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	if c, ok := s.loopCaseOf(t, email); !ok || c.KeywordRule != "cold coffee" {
		t.Fatalf("case %v %+v, want the rules of the survey's creation", ok, c)
	}
}

func TestFirstContactIsSetOnceByClaimOrNote(t *testing.T) {
	s := newShop(t)
	claimed := s.answered(t, "claimed", "score=1")
	noted := s.answered(t, "noted", "score=1")
	s.Settle(t)
	a, b := s.caseOf(t, claimed), s.caseOf(t, noted)

	s.Clock.Advance(10 * time.Minute)
	s.API(t, "POST", "/v1/followups/"+a.ID+"/claim", `{"assignee":"sam@shop.test"}`)
	first, _ := s.loopCaseOf(t, claimed)
	if first.FirstContactAt == nil {
		t.Fatal("a claim set no first contact")
	}
	s.Clock.Advance(time.Minute)
	s.API(t, "POST", "/v1/followups/"+a.ID+"/notes", `{"text":"Called."}`)
	s.API(t, "POST", "/v1/followups/"+a.ID+"/release", ``)
	s.API(t, "POST", "/v1/followups/"+a.ID+"/claim", `{"assignee":"kim@shop.test"}`)
	if again, _ := s.loopCaseOf(t, claimed); again.FirstContactAt == nil || *again.FirstContactAt != *first.FirstContactAt {
		t.Fatalf("first contact moved from %v to %v", *first.FirstContactAt, again.FirstContactAt)
	}

	if c, _ := s.loopCaseOf(t, noted); c.FirstContactAt != nil {
		t.Fatalf("an untouched case was contacted at %v", *c.FirstContactAt)
	}
	r := s.API(t, "POST", "/v1/followups/"+b.ID+"/notes", `{"text":"Left a voicemail."}`)
	noteAt := decode[loopCase](t, r).FirstContactAt
	if r.Status != http.StatusCreated || noteAt == nil {
		t.Fatalf("note: %d %s", r.Status, r.Body)
	}
	if c, _ := s.loopCaseOf(t, noted); c.FirstContactAt == nil || *c.FirstContactAt != *noteAt {
		t.Fatalf("stored first contact %v, want the note's %v", c.FirstContactAt, *noteAt)
	}
	// Two first contacts counted, however many moves followed.
	sum := s.API(t, "GET", "/v1/summary", "")
	if !strings.Contains(sum.Body, `"contacted":2,`) {
		t.Fatalf("summary: %s", sum.Body)
	}
}
