package calc

import (
	"math"
	"slices"
	"testing"

	"chipgap/parallel"
	"chipgap/sweep"
	"chipgap/training"
)

// TestPlanCountsAgree: the server's admission count (TrainSetup.
// CountPlans) and a sweep's budget count (sweep.SearchPlans) are the one
// count (parallel.Space.CountPlans) over the space the search tries
// (training.SearchSpace: the stack's restrictions, TP within a node),
// and both equal a brute-force count of every plan of a small job over
// each degree's whole range, kept where Plan.Valid takes it and the
// search tries it, and the plans Space.Each walks (what CountPlans
// walked before); a limit caps the admission count one past it.
func TestPlanCountsAgree(t *testing.T) {
	cat := testCatalog(t)
	one, on := 1, true
	for _, r := range []TrainRequest{
		{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 8, GlobalBatch: 32, Seq: 4096},
		{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 12, GlobalBatch: 24, Seq: 2048},
		{Model: "mixtral-8x7b", Chip: "h100-sxm", Chips: 8, GlobalBatch: 16, Seq: 4096},
		{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 8, GlobalBatch: 64, Seq: 4096, Plan: PlanRequest{TP: 2, SequenceParallel: &on}},
		{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 8, GlobalBatch: 64, Seq: 4096, Plan: PlanRequest{TP: 1, SequenceParallel: &on}},
		{Model: "mixtral-8x7b", Chip: "h100-sxm", Chips: 8, GlobalBatch: 32, Seq: 4096, Plan: PlanRequest{EP: 2, Recompute: "selective", ZeRO: &one}},
	} {
		st, err := r.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		prob, sp := training.SearchSpace(st.Model, st.Cluster, st.Profile, st.Job, st.Space)
		want := bruteForcePlans(prob, sp)
		walked := 0
		shapes, _ := sp.Shapes(prob)
		for _, sh := range shapes {
			sp.Each(prob, sh, func(parallel.Plan) bool { walked++; return true })
		}
		server, budget := st.CountPlans(math.MaxInt), sweep.SearchPlans(prob, sp)
		if want == 0 || server != want || budget != want || walked != want {
			t.Errorf("%s ×%d, batch %d, plan %+v: server %d, sweep %d, Each %d, brute force %d", r.Model, r.Chips, r.GlobalBatch, r.Plan, server, budget, walked, want)
		}
		if got := st.CountPlans(want - 1); got != want {
			t.Errorf("%s: CountPlans(%d) = %d, want %d (over the limit)", r.Model, want-1, got, want)
		}
		if got := st.CountPlans(want / 2); got != want/2+1 {
			t.Errorf("%s: CountPlans(%d) = %d, want %d (one past the limit)", r.Model, want/2, got, want/2+1)
		}
	}
}

// TestCountPlansAfterTheStacksRestrictions: the admission count is of
// the plans the search tries, after the stack's restrictions, not of
// the stated space. Worked by hand: Llama 3.1 8B on 8 H100s, global
// batch 8, tp 2 and pp 2 stated, on cuda-megatron-deepspeed (ZeRO up to
// 1, no selective recompute, no sequence or context parallelism, no
// interleaving, recompute not forced): cp 1, so dp 8/(2·2) = 2 and a
// local batch of 4; microbatch 1, 2 or 4 × recompute none or full ×
// ZeRO 0 or 1 = 12 plans, every one the search estimates. The stated
// space alone (the count before) adds cp 2, selective recompute, ZeRO
// 2-3, sequence parallelism and interleaving: more.
func TestCountPlansAfterTheStacksRestrictions(t *testing.T) {
	st, err := TrainRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 8, GlobalBatch: 8, Seq: 4096, Stack: "cuda-megatron-deepspeed",
		Plan: PlanRequest{TP: 2, PP: 2}}.Setup(testCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	const want = 3 * 2 * 2
	if got := st.CountPlans(math.MaxInt); got != want {
		t.Errorf("CountPlans = %d, want %d (3 microbatches × 2 recompute policies × 2 ZeRO stages)", got, want)
	}
	prob := parallel.Problem{Model: st.Model, Devices: st.Devices(), GlobalBatch: st.Job.GlobalBatch, Seq: st.Job.Seq}
	if before := st.Space.CountPlans(prob); before <= want {
		t.Errorf("the stated space holds %d plans, want more than the %d the stack allows", before, want)
	}
	sr, err := Search(st, SearchOptions{Top: 1})
	if err != nil || sr.Evaluated != want {
		t.Errorf("the search estimated %d plans (%v), want the %d counted", sr.Evaluated, err, want)
	}
}

// bruteForcePlans counts the plans of prob's devices that Plan.Valid
// takes, each degree over its whole range, where the search tries them:
// the space's stated values; a free tp up to its MaxTP; etp 0 or 1 (a MoE model with tp > 1: experts
// split as attention or folded over the TP ranks), else 0; vpp 1 or one
// that shrinks the largest chunk ⌈L/(pp·v)⌉ up to DefaultMaxVPP; a
// dense model's policies none, selective and full; sp stated true at
// tp 1 is turned off.
func bruteForcePlans(prob parallel.Problem, sp parallel.Space) int {
	n, gb, layers := prob.Devices, prob.GlobalBatch, prob.Model.Layers
	in := func(stated, v int) bool { return stated == 0 || stated == v }
	ceil := func(a, b int) int { return (a + b - 1) / b }
	rcs := orAll(sp.Recompute, []parallel.Recompute{parallel.RecomputeNone, parallel.RecomputeSelective, parallel.RecomputeFull})
	zeros, sps := orAll(sp.ZeRO, []int{0, 1, 2, 3}), orAll(sp.SP, []bool{false, true})
	count := 0
	for tp := 1; tp <= n; tp++ {
		for pp := 1; pp <= n; pp++ {
			for cp := 1; cp <= n; cp++ {
				dp := n / (tp * pp * cp)
				if tp*pp*cp*dp != n || !in(sp.TP, tp) || sp.TP == 0 && sp.MaxTP > 0 && tp > sp.MaxTP || !in(sp.PP, pp) || !in(sp.CP, cp) || !in(sp.DP, dp) {
					continue
				}
				for ep := 1; ep <= n; ep++ {
					for etp := 0; etp <= max(1, sp.ETP); etp++ {
						if sp.ETP > 0 && etp != sp.ETP || sp.ETP == 0 && etp == 1 && (prob.Model.MoE == nil || tp == 1) || !in(sp.EP, ep) {
							continue
						}
						for v := 1; v <= max(parallel.DefaultMaxVPP, sp.VPP); v++ {
							if sp.VPP > 0 && v != sp.VPP || sp.VPP == 0 && v > 1 && (pp == 1 || ceil(layers, pp*v) == ceil(layers, pp*(v-1))) {
								continue
							}
							for mb := 1; mb <= gb; mb++ {
								if !in(sp.Microbatch, mb) {
									continue
								}
								for _, rc := range rcs {
									for _, z := range zeros {
										for _, s := range sps {
											if s && tp == 1 && len(sp.SP) == 1 {
												s = false
											}
											p := parallel.Plan{TP: tp, PP: pp, DP: dp, CP: cp, EP: ep, ETP: etp, VPP: v, Microbatch: mb, Recompute: rc, ZeRO: z, SequenceParallel: s}
											if p.Valid(prob) {
												count++
											}
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return count
}

// orAll is list, or def where list is empty.
func orAll[T any](list, def []T) []T {
	if len(list) == 0 {
		return slices.Clone(def)
	}
	return list
}
