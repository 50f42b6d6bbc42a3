package calc

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/uncertain"
	"chipgap/units"
)

// nearEnd is the reason every sampled band gives in uncertain's words.
const nearEnd = "some typical values sit near an end of their ranges"

// serveOn is the best point of 8 chips serving Llama 3.1 70B, 2048 in
// and 512 out under a 40 ms TPOT, with its range.
func serveOn(t *testing.T, cat *catalog.Catalog, chip string) ServeEstimate {
	t.Helper()
	r := NewServeRequest()
	r.Chip, r.Chips, r.Model, r.Workload, r.SLO.TPOT = chip, 8, "llama3.1-70b", ServeWorkload{Input: 2048, Output: 512}, 0.04
	s, err := r.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Serve(s)
	if err != nil || e.Best == nil || e.BestLow == nil || e.BestHigh == nil {
		t.Fatalf("%s: %v, best %v", chip, err, e.Best)
	}
	return e
}

// A serving estimate at typical values outside its own P10–P90 says so in
// the text and the JSON, and one inside says nothing: the MI300X's 178
// output tokens/s per chip lie below its 194–301 (ROCm's matmul_eff 0.2
// in [0.18, 0.5]), the 910C's 183 above its 108–182 (HBM bandwidth 3.2
// in [1.8, 3.5]), the H100's 352 inside its 340–360. Neither the value
// nor the band is moved.
func TestServeTypicalOutsideItsRange(t *testing.T) {
	cat := testCatalog(t)
	for _, c := range []struct{ chip, side string }{{"mi300x", "below"}, {"ascend-910c", "above"}, {"h100-sxm", ""}} {
		e := serveOn(t, cat, c.chip)
		rate, lo, hi := e.Best.OutputPerChip, *e.BestLow, *e.BestHigh
		if got := map[bool]string{true: "below", false: ""}[rate < lo] + map[bool]string{true: "above", false: ""}[rate > hi]; got != c.side {
			t.Fatalf("%s: %.1f beside %.1f–%.1f is %q, want %q (the case this test stands on moved)", c.chip, rate, lo, hi, got, c.side)
		}
		var out strings.Builder
		writeBest(&out, e)
		js, _ := json.Marshal(e)
		band := fmt.Sprintf("(range %.0f–%.0f p10–p90 over the chip's and the stack's ranges", lo, hi)
		if c.side == "" {
			if e.BestRangeNote != "" || strings.Contains(out.String(), "typical values lies") || strings.Contains(string(js), "best_range_note") {
				t.Errorf("%s: inside its range, yet a note %q:\n%s", c.chip, e.BestRangeNote, out.String())
			}
			continue
		}
		text := band + "; the estimate at typical values lies " + c.side + " it: " + nearEnd + ")"
		note := "the estimate at typical values lies " + c.side + " best_low–best_high: " + nearEnd
		if !strings.Contains(out.String(), text) || e.BestRangeNote != note || !strings.Contains(string(js), `"best_range_note":"`+note+`"`) {
			t.Errorf("%s: want %q in the text and %q in the JSON; got note %q:\n%s", c.chip, text, note, e.BestRangeNote, out.String())
		}
	}
	// The comparison table marks the row and says why once.
	var out strings.Builder
	if err := WriteServeComparison(&out, []ServeEstimate{serveOn(t, cat, "mi300x"), serveOn(t, cat, "h100-sxm")}); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Count(s, "(typical below)") != 1 || !strings.Contains(s, "typical below/above: the estimate at typical values lies outside it: "+nearEnd) {
		t.Errorf("comparison:\n%s", s)
	}
}

