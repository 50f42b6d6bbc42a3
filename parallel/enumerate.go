package parallel

import (
	"cmp"
	"slices"
)

// Space is the set of plans a search considers. A zero degree is free (the
// search tries every value that divides what it splits); a non-zero one is
// fixed. Empty Recompute, ZeRO or SP lists mean every option.
type Space struct {
	TP, PP, DP, CP, EP, VPP, Microbatch int
	Recompute                           []Recompute
	ZeRO                                []int
	SP                                  []bool
	// MaxVPP bounds the virtual stages tried (0: DefaultMaxVPP).
	MaxVPP int
	// MaxTP bounds a free TP (0: no bound). Searches set it to the
	// scale-up domain: tensor parallelism across nodes is dominated by
	// its all-reduces (Narayanan et al. 2021, takeaway #1).
	MaxTP int
	// ETP fixes the expert tensor-parallel degree (0: free: TP, or 1 with
	// EP folded over the TP ranks).
	ETP int
	// StageLayers and RecomputeLayers, when set, are copied into every
	// plan (a stated layout; the search does not vary them).
	StageLayers, RecomputeLayers []int
}

// Shape is the (TP, PP, DP, CP) split of the devices; the search hands one
// shape to each worker.
type Shape struct{ TP, PP, DP, CP int }

// Divisors returns the positive divisors of n in increasing order.
func Divisors(n int) []int {
	var lo, hi []int
	for d := 1; d <= n/d; d++ { // d*d would overflow near the int range
		if n%d == 0 {
			lo = append(lo, d)
			if d*d != n {
				hi = append(hi, n/d)
			}
		}
	}
	slices.Reverse(hi)
	return append(lo, hi...)
}

func pick(fixed int, all []int) []int {
	if fixed > 0 {
		if slices.Contains(all, fixed) {
			return []int{fixed}
		}
		return []int{fixed} // Validate will say why it does not fit
	}
	return all
}

// Shapes lists every (TP, PP, DP, CP) whose product is the device count,
// with TP dividing the heads, PP at most the layers and CP dividing the
// sequence; the count of other splits is returned as invalid.
func (s Space) Shapes(prob Problem) (shapes []Shape, invalid int) {
	n := prob.Devices
	for _, tp := range pick(s.TP, Divisors(n)) {
		if n%tp != 0 || (s.TP == 0 && s.MaxTP > 0 && tp > s.MaxTP) {
			invalid++
			continue
		}
		for _, pp := range pick(s.PP, Divisors(n/tp)) {
			if n%(tp*pp) != 0 {
				invalid++
				continue
			}
			for _, cp := range pick(s.CP, Divisors(n/(tp*pp))) {
				if n%(tp*pp*cp) != 0 {
					invalid++
					continue
				}
				dp := n / (tp * pp * cp)
				if s.DP > 0 && dp != s.DP {
					invalid++
					continue
				}
				sh := Shape{tp, pp, dp, cp}
				p := Plan{TP: tp, PP: pp, DP: dp, CP: cp, EP: 1, VPP: 1, Microbatch: 1, Recompute: RecomputeFull}
				if p.Validate(prob) != nil {
					invalid++
					continue
				}
				shapes = append(shapes, sh)
			}
		}
	}
	return shapes, invalid
}

// Each calls fn for every valid plan of one shape (stopping if fn returns
// false) and returns the number of combinations rejected as invalid.
func (s Space) Each(prob Problem, sh Shape, fn func(Plan) bool) (invalid int) {
	return s.each(prob, sh, fn, nil)
}

// FirstInvalid is Validate's error for the first combination of one
// shape that Each rejects as invalid, or nil where it rejects none: why
// a space whose every plan breaks a rule has no plan.
func (s Space) FirstInvalid(prob Problem, sh Shape) (err error) {
	s.each(prob, sh, func(Plan) bool { return true }, func(p Plan) bool {
		err = p.Validate(prob)
		return err == nil
	})
	return err
}

// DefaultMaxVPP is the most virtual stages a search tries unless told
// (Space.MaxVPP): deeper interleaving than the frameworks' published
// layouts run, searched by default, moved cuda-mcore's calibration rows
// further off (7 Dec 2026: rms log error 0.1089 → 0.1096, MLPerf v3.1's
// GPT-3 +12.7 → +18.0 %). Within it a search goes to a layer a virtual
// stage with the embedding and the loss taking one each, Plan.Validate's
// bound, which stated layouts reach (Megatron-Bridge's 405B at PP 16 ×
// VPP 8: 128 chunks for 126 layers).
const DefaultMaxVPP = 8

