package closeloop

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes. They are part of the HTTP contract (API.md) and never change.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	// EPRECONDITION is a conditional request (If-Match) whose condition no
	// longer holds: the resource changed since the caller read it.
	EPRECONDITION = "precondition_failed"
	ERATELIMITED  = "rate_limited"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
)

// Error is an error meant for the caller: a stable code, a message safe to
// show, and for EINVALID the bad fields with what is wrong with each.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements error.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	names := make([]string, 0, len(e.Fields))
	for name := range e.Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + ": " + e.Fields[name]
	}
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Problems collects field errors while validating input; Err turns them
// into one EINVALID error, or nil when there were none.
type Problems map[string]string

// Add records what is wrong with field, keeping the first problem found.
func (p Problems) Add(field, problem string) {
	if _, ok := p[field]; !ok {
		p[field] = problem
	}
}

// Merge adds other's problems with prefix before each field name.
func (p Problems) Merge(prefix string, other Problems) {
	for field, problem := range other {
		p.Add(prefix+field, problem)
	}
}

// Err returns an EINVALID *Error naming the fields, or nil.
func (p Problems) Err(message string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: message, Fields: p}
}
