package parallel

import (
	"fmt"
	"slices"
	"strings"

	"chipgap/input"
	"chipgap/llm"
)

// Recompute is the activation-recompute policy (Korthikanti et al. 2022).
type Recompute string

// Recompute policies.
const (
	RecomputeNone      Recompute = "none"
	RecomputeSelective Recompute = "selective" // attention core only
	RecomputeFull      Recompute = "full"      // every layer's forward, keeping its input
	// RecomputeMoE re-runs each MoE layer's MoE block (router, dispatch,
	// routed and shared experts, combine) in the backward pass, keeping
	// only the block's input (Megatron-Core's --recompute-modules moe).
	RecomputeMoE Recompute = "moe"
)

// ParseRecompute checks a recompute policy name.
func ParseRecompute(s string) (Recompute, error) {
	switch r := Recompute(s); r {
	case RecomputeNone, RecomputeSelective, RecomputeFull, RecomputeMoE:
		return r, nil
	}
	return "", input.Bad("recompute", s, "none, selective, full or moe (MoE models: the MoE blocks only)")
}

// Plan is one way to run a training step.
type Plan struct {
	TP               int       `json:"tp"`
	PP               int       `json:"pp"`
	DP               int       `json:"dp"`
	CP               int       `json:"cp"`
	EP               int       `json:"ep"`
	VPP              int       `json:"vpp"`
	Microbatch       int       `json:"microbatch"`
	Recompute        Recompute `json:"recompute"`
	ZeRO             int       `json:"zero"`
	SequenceParallel bool      `json:"sequence_parallel"`
	// ETP is the expert tensor-parallel degree of MoE layers; 0 means TP
	// (Megatron-Core's default). With ETP set, EP may span the TP·CP·DP
	// ranks ("MoE parallel folding", Liu et al. 2025, arXiv 2504.14960):
	// ETP·EP must divide TP·CP·DP.
	ETP int `json:"etp,omitempty"`
	// StageLayers is the transformer layers of each pipeline stage (length
	// PP, sum the model's layers); nil splits them evenly, the extra
	// layers of an uneven split on the first stages.
	StageLayers []int `json:"stage_layers,omitempty"`
	// RecomputeLayers is the layers of each stage recomputed under the
	// plan's Recompute policy (length PP); nil recomputes every layer (or,
	// under full recompute on a stack with partial recompute, as many as
	// memory requires).
	RecomputeLayers []int `json:"recompute_layers,omitempty"`
	// HalfParams keeps the parameters, and so their gradients, in 16 bits
	// instead of the stack's fp32 (MindFormers' param_init_type float16 or
	// bfloat16); the optimizer's moments stay fp32. A stack that offers it
	// (training.Profile.HalfParams) uses it only where fp32 parameters do
	// not fit: a stated plan that needs it, or a search's plans when none
	// of the job fits with fp32 ones.
	HalfParams bool `json:"half_params,omitempty"`
	// HalfMoments keeps Adam's two moments in 16 bits instead of fp32
	// (Megatron-Core's precision-aware optimizer). A stack that offers it
	// (training.Profile.HalfMoments) uses it, as HalfParams, only where
	// fp32 moments do not fit.
	HalfMoments bool `json:"half_moments,omitempty"`
}

// WithDefaults completes a partly stated plan the one way chipgap does,
// for `chipgap train` and POST /api/train/estimate alike: unset degrees
// (0) are 1, an unset DP takes the devices the other degrees leave (at
// least 1; Validate names a count that does not divide), and an unset
// recompute policy is full recompute of as many layers per stage as
// memory requires (every layer on a stack without partial recompute).
// ZeRO, sequence parallelism and the per-stage lists stay as given.
func (p Plan) WithDefaults(devices int) Plan {
	p.TP, p.PP, p.CP = max(p.TP, 1), max(p.PP, 1), max(p.CP, 1)
	p.EP, p.VPP, p.Microbatch = max(p.EP, 1), max(p.VPP, 1), max(p.Microbatch, 1)
	if p.DP == 0 {
		p.DP = max(devices/(p.TP*p.PP*p.CP), 1)
	}
	if p.Recompute == "" {
		p.Recompute = RecomputeFull
	}
	return p
}

