package training

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/units"
)

// DefaultSeq and DefaultGlobalBatch are the training job a request takes
// when it gives no sequence length or global batch: chipgap train and
// run, their endpoints and forms, a report scenario and a sweep grid all
// default to this one pair, and a published run whose metric is
// chip_hours, which may leave its global batch out, takes that one. It
// is Llama 3 405B's pre-training job: 2,048 sequences of 8,192 tokens,
// 16M tokens a step (dubey2024_llama3, Sec. 3.4).
const (
	DefaultSeq         = 8192
	DefaultGlobalBatch = 2048
)

// Job is the workload around a model: sequence length, global batch,
// precision, how many devices the software sees per chip, and optionally
// the token budget of the whole run.
type Job struct {
	Seq            int                `json:"seq"`
	GlobalBatch    int                `json:"global_batch"`
	Precision      hardware.Precision `json:"precision"`
	DevicesPerChip int                `json:"devices_per_chip"` // 0 = the chip's own
	Tokens         float64            `json:"tokens,omitempty"` // token budget (0 = none)
	// ExpertImbalance overrides the stack's: the hottest expert-parallel
	// rank's routed tokens over the mean (0 = the stack's; else ≥ 1).
	ExpertImbalance float64 `json:"expert_imbalance,omitempty"`
	// CapacityFactor caps each expert's tokens at this multiple of the
	// mean, dropping the rest (0 = dropless; else > 0).
	CapacityFactor float64 `json:"capacity_factor,omitempty"`
	// PadToCapacity pads every expert's input to its capacity
	// (Megatron-Core's moe_pad_expert_input_to_capacity, "drop and pad";
	// needs CapacityFactor): every expert runs CapacityFactor × the mean
	// rows, and the token counts are static, so the dispatcher makes no
	// device-to-host sync and the host runs ahead of the GPU.
	PadToCapacity bool `json:"pad_to_capacity,omitempty"`
	// Dispatch overrides the stack's MoE token dispatch (MoEHierarchicalDispatch):
	// DispatchFlat sends every expert copy (Megatron-Core's alltoall
	// dispatcher), DispatchHierarchical sends a token across scale-out once
	// per remote node holding one of its experts and fans it out over
	// scale-up (DeepEP's and HybridEP's normal kernels, Megatron-Core's flex
	// dispatcher), DispatchAllGather gathers every token over the expert-TP
	// × EP group (Megatron-Core's all-gather dispatcher); "" is the stack's.
	Dispatch string `json:"moe_dispatch,omitempty"`
	// A2AOverlap states the 1F1B all-to-all overlap: with it the EP
	// dispatch and combine hide EPOverlap1F1B of their time under another
	// micro-batch's compute instead of the stack's EPOverlap. nil is the
	// stack's practice (Profile.MoEA2AOverlapDomain): on where its recipes
	// run it and Megatron-Core allows it, else off.
	A2AOverlap *bool `json:"moe_a2a_overlap,omitempty"`
	// FullIteration states the full-iteration MoE path
	// (Profile.MoEFullGraphFP8MinDomain): the whole step in one CUDA graph
	// with the routed experts' inputs in paged stash buffers (no MoE host
	// time) and the fused grouped MLP (no routed-expert activation
	// traffic). nil is the stack's practice; false turns it off.
	FullIteration *bool `json:"moe_full_iteration,omitempty"`
	// LayerGraphs states whole-layer CUDA graphs for the MoE layers
	// (Megatron-Core's enable_cuda_graph, as Megatron-Bridge's 25.09
	// Qwen3-30B-A3B recipes on B200 and GB200 ran them): a captured layer
	// issues no kernel from the host, so it takes no MoE host time. Only
	// static expert shapes can be captured (Megatron-Core's MoE README,
	// core_v0.12.0: dropless layers' shapes depend on the routing), so it
	// needs PadToCapacity; where the stack's CUDA graphs refuse activation
	// recompute (MoEGraphNoRecompute) a plan that recomputes runs its MoE
	// layers uncaptured; a chip whose stack is not CUDA refuses it. nil or
	// false: the stack's path.
	LayerGraphs *bool `json:"moe_layer_graphs,omitempty"`
	// Graphs states the graph-captured MoE path: CUDA graphs over the
	// router and the dispatch preprocessing (Megatron-Core's
	// cuda_graph_scope moe_router and moe_preprocess, with or without
	// attn), at the stack's MoEHostGraphed host time per module; false
	// states the uncaptured path (MoEHost). nil is the stack's practice
	// (moeHostPath: captured on scale-up domains of at least
	// MoEGraphMinDomain chips). Where the release's graphs need static
	// expert shapes (MoEGraphNeedsPad) a dropless job runs uncaptured
	// whatever it states, as the framework did.
	Graphs *bool `json:"moe_graphs,omitempty"`
	// FP8Recipe is how an FP8 job scales its tensors (Megatron-Core's
	// --fp8-recipe): "" or FP8Tensorwise/FP8Delayed, one scale per tensor
	// (the rates FP8Max was fitted on); FP8Blockwise, 1 x 128 activation
	// and gradient blocks and 128 x 128 weight blocks (its GEMMs at
	// Profile.FamilyFP8Blockwise of the per-tensor rate); FP8MX, MXFP8's 1 x
	// 32 blocks on Blackwell's microscaling tensor cores (the per-tensor
	// rate). Neither block recipe gathers FP8 weights.
	FP8Recipe string `json:"fp8_recipe,omitempty"`
}

