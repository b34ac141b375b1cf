package infra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/callrec"
)

// callsDirEnv names the directory of the calls infra/test.sh recorded
// during `go test ./...` (callrec's files).
const callsDirEnv = "CLOSELOOP_CALLS_DIR"

// The partition and region template ARNs are resolved in: the local
// stack's, as the recorded calls carry them; the account is callrec's.
const (
	testPartition = "aws"
	testRegion    = "us-east-1"
)

// samManaged are the managed policies SAM attaches for Lambda itself, with
// what they grant (all on "*"): the function's logs, and reading the
// stream or queue of an event source mapping, which Lambda does with the
// function's role.
var samManaged = map[string][]string{
	"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": {
		"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
	},
	"arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole": {
		"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
		"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
	},
	"arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole": {
		"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
		"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
	},
}

// configurationSets matches the resources of SendEmail grants on SES
// configuration sets.
const configurationSets = "arn:aws:ses:*:*:configuration-set/*"

// TestPermissionsCoverRecordedCalls checks every AWS call each function
// made during `make test` (recorded by internal/callrec, in process and
// under the emulator) against that function's role in template.yaml as
// the SAM translator expands it: each call's actions and resources must be
// allowed, and each action and resource a function's own policies grant
// must be used by some call. None of the local emulators enforce IAM; this
// test is what stands between a missing grant and a denied call in AWS.
func TestPermissionsCoverRecordedCalls(t *testing.T) {
	dir := os.Getenv(callsDirEnv)
	if dir == "" {
		t.Fatalf("%s is not set: run `make test`, which records every function's AWS calls during the other tests and then runs this one on them", callsDirEnv)
	}
	calls, err := callrec.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 {
		t.Fatalf("no calls recorded in %s: did the tests run with %s set?", dir, callrec.EnvDir)
	}
	root := repoRoot(t)
	cfn := expandTemplate(t, root)
	r := cfnResolver{resources: cfn.Resources, params: cfn.Parameters}
	dirs := makefileFunctions(t, root)

	var problems []string
	byFunction := map[string][]callrec.Call{}
	for _, c := range calls {
		id, ok := dirs[c.Function]
		if !ok {
			problems = append(problems, fmt.Sprintf("calls recorded as function %q, which no SAM_FUNCTION_DIR_ line of the Makefile names", c.Function))
			continue
		}
		byFunction[id] = append(byFunction[id], c)
	}

	var summary []string
	for _, id := range sortedKeys(cfn.Resources) {
		if cfn.Resources[id].Type != "AWS::Lambda::Function" {
			continue
		}
		role, roleProblems := functionRole(cfn, r, id)
		problems = append(problems, roleProblems...)
		used := make([][]bool, len(role.statements)) // [statement][action*len(resources)+resource]
		for i, s := range role.statements {
			used[i] = make([]bool, len(s.actions)*len(s.resources))
		}
		for _, c := range byFunction[id] {
			for _, req := range c.Requests {
				resource := r.canonical(req.Resource)
				if !role.allows(req.Action, resource, used) {
					problems = append(problems, fmt.Sprintf("%s: %s on %s is not granted (a %s %s call)", id, req.Action, resource, c.Service, c.Operation))
				}
			}
		}
		for i, s := range role.statements {
			if !s.own {
				continue
			}
			for a, action := range s.actions {
				for k, resource := range s.resources {
					if used[i][a*len(s.resources)+k] || sendsWithConfigurationSet(cfn.Resources[id], byFunction[id], action, resource) {
						continue
					}
					problems = append(problems, fmt.Sprintf("%s: statement %s grants %s on %s, which no recorded call uses", id, s.name(), action, resource))
				}
			}
		}
		summary = append(summary, role.describe(id, len(byFunction[id])))
	}
	t.Logf("%d distinct calls recorded in %s; each function's grants as this test sees them:\n%s",
		len(calls), dir, strings.Join(summary, "\n"))
	slices.Sort(problems)
	for _, p := range slices.Compact(problems) {
		t.Error(p)
	}
}

// expanded is the CloudFormation template the SAM translator made.
type expanded struct {
	Parameters map[string]struct {
		Default any `json:"Default"`
	} `json:"Parameters"`
	Resources map[string]cfnResource `json:"Resources"`
}

