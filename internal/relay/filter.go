package relay

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// FilterPatterns are the event source mapping's filter in template.yaml
// (a test keeps the two equal): new responses and cases, cases whose
// status becomes resolved, and surveys sent for the first time. TTL
// removals and every other item stay out.
var FilterPatterns = []string{
	`{"eventName":["INSERT"],"dynamodb":{"NewImage":{"type":{"S":["response","case"]}}}}`,
	`{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"type":{"S":["case"]},"status":{"S":["resolved"]}},"OldImage":{"status":{"S":[{"anything-but":["resolved"]}]}}}}`,
	`{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"sk":{"S":["#SURVEY"]},"status":{"S":["sent"]}},"OldImage":{"status":{"S":["sending"]}}}}`,
}

var patterns = func() []map[string]any {
	parsed := make([]map[string]any, len(FilterPatterns))
	for i, p := range FilterPatterns {
		if err := json.Unmarshal([]byte(p), &parsed[i]); err != nil {
			panic("relay: bad filter pattern: " + err.Error())
		}
	}
	return parsed
}()

// Wanted reports whether a stream record passes FilterPatterns, as
// Lambda's event filtering would decide: the relay applies the same filter
// itself, since nothing filters the stream locally.
func Wanted(rec events.DynamoDBEventRecord) bool {
	data, err := json.Marshal(rec)
	if err != nil {
		return false
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return false
	}
	for _, p := range patterns {
		if Match(p, doc) {
			return true
		}
	}
	return false
}

// Match reports whether doc matches an event filter pattern: every key of
// the pattern must be in doc; an object matches an object, and a list of
// values matches a value equal to one of them or passing one of the
// content filters used here ({"anything-but": [...]}, {"prefix": "..."}).
func Match(pattern, doc map[string]any) bool {
	for k, want := range pattern {
		got, ok := doc[k]
		if !ok {
			return false
		}
		switch want := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !Match(want, sub) {
				return false
			}
		case []any:
			if !matchValue(want, got) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func matchValue(options []any, got any) bool {
	for _, o := range options {
		switch o := o.(type) {
		case map[string]any:
			if but, ok := o["anything-but"].([]any); ok {
				if !contains(but, got) {
					return true
				}
			}
			if prefix, ok := o["prefix"].(string); ok {
				if s, ok := got.(string); ok && strings.HasPrefix(s, prefix) {
					return true
				}
			}
		default:
			if o == got {
				return true
			}
		}
	}
	return false
}

func contains(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