// run's closed form at typical values beside the P10–P90 of the closed
// form over draws of the input ranges: 4,096 H100 at an assumed 40 % MFU
// on 15T tokens (the failure rates' skewed intervals: 47.0 days beside a
// P10 of 48.3) says so in the text and input_range.note; a side whose
// draws hold it, by hand (draws 40, 45, ..., 60 days around 50), says
// nothing.
func TestRunClosedFormOutsideItsRanges(t *testing.T) {
	cat := testCatalog(t)
	s, err := RunRequest{Model: "llama3.1-70b", Chip: "h100-sxm", Chips: 4096, Tokens: 15e12, MFU: 0.4, Seeds: 3}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, RunOptions{MFUFrom: "test", Checks: true})
	if err != nil {
		t.Fatal(err)
	}
	a := res.A
	cf, r := (a.Result.Closed.Port + a.Result.Closed.Wall).Days(), a.Ranges()
	if !(cf < float64(r.TotalDays.P10)) {
		t.Fatalf("closed form %.2f days beside P10 %.2f: want it below (the case this test stands on moved)", cf, float64(r.TotalDays.P10))
	}
	want := fmt.Sprintf("P90 %.1f days (the closed form at typical values, %.1f days, lies below that P10–P90: %s);", float64(r.TotalDays.P90), cf, nearEnd)
	var js struct {
		InputRange struct{ Note string } `json:"input_range"`
	}
	if b, err := json.Marshal(a); err != nil || json.Unmarshal(b, &js) != nil {
		t.Fatal(err)
	}
	note := "the closed form at typical values lies below total_days' P10–P90: " + nearEnd
	if !strings.Contains(a.rangeLine(), want) || r.Note != note || js.InputRange.Note != note {
		t.Errorf("range line %q, note %q (JSON %q): want %q and %q", a.rangeLine(), r.Note, js.InputRange.Note, want, note)
	}
	in := RunSide{Job: goodput.Job{Work: units.Day}, Result: goodput.Result{Closed: goodput.Estimate{Times: goodput.Times{Wall: 50 * units.Day}}}}
	for _, d := range []units.Seconds{40, 45, 50, 55, 60} {
		in.Samples = append(in.Samples, goodput.Estimate{Times: goodput.Times{Wall: d * units.Day}})
	}
	if r := in.Ranges(); r.Note != "" || strings.Contains(in.rangeLine(), "lies") {
		t.Errorf("50 days beside draws of 40–60: note %q, line %q", r.Note, in.rangeLine())
	}
}

// train's corners are no draws, but its MFU at typical values can lie
// outside them: MFU is a share of the peak the corners move too. 256
// 910B on Llama 3.1 70B at TP 8 PP 4: 37.5 % beside 36.9 % (low corner)
// and 34.4 % (high); its tokens/s lie between the corners, and the H100's
// figures all do (sequence parallelism stated off: unstated, it is
// searched, and with it on the case moves).
func TestTrainTypicalOutsideCorners(t *testing.T) {
	cat := testCatalog(t)
	off := false
	for _, c := range []struct {
		chip string
		mfu  bool
	}{{"ascend-910b", true}, {"h100-sxm", false}} {
		s, err := TrainRequest{Model: "llama3.1-70b", Chip: c.chip, Chips: 256, Tokens: 1e12, Plan: PlanRequest{TP: 8, PP: 4, SequenceParallel: &off}}.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		e, err := Train(s)
		if err != nil || e.Ranges == nil || e.Ranges.Low == nil || e.Ranges.High == nil {
			t.Fatalf("%s: %v, ranges %+v", c.chip, err, e.Ranges)
		}
		lo, hi, typ := e.Ranges.Low.MFU, e.Ranges.High.MFU, e.MFU
		if above := typ > max(lo, hi); above != c.mfu {
			t.Fatalf("%s: MFU %.4f beside corners %.4f, %.4f: above both %v, want %v (the case this test stands on moved)", c.chip, typ, lo, hi, above, c.mfu)
		}
		want := map[string]string(nil)
		if c.mfu {
			want = map[string]string{"mfu": "the estimate at typical values lies above the span of the low and high corners: MFU is a share of the peak, which the corners move with the other rates"}
		}
		if fmt.Sprint(e.Ranges.Notes) != fmt.Sprint(want) {
			t.Errorf("%s: notes %v, want %v", c.chip, e.Ranges.Notes, want)
		}
	}
}

