package calc

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"chipgap/input"
	"chipgap/strictyaml"
	"chipgap/units"
)

// ErrDecode classes the errors DecodeJSON finds in the JSON itself (their
// Want is the whole message; Field is "body" when no field is at fault).
var ErrDecode = errors.New("request does not decode")

// DecodeJSON decodes one JSON object from r into dst (a request struct),
// strictly: the input must be an object (not empty, null, an array or a
// scalar, which would decode as "all defaults"), unknown fields are
// errors naming the field, a value of the wrong type names its field and
// the JSON kind wanted, and nothing may follow the object. The API's
// bodies and the CLI's --request files decode through it.
//
// Errors about the JSON are *input.Error wrapping ErrDecode, and so is a
// unit string that does not parse ("2 trillion" tokens), named by the
// field that holds it. Another error a field's own decoder returns comes
// back as it is, as does a read error (a size limit the caller set on r).
func DecodeJSON(r io.Reader, dst any) error {
	data, err := io.ReadAll(r) // bounded by the caller (a body or file size limit)
	if err != nil {
		return err
	}
	read := bytes.NewReader(data)
	body := bufio.NewReader(read)
	if err := wantObject(body); err != nil {
		return err
	}
	if path, want := keyCheck(data, reflect.TypeOf(dst)); path != "" {
		return decodeErr(path, "%s", want)
	}
	read.Reset(data)
	body.Reset(read)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if errors.Is(err, io.EOF) {
			return decodeErr("body", "empty request body: want a JSON object")
		}
		var pe *units.ParseError
		if errors.As(err, &pe) {
			var v any
			if json.Unmarshal(data, &v) == nil {
				if path := stringPath(v, pe.Input, ""); path != "" {
					return decodeErr(path, "%v", pe)
				}
			}
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return jsonError(err)
		}
		return decodeErr("body", "unexpected data after the JSON object")
	}
	if path := duplicateKey(data); path != "" {
		return decodeErr(path, "the key appears twice in its object: want each field once")
	}
	return nil
}

// duplicateKey is the dotted path of the first key an object of data
// (one well-formed JSON value) repeats, or "": encoding/json keeps the
// last value silently, which a strict decoder must not.
func duplicateKey(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(prefix string) string
	walk = func(prefix string) string {
		t, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				k, ok := kt.(string)
				if err != nil || !ok {
					return ""
				}
				if seen[k] {
					return prefix + k
				}
				seen[k] = true
				if p := walk(prefix + k + "."); p != "" {
					return p
				}
			}
			dec.Token() // the closing brace
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if p := walk(fmt.Sprintf("%s%d.", prefix, i)); p != "" {
					return p
				}
			}
			dec.Token() // the closing bracket
		}
		return ""
	}
	return walk("")
}

// keyCheck walks data (one JSON value) beside the type t it decodes
// into and returns the dotted path of the first object key t has no
// field for, with what is wanted, or "". encoding/json matches keys to
// fields without regard to case ("CHIP" sets chip, and beside "chip" the
// last one wins) and names an unknown key without its path ("bogus", not
// "plan.bogus"); a strict decoder does neither. A value whose type
// decodes itself (json.Unmarshaler, encoding.TextUnmarshaler) and a map's
// or an interface's contents are not walked; malformed JSON is left to
// the decoder.
func keyCheck(data []byte, t reflect.Type) (path, want string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(t reflect.Type, prefix string) (string, string)
	skip := func() { walkSkip(dec) }
	walk = func(t reflect.Type, prefix string) (string, string) {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil || decodesItself(t) {
			skip()
			return "", ""
		}
		tok, err := dec.Token()
		if err != nil {
			return "", ""
		}
		switch tok {
		case json.Delim('{'):
			var fields map[string]reflect.Type
			if t.Kind() == reflect.Struct {
				fields = jsonFields(t)
			}
			for dec.More() {
				kt, err := dec.Token()
				k, ok := kt.(string)
				if err != nil || !ok {
					return "", ""
				}
				var ft reflect.Type
				switch t.Kind() {
				case reflect.Struct:
					var known bool
					if ft, known = fields[k]; !known {
						for name := range fields {
							if strings.EqualFold(name, k) {
								return prefix + k, fmt.Sprintf("unknown field %q: field names are case-sensitive; want %q", k, name)
							}
						}
						return prefix + k, fmt.Sprintf("unknown field %q", k)
					}
				case reflect.Map:
					ft = t.Elem()
				}
				if p, w := walk(ft, prefix+k+"."); p != "" {
					return p, w
				}
			}
			dec.Token() // the closing brace
		case json.Delim('['):
			var et reflect.Type
			if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
				et = t.Elem()
			}
			for i := 0; dec.More(); i++ {
				if p, w := walk(et, fmt.Sprintf("%s%d.", prefix, i)); p != "" {
					return p, w
				}
			}
			dec.Token() // the closing bracket
		}
		return "", ""
	}
	return walk(t, "")
}