type cfnResource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// expandTemplate runs the SAM translator cfn-lint installs (through
// infra/samexpand.py) on template.yaml.
func expandTemplate(t *testing.T, root string) expanded {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is not on PATH (the SAM translator comes with cfn-lint): %v", err)
	}
	cmd := exec.CommandContext(t.Context(), python, filepath.Join("infra", "samexpand.py"), "template.yaml")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION="+testRegion)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 infra/samexpand.py template.yaml (pip install cfn-lint brings the translator): %v\n%s", err, stderr.Bytes())
	}
	var cfn expanded
	if err := json.Unmarshal(out, &cfn); err != nil {
		t.Fatalf("the expanded template: %v", err)
	}
	return cfn
}

// makefileFunctions maps each function's directory under functions/ (the
// label of its recorded calls) to its logical ID, from the Makefile's SAM
// build targets, which TestFunctionsBuildWithMakefile keeps in step with
// template.yaml.
func makefileFunctions(t *testing.T, root string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{}
	for _, m := range samFunctionDir.FindAllStringSubmatch(string(data), -1) {
		dirs[m[2]] = m[1]
	}
	if len(dirs) == 0 {
		t.Fatal("the Makefile has no SAM_FUNCTION_DIR_<LogicalId> := <dir> lines")
	}
	return dirs
}

var samFunctionDir = regexp.MustCompile(`(?m)^SAM_FUNCTION_DIR_([A-Za-z0-9]+)\s*:=\s*(\S+)\s*$`)

// statement is one statement of a role's policies, its resources resolved.
type statement struct {
	policy    string // the policy's name, or a managed policy's ARN
	sid       string
	deny      bool
	actions   []string
	resources []string
	own       bool // from the function's Policies: each grant must be used
}

func (s statement) name() string {
	if s.sid != "" {
		return s.sid
	}
	return s.policy
}

// role is a function's role as deployed.
type role struct {
	statements []statement
	managed    []string // managed policy ARNs
	samInline  []string // policies SAM added for Lambda itself
}

// allows reports whether IAM would allow action on resource: an Allow
// statement matches and no Deny does. It marks the grants that matched.
func (r role) allows(action, resource string, used [][]bool) bool {
	allowed := false
	for i, s := range r.statements {
		for a, pattern := range s.actions {
			if !wildcardMatch(strings.ToLower(pattern), strings.ToLower(action)) {
				continue
			}
			for k, res := range s.resources {
				if !wildcardMatch(res, resource) {
					continue
				}
				if s.deny {
					return false
				}
				allowed = true
				used[i][a*len(s.resources)+k] = true
			}
		}
	}
	return allowed
}

// describe lists the function's grants for the log.
func (r role) describe(id string, calls int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s (%d distinct calls):", id, calls)
	for _, s := range r.statements {
		if s.own {
			fmt.Fprintf(&b, "\n    %-28s %s on %s", s.name(), strings.Join(s.actions, ", "), strings.Join(s.resources, ", "))
		}
	}
	var sam []string
	for _, arn := range r.managed {
		sam = append(sam, arn[strings.LastIndex(arn, "/")+1:])
	}
	sam = append(sam, r.samInline...)
	fmt.Fprintf(&b, "\n    %-28s %s", "(SAM, for Lambda)", strings.Join(sam, ", "))
	return b.String()
}

// functionRole reads function id's role from the expanded template: its
// own statements, and what SAM added for Lambda itself, which must be what
// its event sources need and nothing else.
func functionRole(cfn expanded, r cfnResolver, id string) (role, []string) {
	var problems []string
	fail := func(format string, args ...any) {
		problems = append(problems, id+": "+fmt.Sprintf(format, args...))
	}
	roleID, ok := getAttTarget(cfn.Resources[id].Properties["Role"], "Arn")
	roleRes, exists := cfn.Resources[roleID]
	if !ok || !exists || roleRes.Type != "AWS::IAM::Role" {
		fail("its Role is not a role of the template (%v): this test reads SAM's generated roles", cfn.Resources[id].Properties["Role"])
		return role{}, problems
	}
	sources := mappingSources(cfn, id)
	var out role
	for _, arn := range stringsOf(roleRes.Properties["ManagedPolicyArns"]) {
		actions, known := samManaged[arn]
		if !known {
			fail("managed policy %s: this test does not know what it grants (list it in samManaged, or grant with a statement)", arn)
			continue
		}
		if !sources.expectManaged(arn) {
			fail("SAM attached %s, which none of its event sources explains", arn)
		}
		out.managed = append(out.managed, arn)
		out.statements = append(out.statements, statement{policy: arn, actions: actions, resources: []string{"*"}})
	}
	ownPolicy := regexp.MustCompile(`^` + regexp.QuoteMeta(roleID) + `Policy[0-9]+$`)
	policies, _ := roleRes.Properties["Policies"].([]any)
	for _, p := range policies {
		p, _ := p.(map[string]any)
		name, _ := p["PolicyName"].(string)
		own := ownPolicy.MatchString(name)
		doc, _ := p["PolicyDocument"].(map[string]any)
		stmts, ok := doc["Statement"].([]any)
		if !ok {
			stmts = []any{doc["Statement"]}
		}
		for _, raw := range stmts {
			s, err := r.statement(name, raw)
			if err != nil {
				fail("policy %s: %v", name, err)
				continue
			}
			s.own = own
			if own && slices.ContainsFunc(s.actions, func(a string) bool { return strings.ContainsAny(a, "*?") }) {
				fail("statement %s grants %s: a wildcard action cannot be shown used; grant the actions the calls need", s.name(), strings.Join(s.actions, ", "))
			}
			if !own && !sources.expectInline(s) {
				fail("SAM added policy %s (%s on %s), which no event source's destination explains", name, strings.Join(s.actions, ", "), strings.Join(s.resources, ", "))
			}
			out.statements = append(out.statements, s)
		}
		if !own {
			out.samInline = append(out.samInline, name)
		}
	}
	return out, problems
}

