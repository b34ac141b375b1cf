package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// CheckNames is the check Decode makes before decoding into v, for
// handlers that decode a body in parts.
func CheckNames(data []byte, v any) error { return checkNames(data, reflect.TypeOf(v)) }

// checkNames refuses what encoding/json would quietly accept in a body
// decoded into a value of type t: a member name repeated in one object
// (the last one would win: {"order_id":"2","order_id":"3"}), and a name
// that matches a field only when case is ignored ({"Order_ID":"2"}).
// Field names in the error are the body's paths, e.g. orders[3].order_id.
func checkNames(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// Only the check's own findings are returned: any other error is a
	// syntax problem (or a body cut short), which decoding reports as an
	// invalid body; returned as it is, it would be answered as internal.
	var e *closeloop.Error
	if err := walkValue(dec, t, ""); errors.As(err, &e) {
		return err
	}
	return nil
}

// walkValue reads one JSON value from dec, checking its objects' names
// against t (nil when any name goes: a map's keys, a raw value).
func walkValue(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok {
	case json.Delim('{'):
		return walkObject(dec, t, path)
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ]
		return err
	}
	return nil
}

func walkObject(dec *json.Decoder, t reflect.Type, path string) error {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		field := name
		if path != "" {
			field = path + "." + name
		}
		if seen[name] {
			return &closeloop.Error{Code: closeloop.EINVALID, Message: "the body names a field twice",
				Fields: map[string]string{field: "appears more than once"}}
		}
		seen[name] = true
		var next reflect.Type
		switch {
		case t == nil:
		case t.Kind() == reflect.Map:
			next = t.Elem()
		case t.Kind() == reflect.Struct && t != reflect.TypeOf(json.RawMessage{}):
			f, exact, folded := structField(t, name)
			if !exact && folded != "" {
				return &closeloop.Error{Code: closeloop.EINVALID, Message: "field names are case-sensitive",
					Fields: map[string]string{field: "is not a known field; names are case-sensitive (did you mean " + folded + "?)"}}
			}
			if exact {
				next = f
			}
		}
		if err := walkValue(dec, next, field); err != nil {
			return err
		}
	}
	_, err := dec.Token() // }
	return err
}

// structField finds the field of struct t whose JSON name is name: exact
// is true for an exact match; otherwise folded is the name of a field that
// matches when case is ignored, "" when none does.
func structField(t reflect.Type, name string) (ft reflect.Type, exact bool, folded string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && tag == "" {
			inner := f.Type
			if inner.Kind() == reflect.Pointer {
				inner = inner.Elem()
			}
			if inner.Kind() == reflect.Struct {
				if ft, exact, folded := structField(inner, name); exact || folded != "" {
					return ft, exact, folded
				}
			}
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if tag == name {
			return f.Type, true, ""
		}
		if strings.EqualFold(tag, name) {
			folded = tag
		}
	}
	return nil, false, folded
}
