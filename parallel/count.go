package parallel

// CountPlans is the valid plans Each yields over every shape Shapes
// finds for prob: the plans one pass of a search estimates, counted
// without enumerating them (a 131,072-device DeepSeek-V3 search yields
// 5 million; Each's walk alone takes about a second). It is the one
// count of a search's plans: a server's admission (calc's
// TrainSetup.CountPlans) and a sweep's budget (sweep.SearchPlans) ask
// it, over the space the search tries (training.SearchSpace: the stack's
// restrictions applied).
//
// Plan.Valid's rules on a shape's other degrees fall into independent
// groups: the expert layout (ep, etp), the schedule (vpp, micro-batch,
// sequence parallelism), the recompute policy and the ZeRO stage. So a
// shape's valid plans are the product of each group's valid choices,
// every group checked by Plan.Valid with the others at the shape's base
// plan, which Shapes found valid. The choices are those Each tries
// (TestCountPlansCountsEach checks the count against its walk).
func (s Space) CountPlans(prob Problem) int {
	shapes, _ := s.Shapes(prob)
	n := 0
	for _, sh := range shapes {
		n += s.shapePlans(prob, sh)
	}
	return n
}

// shapePlans is CountPlans of one shape.
func (s Space) shapePlans(prob Problem, sh Shape) int {
	base := Plan{TP: sh.TP, PP: sh.PP, DP: sh.DP, CP: sh.CP, EP: 1, VPP: 1, Microbatch: 1, Recompute: RecomputeFull,
		StageLayers: s.StageLayers, RecomputeLayers: s.RecomputeLayers}
	valid := func(set func(*Plan)) int {
		p := base
		set(&p)
		if p.Valid(prob) {
			return 1
		}
		return 0
	}
	c := s.choices(prob, sh)
	experts := 0
	for _, ep := range c.eps {
		for _, etp := range c.etps {
			experts += valid(func(p *Plan) { p.EP, p.ETP = ep, etp })
		}
	}
	schedules := 0
	for _, v := range c.vpps {
		for _, mb := range c.mbs {
			for _, sp := range c.sps {
				if spv, ok := s.seqParallel(sh, sp); ok {
					schedules += valid(func(p *Plan) { p.VPP, p.Microbatch, p.SequenceParallel = v, mb, spv })
				}
			}
		}
	}
	policies := 0
	for _, rc := range c.rcs {
		if !skipped(prob, c.rcs, rc) {
			policies += valid(func(p *Plan) { p.Recompute = rc })
		}
	}
	stages := 0
	for _, z := range c.zeros {
		stages += valid(func(p *Plan) { p.ZeRO = z })
	}
	return experts * schedules * policies * stages
}