// sources are a function's event source mappings, as far as they explain
// what SAM adds to its role.
type sources struct {
	stream, queue bool
	destinations  []string // on-failure destination ARNs
}

func (s sources) expectManaged(arn string) bool {
	switch {
	case strings.HasSuffix(arn, "/AWSLambdaBasicExecutionRole"):
		return true
	case strings.HasSuffix(arn, "/AWSLambdaDynamoDBExecutionRole"):
		return s.stream
	case strings.HasSuffix(arn, "/AWSLambdaSQSQueueExecutionRole"):
		return s.queue
	}
	return false
}

// expectInline reports whether a statement SAM added is Lambda sending a
// failed batch's description to an on-failure destination.
func (s sources) expectInline(st statement) bool {
	if st.deny || len(st.actions) != 1 || !slices.Contains([]string{"sqs:SendMessage", "sns:Publish"}, st.actions[0]) {
		return false
	}
	for _, res := range st.resources {
		if !slices.Contains(s.destinations, res) {
			return false
		}
	}
	return true
}

// mappingSources finds function id's event source mappings.
func mappingSources(cfn expanded, id string) sources {
	var s sources
	r := cfnResolver{resources: cfn.Resources, params: cfn.Parameters}
	for _, res := range cfn.Resources {
		if res.Type != "AWS::Lambda::EventSourceMapping" {
			continue
		}
		if fn, _ := res.Properties["FunctionName"].(map[string]any); fn["Ref"] != id {
			continue
		}
		if target, ok := getAttTarget(res.Properties["EventSourceArn"], "StreamArn"); ok && cfn.Resources[target].Type == "AWS::DynamoDB::Table" {
			s.stream = true
		}
		if target, ok := getAttTarget(res.Properties["EventSourceArn"], "Arn"); ok && cfn.Resources[target].Type == "AWS::SQS::Queue" {
			s.queue = true
		}
		dest, _ := res.Properties["DestinationConfig"].(map[string]any)
		onFailure, _ := dest["OnFailure"].(map[string]any)
		if d, ok := onFailure["Destination"]; ok {
			if arn, err := r.value(d); err == nil {
				s.destinations = append(s.destinations, arn)
			}
		}
	}
	return s
}

// cfnResolver evaluates the intrinsic functions of policy resources, with
// each resource's physical name its logical ID.
type cfnResolver struct {
	resources map[string]cfnResource
	params    map[string]struct {
		Default any `json:"Default"`
	}
}

