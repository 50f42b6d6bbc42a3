package training

import (
	"math"
	"testing"

	"chipgap/hardware"
	"chipgap/parallel"
)

// A stack that accumulates each micro-batch's weight gradients apart from
// their GEMMs (GradAccumBytes: MindSpeed's scripts run without Megatron's
// CUDA-only fused accumulation) streams those bytes over every weight on
// the device once per micro-batch. GPT 1.3B at TP 2: 24 layers of 12·h²
// weights and the tied V·h output layer, each split in two; 64 sequences
// over DP 4 at micro-batch 1 are 16 micro-batches; 10 bytes per weight at
// 2 TB/s. Without the pass the step is shorter by exactly that time (PP 1:
// no bubble for it to lengthen). With ZeRO 2 each micro-batch's 16-bit
// gradients are copied into the reduce-scatter buffer (4 bytes per local
// weight) and the pass adds the device's quarter (10 bytes on it).
func TestUnfusedGradAccumulation(t *testing.T) {
	pl := parallel.Plan{TP: 2, PP: 1, DP: 4, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: 1, Recompute: parallel.RecomputeNone}
	job := Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.BF16}
	h, L, V := 2048.0, 24.0, 51200.0
	want := 16 * 10 * (L*12*h*h/2 + V*h/2) / 2e12

	fused := ideal()
	unfused := ideal()
	unfused.GradAccumBytes = p(10)
	a, err := Estimate(gpt13, pl, testCluster(8), fused, job)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Estimate(gpt13, pl, testCluster(8), unfused, job)
	if err != nil {
		t.Fatal(err)
	}
	if a.Breakdown.GradAccum != 0 {
		t.Errorf("fused accumulation: grad_accum %v, want 0", a.Breakdown.GradAccum)
	}
	if got := float64(b.Breakdown.GradAccum); math.Abs(got/want-1) > 1e-9 {
		t.Errorf("unfused accumulation: %.6g s, want 16 × 10 B × %.4g weights / 2 TB/s = %.6g s", got, L*12*h*h/2+V*h/2, want)
	}
	if d := float64(b.Breakdown.Total() - a.Breakdown.Total()); math.Abs(d/want-1) > 1e-9 {
		t.Errorf("the step grows by %.6g s, want the accumulation's %.6g s", d, want)
	}
	pl.ZeRO = 2
	z, err := Estimate(gpt13, pl, testCluster(8), unfused, job)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := float64(z.Breakdown.GradAccum), want*(4+10.0/4)/10; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("ZeRO 2: %.6g s, want the copy and a quarter's add, %.6g s", got, want)
	}
	// Untied embeddings on one pipeline stage: the input embedding's
	// gradient (its backward's dense V·h tensor, added to the fp32 buffer
	// like any other) is accumulated beside the output layer's.
	pl.ZeRO = 1
	untied := gpt13
	untied.TiedEmbeddings = false
	u, err := Estimate(untied, pl, testCluster(8), unfused, job)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := float64(u.Breakdown.GradAccum), 16*10*(L*12*h*h/2+2*V*h/2)/2e12; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("untied: %.6g s, want the layers, the head and the embedding, %.6g s", got, want)
	}
}
