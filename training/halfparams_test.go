package training

import (
	"errors"
	"math"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/parallel"
	"chipgap/units"
)

// fp32Stack is ideal() with MindFormers' parameter layout: fp32
// parameters and gradients, AdamW's two fp32 moments (8 bytes), and
// 16-bit parameters offered where fp32 ones do not fit.
func fp32Stack(half float64) Profile {
	prof := ideal()
	prof.WeightBytes, prof.GradBytes, prof.OptimizerBytes = p(4), p(4), p(8)
	prof.HalfParams = p(half)
	prof.MemoryReserved = p(0)
	return prof
}

// GPT 1.3B-like on one device holds P = 24·12h² + V·h parameters (tied
// embeddings): 1.3128e9. fp32 parameters, gradients and moments take
// (4 + 4 + 8)·P = 21.0 GB, more than a 19 GB device; 16-bit parameters and
// gradients with fp32 moments take (2 + 2 + 8)·P = 15.75 GB, which fits.
func TestHalfParamsOnlyWhereFP32DoesNotFit(t *testing.T) {
	h, V := 2048.0, 51200.0
	P := 24*12*h*h + V*h
	job := Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16}
	pl := plan1(parallel.RecomputeFull)
	small := testCluster(1)
	small.Chip.HBM.Capacity = hardware.Fixed(19 * units.GB)

	r, err := Estimate(gpt13, pl, small, fp32Stack(1), job)
	if err != nil {
		t.Fatalf("16-bit parameters fit 19 GB: %v", err)
	}
	if !r.Plan.HalfParams || !strings.Contains(r.PlanText, "params=16-bit") {
		t.Errorf("plan %q: want 16-bit parameters", r.PlanText)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"weights", float64(r.Memory.Weights), 2 * P}, {"gradients", float64(r.Memory.Grads), 2 * P}, {"optimizer", float64(r.Memory.Optimizer), 8 * P}} {
		if math.Abs(c.got/c.want-1) > 1e-9 {
			t.Errorf("%s %.6g bytes, want %.6g", c.name, c.got, c.want)
		}
	}

	if _, err := Estimate(gpt13, pl, small, fp32Stack(0), job); !errors.Is(err, ErrDoesNotFit) {
		t.Errorf("fp32 only on 19 GB: err %v, want it not to fit", err)
	}

	big := testCluster(1)
	r, err = Estimate(gpt13, pl, big, fp32Stack(1), job)
	if err != nil {
		t.Fatal(err)
	}
	if r.Plan.HalfParams || math.Abs(float64(r.Memory.Weights)/(4*P)-1) > 1e-9 {
		t.Errorf("80 GB: plan %q, weights %v: want fp32 parameters (4·P = %.6g bytes)", r.PlanText, r.Memory.Weights, 4*P)
	}

	// A search keeps fp32 parameters while any plan fits with them, and
	// turns to 16-bit ones only when none does.
	for _, c := range []struct {
		cluster hardware.Cluster
		half    bool
	}{{big, false}, {small, true}} {
		res, err := Search(gpt13, c.cluster, fp32Stack(1), job, SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Top {
			if r.Plan.HalfParams != c.half {
				t.Errorf("%v device: plan %q, want 16-bit parameters %v", c.cluster.Chip.HBM.Capacity.Typ, r.PlanText, c.half)
			}
		}
		if !c.half {
			continue
		}
		// The second pass's estimates add to the first's, every one of
		// which was out of memory.
		fp32, err := Search(gpt13, c.cluster, fp32Stack(0), job, SearchOptions{})
		if !errors.Is(err, ErrNoPlan) || fp32.OutOfMemory != fp32.Evaluated {
			t.Fatalf("fp32 only on 19 GB: %d of %d plans out of memory, err %v; want all, ErrNoPlan", fp32.OutOfMemory, fp32.Evaluated, err)
		}
		// The refusal names the plan that misses by the least, its
		// shortfall (its memory over the device's) and the component that
		// overflows most, and no plan misses by less.
		cl := fp32.Closest
		capacity := units.Bytes(c.cluster.Chip.HBM.Capacity.Typ)
		if cl == nil || cl.Shortfall <= 0 || cl.Memory.Total-capacity != cl.Shortfall ||
			!strings.Contains(err.Error(), "the closest, ") || !strings.Contains(err.Error(), "short by") || !strings.Contains(err.Error(), "the largest is") {
			t.Fatalf("fp32 only on 19 GB: closest %+v, err %q; want the closest misfit named with its shortfall and largest component", cl, err)
		}
		for _, pl := range []parallel.Plan{{TP: 1, PP: 1, DP: 8, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 3}} {
			if r, err := Estimate(gpt13, pl, c.cluster, fp32Stack(0), job); err == nil {
				t.Errorf("plan %s fits (%v) where the search found none", pl, r.Memory.Total)
			} else if nf := (*NotFitError)(nil); errors.As(err, &nf) && nf.Shortfall < cl.Shortfall {
				t.Errorf("plan %s misses by %v, less than the closest %v", pl, nf.Shortfall, cl.Shortfall)
			}
		}
		if res.Evaluated != 2*fp32.Evaluated || res.Evaluated-res.OutOfMemory != len(res.Top)+res.Slower {
			t.Errorf("two passes: %d plans, %d out of memory, %d kept, %d slower; want %d plans, the fitting ones kept or slower",
				res.Evaluated, res.OutOfMemory, len(res.Top), res.Slower, 2*fp32.Evaluated)
		}
	}
}