// ExpertTP is the expert tensor-parallel degree: ETP, or TP when unset.
func (p Plan) ExpertTP() int {
	if p.ETP > 0 {
		return p.ETP
	}
	return p.TP
}

// Stages is the transformer layers of each pipeline stage: StageLayers, or
// the even split of layers with the remainder on the first stages.
func (p Plan) Stages(layers int) []int {
	if len(p.StageLayers) == p.PP {
		return p.StageLayers
	}
	out := make([]int, max(p.PP, 1))
	for i := range out {
		out[i] = p.StageLayersOf(layers, i)
	}
	return out
}

// StageLayersOf is stage i's transformer layers, as Stages gives them,
// without building the list.
func (p Plan) StageLayersOf(layers, i int) int {
	if p.PP > 0 && len(p.StageLayers) == p.PP {
		return p.StageLayers[i]
	}
	pp := max(p.PP, 1)
	n := layers / pp
	if i < layers%pp {
		n++
	}
	return n
}

// FullestStage is the most transformer layers any pipeline stage holds:
// the largest of StageLayers, or ⌈layers/PP⌉. Interleaving does not change
// it: a stage's VPP virtual stages share its layers (unequally where
// PP·VPP does not divide them), so a device holds, updates and
// synchronises the weights of these layers whatever VPP is.
func (p Plan) FullestStage(layers int) int {
	if p.PP > 0 && len(p.StageLayers) == p.PP {
		return slices.Max(p.StageLayers)
	}
	pp := max(p.PP, 1)
	return (layers + pp - 1) / pp
}

// Devices is TP·PP·DP·CP.
func (p Plan) Devices() int { return p.TP * p.PP * p.DP * p.CP }

// LocalBatch is the sequences each data-parallel rank runs per step:
// ⌈globalBatch/DP⌉. When DP does not divide the batch some ranks run one
// sequence fewer and wait for the others, so the step is set by this many.
func (p Plan) LocalBatch(globalBatch int) int {
	return (globalBatch + p.DP - 1) / p.DP
}

// MicroBatches is the number of micro-batches each pipeline runs per step.
func (p Plan) MicroBatches(globalBatch int) int {
	return p.LocalBatch(globalBatch) / p.Microbatch
}

