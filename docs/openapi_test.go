package docs

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/mail"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/getkin/kin-openapi/openapi3"
)

const (
	specFile   = "openapi.yaml"
	routesFile = "../internal/storeapi/routes.go"
	errorRef   = "#/components/schemas/Error"
)

// loadSpec loads openapi.yaml with its $refs resolved.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(specFile)
	if err != nil {
		t.Fatalf("load %s: %v", specFile, err)
	}
	return doc
}

func TestSpecIsValidOpenAPI31(t *testing.T) {
	doc := loadSpec(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi is %q, want 3.1.x", doc.OpenAPI)
	}
	// Validate checks the structure and, by default, the examples against
	// their schemas (JSON Schema 2020-12 for a 3.1 document).
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI 3.1 document: %v", specFile, err)
	}
}

// served is a route of routes.go: "METHOD /path" and the roles a.auth (or
// a.authAny) lets in besides owner, comma-separated.
type served struct {
	route string
	role  string
}

// servedRoutes reads routes.go's mux.Handle and mux.HandleFunc calls.
// Patterns without a method (the /v1/ catch-all) are skipped; a route with
// a method must be wrapped in a.auth(closeloop.RoleX, …), so that its roles
// are known.
func servedRoutes(t *testing.T) map[string]served {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), routesFile, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", routesFile, err)
	}
	routes := map[string]served{}
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return true
		}
		fun, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (fun.Sel.Name != "Handle" && fun.Sel.Name != "HandleFunc") {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Errorf("%s: a route pattern that is not a string literal", routesFile)
			return true
		}
		pattern, _ := strconv.Unquote(lit.Value)
		method, path, found := strings.Cut(pattern, " ")
		if !found {
			return true // every method: the not-found catch-all
		}
		route := method + " " + goPatternPath(path)
		role, ok := authRole(call.Args[1])
		if !ok {
			t.Errorf("%s: %s is not wrapped in a.auth(closeloop.RoleX, …): this test cannot tell its roles", routesFile, route)
			return true
		}
		routes[route] = served{route: route, role: role}
		return true
	})
	if len(routes) == 0 {
		t.Fatalf("found no routes in %s", routesFile)
	}
	return routes
}

// goPatternPath writes a ServeMux path as OpenAPI does: {name...} is
// {name}, and the end anchor {$} is dropped.
func goPatternPath(path string) string {
	path = strings.ReplaceAll(path, "...}", "}")
	return strings.TrimSuffix(path, "{$}")
}

// authRole reads the roles of a.auth(closeloop.RoleSupport, h) ("support")
// or a.authAny([]closeloop.Role{closeloop.RoleSupport, closeloop.RolePoints},
// h) ("support,points").
func authRole(expr ast.Expr) (string, bool) {
	call, ok := expr.(*ast.CallExpr)
	if !ok || len(call.Args) != 2 {
		return "", false
	}
	fun, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || (fun.Sel.Name != "auth" && fun.Sel.Name != "authAny") {
		return "", false
	}
	roleName := func(e ast.Expr) (string, bool) {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok || !strings.HasPrefix(sel.Sel.Name, "Role") {
			return "", false
		}
		return strings.ToLower(strings.TrimPrefix(sel.Sel.Name, "Role")), true
	}
	if fun.Sel.Name == "auth" {
		return roleName(call.Args[0])
	}
	list, ok := call.Args[0].(*ast.CompositeLit)
	if !ok || len(list.Elts) == 0 {
		return "", false
	}
	var roles []string
	for _, e := range list.Elts {
		r, ok := roleName(e)
		if !ok {
			return "", false
		}
		roles = append(roles, r)
	}
	return strings.Join(roles, ","), true
}

// rolesFor is who may call a route needing roles: owner may do everything.
func rolesFor(roles string) []string {
	out := []string{"owner"}
	for _, r := range strings.Split(roles, ",") {
		if r != "owner" {
			out = append(out, r)
		}
	}
	return out
}