// quantised says the job's linear GEMMs take quantised operands (FP8 or
// FP4), whose inputs Transformer Engine saves for the weight gradient as
// the quantised copy: counted at one byte an element for both (an FP4
// copy and its block scales take about 0.56 bytes, so an FP4 job's
// activations are an upper bound).
func (j Job) quantised() bool {
	return j.Precision == hardware.FP8 || j.Precision == hardware.FP4
}

// fp4Bytes is the bytes per element of an FP4 GEMM operand read from
// memory: four bits and NVFP4's one-byte scale per 16 elements (MXFP4's
// per 32 is 0.53).
const fp4Bytes = 0.5 + 1.0/16

// mxfp8Practice says the stack's FP8 practice for MXFP8 recipes applies
// (MoEA2AOverlapFP8Domain, MoEFullGraphFP8MinDomain): an FP8 job stating
// MXFP8 or no recipe (the published rack figures are MXFP8, and the
// format's fp8 cannot say which); a per-tensor or block-wise job runs the
// framework's other FP8 recipes, which leave those settings off.
func (j Job) mxfp8Practice() bool {
	return j.Precision == hardware.FP8 && (j.FP8Recipe == "" || j.FP8Recipe == FP8MX)
}

// fullIteration says the job runs the full-iteration MoE path: as it
// states, else (unless it states its graph scope, Graphs) the stack's
// practice for MXFP8 jobs on scale-up domains of at least
// MoEFullGraphFP8MinDomain chips.
func (j Job) fullIteration(prof Profile, c hardware.Cluster) bool {
	if j.FullIteration != nil {
		return *j.FullIteration
	}
	if j.Graphs != nil {
		// A job stating its graph scope (or none) states its host path.
		return false
	}
	dom := prof.MoEFullGraphFP8MinDomain.Value
	return j.mxfp8Practice() && dom > 0 && float64(max(c.ChipsPerNode, c.SystemNode)) >= dom
}

// FP8 scaling recipes a job may state (Job.FP8Recipe).
const (
	FP8Tensorwise = "tensorwise"
	FP8Delayed    = "delayed"
	FP8Blockwise  = "blockwise"
	FP8MX         = "mxfp8"
)

// Precisions are those a training job takes, in display order: 16-bit
// mixed precision, FP8 and FP4 linear layers (fp32, tf32 and int8 are no
// training recipe the estimator models).
func Precisions() []hardware.Precision {
	return []hardware.Precision{hardware.BF16, hardware.FP16, hardware.FP8, hardware.FP4}
}

// ValidFP8Recipe says s is a recipe a job may state ("" is per-tensor).
func ValidFP8Recipe(s string) bool {
	switch s {
	case "", FP8Tensorwise, FP8Delayed, FP8Blockwise, FP8MX:
		return true
	}
	return false
}

// blockScaled says the job's FP8 recipe scales blocks (block-wise or
// MXFP8): its weights stay 16-bit for the data-parallel gathers.
func (j Job) blockScaled() bool { return j.FP8Recipe == FP8Blockwise || j.FP8Recipe == FP8MX }

// The MoE host paths a result names (Result.MoEHostPath).
const (
	MoEPathUncaptured    = "uncaptured"
	MoEPathGraphCaptured = "graph-captured"
	MoEPathFullIteration = "full-iteration"
	MoEPathLayerGraphs   = "layer-graphs"
)

// MoE token dispatch paths a job may state (Job.Dispatch).
const (
	DispatchFlat         = "flat"
	DispatchHierarchical = "hierarchical"
	// DispatchAllGather is Megatron-Core's all-gather token dispatcher
	// (MoEAllGatherTokenDispatcher, --moe-token-dispatcher-type
	// allgather, Megatron-LM's argument default): every rank all-gathers
	// the micro-batch's hidden states over the expert-TP × EP group, one
	// copy per token whatever the top-k, and the combine reduce-scatters
	// the same volume back.
	DispatchAllGather = "allgather"
)

// ValidDispatch reports whether d names a MoE token dispatch path a job
// may state (Job.Dispatch), or is empty (the stack's).
func ValidDispatch(d string) bool {
	switch d {
	case "", DispatchFlat, DispatchHierarchical, DispatchAllGather:
		return true
	}
	return false
}

// ErrDoesNotFit is the sentinel for a plan whose memory exceeds a device's.
var ErrDoesNotFit = errors.New("does not fit in memory")

// gemmKind says how tensor parallelism splits a GEMM.
type gemmKind uint8

const (
	colSplit   gemmKind = iota // N split over TP (QKV, up, logits)
	rowSplit                   // K split over TP (attention out, down)
	replicated                 // not split (MLA down-projections, router)
)

