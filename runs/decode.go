package runs

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"chipgap/llm"
)

// modelPresetOnly are llm.Model fields that catalog presets use but a
// published-runs model may not: the struct is shared with the presets,
// and a key the format and docs/published-runs.md do not name is an
// unknown key. A run may state the model fields chipgap reads beyond the
// format (docs/published-runs.md): linear biases (bias), a sliding window
// (window, global_every) and the MoE router's groups and gate.
var modelPresetOnly = map[string]bool{"id": true, "sources": true, "published_params": true, "published_active_params": true,
	"norm": true, "qk_norm": true, "pos_embeddings": true, "note": true}

// Error is a problem in a published-runs file: the run (empty for the
// file itself), the field path and what is wrong.
type Error struct {
	Run   string
	Field string
	Line  int
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Run != "" {
		fmt.Fprintf(&b, "run %s: ", e.Run)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "%s: ", e.Field)
	}
	b.WriteString(e.Msg)
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", e.Line)
	}
	return b.String()
}

// Load reads and checks a published-runs/v1 document.
func Load(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse decodes and checks a published-runs/v1 document strictly: unknown
// keys are errors, numbers may be YAML numbers or strings such as "300e9",
// and every error names the run id and the field.
func Parse(data []byte) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, &Error{Msg: "empty file"}
		}
		return nil, &Error{Msg: err.Error()}
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != io.EOF {
		// A second document (after "---") would be dropped unread.
		return nil, &Error{Line: next.Line, Msg: "more than one YAML document: want one, with format and runs"}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{Line: root.Line, Msg: "want a mapping with format and runs"}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Value != "format" && k.Value != "runs" {
			return nil, &Error{Field: k.Value, Line: k.Line, Msg: "unknown key; allowed: format, runs"}
		}
	}
	f := &File{}
	if v := mapValue(root, "format"); v == nil || v.Value != FormatV1 {
		got := ""
		if v != nil {
			got = v.Value
		}
		return nil, &Error{Field: "format", Msg: fmt.Sprintf("%q: want %q", got, FormatV1)}
	}
	f.Format = FormatV1
	runsNode := mapValue(root, "runs")
	if runsNode == nil || runsNode.Kind != yaml.SequenceNode {
		return nil, &Error{Field: "runs", Msg: "want a list of runs"}
	}
	seen := map[string]bool{}
	for i, n := range runsNode.Content {
		r, err := decodeRun(n, i)
		if err != nil {
			return nil, err
		}
		if seen[r.ID] {
			return nil, &Error{Run: r.ID, Field: "id", Line: n.Line, Msg: "duplicate id"}
		}
		seen[r.ID] = true
		f.Runs = append(f.Runs, r)
	}
	return f, nil
}

func decodeRun(n *yaml.Node, i int) (Run, error) {
	id := fmt.Sprintf("#%d", i+1)
	if n.Kind != yaml.MappingNode {
		return Run{}, &Error{Run: id, Line: n.Line, Msg: "want a mapping"}
	}
	if v := mapValue(n, "id"); v != nil && v.Value != "" {
		id = v.Value
	}
	normalizeNumbers(n)
	if err := checkKnown(n, reflect.TypeFor[Run](), id, ""); err != nil {
		return Run{}, err
	}
	var r Run
	if err := n.Decode(&r); err != nil {
		return Run{}, &Error{Run: id, Msg: strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  ")}
	}
	err := r.Check()
	if err == nil {
		var stated map[string]any
		_ = n.Decode(&stated) // where it fails (nil), nothing more is checked
		err = r.checkStated(stated)
	}
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Line = fieldLine(n, e.Field)
		}
		return Run{}, err
	}
	return r, nil
}

// mapValue returns the value node of key in mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// fieldLine finds the line of a dotted field path in n (0 if absent).
func fieldLine(n *yaml.Node, path string) int {
	line := n.Line
	for _, k := range strings.Split(path, ".") {
		if n == nil || n.Kind != yaml.MappingNode {
			break
		}
		n = mapValue(n, k)
		if n != nil {
			line = n.Line
		}
	}
	return line
}