// fab marks a row whose typical value lies outside its P10–P90, says why
// once, and names it in typical_outside; by hand: a die yield of 40 %
// beside 41–45 %, the rest inside.
func TestFabTypicalOutside(t *testing.T) {
	r := &FabReport{Case: &catalog.FabCase{ChipID: "x"}, Trials: 10, Seed: 1,
		Typical: map[string]float64{catalog.OutDieYield: 0.40, catalog.OutDiesPerWafer: 75},
		Ranges:  map[string]uncertain.Summary{catalog.OutDieYield: {P10: 0.41, P90: 0.45}, catalog.OutDiesPerWafer: {P10: 74, P90: 76}}}
	r.placeTypical()
	want := map[string]string{catalog.OutDieYield: "the typical value lies below its P10–P90: " + nearEnd}
	if fmt.Sprint(r.Outside) != fmt.Sprint(want) {
		t.Errorf("typical_outside %v, want %v", r.Outside, want)
	}
	var out strings.Builder
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "41.0 % – 45.0 %  (typical below)") || strings.Count(s, "(typical") != 1 ||
		!strings.Contains(s, "typical below/above: the typical value lies outside its P10–P90: "+nearEnd+".") {
		t.Errorf("fab text:\n%s", s)
	}
}

// The note is decided once, where the figure and its band are computed,
// and carried on the result: the text words the result's decision, as
// its JSON note does, rather than deciding again. A result made to carry
// a decision its numbers would not give (by hand: an "above" with a
// reason of its own beside a figure inside its band; none beside one
// outside) prints that decision and nothing else.
func TestTypicalNoteOneSource(t *testing.T) {
	cat := testCatalog(t)
	const why = "a reason only the result carries"
	in, out := serveOn(t, cat, "h100-sxm"), serveOn(t, cat, "mi300x")
	if in.BestApart.Side != "" || out.BestApart != (uncertain.Apart{Side: uncertain.Below, Why: nearEnd}) ||
		out.BestRangeNote != out.BestApart.Note(typicalEstimate, "best_low–best_high") {
		t.Fatalf("carried: h100 %+v, mi300x %+v (JSON %q)", in.BestApart, out.BestApart, out.BestRangeNote)
	}
	in.BestApart, out.BestApart = uncertain.Apart{Side: uncertain.Above, Why: why}, uncertain.Apart{}
	var text strings.Builder
	writeBest(&text, in)
	writeBest(&text, out)
	if s := text.String(); strings.Count(s, "typical values lies") != 1 || !strings.Contains(s, "; the estimate at typical values lies above it: "+why+")") {
		t.Errorf("serve text does not word the carried decision:\n%s", s)
	}
	var cmp strings.Builder
	if err := WriteServeComparison(&cmp, []ServeEstimate{in, out}); err != nil {
		t.Fatal(err)
	}
	if s := cmp.String(); strings.Count(s, "(typical") != 1 || !strings.Contains(s, "(typical above)") ||
		!strings.Contains(s, "typical below/above: the estimate at typical values lies outside it: "+why+"\n") {
		t.Errorf("comparison does not word the carried decision:\n%s", s)
	}
	// fab: die yield 43 % inside 41–45 %, carried as above.
	r := &FabReport{Case: &catalog.FabCase{ChipID: "x"}, Trials: 10, Seed: 1,
		Typical: map[string]float64{catalog.OutDieYield: 0.43},
		Ranges:  map[string]uncertain.Summary{catalog.OutDieYield: {P10: 0.41, P90: 0.45}},
		Apart:   map[string]uncertain.Apart{catalog.OutDieYield: {Side: uncertain.Above, Why: why}}}
	var fab strings.Builder
	if err := r.WriteText(&fab); err != nil {
		t.Fatal(err)
	}
	if s := fab.String(); !strings.Contains(s, "41.0 % – 45.0 %  (typical above)") ||
		!strings.Contains(s, "typical below/above: the typical value lies outside its P10–P90: "+why+".") {
		t.Errorf("fab text does not word the carried decision:\n%s", s)
	}
}
