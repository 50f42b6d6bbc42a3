package runs

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"chipgap/catalog"
)

func ptr(x float64) *float64 { return &x }

func TestSummarize(t *testing.T) {
	rs := []Result{{ID: "a", Error: ptr(0.10)}, {ID: "b", Error: ptr(-0.30)}, {ID: "c", Error: ptr(0.02)}, {ID: "d", Reason: "no chip"}}
	s := Summarize(rs)
	// |errors| 0.10, 0.30, 0.02: mean 0.14, median 0.10, worst b.
	if s.Runs != 4 || s.Predicted != 3 || math.Abs(*s.MeanAbsError-0.14) > 1e-12 || *s.MedianAbsError != 0.10 || s.Worst != "b" || *s.WorstError != 0.30 {
		t.Errorf("Summarize = %+v", s)
	}
	s = Summarize(rs[:2]) // even count: median of 0.10 and 0.30
	if math.Abs(*s.MedianAbsError-0.20) > 1e-12 {
		t.Errorf("median of two = %g, want 0.20", *s.MedianAbsError)
	}
}

// With no run predicted there is no error to summarise: the error
// figures are null in JSON, not 0 (a perfect score), and no worst run.
func TestSummarizeNonePredicted(t *testing.T) {
	for _, rs := range [][]Result{nil, {{ID: "d", Reason: "no chip"}}} {
		b, err := json.Marshal(Summarize(rs))
		want := fmt.Sprintf(`{"runs":%d,"predicted":0,"mean_abs_error":null,"median_abs_error":null,"worst_error":null}`, len(rs))
		if err != nil || string(b) != want {
			t.Errorf("Summarize(%d runs, none predicted) = %s, %v; want %s", len(rs), b, err, want)
		}
	}
}

// A run on a chip the catalog lacks gets a reason naming the field
// (system.chip), at its stated plan and free; the others are still
// predicted: a chip chipgap does not know is a run it cannot predict,
// not a malformed file.
func TestValidateKeepsGoing(t *testing.T) {
	good := strings.Replace(oneRun, "sequence_parallel: true", "sequence_parallel: false", 1)
	bad := strings.Replace(good, "chip: a100-sxm4-80gb", "chip: z9000", 1)
	bad = strings.Replace(bad, "id: t1", "id: t2", 1)
	src := good + strings.SplitN(bad, "runs:\n", 2)[1]
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	rep := ValidateWith(cat, f, Options{Free: true})
	if rep.Results[0].Predicted == nil {
		t.Errorf("t1 not predicted: %s", rep.Results[0].Reason)
	}
	if r := rep.Results[1]; !strings.HasPrefix(r.Reason, `system.chip: unknown chip "z9000"`) || !strings.HasPrefix(r.FreeReason, `system.chip: unknown chip "z9000"`) {
		t.Errorf("t2 reasons %q, free %q; want both naming system.chip", r.Reason, r.FreeReason)
	}
	if rep.Results[1].Predicted != nil || !strings.Contains(rep.Results[1].Reason, "z9000") {
		t.Errorf("t2 = %+v; want no prediction and a reason naming the chip", rep.Results[1])
	}
	if rep.Summary.Runs != 2 || rep.Summary.Predicted != 1 {
		t.Errorf("summary = %+v", rep.Summary)
	}
}

// An fp8 run may state its scaling recipe (fp8_recipe, beyond the
// format): it reaches the job, so an MXFP8 run gathers its 16-bit weights
// and casts them each step (slower than the per-tensor reading of the
// same run, whose FP8 weights are gathered at 1 byte on a NeMo stack),
// and MXFP8 off Blackwell is refused, naming the field.
func TestFP8RecipeReachesTheJob(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	src := strings.NewReplacer("chip: a100-sxm4-80gb", "chip: b200", "software: megatron-lm", "software: nemo 25.11",
		"zero: 0", "zero: 1", "recompute: full", "recompute: none").Replace(oneRun)
	run := func(chip, recipe string) (Result, TrainingSetup) {
		s := strings.Replace(src, "precision: fp16", "precision: fp8\n    fp8_recipe: "+recipe, 1)
		s = strings.Replace(s, "chip: b200", "chip: "+chip, 1)
		f, err := Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := SetupTraining(cat, f.Runs[0])
		return Validate(cat, f).Results[0], st
	}
	mx, st := run("b200", "mxfp8")
	tw, _ := run("b200", "tensorwise")
	if st.Job.FP8Recipe != "mxfp8" || st.Profile.ID != "cuda-mcore" {
		t.Fatalf("setup: recipe %q on stack %s; want mxfp8 on cuda-mcore", st.Job.FP8Recipe, st.Profile.ID)
	}
	if mx.Predicted == nil || tw.Predicted == nil || !(*mx.Predicted < *tw.Predicted) {
		t.Errorf("mxfp8 %v, tensorwise %v tokens/s per chip (%s %s); want both predicted, mxfp8 slower", mx.Predicted, tw.Predicted, mx.Reason, tw.Reason)
	}
	if h, _ := run("h100-sxm", "mxfp8"); h.Predicted != nil || !strings.Contains(h.Reason, "fp8_recipe") || !strings.Contains(h.Reason, "Blackwell") {
		t.Errorf("mxfp8 on an H100: predicted %v, reason %q; want refused naming fp8_recipe and Blackwell", h.Predicted, h.Reason)
	}
}