// walkSkip consumes one JSON value of dec.
func walkSkip(dec *json.Decoder) {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth <= 0 {
			return
		}
	}
}

// decodesItself says values of t decode through their own method, or
// are anything at all (an interface), so their keys are not t's fields.
func decodesItself(t reflect.Type) bool {
	um := reflect.TypeFor[json.Unmarshaler]()
	tu := reflect.TypeFor[encoding.TextUnmarshaler]()
	return t.Kind() == reflect.Interface || t.Implements(um) || reflect.PointerTo(t).Implements(um) ||
		t.Implements(tu) || reflect.PointerTo(t).Implements(tu)
}

// jsonFields is the JSON names of struct t's fields as encoding/json
// sees them: the tag's name, else the Go name; "-" and unexported fields
// left out; an embedded struct without a name of its own inlined.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && f.Tag.Get("json") == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for k, v := range jsonFields(ft) {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// stringPath is the dotted path of the first field of v (a decoded JSON
// value, object keys in order) that holds the string s, or "".
func stringPath(v any, s, prefix string) string {
	switch v := v.(type) {
	case string:
		if v == s {
			return strings.TrimSuffix(prefix, ".")
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if p := stringPath(v[k], s, prefix+k+"."); p != "" {
				return p
			}
		}
	case []any:
		for i, x := range v {
			if p := stringPath(x, s, fmt.Sprintf("%s%d.", prefix, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

func decodeErr(field, format string, a ...any) *input.Error {
	return &input.Error{Field: field, Want: fmt.Sprintf(format, a...), Err: ErrDecode}
}

// jsonError names the field of an encoding/json failure where it can.
func jsonError(err error) error {
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute):
		return decodeErr(cmpOr(jsonPath(ute.Field), "body"), "got a JSON %s, want %s", ute.Value, jsonKind(ute.Type))
	case errors.As(err, &se):
		return decodeErr("body", "malformed JSON at byte %d: %v", se.Offset, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return decodeErr("body", "cannot decode request: %v", err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return decodeErr(cmpOr(name, "body"), "unknown field %q", name)
	}
	return err
}

// wantObject refuses input that is not a JSON object before it is
// decoded. A read error (a size limit) is returned as it is.
func wantObject(body *bufio.Reader) error {
	for {
		b, err := body.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return decodeErr("body", "empty request body: want a JSON object")
			}
			return err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			body.ReadByte()
			continue
		case '{':
			return nil
		}
		return decodeErr("body", "want a JSON object ({...}), got %s", describeJSONStart(body))
	}
}

// describeJSONStart names what the input starts with, for the error.
func describeJSONStart(body *bufio.Reader) string {
	b, _ := body.Peek(min(body.Buffered(), 8))
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == 'n':
		return "null"
	case b[0] == '[':
		return "an array"
	case b[0] == '"':
		return "a string"
	case b[0] == 't' || b[0] == 'f':
		return "a boolean"
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		return "a number"
	}
	return "malformed JSON"
}

// jsonKind names a Go type as the JSON a client should send for it.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer" // a seed of -1 is a number, and an integer
	case reflect.Float32, reflect.Float64:
		return "a number (or a string with a unit)"
	}
	return "another value"
}

// jsonPath drops the Go names of embedded structs that encoding/json
// puts before a field's path ("TrainRequest.chips" is "chips").
func jsonPath(field string) string {
	parts := strings.Split(field, ".")
	for len(parts) > 1 && parts[0] != "" && unicode.IsUpper(rune(parts[0][0])) {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// DecodeFile decodes a request file (the API's JSON body, or the same
// keys in YAML) into dst through DecodeJSON; errors name the file.
func DecodeFile(name string, b []byte, dst any) error {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		j, err := strictyaml.ToJSON(name, b)
		if err != nil {
			return err
		}
		b = j
	}
	if err := DecodeJSON(bytes.NewReader(b), dst); err != nil {
		var ie *input.Error
		if errors.As(err, &ie) {
			c := *ie
			c.Prefix = name + ": "
			return &c
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
