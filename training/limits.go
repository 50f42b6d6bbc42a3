package training

import (
	"fmt"
	"math"

	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
)

// A stack's framework limits (Supports, Allows, Restrict: what the
// framework can run) and its published practice (InPractice, PracticeGap:
// what teams run with it).

// Supports reports whether the stack's framework offers what plan pl
// uses, naming the field it does not.
func (p *Profile) Supports(pl parallel.Plan) error {
	name := p.name()
	switch p.support(pl) {
	case zeroAbove:
		return input.Bad("zero", pl.ZeRO, fmt.Sprintf("%s offers ZeRO stages up to %g", name, p.MaxZeRO.Value))
	case zeroWithPP:
		return input.Bad("zero", pl.ZeRO, fmt.Sprintf("%s shards gradients and weights (ZeRO 2-3) only without pipeline parallelism (pp 1); with pp %d use zero 0 or 1", name, pl.PP))
	case zeroWithEP:
		return input.Bad("zero", pl.ZeRO, fmt.Sprintf("%s shards gradients and weights (ZeRO 2-3) only without expert parallelism (ep 1); with ep %d use zero 0 or 1", name, pl.EP))
	case noSelective:
		want := "none or full"
		if p.AlwaysRecompute.Value >= 0.5 {
			want = "full: it always recomputes every layer"
		}
		return input.Bad("recompute", pl.Recompute, fmt.Sprintf("%s has no selective recompute (%s)", name, want))
	case noMoERecompute:
		return input.Bad("recompute", pl.Recompute, fmt.Sprintf("%s does not recompute MoE blocks alone (none, full or its selective)", name))
	case noSP:
		return input.Bad("sequence_parallel", true, fmt.Sprintf("%s has no sequence parallelism", name))
	case alwaysFull:
		return input.Bad("recompute", pl.Recompute, fmt.Sprintf("%s always recomputes every layer (full)", name))
	case noVPP:
		return input.Bad("vpp", pl.VPP, fmt.Sprintf("%s has no interleaved schedule (vpp 1)", name))
	case noCP:
		return input.Bad("cp", pl.CP, fmt.Sprintf("%s has no context parallelism (cp 1)", name))
	case noMoECP:
		return input.Bad("ep", pl.EP, fmt.Sprintf("%s draws expert ranks from the data-parallel group alone and runs them without context parallelism: with ep > 1 use cp 1 and an ep that divides dp (here cp %d, dp %d)", name, pl.CP, pl.DP))
	case gshardETP:
		return input.Bad("etp", pl.ETP, fmt.Sprintf("the GShard MoE layer of %s splits its experts as attention is split (etp = tp %d), over expert ranks inside the data-parallel group", name, pl.TP))
	case noFold:
		return input.Bad("etp", pl.ETP, fmt.Sprintf("the MoE layer of %s splits each expert over the TP ranks as attention is split (etp = tp %d)", name, pl.TP))
	case gshardEP:
		return input.Bad("ep", pl.EP, fmt.Sprintf("the GShard MoE layer of %s takes its expert ranks from the data-parallel group (context-parallel ranks excluded): ep must divide dp %d", name, pl.DP))
	}
	return nil
}

// name is how a refusal names the stack: its id and, where a dated
// version is in effect (--stack-date, or the release a run names), that
// version, whose framework may have lacked what a later one offers.
func (p *Profile) name() string {
	if p.State == "" {
		return "stack " + p.ID
	}
	return "stack " + p.ID + " as of " + p.State
}

// Allows is Supports without the error: the plan search asks it of every
// candidate, most of which a stack rules out, and formatting each
// refusal's message would cost more than the check.
func (p *Profile) Allows(pl parallel.Plan) bool { return p.support(pl) == supported }

// supportRule is the first of the stack's limits a plan breaks.
type supportRule uint8

const (
	supported supportRule = iota
	zeroAbove
	zeroWithPP
	zeroWithEP
	noSelective
	noMoERecompute
	noSP
	alwaysFull
	noVPP
	noCP
	noMoECP
	gshardETP
	noFold
	gshardEP
)

