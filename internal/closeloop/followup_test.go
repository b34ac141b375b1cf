package closeloop

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCaseReasons(t *testing.T) {
	nps := func(n int) *int { return &n }
	policy := FollowupPolicy{CSATThreshold: 2, SLAHours: 24, TimeZone: "Europe/Berlin"}
	tests := []struct {
		policy FollowupPolicy
		r      Response
		want   []string
	}{
		{policy, Response{Score: 5}, nil},
		{policy, Response{Score: 3}, nil},
		{policy, Response{Score: 2}, []string{OpenedLowScore}},
		{policy, Response{Score: 1, ContactMe: true}, []string{OpenedLowScore, OpenedContactMe}},
		{policy, Response{Score: 4, NPS: nps(6)}, []string{OpenedDetractor}},
		{policy, Response{Score: 4, NPS: nps(7)}, nil},
		{policy, Response{Score: 5, NPS: nps(0), ContactMe: true}, []string{OpenedDetractor, OpenedContactMe}},
		{FollowupPolicy{CSATThreshold: 3}, Response{Score: 3}, []string{OpenedLowScore}},
		// A survey from before policies were copied: the default threshold 2.
		{FollowupPolicy{}, Response{Score: 2}, []string{OpenedLowScore}},
		{FollowupPolicy{}, Response{Score: 3}, nil},
	}
	for _, tt := range tests {
		if got := tt.policy.CaseReasons(tt.r); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v with %+v: reasons %v, want %v", tt.policy, tt.r, got, tt.want)
		}
	}
}

func TestNewCase(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	s := Survey{SurveyID: "s_abc", StoreID: "shop", OrderID: "1001", Customer: Customer{Email: "ada@example.com"},
		Policy: FollowupPolicy{CSATThreshold: 2, SLAHours: 8, TimeZone: "Europe/Berlin"}}
	if _, ok := NewCase(s, Response{Score: 4}, at); ok {
		t.Fatal("a satisfied answer opened a case")
	}
	c, ok := NewCase(s, Response{Score: 1, Comment: "late", Points: 75}, at)
	if !ok {
		t.Fatal("a score of 1 opened no case")
	}
	if c.CaseID != "c_abc" || c.Status != CaseOpen || !c.DueBy.Equal(at.Add(8*time.Hour)) || c.Points != 75 || !c.Unhappy() {
		t.Fatalf("case %+v", c)
	}
	if c.Overdue(at.Add(8*time.Hour-time.Second)) || !c.Overdue(at.Add(8*time.Hour)) {
		t.Error("overdue from the due time on")
	}
	if c.Location().String() != "Europe/Berlin" {
		t.Errorf("location %s", c.Location())
	}
	c.Status = CaseResolved
	if c.Overdue(at.Add(100 * time.Hour)) {
		t.Error("a resolved case is overdue")
	}
	contact, _ := NewCase(s, Response{Score: 4, ContactMe: true}, at)
	if contact.Unhappy() {
		t.Error("a contact request without a low score is unhappy")
	}
}

func TestResolutionValidate(t *testing.T) {
	tests := []struct {
		r      Resolution
		fields []string
	}{
		{Resolution{Text: "Refunded.", Outcome: "resolved", Reason: "damaged"}, nil},
		{Resolution{Text: " Sent a new mug.\r\n", NotifyCustomer: true, CustomerMessage: "On its way.", Outcome: "unreachable", Reason: "other"}, nil},
		{Resolution{Outcome: "resolved", Reason: "other"}, []string{"resolution"}},
		{Resolution{Text: strings.Repeat("x", 2001), Outcome: "resolved", Reason: "other"}, []string{"resolution"}},
		{Resolution{Text: "ok", CustomerMessage: "hello", Outcome: "resolved", Reason: "other"}, []string{"customer_message"}},
		{Resolution{Text: "a\x00b", NotifyCustomer: true, CustomerMessage: "\x1b[31m", Outcome: "resolved", Reason: "other"}, []string{"customer_message", "resolution"}},
		{Resolution{Text: "Refunded."}, []string{"outcome", "reason"}},
		{Resolution{Text: "Refunded.", Outcome: "fixed", Reason: "damaged"}, []string{"outcome"}},
		{Resolution{Text: "Refunded.", Outcome: "not_resolved", Reason: "weather"}, []string{"reason"}},
	}
	for _, tt := range tests {
		err := tt.r.Validate(DefaultCaseReasons)
		var got []string
		if e, ok := err.(*Error); ok {
			for f := range e.Fields {
				got = append(got, f)
			}
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, tt.fields) {
			t.Errorf("%+v: fields %v, want %v", tt.r, got, tt.fields)
		}
	}
	r := Resolution{Text: " done\r\n"}
	if r.Validate(DefaultCaseReasons); r.Text != "done" {
		t.Errorf("text %q, want trimmed", r.Text)
	}
}

func TestValidNoteText(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"Called.\r\nNo answer.\tRetry", "Called.\nNo answer.\tRetry", true},
		{"  ", "", false},
		{"bell\a", "", false},
		{strings.Repeat("я", 2000), strings.Repeat("я", 2000), true},
		{strings.Repeat("я", 2001), "", false},
		{strings.Repeat("😀", 1600), "", false}, // 6,400 bytes
	} {
		got, err := ValidNoteText("text", tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ValidNoteText(%.20q) = %.20q, %v; want ok %v", tt.in, got, err, tt.ok)
		}
	}
}

func TestWebhookSecretsRotate(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	first := WebhookSecrets{}.Rotate("one", now)
	if got := first.Signing(now); !reflect.DeepEqual(got, []string{"one"}) {
		t.Fatalf("first secret signs %v", got)
	}
	second := first.Rotate("two", now)
	if got := second.Signing(now.Add(SecretOverlap - time.Second)); !reflect.DeepEqual(got, []string{"two", "one"}) {
		t.Fatalf("within the overlap %v, want both", got)
	}
	if got := second.Signing(now.Add(SecretOverlap)); !reflect.DeepEqual(got, []string{"two"}) {
		t.Fatalf("after the overlap %v, want the new one", got)
	}
}

func TestEventIDsFollowTheFact(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	a, _ := NewEvent(EventFollowupResolved, "shop", "c_1", at, at, map[string]int{"n": 1})
	b, _ := NewEvent(EventFollowupResolved, "shop", "c_1", at, at.Add(time.Hour), map[string]int{"n": 2})
	c, _ := NewEvent(EventFollowupResolved, "shop", "c_1", at.Add(time.Millisecond), at, nil)
	if a.EventID != b.EventID || a.EventID == c.EventID || !strings.HasPrefix(a.EventID, "evt_") {
		t.Fatalf("ids %s %s %s: the same fact must give the same id, another resolution another", a.EventID, b.EventID, c.EventID)
	}
}
