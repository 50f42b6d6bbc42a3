package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"chipgap/input"
	"chipgap/units"
)

// Error is a scenario file that cannot be used: the file, the line (0
// when the field is absent from the file), the field's path
// ("training.chips", "systems[2].chip") and what is wrong.
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
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads, strictly decodes, fills and validates the scenario file
// at path.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Parse strictly decodes a scenario file's bytes (name is used in
// errors), fills the defaults and validates it. Unknown keys, values of
// the wrong type or unit and out-of-range values are an *Error naming
// the file, the line and the field.
func Parse(name string, b []byte) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, &Error{File: name, Line: yamlLine(err.Error()), Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	idx := index(&root)
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Msg: "empty file; want at least `format: " + Format + "`"}
		}
		return nil, decodeError(name, idx, err)
	}
	if s.Format != Format {
		return nil, idx.at(name, "format", fmt.Sprintf("%q: want %q", s.Format, Format))
	}
	s.WithDefaults()
	if err := s.Validate(); err != nil {
		var fe *input.Error
		if errors.As(err, &fe) {
			return nil, idx.at(name, fe.Field, fmt.Sprintf("%v: %s", fe.Value, fe.Want))
		}
		return nil, &Error{File: name, Msg: err.Error()}
	}
	return &s, nil
}

// lines maps each field path of the file to its line.
type lines struct {
	byPath  map[string]int
	scalars []scalar
}

type scalar struct {
	path, value string
	line        int
}

func index(root *yaml.Node) *lines {
	l := &lines{byPath: map[string]int{}}
	if len(root.Content) > 0 {
		l.walk(root.Content[0], "")
	}
	return l
}

func (l *lines) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			l.byPath[p] = k.Line
			l.walk(v, p)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			l.byPath[p] = c.Line
			l.walk(c, p)
		}
	case yaml.ScalarNode:
		l.scalars = append(l.scalars, scalar{path, n.Value, n.Line})
	}
}

// at builds an Error for the field at path, with the line of the
// nearest enclosing field the file has.
func (l *lines) at(file, path, msg string) *Error {
	for p := path; p != ""; p = parent(p) {
		if line, ok := l.byPath[p]; ok {
			return &Error{File: file, Line: line, Field: path, Msg: msg}
		}
	}
	return &Error{File: file, Field: path, Msg: msg}
}

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
func decodeError(file string, l *lines, err error) error {
	var pe *units.ParseError
	if errors.As(err, &pe) {
		for _, s := range l.scalars {
			if s.value == pe.Input {
				return &Error{File: file, Line: s.line, Field: s.path, Msg: err.Error()}
			}
		}
		return &Error{File: file, Msg: err.Error()}
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return &Error{File: file, Msg: err.Error()}
	}
	msg := te.Errors[0]
	line := yamlLine(msg)
	msg = lineRe.ReplaceAllString(msg, "")
	if m := unknownRe.FindStringSubmatch(msg); m != nil {
		path := l.pathAt(line, m[1])
		msg = fmt.Sprintf("unknown field; allowed here: %s", strings.Join(allowedKeys(parent(path)), ", "))
		return &Error{File: file, Line: line, Field: path, Msg: msg}
	}
	return &Error{File: file, Line: line, Field: l.valuePath(line), Msg: msg}
}

// pathAt finds the path of key on line.
func (l *lines) pathAt(line int, key string) string {
	best := key
	for p, n := range l.byPath {
		if n == line && (p == key || strings.HasSuffix(p, "."+key)) && len(p) > len(best) {
			best = p
		}
	}
	return best
}

// valuePath is the deepest scalar path on line.
func (l *lines) valuePath(line int) string {
	best := ""
	for _, s := range l.scalars {
		if s.line == line && len(s.path) > len(best) {
			best = s.path
		}
	}
	return best
}

// allowedKeys lists the YAML keys of the struct at path in a Scenario.
func allowedKeys(path string) []string {
	t := reflect.TypeOf(Scenario{})
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
	return structKeys(deref(t))
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