// choices are the values Each tries for a shape's degrees other than
// its split; CountPlans counts over the same lists.
type choices struct {
	eps, etps, vpps, mbs []int
	rcs                  []Recompute
	zeros                []int
	sps                  []bool
}

// choices lists the values Each tries on shape sh.
func (s Space) choices(prob Problem, sh Shape) choices {
	var c choices
	c.eps, c.etps = []int{1}, []int{s.ETP}
	if prob.Model.MoE != nil {
		c.eps = pick(s.EP, Divisors(sh.TP*sh.DP*sh.CP))
		if s.ETP == 0 && sh.TP > 1 {
			c.etps = []int{0, 1} // experts split like attention, or folded over the TP ranks
		}
	} else if s.EP > 1 {
		c.eps = []int{s.EP}
	}
	c.vpps = pick(s.VPP, s.virtualStages(prob, sh))
	base := Plan{TP: sh.TP, PP: sh.PP, DP: sh.DP, CP: sh.CP}
	c.mbs = pick(s.Microbatch, Divisors(base.LocalBatch(prob.GlobalBatch)))
	c.rcs = s.Recompute
	if len(c.rcs) == 0 {
		c.rcs = []Recompute{RecomputeNone, RecomputeSelective, RecomputeFull}
	}
	c.zeros = s.ZeRO
	if len(c.zeros) == 0 {
		c.zeros = []int{0, 1, 2, 3}
	}
	c.sps = s.SP
	if len(c.sps) == 0 {
		c.sps = []bool{false, true}
	}
	return c
}

// virtualStages is the interleaving depths a free VPP tries on shape sh:
// 1, and each depth up to the space's bound that shrinks the largest
// chunk ⌈L/(PP·v)⌉, within Plan.Validate's bound on PP·v.
func (s Space) virtualStages(prob Problem, sh Shape) []int {
	vpps := []int{1}
	if sh.PP == 1 {
		return vpps
	}
	top := prob.Model.Layers + embedLossChunks // Plan.Validate's bound (DefaultMaxVPP)
	maxV := cmp.Or(s.MaxVPP, DefaultMaxVPP)
	for v := 2; v <= maxV && sh.PP*v <= top; v++ {
		// Only counts that shrink the largest chunk ⌈L/(PP·v)⌉ are
		// tried: the others keep a stage's ⌈L/PP⌉ layers and its
		// largest chunk, and would win only on the bubble, whose
		// (PP−1)/VPP prices unequal chunks as equal ones.
		if ceilDiv(prob.Model.Layers, sh.PP*v) < ceilDiv(prob.Model.Layers, sh.PP*(v-1)) {
			vpps = append(vpps, v)
		}
	}
	return vpps
}

// skipped reports whether Each passes over recompute policy rc of
// list rcs: a dense model's moe policy, unless the only one stated.
func skipped(prob Problem, rcs []Recompute, rc Recompute) bool {
	return rc == RecomputeMoE && prob.Model.MoE == nil && len(rcs) > 1
}

// seqParallel is the sequence parallelism Each gives a plan for choice
// sp on shape sh, and false (ok) where it passes over the choice: at TP
// 1 a free sp=true is the same plan as sp=false, and a stated one is
// turned off, as Megatron turns it off (arguments.py, "disable sequence
// parallelism when tp=1") and the Megatron ports do.
func (s Space) seqParallel(sh Shape, sp bool) (v, ok bool) {
	if sp && sh.TP == 1 {
		return false, len(s.SP) == 1
	}
	return sp, true
}

// each is Each, calling onInvalid (where not nil) with every rejected
// combination and stopping when it returns false.
func (s Space) each(prob Problem, sh Shape, fn, onInvalid func(Plan) bool) (invalid int) {
	base := Plan{TP: sh.TP, PP: sh.PP, DP: sh.DP, CP: sh.CP, StageLayers: s.StageLayers, RecomputeLayers: s.RecomputeLayers}
	c := s.choices(prob, sh)
	for _, ep := range c.eps {
		for _, etp := range c.etps {
			base.ETP = etp
			for _, v := range c.vpps {
				for _, mb := range c.mbs {
					for _, rc := range c.rcs {
						for _, z := range c.zeros {
							for _, sp := range c.sps {
								spv, ok := s.seqParallel(sh, sp)
								if !ok || skipped(prob, c.rcs, rc) {
									continue
								}
								p := base
								p.EP, p.VPP, p.Microbatch, p.Recompute, p.ZeRO, p.SequenceParallel = ep, v, mb, rc, z, spv
								if !p.Valid(prob) {
									invalid++
									if onInvalid != nil && !onInvalid(p) {
										return invalid
									}
									continue
								}
								if !fn(p) {
									return invalid
								}
							}
						}
					}
				}
			}
		}
	}
	return invalid
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
