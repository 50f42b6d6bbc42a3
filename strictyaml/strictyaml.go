// Package strictyaml decodes a YAML file strictly into a Go struct and
// says where it is wrong: unknown keys (listing the allowed ones), values
// of the wrong type or unit, and later checks of a field, each as an
// *Error naming the file, the line and the field's path. The scenario and
// sweep-grid loaders share it.
package strictyaml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"chipgap/units"
)

// Error is a file that cannot be used: the file, the line (0 when the
// field is absent from the file), the field's path ("training.chips",
// "systems[2].chip") and what is wrong. It prints as one line.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s", e.Field)
	}
	b.WriteString(": ")
	// One line whatever the file holds: yaml.v3 quotes the offending
	// value, newlines included (found by fuzzing the sweep grid parser).
	b.WriteString(strings.ReplaceAll(e.Msg, "\n", `\n`))
	return b.String()
}

// Options say how Decode words what it finds.
type Options struct {
	// Format is the value the file's `format:` key must hold (named in
	// the error for an empty file).
	Format string
	// UnknownTop words an unknown top-level key ("unknown field" when
	// empty; a sweep grid says "unknown axis or setting").
	UnknownTop string
}

// Doc is a decoded file's map of field paths to lines, for errors that
// later checks find (At).
type Doc struct {
	file    string
	byPath  map[string]int
	scalars []scalar
	// nodes is every mapping, sequence and scalar in document order, for
	// telling apart the values a one-line document (compact JSON) holds
	// on the line a type error names.
	nodes []scalar
	// aliases are the fields whose value is an alias (*a): path, the
	// alias's line and (value) the line of the node it names, where
	// yaml.v3 reports a type error.
	aliases []scalar
}

// scalar is a node's path, its text (a scalar's value, or "!!map" and
// "!!seq" for a mapping and a sequence) and its line.
type scalar struct {
	path, value string
	line        int
}

// Decode strictly decodes the YAML in b (file names it in errors) into v,
// a pointer to a struct. It returns the document's line map for later
// errors, or an *Error.
func Decode(file string, b []byte, v any, o Options) (*Doc, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, &Error{File: file, Line: yamlLine(err.Error()), Msg: oneLine(err)}
	}
	d := &Doc{file: file, byPath: map[string]int{}}
	if len(root.Content) > 0 {
		d.walk(root.Content[0], "")
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Msg: "empty file; want at least `format: " + o.Format + "`"}
		}
		return nil, d.decodeError(err, reflect.TypeOf(v), o)
	}
	if len(root.Content) > 0 {
		// yaml.v3 truncates a fraction into an integer field (8.5 into
		// 8) and takes 1e3 as 1000: a whole-number field holds whole
		// numbers as written.
		if err := d.wholeNumbers(root.Content[0], reflect.TypeOf(v), "", 0); err != nil {
			return nil, err
		}
	}
	if err := lastDocument(file, dec); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Doc) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			d.byPath[p] = k.Line
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				d.aliases = append(d.aliases, scalar{p, strconv.Itoa(v.Alias.Line), k.Line})
			}
			if v.Kind == yaml.MappingNode {
				d.nodes = append(d.nodes, scalar{p, "!!map", v.Line})
			} else if v.Kind == yaml.SequenceNode {
				d.nodes = append(d.nodes, scalar{p, "!!seq", v.Line})
			}
			d.walk(v, p)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.byPath[p] = c.Line
			d.walk(c, p)
		}
	case yaml.ScalarNode:
		d.scalars = append(d.scalars, scalar{path, n.Value, n.Line})
		d.nodes = append(d.nodes, scalar{path, n.Value, n.Line})
	}
}

// At is an Error for the field at path, with the line of the nearest
// enclosing field the file has.
func (d *Doc) At(path, msg string) *Error {
	for p := path; p != ""; p = parent(p) {
		if line, ok := d.byPath[p]; ok {
			return &Error{File: d.file, Line: line, Field: path, Msg: msg}
		}
	}
	return &Error{File: d.file, Field: path, Msg: msg}
}

// Has reports whether the file states the field at path (a key or a
// list entry), whatever its value: a zero stated apart from one absent.
func (d *Doc) Has(path string) bool {
	_, ok := d.byPath[path]
	return ok
}

// A Zero is a field whose 0 takes a default (an absent field decodes to
// 0 too): its path, whether it decoded to 0, and what it wants ("" for
// "want a positive value").
type Zero struct {
	Path   string
	IsZero bool
	Want   string
}

