package calc

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"

	"chipgap/input"
)

// TestStatedZeroRefused: a field whose 0 takes a default (zero:"default":
// --seq 0 ran seq 8192, `seeds: 0` in a run file 100 seeds) is refused
// when stated 0, on every input path, naming the field; left out, it
// still takes the default.
func TestStatedZeroRefused(t *testing.T) {
	want := func(what string, err error, field string) {
		t.Helper()
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != field || !strings.Contains(err.Error(), "want a positive value (leave it out for the default)") {
			t.Errorf("%s: %v; want an *input.Error naming %s", what, err, field)
		}
	}
	// JSON bodies and --request files.
	for _, c := range []struct {
		body, field string
		req         any
	}{
		{`{"model":"m","seq":0}`, "seq", &TrainRequest{}},
		{`{"global_batch":0}`, "global_batch", &TrainRequest{}},
		{`{"top":0}`, "top", &TrainRequest{}},
		{`{"seeds":0}`, "seeds", &RunRequest{}},
		{`{"seed":0}`, "seed", &RunRequest{}},
		{`{"samples":0}`, "samples", &ReportRequest{}},
		{`{"prefill":{"chips":0}}`, "prefill.chips", &SimulateRequest{}},
	} {
		want("JSON "+c.body, DecodeJSON(strings.NewReader(c.body), c.req), c.field)
	}
	var tr TrainRequest
	if err := DecodeJSON(strings.NewReader(`{"seq":4096,"chips_per_node":0}`), &tr); err != nil || tr.Seq != 4096 {
		t.Errorf("seq 4096 beside chips_per_node 0 (whose 0 is documented): %v, %+v", err, tr)
	}
	want("YAML request file", DecodeFile("r.yaml", []byte("seq: 0\n"), &TrainRequest{}), "seq")

	// Flags.
	var rr RunRequest
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	b := BindFlags(fs, &rr)
	if err := fs.Parse([]string{"--seeds", "0"}); err != nil {
		t.Fatal(err)
	}
	want("--seeds 0", b.StatedZero(), "seeds") // Prefix "--"
	fs = flag.NewFlagSet("run", flag.ContinueOnError)
	b = BindFlags(fs, &RunRequest{})
	if err := fs.Parse([]string{"--seq", "4096", "--chips-per-node", "0"}); err != nil {
		t.Fatal(err)
	}
	if err := b.StatedZero(); err != nil {
		t.Errorf("--seq 4096 --chips-per-node 0: %v", err)
	}

	// A simulate scenario's YAML: the line and the key.
	_, err := SimulateScenario("s.yaml", []byte("simulate:\n  model: llama3.1-8b\n  prefill:\n    chips: 0\n"))
	if err == nil || !strings.Contains(err.Error(), "line 4") || !strings.Contains(err.Error(), "field chips: 0: want a positive value") {
		t.Errorf("simulate scenario prefill.chips 0: %v; want line 4, field chips", err)
	}

	// A run file: the line and the field.
	_, err = DecodeRunFile("r.yaml", []byte("model: m\nseeds: 0\n"), &RunRequest{})
	if err == nil || !strings.Contains(err.Error(), "line 2: field seeds = 0: want a positive value") {
		t.Errorf("run file seeds 0: %v", err)
	}
	if _, err := DecodeRunFile("r.yaml", []byte("model: m\nseeds: 3\n"), &RunRequest{}); err != nil {
		t.Errorf("run file seeds 3: %v", err)
	}
}

// TestZeroDefaultFieldsOmitEmpty: a zero:"default" field is an int that
// marshals omitempty, so a Go client marshalling a request type with the
// field left unset (absent is 0) sends no 0 for DecodeJSON to refuse;
// and each says in its help what the default is.
func TestZeroDefaultFieldsOmitEmpty(t *testing.T) {
	n := 0
	for _, req := range []any{TrainRequest{}, RunRequest{}, ReportRequest{}, SimulateRequest{}, ServeRequest{}, FabRequest{}, ModelsRequest{}} {
		var walk func(t0 reflect.Type)
		walk = func(t0 reflect.Type) {
			for i := range t0.NumField() {
				sf := t0.Field(i)
				if sf.Type.Kind() == reflect.Struct {
					walk(sf.Type)
				}
				if sf.Tag.Get("zero") != "default" {
					continue
				}
				n++
				if k := sf.Type.Kind(); k != reflect.Int && k != reflect.Uint64 {
					t.Errorf("%s.%s: zero:\"default\" on a %s; want an integer", t0.Name(), sf.Name, k)
				}
				if !strings.HasSuffix(sf.Tag.Get("json"), ",omitempty") {
					t.Errorf("%s.%s: zero:\"default\" without omitempty", t0.Name(), sf.Name)
				}
				if !strings.Contains(sf.Tag.Get("help"), "default") {
					t.Errorf("%s.%s: help %q names no default", t0.Name(), sf.Name, sf.Tag.Get("help"))
				}
			}
		}
		walk(reflect.TypeOf(req))
		b, _ := json.Marshal(req)
		paths := jsonPaths(b)
		if p := statedZero(req, func(path string) bool { return paths[path] }); p != "" {
			t.Errorf("%T marshalled as %s states %s as 0", req, b, p)
		}
	}
	if n < 9 {
		t.Errorf("%d zero:\"default\" fields; want the 9 known (train seq, global_batch, top; run seq, global_batch, seeds, seed; report samples; prefill chips)", n)
	}
}

// TestStatedWhereUnused: a field a file or a JSON body states where it
// does not apply is refused whatever its value, the default included
// (spec_acceptance 0.7 without draft tokens passed where 0.8 was
// refused); a rate stated 0 (how an offline arrival states no rate)
// stays absent.
func TestStatedWhereUnused(t *testing.T) {
	for _, c := range []struct {
		body, field string
		req         any
	}{
		{`{"speculative":{"acceptance":0.7}}`, "speculative.acceptance", &ServeRequest{}},
		{`{"speculative":{"acceptance":0.7}}`, "speculative.acceptance", &SimulateRequest{}},
		{`{"workload":{"arrival":"poisson","cv":2}}`, "workload.cv", &SimulateRequest{}},
	} {
		var ie *input.Error
		if err := DecodeJSON(strings.NewReader(c.body), c.req); !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("%s into %T: %v; want an *input.Error naming %s", c.body, c.req, err, c.field)
		}
	}
	for _, body := range []string{`{"speculative":{"tokens":1,"acceptance":0.7}}`, `{"workload":{"arrival":"offline","rate":0}}`, `{"workload":{"arrival":"gamma","cv":2}}`} {
		r := NewSimulateRequest()
		if err := DecodeJSON(strings.NewReader(body), &r); err != nil {
			t.Errorf("%s: %v; want it decoded", body, err)
		}
	}
	_, err := ServeScenario("s.yaml", []byte("deployments:\n  - {chip: h100-sxm, model: llama3.1-8b}\n  - chip: h100-sxm\n    spec_acceptance: 0.7\n"))
	if err == nil || !strings.Contains(err.Error(), "line 4") || !strings.Contains(err.Error(), "field spec_acceptance: the acceptance rate of draft tokens") {
		t.Errorf("scenario spec_acceptance 0.7 alone: %v; want line 4 naming spec_acceptance", err)
	}
}
