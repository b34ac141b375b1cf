package closeloop

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"  Ada@Example.COM ", "ada@example.com", true},
		{"a.b+tag@sub.example.co", "a.b+tag@sub.example.co", true},
		{"Ada <ada@example.com>", "", false},
		{"ada@localhost", "", false},
		{"ada@", "", false},
		{"@example.com", "", false},
		{"ada@example..com", "", false},
		{"ada@example.com.", "", false},
		{"", "", false},
		{strings.Repeat("a", 250) + "@example.com", "", false},
		// What SES cannot deliver to, or what hides in an address.
		{"ada\u0085@example.com", "", false},
		{"ada\u2028@example.com", "", false},
		{"ada\u200b@example.com", "", false},
		{"ada@exa\u202emple.com", "", false},
		{"ada@[192.168.0.1]", "", false},
		{"ada@192.168.0.1", "", false},
		{"\"ada lovelace\"@example.com", "", false},
		{"adä@example.com", "", false},
		{"ada@exämple.com", "", false},
		{"ada@xn--exmple-cua.com", "ada@xn--exmple-cua.com", true},
		{"ada@example.xn--p1ai", "ada@example.xn--p1ai", true},
		{strings.Repeat("a", 65) + "@example.com", "", false},
		{"ada@-example.com", "", false},
		{"ada@example.c0m", "", false},
		{".ada@example.com", "", false},
		{"a..da@example.com", "", false},
		{"ada@ex_ample.com", "", false},
		{"o'brien+shop@example.co.uk", "o'brien+shop@example.co.uk", true},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if _, problem := CheckEmail(tt.in); !tt.ok && !strings.HasPrefix(problem, "must be an email address: ") {
			t.Errorf("CheckEmail(%q) says %q, want why it is not an address", tt.in, problem)
		}
	}
}

func TestOrderValidate(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	valid := func() Order {
		return Order{OrderID: "o-1", Customer: Customer{Email: " Ada@Example.com", Locale: "ru-RU"},
			Items: []Item{{SKU: "A"}}, PurchasedAt: now.Add(-time.Hour)}
	}
	tests := []struct {
		name   string
		change func(*Order)
		want   []string
	}{
		{"valid", func(*Order) {}, nil},
		{"no id", func(o *Order) { o.OrderID = "" }, []string{"order_id"}},
		{"long id", func(o *Order) { o.OrderID = strings.Repeat("x", 129) }, []string{"order_id"}},
		{"control char in id", func(o *Order) { o.OrderID = "a\nb" }, []string{"order_id"}},
		{"bad email", func(o *Order) { o.Customer.Email = "nope" }, []string{"customer.email"}},
		{"bad locale", func(o *Order) { o.Customer.Locale = "english please" }, []string{"customer.locale"}},
		{"51 items", func(o *Order) {
			o.Items = make([]Item, 51)
			for i := range o.Items {
				o.Items[i].SKU = "s"
			}
		}, []string{"items"}},
		{"item without sku", func(o *Order) { o.Items = append(o.Items, Item{Name: "x"}) }, []string{"items[1].sku"}},
		{"no time", func(o *Order) { o.PurchasedAt = time.Time{} }, []string{"purchased_at"}},
		{"future", func(o *Order) { o.PurchasedAt = now.Add(2 * time.Hour) }, []string{"purchased_at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			tt.change(&o)
			p := o.Validate(now)
			var got []string
			for field := range p {
				got = append(got, field)
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("problems %v, want fields %v", p, tt.want)
			}
			if len(p) == 0 && o.Customer.Email != "ada@example.com" {
				t.Fatalf("email not normalized: %q", o.Customer.Email)
			}
		})
	}
}

