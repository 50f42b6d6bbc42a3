package training

import (
	"math"
	"testing"

	"chipgap/parallel"
)

// The search asks Allows of every candidate and Estimate asks Supports of
// the plan it is given: the two must rule out the same plans. Each limit
// of the profile is switched off in turn and every combination of the
// plan fields those limits read is checked against both.
func TestAllowsAgreesWithSupports(t *testing.T) {
	limits := []func(*Profile){
		func(*Profile) {},
		func(pr *Profile) { pr.MaxZeRO = p(1) },
		func(pr *Profile) { pr.ShardingExcludesPP = p(1) },
		func(pr *Profile) { pr.SelectiveRecompute = p(0) },
		func(pr *Profile) { pr.MoERecompute = p(0) },
		func(pr *Profile) { pr.SequenceParallel = p(0) },
		func(pr *Profile) { pr.AlwaysRecompute = p(1) },
		func(pr *Profile) { pr.Interleaved = p(0) },
		func(pr *Profile) { pr.ContextParallel = p(0) },
		func(pr *Profile) { pr.MoEDenseDispatch = p(1) },
		func(pr *Profile) { pr.MoEFold = p(0) },
	}
	refused := make([]int, len(limits))
	for i, limit := range limits {
		prof := ideal()
		prof.MoERecompute = p(1)
		limit(&prof)
		for _, pl := range supportCases() {
			err := prof.Supports(pl)
			if got := prof.Allows(pl); got != (err == nil) {
				t.Fatalf("limit %d, %+v: Allows = %v, Supports = %v", i, pl, got, err)
			}
			if err != nil {
				refused[i]++
			}
		}
	}
	if refused[0] != 0 {
		t.Errorf("the unrestricted profile refused %d plans", refused[0])
	}
	for i := 1; i < len(limits); i++ {
		if refused[i] == 0 {
			t.Errorf("limit %d refused no plan: the check does not reach it", i)
		}
	}
}

// supportCases is every combination of the plan fields the stack's limits
// read: recompute, ZeRO stage, pipelining, interleaving, context
// parallelism, expert TP and sequence parallelism (TP 2, EP 2).
func supportCases() []parallel.Plan {
	recomputes := []parallel.Recompute{parallel.RecomputeNone, parallel.RecomputeSelective, parallel.RecomputeFull, parallel.RecomputeMoE}
	var out []parallel.Plan
	for n := range 4 * 4 * 2 * 2 * 2 * 3 * 2 {
		k := n
		next := func(radix int) int { d := k % radix; k /= radix; return d }
		pl := parallel.Plan{TP: 2, DP: 1, EP: 2, Microbatch: 1, Recompute: recomputes[next(4)], ZeRO: next(4)}
		pl.PP, pl.VPP, pl.CP = 1+next(2), 1+next(2), 1+next(2)
		pl.ETP, pl.SequenceParallel = next(3), next(2) == 1
		out = append(out, pl)
	}
	return out
}

// TestScaledEfficiency: the kernel efficiencies scale by the multiplier
// under their caps (0.98 of peak for GEMMs, all of the HBM bandwidth),
// the rest of the profile and p itself unchanged.
func TestScaledEfficiency(t *testing.T) {
	prof := ideal()
	prof.MatmulMax, prof.FP8Max, prof.MemoryEff, prof.ScaleUpEff = p(0.6), p(0.5), p(0.9), p(0.7)
	for _, c := range []struct{ f, mm, fp8, mem float64 }{{1, 0.6, 0.5, 0.9}, {0.5, 0.3, 0.25, 0.45}, {1.5, 0.9, 0.75, 1}, {2, 0.98, 0.98, 1}} {
		got := prof.ScaledEfficiency(c.f)
		for _, q := range []struct {
			name      string
			got, want float64
		}{{"matmul_max", got.MatmulMax.Value, c.mm}, {"fp8_max", got.FP8Max.Value, c.fp8}, {"memory_eff", got.MemoryEff.Value, c.mem}, {"scale_up_eff", got.ScaleUpEff.Value, 0.7}} {
			if math.Abs(q.got-q.want) > 1e-12 {
				t.Errorf("× %g: %s %g, want %g", c.f, q.name, q.got, q.want)
			}
		}
	}
	if prof.MatmulMax.Value != 0.6 {
		t.Errorf("p's matmul_max changed to %g", prof.MatmulMax.Value)
	}
}
