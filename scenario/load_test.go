package scenario

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseErrors: a typo, a wrong unit, an out-of-range value and a
// wrong type each fail with the file, the line and the field named.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, text string
		line       int
		field      string
		want       string // in the message
	}{
		{"typo", "format: chipgap-scenario/v1\ntraining:\n  chips: 1024\n  tokns: 1e12\n", 4, "training.tokns", "allowed here: chips, global_batch, model, precision, seq, sizing, tokens"},
		{"top-level typo", "format: chipgap-scenario/v1\nsampels: 10\n", 2, "sampels", "unknown field"},
		{"wrong unit", "format: chipgap-scenario/v1\ninference:\n  tpot: 50GB\n", 3, "inference.tpot", "50GB"},
		{"out of range", "format: chipgap-scenario/v1\ntraining:\n  chips: 3\n", 3, "training.chips", "want an integer in [8, 1048576]"},
		{"wrong type", "format: chipgap-scenario/v1\nsamples: many\n", 2, "samples", "got text `many`, want a whole number"},
		{"unknown chip", "format: chipgap-scenario/v1\nsystems:\n  - label: X\n    chip: h100-sxn\n    region: us\n", 4, "systems[0].chip", "did you mean"},
		{"bad range", "format: chipgap-scenario/v1\neconomics:\n  utilisation: {min: 0.9, typ: 0.8, max: 1}\n", 3, "economics.utilisation", "min ≤ typ ≤ max"},
		{"fraction above 1", "format: chipgap-scenario/v1\neconomics:\n  load: {typ: 1.5}\n", 3, "economics.load", "[0.05, 1]"},
		{"nested typo", "format: chipgap-scenario/v1\nengineering:\n  cann:\n    prot: 30d\n", 4, "engineering.cann.prot", "initial_slowdown, maturation, port"},
		{"unknown region", "format: chipgap-scenario/v1\nsystems:\n  - {label: A, chip: h100-sxm, region: mars}\n", 3, "systems[0].region", "want one of"},
		// A framework name no profile knows fell back to the default
		// stack unseen.
		{"unknown training framework", "format: chipgap-scenario/v1\nsystems:\n  - {label: A, chip: h100-sxm, region: us, training_framework: megatorn-lm}\n", 3, "systems[0].training_framework", "did you mean megatron-lm?"},
		{"unknown inference framework", "format: chipgap-scenario/v1\nsystems:\n  - {label: A, chip: h100-sxm, region: us, inference_framework: tensorrt-lm 0.9}\n", 3, "systems[0].inference_framework", "did you mean tensorrt-llm?"},
		{"format", "format: v0\n", 1, "format", "chipgap-scenario/v1"},
		{"baseline", "format: chipgap-scenario/v1\nstrategy:\n  baseline: H200\n", 3, "strategy.baseline", "want one of"},
		// NaN passes every comparison: each range checks it is finite.
		{"NaN min", "format: chipgap-scenario/v1\neconomics:\n  network_share: {min: .nan, typ: 0.15, max: 0.2}\n", 3, "economics.network_share", "want finite values"},
		{"NaN typ alone", "format: chipgap-scenario/v1\neconomics:\n  utilisation: {typ: .nan}\n", 3, "economics.utilisation", "{min: NaN, typ: NaN, max: NaN}"},
		{"NaN facility", "format: chipgap-scenario/v1\neconomics:\n  facility_per_watt: {typ: .nan}\n", 3, "economics.facility_per_watt", "want finite values"},
		{"NaN scale", "format: chipgap-scenario/v1\nfailure_rate_scale:\n  cann: {typ: .nan}\n", 3, "failure_rate_scale.cann", "want finite values"},
		{"NaN region", "format: chipgap-scenario/v1\neconomics:\n  regions:\n    us: {usd_per_kwh: {typ: 0.08}, pue: {typ: .nan}}\n", 4, "economics.regions.us.pue", "want finite values"},
		{"NaN slowdown", "format: chipgap-scenario/v1\nengineering:\n  cann: {port: {typ: 30d}, initial_slowdown: {typ: .nan}, maturation: {typ: 30d}}\n", 3, "engineering.cann.initial_slowdown", "want finite values"},
		// A stated 0 or an empty list took the default (QA: chips: 0 ran
		// 16,384 chips, samples: 0 a thousand, systems: [] the six).
		{"zero chips", "format: chipgap-scenario/v1\ntraining:\n  chips: 0\n", 3, "training.chips", "0: want a positive value (leave it out for the default)"},
		{"zero samples", "format: chipgap-scenario/v1\nsamples: 0\n", 2, "samples", "0: want a positive value"},
		{"zero horizon", "format: chipgap-scenario/v1\nstrategy:\n  horizon: 0d\n", 3, "strategy.horizon", "0: want a positive value"},
		{"zero tpot", "format: chipgap-scenario/v1\ninference:\n  tpot: 0\n", 3, "inference.tpot", "0: want a positive value"},
		{"no systems", "format: chipgap-scenario/v1\nsystems: []\n", 2, "systems", "empty: want at least one system"},
		{"Inf efficiency", "format: chipgap-scenario/v1\nefficiency:\n  cann: {min: 0.9, typ: 1, max: .inf}\n", 3, "efficiency.cann", "want finite values"},
	} {
		_, err := Parse("s.yaml", []byte(c.text))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: Parse error = %v, want a *scenario.Error", c.name, err)
			continue
		}
		if e.File != "s.yaml" || e.Line != c.line || e.Field != c.field || !strings.Contains(e.Error(), c.want) {
			t.Errorf("%s: Parse error = %q (line %d, field %q); want line %d, field %q, containing %q", c.name, e, e.Line, e.Field, c.line, c.field, c.want)
		}
		if !strings.HasPrefix(e.Error(), "s.yaml:") {
			t.Errorf("%s: error %q does not start with the file name", c.name, e)
		}
	}
}

