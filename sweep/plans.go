package sweep

import (
	"cmp"

	"chipgap/parallel"
)

// SearchPlans is the valid plans one pass of training.Search estimates
// over space sp for prob: those parallel.Space.Each yields, counted
// without enumerating them (a 131,072-device DeepSeek-V3 search yields
// 5 million; Each's walk alone takes about a second). Plan.Valid's rules
// on a shape's other degrees fall into independent groups: the expert
// layout (ep, etp), the schedule (vpp, micro-batch, sequence
// parallelism), the recompute policy and the ZeRO stage. So a
// shape's valid plans are the product of each group's valid choices,
// every group checked by Plan.Valid with the others at the shape's base
// plan, which Space.Shapes found valid. The choices are those
// Space.Each tries (TestSearchPlansCountsEach checks the count against
// it). A search where no plan fits memory runs again with the stack's
// memory savings, up to three passes in all; SearchPlans counts one.
func SearchPlans(prob parallel.Problem, sp parallel.Space) int {
	shapes, _ := sp.Shapes(prob)
	n := 0
	for _, sh := range shapes {
		n += shapePlans(prob, sp, sh)
	}
	return n
}

// shapePlans is SearchPlans of one shape.
func shapePlans(prob parallel.Problem, sp parallel.Space, sh parallel.Shape) int {
	m := prob.Model
	base := parallel.Plan{TP: sh.TP, PP: sh.PP, DP: sh.DP, CP: sh.CP, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull,
		StageLayers: sp.StageLayers, RecomputeLayers: sp.RecomputeLayers}
	valid := func(set func(*parallel.Plan)) int {
		p := base
		set(&p)
		if p.Valid(prob) {
			return 1
		}
		return 0
	}
	// Expert layouts.
	eps, etps := []int{1}, []int{sp.ETP}
	if m.MoE != nil {
		eps = choose(sp.EP, parallel.Divisors(sh.TP*sh.DP*sh.CP))
		if sp.ETP == 0 && sh.TP > 1 {
			etps = []int{0, 1}
		}
	} else if sp.EP > 1 {
		eps = []int{sp.EP}
	}
	experts := 0
	for _, ep := range eps {
		for _, etp := range etps {
			experts += valid(func(p *parallel.Plan) { p.EP, p.ETP = ep, etp })
		}
	}
	// Schedules: a stated sp with tp 1 is turned off, a free one not tried.
	sps := sp.SP
	if len(sps) == 0 {
		sps = []bool{false, true}
	}
	if sh.TP == 1 {
		sps = []bool{false}
	}
	schedules := 0
	for _, v := range choose(sp.VPP, virtualStages(prob, sp, sh)) {
		for _, mb := range choose(sp.Microbatch, parallel.Divisors(base.LocalBatch(prob.GlobalBatch))) {
			for _, s := range sps {
				schedules += valid(func(p *parallel.Plan) { p.VPP, p.Microbatch, p.SequenceParallel = v, mb, s })
			}
		}
	}
	// Recompute policies (a dense model's search skips moe, unless it is
	// the only one stated) and ZeRO stages.
	rcs := sp.Recompute
	if len(rcs) == 0 {
		rcs = []parallel.Recompute{parallel.RecomputeNone, parallel.RecomputeSelective, parallel.RecomputeFull}
	}
	policies := 0
	for _, rc := range rcs {
		if rc == parallel.RecomputeMoE && m.MoE == nil && len(rcs) > 1 {
			continue
		}
		policies += valid(func(p *parallel.Plan) { p.Recompute = rc })
	}
	zeros := sp.ZeRO
	if len(zeros) == 0 {
		zeros = []int{0, 1, 2, 3}
	}
	stages := 0
	for _, z := range zeros {
		stages += valid(func(p *parallel.Plan) { p.ZeRO = z })
	}
	return experts * schedules * policies * stages
}

// virtualStages is the interleaving depths Space.Each tries on a shape:
// 1, and each depth up to the space's bound that shrinks the chunk of
// layers (⌈L/(PP·v)⌉), within Plan.Validate's bound on PP·v.
func virtualStages(prob parallel.Problem, sp parallel.Space, sh parallel.Shape) []int {
	vs := []int{1}
	if sh.PP == 1 {
		return vs
	}
	layers := prob.Model.Layers
	top := layers + 2 // the embedding and the loss may take a virtual stage each
	chunk := func(v int) int { return (layers + sh.PP*v - 1) / (sh.PP * v) }
	for v := 2; v <= cmp.Or(sp.MaxVPP, parallel.DefaultMaxVPP) && sh.PP*v <= top; v++ {
		if chunk(v) < chunk(v-1) {
			vs = append(vs, v)
		}
	}
	return vs
}

// choose is a fixed degree, or every option where it is free (0).
func choose(fixed int, all []int) []int {
	if fixed > 0 {
		return []int{fixed}
	}
	return all
}
