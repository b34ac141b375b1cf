package infra

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestFunctionsLinkNoStandardTemplates: the functions draw their templates
// with internal/gotemplate, never the standard library's text/template or
// html/template. Executing those calls reflect's MethodByName with a name
// known only at run time, which makes the linker keep every exported
// method of every type converted to an interface: 1.4 to 1.8 MiB of each
// binary, over the 12 MiB target for four of them.
func TestFunctionsLinkNoStandardTemplates(t *testing.T) {
	// Built as the Makefile builds them: without lambda.norpc,
	// aws-lambda-go links net/rpc, which links html/template.
	out, err := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "../functions/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/closeloop/closeloop/internal/gotemplate/html") {
		t.Fatal("no function links internal/gotemplate/html: is the test still listing the functions?")
	}
	for _, std := range []string{"text/template", "html/template"} {
		if slices.Contains(deps, std) {
			t.Errorf("a function links %s; import internal/gotemplate/text or internal/gotemplate/html instead", std)
		}
	}
}