// StatedZero refuses the first field of zs the file states as 0, which
// would silently run the default where a negative value is refused; nil
// if none.
func (d *Doc) StatedZero(zs ...Zero) error {
	for _, z := range zs {
		if z.IsZero && d.Has(z.Path) {
			want := z.Want
			if want == "" {
				want = "want a positive value"
			}
			return d.At(z.Path, "0: "+want+" (leave it out for the default)")
		}
	}
	return nil
}

// Whole is an Error about the file as a whole.
func (d *Doc) Whole(msg string) *Error { return &Error{File: d.file, Msg: msg} }

func parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

var (
	lineRe    = regexp.MustCompile(`line (\d+): `)
	unknownRe = regexp.MustCompile(`field (\S+) not found in type (\S+)`)
	indexRe   = regexp.MustCompile(`\[\d+\]`)
)

func yamlLine(msg string) int {
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// decodeError turns a yaml.v3 decoding error into an *Error with the
// field's path: unknown keys list the allowed ones; unit strings that do
// not parse are found by their text.
func (d *Doc) decodeError(err error, t reflect.Type, o Options) error {
	var pe *units.ParseError
	if errors.As(err, &pe) {
		for _, s := range d.scalars {
			if s.value == pe.Input {
				return &Error{File: d.file, Line: s.line, Field: s.path, Msg: err.Error()}
			}
		}
		return &Error{File: d.file, Msg: err.Error()}
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return &Error{File: d.file, Msg: err.Error()}
	}
	msg := te.Errors[0]
	line := yamlLine(msg)
	msg = lineRe.ReplaceAllString(msg, "")
	if m := unknownRe.FindStringSubmatch(msg); m != nil {
		path := d.pathAt(line, m[1])
		what := "unknown field"
		if o.UnknownTop != "" && !strings.ContainsAny(path, ".[") {
			what = o.UnknownTop
		}
		msg = fmt.Sprintf("%s; allowed here: %s", what, strings.Join(allowedKeys(t, parent(path)), ", "))
		return &Error{File: d.file, Line: line, Field: path, Msg: msg}
	}
	if a, ok := d.aliasAt(line, msg, t); ok {
		return &Error{File: d.file, Line: a.line, Field: a.path, Msg: PlainType(msg)}
	}
	return &Error{File: d.file, Line: line, Field: d.typeErrorPath(line, msg, t), Msg: PlainType(msg)}
}

// aliasAt is the field whose alias (*a) names the node on line, where
// yaml.v3 reports a type error, when its field has the error's Go type
// and no field on that line does: the alias is at fault, not the anchor
// (QA: `title: *a`, a list anchored at chips, was blamed on chips).
func (d *Doc) aliasAt(line int, msg string, t reflect.Type) (scalar, bool) {
	m := unmarshalRe.FindStringSubmatch(msg)
	if m == nil {
		return scalar{}, false
	}
	// The field's own type, or through a pointer: a list's element type
	// is not the list's (chips is []string; the error wants a string).
	fits := func(path string) bool {
		ft := typeAt(t, path)
		for ft != nil && ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		return ft != nil && ft.String() == m[3]
	}
	text := m[2]
	if m[1] == "map" || m[1] == "seq" {
		text = "!!" + m[1]
	}
	for _, n := range d.nodes {
		if n.line == line && n.value == text && fits(n.path) {
			return scalar{}, false
		}
	}
	for _, a := range d.aliases {
		if a.value == strconv.Itoa(line) && fits(a.path) {
			return a, true
		}
	}
	return scalar{}, false
}

// unmarshalRe reads yaml.v3's type error: the node's tag, a scalar's text
// and the Go type it did not fit.
var unmarshalRe = regexp.MustCompile("cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")

// typeErrorPath is the path of the value a type error on line names: of
// the nodes on that line, the one with the error's text (a scalar's
// value, or a mapping or sequence where the tag says so) whose field in
// t has the error's Go type, else the first with the text; else the
// deepest scalar on the line. (A one-line document, such as compact
// JSON, puts every value on line 1: the deepest scalar there once named
// another field than the one that failed.)
func (d *Doc) typeErrorPath(line int, msg string, t reflect.Type) string {
	m := unmarshalRe.FindStringSubmatch(msg)
	if m == nil {
		return d.valuePath(line)
	}
	text := m[2]
	if m[1] == "map" || m[1] == "seq" {
		text = "!!" + m[1]
	}
	// yaml.v3 shortens a value over 10 bytes to its first 7 and "...".
	same := func(v string) bool { return v == text }
	if short, ok := strings.CutSuffix(text, "..."); ok && len(short) == 7 {
		same = func(v string) bool { return v == text || len(v) > 10 && strings.HasPrefix(v, short) }
	}
	first := ""
	for _, n := range d.nodes {
		if n.line != line || !same(n.value) {
			continue
		}
		if first == "" {
			first = n.path
		}
		if ft := typeAt(t, n.path); ft != nil && (ft.String() == m[3] || deref(ft).String() == m[3]) {
			return n.path
		}
	}
	if first != "" {
		return first
	}
	return d.valuePath(line)
}

// typeAt is the Go type of the field at path in t, or nil.
func typeAt(t reflect.Type, path string) reflect.Type {
	for _, part := range splitPath(path) {
		t = deref(t)
		switch t.Kind() {
		case reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			f, ok := fieldByTag(t, part)
			if !ok {
				return nil
			}
			t = f.Type
		default:
			return nil
		}
	}
	return t
}

var unmarshaler = reflect.TypeFor[yaml.Unmarshaler]()

// WholeNumbers is Decode's whole-number check for a document that
// another decoder has already read into v (the catalog's and `run
// --scenario`'s): an *Error naming the line, the field and the value
// written as a fraction where v holds an integer, or nil.
func WholeNumbers(file string, b []byte, v any) error {
	var root yaml.Node
	if yaml.Unmarshal(b, &root) != nil || len(root.Content) == 0 {
		return nil // the decoder that read it has said what is wrong
	}
	d := &Doc{file: file}
	if err := d.wholeNumbers(root.Content[0], reflect.TypeOf(v), "", 0); err != nil {
		return err
	}
	return nil
}

// wholeNumbers walks the document beside the type it was decoded into
// and refuses a scalar that is not written as a whole number where the
// field is an integer: yaml.v3 would have truncated 8.5 into 8. Fields
// of a type that decodes itself (units) are left to their own decoder,
// but for a duration written as a quoted bare number (quotedSeconds).
func (d *Doc) wholeNumbers(n *yaml.Node, t reflect.Type, path string, depth int) error {
	if depth > 64 {
		return nil // aliases nest; the decode above has read the values
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return d.wholeNumbers(n.Alias, t, path, depth+1)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshaler) || t.Implements(unmarshaler) {
		return nil
	}
	if t == secondsType {
		return d.quotedSeconds(n, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.ShortTag() == "!!merge" {
				// A merge key's mapping, or list of mappings, is read
				// into this struct.
				merged := []*yaml.Node{v}
				if v.Kind == yaml.SequenceNode {
					merged = v.Content
				}
				for _, m := range merged {
					if err := d.wholeNumbers(m, t, path, depth+1); err != nil {
						return err
					}
				}
				continue
			}
			f, ok := inlineField(t, k.Value)
			if !ok {
				continue
			}
			if err := d.wholeNumbers(v, f.Type, join(path, k.Value), depth+1); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, c := range n.Content {
			if err := d.wholeNumbers(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := d.wholeNumbers(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), depth+1); err != nil {
				return err
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
			return &Error{File: d.file, Line: n.Line, Field: path, Msg: fmt.Sprintf("got %s, want %s", n.Value, Want(t.Kind()))}
		}
	}
	return nil
}

var secondsType = reflect.TypeFor[units.Seconds]()

// quotedSeconds refuses a duration written as a quoted number with no
// unit (tpot: "50"), as the API refuses the JSON string "50": it reads
// like milliseconds, and yaml.v3 hands it to units.Seconds as the same
// text as a bare 50, which is seconds. A bare number stays seconds; a
// quoted one needs its unit; "0" is zero either way.
func (d *Doc) quotedSeconds(n *yaml.Node, path string) error {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		return nil
	}
	if units.UnitlessDuration(n.Value) {
		return &Error{File: d.file, Line: n.Line, Field: path, Msg: fmt.Sprintf("got %q, a quoted number with no unit: want a unit (%sms) or a bare number of seconds", n.Value, strings.TrimSpace(n.Value))}
	}
	return nil
}

// inlineField is fieldByTag looking also inside the struct's inline
// (`yaml:",inline"`) fields, whose keys sit at the struct's own level.
func inlineField(t reflect.Type, key string) (reflect.StructField, bool) {
	if f, ok := fieldByTag(t, key); ok {
		return f, true
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if _, opts, _ := strings.Cut(f.Tag.Get("yaml"), ","); opts == "inline" && deref(f.Type).Kind() == reflect.Struct {
			if g, ok := inlineField(deref(f.Type), key); ok {
				return g, true
			}
		}
	}
	return reflect.StructField{}, false
}

// Want says, in a file's terms, what a value of kind k must be ("a whole
// number", "a non-negative whole number", "a number", "true or false",
// "text"; "one value" for any other kind).
func Want(k reflect.Kind) string {
	switch {
	case k >= reflect.Int && k <= reflect.Int64:
		return "a whole number"
	case k >= reflect.Uint && k <= reflect.Uint64:
		return "a non-negative whole number"
	case k == reflect.Float32 || k == reflect.Float64:
		return "a number"
	case k == reflect.Bool:
		return "true or false"
	case k == reflect.String:
		return "text"
	}
	return "one value"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var typeRe = regexp.MustCompile("^cannot unmarshal !!(\\w+) (`[^`]*` )?into (\\S+)$")

// PlainType says yaml.v3's "cannot unmarshal !!seq into int" in the
// file's terms: "got a list, want a whole number"; any other message is
// returned as it is.
func PlainType(msg string) string {
	m := typeRe.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	got := map[string]string{"seq": "a list", "map": "a mapping", "str": "text", "int": "a whole number", "float": "a number", "bool": "true or false", "null": "nothing"}[m[1]]
	if got == "" {
		got = "a YAML " + m[1]
	}
	if m[2] != "" {
		got += " " + strings.TrimSpace(m[2])
	}
	into := strings.TrimPrefix(m[3], "*")
	want := "a value of another kind"
	switch {
	case strings.HasPrefix(into, "[]"):
		want = "a list"
	case strings.HasPrefix(into, "map["):
		want = "a mapping"
	case strings.HasPrefix(into, "uint"):
		want = "a non-negative whole number"
	case strings.HasPrefix(into, "int"):
		want = "a whole number"
	case strings.HasPrefix(into, "float"):
		want = "a number"
	case into == "string":
		want = "text"
	case into == "bool":
		want = "true or false"
	case strings.Contains(into, "."):
		want = "a mapping or a value of its own form" // a named type: a struct or a unit
	}
	return "got " + got + ", want " + want
}

// pathAt finds the path of key on line.
func (d *Doc) pathAt(line int, key string) string {
	best := key
	for p, n := range d.byPath {
		if n == line && (p == key || strings.HasSuffix(p, "."+key)) && len(p) > len(best) {
			best = p
		}
	}
	return best
}

// valuePath is the deepest scalar path on line.
func (d *Doc) valuePath(line int) string {
	best := ""
	for _, s := range d.scalars {
		if s.line == line && len(s.path) > len(best) {
			best = s.path
		}
	}
	return best
}

// allowedKeys lists the YAML keys of the struct at path inside type t.
func allowedKeys(t reflect.Type, path string) []string {
	ft := typeAt(t, path)
	if ft == nil {
		return nil
	}
	return structKeys(deref(ft))
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	p = indexRe.ReplaceAllString(p, "")
	return strings.Split(p, ".")
}

func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tagName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// TagName is a struct field's YAML key (its yaml tag's name, or the
// field name in lower case).
func TagName(f reflect.StructField) string { return tagName(f) }

func tagName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

func structKeys(t reflect.Type) []string {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := range t.NumField() {
		if n := tagName(t.Field(i)); n != "-" {
			keys = append(keys, n)
		}
	}
	sort.Strings(keys)
	return keys
}

// lastDocument refuses a document after the one dec has decoded: a
// second (after "---") would be dropped unread, even one that does not
// parse.
// A trailing "---" (with at most comments after it) is an empty
// document, which yaml.v3 reads as one: it is not a second.
func lastDocument(file string, dec *yaml.Decoder) error {
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err == nil && emptyDocument(&next):
			continue
		}
		return &Error{File: file, Line: max(next.Line, yamlLine(fmt.Sprint(err))), Msg: "more than one YAML document: want one"}
	}
}

// emptyDocument says n is a document holding nothing but a null.
func emptyDocument(n *yaml.Node) bool {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	return n.Kind == 0 || n.Kind == yaml.DocumentNode && len(n.Content) == 0 || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// oneLine is a yaml.v3 error as one line: its "unmarshal errors:" list
// is several lines of "line N: ..." (a key given twice), of which the
// first is kept without its line, which the *Error carries.
func oneLine(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "unmarshal errors:\n"); ok {
		first, _, _ := strings.Cut(strings.TrimSpace(rest), "\n")
		msg = first
	}
	if _, after, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
		msg = after
	}
	return msg
}

// ToJSON re-encodes a YAML document as JSON, so that a request file in
// YAML decodes through the same strict JSON decoder as an API body (the
// same keys, checks and errors). Mapping keys must be strings; a
// document that is not YAML is an *Error naming file and line.
func ToJSON(file string, b []byte) ([]byte, error) {
	var v any
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&v); err != nil && !errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Line: yamlLine(err.Error()), Msg: oneLine(err)}
	}
	if err := lastDocument(file, dec); err != nil {
		return nil, err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, &Error{File: file, Msg: "cannot be read as a request (" + err.Error() + ")"}
	}
	return out, nil
}