func (p *Profile) support(pl parallel.Plan) supportRule {
	switch {
	case float64(pl.ZeRO) > p.MaxZeRO.Value:
		return zeroAbove
	case pl.ZeRO >= 2 && pl.PP > 1 && p.ShardingExcludesPP.Value >= 0.5:
		return zeroWithPP
	case pl.ZeRO >= 2 && pl.EP > 1 && p.ShardingEP.Value < 0.5:
		return zeroWithEP
	case pl.Recompute == parallel.RecomputeSelective && p.SelectiveRecompute.Value < 0.5:
		return noSelective
	case pl.Recompute == parallel.RecomputeMoE && p.MoERecompute.Value < 0.5:
		return noMoERecompute
	case pl.SequenceParallel && p.SequenceParallel.Value < 0.5:
		return noSP
	case pl.Recompute != parallel.RecomputeFull && p.AlwaysRecompute.Value >= 0.5:
		return alwaysFull
	case pl.VPP > 1 && p.Interleaved.Value < 0.5:
		return noVPP
	case pl.CP > 1 && p.ContextParallel.Value < 0.5:
		return noCP
	case pl.EP > 1 && (pl.CP > 1 || pl.DP%pl.EP != 0) && p.MoECP.Value < 0.5:
		return noMoECP
	case pl.ETP > 0 && pl.ETP != pl.TP && p.MoEDenseDispatch.Value >= 0.5:
		return gshardETP
	case pl.ETP > 0 && pl.ETP != pl.TP && p.MoEFold.Value < 0.5:
		return noFold
	case pl.EP > 1 && pl.DP%pl.EP != 0 && p.MoEDenseDispatch.Value >= 0.5:
		// ModelLink's legacy path cuts each data-parallel group (built
		// per TP x CP position, so without the CP ranks) into
		// consecutive slices of ep ranks (modellink/core/parallel_state.py
		// at v1.0.RC2.0)
		return gshardEP
	}
	return supported
}

// PracticeCase is what published practice judges a plan against besides
// the plan itself: the sequence length, the model's routed experts (0:
// dense), attention heads and active parameters, and the devices per node.
type PracticeCase struct {
	Seq, Experts, Heads, Node int
	Active                    float64
}

// NewPracticeCase is the case of model m at sequence length seq on nodes
// of node devices.
func NewPracticeCase(m llm.Model, seq, node int) PracticeCase {
	c := PracticeCase{Seq: seq, Heads: m.Heads, Node: node, Active: float64(m.WithDefaults().Params().Active)}
	if m.MoE != nil {
		c.Experts = m.MoE.Experts
	}
	return c
}

// InPractice reports whether plan pl is within the stack's published
// practice for case c: at least CPMinTokens tokens per context-parallel
// rank; the routed experts sharded over at least min(EPMin, experts)
// expert-parallel ranks; with TPFillsNode, a dense model pipelined over
// nodes runs TP × CP over the whole node (where its heads split that far);
// a model of at least LargeParams active parameters runs TP ≥ TPMinLarge
// and PP ≥ PPMinLarge; with NoZeRO2Practice, no ZeRO 2; with
// FullShardPractice, ZeRO 3; with ShardUnsplit, ZeRO 3 only at TP 1 and
// PP 1; with ShardMaxActive, ZeRO 3 only up to that many active
// parameters; with NoPPPractice, no pipeline; with NoVPPPractice, no
// virtual pipeline stages; no ZeRO stage deeper than
// PracticeMaxZeRO.
// A plan outside it may still run; the search reports the best plan either
// way.
func (p *Profile) InPractice(pl parallel.Plan, c PracticeCase) bool {
	return p.practice(pl, c) == inPractice
}

// PracticeGap says why plan pl is outside the stack's published practice
// ("" when it is within it).
func (p *Profile) PracticeGap(pl parallel.Plan, c PracticeCase) string {
	switch p.practice(pl, c) {
	case shortCP:
		return fmt.Sprintf("splits a %d-token sequence %d ways, below the %g tokens per context-parallel rank teams run", c.Seq, pl.CP, p.CPMinTokens.Value)
	case narrowEP:
		return fmt.Sprintf("shards the %d routed experts over %d expert-parallel ranks, fewer than the %g the stack's published MoE recipes use", c.Experts, pl.EP, math.Min(p.EPMin.Value, float64(c.Experts)))
	case narrowTP:
		return fmt.Sprintf("pipelines over %d stages with tensor × context parallelism %d, below the node's %d devices the stack's practice fills first", pl.PP, pl.TP*pl.CP, c.Node)
	case narrowLarge:
		return fmt.Sprintf("splits a model of %.3g B active parameters over tensor parallelism %d and %d pipeline stages, below the TP %g and PP %g the stack's published recipes use from %.3g B", c.Active/1e9, pl.TP, pl.PP, p.TPMinLarge.Value, p.PPMinLarge.Value, p.LargeParams.Value/1e9)
	case zero2:
		return "shards gradients without weights (ZeRO 2), which the stack's published recipes never run (they use a distributed optimizer, ZeRO 1, or full sharding, ZeRO 3)"
	case partShard:
		return fmt.Sprintf("shards less than everything (ZeRO %d), where the stack's published runs shard weights, gradients and optimizer (ZeRO 3, full or hybrid sharding)", pl.ZeRO)
	case splitShard:
		return fmt.Sprintf("shards everything (ZeRO 3) beside tensor parallelism %d and %d pipeline stages, where the stack's fully sharded recipes run TP 1 and PP 1 (its split recipes shard the optimizer alone, ZeRO 1)", pl.TP, pl.PP)
	case pipelined:
		return fmt.Sprintf("pipelines over %d stages, where the stack's published recipes never pipeline (PP 1)", pl.PP)
	case interleaved:
		return fmt.Sprintf("interleaves %d virtual stages per device, where the stack's published recipes of this state run plain 1F1B (no virtual stages)", pl.VPP)
	case deepZeRO:
		return fmt.Sprintf("shards at ZeRO %d, deeper than the ZeRO %g the stack's published recipes run", pl.ZeRO, p.PracticeMaxZeRO.Value)
	case largeShard:
		return fmt.Sprintf("shards everything (ZeRO 3) for a model of %.3g B active parameters, above the %.3g B of the stack's largest fully sharded recipe (larger models split over TP and PP with ZeRO 1)", c.Active/1e9, p.ShardMaxActive.Value/1e9)
	}
	return ""
}