// statement reads one policy statement; it refuses what it cannot
// evaluate as IAM would (conditions, NotAction, NotResource).
func (r cfnResolver) statement(policy string, raw any) (statement, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return statement{}, fmt.Errorf("a statement that is not an object: %v", raw)
	}
	s := statement{policy: policy}
	s.sid, _ = m["Sid"].(string)
	for k := range m {
		switch k {
		case "Sid", "Effect", "Action", "Resource":
		case "Condition":
			// Neither DynamoDB Local nor this test evaluates conditions: a
			// condition would pass here and could deny in AWS.
			return statement{}, fmt.Errorf("statement %s has a Condition, which this test does not evaluate: check the recorded calls against it here first", s.name())
		default:
			return statement{}, fmt.Errorf("statement %s has %s, which this test does not evaluate", s.name(), k)
		}
	}
	switch m["Effect"] {
	case "Allow":
	case "Deny":
		s.deny = true
	default:
		return statement{}, fmt.Errorf("statement %s: Effect %v", s.name(), m["Effect"])
	}
	s.actions = stringsOf(m["Action"])
	resources := m["Resource"]
	if list, ok := resources.([]any); ok {
		for _, v := range list {
			res, err := r.value(v)
			if err != nil {
				return statement{}, fmt.Errorf("statement %s: %w", s.name(), err)
			}
			s.resources = append(s.resources, res)
		}
	} else {
		res, err := r.value(resources)
		if err != nil {
			return statement{}, fmt.Errorf("statement %s: %w", s.name(), err)
		}
		s.resources = []string{res}
	}
	if len(s.actions) == 0 || len(s.resources) == 0 {
		return statement{}, fmt.Errorf("statement %s has no Action or no Resource", s.name())
	}
	return s, nil
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// value resolves v (a string or an intrinsic function) to a string.
func (r cfnResolver) value(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if len(v) != 1 {
			break
		}
		for fn, arg := range v {
			switch fn {
			case "Ref":
				name, _ := arg.(string)
				return r.ref(name)
			case "Fn::GetAtt":
				var parts []string
				switch a := arg.(type) {
				case string:
					parts = strings.SplitN(a, ".", 2)
				case []any:
					parts = stringsOf(a)
				}
				if len(parts) != 2 {
					return "", fmt.Errorf("Fn::GetAtt %v", arg)
				}
				return r.getAtt(parts[0], parts[1])
			case "Fn::Sub":
				var tmpl string
				vars := map[string]any{}
				switch a := arg.(type) {
				case string:
					tmpl = a
				case []any:
					if len(a) == 2 {
						tmpl, _ = a[0].(string)
						vars, _ = a[1].(map[string]any)
					}
				}
				var err error
				out := subVar.ReplaceAllStringFunc(tmpl, func(m string) string {
					name := m[2 : len(m)-1]
					var s string
					var e error
					switch {
					case vars[name] != nil:
						s, e = r.value(vars[name])
					case strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::"):
						id, attr, _ := strings.Cut(name, ".")
						s, e = r.getAtt(id, attr)
					default:
						s, e = r.ref(name)
					}
					if e != nil && err == nil {
						err = e
					}
					return s
				})
				return strings.ReplaceAll(out, "${!", "${"), err
			case "Fn::Join":
				a, _ := arg.([]any)
				if len(a) == 2 {
					sep, _ := a[0].(string)
					items, _ := a[1].([]any)
					parts := make([]string, len(items))
					for i, item := range items {
						s, err := r.value(item)
						if err != nil {
							return "", err
						}
						parts[i] = s
					}
					return strings.Join(parts, sep), nil
				}
			}
		}
	}
	b, _ := json.Marshal(v)
	return "", fmt.Errorf("%s is not resolved by this test (add it to cfnResolver)", b)
}

func (r cfnResolver) ref(name string) (string, error) {
	switch name {
	case "AWS::Partition":
		return testPartition, nil
	case "AWS::Region":
		return testRegion, nil
	case "AWS::AccountId":
		return callrec.Account, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return "closeloop", nil
	}
	if res, ok := r.resources[name]; ok {
		switch res.Type {
		case "AWS::DynamoDB::Table", "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::SES::ConfigurationSet":
			return name, nil
		case "AWS::SQS::Queue":
			return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", testRegion, callrec.Account, name), nil
		case "AWS::SNS::Topic":
			return r.getAtt(name, "TopicArn")
		}
		return "", fmt.Errorf("Ref %s (%s) is not resolved by this test (add it to cfnResolver.ref)", name, res.Type)
	}
	if p, ok := r.params[name]; ok {
		if s, ok := p.Default.(string); ok {
			return s, nil
		}
		return "", fmt.Errorf("Ref %s: a parameter without a default", name)
	}
	return "", fmt.Errorf("Ref %s: no such resource or parameter", name)
}

func (r cfnResolver) getAtt(id, attr string) (string, error) {
	res, ok := r.resources[id]
	if !ok {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: no such resource", id, attr)
	}
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", testPartition, service, testRegion, callrec.Account, resource)
	}
	switch res.Type + "." + attr {
	case "AWS::DynamoDB::Table.Arn":
		return arn("dynamodb", "table/"+id), nil
	case "AWS::DynamoDB::Table.StreamArn":
		return arn("dynamodb", "table/"+id+"/stream/*"), nil
	case "AWS::SQS::Queue.Arn":
		return arn("sqs", id), nil
	case "AWS::SQS::Queue.QueueName":
		return id, nil
	case "AWS::SNS::Topic.TopicArn":
		return arn("sns", id), nil
	case "AWS::Lambda::Function.Arn":
		return arn("lambda", "function:"+id), nil
	case "AWS::IAM::Role.Arn":
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", testPartition, callrec.Account, id), nil
	}
	return "", fmt.Errorf("Fn::GetAtt %s.%s (%s) is not resolved by this test (add it to cfnResolver.getAtt)", id, attr, res.Type)
}

