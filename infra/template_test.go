package infra

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"
)

// sharedEnv are the variables every function reads at start (STYLE habit 4).
var sharedEnv = []string{"TABLE_NAME", "PUBLIC_BASE_URL", "SENDER_ADDRESS", "STAGE"}

// fixtureFunction maps an events/*.json name prefix to the function it feeds.
var fixtureFunction = map[string]string{
	"admin":    "AdminFunction",
	"public":   "PublicFunction",
	"dispatch": "DispatchFunction",
}

func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not on PATH (pip install cfn-lint): %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "template.yaml")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

func TestFunctionsBuildWithMakefile(t *testing.T) {
	root := repoRoot(t)
	tpl := loadTemplate(t, root)
	globals := lookup(tpl, "Globals", "Function")
	fns := serverlessFunctions(t, tpl)
	for _, fn := range fns {
		t.Run(fn.id, func(t *testing.T) {
			if got := scalar(lookup(fn.node, "Metadata", "BuildMethod")); got != "makefile" {
				t.Errorf("Metadata.BuildMethod = %q, want makefile", got)
			}
			if got := scalar(effective(fn.props, globals, "CodeUri")); got != "." {
				t.Errorf("CodeUri = %q, want .", got)
			}
			if got := scalar(effective(fn.props, globals, "Runtime")); got != "provided.al2023" {
				t.Errorf("Runtime = %q, want provided.al2023", got)
			}
			if got := scalars(effective(fn.props, globals, "Architectures")); !slices.Equal(got, []string{"arm64"}) {
				t.Errorf("Architectures = %q, want [arm64]", got)
			}
			if got := scalar(effective(fn.props, globals, "Handler")); got != "bootstrap" {
				t.Errorf("Handler = %q, want bootstrap", got)
			}
			env := append(keys(lookup(globals, "Environment", "Variables")), keys(lookup(fn.props, "Environment", "Variables"))...)
			for _, name := range sharedEnv {
				if !slices.Contains(env, name) {
					t.Errorf("environment variable %s is not set (Globals or function)", name)
				}
			}

			dir := makeTargetPackage(t, root, "build-"+fn.id)
			if dir == "" {
				return
			}
			if !hasGoFiles(filepath.Join(root, "functions", dir)) {
				t.Errorf("make build-%s builds ./functions/%s, which does not exist or holds no .go files", fn.id, dir)
			}
		})
	}
}

func TestDispatchRunsOneAtATime(t *testing.T) {
	tpl := loadTemplate(t, repoRoot(t))
	fn := lookup(tpl, "Resources", "DispatchFunction")
	if fn == nil {
		t.Fatal("template.yaml has no DispatchFunction")
	}
	if got := scalar(lookup(fn, "Properties", "ReservedConcurrentExecutions")); got != "1" {
		t.Errorf("DispatchFunction ReservedConcurrentExecutions = %q, want 1", got)
	}
}

func TestEventFixtures(t *testing.T) {
	root := repoRoot(t)
	routes := httpRoutes(t, loadTemplate(t, root))
	files, err := filepath.Glob(filepath.Join(root, "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no events/*.json fixtures")
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			prefix, _, _ := strings.Cut(name, "-")
			fn, ok := fixtureFunction[prefix]
			if !ok {
				t.Fatalf("no event type known for %s: name it admin-*, public-* or dispatch-*", name)
			}
			switch prefix {
			case "admin", "public":
				req := decodeRoundTrip[events.APIGatewayV2HTTPRequest](t, data)
				checkHTTPRequest(t, req, routes[fn])
			case "dispatch":
				ev := decodeRoundTrip[events.EventBridgeEvent](t, data)
				if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" {
					t.Errorf("detail-type %q, source %q; want Scheduled Event from aws.events", ev.DetailType, ev.Source)
				}
			}
		})
	}
}

// checkHTTPRequest checks that a payload v2 fixture is self-consistent and
// matches a route the template gives its function.
func checkHTTPRequest(t *testing.T, req events.APIGatewayV2HTTPRequest, routes []string) {
	t.Helper()
	rc := req.RequestContext
	if req.Version != "2.0" {
		t.Errorf("version = %q, want 2.0", req.Version)
	}
	if rc.RouteKey != req.RouteKey {
		t.Errorf("requestContext.routeKey = %q, routeKey = %q", rc.RouteKey, req.RouteKey)
	}
	if rc.HTTP.Path != req.RawPath {
		t.Errorf("requestContext.http.path = %q, rawPath = %q", rc.HTTP.Path, req.RawPath)
	}
	if rc.Stage != "$default" {
		t.Errorf("requestContext.stage = %q, want $default", rc.Stage)
	}
	if rc.AccountID == "" || rc.APIID == "" || rc.DomainName == "" || rc.RequestID == "" || rc.Time == "" || rc.TimeEpoch == 0 || rc.HTTP.SourceIP == "" {
		t.Errorf("requestContext lacks accountId, apiId, domainName, requestId, time, timeEpoch or http.sourceIp: %+v", rc)
	}
	if !slices.Contains(routes, req.RouteKey) {
		t.Errorf("routeKey %q is not a route of its function in template.yaml (routes: %q)", req.RouteKey, routes)
	}
	method, _, _ := strings.Cut(req.RouteKey, " ")
	if method != "ANY" && method != rc.HTTP.Method {
		t.Errorf("requestContext.http.method = %q, routeKey = %q", rc.HTTP.Method, req.RouteKey)
	}
}

