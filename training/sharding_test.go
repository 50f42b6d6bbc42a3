package training

import (
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/parallel"
)

// A stack whose gradient and weight sharding excludes pipeline parallelism
// (Megatron-FSDP) refuses ZeRO 2–3 with PP > 1, naming the field, and its
// search never returns such a plan; ZeRO 1 with PP and ZeRO 3 without it
// stay allowed.
func TestShardingExcludesPP(t *testing.T) {
	prof := ideal()
	prof.ShardingExcludesPP = p(1)
	job := Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.BF16}
	c := testCluster(16)
	pl := parallel.Plan{TP: 1, PP: 2, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 2}
	_, err := Estimate(gpt13, pl, c, prof, job)
	if err == nil || !strings.Contains(err.Error(), "zero") || !strings.Contains(err.Error(), "pp 1") {
		t.Errorf("ZeRO 2 with PP 2: err %v, want a refusal naming zero and pp 1", err)
	}
	for _, ok := range []parallel.Plan{{TP: 1, PP: 2, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 1},
		{TP: 1, PP: 1, DP: 16, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 3}} {
		if _, err := Estimate(gpt13, ok, c, prof, job); err != nil {
			t.Errorf("plan %s: %v", ok, err)
		}
	}
	res, err := Search(gpt13, c, prof, job, SearchOptions{Top: 1000})
	if err != nil {
		t.Fatal(err)
	}
	sharded := 0
	for _, r := range res.Top {
		if r.Plan.ZeRO >= 2 && r.Plan.PP > 1 {
			t.Errorf("search kept %s", r.PlanText)
		}
		if r.Plan.ZeRO >= 2 {
			sharded++
		}
	}
	if sharded == 0 {
		t.Error("search kept no ZeRO 2-3 plan at all (they stay allowed without PP)")
	}
}
