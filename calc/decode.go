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
	"math/big"
	"reflect"
	"slices"
	"strconv"
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
// the JSON kind wanted, so does a null but for a list (null: no list),
// and nothing may follow the object. The API's
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
	if path, want := checkKeys(data, reflect.TypeOf(dst)); path != "" {
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
	paths := jsonPaths(data)
	if p := statedZero(dst, func(path string) bool { return paths[path] }); p != "" {
		return ZeroStated(p)
	}
	return unusedStated(dst, func(path string) bool { return paths[path] })
}

// checkKeys walks data (one JSON value) beside the type t it decodes
// into and returns the dotted path of the first object key that is given
// twice in its object, or that t has no field for, or of the first null
// where a value is wanted (nullable), with what is wanted; "" when there
// is none. encoding/json keeps the last of a repeated key
// silently, matches keys to fields without regard to case ("CHIP" sets
// chip, and beside "chip" the last one wins) and names an unknown key
// without its path ("bogus", not "plan.bogus"); a strict decoder does
// none of these. Inside a value whose type decodes itself
// (json.Unmarshaler, encoding.TextUnmarshaler) or is an interface only
// repeated keys are looked for. Malformed JSON is left to the decoder.
// One pass over the tokens; the path is built only for an answer.
func checkKeys(data []byte, t reflect.Type) (path, want string) {
	w := keyWalk{dec: json.NewDecoder(bytes.NewReader(data)), fields: map[reflect.Type]map[string]reflect.Type{}}
	if !w.value(t) {
		return strings.Join(w.path, "."), w.want
	}
	return "", ""
}

// keyWalk is checkKeys's state: the decoder, the path to the value that
// failed (filled on the way out) and what it wants, and the field tables.
type keyWalk struct {
	dec    *json.Decoder
	path   []string
	want   string
	fields map[reflect.Type]map[string]reflect.Type
}

// value walks one JSON value that decodes into t (nil: anything, keys
// unchecked); false on the first fault, with w.path and w.want set.
func (w *keyWalk) value(t reflect.Type) bool {
	optional := t != nil && t.Kind() == reflect.Pointer
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	declared := t
	if t != nil && decodesItself(t) {
		t = nil
	}
	tok, err := w.dec.Token()
	if err != nil {
		return true // malformed: the decoder says where
	}
	if tok == nil && declared != nil && !optional && !nullable(declared) {
		w.want = fmt.Sprintf("got null, want %s (leave the field out for its default)", jsonKind(declared))
		return false
	}
	switch tok {
	case json.Delim('{'):
		return w.object(t)
	case json.Delim('['):
		var et reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			et = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if !w.value(et) {
				w.path = append([]string{strconv.Itoa(i)}, w.path...)
				return false
			}
		}
		w.dec.Token() // the closing bracket
	}
	return true
}

// nullable says a JSON null may stand for a value of t: a list (null is
// no list, as absent: "batches": null is the default grid), an optional
// field (a pointer or a map: null is nil, which is how the request
// types say absent, and how encoding/json writes an unset one, so a Go
// client marshalling calc.ReportRequest{} sends "seed": null) or
// anything at all (an interface). Elsewhere encoding/json would leave
// the field as it was, absent in effect but then misreported ("chips":
// null as "chips = 0"), so a null is refused.
func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Interface, reflect.Map:
		return true
	}
	return false
}

// object walks an object's keys and values (its opening brace read).
func (w *keyWalk) object(t reflect.Type) bool {
	var fields map[string]reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = w.fieldsOf(t)
	}
	seen := map[string]bool{}
	for w.dec.More() {
		kt, err := w.dec.Token()
		k, ok := kt.(string)
		if err != nil || !ok {
			return true
		}
		var ft reflect.Type
		if t != nil && t.Kind() == reflect.Map {
			ft = t.Elem()
		} else if fields != nil {
			ft = fields[k]
		}
		if !w.key(fields, seen, k) || !w.value(ft) {
			w.path = append([]string{k}, w.path...)
			return false
		}
		seen[k] = true
	}
	w.dec.Token() // the closing brace
	return true
}

// key checks one key of an object (fields: the struct's it decodes
// into, nil for a map or anything): given once, and a field as spelt.
func (w *keyWalk) key(fields map[string]reflect.Type, seen map[string]bool, k string) bool {
	if seen[k] {
		w.want = "the key appears twice in its object: want each field once"
		return false
	}
	if fields == nil {
		return true
	}
	if _, ok := fields[k]; ok {
		return true
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if strings.EqualFold(name, k) {
			w.want = fmt.Sprintf("unknown field %q: field names are case-sensitive; want %q", k, name)
			return false
		}
	}
	w.want = fmt.Sprintf("unknown field %q", k)
	return false
}