// half_params needs fp32 parameters and gradients to halve.
func TestHalfParamsNeedsFP32(t *testing.T) {
	prof := ideal()
	for _, q := range prof.ParamRefs() {
		if q.P.Basis == "" {
			*q.P = p(0)
		}
	}
	if err := prof.Check(); err != nil {
		t.Fatalf("the complete ideal profile: %v", err)
	}
	prof.HalfParams = p(1)
	err := prof.Check()
	if err == nil || !strings.Contains(err.Error(), "half_params") {
		t.Errorf("half_params with 16-bit weights: err %v, want one naming half_params", err)
	}
}

// GPT 1.3B-like again with 16-bit parameters and gradients and Adam's
// fp32 master weights and moments (ideal(): 2 + 2 + 12 bytes per
// parameter, 21.0 GB on one device): with the moments in 16 bits the
// optimizer holds 4 + 2 + 2 = 8 bytes (2 + 2 + 8 = 15.75 GB in all), which
// fits 19 GB, and its update moves 34 − 8 = 26 bytes per parameter.
func TestHalfMomentsOnlyWhereFP32DoesNotFit(t *testing.T) {
	h, V := 2048.0, 51200.0
	P := 24*12*h*h + V*h
	job := Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16}
	pl := plan1(parallel.RecomputeFull)
	stack := func(half float64) Profile {
		prof := ideal()
		prof.HalfMoments = p(half)
		prof.MemoryReserved = p(0)
		return prof
	}
	small, big := testCluster(1), testCluster(1)
	small.Chip.HBM.Capacity = hardware.Fixed(19 * units.GB)

	half, err := Estimate(gpt13, pl, small, stack(1), job)
	if err != nil {
		t.Fatalf("16-bit moments fit 19 GB: %v", err)
	}
	if !half.Plan.HalfMoments || half.Plan.HalfParams || !strings.Contains(half.PlanText, "moments=16-bit") {
		t.Errorf("plan %q: want 16-bit moments", half.PlanText)
	}
	if got := float64(half.Memory.Optimizer); math.Abs(got/(8*P)-1) > 1e-9 {
		t.Errorf("optimizer %.6g bytes, want 8·P = %.6g", got, 8*P)
	}
	if _, err := Estimate(gpt13, pl, small, stack(0), job); !errors.Is(err, ErrDoesNotFit) {
		t.Errorf("fp32 moments only on 19 GB: err %v, want it not to fit", err)
	}
	full, err := Estimate(gpt13, pl, big, stack(1), job)
	if err != nil {
		t.Fatal(err)
	}
	if full.Plan.HalfMoments || math.Abs(float64(full.Memory.Optimizer)/(12*P)-1) > 1e-9 {
		t.Errorf("80 GB: plan %q, optimizer %v: want fp32 moments (12·P = %.6g bytes)", full.PlanText, full.Memory.Optimizer, 12*P)
	}
	if got := float64(half.Breakdown.Optimizer) / float64(full.Breakdown.Optimizer); math.Abs(got-26.0/34) > 1e-9 {
		t.Errorf("optimizer update 16-bit/fp32 moments = %.6g, want 26/34", got)
	}

	// A search takes 16-bit moments only when no plan fits without them.
	for _, c := range []struct {
		cluster hardware.Cluster
		half    bool
	}{{big, false}, {small, true}} {
		res, err := Search(gpt13, c.cluster, stack(1), job, SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Top {
			if r.Plan.HalfMoments != c.half {
				t.Errorf("%v device: plan %q, want 16-bit moments %v", c.cluster.Chip.HBM.Capacity.Typ, r.PlanText, c.half)
			}
		}
	}
}

// half_moments needs two fp32 moments to halve.
func TestHalfMomentsNeedsFP32Moments(t *testing.T) {
	prof := ideal()
	for _, q := range prof.ParamRefs() {
		if q.P.Basis == "" {
			*q.P = p(0)
		}
	}
	prof.HalfMoments = p(1)
	if err := prof.Check(); err != nil {
		t.Fatalf("12-byte optimizer with half_moments: %v", err)
	}
	prof.OptimizerBytes = p(4)
	if err := prof.Check(); err == nil || !strings.Contains(err.Error(), "half_moments") {
		t.Errorf("half_moments with 4-byte optimizer state: err %v, want one naming half_moments", err)
	}
}
