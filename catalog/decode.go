package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync/atomic"

	"go.yaml.in/yaml/v3"

	"chipgap/strictyaml"
	"chipgap/units"
)

// decodes counts the data files decodeFile has decoded in this process
// (TestDecodeOnce holds it to one per file).
var decodes atomic.Int64

// decodeFile strictly decodes the YAML file name of fsys into v: unknown
// fields are errors, and errors name the file, the line and the field.
// Quantities are unit strings ("989.4TFLOPS", "3.35TB/s"): yaml.v3 hands
// every scalar to the field type's UnmarshalText.
func decodeFile(fsys fs.FS, name string, v any) error {
	decodes.Add(1)
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return Decode(name, b, v)
}

// Decode is decodeFile for a file's bytes already read (name is used
// in errors): callers that read a user's file bound its size first.
func Decode(name string, b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("catalog: %s: empty file", name)
	}
	if err != nil {
		return fmt.Errorf("catalog: %s: %s", name, locate(b, err))
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		// A second document (after "---") would be dropped unread.
		return fmt.Errorf("catalog: %s: line %d: more than one YAML document: want one", name, max(next.Line, 1))
	}
	var we *strictyaml.Error
	if errors.As(strictyaml.WholeNumbers(name, b, v), &we) {
		return fmt.Errorf("catalog: %s: line %d: field %s: %s", name, we.Line, we.Field, we.Msg)
	}
	return nil
}

// locate adds the line and field to errors yaml.v3 reports without them
// (a unit string that does not parse).
func locate(b []byte, err error) string {
	var pe *units.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	var root yaml.Node
	if yaml.Unmarshal(b, &root) != nil {
		return err.Error()
	}
	if line, key, ok := findScalar(&root, "", pe.Input); ok {
		return fmt.Sprintf("line %d: field %s: %v", line, key, err)
	}
	return err.Error()
}

// findScalar finds the first scalar whose text is value and returns its
// line and the key it belongs to.
func findScalar(n *yaml.Node, key, value string) (int, string, bool) {
	if n.Kind == yaml.ScalarNode && n.Value == value {
		return n.Line, key, true
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if key != "" {
				k = key + "." + k
			}
			if l, kk, ok := findScalar(n.Content[i+1], k, value); ok {
				return l, kk, true
			}
		}
		return 0, "", false
	}
	for _, c := range n.Content {
		if l, kk, ok := findScalar(c, key, value); ok {
			return l, kk, true
		}
	}
	return 0, "", false
}
