package closeloop

import (
	"strings"
	"testing"
)

func TestSenderIdentities(t *testing.T) {
	for _, c := range []struct{ raw, want, problem string }{
		{" Shop.Example ", "shop.example", ""},
		{"Care@Shop.Example", "care@shop.example", ""},
		{"xn--80ak6aa92e.com", "xn--80ak6aa92e.com", ""},
		{"", "", "must be an email address or a domain name"},
		{"localhost", "", "must have a dot"},
		{"shop.example.", "", "letters, digits and hyphens"},
		{"sh op.example", "", "a space"},
		{"shop\u200b.example", "", "invisible"},
		{"[10.0.0.1]", "", "letters, digits and hyphens"},
		{"@shop.example", "", "nothing comes before the @"},
	} {
		got, problem := CheckSenderIdentity(c.raw)
		if got != c.want || (c.problem == "") != (problem == "") || !strings.Contains(problem, c.problem) {
			t.Errorf("CheckSenderIdentity(%q) = %q, %q; want %q and a problem with %q", c.raw, got, problem, c.want, c.problem)
		}
	}

	store := Store{Settings: DefaultSettings(), SenderIdentities: []string{"shop.example", "care@brand.example"}}
	for addr, want := range map[string]bool{
		"news@shop.example":      true,  // the domain is granted
		"care@brand.example":     true,  // the address is granted
		"sales@brand.example":    false, // only that address at brand.example
		"news@mail.shop.example": false, // a subdomain is granted on its own
		"news@othershop.example": false,
		"shop.example":           false, // not an address
		"":                       false,
	} {
		if got := store.MaySendAs(addr); got != want {
			t.Errorf("MaySendAs(%q) = %v, want %v", addr, got, want)
		}
	}
	if p := store.SenderProblem("sales@brand.example"); !strings.Contains(p, "shop.example, care@brand.example") {
		t.Errorf("the problem %q does not name the granted identities", p)
	}
	if p := (Store{}).SenderProblem("a@shop.example"); !strings.Contains(p, "granted it none") {
		t.Errorf("the problem of a store without grants is %q", p)
	}
	if p := store.SenderProblem(""); p != "" {
		t.Errorf("no sender (the deployment's) has a problem: %q", p)
	}
}

func TestFromSendsOnlyAsAGrantedIdentity(t *testing.T) {
	const fallback = "feedback@closeloop.example"
	store := Store{Settings: DefaultSettings(), SenderIdentities: []string{"shop.example"}}
	store.Settings.Branding.Name = "Shop"
	for _, c := range []struct{ sender, want string }{
		{"news@shop.example", `"Shop" <news@shop.example>`},
		{"news@brand.example", `"Shop" <feedback@closeloop.example>`}, // set before grants, or revoked since
		{"", `"Shop" <feedback@closeloop.example>`},
	} {
		store.Settings.SenderEmail = c.sender
		if got := store.From(fallback); got != c.want {
			t.Errorf("From with sender %q = %s, want %s", c.sender, got, c.want)
		}
		if granted := store.SenderGranted(); granted != (c.want == `"Shop" <`+c.sender+`>`) {
			t.Errorf("SenderGranted with sender %q = %v", c.sender, granted)
		}
	}
}
