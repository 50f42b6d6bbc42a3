package calc

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"chipgap/catalog"
)

// A training estimate carries its regime's band around its own tokens/s
// per chip (catalog.Score.Band, worked by hand in catalog's
// TestScoreBand), and the text prints it; a search's best plan the same.
func TestTrainBand(t *testing.T) {
	cat := testCatalog(t)
	s, err := TrainRequest{Model: "llama3.1-70b", Chip: "h100-sxm", Chips: 64, Plan: PlanRequest{TP: 8, PP: 2}}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Train(s)
	if err != nil {
		t.Fatal(err)
	}
	sc := e.Header.Scored
	if sc == nil || sc.Runs < catalog.MinBandRuns {
		t.Fatalf("regime %+v: want one of %d runs or more (NVIDIA dense training)", sc, catalog.MinBandRuns)
	}
	b := e.Band
	lo, hi, _ := sc.Band(e.TokensPerSecPerChip)
	if b == nil || b.Runs != sc.Runs || b.Regime != sc.ID || b.Widen != catalog.BandWiden ||
		math.Abs(b.Low-lo) > 1e-9 || math.Abs(b.High-hi) > 1e-9 {
		t.Fatalf("band %+v around %g tokens/s per chip, want %g–%g (regime P10 %g P90 %g)", b, e.TokensPerSecPerChip, lo, hi, sc.P10, sc.P90)
	}
	// Widened: wider than the regime's own P10–P90 spread on both sides.
	if slo, shi, _ := sc.Spread(e.TokensPerSecPerChip); !(b.Low < slo && b.High > shi) {
		t.Errorf("band %g–%g not wider than the runs' spread %g–%g", b.Low, b.High, slo, shi)
	}
	var out strings.Builder
	if err := e.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "80 % band: the P10–P90 of the ") || !strings.Contains(out.String(), b.text("tokens/s per chip")) {
		t.Errorf("text lacks the band line %q:\n%s", b.text("tokens/s per chip"), out.String())
	}
	if v := e.View(false); v.MeasuredBand != b {
		t.Errorf("the API view's band %+v, want the estimate's %+v", v.MeasuredBand, b)
	}
}

