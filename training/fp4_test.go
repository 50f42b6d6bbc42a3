package training

import (
	"errors"
	"math"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/parallel"
	"chipgap/units"
)

// fp4Cluster is a Blackwell-like test chip with FP8 and FP4 peaks.
func fp4Cluster(n int) hardware.Cluster {
	c := testCluster(n)
	c.Chip.Architecture = "Blackwell"
	c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	c.Chip.Peak[hardware.FP4] = hardware.Fixed(1248 * units.TFLOPS)
	return c
}

// An FP4 job runs its linear GEMMs at the FP4 peak times the stack's FP4
// ceiling for the family (the 16-bit family scale not applied, the chip's
// own scale applied), and keeps the attention core and the output layer at
// 16-bit: with a ceiling of 0.5 on a chip whose FP4 peak is twice its FP8
// peak, a big GEMM takes the time an FP8 GEMM takes at ceiling 1.
func TestFP4Rates(t *testing.T) {
	c := fp4Cluster(1)
	prof := ideal()
	prof.FamilyMatmul = map[string]Param{"blackwell": p(0.9)}
	prof.FamilyFP4 = map[string]Param{"blackwell": p(0.5)}
	f4, err := newPrep(gpt13, c, prof, Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.FP4})
	if err != nil {
		t.Fatal(err)
	}
	if f4.matMax != 0.5 || f4.peak != 1248e12 {
		t.Errorf("FP4 ceiling %g at peak %g; want 0.5 at 1.248e15", f4.matMax, f4.peak)
	}
	if got, want := f4.gemm16Time(1e15, 0), 1e15/(312e12*0.9); math.Abs(got/want-1) > 1e-12 {
		t.Errorf("16-bit GEMM under FP4: %g s, want %g s (the BF16 peak at the family's 16-bit scale)", got, want)
	}
	prof.FamilyMatmul = nil
	f8, err := newPrep(gpt13, c, prof, Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.FP8})
	if err != nil {
		t.Fatal(err)
	}
	f := 2 * 8192.0 * 8192 * 8192
	if got := f4.gemmTime(f, 0) / f8.gemmTime(f, 0); math.Abs(got-1) > 1e-12 {
		t.Errorf("fp4 at ceiling 0.5 over fp8 at ceiling 1: GEMM time ratio %g, want 1", got)
	}
	prof.ChipTensor = map[string]Param{"test": p(0.8)}
	scaled, err := newPrep(gpt13, c, prof, Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.FP4})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(scaled.matMax-0.4) > 1e-12 {
		t.Errorf("FP4 ceiling with the chip scale 0.8: %g, want 0.4", scaled.matMax)
	}
}

// Priced end to end, an FP4 job equals an MXFP8 job whose FP8 ceiling
// gives the same GEMM rate (both keep one-byte quantised inputs for the
// backward and gather 16-bit weights) wherever the GEMMs are compute
// bound, and its MFU is over the FP4 peak: half the MXFP8 job's here.
func TestFP4PricedAsTheEqualRateFP8Job(t *testing.T) {
	c := fp4Cluster(8)
	prof := ideal()
	prof.FamilyFP4 = map[string]Param{"blackwell": p(0.4)}
	prof.FP8Max = p(0.8)
	pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone, ZeRO: 1}
	r4, err := Estimate(gpt13, pl, c, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.FP4})
	if err != nil {
		t.Fatal(err)
	}
	r8, err := Estimate(gpt13, pl, c, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.FP8, FP8Recipe: FP8MX})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(r4.StepTime)/float64(r8.StepTime)-1) > 1e-9 || r4.Memory.Activations != r8.Memory.Activations {
		t.Errorf("FP4 step %v, activations %v; MXFP8 at the same GEMM rate %v, %v: want equal", r4.StepTime, r4.Memory.Activations, r8.StepTime, r8.Memory.Activations)
	}
	if r4.FP4Ceiling != 0.4 || r8.FP4Ceiling != 0 {
		t.Errorf("FP4Ceiling %g (fp4), %g (fp8); want 0.4 and 0", r4.FP4Ceiling, r8.FP4Ceiling)
	}
	if math.Abs(r4.MFU/r8.MFU-0.5) > 1e-9 {
		t.Errorf("MFU %g (fp4) and %g (fp8): want the ratio of their peaks, 0.5", r4.MFU, r8.MFU)
	}
}

// FP4 is refused, naming precision, on a chip without FP4 units and on a
// stack with no FP4 rate measured for the chip's family.
func TestFP4Refusals(t *testing.T) {
	hopper := testCluster(8)
	hopper.Chip.Architecture = "Hopper (GH100)"
	hopper.Chip.Peak[hardware.FP8] = hardware.Fixed(1979 * units.TFLOPS)
	prof := ideal()
	prof.FamilyFP4 = map[string]Param{"cdna": p(0.3)}
	noArch := fp4Cluster(8)
	noArch.Chip.Architecture = ""
	for _, tc := range []struct {
		c    hardware.Cluster
		want string
	}{
		{hopper, "chip test has no fp4 matrix units"},
		{fp4Cluster(8), "stack ideal has no measured FP4 training rate for chip test (family: blackwell; measured for: cdna)"},
		{noArch, "for chip test (family: none named in the catalog; measured for: cdna)"},
	} {
		_, err := newPrep(gpt13, tc.c, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.FP4})
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != "precision" || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want an input error on precision with %q", tc.c.Chip.Architecture, err, tc.want)
		}
	}
	_, err := newPrep(gpt13, fp4Cluster(8), prof, Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.INT8})
	if err == nil || !strings.Contains(err.Error(), "want bf16, fp16, fp8 or fp4") {
		t.Errorf("int8 training: error %v; want the list of training precisions", err)
	}
}