func TestAnswerParse(t *testing.T) {
	nps := func(n int) *int { return &n }
	tests := []struct {
		in       Answer
		want     Response
		problems []string
	}{
		{Answer{Score: "5"}, Response{Score: 5}, nil},
		{Answer{Score: "1", NPS: "0", Comment: "  bad \r\n mug ", ContactMe: true}, Response{Score: 1, NPS: nps(0), Comment: "bad \n mug", ContactMe: true}, nil},
		{Answer{Score: "2", Comment: "a\x00b\x1b[31mred\tc\r\nd\x7f"}, Response{Score: 2, Comment: "ab[31mred\tc\nd"}, nil},
		{Answer{}, Response{}, []string{"score"}},
		{Answer{Score: "6"}, Response{Score: 6}, []string{"score"}},
		{Answer{Score: "x"}, Response{}, []string{"score"}},
		{Answer{Score: "3", NPS: "11"}, Response{Score: 3}, []string{"nps"}},
		{Answer{Score: "3", Comment: strings.Repeat("é", 2001)}, Response{Score: 3, Comment: strings.Repeat("é", 2001)}, []string{"comment"}},
	}
	for _, tt := range tests {
		got, p := tt.in.Parse()
		var fields []string
		for f := range p {
			fields = append(fields, f)
		}
		if !reflect.DeepEqual(fields, tt.problems) {
			t.Errorf("Parse(%+v) problems %v, want %v", tt.in, p, tt.problems)
		}
		if len(tt.problems) == 0 && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%+v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestPointsOfferSameForEveryScore(t *testing.T) {
	offer := PointsOffer{PerAnswer: 50, CommentBonus: 25, MinCommentLength: 20}
	tests := []struct {
		comment string
		want    int
	}{
		{"", 50},
		{"short", 50},
		{"   " + strings.Repeat("x", 19) + "   ", 50},
		{strings.Repeat("я", 20), 75},
	}
	for _, tt := range tests {
		if got := offer.For(tt.comment); got != tt.want {
			t.Errorf("For(%q) = %d, want %d", tt.comment, got, tt.want)
		}
	}
	if got := (PointsOffer{PerAnswer: 10}).For(strings.Repeat("x", 100)); got != 10 {
		t.Errorf("no bonus offer gave %d, want 10", got)
	}
}

func TestDefaultSettingsAreValid(t *testing.T) {
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.SurveyDelayHours != 72 || s.SurveyExpiryDays != 14 || s.PointsPerAnswer != 50 || s.PointsCommentBonus != 25 || s.CSATThreshold != 2 || s.TimeZone != "UTC" {
		t.Fatalf("defaults %+v differ from the issue's", s)
	}
}

func TestSettingsValidate(t *testing.T) {
	s := DefaultSettings()
	s.TimeZone = "Mars/Olympus"
	s.CSATThreshold = 7
	s.Branding.Color = "red; background:url(x)"
	s.WebhookURL = "http://insecure.example"
	s.SupportEmails = []string{"ok@example.com", "nope"}
	err := s.Validate()
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID {
		t.Fatalf("Validate() = %v, want EINVALID", err)
	}
	for _, field := range []string{"time_zone", "csat_threshold", "branding.color", "webhook_url", "support_emails"} {
		if e.Fields[field] == "" {
			t.Errorf("fields %v lack %s", e.Fields, field)
		}
	}
}

func TestDefaultLocaleIsSpoken(t *testing.T) {
	for locale, ok := range map[string]bool{"en": true, "ru-RU": true, "de-AT": true, "sr": true, "sr-Cyrl-RS": true, "pt-BR": false, "uk": false} {
		s := DefaultSettings()
		s.DefaultLocale = locale
		if err := s.Validate(); (err == nil) != ok {
			t.Errorf("default_locale %s: %v, want ok %v", locale, err, ok)
		}
	}
}

func TestSettingsRefuseHeaderBreakingNames(t *testing.T) {
	for _, name := range []string{"Shop\r\nBcc: x@example.com", "Shop\x00", "Shop\\", "Shop \"Best\"", "Shop\u202e", "Shop\u2028"} {
		s := DefaultSettings()
		s.SenderName, s.Branding.Name = name, name
		e, ok := s.Validate().(*Error)
		if !ok || e.Fields["sender_name"] == "" || e.Fields["branding.name"] == "" {
			t.Errorf("name %q: %v, want sender_name and branding.name refused", name, s.Validate())
		}
	}
	s := DefaultSettings()
	s.SenderEmail, s.SupportEmails = "  Feedback@Shop.Example ", []string{" Sam@Shop.Example"}
	if s.Validate() == nil {
		t.Error("an untrimmed sender address passes Validate before Normalize")
	}
	s.Normalize()
	if err := s.Validate(); err != nil || s.SenderEmail != "feedback@shop.example" || s.SupportEmails[0] != "sam@shop.example" {
		t.Fatalf("normalized %q %q: %v", s.SenderEmail, s.SupportEmails, err)
	}
}

func TestSurveyClosed(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		status Status
		closes time.Time
		want   bool
	}{
		{StatusSent, now.Add(time.Minute), false},
		{StatusAnswered, now.Add(time.Minute), false},
		{StatusSending, now.Add(time.Minute), false},
		{StatusSent, now, true},
		{StatusScheduled, now.Add(time.Hour), true},
		{StatusCancelled, now.Add(time.Hour), true},
	} {
		s := Survey{Status: tt.status, ClosesAt: tt.closes}
		if got := s.Closed(now); got != tt.want {
			t.Errorf("%s closing %v: Closed = %v, want %v", tt.status, tt.closes.Sub(now), got, tt.want)
		}
	}
}