// fieldsOf is jsonFields of t, computed once per type and walk.
func (w *keyWalk) fieldsOf(t reflect.Type) map[string]reflect.Type {
	f, ok := w.fields[t]
	if !ok {
		f = jsonFields(t)
		w.fields[t] = f
	}
	return f
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decodesItself says values of t decode through their own method, or
// are anything at all (an interface), so their keys are not t's fields.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Kind() == reflect.Interface || t.Implements(unmarshalerType) || p.Implements(unmarshalerType) ||
		t.Implements(textUnmarshalerType) || p.Implements(textUnmarshalerType)
}

// jsonFields is the JSON names of struct t's fields as encoding/json
// resolves them: the tag's name, else the Go name; "-" and unexported
// fields left out; the fields of an embedded struct without a name of its
// own inlined, a shallower field hiding deeper ones of the same name, and
// two at one depth hiding each other unless exactly one is tagged.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	type cand struct {
		t            reflect.Type
		depth, count int  // count: candidates at the best depth (of the tagged ones, if any)
		tagged       bool // the best depth has a tagged candidate
	}
	best := map[string]*cand{}
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				walk(ft, depth+1)
				continue
			}
			if !f.IsExported() {
				continue
			}
			tagged := name != "" // encoding/json: a name from the tag dominates
			if name == "" {
				name = f.Name
			}
			switch c := best[name]; {
			case c == nil || depth < c.depth:
				best[name] = &cand{t: f.Type, depth: depth, count: 1, tagged: tagged}
			case depth == c.depth && tagged && !c.tagged:
				*c = cand{t: f.Type, depth: depth, count: 1, tagged: true}
			case depth == c.depth && tagged == c.tagged:
				c.count++
			}
		}
	}
	walk(t, 0)
	out := map[string]reflect.Type{}
	for name, c := range best {
		if c.count == 1 {
			out[name] = c.t
		}
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
		field := cmpOr(jsonPath(ute.Field), "body")
		if want, ok := integerWant(ute); ok {
			return decodeErr(field, "%s", want)
		}
		return decodeErr(field, "got a JSON %s, want %s", ute.Value, jsonKind(ute.Type))
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

// integerWant words the failure of a JSON number that is an integer
// where an integer is wanted: one past the field's type
// (9999999999999999999999) or one in exponent form (1e12, which
// encoding/json does not decode into an integer), which "want an
// integer" would misname.
func integerWant(ute *json.UnmarshalTypeError) (string, bool) {
	t := ute.Type
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	lit, isNum := strings.CutPrefix(ute.Value, "number ")
	if t == nil || !isNum {
		return "", false
	}
	var lo, hi big.Int
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		hi.Lsh(big.NewInt(1), uint(t.Bits()-1)).Sub(&hi, big.NewInt(1))
		lo.Neg(&hi).Sub(&lo, big.NewInt(1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		hi.Lsh(big.NewInt(1), uint(t.Bits())).Sub(&hi, big.NewInt(1))
	default:
		return "", false
	}
	f, _, err := big.ParseFloat(lit, 10, 0, big.ToNearestEven)
	if err != nil || !f.IsInt() || f.IsInf() || f.Sign() < 0 && lo.Sign() == 0 {
		return "", false // a fraction, or below 0 where the field is unsigned: jsonKind's word says it
	}
	// Compared as floats: 1e999999999 must not become a big.Int.
	if f.Cmp(new(big.Float).SetInt(&lo)) < 0 || f.Cmp(new(big.Float).SetInt(&hi)) > 0 {
		return fmt.Sprintf("got %s: an integer out of range, want %s to %s", lit, lo.String(), hi.String()), true
	}
	n, _ := f.Int(nil)
	return fmt.Sprintf("got %s: an integer in exponent form, want it in digits (%s)", lit, n.String()), true
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
		if decodesItself(t) {
			return "a number (or a string with a unit)" // a unit type: "700mm2", "2s"
		}
		return "a number"
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
	b, err := fileJSON(name, b)
	if err != nil {
		return err
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

// fileJSON is a request file's bytes as JSON: a JSON object as it is,
// YAML converted (strictyaml.ToJSON).
func fileJSON(name string, b []byte) ([]byte, error) {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return strictyaml.ToJSON(name, b)
	}
	return b, nil
}

// FileKeys are the JSON paths of the leaves a request file (JSON, or
// YAML as DecodeFile reads it) sets ("plan.tp"); nil for a file that
// does not decode.
func FileKeys(name string, b []byte) map[string]bool {
	j, err := fileJSON(name, b)
	if err != nil {
		return nil
	}
	return jsonPaths(j)
}