// shape is a weight GEMM per token (M = 1) of a layer.
type shape struct {
	n, k   float64
	kind   gemmKind
	expert bool // routed-expert GEMM: M = tokens·active, split over experts
	moe    bool // part of the MoE block (router, routed and shared experts)
}

// layerKind is the precomputed description of one kind of layer.
type layerKind struct {
	count  int     // layers of this kind
	gemms  []shape // weight GEMMs
	params float64 // non-expert parameters of one layer
	expert float64 // routed-expert parameters of one layer
	// actRep and actSplit are activation bytes per token kept for the
	// backward pass (16-bit), replicated over TP without sequence
	// parallelism and split over TP either way (Korthikanti et al. 2022).
	actRep, actSplit float64
	// actFn is the part of actSplit the MLP activation function's outputs
	// take (GeLU's output; SwiGLU's activation and product).
	actFn            float64
	routedIn         float64 // the part of actSplit in routed experts' inputs (MoE)
	memRep, memSplit float64 // memory-bound traffic per token, forward
	// sacKeep and sacShare describe op-level selective checkpointing
	// (SelectiveOpSAC): the bytes per token it keeps besides the layer
	// input (the outputs of every second linear module and the attention
	// kernel's, split over TP) and the share of the layer's non-expert
	// GEMM FLOPs it recomputes (the other linear modules).
	sacKeep, sacShare float64
	// dotsKeep is the bytes per token (before the TP split) a layer keeps
	// besides its input when only the weight GEMMs' outputs are saved
	// (SelectiveDots): 16 bits of every linear module's output, the routed
	// experts' for each active copy.
	dotsKeep float64
	// moeAct is the part of actSplit the MoE block keeps (the routed
	// copies' inputs, the routed and shared experts' intermediates), which
	// MoE-block recompute drops; moeMem is the part of memSplit the block
	// moves (its permutations and copies, the experts' intermediates).
	moeAct, moeMem float64
	// expertUp is the routed experts' part of the up-projection outputs'
	// bytes per token (actWidth), whose activation traffic the fused
	// grouped MLP of the full-iteration path removes.
	expertUp float64
	// routedCopies is the part of memSplit in the routed copies beyond
	// the global permutation (routedCopyBytes), which every rank of an
	// expert-TP group moves for the copies it gathers from the group's
	// other ranks (layerForward).
	routedCopies float64
	moeFLOPs     float64 // the MoE block's forward FLOPs per token
}

// prep is everything about (model, job, cluster, profile) that does not
// depend on the plan, computed once per search.
type prep struct {
	m           llm.Model
	job         Job
	c           hardware.Cluster // the packages (chips), with the derated tiers
	net         hardware.Cluster // c as its devices see it (Cluster.PerDevice): what collectives run on
	prof        Profile
	devPerChip  int
	peak        float64 // dense FLOP/s per device at the job's precision
	matMax      float64 // MatmulMax or FP8Max
	peak16      float64 // dense 16-bit FLOP/s per device (attention, logits)
	matMax16    float64 // MatmulMax (16-bit GEMMs)
	attnEff     float64 // AttentionEff on this chip (family and chip scales)
	expRate     float64 // exponentials per second per device for the fused softmax (0: not priced apart)
	rampTokens  float64 // Profile.AttentionRampTokens (0: attention time independent of its kernel length)
	rampExp     float64 // Profile.AttentionRampExp
	rampRef     float64 // 1 + (rampTokens/attentionRefTokens)^rampExp
	hbm         float64 // bytes/s per device
	capacity    float64 // bytes per device
	up, out     hardware.Tier
	kinds       []layerKind
	embed       float64 // embedding parameters (on the first stage)
	head        float64 // untied head parameters (on the last stage)
	act         float64 // bytes per activation element on the wire (2)
	qkDim, vDim float64
	attnV       float64 // the value width the attention kernel's second product runs at (AttentionPadV)
	modelFLOPs  float64 // per token, no recompute, attention causal whatever the kernel (MFU)
	execFLOPs   float64 // per token, no recompute, attention as the stack's kernel runs it (HFU)
	fullFLOPs   float64 // per token with full recompute, as executed (HFU)
	attnFLOPs   float64 // attention FLOPs per token (selective recompute's extra)
	attnCtx     float64 // keys a query's attention computes, averaged over the layers
	moeFLOPs    float64 // MoE-block forward FLOPs per token (MoE-block recompute's extra)
	sacFLOPs    float64 // op-level selective checkpointing's recomputed GEMM FLOPs per token (SelectiveOpSAC)
	flash       bool
	expertLoad  float64 // tokens on the hottest expert rank over the mean (imbalance, capped by capacity)
	loadNote    string  // why expertLoad is what it is, where it is the stack's default (imbalanceNote)
	capFactor   float64 // the capacity factor in effect: the job's, else the stack's practice (0: dropless)
	padded      bool    // every expert computes its capacity (the job's drop-and-pad, a dense GShard dispatch, or the stack's static shapes)
	dense       bool    // dense GShard dispatch and combine (Profile.MoEDenseDispatch)
	moeHost     float64 // host time per MoE layer forward on the path the stack takes on this cluster (per module × the layer's linear modules)
	moeGraphed  bool    // that path is the graph-captured one
	moeFull     bool    // the full-iteration path (Profile.MoEFullGraphFP8MinDomain): no MoE host time, fused grouped MLP
	moeLayer    bool    // whole MoE layers in CUDA graphs (Job.LayerGraphs): no MoE host time
	halfParams  bool    // fit may give a plan 16-bit parameters where fp32 ones do not fit (set by Estimate, and by Search when no plan fits with fp32 ones, on stacks with HalfParams)
	halfMoments bool    // fit may give a plan 16-bit Adam moments where fp32 ones do not fit (as halfParams, on stacks with HalfMoments)
}

