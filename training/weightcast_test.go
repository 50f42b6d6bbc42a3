package training

import (
	"math"
	"testing"

	"chipgap/hardware"
	"chipgap/parallel"
	"chipgap/units"
)

// An FP8 job's weight casts (Profile.WeightCastBytes) cost once per step:
// WeightCastBytes per weight of the device's layers over the HBM
// bandwidth at memory_eff, whatever the micro-batch count (Transformer
// Engine caches the FP8 copies over a step's micro-batches). A GPT
// 1.3B-like layer's GEMMs hold 12h² weights (QKV 3h², projection h², MLP
// 8h²); its biases and norms are not quantised and the tied embedding
// runs in 16 bits, so they are left out. At 4 bytes over 2 TB/s that is
// 4 · 24 · 12h² / 2e12 s on one device, 2 bytes where the FP8 weights
// are gathered (only the transpose is made), and nothing in BF16.
func TestWeightCastOncePerStep(t *testing.T) {
	h := 2048.0
	layers := 24 * 12 * h * h
	c := testCluster(1)
	c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	c.Chip.HBM.Capacity = hardware.Fixed(1 * units.TB)
	optimizer := func(cast, gather float64, prec hardware.Precision, micro int) float64 {
		t.Helper()
		prof := ideal()
		prof.MemoryReserved = p(0)
		prof.WeightCastBytes = p(cast)
		prof.FP8ParamGather = p(gather)
		job := Job{Seq: 2048, GlobalBatch: micro, Precision: prec}
		r, err := Estimate(gpt13, plan1(parallel.RecomputeFull), c, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		return float64(r.Breakdown.Optimizer)
	}
	for _, tc := range []struct {
		name   string
		cast   float64
		gather float64
		prec   hardware.Precision
		bytes  float64
	}{
		{"fp8, 16-bit weights", 4, 0, hardware.FP8, 4},
		{"fp8, fp8 weights gathered", 4, 1, hardware.FP8, 2},
		{"bf16", 4, 0, hardware.BF16, 0},
	} {
		for _, micro := range []int{1, 4} {
			got := optimizer(tc.cast, tc.gather, tc.prec, micro) - optimizer(0, tc.gather, tc.prec, micro)
			want := tc.bytes * layers / 2e12
			if math.Abs(got-want) > 1e-9*math.Max(want, 1e-3) {
				t.Errorf("%s, %d micro-batches: casts add %.6g s, want %.6g s", tc.name, micro, got, want)
			}
		}
	}
}