// String is the plan in the compact form validate prints.
func (p Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tp=%d pp=%d dp=%d", p.TP, p.PP, p.DP)
	if p.CP > 1 {
		fmt.Fprintf(&b, " cp=%d", p.CP)
	}
	if p.EP > 1 {
		fmt.Fprintf(&b, " ep=%d", p.EP)
	}
	if p.VPP > 1 {
		fmt.Fprintf(&b, " vpp=%d", p.VPP)
	}
	if p.ETP > 0 && p.ETP != p.TP {
		fmt.Fprintf(&b, " etp=%d", p.ETP)
	}
	fmt.Fprintf(&b, " mb=%d recompute=%s zero=%d", p.Microbatch, p.Recompute, p.ZeRO)
	if p.SequenceParallel {
		b.WriteString(" sp")
	}
	if p.StageLayers != nil {
		fmt.Fprintf(&b, " stages=%s", joinInts(p.StageLayers))
	}
	if p.RecomputeLayers != nil {
		fmt.Fprintf(&b, " recompute_layers=%s", joinInts(p.RecomputeLayers))
	}
	if p.HalfParams {
		b.WriteString(" params=16-bit")
	}
	if p.HalfMoments {
		b.WriteString(" moments=16-bit")
	}
	return b.String()
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

// embedLossChunks is how many virtual pipeline stages beyond the layers a
// plan may have: Megatron-Core can give the embedding and the loss a
// stage each (--account-for-embedding-in-pipeline-split,
// --account-for-loss-in-pipeline-split, or a --pipeline-model-parallel-layout
// such as "Et|(tt|)*30mL"), so Qwen3-235B-A22B's 94 layers run as PP32 ×
// VPP3 = 96 stages (NVIDIA's Megatron-Core MoE model zoo, Qwen3 H100 table).
const embedLossChunks = 2

// Problem is what a plan runs: the model, the devices and the batch.
type Problem struct {
	Model       llm.Model
	Devices     int // devices in the job (chips × devices per chip)
	GlobalBatch int // sequences per optimizer step
	Seq         int // tokens per sequence
}

// Validate checks that p can run prob: degrees positive and dividing what
// they split, the device count matching, the batch splitting evenly.
func (p Plan) Validate(prob Problem) error {
	if err := p.checkPositive(); err != nil {
		return err
	}
	if r := p.broken(prob); r != ruleNone {
		return p.explain(r, prob)
	}
	return p.validateStages(prob.Model.Layers)
}

// Valid is Validate without its error message, for a search that checks
// millions of plans: the same rules, none formatted.
func (p Plan) Valid(prob Problem) bool {
	return p.checkPositive() == nil && p.broken(prob) == ruleNone && p.validateStages(prob.Model.Layers) == nil
}

// rule names one of Validate's checks on a plan's degrees and batch.
type rule int

const (
	ruleNone rule = iota
	ruleHeads
	ruleDevices
	ruleKVHeads
	ruleLayers
	ruleVPP
	ruleCP
	ruleEP
	ruleETP
	ruleMoERecompute
	ruleEPModel
	ruleETPModel
	ruleDPBatch
	ruleMicrobatch
	ruleVPPMicrobatches
	ruleSPNeedsTP
	ruleSPSplit
)

// broken is the first rule plan p breaks on prob (ruleNone: none).
func (p Plan) broken(prob Problem) rule {
	m := prob.Model
	switch {
	case m.Heads%p.TP != 0:
		return ruleHeads
	case p.Devices() != prob.Devices:
		return ruleDevices
	case m.Attention != llm.MLA && m.KVHeads%p.TP != 0 && p.TP%m.KVHeads != 0:
		return ruleKVHeads
	case p.PP > m.Layers:
		return ruleLayers
	case p.VPP > 1 && (p.PP == 1 || p.PP*p.VPP > m.Layers+embedLossChunks):
		return ruleVPP
	case prob.Seq%p.CP != 0 || (p.CP > 1 && prob.Seq%(2*p.CP) != 0):
		// Load-balanced causal context parallelism cuts the sequence
		// into 2·cp chunks and gives rank i chunks i and 2·cp−1−i
		// (Megatron-Core's get_batch_on_this_cp_rank).
		return ruleCP
	case p.ETP == 0 && (p.DP*p.CP)%p.EP != 0:
		return ruleEP
	case p.ETP > 0 && (p.TP*p.DP*p.CP)%(p.EP*p.ETP) != 0:
		return ruleETP
	case p.Recompute == RecomputeMoE && m.MoE == nil:
		return ruleMoERecompute
	case p.EP > 1 && (m.MoE == nil || m.MoE.Experts%p.EP != 0):
		return ruleEPModel
	case p.ETP > 1 && (m.MoE == nil || m.MoE.ExpertFFN%p.ETP != 0):
		return ruleETPModel
	case p.DP > prob.GlobalBatch:
		return ruleDPBatch
	case p.LocalBatch(prob.GlobalBatch)%p.Microbatch != 0:
		return ruleMicrobatch
	case p.VPP > 1 && p.MicroBatches(prob.GlobalBatch)%p.PP != 0:
		return ruleVPPMicrobatches
	case p.SequenceParallel && p.TP == 1:
		return ruleSPNeedsTP
	case p.SequenceParallel && (p.Microbatch*prob.Seq/p.CP)%p.TP != 0:
		// Megatron's scatter to the sequence-parallel region splits the
		// micro-batch's tokens evenly over TP (tensor_parallel/mappings.py).
		return ruleSPSplit
	}
	return ruleNone
}

// explain is the error for broken rule r: the field, its value and what
// is allowed.
func (p Plan) explain(r rule, prob Problem) error {
	m := prob.Model
	switch r {
	case ruleHeads:
		return input.Bad("tp", p.TP, fmt.Sprintf("must divide the %d attention heads", m.Heads))
	case ruleDevices:
		if prob.Devices%(p.TP*p.PP*p.CP) != 0 {
			return p.devicesError(prob.Devices)
		}
		return input.Bad("dp", p.DP, fmt.Sprintf("tp·pp·dp·cp = %d must equal the %d devices", p.Devices(), prob.Devices))
	case ruleKVHeads:
		return input.Bad("tp", p.TP, fmt.Sprintf("must divide or be a multiple of the %d kv heads", m.KVHeads))
	case ruleLayers:
		return input.Bad("pp", p.PP, fmt.Sprintf("at most the %d layers", m.Layers))
	case ruleVPP:
		return input.Bad("vpp", p.VPP, fmt.Sprintf("needs pp > 1 and pp·vpp at most the %d layers + %d (the embedding and the loss may take a virtual stage each)", m.Layers, embedLossChunks))
	case ruleCP:
		return input.Bad("cp", p.CP, fmt.Sprintf("must split the sequence length %d into 2·cp equal chunks (load-balanced causal context parallelism)", prob.Seq))
	case ruleEP:
		return p.epError(m.MoE)
	case ruleETP:
		return input.Bad("etp", p.ETP, fmt.Sprintf("etp·ep = %d must divide tp·cp·dp = %d", p.EP*p.ETP, p.TP*p.DP*p.CP))
	case ruleMoERecompute:
		return input.Bad("recompute", p.Recompute, "moe re-runs the MoE blocks: it needs a MoE model (none, selective or full for a dense one)")
	case ruleEPModel:
		return input.Bad("ep", p.EP, "needs a MoE model whose expert count it divides")
	case ruleETPModel:
		return input.Bad("etp", p.ETP, "needs a MoE model whose expert FFN width it divides")
	case ruleDPBatch:
		return input.Bad("dp", p.DP, fmt.Sprintf("at most the global batch %d: each data-parallel rank takes a sequence (an unstated dp is what tp·pp·cp leave of the %d devices: raise the global batch or those degrees)", prob.GlobalBatch, prob.Devices))
	case ruleMicrobatch:
		return input.Bad("microbatch", p.Microbatch, fmt.Sprintf("must divide the %d sequences per data-parallel rank", p.LocalBatch(prob.GlobalBatch)))
	case ruleVPPMicrobatches:
		return input.Bad("vpp", p.VPP, fmt.Sprintf("the interleaved schedule needs the %d micro-batches to be a multiple of pp = %d", p.MicroBatches(prob.GlobalBatch), p.PP))
	case ruleSPNeedsTP:
		return input.Bad("sequence_parallel", true, "needs tp > 1")
	default: // ruleSPSplit
		return input.Bad("sequence_parallel", true, fmt.Sprintf("splits the %d tokens of a micro-batch on each context rank over tp = %d: want a multiple of tp", p.Microbatch*prob.Seq/p.CP, p.TP))
	}
}

// epError is the error for an ep that does not divide dp·cp (no etp
// stated): the values allowed (those of a MoE model that also divide its
// experts), and where an expert tensor-parallel degree would make ep legal
// (ep divides tp·cp·dp: etp 1 does), the values etp adds. An ep no etp
// can fit is not told to set one.
func (p Plan) epError(moe *llm.MoEConfig) error {
	dc, all := p.DP*p.CP, p.TP*p.DP*p.CP
	fits := func(d int) bool { return moe == nil || moe.Experts%d == 0 }
	var allowed, more []int
	for _, d := range Divisors(all) {
		switch {
		case !fits(d):
		case dc%d == 0:
			allowed = append(allowed, d)
		default:
			more = append(more, d)
		}
	}
	want := fmt.Sprintf("must divide dp·cp = %d: allowed %s", dc, commaInts(allowed))
	if all%p.EP == 0 && fits(p.EP) {
		want += fmt.Sprintf("; with etp 1 (an expert tensor-parallel degree, etp·ep may span tp·cp·dp = %d) also %s", all, commaInts(more))
	}
	return input.Bad("ep", p.EP, want)
}

// commaInts is xs as "1, 2, 4, 8".
func commaInts(xs []int) string { return strings.ReplaceAll(joinInts(xs), ",", ", ") }

// devicesError is the error for tp·pp·cp not dividing the devices. It
// names the degree that alone stands in the way (tp 8 and pp 3 on 8
// devices: pp, as no tp times 3 divides 8), with the values that would
// fit; where several could each be changed, the largest of them, and
// where none alone could, the largest degree. The message states all
// three degrees and their product either way.
func (p Plan) devicesError(devices int) error {
	rest := p.TP * p.PP * p.CP
	ds := []Degree{{Name: "tp", Value: p.TP}, {Name: "pp", Value: p.PP}, {Name: "cp", Value: p.CP}}
	for i := range ds {
		ds[i].Fixes = devices%(rest/ds[i].Value) == 0
	}
	culprit, fixable := Blame(ds)
	c := ds[culprit]
	want := fmt.Sprintf("tp %d × pp %d × cp %d = %d must divide the %d devices", p.TP, p.PP, p.CP, rest, devices)
	if !fixable {
		return input.Bad(c.Name, c.Value, want+", and no one degree changed alone makes it")
	}
	var alts []string
	for _, d := range ds {
		switch others := rest / d.Value; {
		case devices == others:
			alts = append(alts, d.Name+" 1")
		case d.Fixes:
			alts = append(alts, fmt.Sprintf("%s a divisor of %d", d.Name, devices/others))
		}
	}
	return input.Bad(c.Name, c.Value, want+fmt.Sprintf(": want %s", strings.Join(alts, ", or ")))
}

// validateStages checks the per-stage lists against PP and the layers.
func (p Plan) validateStages(layers int) error {
	if p.StageLayers != nil {
		if len(p.StageLayers) != p.PP {
			// The count first: a list with an extra 0 is one too long.
			return input.Bad("stage_layers", p.StageLayers, fmt.Sprintf("has %d entries: want one per pipeline stage (pp = %d)", len(p.StageLayers), p.PP))
		}
		sum := 0
		for _, n := range p.StageLayers {
			if n < p.VPP {
				return input.Bad("stage_layers", p.StageLayers, fmt.Sprintf("want at least vpp = %d layers per stage", p.VPP))
			}
			sum += n
		}
		switch {
		case sum != layers:
			return input.Bad("stage_layers", p.StageLayers, fmt.Sprintf("sums to %d: want the model's %d layers", sum, layers))
		}
	}
	if p.RecomputeLayers != nil {
		if len(p.RecomputeLayers) != p.PP {
			return input.Bad("recompute_layers", p.RecomputeLayers, fmt.Sprintf("has %d entries: want one per pipeline stage (pp = %d)", len(p.RecomputeLayers), p.PP))
		}
		if p.Recompute == RecomputeNone {
			return input.Bad("recompute_layers", p.RecomputeLayers, "needs recompute selective or full to say which kind")
		}
		for i, n := range p.Stages(layers) {
			if r := p.RecomputeLayers[i]; r < 0 || r > n {
				return input.Bad("recompute_layers", p.RecomputeLayers, fmt.Sprintf("stage %d recomputes %d layers: want 0 to its %d", i, r, n))
			}
		}
	}
	return nil
}

func (p Plan) checkPositive() error {
	for _, d := range []struct {
		name string
		v    int
	}{{"tp", p.TP}, {"pp", p.PP}, {"dp", p.DP}, {"cp", p.CP}, {"ep", p.EP}, {"vpp", p.VPP}, {"microbatch", p.Microbatch}} {
		if d.v < 1 {
			return input.Bad(d.name, d.v, "want a positive integer")
		}
	}
	if p.ETP < 0 {
		return input.Bad("etp", p.ETP, "want a positive integer (0: tp)")
	}
	if p.ZeRO < 0 || p.ZeRO > 3 {
		return input.Bad("zero", p.ZeRO, "want 0, 1, 2 or 3")
	}
	if _, err := ParseRecompute(string(p.Recompute)); err != nil {
		return err
	}
	return nil
}

// IsPlanField reports whether name is a field of a Plan as its errors name
// it ("tp", "microbatch", "recompute_layers", ...): callers that nest the
// plan in a request put "plan." before these.
func IsPlanField(name string) bool {
	switch name {
	case "tp", "pp", "dp", "cp", "ep", "etp", "vpp", "microbatch", "sequence_parallel",
		"recompute", "recompute_layers", "stage_layers", "zero":
		return true
	}
	return false
}
