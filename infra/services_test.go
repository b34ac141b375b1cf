package infra

import (
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// functionServices are the AWS services each function's binary may link:
// a service linked is initialised at every cold start (its endpoint rules
// and schemas), whether the function calls it or not.
var functionServices = map[string][]string{
	"admin":     {"dynamodb"},
	"dashboard": {"dynamodb", "sesv2"}, // sign-in links
	"digest":    {"dynamodb", "sesv2"},
	"dispatch":  {"dynamodb", "sesv2"},
	"followup":  {"dynamodb", "sesv2"},
	"public":    {"dynamodb", "sqs"},
	"relay":     {"dynamodb", "sesv2", "sqs"},
	"replies":   {"dynamodb", "sesv2"},
	"sesevents": {"dynamodb"},
	"shophooks": {"dynamodb", "sesv2"},
	"sla":       {"dynamodb", "sesv2"},
	"webhook":   {"dynamodb", "sqs"},
}

var sdkPackage = regexp.MustCompile(`^github\.com/aws/aws-sdk-go-v2/(config|service/[a-z0-9]+)$`)

// TestFunctionsLinkOnlyTheirServices: no function links a service it does
// not call (callrec once linked SES into all of them), nor the SDK's config
// package, whose other credential sources (SSO, STS, sign-in) cost every
// cold start and 1.8 MB of each template-executing binary.
func TestFunctionsLinkOnlyTheirServices(t *testing.T) {
	dirs, err := exec.Command("go", "list", "../functions/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, pkg := range strings.Fields(string(dirs)) {
		listed = append(listed, pkg[strings.LastIndex(pkg, "/")+1:])
	}
	slices.Sort(listed)
	var want []string
	for fn := range functionServices {
		want = append(want, fn)
	}
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("functions %v, the table lists %v", listed, want)
	}
	for fn, services := range functionServices {
		out, err := exec.Command("go", "list", "-deps", "../functions/"+fn).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", fn, err)
		}
		var got []string
		for _, pkg := range strings.Fields(string(out)) {
			if m := sdkPackage.FindStringSubmatch(pkg); m != nil {
				got = append(got, strings.TrimPrefix(m[1], "service/"))
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, services) {
			t.Errorf("%s links %v, want %v", fn, got, services)
		}
	}
}
