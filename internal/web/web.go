// Package web is the one place where HTTP requests are decoded and
// responses encoded for every handler: strict JSON bodies, coded errors
// mapped to status codes, security headers, and request logging.
package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// statusOf maps error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	closeloop.EINVALID:      http.StatusBadRequest,
	closeloop.EUNAUTHORIZED: http.StatusUnauthorized,
	closeloop.EFORBIDDEN:    http.StatusForbidden,
	closeloop.ENOTFOUND:     http.StatusNotFound,
	closeloop.ECONFLICT:     http.StatusConflict,
	closeloop.EPRECONDITION: http.StatusPreconditionFailed,
	closeloop.ERATELIMITED:  http.StatusTooManyRequests,
	closeloop.EUNAVAILABLE:  http.StatusServiceUnavailable,
	closeloop.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status for err's code.
func Status(err error) int {
	if s, ok := statusOf[codeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// codeOf is err's code, with a store that could not be reached (a refused or
// reset connection, a timeout: a net.Error anywhere in the chain, where the
// SDK keeps it even after its retries) counted as EUNAVAILABLE: nothing
// was answered, so the caller may send the request again.
func codeOf(err error) string {
	c := closeloop.ErrorCode(err)
	var netErr net.Error
	if c == closeloop.EINTERNAL && errors.As(err, &netErr) {
		return closeloop.EUNAVAILABLE
	}
	return c
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Error writes err as the API's error body. Internal errors are logged here,
// once, and answered with a generic message: their text never leaves.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	ErrorWith(w, r, err, "", nil)
}

// ErrorWith writes err as Error does, with value beside the error under
// name when name is not "": a 409 shows the resource as it stands.
func ErrorWith(w http.ResponseWriter, r *http.Request, err error, name string, value any) {
	code := codeOf(err)
	detail := errorDetail{Code: code, Message: "something went wrong on our side; it was logged"}
	var e *closeloop.Error
	switch {
	case code != closeloop.EINTERNAL && errors.As(err, &e):
		detail.Message, detail.Fields = e.Message, e.Fields
	case code == closeloop.EUNAVAILABLE:
		detail.Message = "the service is busy, try again shortly"
	}
	switch code {
	case closeloop.EINTERNAL:
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "err", err)
	case closeloop.EUNAVAILABLE:
		slog.WarnContext(r.Context(), "service unavailable", "method", r.Method, "route", r.Pattern, "err", err)
		w.Header().Set("Retry-After", "5")
	case closeloop.EUNAUTHORIZED:
		w.Header().Set("WWW-Authenticate", `Bearer realm="closeloop"`)
	}
	if name == "" {
		JSON(w, Status(err), errorBody{Error: detail})
		return
	}
	JSON(w, Status(err), map[string]any{"error": detail, name: value})
}

// JSON writes v as a JSON response with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// MaxJSONBody is the largest JSON body accepted: a full batch of 100 orders
// with 50 items each fits with room to spare.
const MaxJSONBody = 2 << 20

// Decode reads a JSON body strictly into v: at most limit bytes, no
// unknown fields, no field named twice or in another case, one value. The
// Content-Type is not checked, so a plain `curl -d` works. Problems are
// EINVALID errors that say what is wrong.
func Decode(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return decodeError(err, limit)
	}
	if err := checkNames(data, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, limit)
	}
	if _, err := dec.Token(); err != io.EOF {
		return closeloop.Errorf(closeloop.EINVALID, "the body must hold one JSON value")
	}
	return nil
}

func decodeError(err error, limit int64) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return closeloop.Errorf(closeloop.EINVALID, "the body is larger than %d bytes", limit)
	case errors.As(err, &syntax):
		return closeloop.Errorf(closeloop.EINVALID, "the body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return &closeloop.Error{Code: closeloop.EINVALID, Message: "a field has the wrong type",
			Fields: map[string]string{field: "must be " + jsonType(typeErr.Type.Kind().String())}}
	case errors.Is(err, io.EOF):
		return closeloop.Errorf(closeloop.EINVALID, "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return closeloop.Errorf(closeloop.EINVALID, "the body is not valid JSON (it ends too soon)")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &closeloop.Error{Code: closeloop.EINVALID, Message: "the body has a field this API does not know",
			Fields: map[string]string{name: "is not a known field"}}
	}
	// Time fields fail with their own parse error text.
	return closeloop.Errorf(closeloop.EINVALID, "the body could not be read: %s", safeText(err))
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "true or false"
	}
	return "a number"
}

// safeText keeps the part of a decoding error that describes the input.
func safeText(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "parsing time "); i >= 0 {
		return "a time must be RFC 3339, e.g. 2026-11-20T10:00:00Z"
	}
	return fmt.Sprintf("%.120s", strings.TrimPrefix(msg, "json: "))
}
