package training

import (
	"math"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/parallel"
	"chipgap/units"
)

// 1F1B: stage i holds PP−i micro-batches at its peak (Narayanan et al.
// 2021 §2.2), never more than the step has. Interleaved (Megatron-LM's
// schedule): rank i warms up (PP−i−1)·2 + (VPP−1)·PP chunks and holds one
// more, each 1/VPP of its layers: PP 4, VPP 2 → stage 0 11/2, stage 3 5/2.
func TestInflightPerStage(t *testing.T) {
	pl := parallel.Plan{PP: 4, VPP: 1}
	for i, want := range []float64{4, 3, 2, 1} {
		if got := inflight(pl, i, 16); got != want {
			t.Errorf("1F1B stage %d: %g in flight, want %g", i, got, want)
		}
	}
	if got := inflight(pl, 0, 2); got != 2 {
		t.Errorf("1F1B with 2 micro-batches: %g in flight, want 2", got)
	}
	pl.VPP = 2
	for i, want := range map[int]float64{0: 5.5, 3: 2.5} {
		if got := inflight(pl, i, 16); got != want {
			t.Errorf("interleaved stage %d: %g layer sets in flight, want %g", i, got, want)
		}
	}
}

// A stated uneven split and per-stage recompute list set each stage's
// activations: GPT 1.3B-like (4h GeLU, MHA, no fused attention), TP 1,
// s = 2048, b = 1: a layer keeps s·b·h·(34 + 5as/h) bytes (Korthikanti et
// al. 2022 eq. 1), a fully recomputed one its input 2sbh. Stages of 10
// and 14 layers on PP 2 with 8 micro-batches: stage 0 holds 2 micro-
// batches of (10 − r₀) kept layers, r₀ inputs and the embedding output
// (3sbh); stage 1 holds one of its 14 layers and the logits (2 + 4)·s·b·V (16-bit output, fp32 loss copy).
// Each adds the backward working set (one layer, two when recomputing).
func TestStatedStagesActivations(t *testing.T) {
	pr, err := newPrep(gpt13, testCluster(2), ideal(), Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
	if err != nil {
		t.Fatal(err)
	}
	s, h, a, V := 2048.0, 2048.0, 16.0, 51200.0
	layer := s * h * (34 + 5*a*s/h)
	input := 2 * s * h
	pl := parallel.Plan{TP: 1, PP: 2, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull,
		StageLayers: []int{10, 14}, RecomputeLayers: []int{4, 0}}
	if err := pl.Validate(pr.problem()); err != nil {
		t.Fatal(err)
	}
	st := pr.stages(pl, 1)
	ap := pr.actParts(pl)
	want0 := 2*(6*layer+4*input+3*s*h) + 2*layer
	want1 := 14*layer + layer + 6*s*V
	if got := ap.stage(st[0]); math.Abs(got/want0-1) > 1e-9 {
		t.Errorf("stage 0 activations %.5g, want %.5g", got, want0)
	}
	if got := ap.stage(st[1]); math.Abs(got/want1-1) > 1e-9 {
		t.Errorf("stage 1 activations %.5g, want %.5g", got, want1)
	}
	// The binding stage is the one needing more in all; recomputing more
	// of stage 0 can only lower its own need.
	m := pr.memory(pl)
	pl2 := pl
	pl2.RecomputeLayers = []int{10, 0}
	if m0, m2 := pr.stageMemory(pl, st[0]), pr.stageMemory(pl2, pr.stages(pl2, 1)[0]); m2.Activations >= m0.Activations {
		t.Errorf("recomputing all 10 layers of stage 0 keeps %v ≥ %v", m2.Activations, m0.Activations)
	}
	if m.Stage != 0 && m.Stage != 1 {
		t.Errorf("binding stage %d", m.Stage)
	}
}

// A refusal names the stage, every component and the largest one.
func TestNotFitNamesTheComponent(t *testing.T) {
	c := testCluster(2)
	c.Chip.HBM.Capacity = hardware.Fixed(4 * units.GB)
	pl := parallel.Plan{TP: 1, PP: 2, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	_, err := Estimate(gpt13, pl, c, ideal(), Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
	if err == nil {
		t.Fatal("a 1.3B model without recompute fits in 4 GB?")
	}
	for _, w := range []string{"pipeline stage 0", "weights", "activations", "the largest is"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}