// operation is one operation of the spec with where it is.
type operation struct {
	route string // "METHOD /path", or "webhook name METHOD"
	path  *openapi3.PathItem
	op    *openapi3.Operation
}

// pathOperations are the operations under paths, sorted by route.
func pathOperations(doc *openapi3.T) []operation {
	var ops []operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops = append(ops, operation{route: method + " " + path, path: item, op: op})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].route < ops[j].route })
	return ops
}

// allOperations are the path operations and the webhooks.
func allOperations(doc *openapi3.T) []operation {
	ops := pathOperations(doc)
	var hooks []operation
	for name, item := range doc.Webhooks {
		for method, op := range item.Operations() {
			hooks = append(hooks, operation{route: "webhook " + name + " " + method, path: item, op: op})
		}
	}
	sort.Slice(hooks, func(i, j int) bool { return hooks[i].route < hooks[j].route })
	return append(ops, hooks...)
}

func TestSpecMatchesRoutes(t *testing.T) {
	doc := loadSpec(t)
	routes := servedRoutes(t)
	described := map[string]operation{}
	for _, o := range pathOperations(doc) {
		described[o.route] = o
	}
	for route := range routes {
		if _, ok := described[route]; !ok {
			t.Errorf("routes.go serves %s but %s does not describe it", route, specFile)
		}
	}
	for route := range described {
		if _, isServed := routes[route]; !isServed {
			t.Errorf("%s describes %s, which routes.go does not serve", specFile, route)
		}
	}
}