// A serving estimate's band is around the best point's output tokens/s per
// chip in colocated mode; in prefill, decode and disagg mode the regime's
// runs (79 colocated offline benchmarks, NVIDIA dense serving) measure no
// figure of that kind, so there is none and a note says why, in the text
// and the JSON alike; a regime of fewer than catalog.MinBandRuns runs
// (DeepSeek-V3 decode on CloudMatrix 384: 3 runs) gives none and no note.
func TestServeBand(t *testing.T) {
	cat := testCatalog(t)
	for _, mode := range []string{"colocated", "prefill", "decode", "disagg"} {
		r := NewServeRequest()
		r.Chip, r.Chips, r.Model, r.Parallel.TP, r.Precision, r.Mode = "h100-sxm", 8, "llama3.1-70b", 8, "fp8", mode
		r.SLO.TPOT = 0.05
		s, err := r.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		e, err := Serve(s)
		if err != nil || e.Best == nil || e.Scored == nil {
			t.Fatalf("%s: %v, best %v, scored %v", mode, err, e.Best, e.Scored)
		}
		var out strings.Builder
		writeBest(&out, e)
		js, _ := json.Marshal(e)
		b, note := e.MeasuredBand, e.MeasuredBandNote
		if mode == "colocated" {
			lo, hi, _ := e.Scored.Band(e.Best.OutputPerChip)
			if b == nil || math.Abs(b.Low-lo) > 1e-9 || math.Abs(b.High-hi) > 1e-9 || note != "" {
				t.Errorf("%s: band %+v (note %q) around %g, regime %s P10 %g P90 %g", mode, b, note, e.Best.OutputPerChip, e.Scored.ID, e.Scored.P10, e.Scored.P90)
			}
			if !strings.Contains(out.String(), b.text("output tokens/s per chip")) || !strings.Contains(string(js), `"measured_band":{`) {
				t.Errorf("%s: text or JSON lacks the band:\n%s", mode, out.String())
			}
			continue
		}
		want := map[string]string{"prefill": "a prefill pool's input tokens/s per chip", "decode": "a decode pool's output tokens/s per chip",
			"disagg": "a disaggregated deployment's output tokens/s, per decode chip or per chip over both pools"}[mode]
		if e.Scored.Runs != 79 || e.Scored.Select.Method != "offline" {
			t.Fatalf("%s: regime %s of %d runs (method %q), want NVIDIA dense serving's 79 offline runs", mode, e.Scored.ID, e.Scored.Runs, e.Scored.Select.Method)
		}
		if b != nil || note != "No measured band: the 79 runs scored above are colocated offline benchmarks, and none measures "+want {
			t.Errorf("%s: band %+v, note %q; want none, and a note naming %q", mode, b, note, want)
		}
		if strings.Contains(out.String(), "Measured where") || !strings.Contains(out.String(), "\n  "+note+"\n") ||
			strings.Contains(string(js), `"measured_band":`) || !strings.Contains(string(js), `"measured_band_note":"No measured band: `) {
			t.Errorf("%s: text or JSON shows a band or lacks the note:\n%s", mode, out.String())
		}
	}
	r := NewServeRequest()
	r.Chip, r.Chips, r.Framework, r.Model, r.Parallel.EP = "ascend-910c", 160, "cloudmatrix-infer", "deepseek-v3", 320
	r.Precision, r.Mode, r.Workload, r.SLO.TPOT = "int8", "decode", ServeWorkload{Input: 4096, Output: 256}, 0.05
	s, err := r.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Serve(s)
	if err != nil || e.Scored == nil || e.Scored.Runs >= catalog.MinBandRuns {
		t.Fatalf("CloudMatrix 384 decode: %v, regime %+v: want one of fewer than %d runs", err, e.Scored, catalog.MinBandRuns)
	}
	if e.MeasuredBand != nil {
		t.Errorf("a band %+v from %d runs", e.MeasuredBand, e.Scored.Runs)
	}
}

// An offline simulation of one pool (every request queued at once, as the
// benchmarks of its offline regime run) carries the band around its
// output tokens/s per chip; the same pool under Poisson arrivals, whose
// throughput is the offered rate, none.
func TestSimulateBand(t *testing.T) {
	cat := testCatalog(t)
	for _, arrival := range []string{"offline", "poisson"} {
		r := NewSimulateRequest()
		r.Model, r.Chip, r.Chips, r.Parallel.TP, r.Precision = "llama3.1-70b", "h100-sxm", 2, 2, "fp8"
		r.Workload.Arrival, r.Workload.Requests, r.Workload.Rate = arrival, 400, 2
		if arrival == "offline" {
			r.Workload.Rate = 0 // every request at time 0: no rate (a rate beside it is refused)
		}
		s, err := r.Setup(cat, nil)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := Simulate(s, SimulateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pt, sc := sim.Points[0], sim.Pools[0].Scored
		if arrival == "poisson" {
			if pt.MeasuredBand != nil {
				t.Errorf("a band %+v under Poisson arrivals", pt.MeasuredBand)
			}
			continue
		}
		rate := pt.Throughput.OutputTokensPerSPerChip
		b := pt.MeasuredBand
		if sc == nil || b == nil {
			t.Fatalf("regime %v, band %v", sc, b)
		}
		if lo, hi, _ := sc.Band(rate); math.Abs(b.Low-lo) > 1e-9 || math.Abs(b.High-hi) > 1e-9 {
			t.Fatalf("offline band %+v around %g, regime %+v", b, rate, sc)
		}
		if v := sim.View(false); v.MeasuredBand != b {
			t.Errorf("the API view's band %+v, want %+v", v.MeasuredBand, b)
		}
		var out strings.Builder
		if err := sim.WriteText(&out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), b.text("output tokens/s per chip")) {
			t.Errorf("text lacks the band:\n%s", out.String())
		}
	}
}
