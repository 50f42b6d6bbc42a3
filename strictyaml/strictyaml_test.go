package strictyaml

import (
	"errors"
	"strings"
	"testing"

	"chipgap/units"
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

type counts struct {
	Format string          `yaml:"format"`
	Sizes  []int           `yaml:"sizes"`
	Seeds  map[string]uint `yaml:"seeds"`
	Inner  struct {
		Chips *int    `yaml:"chips"`
		Share float64 `yaml:"share"`
	} `yaml:"inner"`
}

// yaml.v3 truncates a fraction into an integer field (8.5 into 8); the
// decoder refuses it, naming the field, its line and the value, in a
// list, a map, behind a pointer and through an alias or a merge key,
// and leaves number fields and whole numbers alone.
func TestWholeNumbersAsWritten(t *testing.T) {
	bad := []struct{ src, field, msg string }{
		{"format: x\nsizes: [8, 8.5]\n", "sizes[1]", "got 8.5, want a whole number"},
		{"format: x\nseeds:\n  a: 2.0\n", "seeds.a", "got 2.0, want a non-negative whole number"},
		{"format: x\ninner:\n  chips: 1e3\n", "inner.chips", "got 1e3, want a whole number"},
		{"format: x\nbase: &b\n  chips: 7.5\ninner: *b\n", "inner.chips", "got 7.5, want a whole number"},
		{"format: x\ninner:\n  <<: {chips: 3.25}\n  share: 1\n", "inner.chips", "got 3.25, want a whole number"},
		{"format: x\ninner:\n  <<: [{share: 1}, {chips: 2.5}]\n", "inner.chips", "got 2.5, want a whole number"},
	}
	for _, c := range bad {
		var v struct {
			counts `yaml:",inline"`
			Base   map[string]any `yaml:"base"`
		}
		_, err := Decode("f.yaml", []byte(c.src), &v, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Field != c.field || e.Msg != c.msg || e.Line == 0 {
			t.Errorf("%q: %#v, want field %s: %s", c.src, err, c.field, c.msg)
		}
	}
	var v counts
	if _, err := Decode("f.yaml", []byte("format: x\nsizes: [8, 16]\nseeds: {a: 3}\ninner: {chips: 4, share: 0.5}\n"), &v, Options{}); err != nil {
		t.Fatal(err)
	}
	if v.Sizes[1] != 16 || v.Seeds["a"] != 3 || *v.Inner.Chips != 4 || v.Inner.Share != 0.5 {
		t.Errorf("decoded %+v", v)
	}
}

// A duration field written as a quoted bare number ("50") is refused:
// yaml.v3 hands units.Seconds the same text as a bare 50, which is
// seconds, where the quotes say a string the API would refuse; bare
// numbers, units and "0" are taken.
func TestQuotedSecondsNeedAUnit(t *testing.T) {
	type slo struct {
		TPOT units.Seconds  `yaml:"tpot"`
		TTFT *units.Seconds `yaml:"ttft"`
	}
	for _, src := range []string{"tpot: \"50\"\n", "ttft: '2.5'\n"} {
		var v slo
		_, err := Decode("f.yaml", []byte(src), &v, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Line != 1 || !strings.Contains(e.Msg, "a quoted number with no unit: want a unit") {
			t.Errorf("%q: %v, want the quoted number refused at line 1", src, err)
		}
	}
	var v slo
	if _, err := Decode("f.yaml", []byte("tpot: 0.05\nttft: \"2s\"\n"), &v, Options{}); err != nil || v.TPOT != 0.05 || *v.TTFT != 2 {
		t.Errorf("bare and united: %v %+v", err, v)
	}
	if _, err := Decode("f.yaml", []byte("tpot: \"0\"\n"), &v, Options{}); err != nil || v.TPOT != 0 {
		t.Errorf("quoted zero: %v %+v", err, v)
	}
}

// ToJSON (request files in YAML) reads one document: a second, even one
// that does not parse, was dropped unread (session 79's QA pass: a
// --request file's "---" then "chips: 3" ran on the first document's 8).
func TestToJSONOneDocument(t *testing.T) {
	if j, err := ToJSON("r.yaml", []byte("chips: 8\nmodel: m\n")); err != nil || string(j) != `{"chips":8,"model":"m"}` {
		t.Errorf("one document: %s, %v", j, err)
	}
	// yaml.v3's message for a key given twice is a list ("unmarshal
	// errors:\n  line 2: ..."): one line, the line apart.
	_, err := ToJSON("r.yaml", []byte("model: a\nmodel: b\n"))
	if e := (*Error)(nil); !errors.As(err, &e) || e.Line != 2 || e.Msg != `mapping key "model" already defined at line 1` {
		t.Errorf("a key twice: %#v", err)
	}
	// A trailing "---" (even with a comment) is an empty document, not
	// a second one: such files read before the check (session 79 review).
	for _, src := range []string{"chips: 8\n---\n", "--- # c\nchips: 8\n--- # end\n", "chips: 8\n...\n---\n"} {
		if j, err := ToJSON("r.yaml", []byte(src)); err != nil || string(j) != `{"chips":8}` {
			t.Errorf("%q: %s, %v; want the one document", src, j, err)
		}
	}
	for _, src := range []string{"chips: 8\n---\nchips: 3\n", "chips: 8\n---\n: : [\n"} {
		_, err := ToJSON("r.yaml", []byte(src))
		var e *Error
		if !errors.As(err, &e) || e.Msg != "more than one YAML document: want one" || e.Line < 2 {
			t.Errorf("%q: %v, want more than one YAML document at its line", src, err)
		}
	}
}

// A one-line document (compact JSON, as the web API's scenario and sweep
// grid arrive) holds every value on line 1: a type error names the value
// that failed, found by its text and its field's Go type, not the
// deepest scalar on the line.
func TestTypeErrorOnOneLineNamesItsField(t *testing.T) {
	var d doc
	for _, c := range []struct{ in, field string }{
		{`{"format":"x","training":{"chips":"long","model":"m"},"systems":[{"chip":"a"}]}`, "training.chips"},
		// yaml.v3 quotes a value over 10 bytes as its first 7 and "...".
		{`{"format":"x","training":{"chips":"eight-thousand","model":"a-long-model-name"},"systems":[{"chip":"a"}]}`, "training.chips"},
		{`{"format":"x","training":{"model":"m","chips":"many"},"systems":[{"chip":"b"}]}`, "training.chips"},
		{`{"format":{"chips":1},"training":{"chips":2}}`, "format"},
		{`{"training":{"chips":3},"systems":[{"chip":{"a":1}}]}`, "systems[0].chip"},
	} {
		_, err := Decode("f.json", []byte(c.in), &d, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Field != c.field {
			t.Errorf("%s: %v, want field %s", c.in, err, c.field)
		}
	}
}

// Has tells a stated field from an absent one, whatever its value and
// whether the mapping is written in flow style (At falls back to the
// enclosing line, so its line cannot tell them apart).
func TestHas(t *testing.T) {
	var v struct {
		A struct {
			B int `yaml:"b"`
			C int `yaml:"c"`
		} `yaml:"a"`
	}
	d, err := Decode("f.yaml", []byte("a: {b: 0}\n"), &v, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Has("a.b") || d.Has("a.c") || !d.Has("a") {
		t.Errorf("Has(a.b) %v, Has(a.c) %v, Has(a) %v; want true, false, true", d.Has("a.b"), d.Has("a.c"), d.Has("a"))
	}
}

// StatedZero refuses a field stated as 0 (at its line, with what it
// wants), and passes one left out or stated otherwise.
func TestStatedZero(t *testing.T) {
	var v struct {
		A int `yaml:"a"`
		B int `yaml:"b"`
		C int `yaml:"c"`
	}
	d, err := Decode("f.yaml", []byte("a: 3\nb: 0\n"), &v, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.StatedZero(Zero{Path: "a", IsZero: v.A == 0}, Zero{Path: "c", IsZero: v.C == 0}); err != nil {
		t.Errorf("a: 3 and c absent: %v; want nil", err)
	}
	err = d.StatedZero(Zero{Path: "a", IsZero: v.A == 0}, Zero{Path: "b", IsZero: v.B == 0, Want: "want 1 to 9"})
	if want := "f.yaml:2: field b: 0: want 1 to 9 (leave it out for the default)"; err == nil || err.Error() != want {
		t.Errorf("b: 0: %v; want %q", err, want)
	}
	err = d.StatedZero(Zero{Path: "b", IsZero: true})
	if err == nil || !strings.Contains(err.Error(), "0: want a positive value (leave it out for the default)") {
		t.Errorf("b: 0 without Want: %v", err)
	}
}

// A type error in a value an alias (*a) stands for is the alias's field
// at its line, not the anchor's (QA: `title: *a`, with a list anchored
// at chips, read "field chips: got a list"); an anchor whose own field
// fails keeps its place.
func TestTypeErrorThroughAnAlias(t *testing.T) {
	var v struct {
		Chips []string `yaml:"chips"`
		Title string   `yaml:"title"`
		N     int      `yaml:"n"`
	}
	_, err := Decode("f.yaml", []byte("chips: &a [h100]\nn: 3\ntitle: *a\n"), &v, Options{})
	if want := "f.yaml:3: field title: got a list, want text"; err == nil || err.Error() != want {
		t.Errorf("title: *a (a list): %v; want %q", err, want)
	}
	_, err = Decode("f.yaml", []byte("title: &t x\nn: [1]\nchips: [*t]\n"), &v, Options{})
	if want := "f.yaml:2: field n"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("n: [1] beside an alias used well: %v; want %q…", err, want)
	}
}