func TestRolesMatchRoutes(t *testing.T) {
	doc := loadSpec(t)
	routes := servedRoutes(t)
	known := []string{"owner", "support", "ingest", "points"}
	for _, o := range pathOperations(doc) {
		raw, ok := o.op.Extensions["x-roles"].([]any)
		if !ok || len(raw) == 0 {
			t.Errorf("%s: no x-roles list", o.route)
			continue
		}
		var roles []string
		for _, r := range raw {
			s, _ := r.(string)
			if !slices.Contains(known, s) {
				t.Errorf("%s: x-roles has %v, not one of %v", o.route, r, known)
			}
			roles = append(roles, s)
		}
		if !slices.Contains(roles, "owner") {
			t.Errorf("%s: x-roles %v leaves out owner, who may do everything", o.route, roles)
		}
		if r, ok := routes[o.route]; ok {
			if want := rolesFor(r.role); !slices.Equal(sorted(roles), sorted(want)) {
				t.Errorf("%s: x-roles %v, routes.go allows %v", o.route, roles, want)
			}
		}
		if sentence := "Roles: " + strings.Join(roles, ", ") + "."; !strings.Contains(o.op.Description, sentence) {
			t.Errorf("%s: the description does not say %q", o.route, sentence)
		}
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestOperationsAreDocumented(t *testing.T) {
	doc := loadSpec(t)
	ids := map[string]string{}
	for _, o := range allOperations(doc) {
		if o.op.OperationID == "" || o.op.Summary == "" || o.op.Description == "" {
			t.Errorf("%s: needs an operationId, a summary and a description", o.route)
		}
		if prev, dup := ids[o.op.OperationID]; dup {
			t.Errorf("%s: operationId %q is also %s's", o.route, o.op.OperationID, prev)
		}
		ids[o.op.OperationID] = o.route
		if strings.HasPrefix(o.route, "webhook ") {
			continue
		}
		for _, status := range []string{"401", "403", "500", "503"} {
			if o.op.Responses.Value(status) == nil {
				t.Errorf("%s: no %s response", o.route, status)
			}
		}
		if r := o.op.Responses.Value("503"); r != nil && r.Value.Headers["Retry-After"] == nil {
			t.Errorf("%s: the 503 response does not declare Retry-After", o.route)
		}
		if o.op.RequestBody != nil || hasQuery(o) {
			if o.op.Responses.Value("400") == nil {
				t.Errorf("%s: takes input but declares no 400", o.route)
			}
		}
	}
}

func hasQuery(o operation) bool {
	for _, p := range append(slices.Clone(o.path.Parameters), o.op.Parameters...) {
		if p.Value.In == openapi3.ParameterInQuery {
			return true
		}
	}
	return false
}

func TestErrorResponsesUseErrorSchema(t *testing.T) {
	doc := loadSpec(t)
	for _, o := range pathOperations(doc) {
		for status, resp := range o.op.Responses.Map() {
			code, err := strconv.Atoi(status)
			if err != nil && !strings.HasSuffix(status, "XX") {
				t.Errorf("%s: response %q is not a status", o.route, status)
				continue
			}
			if code < 400 && !strings.HasPrefix(status, "4") && !strings.HasPrefix(status, "5") {
				continue
			}
			mt := resp.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil {
				t.Errorf("%s %s: no application/json body", o.route, status)
				continue
			}
			if !refersToError(mt.Schema) {
				t.Errorf("%s %s: the body's schema (%q) is not the Error schema", o.route, status, mt.Schema.Ref)
			}
		}
	}
}

// refersToError reports whether s is the Error schema, or a named schema
// made of it and more (a 409 that shows the resource as it stands).
func refersToError(s *openapi3.SchemaRef) bool {
	if s.Ref == errorRef {
		return true
	}
	if s.Ref == "" {
		return false
	}
	for _, part := range s.Value.AllOf {
		if part.Ref == errorRef {
			return true
		}
	}
	return false
}

func TestRequestBodiesRefuseUnknownFields(t *testing.T) {
	doc := loadSpec(t)
	for _, o := range pathOperations(doc) {
		if o.op.RequestBody == nil {
			continue
		}
		for media, mt := range o.op.RequestBody.Value.Content {
			for _, where := range openObjects(mt.Schema, "body", map[*openapi3.Schema]bool{}) {
				t.Errorf("%s %s: %s is an object without additionalProperties: false, but web.Decode refuses unknown fields", o.route, media, where)
			}
		}
	}
}

// openObjects lists the object schemas within s that allow fields they do
// not declare.
func openObjects(s *openapi3.SchemaRef, at string, seen map[*openapi3.Schema]bool) []string {
	if s == nil || s.Value == nil || seen[s.Value] {
		return nil
	}
	seen[s.Value] = true
	v := s.Value
	var open []string
	if len(v.AllOf) > 0 {
		open = append(open, at+" (allOf cannot close an object)")
	}
	if v.Type.Is(openapi3.TypeObject) || len(v.Properties) > 0 {
		if v.AdditionalProperties.Has == nil || *v.AdditionalProperties.Has || v.AdditionalProperties.Schema != nil {
			open = append(open, at)
		}
	}
	names := make([]string, 0, len(v.Properties))
	for name := range v.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		open = append(open, openObjects(v.Properties[name], at+"."+name, seen)...)
	}
	open = append(open, openObjects(v.Items, at+"[]", seen)...)
	for i, branch := range append(slices.Clone(v.OneOf), v.AnyOf...) {
		open = append(open, openObjects(branch, fmt.Sprintf("%s(branch %d)", at, i), seen)...)
	}
	return open
}

// example is one example with the schema it must satisfy.
type example struct {
	where  string
	schema *openapi3.SchemaRef
	value  any
}

// examples lists every example of the operations: of parameters, request
// bodies, responses and response headers. missing lists the request bodies
// and 2xx response bodies without any.
func examples(doc *openapi3.T) (all []example, missing []string) {
	for _, o := range allOperations(doc) {
		for _, p := range append(slices.Clone(o.path.Parameters), o.op.Parameters...) {
			all = append(all, paramExamples(o.route+" parameter "+p.Value.Name, p.Value)...)
		}
		if o.op.RequestBody != nil {
			for media, mt := range o.op.RequestBody.Value.Content {
				found := mediaExamples(o.route+" request "+media, mt)
				if len(found) == 0 {
					missing = append(missing, o.route+" request "+media)
				}
				all = append(all, found...)
			}
		}
		for status, resp := range o.op.Responses.Map() {
			for media, mt := range resp.Value.Content {
				found := mediaExamples(o.route+" "+status+" "+media, mt)
				if len(found) == 0 && strings.HasPrefix(status, "2") {
					missing = append(missing, o.route+" "+status+" "+media)
				}
				all = append(all, found...)
			}
			for name, h := range resp.Value.Headers {
				all = append(all, paramExamples(o.route+" "+status+" header "+name, &h.Value.Parameter)...)
			}
		}
	}
	return all, missing
}

func mediaExamples(where string, mt *openapi3.MediaType) []example {
	var out []example
	if mt.Example != nil {
		out = append(out, example{where, mt.Schema, mt.Example})
	}
	for name, ex := range mt.Examples {
		out = append(out, example{where + " example " + name, mt.Schema, ex.Value.Value})
	}
	return out
}

func paramExamples(where string, p *openapi3.Parameter) []example {
	var out []example
	if p.Example != nil {
		out = append(out, example{where, p.Schema, p.Example})
	}
	for name, ex := range p.Examples {
		out = append(out, example{where + " example " + name, p.Schema, ex.Value.Value})
	}
	return out
}

// visitOptions validate as a 3.1 document does (JSON Schema 2020-12), with
// formats asserted, email included.
var visitOptions = []openapi3.SchemaValidationOption{
	openapi3.EnableJSONSchema2020(),
	openapi3.EnableFormatValidation(),
	openapi3.MultiErrors(),
	openapi3.WithStringFormatValidator("email", openapi3.NewCallbackValidator(func(s string) error {
		if addr, err := mail.ParseAddress(s); err != nil || addr.Address != s {
			return fmt.Errorf("%q is not an email address", s)
		}
		return nil
	})),
}

func TestExamplesMatchSchemas(t *testing.T) {
	doc := loadSpec(t)
	all, missing := examples(doc)
	for _, where := range missing {
		t.Errorf("%s: no example", where)
	}
	if len(all) < 50 {
		t.Fatalf("found only %d examples: the walk is broken", len(all))
	}
	for _, ex := range all {
		if ex.schema == nil || ex.schema.Value == nil {
			t.Errorf("%s: an example without a schema", ex.where)
			continue
		}
		if err := ex.schema.Value.VisitJSON(ex.value, visitOptions...); err != nil {
			t.Errorf("%s: the example does not match its schema: %v", ex.where, err)
			continue
		}
		// Response schemas allow fields they do not declare (clients must
		// ignore new ones), so a misspelt field would pass: name it here.
		for _, field := range undeclared([]*openapi3.Schema{ex.schema.Value}, ex.value, "example") {
			t.Errorf("%s: %s is not a field of the schema", ex.where, field)
		}
	}
}

// undeclared lists the object keys within v that none of schemas (v's
// candidate schemas, with their allOf parts and the oneOf/anyOf branches
// v matches) declares.
func undeclared(schemas []*openapi3.Schema, v any, at string) []string {
	var expanded []*openapi3.Schema
	for _, s := range schemas {
		expanded = append(expanded, expand(s, v)...)
	}
	var out []string
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			var subs []*openapi3.Schema
			declared := false
			for _, s := range expanded {
				if p := s.Properties[k]; p != nil {
					subs, declared = append(subs, p.Value), true
				} else if ap := s.AdditionalProperties; ap.Schema != nil {
					subs, declared = append(subs, ap.Schema.Value), true
				} else if ap.Has != nil && *ap.Has {
					declared = true
				}
			}
			if !declared {
				out = append(out, at+"."+k)
				continue
			}
			if len(subs) > 0 {
				out = append(out, undeclared(subs, v[k], at+"."+k)...)
			}
		}
	case []any:
		var items []*openapi3.Schema
		for _, s := range expanded {
			if s.Items != nil {
				items = append(items, s.Items.Value)
			}
		}
		for i, e := range v {
			if len(items) > 0 {
				out = append(out, undeclared(items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return out
}

// expand is s with its allOf parts and the oneOf/anyOf branches v matches.
func expand(s *openapi3.Schema, v any) []*openapi3.Schema {
	out := []*openapi3.Schema{s}
	for _, part := range s.AllOf {
		out = append(out, expand(part.Value, v)...)
	}
	for _, branch := range append(slices.Clone(s.OneOf), s.AnyOf...) {
		if branch.Value.VisitJSON(v, visitOptions...) == nil {
			out = append(out, expand(branch.Value, v)...)
		}
	}
	return out
}

// TestDomainJSONMatchesSchemas encodes the domain types the API answers
// with, as the handlers do, and checks them against their schemas: a field
// added to or renamed in the Go types fails here until the spec follows.
func TestDomainJSONMatchesSchemas(t *testing.T) {
	doc := loadSpec(t)
	at := time.Date(2026, 11, 20, 18, 3, 27, 514e6, time.UTC)
	nps := 3
	c := closeloop.Case{
		CaseID: "c_jgttoye735576q2z", SurveyID: "s_jgttoye735576q2z", OrderID: "1042",
		Customer: closeloop.Customer{Email: "anna.berg@example.com", Name: "Anna Berg", Locale: "en-GB"},
		Items:    []closeloop.Item{{SKU: "GRINDER-C2", Name: "Hand grinder C2"}},
		Score:    2, NPS: &nps, Comment: "Cracked hopper.", ContactMe: true, Points: 75,
		OpenReasons: []string{closeloop.OpenedLowScore}, Status: closeloop.CaseClaimed, Assignee: "ole@lumen.example",
		Notes:    []closeloop.Note{{NoteID: "n_usenn535schhzne6", Author: "ole@lumen.example", Text: "Called.", At: at}},
		OpenedAt: at, DueBy: at.Add(24 * time.Hour), ClaimedAt: &at,
		Tags: []string{"damaged"}, KeywordRule: "broken", FirstContactAt: &at,
	}
	tallies := map[string]closeloop.Tally{"2026-11-20": {Sent: 4, Answered: 2, CSAT: [5]int{1, 0, 0, 0, 1}, NPS: [11]int{3: 1}, Points: 125, Opened: 1, Resolved: 1, ResolveMinutes: 90,
		Outcomes: [3]int{1, 0, 0}, Reasons: map[string]int{"damaged": 1}, Closed: 1, ClosedInSLA: 1, CloseTimes: [closeloop.DurationBuckets]int{3: 1},
		Contacted: 1, ContactTimes: [closeloop.DurationBuckets]int{1: 1}}}
	// GET /v1/settings shows lists never set as [] (storeapi.settingsView).
	settings := closeloop.DefaultSettings()
	settings.SupportEmails, settings.OwnerEmails = []string{}, []string{}
	from := time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 1)
	for _, tc := range []struct {
		schema string // a component schema, or a component response's JSON schema
		value  any
	}{
		{"responses/Settings", settings},
		{"schemas/Settings", settings},
		{"schemas/Followup", closeloop.NewCaseView(c, at)},
		{"schemas/Points", closeloop.Points{Balance: 75, Ledger: []closeloop.LedgerEntry{{SurveyID: "s_jgttoye735576q2z", Points: 75, Reason: "survey_answered", At: at}}}},
		{"schemas/AdjustmentResult", closeloop.Adjusted{Balance: 0, Entry: closeloop.LedgerEntry{Points: -75, Reason: "Redeemed", At: at}}},
		{"schemas/Erasure", closeloop.Erasure{Email: "anna.berg@example.com", ErasedAt: at, Suppressed: true,
			Removed: closeloop.ErasureRemoved{Profile: 1, LedgerEntries: 2}, Anonymised: closeloop.ErasureAnon{Surveys: 1, Notes: 1}}},
		// An erased customer's case: the placeholder is an address too.
		{"schemas/Followup", closeloop.NewCaseView(closeloop.Case{CaseID: "c_1", Status: closeloop.CaseResolved,
			Customer: closeloop.Customer{Email: closeloop.ErasedEmail("anna.berg@example.com")}, Score: 2}, at)},
		{"schemas/Key", closeloop.Key{KeyID: "k_lb3yeo2kb5o4rmqb", Role: closeloop.RoleSupport, Name: "Helpdesk", CreatedAt: at}},
		{"schemas/Summary", closeloop.Summarize(from, to, "Europe/Berlin", tallies, 2, &closeloop.CaseLoad{Open: 1})},
		{"schemas/Summary", closeloop.Summarize(from, to, "UTC", nil, 2, nil)},
		{"schemas/ProductSummary", closeloop.SummarizeProduct("GRINDER-C2", "Hand grinder C2", tallies["2026-11-20"], 2)},
		{"schemas/ResponseCreated", closeloop.ResponseItem{StoreID: "st_1", SurveyID: "s_1", OrderID: "1", Customer: closeloop.Customer{Email: "a@example.com"}, AnsweredAt: at, Response: closeloop.Response{Score: 5, Points: 50}}},
		// The recovery check: a case's answered check, one skipped, and the
		// summary's recovery numbers (a negative mean change included).
		{"schemas/Followup", closeloop.NewCaseView(closeloop.Case{CaseID: "c_2", Status: closeloop.CaseResolved, Score: 2,
			Customer: closeloop.Customer{Email: "a@example.com"},
			Recheck:  &closeloop.CaseRecheck{SentAt: &at, AnsweredAt: &at, Recovered: &[]bool{true}[0], NewScore: &nps}}, at)},
		{"schemas/Followup", closeloop.NewCaseView(closeloop.Case{CaseID: "c_3", Status: closeloop.CaseResolved, Score: 2,
			Customer: closeloop.Customer{Email: "a@example.com"}, Recheck: &closeloop.CaseRecheck{Skipped: closeloop.RecheckSuppressed}}, at)},
		{"schemas/Summary", closeloop.Summarize(from, to, "UTC", map[string]closeloop.Tally{"2026-11-19": {Rechecked: 3, RecheckAnswered: 2, Recovered: 1, ScoreChange: -3, ScoreChanges: 2}}, 2, nil)},
	} {
		schema := componentSchema(t, doc, tc.schema)
		raw, err := json.Marshal(tc.value)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		if err := schema.VisitJSON(v, visitOptions...); err != nil {
			t.Errorf("%T as JSON does not match %s: %v\n%s", tc.value, tc.schema, err, raw)
		}
		for _, field := range undeclared([]*openapi3.Schema{schema}, v, "json") {
			t.Errorf("%T: %s is not a field of %s", tc.value, field, tc.schema)
		}
	}
}

// componentSchema finds "schemas/Name", or "responses/Name"'s JSON schema.
func componentSchema(t *testing.T, doc *openapi3.T, name string) *openapi3.Schema {
	t.Helper()
	kind, key, _ := strings.Cut(name, "/")
	var s *openapi3.SchemaRef
	switch kind {
	case "schemas":
		s = doc.Components.Schemas[key]
	case "responses":
		if r := doc.Components.Responses[key]; r != nil {
			if mt := r.Value.Content.Get("application/json"); mt != nil {
				s = mt.Schema
			}
		}
	}
	if s == nil || s.Value == nil {
		t.Fatalf("no %s in %s", name, specFile)
	}
	return s.Value
}