type practiceRule uint8

const (
	inPractice practiceRule = iota
	shortCP
	narrowEP
	narrowTP
	narrowLarge
	zero2
	partShard
	splitShard
	largeShard
	pipelined
	interleaved
	deepZeRO
)

func (p *Profile) practice(pl parallel.Plan, c PracticeCase) practiceRule {
	if pl.CP > 1 && float64(c.Seq)/float64(pl.CP) < p.CPMinTokens.Value {
		return shortCP
	}
	if c.Experts > 0 && float64(pl.EP) < math.Min(p.EPMin.Value, float64(c.Experts)) {
		return narrowEP
	}
	if p.TPFillsNode.Value >= 0.5 && c.Experts == 0 && pl.PP > 1 && c.Node > 1 &&
		pl.TP*pl.CP < c.Node && c.Heads%(c.Node/max(pl.CP, 1)) == 0 {
		return narrowTP
	}
	if p.LargeParams.Value > 0 && c.Active >= p.LargeParams.Value && (float64(pl.TP) < p.TPMinLarge.Value || float64(pl.PP) < p.PPMinLarge.Value) {
		return narrowLarge
	}
	if pl.PP > 1 && p.NoPPPractice.Value >= 0.5 {
		return pipelined
	}
	if pl.VPP > 1 && p.NoVPPPractice.Value >= 0.5 {
		return interleaved
	}
	if float64(pl.ZeRO) > p.PracticeMaxZeRO.Value {
		return deepZeRO
	}
	if pl.ZeRO == 2 && p.NoZeRO2Practice.Value >= 0.5 {
		return zero2
	}
	if pl.ZeRO < 3 && p.FullShardPractice.Value >= 0.5 {
		return partShard
	}
	if pl.ZeRO == 3 && p.ShardUnsplit.Value >= 0.5 && (pl.TP > 1 || pl.PP > 1) {
		return splitShard
	}
	if pl.ZeRO == 3 && p.ShardMaxActive.Value > 0 && c.Active > p.ShardMaxActive.Value {
		return largeShard
	}
	return inPractice
}

// Restrict narrows a search space's free options to what the stack
// offers; fixed choices are left for Supports to judge.
func (p Profile) Restrict(s parallel.Space) parallel.Space {
	if len(s.ZeRO) == 0 {
		for z := 0; float64(z) <= p.MaxZeRO.Value && z <= 3; z++ {
			s.ZeRO = append(s.ZeRO, z)
		}
	}
	if len(s.Recompute) == 0 && p.AlwaysRecompute.Value >= 0.5 {
		s.Recompute = []parallel.Recompute{parallel.RecomputeFull}
	}
	if len(s.Recompute) == 0 {
		s.Recompute = []parallel.Recompute{parallel.RecomputeNone, parallel.RecomputeFull}
		if p.SelectiveRecompute.Value >= 0.5 {
			s.Recompute = append(s.Recompute, parallel.RecomputeSelective)
		}
		if p.MoERecompute.Value >= 0.5 {
			s.Recompute = append(s.Recompute, parallel.RecomputeMoE)
		}
	}
	if len(s.SP) == 0 && p.SequenceParallel.Value < 0.5 {
		s.SP = []bool{false}
	}
	if s.VPP == 0 && p.Interleaved.Value < 0.5 {
		s.VPP = 1
	}
	if s.CP == 0 && p.ContextParallel.Value < 0.5 {
		s.CP = 1
	}
	return s
}
