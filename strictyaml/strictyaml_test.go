package strictyaml

import (
	"errors"
	"testing"
)

type doc struct {
	Format string `yaml:"format"`
	Train  struct {
		Chips int    `yaml:"chips"`
		Model string `yaml:"model"`
	} `yaml:"training"`
	Systems []struct {
		Chip string `yaml:"chip"`
	} `yaml:"systems"`
}

// An unknown key names its line, its path and the keys allowed there; a
// value of the wrong type names its path; a top-level unknown key takes
// the caller's word; At finds the nearest line the file has.
func TestDecodeSaysWhere(t *testing.T) {
	var d doc
	_, err := Decode("f.yaml", []byte("format: x\ntraining:\n  chips: 8\n  modle: a\n"), &d, Options{Format: "x"})
	var e *Error
	if !errors.As(err, &e) || e.Line != 4 || e.Field != "training.modle" || e.Msg != "unknown field; allowed here: chips, model" {
		t.Errorf("unknown key: %#v", err)
	}
	_, err = Decode("f.yaml", []byte("format: x\ntraining:\n  chips: many\n"), &d, Options{})
	if !errors.As(err, &e) || e.Line != 3 || e.Field != "training.chips" || e.Msg != "got text `many`, want a whole number" {
		t.Errorf("wrong type: %#v", err)
	}
	// A second document would be dropped unread.
	_, err = Decode("f.yaml", []byte("format: x\n---\nbogus: 1\n"), &d, Options{})
	if !errors.As(err, &e) || e.Msg != "more than one YAML document: want one" {
		t.Errorf("two documents: %#v", err)
	}
	// In the file's terms, not yaml.v3's "cannot unmarshal !!seq into int".
	_, err = Decode("f.yaml", []byte("format: x\ntraining:\n  chips: [8]\n"), &d, Options{})
	if !errors.As(err, &e) || e.Msg != "got a list, want a whole number" {
		t.Errorf("a list for a number: %#v", err)
	}
	_, err = Decode("f.yaml", []byte("format: x\nnodes: 3\n"), &d, Options{UnknownTop: "unknown axis or setting"})
	if !errors.As(err, &e) || e.Msg != "unknown axis or setting; allowed here: format, systems, training" {
		t.Errorf("top-level unknown key: %#v", err)
	}
	_, err = Decode("f.yaml", nil, &d, Options{Format: "v1"})
	if !errors.As(err, &e) || e.Msg != "empty file; want at least `format: v1`" {
		t.Errorf("empty file: %#v", err)
	}
	dd, err := Decode("f.yaml", []byte("format: x\ntraining:\n  chips: 8\n"), &d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := dd.At("training.model", "want a model").Error(); got != "f.yaml:2: field training.model: want a model" {
		t.Errorf("At on an absent field = %q, want the enclosing field's line 2", got)
	}
}
