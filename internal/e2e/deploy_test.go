//go:build unix

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/closeloop/closeloop/internal/testenv"
)

// TestWorkersStartAsDeployed starts each stream, queue and scheduled
// function with exactly the environment a `sam deploy` with the template's
// default parameters gives it, and invokes it with an empty batch or a
// tick. The other tests give PUBLIC_BASE_URL a value, as a deployment with
// a custom domain would; this one catches a function that cannot start
// when the parameter is left empty, or that needs a variable its resource
// does not set.
func TestWorkersStartAsDeployed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	q := newQueues(t)
	// What CloudFormation fills in: the resources' physical ids (Ref of a
	// queue is its URL), pseudo parameters, and the one parameter without
	// a default.
	refs := map[string]string{
		"Table":          s.table,
		"FollowupQueue":  q.url(t, "FollowupQueue"),
		"WebhookQueue":   q.url(t, "WebhookQueue"),
		"ShopHooksQueue": q.url(t, "ShopHooksQueue"),
		"HttpApi":        "a1b2c3d4e5",
		"AWS::Region":    testenv.Region,
		"AWS::URLSuffix": "amazonaws.com",
		"SenderAddress":  "feedback@shop.test",
		// Ref of a configuration set is its name.
		"SesConfigurationSet": "SesConfigurationSet-Rf3Kj9Qm1Vx5",
	}
	emptyBatch := []byte(`{"Records":[]}`)
	for _, tc := range []struct {
		name  string
		event []byte
	}{
		{"relay", emptyBatch},
		{"followup", emptyBatch},
		{"webhook", emptyBatch},
		{"sla", loadEvent(t, "sla-schedule.json")},
		{"digest", loadEvent(t, "digest-schedule.json")},
		{"sesevents", emptyBatch},
		{"shophooks", emptyBatch},
		// The one HTTP function that sends email: it must start without
		// PUBLIC_BASE_URL too.
		{"dashboard", loadEvent(t, "dashboard-get-login.json")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := deployedEnv(t, functionID(tc.name), refs)
			env["AWS_ENDPOINT_URL_DYNAMODB"] = stackURL(t, testenv.EnvDynamoDBURL)
			env["AWS_ENDPOINT_URL_SESV2"] = stackURL(t, testenv.EnvSESURL)
			env["AWS_ENDPOINT_URL_SQS"] = stackURL(t, testenv.EnvSQSURL)
			startFunction(t, tc.name, env).invoke(t, tc.event)
		})
	}
}

// deployedEnv resolves the environment variables template.yaml gives
// function id (Globals' and its own) in a stack deployed with the default
// parameters; refs holds what only CloudFormation knows.
func deployedEnv(t *testing.T, id string, refs map[string]string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 {
		t.Fatalf("template.yaml: %v", err)
	}
	r := resolver{t: t, tpl: doc.Content[0], refs: refs}
	env := map[string]string{}
	for _, vars := range []*yaml.Node{
		node(r.tpl, "Globals", "Function", "Environment", "Variables"),
		node(r.tpl, "Resources", id, "Properties", "Environment", "Variables"),
	} {
		if vars == nil {
			continue
		}
		for i := 0; i+1 < len(vars.Content); i += 2 {
			env[vars.Content[i].Value] = r.value(vars.Content[i+1])
		}
	}
	return env
}

// resolver evaluates the intrinsic functions the template's environment
// variables use: Ref, Sub, If and the conditions' Not and Equals.
type resolver struct {
	t    *testing.T
	tpl  *yaml.Node
	refs map[string]string
}

var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9:]+)\}`)

func (r resolver) value(n *yaml.Node) string {
	r.t.Helper()
	switch {
	case n.Tag == "!Ref" && n.Kind == yaml.ScalarNode:
		return r.ref(n.Value)
	case n.Tag == "!Sub" && n.Kind == yaml.ScalarNode:
		return subRef.ReplaceAllStringFunc(n.Value, func(m string) string { return r.ref(m[2 : len(m)-1]) })
	case n.Tag == "!If" && n.Kind == yaml.SequenceNode && len(n.Content) == 3:
		if r.condition(node(r.tpl, "Conditions", n.Content[0].Value)) {
			return r.value(n.Content[1])
		}
		return r.value(n.Content[2])
	case n.Kind == yaml.ScalarNode && (n.Tag == "" || strings.HasPrefix(n.Tag, "!!")):
		return n.Value
	}
	r.t.Fatalf("template.yaml line %d: %s is not resolved by this test (add it to resolver)", n.Line, n.Tag)
	return ""
}

// ref is a parameter's default, or what refs says CloudFormation fills in.
func (r resolver) ref(name string) string {
	r.t.Helper()
	if v, ok := r.refs[name]; ok {
		return v
	}
	if def := node(r.tpl, "Parameters", name, "Default"); def != nil {
		return def.Value
	}
	r.t.Fatalf("template.yaml: Ref %s is neither a parameter with a default nor in the test's refs", name)
	return ""
}

func (r resolver) condition(n *yaml.Node) bool {
	r.t.Helper()
	switch {
	case n == nil:
	case n.Tag == "!Not" && n.Kind == yaml.SequenceNode && len(n.Content) == 1:
		return !r.condition(n.Content[0])
	case n.Tag == "!Equals" && n.Kind == yaml.SequenceNode && len(n.Content) == 2:
		return r.value(n.Content[0]) == r.value(n.Content[1])
	default:
		r.t.Fatalf("template.yaml line %d: condition %s is not evaluated by this test (add it to resolver)", n.Line, n.Tag)
	}
	r.t.Fatal("template.yaml: an !If names a condition that is not in Conditions")
	return false
}

// node walks mapping keys from n; nil when any is missing.
func node(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}
