package training

import (
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
	}
	recomputes := []parallel.Recompute{parallel.RecomputeNone, parallel.RecomputeSelective, parallel.RecomputeFull, parallel.RecomputeMoE}
	refused := make([]int, len(limits))
	for i, limit := range limits {
		prof := ideal()
		prof.MoERecompute = p(1)
		limit(&prof)
		for _, rc := range recomputes {
			for z := 0; z <= 3; z++ {
				for _, pp := range []int{1, 2} {
					for _, v := range []int{1, 2} {
						for _, cp := range []int{1, 2} {
							for _, etp := range []int{0, 1, 2} {
								for _, sp := range []bool{false, true} {
									pl := parallel.Plan{TP: 2, PP: pp, DP: 1, CP: cp, EP: 2, ETP: etp, VPP: v, Microbatch: 1, Recompute: rc, ZeRO: z, SequenceParallel: sp}
									err := prof.Supports(pl)
									if got := prof.Allows(pl); got != (err == nil) {
										t.Fatalf("limit %d, %+v: Allows = %v, Supports = %v", i, pl, got, err)
									}
									if err != nil {
										refused[i]++
									}
								}
							}
						}
					}
				}
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
