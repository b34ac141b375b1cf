package infra

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// resourcesOf lists the template's resources of type typ by logical ID.
func resourcesOf(tpl *yaml.Node, typ string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for id, res := range pairs(lookup(tpl, "Resources")) {
		if scalar(lookup(res, "Type")) == typ {
			out[id] = res
		}
	}
	return out
}

// TestEveryLogGroupKeepsLogsForAWhile: every log group the stack creates
// has a retention, and every function and the HTTP API write to one of
// them, never to a group Lambda or API Gateway would create without one.
func TestEveryLogGroupKeepsLogsForAWhile(t *testing.T) {
	tpl := loadTemplate(t, repoRoot(t))
	groups := resourcesOf(tpl, "AWS::Logs::LogGroup")
	if len(groups) == 0 {
		t.Fatal("template.yaml creates no log group")
	}
	for id, g := range groups {
		if days, err := strconv.Atoi(scalar(lookup(g, "Properties", "RetentionInDays"))); err != nil || days <= 0 {
			t.Errorf("log group %s keeps its logs forever: set RetentionInDays", id)
		}
	}
	globals := lookup(tpl, "Globals", "Function")
	for _, fn := range serverlessFunctions(t, tpl) {
		ref := effective(fn.props, globals, "LoggingConfig")
		group := lookup(ref, "LogGroup")
		if group == nil || group.Tag != "!Ref" || groups[group.Value] == nil {
			t.Errorf("%s: LoggingConfig.LogGroup must !Ref one of the template's log groups (Lambda's own has no retention)", fn.id)
		}
	}
	for id, api := range resourcesOf(tpl, "AWS::Serverless::HttpApi") {
		dest, ok := getAtt(lookup(api, "Properties", "AccessLogSettings", "DestinationArn"), "Arn")
		if !ok || groups[dest] == nil {
			t.Errorf("%s: AccessLogSettings.DestinationArn must be !GetAtt <one of the template's log groups>.Arn", id)
		}
	}
}

// contextVariable is one $context variable as the whole of a JSON value.
var contextVariable = regexp.MustCompile(`^\$context\.[A-Za-z]+(\.[A-Za-z]+)?$`)

// TestAccessLogsLeaveOutAddressesAndTokens: paths hold email addresses and
// survey link tokens, query strings and headers may hold more. The access
// log names the route's pattern instead, and is one JSON object of $context
// variables, none of which carries a path, a query, a header or the caller.
func TestAccessLogsLeaveOutAddressesAndTokens(t *testing.T) {
	tpl := loadTemplate(t, repoRoot(t))
	for id, api := range resourcesOf(tpl, "AWS::Serverless::HttpApi") {
		format := scalar(lookup(api, "Properties", "AccessLogSettings", "Format"))
		var fields map[string]string
		if err := json.Unmarshal([]byte(format), &fields); err != nil {
			t.Fatalf("%s: the access log format is not one JSON object of strings: %v\n%s", id, err, format)
		}
		seen := map[string]bool{}
		for name, v := range fields {
			if !contextVariable.MatchString(v) {
				t.Errorf("%s: access log field %s is %q, not one $context variable", id, name, v)
			}
			seen[v] = true
			lower := strings.ToLower(v)
			for _, leak := range []string{"path", "query", "header", "identity", "authorizer", "useragent", "sourceip"} {
				if strings.Contains(lower, leak) {
					t.Errorf("%s: access log field %s logs %s", id, name, v)
				}
			}
		}
		for _, want := range []string{"$context.requestId", "$context.routeKey", "$context.status", "$context.responseLatency"} {
			if !seen[want] {
				t.Errorf("%s: the access log leaves out %s", id, want)
			}
		}
	}
}

// mentions reports whether any node under n names name in a !Ref, a !Sub
// or a condition.
func mentions(n *yaml.Node, name string) bool {
	if n == nil {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return n.Value == name || strings.Contains(n.Value, "${"+name+"}")
	}
	for _, c := range n.Content {
		if mentions(c, name) {
			return true
		}
	}
	return false
}

// TestCustomDomainIsOptional: the custom domain's parameters default to
// none, its resources exist only with both, and every link base a function
// or output resolves takes the domain into account.
func TestCustomDomainIsOptional(t *testing.T) {
	tpl := loadTemplate(t, repoRoot(t))
	for _, p := range []string{"DomainName", "CertificateArn", "PublicBaseUrl"} {
		if def := lookup(tpl, "Parameters", p, "Default"); def == nil || def.Value != "" {
			t.Errorf("parameter %s must default to \"\" (none)", p)
		}
	}
	for _, typ := range []string{"AWS::ApiGatewayV2::DomainName", "AWS::ApiGatewayV2::ApiMapping"} {
		res := resourcesOf(tpl, typ)
		if len(res) != 1 {
			t.Fatalf("%d %s resources, want 1", len(res), typ)
		}
		for id, r := range res {
			cond := scalar(lookup(r, "Condition"))
			if c := lookup(tpl, "Conditions", cond); c == nil || !mentions(c, "HasCustomDomain") || !mentions(c, "HasCertificate") {
				t.Errorf("%s: Condition %q must need both DomainName and CertificateArn", id, cond)
			}
		}
	}
	globals := lookup(tpl, "Globals", "Function", "Environment", "Variables", "PUBLIC_BASE_URL")
	if !mentions(globals, "PublicBaseUrl") || !mentions(globals, "DomainName") {
		t.Error("Globals' PUBLIC_BASE_URL must resolve PublicBaseUrl, else the custom domain")
	}
	for _, fn := range serverlessFunctions(t, tpl) {
		if v := lookup(fn.props, "Environment", "Variables", "PUBLIC_BASE_URL"); v != nil && !mentions(v, "DomainName") {
			t.Errorf("%s: PUBLIC_BASE_URL leaves out the custom domain", fn.id)
		}
	}
	for _, out := range []string{"PublicBaseUrl", "SurveyPageUrlPattern"} {
		if !mentions(lookup(tpl, "Outputs", out, "Value"), "DomainName") {
			t.Errorf("output %s leaves out the custom domain", out)
		}
	}
}

// TestTableKeepsRecoveryAndExpiry: point-in-time recovery stays on, and
// expires_at (written by every item with a retention) is the TTL.
func TestTableKeepsRecoveryAndExpiry(t *testing.T) {
	tpl := loadTemplate(t, repoRoot(t))
	props := lookup(tpl, "Resources", "Table", "Properties")
	if scalar(lookup(props, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")) != "true" {
		t.Error("the table's point-in-time recovery is off")
	}
	ttl := lookup(props, "TimeToLiveSpecification")
	if scalar(lookup(ttl, "AttributeName")) != "expires_at" || scalar(lookup(ttl, "Enabled")) != "true" {
		t.Error("the table's TTL is not expires_at")
	}
}