func newPrep(m llm.Model, c hardware.Cluster, prof Profile, job Job) (*prep, error) {
	m = m.WithDefaults()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := checkJob(job); err != nil {
		return nil, err
	}
	if err := moeJobFits(m, prof, job); err != nil {
		return nil, err
	}
	if st := c.Stack; m.MoE != nil && job.statesLayerGraphs() {
		if st == "" {
			st = c.Chip.Stack
		}
		if st != "cuda" {
			return nil, input.Bad("moe_layer_graphs", true, fmt.Sprintf("captures CUDA graphs (Megatron-Core's enable_cuda_graph), which the %s stack of chip %s does not run", st, c.Chip.ID))
		}
	}
	pk, ok := c.Chip.PeakFor(job.Precision)
	if !ok {
		return nil, input.Bad("precision", job.Precision, fmt.Sprintf("chip %s has no %s matrix units (it has %s)", c.Chip.ID, job.Precision, precisionsOf(c.Chip)))
	}
	d := job.devicesPerChip(c)
	if err := recipeFits(c.Chip, prof, job); err != nil {
		return nil, err
	}
	p := &prep{m: m, job: job, c: c, prof: prof, devPerChip: d, act: 2}
	p.setMoEPath()
	p.setRates(float64(pk.Typ) / float64(d))
	p.hbm = float64(c.Chip.HBM.Bandwidth.Typ) / float64(d)
	p.capacity = float64(c.Chip.HBM.Capacity.Typ) / float64(d)
	p.up = c.ScaleUp.Derate(prof.ScaleUpEff.Value)
	p.out = c.ScaleOut.Derate(prof.ScaleOutEff.Value)
	// Every collective runs on the derated tiers: the fraction of link
	// bandwidth the stack's collective library reaches.
	p.c.ScaleUp, p.c.ScaleOut = p.up, p.out
	p.net = p.c.PerDevice(d)
	p.flash = prof.FlashAttention.Value >= 0.5
	p.setExpertLoad()
	if p.moeGraphed && !p.moeFull && !p.moeLayer && !p.padded && prof.MoEGraphNeedsPad.Value >= 0.5 {
		// The release's graphs capture static expert shapes only: a
		// dropless job runs its MoE layers uncaptured.
		p.moeHost, p.moeGraphed = prof.MoEHost.Value, false
	}
	p.buildLayers()
	p.moeHost *= p.moeModules()
	// MFU counts one convention on every stack: attention causal (the
	// work a causal model needs; FlashAttention skips the masked half);
	// HFU counts what the stack's kernel runs (full attention without
	// flash kernels).
	p.modelFLOPs = float64(m.TrainingFLOPsPerToken(job.Seq, true, false))
	p.execFLOPs = float64(m.TrainingFLOPsPerToken(job.Seq, p.flash, false))
	p.fullFLOPs = float64(m.TrainingFLOPsPerToken(job.Seq, p.flash, true))
	// Fused attention skips the causal half and a window's outside; the
	// eager core attention computes the whole score matrix and masks it.
	p.attnCtx = float64(job.Seq)
	if p.flash {
		p.attnCtx = m.MeanContext(job.Seq, true)
	}
	p.attnFLOPs = float64(m.AttentionFLOPsPerToken(p.attnCtx))
	for _, k := range p.kinds {
		p.moeFLOPs += float64(k.count) * k.moeFLOPs
	}
	for _, k := range p.kinds {
		// Forward FLOPs per token recomputed by op-level checkpointing:
		// its share of the non-expert GEMMs and every routed expert GEMM.
		perToken := 2 * k.sacShare * k.params
		if m.MoE != nil && k.expert > 0 {
			perToken += 2 * k.expert * float64(m.MoE.Active) / float64(m.MoE.Experts)
		}
		p.sacFLOPs += float64(k.count) * perToken
	}
	return p, nil
}