var (
	recordedTable     = regexp.MustCompile(`^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table/)([^/]+)(.*)$`)
	recordedQueue     = regexp.MustCompile(`^(arn:[^:]+:sqs:[^:]*:[^:]*:)([^:/]+)$`)
	recordedConfigSet = regexp.MustCompile(`^(arn:[^:]+:ses:[^:]*:[^:]*:configuration-set/)(.+)$`)
)

// canonical names a recorded ARN's resource by the template's logical ID,
// which is the physical name the template's ARNs were resolved with: the
// tests' tables (each test has its own) are the template's one table, as
// their SES configuration sets are its one set, and their queues are
// named prefix + logical ID.
func (r cfnResolver) canonical(arn string) string {
	if m := recordedTable.FindStringSubmatch(arn); m != nil {
		if id, ok := r.only("AWS::DynamoDB::Table"); ok {
			return m[1] + id + m[3]
		}
		return arn // with several tables, a test's table names none of them
	}
	if m := recordedConfigSet.FindStringSubmatch(arn); m != nil {
		if id, ok := r.only("AWS::SES::ConfigurationSet"); ok {
			return m[1] + id
		}
		return arn
	}
	if m := recordedQueue.FindStringSubmatch(arn); m != nil {
		best := ""
		for id, res := range r.resources {
			if res.Type == "AWS::SQS::Queue" && (m[2] == id || strings.HasSuffix(m[2], "-"+id)) && len(id) > len(best) {
				best = id
			}
		}
		if best != "" {
			return m[1] + best
		}
	}
	return arn
}

// only returns the logical ID of the template's one resource of type typ.
func (r cfnResolver) only(typ string) (string, bool) {
	var ids []string
	for id, res := range r.resources {
		if res.Type == typ {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		return "", false
	}
	return ids[0], true
}

// getAttTarget returns the resource of a {"Fn::GetAtt": [id, attr]}.
func getAttTarget(v any, attr string) (string, bool) {
	m, _ := v.(map[string]any)
	parts := stringsOf(m["Fn::GetAtt"])
	if len(parts) == 1 {
		parts = strings.SplitN(parts[0], ".", 2)
	}
	if len(parts) != 2 || parts[1] != attr {
		return "", false
	}
	return parts[0], true
}

// stringsOf reads a string or a list of strings.
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// sendsWithConfigurationSet reports whether a SendEmail grant on a
// configuration set is used by a function that sends email and is given
// SES_CONFIGURATION_SET: deployed, each of its sends names the set, which
// SES authorizes too, while most tests send without one (the emulator
// ignores it).
func sendsWithConfigurationSet(fn cfnResource, calls []callrec.Call, action, resource string) bool {
	if !strings.EqualFold(action, "ses:SendEmail") || !wildcardMatch(configurationSets, resource) {
		return false
	}
	env, _ := fn.Properties["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	if vars["SES_CONFIGURATION_SET"] == nil {
		return false
	}
	return slices.ContainsFunc(calls, func(c callrec.Call) bool {
		return slices.ContainsFunc(c.Requests, func(r callrec.Request) bool { return r.Action == "ses:SendEmail" })
	})
}

// wildcardMatch matches s against an IAM pattern: * any run of
// characters, ? any one.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestWildcardMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:dynamodb:us-east-1:1:table/Table", "arn:aws:dynamodb:us-east-1:1:table/Table", true},
		{"arn:aws:dynamodb:us-east-1:1:table/Table", "arn:aws:dynamodb:us-east-1:1:table/Table/index/due", false},
		{"arn:aws:dynamodb:us-east-1:1:table/Table/index/*", "arn:aws:dynamodb:us-east-1:1:table/Table/index/due", true},
		{"arn:aws:ses:*:*:identity/*", "arn:aws:ses:us-east-1:1:identity/shop.test", true},
		{"dynamodb:*Item", "dynamodb:ConditionCheckItem", true},
		{"dynamodb:Get?tem", "dynamodb:GetItem", true},
		{"dynamodb:GetItem", "dynamodb:GetItems", false},
	} {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