// decodeRoundTrip decodes data strictly into T, then checks that T marshals
// and unmarshals back to an equal value.
func decodeRoundTrip[T any](t *testing.T, data []byte) T {
	t.Helper()
	var got T
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode into %T: %v", got, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("decode into %T: data after the first JSON value", got)
	}
	again, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("marshal %T: %v", got, err)
	}
	var back T
	if err := json.Unmarshal(again, &back); err != nil {
		t.Fatalf("unmarshal marshalled %T: %v", got, err)
	}
	if !reflect.DeepEqual(got, back) {
		t.Errorf("%T does not round-trip:\nfirst  %+v\nsecond %+v", got, got, back)
	}
	return got
}

// makeTargetPackage dry-runs a Makefile target and returns the directory
// under ./functions that its go build command builds ("" after a failure).
func makeTargetPackage(t *testing.T, root, target string) string {
	t.Helper()
	bin, err := exec.LookPath("make")
	if err != nil {
		t.Fatalf("make is not on PATH: %v", err)
	}
	artifacts := t.TempDir()
	cmd := exec.CommandContext(t.Context(), bin, "--no-print-directory", "-n", target, "ARTIFACTS_DIR="+artifacts)
	cmd.Dir = root
	// A parent make (make test) must not pass its own flags down.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "MAKEFLAGS" || name == "MFLAGS" || name == "MAKELEVEL"
	})
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("make -n %s (is the target in the Makefile?): %v\n%s", target, err, out)
		return ""
	}
	var build string
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, " build ") {
			build = strings.TrimSpace(line)
		}
	}
	for _, want := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "-tags lambda.norpc", "-o " + artifacts + "/bootstrap"} {
		if !strings.Contains(build, want) {
			t.Errorf("make %s: go build command lacks %q:\n%s", target, want, out)
		}
	}
	m := functionPackage.FindStringSubmatch(build)
	if m == nil {
		t.Errorf("make %s builds no ./functions/<dir>:\n%s", target, out)
		return ""
	}
	return m[1]
}

var functionPackage = regexp.MustCompile(`(?:^|\s)\./functions/([A-Za-z0-9_.-]+)/?(?:\s|$)`)

func hasGoFiles(dir string) bool {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	return err == nil && len(files) > 0
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found above infra/: %v", err)
	}
	return root
}

// loadTemplate parses template.yaml into a node tree: CloudFormation's short
// tags (!Ref, !Sub, !If...) stay node tags and do not break decoding.
func loadTemplate(t *testing.T, root string) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parse template.yaml: %v", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatal("template.yaml is not a single YAML mapping")
	}
	return doc.Content[0]
}

// function is one AWS::Serverless::Function resource.
type function struct {
	id    string
	node  *yaml.Node
	props *yaml.Node
}

func serverlessFunctions(t *testing.T, tpl *yaml.Node) []function {
	t.Helper()
	var fns []function
	resources := lookup(tpl, "Resources")
	for id, res := range pairs(resources) {
		if scalar(lookup(res, "Type")) == "AWS::Serverless::Function" {
			fns = append(fns, function{id: id, node: res, props: lookup(res, "Properties")})
		}
	}
	if len(fns) == 0 {
		t.Fatal("template.yaml has no AWS::Serverless::Function")
	}
	return fns
}

// httpRoutes lists each function's HttpApi routes as route keys ("GET /s/{token}").
func httpRoutes(t *testing.T, tpl *yaml.Node) map[string][]string {
	t.Helper()
	routes := map[string][]string{}
	for _, fn := range serverlessFunctions(t, tpl) {
		for _, ev := range pairs(lookup(fn.props, "Events")) {
			if scalar(lookup(ev, "Type")) != "HttpApi" {
				continue
			}
			method := strings.ToUpper(scalar(lookup(ev, "Properties", "Method")))
			routes[fn.id] = append(routes[fn.id], method+" "+scalar(lookup(ev, "Properties", "Path")))
		}
	}
	return routes
}

// lookup walks mapping keys from n; nil when any key is missing.
func lookup(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for k, v := range pairs(n) {
			if k == key {
				next = v
				break
			}
		}
		n = next
	}
	return n
}

// pairs yields the key/value pairs of a mapping node in document order.
func pairs(n *yaml.Node) iter.Seq2[string, *yaml.Node] {
	return func(yield func(string, *yaml.Node) bool) {
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i].Value, n.Content[i+1]) {
				return
			}
		}
	}
}

// effective is a function property, or its Globals.Function default.
func effective(props, globals *yaml.Node, key string) *yaml.Node {
	if n := lookup(props, key); n != nil {
		return n
	}
	return lookup(globals, key)
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func scalars(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, scalar(c))
	}
	return out
}

func keys(n *yaml.Node) []string {
	var out []string
	for k := range pairs(n) {
		out = append(out, k)
	}
	return out
}