// setRates sets the job's peak and the kernel efficiencies on this chip:
// the GEMM ceilings (the stack's, scaled by the chip's family, by its FP8
// factor for an FP8 job, and by the chip's own scale), the attention's
// efficiency and the exponential rate its softmax runs at.
func (p *prep) setRates(peak float64) {
	prof, c, job, d := &p.prof, p.c, p.job, p.devPerChip
	p.peak = peak
	p.matMax = prof.MatmulMax.Value
	if job.Precision == hardware.FP8 && prof.FP8Max.Value > 0 {
		p.matMax = prof.FP8Max.Value
	}
	p.peak16, p.matMax16 = p.peak, prof.MatmulMax.Value
	if pk16, ok := sixteenBitPeak(c.Chip); ok {
		p.peak16 = float64(pk16.Typ) / float64(d)
	}
	if f, ok := prof.FamilyMatmul[Family(c.Chip.Architecture)]; ok {
		p.matMax *= f.Value
		p.matMax16 *= f.Value
	}
	if f, ok := prof.FamilyFP8[Family(c.Chip.Architecture)]; ok && job.Precision == hardware.FP8 {
		p.matMax *= f.Value
	}
	if job.FP8Recipe == FP8Blockwise {
		p.matMax *= prof.FamilyFP8Blockwise[Family(c.Chip.Architecture)].Value // recipeFits checked it is there
	}
	if job.Precision == hardware.FP4 {
		// The FP4 ceiling is its own share of the FP4 peak, the 16-bit
		// family scale not applied (recipeFits checked it is there).
		p.matMax = prof.FamilyFP4[Family(c.Chip.Architecture)].Value
	}
	p.attnEff = prof.AttentionEff.Value
	if f, ok := prof.FamilyAttention[Family(c.Chip.Architecture)]; ok {
		p.attnEff *= f.Value
	}
	if f, ok := prof.ChipTensor[c.Chip.ID]; ok {
		p.matMax *= f.Value
		p.matMax16 *= f.Value
		p.attnEff *= f.Value
	}
	if t := prof.AttentionRampTokens.Value; t > 0 {
		p.rampTokens, p.rampExp = t, prof.AttentionRampExp.Value
		p.rampRef = 1 + math.Pow(t/attentionRefTokens, p.rampExp)
	}
	if r := prof.AttentionExpRatio.Value; r > 0 {
		p.expRate = float64(c.Chip.ExpRate.Typ) / float64(d)
		if p.expRate <= 0 {
			p.expRate = r * p.peak16
		}
	}
}

// setExpertLoad sets the hottest expert rank's load over the mean: the
// job's imbalance, else the stack's, capped by the capacity factor in
// effect (the job's, else the stack's practice) and raised to it where
// every expert computes its capacity (drop and pad, or a dense GShard
// dispatch).
func (p *prep) setExpertLoad() {
	prof, job := p.prof, p.job
	p.expertLoad = max(prof.ExpertImbalance.Value, 1)
	if job.ExpertImbalance > 0 {
		p.expertLoad = job.ExpertImbalance
	} else {
		p.loadNote = imbalanceNote(prof.ExpertImbalance)
	}
	p.capFactor = job.CapacityFactor
	if p.capFactor == 0 {
		p.capFactor = prof.MoECapacityFactor.Value
	}
	p.dense = prof.MoEDenseDispatch.Value >= 0.5 && p.capFactor > 0
	p.padded = p.capFactor > 0 && (job.PadToCapacity || p.dense || prof.MoEPadCapacity.Value >= 0.5)
	if p.capFactor > 0 {
		p.expertLoad = min(p.expertLoad, p.capFactor)
		if p.padded {
			p.expertLoad = p.capFactor // padded: every expert runs its capacity
		}
	}
}

// imbalanceNote is why a stack's default expert imbalance is what it is:
// its note's first clause (cuda-mcore: "balanced: the published
// Megatron-Core benchmarks force load balancing"), and that a job
// states its own (the measured figure stays in the flag's
// help and the stack's note, not in every stack's text).
func imbalanceNote(pr Param) string {
	why := pr.Note
	if i := strings.IndexAny(why, "(;."); i > 0 {
		why = why[:i]
	}
	why = strings.TrimSpace(why)
	if why == "" {
		why = "no reason recorded"
	}
	return fmt.Sprintf("the stack's default %g, %s; --expert-imbalance states a run's own, as measured for dropless routing (chipgap train --help gives one)", pr.Value, why)
}

// loadOn is the hottest expert rank's load over the mean under plan pl:
// expertLoad, but 1 without expert parallelism (EP 1: every device runs
// every expert on every token, so no rank is hotter; the serving
// estimator's rule too) unless the experts are padded to their capacity,
// which every expert computes wherever it runs.
func (p *prep) loadOn(pl parallel.Plan) float64 {
	if pl.EP <= 1 && !p.padded {
		return 1
	}
	return p.expertLoad
}