// normalizeNumbers rewrites numeric scalars written as strings ("300e9")
// and whole floats (2.4e6) so that they decode into int and float fields.
func normalizeNumbers(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode {
		if n.Tag != "!!str" && n.Tag != "!!float" && n.Tag != "!!int" {
			return
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			n.Tag, n.Value, n.Style = "!!int", strconv.FormatInt(int64(f), 10), 0
			return
		}
		n.Tag, n.Value, n.Style = "!!float", strconv.FormatFloat(f, 'g', -1, 64), 0
		return
	}
	for _, c := range n.Content {
		normalizeNumbers(c)
	}
}

// checkKnown reports the first mapping key in n that t has no yaml field
// for, recursing into struct-typed fields.
func checkKnown(n *yaml.Node, t reflect.Type, run, path string) error {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				if err := checkKnown(c, t.Elem(), run, path); err != nil {
					return err
				}
			}
			return nil
		}
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode {
		return checkScalar(n, t, run, path)
	}
	if k := t.Kind(); (k >= reflect.Bool && k <= reflect.Float64 || k == reflect.String) && !reflect.PointerTo(t).Implements(yamlUnmarshaler) {
		return &Error{Run: run, Field: path, Line: n.Line, Msg: "want a single value, not a list or a mapping"}
	}
	if t.Kind() != reflect.Struct || n.Kind != yaml.MappingNode {
		return nil
	}
	fields := yamlFields(t)
	if t == reflect.TypeFor[llm.Model]() {
		// Preset-only fields of llm.Model are not part of the format.
		for k := range modelPresetOnly {
			delete(fields, k)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Tag == "!!merge" {
			// "<<: *anchor" (or a list of them) merges mappings of the
			// same shape: check what it brings in as this mapping's own.
			v := n.Content[i+1]
			merged := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				merged = v.Content
			}
			for _, m := range merged {
				if err := checkKnown(m, t, run, path); err != nil {
					return err
				}
			}
			continue
		}
		f, ok := fields[k.Value]
		p := join(path, k.Value)
		if !ok {
			return &Error{Run: run, Field: p, Line: k.Line, Msg: "unknown key; allowed: " + strings.Join(keys(t), ", ")}
		}
		if err := checkKnown(n.Content[i+1], f.Type, run, p); err != nil {
			return err
		}
	}
	return nil
}

var yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()

// checkScalar holds a scalar to its field's kind where the YAML decoder
// would not: yaml.v3 truncates 8.9 into an int field (and rounds past
// 2⁵³), takes .nan and .inf into a float one, and yes, on or "yes" into
// a bool. normalizeNumbers has
// already made every whole number below 2⁵³ an !!int.
func checkScalar(n *yaml.Node, t reflect.Type, run, path string) error {
	if n.Tag == "!!null" || reflect.PointerTo(t).Implements(yamlUnmarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		// YAML 1.2's true and false only: yaml.v3 decodes 1 into a bool
		// as an error naming no field, and a string "yes" (1.1's) as true
		// but "true" as an error.
		if n.Tag != "!!bool" {
			v := n.Value
			if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
				v = strconv.Quote(v)
			}
			return &Error{Run: run, Field: path, Line: n.Line, Msg: v + ": want true or false, unquoted (as YAML 1.2: yes, no, on and off are not booleans)"}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Tag != "!!int" {
			return &Error{Run: run, Field: path, Line: n.Line, Msg: fmt.Sprintf("%s: want a whole number (below 2^53)", n.Value)}
		}
	case reflect.Float32, reflect.Float64:
		if n.Tag == "!!int" {
			return nil
		}
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Tag != "!!float" || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return &Error{Run: run, Field: path, Line: n.Line, Msg: fmt.Sprintf("%s: want a finite number", n.Value)}
		}
	}
	return nil
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	m := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f
	}
	return m
}

func keys(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "-" && name != "" && f.IsExported() && !(t == reflect.TypeFor[llm.Model]() && modelPresetOnly[name]) {
			out = append(out, name)
		}
	}
	return out
}
