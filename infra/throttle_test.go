package infra

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestEveryRouteIsThrottled: the HTTP API's stage has a default limit
// (rate and burst) from parameters, so every route has one; each customer
// page route (/s, /u, /r, /d) has a tighter one of its own; and every
// route setting names a route the template serves (a typo would leave
// the route at the default without a word from CloudFormation).
func TestEveryRouteIsThrottled(t *testing.T) {
	tpl := loadTemplate(t, repoRoot(t))
	props := lookup(tpl, "Resources", "HttpApi", "Properties")
	if props == nil {
		t.Fatal("template.yaml has no HttpApi")
	}
	// limit resolves a throttling value: only !Ref to a Number parameter
	// with a positive default, so that a deployment can change it.
	limit := func(where string, n *yaml.Node, key string) float64 {
		t.Helper()
		v := lookup(n, key)
		if v == nil || v.Tag != "!Ref" {
			t.Errorf("%s: %s is not !Ref to a parameter", where, key)
			return 0
		}
		p := lookup(tpl, "Parameters", v.Value)
		if scalar(lookup(p, "Type")) != "Number" {
			t.Errorf("%s: %s refers to %q, not a Number parameter", where, key, v.Value)
			return 0
		}
		f, err := strconv.ParseFloat(scalar(lookup(p, "Default")), 64)
		if err != nil || f <= 0 {
			t.Errorf("%s: parameter %s's default %q is not a positive number", where, v.Value, scalar(lookup(p, "Default")))
		}
		return f
	}
	def := lookup(props, "DefaultRouteSettings")
	defRate, defBurst := limit("DefaultRouteSettings", def, "ThrottlingRateLimit"), limit("DefaultRouteSettings", def, "ThrottlingBurstLimit")
	if defBurst < defRate {
		t.Errorf("default burst %v below the default rate %v", defBurst, defRate)
	}

	served := map[string]bool{}
	for _, routes := range httpRoutes(t, tpl) {
		for _, r := range routes {
			served[r] = true
		}
	}
	settings := lookup(props, "RouteSettings")
	for key, s := range pairs(settings) {
		if !served[key] {
			t.Errorf("RouteSettings names %q, which no function serves", key)
		}
		rate, burst := limit(key, s, "ThrottlingRateLimit"), limit(key, s, "ThrottlingBurstLimit")
		if rate > defRate || burst > defBurst {
			t.Errorf("%s: limit %v/%v above the default %v/%v", key, rate, burst, defRate, defBurst)
		}
	}
	var pages []string
	for r := range served {
		_, path, _ := strings.Cut(r, " ")
		for _, p := range []string{"/s/", "/u/", "/r/", "/d/"} {
			if strings.HasPrefix(path, p) {
				pages = append(pages, r)
			}
		}
	}
	slices.Sort(pages)
	if len(pages) != 8 {
		t.Errorf("customer page routes %v, want GET and POST of /s, /u, /r and /d", pages)
	}
	for _, r := range pages {
		if lookup(settings, r) == nil {
			t.Errorf("customer page route %q has no limit of its own in RouteSettings", r)
		}
	}
}