// recipeFits refuses an FP8 recipe the chip or the stack cannot run as
// far as chipgap knows: block-wise scaling where the stack has no measured
// rate for the chip's family, MXFP8 off Blackwell (Transformer Engine's
// support matrix: microscaling tensor cores from compute capability 10.0).
func recipeFits(c *hardware.Chip, prof Profile, j Job) error {
	fam := Family(c.Architecture)
	switch j.FP8Recipe {
	case FP8Blockwise:
		if _, ok := prof.FamilyFP8Blockwise[fam]; !ok {
			known := slices.Sorted(maps.Keys(prof.FamilyFP8Blockwise))
			return input.Bad("fp8_recipe", j.FP8Recipe, fmt.Sprintf("stack %s has no block-wise FP8 rate for %s chips such as %s (measured for: %s); state tensorwise", prof.ID, c.Architecture, c.ID, orNone(known)))
		}
	case FP8MX:
		if fam != "blackwell" {
			return input.Bad("fp8_recipe", j.FP8Recipe, fmt.Sprintf("MXFP8 needs Blackwell's microscaling tensor cores; chip %s is %s: state tensorwise or blockwise", c.ID, c.Architecture))
		}
	}
	if _, ok := prof.FamilyFP4[fam]; j.Precision == hardware.FP4 && !ok {
		known := slices.Sorted(maps.Keys(prof.FamilyFP4))
		family := fam
		if family == "" {
			family = "none named in the catalog"
		}
		return input.Bad("precision", j.Precision, fmt.Sprintf("stack %s has no measured FP4 training rate for chip %s (family: %s; measured for: %s); state fp8 or bf16", prof.ID, c.ID, family, orNone(known)))
	}
	return nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func checkJob(j Job) error {
	switch {
	case j.Seq < 1:
		return input.Bad("seq", j.Seq, "want a positive integer")
	case j.GlobalBatch < 1:
		return input.Bad("global_batch", j.GlobalBatch, "want a positive integer")
	case j.DevicesPerChip < 0:
		return input.Bad("devices_per_chip", j.DevicesPerChip, "want a positive integer")
	case j.Tokens < 0 || j.Tokens != j.Tokens:
		return input.Bad("tokens", j.Tokens, "want a positive number")
	case j.ExpertImbalance != 0 && !(j.ExpertImbalance >= 1 && j.ExpertImbalance <= 64):
		return input.Bad("expert_imbalance", j.ExpertImbalance, "want 1 to 64: the hottest expert rank's tokens over the mean (1 = balanced)")
	case j.CapacityFactor < 0 || j.CapacityFactor != j.CapacityFactor || j.CapacityFactor > 64:
		return input.Bad("capacity_factor", j.CapacityFactor, "want a positive multiple of the mean tokens per expert, up to 64 (0 or absent: dropless)")
	case j.PadToCapacity && j.CapacityFactor == 0:
		return input.Bad("pad_to_capacity", true, "needs a capacity_factor: experts are padded to their capacity (dropless runs have none)")
	case !ValidFP8Recipe(j.FP8Recipe):
		return input.Bad("fp8_recipe", j.FP8Recipe, "want tensorwise or delayed (one scale per tensor), blockwise (1x128 and 128x128 blocks) or mxfp8 (1x32 blocks, Blackwell), or empty for per-tensor")
	case j.FP8Recipe != "" && j.Precision != hardware.FP8:
		return input.Bad("fp8_recipe", j.FP8Recipe, fmt.Sprintf("applies to precision fp8 only (the job's is %s)", j.Precision))
	case !ValidDispatch(j.Dispatch):
		return input.Bad("moe_dispatch", j.Dispatch, "want flat (every expert copy sent: an all-to-all dispatcher), hierarchical (once per remote node, then over scale-up: DeepEP/HybridEP) or allgather (every token gathered over the expert-TP x EP group: Megatron-Core's all-gather dispatcher), or empty for the stack's")
	}
	if _, err := hardware.ParsePrecisionOf(string(j.Precision), Precisions()...); err != nil {
		return input.Bad("precision", j.Precision, err.Error())
	}
	return nil
}

// moeJobFits refuses a job's MoE settings on a dense model, naming the
// first one set (they would be silently ignored), a stated 1F1B
// all-to-all overlap on a stack without one, and whole-layer CUDA graphs
// without padded expert shapes or beside the full-iteration path.
func moeJobFits(m llm.Model, prof Profile, j Job) error {
	if m.MoE != nil {
		switch {
		case j.statesA2A() && prof.EPOverlap1F1B.Value <= 0:
			return input.Bad("moe_a2a_overlap", true, fmt.Sprintf("stack %s has no 1F1B all-to-all overlap to state (its ep_overlap applies)", prof.ID))
		case j.statesLayerGraphs() && !j.PadToCapacity:
			return input.Bad("moe_layer_graphs", true, "needs pad_to_capacity (with a capacity_factor): dropless MoE layers have routing-dependent shapes, which CUDA graphs cannot capture (Megatron-Core's MoE README)")
		case j.Graphs != nil && *j.Graphs && prof.MoEHostGraphed.Value <= 0:
			return input.Bad("moe_graphs", true, fmt.Sprintf("stack %s has no graph-captured MoE path (its moe_host_graphed_s is 0)", prof.ID))
		case j.Graphs != nil && *j.Graphs && (j.statesLayerGraphs() || (j.FullIteration != nil && *j.FullIteration)):
			return input.Bad("moe_graphs", true, "state one MoE graph path: moe_graphs (router and preprocessing), moe_layer_graphs (whole layers) or moe_full_iteration (the whole step)")
		case j.statesLayerGraphs() && j.FullIteration != nil && *j.FullIteration:
			return input.Bad("moe_layer_graphs", true, "state it or moe_full_iteration, not both: the full-iteration path captures the whole step")
		}
		return nil
	}
	why := fmt.Sprintf("applies to MoE models; %s is dense (leave it unset)", m.Name)
	switch {
	case j.ExpertImbalance != 0:
		return input.Bad("expert_imbalance", j.ExpertImbalance, why)
	case j.CapacityFactor != 0:
		return input.Bad("capacity_factor", j.CapacityFactor, why)
	case j.PadToCapacity:
		return input.Bad("pad_to_capacity", true, why)
	case j.Dispatch != "":
		return input.Bad("moe_dispatch", j.Dispatch, why)
	case j.A2AOverlap != nil:
		return input.Bad("moe_a2a_overlap", *j.A2AOverlap, why)
	case j.FullIteration != nil:
		return input.Bad("moe_full_iteration", *j.FullIteration, why)
	case j.LayerGraphs != nil:
		return input.Bad("moe_layer_graphs", *j.LayerGraphs, why)
	case j.Graphs != nil:
		return input.Bad("moe_graphs", *j.Graphs, why)
	}
	return nil
}

// supports is Profile.Supports for the job: with the 1F1B all-to-all
// overlap stated it also holds Megatron-Core's conditions for it
// (a2aBlocker; megatron/core/transformer/transformer_config.py). The
// stack's practice (a2aOverlap) only runs it where they hold.
func (p *prep) supports(pl parallel.Plan) error {
	if err := p.prof.Supports(pl); err != nil || !p.job.statesA2A() {
		return err
	}
	return p.a2aAllowed(pl)
}

// allows is supports without the error, for the search's hot loop.
func (p *prep) allows(pl parallel.Plan) bool {
	return p.prof.Allows(pl) && (!p.job.statesA2A() || p.a2aBlocker(pl) == "")
}

// a2aAllowed is nil where Megatron-Core runs the 1F1B all-to-all overlap
// on the plan, else the error naming the plan field that rules it out.
func (p *prep) a2aAllowed(pl parallel.Plan) error {
	const why = "the 1F1B all-to-all overlap (moe_a2a_overlap) "
	switch p.a2aBlocker(pl) {
	case "ep":
		return input.Bad("ep", pl.EP, why+"overlaps the expert-parallel all-to-all: want ep > 1")
	case "vpp":
		return input.Bad("vpp", pl.VPP, why+"with pp > 1 runs only in the interleaved schedule: want vpp > 1")
	case "recompute":
		return input.Bad("recompute", pl.Recompute, why+"does not combine with full or MoE-block recompute: want none or selective")
	case "mtp":
		return input.Bad("moe_a2a_overlap", true, fmt.Sprintf(why+"allows at most one MTP module; %s has %d", p.m.Name, p.m.MTPModules))
	}
	return nil
}

// a2aBlocker is the first of Megatron-Core's conditions for the 1F1B
// all-to-all overlap (TransformerConfig.__post_init__) the plan breaks,
// or "": expert parallelism, the interleaved schedule when pipelining,
// neither full nor MoE-block recompute, at most one MTP module.
func (p *prep) a2aBlocker(pl parallel.Plan) string {
	switch {
	case pl.EP <= 1:
		return "ep"
	case pl.PP > 1 && pl.VPP <= 1:
		return "vpp"
	case pl.Recompute == parallel.RecomputeFull || pl.Recompute == parallel.RecomputeMoE:
		return "recompute"
	case p.m.MTPModules > 1:
		return "mtp"
	}
	return ""
}

// statesLayerGraphs says the job states whole-layer CUDA graphs on.
func (j Job) statesLayerGraphs() bool { return j.LayerGraphs != nil && *j.LayerGraphs }

// statesA2A says the job states the 1F1B all-to-all overlap on.
func (j Job) statesA2A() bool { return j.A2AOverlap != nil && *j.A2AOverlap }

// a2aOverlap says the plan runs the 1F1B all-to-all overlap: as the job
// states, else where the stack's recipes run it (MoEA2AOverlapDomain, for
// an FP8 job MoEA2AOverlapFP8Domain where larger: on systems whose
// scale-up domain, the whole system's even for a smaller job, holds at
// most that many chips) and Megatron-Core allows it.
func (p *prep) a2aOverlap(pl parallel.Plan) bool {
	if p.job.A2AOverlap != nil {
		return *p.job.A2AOverlap
	}
	dom := p.prof.MoEA2AOverlapDomain.Value
	if p.job.mxfp8Practice() {
		dom = max(dom, p.prof.MoEA2AOverlapFP8Domain.Value)
	}
	return p.m.MoE != nil && dom > 0 && p.prof.EPOverlap1F1B.Value > 0 &&
		float64(max(p.c.ChipsPerNode, p.c.SystemNode)) <= dom && p.a2aBlocker(pl) == ""
}

// sixteenBitPeak is the chip's BF16 (else FP16) dense peak: FP8 training
// recipes (Transformer Engine, Intel's and Huawei's FP8 paths) quantise
// only the transformer layers' linear GEMMs; the attention core (fused
// attention runs in BF16 unless FP8 attention is asked for) and the output
// layer with its cross-entropy stay in 16-bit.
func sixteenBitPeak(c *hardware.Chip) (hardware.Value[units.FLOPRate], bool) {
	if v, ok := c.PeakFor(hardware.BF16); ok {
		return v, true
	}
	return c.PeakFor(hardware.FP16)
}

func precisionsOf(c *hardware.Chip) string {
	var s []string
	for _, p := range hardware.Precisions() {
		if _, ok := c.PeakFor(p); ok {
			s = append(s, string(p))
		}
	}
	return strings.Join(s, ", ")
}

// splitOf says how TP splits an llm GEMM (llm.GEMM.Replicated,
// RowSplit).
func splitOf(g llm.GEMM) gemmKind {
	switch {
	case g.Replicated():
		return replicated
	case g.RowSplit():
		return rowSplit
	}
	return colSplit
}

// devices is the device count of the cluster.
func (p *prep) devices() int { return p.c.Chips * p.devPerChip }

// Devices is the device count the job's plans split on c: its chips ×
// the devices it sees per chip (devicesPerChip).
func (j Job) Devices(c hardware.Cluster) int { return c.Chips * j.devicesPerChip(c) }

// devicesPerChip is the devices the job sees per chip of c: its own
// count, else the chip's (at least 1).
func (j Job) devicesPerChip(c hardware.Cluster) int {
	if j.DevicesPerChip > 0 {
		return j.DevicesPerChip
	}
	return max(c.Chip.DevicesPerChip, 1)
}

// units helper for results.
func sec(x float64) units.Seconds { return units.Seconds(x) }

func bytesOf(x float64) units.Bytes { return units.Bytes(x) }

// moeHostPath is the host time per linear module of a MoE layer's
// forward and whether it is the graph-captured path: the stack's published
// recipes capture the MoE preprocessing in CUDA graphs (with a fused
// dispatcher) on systems whose scale-up domain (the rack, even where the
// job uses fewer of its chips) holds at least MoEGraphMinDomain chips, and
// run uncaptured on smaller ones.
func moeHostPath(prof Profile, c hardware.Cluster) (float64, bool) {
	if dom := prof.MoEGraphMinDomain.Value; dom > 0 && float64(max(c.ChipsPerNode, c.SystemNode)) >= dom {
		return prof.MoEHostGraphed.Value, true
	}
	return prof.MoEHost.Value, false
}

// setMoEPath sets the MoE host path before the expert load: the stack's
// practice for the system (moeHostPath), the graph scope the job states
// (Graphs), the full iteration (stated or the FP8 rack practice) and
// whole-layer graphs; the padding rule (MoEGraphNeedsPad) applies after.
func (p *prep) setMoEPath() {
	prof, job := p.prof, p.job
	p.moeHost, p.moeGraphed = moeHostPath(prof, p.c)
	if p.m.MoE == nil {
		return
	}
	if job.Graphs != nil {
		p.moeHost, p.moeGraphed = prof.MoEHost.Value, false
		if *job.Graphs {
			p.moeHost, p.moeGraphed = prof.MoEHostGraphed.Value, true
		}
	}
	if job.fullIteration(prof, p.c) {
		p.moeHost, p.moeFull = 0, true
	}
	if !p.moeFull && job.statesLayerGraphs() {
		p.moeHost, p.moeGraphed, p.moeLayer = 0, true, true
	}
}

// moeHostFor is the MoE host time per layer forward for plan pl and
// whether it is the graph-captured path: the path moeHostPath gave the
// cluster, except that where the stack's CUDA graphs refuse activation
// recompute (MoEGraphNoRecompute) a plan that recomputes runs its MoE
// layers uncaptured, at MoEHost.
func (p *prep) moeHostFor(pl parallel.Plan) (float64, bool) {
	if p.moeGraphed && !p.moeFull && pl.Recompute != parallel.RecomputeNone && p.prof.MoEGraphNoRecompute.Value >= 0.5 {
		return p.prof.MoEHost.Value * p.moeModules(), false
	}
	return p.moeHost, p.moeGraphed
}

// moeModules is the linear modules (weight GEMMs, a grouped expert GEMM
// counting once) of the model's MoE layer: the host issues each module's
// casts, quantisation, GEMM and bookkeeping, so a MoE layer's host time
// scales with them (DeepSeek-V3's MLA and shared expert: 10; a GQA layer
// with routed experts only, as Qwen3 or Mixtral: 5). 0 for a dense model.
func (p *prep) moeModules() float64 {
	for _, k := range p.kinds {
		if k.expert > 0 {
			return float64(len(k.gemms))
		}
	}
	return 0
}
