package calc

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"strings"
	"testing"

	"chipgap/input"
	"chipgap/units"
)

// TestFileLatencyIsSeconds: a request file's bare latency is seconds, as
// the API's JSON is (`tpot: 0.05` is 50 ms), where the same field's
// flag (unit:"required") refuses a bare number; a duration with its
// unit means the same in both. The files bind the fields without the
// command line's rule (bindFields, not BindFlags), so no file field is
// a unitRequired.
func TestFileLatencyIsSeconds(t *testing.T) {
	near := func(a units.Seconds, b float64) bool { return math.Abs(float64(a)-b) < 1e-12 }
	srv, err := ServeScenario("s.yaml", []byte("deployments:\n  - {chip: h100-sxm, model: llama3.1-8b, tpot: 0.05, ttft: 2}\n"+
		"  - {chip: h100-sxm, model: llama3.1-8b, slo: {tpot: 50ms, ttft: 1.5}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s := srv[0].SLO; !near(s.TPOT, 0.05) || !near(s.TTFT, 2) {
		t.Errorf("deployment 0: tpot %v, ttft %v; want 0.05 s and 2 s", s.TPOT, s.TTFT)
	}
	if s := srv[1].SLO; !near(s.TPOT, 0.05) || !near(s.TTFT, 1.5) {
		t.Errorf("deployment 1: tpot %v, ttft %v; want 0.05 s and 1.5 s", s.TPOT, s.TTFT)
	}
	sim, err := SimulateScenario("m.yaml", []byte("simulate:\n  chip: h100-sxm\n  mode: disaggregated\n  link_latency: 0.00002\n  slo: {tpot: 0.05, ttft: 2}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !near(sim.LinkLatency, 2e-5) || !near(sim.SLO.TPOT, 0.05) || !near(sim.SLO.TTFT, 2) {
		t.Errorf("simulate: link latency %v, tpot %v, ttft %v; want 20 µs, 0.05 s, 2 s", sim.LinkLatency, sim.SLO.TPOT, sim.SLO.TTFT)
	}
	// A quoted number with no unit reads like milliseconds: refused, as
	// the API refuses the JSON string "50"; quoted with its unit, or "0",
	// it is taken.
	for _, src := range []string{`tpot: "50"`, `ttft: '2'`, `slo: {tpot: "0.05"}`} {
		_, err := ServeScenario("q.yaml", []byte("deployments:\n  - {chip: h100-sxm, model: llama3.1-8b, "+src+"}\n"))
		if err == nil || !strings.Contains(err.Error(), "a quoted number with no unit: want a unit") || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%s: %v, want a quoted number refused at line 2", src, err)
		}
	}
	q, err := ServeScenario("q.yaml", []byte("deployments:\n  - {chip: h100-sxm, model: llama3.1-8b, tpot: \"50ms\", ttft: \"0\"}\n"))
	if err != nil || !near(q[0].SLO.TPOT, 0.05) || q[0].SLO.TTFT != 0 {
		t.Errorf("quoted with units: %v %+v, want 50 ms and no TTFT bound", err, q)
	}
	// A bare TPOT above inference.MaxTPOT (10 s) is a slip of the unit
	// (tpot: 50 meant 50 ms): refused where the request is set up, for a
	// file, a flag and the API alike, naming slo.tpot; 10 s is taken.
	for _, tpot := range []string{"50", "11s"} {
		reqs, err := ServeScenario("t.yaml", []byte("deployments:\n  - {chip: h100-sxm, model: llama3.1-8b, tpot: "+tpot+"}\n"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = reqs[0].Setup(testCatalog(t))
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != "slo.tpot" || !strings.Contains(ie.Want, "to 10 s") {
			t.Errorf("tpot %s: %v, want slo.tpot refused above 10 s", tpot, err)
		}
	}
	simReq := NewSimulateRequest()
	simReq.Chip, simReq.Model, simReq.SLO.TPOT = "h100-sxm", "llama3.1-8b", 50
	if err := simReq.check(); err == nil || !strings.Contains(err.Error(), "slo.tpot") {
		t.Errorf("simulate with tpot 50 s: %v, want slo.tpot refused", err)
	}
	ok10, err := ServeScenario("t.yaml", []byte("deployments:\n  - {chip: h100-sxm, model: llama3.1-8b, tpot: 10}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ok10[0].Setup(testCatalog(t)); err != nil {
		t.Errorf("tpot 10 s: %v, want it taken", err)
	}
	// Two deployments of one name are refused at the second's line.
	if _, err := ServeScenario("d.yaml", []byte("deployments:\n  - {name: A, chip: h100-sxm, model: llama3.1-8b}\n  - {name: A, chip: b200, model: llama3.1-8b}\n")); err == nil ||
		!strings.Contains(err.Error(), `line 3`) || !strings.Contains(err.Error(), `"A" already names deployments[0]`) {
		t.Errorf("a repeated deployment name: %v, want it refused at line 3", err)
	}
	// Two spellings of one setting in one request (a flag's name and its
	// JSON path, or two flag names) are refused: one had won silently.
	for src, also := range map[string]string{
		"tpot: 30ms, slo: {tpot: 50ms}":               "deployments[0].slo.tpot",
		"input: 1000, workload: {input_tokens: 2000}": "deployments[0].input",
		"framework: vllm, software: tensorrt-llm":     "deployments[0].framework",
	} {
		_, err := ServeScenario("s.yaml", []byte("deployments:\n  - {chip: h100-sxm, model: llama3.1-8b, "+src+"}\n"))
		if err == nil || !strings.Contains(err.Error(), "the same setting as "+also+" in this request") {
			t.Errorf("%s: %v, want the repeat refused naming %s", src, err, also)
		}
	}
	// The API: JSON's bare numbers are seconds too.
	api := NewSimulateRequest()
	if err := json.Unmarshal([]byte(`{"link_latency": 0.00002, "slo": {"tpot": 0.05, "ttft": 2}}`), &api); err != nil {
		t.Fatal(err)
	}
	if api.LinkLatency != sim.LinkLatency || api.SLO != sim.SLO {
		t.Errorf("API %v %+v, file %v %+v: want the same", api.LinkLatency, api.SLO, sim.LinkLatency, sim.SLO)
	}
	// The flags of the same request refuse the bare numbers.
	cli := NewSimulateRequest()
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	BindFlags(fs, &cli)
	for _, name := range []string{"tpot", "ttft", "link-latency"} {
		if err := fs.Set(name, "0.05"); err == nil || !strings.Contains(err.Error(), "want a duration with its unit") {
			t.Errorf("--%s 0.05: %v, want the unit asked for", name, err)
		}
	}
	// A file's binding holds no trace of the command line's rule.
	file := NewSimulateRequest()
	fs = flag.NewFlagSet("file", flag.ContinueOnError)
	bindFields(fs, &file, nil)
	fs.VisitAll(func(f *flag.Flag) {
		if _, ok := f.Value.(unitRequired); ok {
			t.Errorf("file field %s bound with the command line's unit rule", f.Name)
		}
	})
}