func TestParseEmptyAndSyntax(t *testing.T) {
	if _, err := Parse("e.yaml", nil); err == nil || !strings.Contains(err.Error(), "empty file") {
		t.Errorf("Parse(empty) = %v, want an empty-file error", err)
	}
	_, err := Parse("x.yaml", []byte("format: [\n"))
	var e *Error
	if !errors.As(err, &e) || e.File != "x.yaml" {
		t.Errorf("Parse(bad syntax) = %v, want a *scenario.Error naming x.yaml", err)
	}
}

// TestDefaultValid: the built-in scenario validates, and filling
// defaults twice changes nothing.
func TestDefaultValid(t *testing.T) {
	s := Default()
	if err := s.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	a, _ := json.Marshal(s)
	s.WithDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	if string(a) != string(b) {
		t.Errorf("WithDefaults is not idempotent:\n%s\n%s", a, b)
	}
	if s.Samples != 1000 || s.Training.Chips != 16384 || len(s.Systems) != 6 || s.Strategy.Baseline != "H100" || s.Strategy.Challenger != "CM384" {
		t.Errorf("Default() = samples %d, chips %d, %d systems, %s vs %s; want 1000, 16384, 6, H100 vs CM384",
			s.Samples, s.Training.Chips, len(s.Systems), s.Strategy.Baseline, s.Strategy.Challenger)
	}
}

// TestJSONRoundTrip: the scenario as JSON parses back (JSON is YAML),
// as the web API serves and reads it.
func TestJSONRoundTrip(t *testing.T) {
	a, err := json.Marshal(Default())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("default.json", a)
	if err != nil {
		t.Fatalf("Parse(JSON of Default()) = %v", err)
	}
	b, _ := json.Marshal(s)
	if string(a) != string(b) {
		t.Errorf("round trip changed the scenario:\n%s\n%s", a, b)
	}
}

// TestExamples loads every scenario file under examples/ (the files in
// this format; other commands keep theirs there too).
func TestExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.yaml")
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "format: "+Format) {
			continue
		}
		n++
		s, err := Load(f)
		if err != nil {
			t.Errorf("Load(%s) = %v", f, err)
			continue
		}
		if s.Title == Default().Title {
			t.Errorf("%s: no title of its own", f)
		}
	}
	if n < 3 {
		t.Errorf("found %d scenario examples, want at least 3", n)
	}
}

func TestOverrides(t *testing.T) {
	text := `format: chipgap-scenario/v1
chips:
  ascend-910b:
    peak: {min: 300TFLOPS, typ: 350TFLOPS, max: 400TFLOPS, assumed: true, note: test}
    tdp: {typ: 350W}
economics:
  regions:
    china:
      usd_per_kwh: {typ: 0.04}
      pue: {typ: 1.3}
`
	s, err := Parse("o.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWorld(s)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := w.chipFor("ascend-910b")
	if err != nil {
		t.Fatal(err)
	}
	// The catalog's FP16 typ equals its BF16 typ (320), so the override
	// scales FP16 by 350/320 too.
	if got := float64(ch.Peak["bf16"].Typ); got != 350e12 {
		t.Errorf("overridden BF16 peak = %g, want 3.5e14", got)
	}
	if got, want := float64(ch.Peak["fp16"].Typ), 350e12; got != want {
		t.Errorf("scaled FP16 peak = %g, want %g", got, want)
	}
	if ch.TDP.Typ != 350 || ch.TDP.Min != 350 || ch.TDP.Max != 350 {
		t.Errorf("TDP override = %+v, want 350 W fixed", ch.TDP)
	}
	if r := s.Economics.Regions["china"].USDPerKWh; r.Min != 0.04 || r.Max != 0.04 {
		t.Errorf("typ-only range = %+v, want min = max = typ", r)
	}
}

// A token budget takes an SI scale as run, train and sweep grids do
// ("15T"; QA: a report scenario refused what the others took).
func TestTokensTakeAScale(t *testing.T) {
	for src, want := range map[string]float64{"15T": 15e12, "15e12": 15e12, "300B": 300e9} {
		sc, err := Parse("s.yaml", []byte("format: chipgap-scenario/v1\ntraining:\n  tokens: "+src+"\n"))
		if err != nil || float64(sc.Training.Tokens) != want {
			t.Errorf("tokens: %s: %v, %v; want %g", src, sc, err, want)
		}
	}
	_, err := Parse("s.yaml", []byte("format: chipgap-scenario/v1\ntraining:\n  tokens: 15 trillion\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "s.yaml:3: field training.tokens: invalid count") {
		t.Errorf("tokens: 15 trillion: %v; want line 3 naming training.tokens", err)
	}
}
