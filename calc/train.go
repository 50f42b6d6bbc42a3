package calc

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/runs"
	"chipgap/training"
	"chipgap/units"
)

// minScaleOutGbps is the least scale-out bandwidth a training request
// may state: 1 Gbit/s, far under any NIC a training cluster has (a
// serving link's floor, serve.MinLinkBandwidth, is 1 MB/s), so that a
// tiny rate cannot stretch a step past any clock.
const minScaleOutGbps = 1

// TrainRequest is the input of a training-step estimate (Train) and of a
// plan search (Search): `chipgap train`, POST /api/train/estimate and
// /api/train/search.
type TrainRequest struct {
	Model          string               `json:"model" help:"model preset id (chipgap models)"`
	Chip           string               `json:"chip" help:"chip id (chipgap chips)"`
	Chips          int                  `json:"chips" help:"chips in the job"`
	ChipsPerNode   int                  `json:"chips_per_node" help:"scale-up domain size, at most the chips and a divisor of them (0: the largest divisor of the chips up to the chip's usual node: 12 H100s are 2 nodes of 6)"`
	ScaleOut       units.GigabitsPerSec `json:"scale_out_gbps" help:"scale-out bandwidth per chip, Gbit/s each way, at least 1 (0: the catalog's NIC)"` // Gbit/s
	DevicesPerChip int                  `json:"devices_per_chip" help:"devices the software sees per chip (0: the chip's own)"`
	// Stack is a training-profile id; Framework picks the profile of the
	// chip's stack that lists that framework. Both empty: the chip's
	// default stack.
	Stack     string `json:"stack" help:"training stack profile id of the chip's stack (e.g. cuda-megatron, cuda-mcore; cann-mindspeed on Ascend); not with --software"`
	Framework string `json:"framework" flag:"software" help:"framework name mapped to a stack profile (megatron-lm, megatron-bridge, nemo, llm-foundry, mindspeed, ...), with an optional release ('megatron-bridge 25.09') that picks the stack's dated version (a calendar release no version has, or a date such as 'megatron-core 2025-05-24': the state at that date)"`
	// StackDate takes the profile as it stood on that date.
	StackDate   string      `json:"stack_date" help:"the training stack as it stood on this date, YYYY-MM-DD (default: its current state)"`
	GlobalBatch int         `json:"global_batch,omitempty" zero:"default" help:"sequences per optimizer step (default 2048: Llama 3 405B's 16M tokens at seq 8192)"`
	Seq         int         `json:"seq,omitempty" zero:"default" help:"sequence length in tokens (default 8192, Llama 3 405B's)"`
	Precision   string      `json:"precision" help:"bf16, fp16, fp8 or fp4 (fp4: the linear layers in NVFP4/MXFP4, where the stack has a measured FP4 rate; default bf16)"`
	Tokens      units.Count `json:"tokens" help:"token budget of the whole run, e.g. 15T (adds days and chip-hours; at least one optimizer step, global batch × seq, and at most ten years of failure-free compute)"`
	// ExpertImbalance (MoE) is the hottest expert rank's routed tokens
	// over the mean (0: the stack's); CapacityFactor caps each expert's
	// tokens at that multiple of the mean (absent: dropless).
	ExpertImbalance float64  `json:"expert_imbalance" help:"MoE: the hottest expert rank's routed tokens over the mean, at least 1 (0: the stack's, 1 as benchmarks force balance; dropless training measured 1.75 for Qwen3-235B-A22B over 8 expert ranks)"`
	CapacityFactor  *float64 `json:"capacity_factor" help:"MoE: cap each expert's tokens at this multiple of the mean, dropping the rest (default: the stack's practice: dropless, or the capacity a GShard MoE layer such as ModelLink v1.x's runs)"`
	// PadToCapacity (MoE, with CapacityFactor) pads every expert's input
	// to its capacity: static token counts, no host sync per layer.
	PadToCapacity bool `json:"pad_to_capacity" help:"MoE, with --capacity-factor: pad every expert's input to its capacity (Megatron's drop-and-pad: static shapes, no host sync per MoE layer)"`
	// MoEDispatch (MoE) states the token dispatch path: flat,
	// hierarchical or allgather; empty is the stack's.
	MoEDispatch string `json:"moe_dispatch" help:"MoE: flat (every expert copy crosses the network: an all-to-all dispatcher), hierarchical (a token crosses scale-out once per remote node holding its experts, then fans out over scale-up: DeepEP, HybridEP) or allgather (every token gathered over the expert-TP x EP group and the outputs reduce-scattered back: Megatron-Core's all-gather dispatcher); default: the stack's"`
	// MoEA2AOverlap (MoE) states the 1F1B all-to-all overlap on or off;
	// absent, the stack's practice (on where its recipes run it).
	// FP8Recipe (precision fp8) states how the job scales its FP8
	// tensors; empty is per-tensor.
	FP8Recipe string `json:"fp8_recipe" help:"precision fp8: tensorwise or delayed (one scale per tensor, the default), blockwise (1x128 activation and gradient blocks, 128x128 weight blocks: DeepSeek-V3's recipe; GEMMs at the stack's measured block-wise rate, Hopper only) or mxfp8 (Blackwell); the block recipes gather 16-bit weights"`
	// MoEFullIteration (MoE) states the full-iteration path on or off;
	// absent, the stack's practice.
	MoEFullIteration *bool `json:"moe_full_iteration" help:"MoE: the full-iteration path (the whole step in one CUDA graph with the experts' inputs in paged stash buffers and the fused grouped MLP, as Megatron-Bridge's MXFP8 rack recipes from 26.06 and NVIDIA's MLPerf v6.0 DeepSeek-V3 run): no MoE host time, no routed-expert activation traffic (default: the stack's practice; =false turns it off)"`
	// MoELayerGraphs (MoE, with PadToCapacity) states whole-layer CUDA
	// graphs for the MoE layers.
	MoELayerGraphs *bool `json:"moe_layer_graphs" help:"MoE, with --pad-to-capacity: capture each MoE layer whole in CUDA graphs (Megatron-Core's enable_cuda_graph, as Megatron-Bridge's 25.09 Qwen3-30B-A3B recipes on B200 and GB200 ran them with token drop): no MoE host time; dropless layers cannot be captured (default: the stack's path)"`
	// MoEGraphs (MoE) states CUDA graphs over the router and dispatch
	// preprocessing on or off; absent, the stack's practice.
	MoEGraphs     *bool `json:"moe_graphs" help:"MoE: CUDA graphs over the router and the dispatch preprocessing (Megatron-Core's cuda_graph_scope moe_router, moe_preprocess, as Megatron-Bridge's Qwen3-30B-A3B recipes ran them on 8-GPU B200 nodes): the stack's graph-captured MoE host time per module instead of the uncaptured one (default: the stack's practice, captured on scale-up domains of at least its moe_graph_min_domain chips; =false: uncaptured)"`
	MoEA2AOverlap *bool `json:"moe_a2a_overlap" help:"MoE: the 1F1B all-to-all overlap (Megatron-Core's --overlap-moe-expert-parallel-comm): the dispatch and combine run under another micro-batch's compute, hiding the stack's ep_overlap_1f1b of their time; as in Megatron-Core, only with ep > 1, vpp > 1 when pp > 1, and neither full nor moe recompute (default: the stack's practice, e.g. megatron-bridge on 8-GPU nodes where allowed; =false turns it off)"`
	// Window states a sliding window on the model (0: the model's own).
	Window
	// Plan is the plan Train evaluates (unset fields filled the one way,
	// parallel.Plan.WithDefaults, but an unset sequence parallelism at
	// tp > 1 searched: TrainSetup.estimate) and the space Search explores
	// (set fields fixed, the rest searched).
	Plan PlanRequest `json:"plan"`
	// Top is how many plans Search ranks (default 10).
	Top int `json:"top,omitempty" zero:"default" help:"plans to show with --search (default 10)"`
	// Ranges (default true) adds the estimate at the low and high ends of
	// the chip's catalog ranges.
	Ranges *bool `json:"ranges" flag:"-"`
	// Charts adds the step-time and memory charts to the answer (the
	// API's: the command line prints tables).
	Charts bool `json:"charts" flag:"-" help:"add SVG charts of the step time and the memory to the answer"`
}

// PlanRequest is a parallel plan as a user states it: zero degrees are
// unset. ZeRO and SequenceParallel are pointers so that absent and 0
// differ: an absent ZeRO is the stack's highest stage up to 1 in Train
// and searched in Search.
type PlanRequest struct {
	TP               int    `json:"tp" help:"tensor-parallel degree"`
	PP               int    `json:"pp" help:"pipeline-parallel degree"`
	DP               int    `json:"dp" help:"data-parallel degree (default: what the others leave)"`
	CP               int    `json:"cp" help:"context-parallel degree"`
	EP               int    `json:"ep" help:"expert-parallel degree (MoE)"`
	ETP              int    `json:"etp" help:"expert tensor-parallel degree (MoE; 0: tp, or free with --search); with it ep may span tp·cp·dp"`
	VPP              int    `json:"vpp" help:"virtual pipeline stages per device (interleaved 1F1B)"`
	Microbatch       int    `json:"microbatch" flag:"mb" help:"micro-batch size in sequences"`
	Recompute        string `json:"recompute" help:"none, selective, full or moe (MoE models: the MoE blocks only, as Megatron-Core's --recompute-modules moe)"`
	ZeRO             *int   `json:"zero" help:"ZeRO stage 0-3 (3 = FSDP)"`
	SequenceParallel *bool  `json:"sequence_parallel" flag:"sp" help:"sequence parallelism"`
	StageLayers      []int  `json:"stage_layers" help:"transformer layers per pipeline stage, comma-separated (e.g. 7,8,8,7; sum = layers)"`
	RecomputeLayers  []int  `json:"recompute_layers" help:"layers recomputed per pipeline stage, comma-separated (of the kind --recompute names: full, the default, selective or moe)"`
}

// check rejects plan values no plan can have; the estimator checks the
// rest against the model and the devices.
func (p PlanRequest) check() error {
	if err := nonNegative(intField{"plan.tp", p.TP}, intField{"plan.pp", p.PP}, intField{"plan.dp", p.DP}, intField{"plan.cp", p.CP},
		intField{"plan.ep", p.EP}, intField{"plan.etp", p.ETP}, intField{"plan.vpp", p.VPP}, intField{"plan.microbatch", p.Microbatch}); err != nil {
		return err
	}
	if z := p.ZeRO; z != nil && (*z < 0 || *z > 3) {
		return bad("plan.zero", *z, "want 0, 1, 2 or 3")
	}
	if p.Recompute != "" {
		if _, err := parallel.ParseRecompute(p.Recompute); err != nil {
			return bad("plan.recompute", p.Recompute, "want none, selective, full or moe (MoE models)")
		}
	}
	return nil
}

// space is the search space the plan fixes.
func (p PlanRequest) space(sp parallel.Space) parallel.Space {
	for _, o := range []struct {
		dst *int
		v   int
	}{{&sp.TP, p.TP}, {&sp.PP, p.PP}, {&sp.DP, p.DP}, {&sp.CP, p.CP}, {&sp.EP, p.EP}, {&sp.ETP, p.ETP}, {&sp.VPP, p.VPP}, {&sp.Microbatch, p.Microbatch}} {
		if o.v != 0 {
			*o.dst = o.v
		}
	}
	if p.Recompute != "" {
		sp.Recompute = []parallel.Recompute{parallel.Recompute(p.Recompute)}
	}
	if p.StageLayers != nil {
		sp.StageLayers = p.StageLayers
	}
	if p.RecomputeLayers != nil {
		sp.RecomputeLayers = p.RecomputeLayers
	}
	if p.ZeRO != nil {
		sp.ZeRO = []int{*p.ZeRO}
	}
	if p.SequenceParallel != nil {
		sp.SP = []bool{*p.SequenceParallel}
	}
	return sp
}

// check applies the request's own limits (those that need no catalog).
func (r *TrainRequest) check() error {
	if err := nonNegative(intField{"chips_per_node", r.ChipsPerNode}, intField{"devices_per_chip", r.DevicesPerChip}); err != nil {
		return err
	}
	for _, f := range []intField{{"global_batch", r.GlobalBatch}, {"seq", r.Seq}, {"top", r.Top}} {
		if f.v < 0 {
			return bad(f.name, f.v, "want a positive integer (leave it out for the default)")
		}
	}
	if r.DevicesPerChip > input.MaxDevicesPerChip {
		return bad("devices_per_chip", r.DevicesPerChip, "want 1 to %d (0: the chip's own)", input.MaxDevicesPerChip)
	}
	if r.GlobalBatch > input.MaxGlobalBatch {
		return bad("global_batch", r.GlobalBatch, "want 1 to %d sequences (absent: %d)", input.MaxGlobalBatch, training.DefaultGlobalBatch)
	}
	if r.Seq > input.MaxSeq {
		return bad("seq", r.Seq, "want 1 to %d tokens (absent: %d)", input.MaxSeq, training.DefaultSeq)
	}
	if err := finite("tokens", float64(r.Tokens)); err != nil {
		return err
	}
	if err := finite("scale_out_gbps", float64(r.ScaleOut)); err != nil {
		return err
	}
	if g := r.ScaleOut; g != 0 && g < minScaleOutGbps {
		return bad("scale_out_gbps", float64(g), "want 0 (the catalog's NIC) or at least %g Gbit/s (1e-300 made a step take 1e299 s)", float64(minScaleOutGbps))
	}
	if x := r.ExpertImbalance; x != 0 && !(x >= 1 && x <= maxExpertImbalance) {
		return bad("expert_imbalance", x, "want 1 to %d (the hottest expert rank's tokens over the mean; 1 = balanced), or 0 for the stack's", maxExpertImbalance)
	}
	if c := r.CapacityFactor; c != nil && !(*c > 0 && *c <= 64) {
		return bad("capacity_factor", *c, "want a positive multiple of the mean tokens per expert, up to 64 (absent: dropless)")
	}
	if r.PadToCapacity && r.CapacityFactor == nil {
		return bad("pad_to_capacity", true, "needs a capacity_factor: experts are padded to their capacity (dropless runs have none)")
	}
	if d := r.MoEDispatch; !training.ValidDispatch(d) {
		return bad("moe_dispatch", fmt.Sprintf("%q", d), "want flat, hierarchical or allgather, or empty for the stack's")
	}
	if f := r.FP8Recipe; !training.ValidFP8Recipe(f) {
		return bad("fp8_recipe", fmt.Sprintf("%q", f), "want tensorwise, delayed, blockwise or mxfp8, or empty for per-tensor")
	}
	if r.Stack != "" && r.Framework != "" {
		// As --batch beside --global-batch: one setting, given twice.
		return bad("stack", r.Stack, "picks the training profile, as framework %q does (its stack's profile for that framework, a release its dated version): give one of them", r.Framework)
	}
	if r.StackDate != "" {
		if _, err := time.Parse(time.DateOnly, r.StackDate); err != nil {
			return bad("stack_date", fmt.Sprintf("%q", r.StackDate), "want a date YYYY-MM-DD (the stack as it stood then), or empty for its current state")
		}
	}
	if _, err := hardware.ParsePrecisionOf(cmp.Or(r.Precision, "bf16"), training.Precisions()...); err != nil {
		return bad("precision", r.Precision, "%v", err)
	}
	return r.Plan.check()
}

// TrainSetup is a training request resolved against the catalog: what
// the estimators take.
type TrainSetup struct {
	Model     llm.Model
	ModelID   string // the preset id, or the run id of a published run
	Cluster   hardware.Cluster
	Profile   training.Profile
	StackNote string // which profile and why
	Job       training.Job
	Space     parallel.Space // the plan's fixed dimensions
	ranges    bool
	top       int            // plans a search ranks: Train, which evaluates one plan, refuses it
	scored    *catalog.Score // how the estimator scores on published runs like this one
	// fromRun: a published run's setup (SetupRun), whose unstated plan
	// dimensions Train searches as validate does.
	fromRun bool
	// seqDefault, batchDefault: r left seq or global_batch out (the
	// header marks them).
	seqDefault, batchDefault bool
	// measured: the published run's tokens/s per chip (runMeasured);
	// changed: the request lays its own fields over the run's.
	measured float64
	changed  bool
}

// Setup resolves r against the catalog.
func (r TrainRequest) Setup(cat *catalog.Catalog) (TrainSetup, error) {
	if err := r.check(); err != nil {
		return TrainSetup{}, err
	}
	if err := requireSystem(r.Model, r.Chip, r.Chips); err != nil {
		return TrainSetup{}, err
	}
	var s TrainSetup
	var err error
	if s.Model, err = cat.Model(r.Model); err != nil {
		return s, lookup("model", err)
	}
	if _, err := cat.Chip(r.Chip); err != nil {
		return s, lookup("chip", err)
	}
	if s.Cluster, err = cat.Cluster(r.Chip, r.Chips, catalog.ClusterOptions{ChipsPerNode: r.ChipsPerNode, ScaleOut: r.ScaleOut, WholeNodes: true}); err != nil {
		return s, clusterError(err, r.Chips)
	}
	s.ModelID = r.Model
	s.Job = training.Job{Seq: cmp.Or(r.Seq, training.DefaultSeq), GlobalBatch: cmp.Or(r.GlobalBatch, training.DefaultGlobalBatch), Precision: hardware.Precision(cmp.Or(r.Precision, "bf16")),
		DevicesPerChip: r.DevicesPerChip, Tokens: float64(r.Tokens)}
	s.seqDefault, s.batchDefault = r.Seq == 0, r.GlobalBatch == 0
	return s, r.finish(cat, &s)
}

// SetupRun resolves a published training run (runs.Run) with r's fields
// laid over it: a stack, framework or stack date, the MoE routing and
// any plan field r sets replace the run's own.
func (r TrainRequest) SetupRun(cat *catalog.Catalog, run runs.Run) (TrainSetup, error) {
	if err := r.check(); err != nil {
		return TrainSetup{}, err
	}
	rs, err := runs.SetupTraining(cat, run)
	if err != nil {
		return TrainSetup{}, err
	}
	s := TrainSetup{Model: run.Model, ModelID: run.ID, Cluster: rs.Cluster, Profile: rs.Profile, StackNote: rs.StackNote, Job: rs.Job, Space: rs.Space, fromRun: true}
	own := s
	if err := r.finish(cat, &s); err != nil {
		return s, err
	}
	// The features the run states it used (sequence parallelism, selective
	// recompute, ...) hold on whichever state of the stack r picked, as
	// validate predicts the run.
	s.Profile = runs.StatedFeatures(s.Profile, run)
	if err := (TrainRequest{}).finish(cat, &own); err != nil {
		return s, err
	}
	own.Profile = runs.StatedFeatures(own.Profile, run)
	s.runMeasured(run, own)
	return s, nil
}

// finish picks the stack profile and lays the request's plan and MoE
// fields over s.
func (r TrainRequest) finish(cat *catalog.Catalog, s *TrainSetup) error {
	var err error
	switch {
	case r.Stack != "":
		if s.Profile, err = cat.TrainingProfileOn(r.Stack, s.Cluster.Stack, s.Cluster.ChipID); err != nil {
			return lookup("stack", err)
		}
		s.StackNote = "stack " + r.Stack + " (--stack)"
	case s.Profile.ID == "" || r.Framework != "":
		if err := cat.CheckTrainingFramework(r.Framework); err != nil {
			return err
		}
		if s.Profile, s.StackNote, err = cat.TrainingProfile(s.Cluster.Stack, r.Framework); err != nil {
			return lookup("framework", err)
		}
	}
	if s.Profile, err = s.Profile.At(r.StackDate); err != nil {
		return bad("stack_date", r.StackDate, "%v", err)
	}
	if s.Profile.State != "" {
		s.StackNote += ", as of " + s.Profile.State
	}
	s.Space = r.Plan.space(s.Space)
	if s.Model, err = r.Window.apply(s.Model); err != nil {
		return err
	}
	if r.ExpertImbalance != 0 {
		s.Job.ExpertImbalance = r.ExpertImbalance
	}
	if r.CapacityFactor != nil {
		s.Job.CapacityFactor = *r.CapacityFactor
	}
	// A published run's own MoE facts (runs.Training) hold unless the
	// request states otherwise.
	s.Job.PadToCapacity = s.Job.PadToCapacity || r.PadToCapacity
	if r.MoEDispatch != "" {
		s.Job.Dispatch = r.MoEDispatch
	}
	if r.MoEA2AOverlap != nil {
		s.Job.A2AOverlap = r.MoEA2AOverlap
	}
	if r.MoEFullIteration != nil || r.MoEGraphs != nil || r.MoELayerGraphs != nil {
		// A request stating a MoE graph path replaces the run's.
		s.Job.FullIteration, s.Job.Graphs, s.Job.LayerGraphs = r.MoEFullIteration, r.MoEGraphs, r.MoELayerGraphs
	}
	if r.FP8Recipe != "" {
		s.Job.FP8Recipe = r.FP8Recipe
	}
	s.ranges, s.top = r.Ranges == nil || *r.Ranges, r.Top
	if sc, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "training", Vendor: s.Cluster.Chip.Vendor, Family: catalog.Family(s.Cluster.Chip), Precision: string(s.Job.Precision),
		MoE: s.Model.MoE != nil, Chips: s.Cluster.Chips, Stack: s.Profile.ID}); ok {
		s.scored = &sc
	}
	return nil
}

// Devices is the device count a plan splits (training.Job.Devices: the
// request's devices per chip, else the chip's).
func (s TrainSetup) Devices() int { return s.Job.Devices(s.Cluster) }

// Plan is the one plan the setup's fixed dimensions give:
// parallel.Plan.WithDefaults fills the rest, and an unset ZeRO is the
// stack's highest stage up to 1.
func (s TrainSetup) Plan() parallel.Plan {
	sp := s.Space
	p := parallel.Plan{TP: sp.TP, PP: sp.PP, CP: sp.CP, EP: sp.EP, ETP: sp.ETP, VPP: sp.VPP, Microbatch: sp.Microbatch, DP: sp.DP,
		StageLayers: sp.StageLayers, RecomputeLayers: sp.RecomputeLayers}
	if len(sp.Recompute) > 0 {
		p.Recompute = sp.Recompute[0]
	}
	p.ZeRO = min(1, int(s.Profile.MaxZeRO.Value))
	if len(sp.ZeRO) > 0 {
		p.ZeRO = sp.ZeRO[0]
	}
	p.SequenceParallel = len(sp.SP) > 0 && sp.SP[0]
	return p.WithDefaults(s.Devices())
}

// TrainHeader names what every training answer is about.
type TrainHeader struct {
	Model   string `json:"model"`
	Chip    string `json:"chip"`
	Chips   int    `json:"chips"`
	PerNode int    `json:"chips_per_node"`
	// DevicesPerChip is the devices the software sees per chip (a 910C's
	// two dies): the plan's degrees and the memory count devices;
	// DevicesStated: the request gave it (devices_per_chip).
	DevicesPerChip int     `json:"devices_per_chip"`
	DevicesStated  bool    `json:"-"`
	Stack          string  `json:"software_stack"`
	StackNote      string  `json:"stack_note"`
	Seq            int     `json:"seq"`
	Batch          int     `json:"global_batch"`
	Precision      string  `json:"precision"`
	Tokens         float64 `json:"tokens,omitempty"`
	// SeqDefault and BatchDefault: the request gave no seq or global
	// batch, so the job took the defaults (the text marks them; the
	// JSON's seq and global_batch are the values used).
	SeqDefault   bool `json:"-"`
	BatchDefault bool `json:"-"`
	// Scored is how the training estimator scores on published runs of
	// the chip's vendor and this kind of model (catalog scorecard.yaml).
	Scored *catalog.Score `json:"scored,omitempty"`
}

// practiceCase is what the stack's published practice judges the
// setup's plans against (training.PracticeCase).
func (s TrainSetup) practiceCase() training.PracticeCase {
	return training.NewPracticeCase(s.Model, s.Job.Seq, s.Cluster.ChipsPerNode*(s.Devices()/s.Cluster.Chips))
}

// Header is the setup's header.
func (s TrainSetup) Header() TrainHeader {
	return TrainHeader{Model: s.ModelID, Chip: s.Cluster.ChipID, Chips: s.Cluster.Chips, PerNode: s.Cluster.ChipsPerNode,
		DevicesPerChip: s.Devices() / s.Cluster.Chips, DevicesStated: s.Job.DevicesPerChip > 0,
		Stack: s.Profile.ID, StackNote: s.StackNote, Seq: s.Job.Seq, Batch: s.Job.GlobalBatch, Precision: string(s.Job.Precision), Tokens: s.Job.Tokens,
		SeqDefault: s.seqDefault, BatchDefault: s.batchDefault, Scored: s.scored}
}

// TrainEstimate is one plan's training step, with the run's rental cost
// for a token budget and the spread over the chip's catalog ranges.
type TrainEstimate struct {
	Header TrainHeader
	training.Result
	Cost   *RentalCost
	Ranges *TrainRanges
	// Searched is the plans a published run's unstated dimensions gave
	// (0: the plan was fixed).
	Searched int
	// Levers are the MoE settings the plan leaves unstated that would
	// speed it up (moeLevers).
	Levers []MoELever
	// Band is what published runs of the scored regime measured where
	// the estimator predicted this plan's tokens/s per chip.
	Band *MeasuredBand
	// Measured is a published run's own measurement (train --file).
	Measured *RunMeasured
	// Span: the plan's tp (or tp·cp) crosses nodes.
	Span *NodeSpan
	// Unstated: the plan dimensions a flag plan left out and what they
	// took.
	Unstated []Unstated
}

// MoELever is a MoE setting a request could state (its request field and
// value) and the plan's throughput with it: what the default assumes and
// what stating the recipe's setting would give.
type MoELever struct {
	Setting             string  `json:"setting"`
	TokensPerSecPerChip float64 `json:"tokens_per_s_per_chip"`
	Gain                float64 `json:"gain"` // over the estimate, a fraction
}

// moeLevers estimates the plan of r again with each MoE setting the job
// leaves at a slower default: hierarchical dispatch where the step used
// the flat one, the 1F1B all-to-all overlap where the stack offers it, the
// full-iteration path, and for a padded job on the uncaptured path
// whole-layer CUDA graphs;
// a setting that gains under 0.5 % is left out. Only MoE plans with expert
// parallelism have levers.
func (s TrainSetup) moeLevers(r training.Result) []MoELever {
	if s.Model.MoE == nil || r.Plan.EP <= 1 || r.TokensPerSecPerChip <= 0 {
		return nil
	}
	var out []MoELever
	try := func(setting string, job training.Job) {
		alt, err := training.Estimate(s.Model, r.Plan, s.Cluster, s.Profile, job)
		if g := alt.TokensPerSecPerChip/r.TokensPerSecPerChip - 1; err == nil && g > 0.005 {
			out = append(out, MoELever{Setting: setting, TokensPerSecPerChip: alt.TokensPerSecPerChip, Gain: g})
		}
	}
	if r.MoEDispatch == training.DispatchFlat {
		j := s.Job
		j.Dispatch = training.DispatchHierarchical
		try("moe_dispatch=hierarchical", j)
	}
	if !r.MoEA2AOverlap && s.Job.A2AOverlap == nil && s.Profile.EPOverlap1F1B.Value > 0 {
		j := s.Job
		on := true
		j.A2AOverlap = &on
		try("moe_a2a_overlap=true", j)
	}
	if r.MoEHostPath != training.MoEPathFullIteration && s.Job.FullIteration == nil {
		j := s.Job
		on := true
		j.FullIteration, j.Graphs, j.LayerGraphs = &on, nil, nil
		try("moe_full_iteration=true", j)
	}
	if r.MoEHostPath == training.MoEPathUncaptured && s.Job.Graphs == nil && s.Profile.MoEHostGraphed.Value > 0 {
		j := s.Job
		on := true
		j.Graphs = &on
		try("moe_graphs=true", j)
	}
	if s.Job.PadToCapacity && s.Job.LayerGraphs == nil && r.MoEHostPath == training.MoEPathUncaptured {
		j := s.Job
		on := true
		j.LayerGraphs, j.Graphs = &on, nil
		try("moe_layer_graphs=true", j)
	}
	return out
}

// Train estimates one training step on the setup's plan. For a published
// run (SetupRun) that is the plan validate predicts the run at: the
// fastest within what the run states, its unstated dimensions searched,
// and where one of those plans is, within the stack's published practice.
// Otherwise (or when no plan of the run's fits) it is the one plan the
// fixed dimensions and the defaults give (Plan), sequence parallelism
// searched where it is unstated at tp > 1 (estimate). A plan that does not fit
// returns the estimate's header with a *training.NotFitError.
func Train(s TrainSetup) (TrainEstimate, error) {
	if s.top != 0 {
		return TrainEstimate{Header: s.Header()}, bad("top", s.top, "ranks the plans of a search (POST /api/train/search, train --search); an estimate evaluates one plan: leave it out")
	}
	if s.fromRun {
		// One worker, as validate searches: the same plan on a tie.
		sr, err := training.Search(s.Model, s.Cluster, s.Profile, s.Job, training.SearchOptions{Space: s.Space, Top: 1, Workers: 1})
		if err == nil && len(sr.Top) > 0 {
			e := s.describe(sr.Best())
			e.Searched, e.Measured = sr.Evaluated, s.measuredOf(e)
			return e, s.budget(sr.Best())
		}
	}
	r, err := s.estimate()
	if err != nil {
		if errors.Is(err, training.ErrDoesNotFit) && !s.fromRun && s.noDegrees() {
			err = fmt.Errorf("%w; no parallel degree was given, so the plan is pure data parallelism: a plan search (train --search, POST /api/train/search) ranks the plans that fit", err)
		}
		return TrainEstimate{Header: s.Header()}, s.planError(err)
	}
	e := s.describe(r)
	e.Measured, e.Unstated = s.measuredOf(e), s.unstated(r)
	return e, s.budget(r)
}

// estimate is the stated plan's step (Plan), sequence parallelism
// searched where the request leaves it out at tp > 1, as a published
// run's unstated dimensions are: the faster of off and on (as the stack
// offers it), within the stack's published practice where one is.
func (s TrainSetup) estimate() (training.Result, error) {
	pl := s.Plan()
	if len(s.Space.SP) == 0 && pl.TP > 1 {
		etp := pl.ETP
		if etp == 0 && s.Model.MoE != nil {
			etp = pl.TP // a free etp would be searched
		}
		sp := parallel.Space{TP: pl.TP, PP: pl.PP, DP: pl.DP, CP: pl.CP, EP: pl.EP, ETP: etp, VPP: pl.VPP, Microbatch: pl.Microbatch,
			Recompute: []parallel.Recompute{pl.Recompute}, ZeRO: []int{pl.ZeRO}, StageLayers: pl.StageLayers, RecomputeLayers: pl.RecomputeLayers}
		sr, err := training.Search(s.Model, s.Cluster, s.Profile, s.Job, training.SearchOptions{Space: sp, Top: 1, Workers: 1})
		if err == nil && len(sr.Top) > 0 {
			return sr.Best(), nil
		}
	}
	return training.Estimate(s.Model, pl, s.Cluster, s.Profile, s.Job)
}

// budget holds a token budget to what `chipgap run` takes: at least one
// optimizer step (QA: 15 tokens printed 0.0 days) and at most ten years
// (maxRunDays) of failure-free compute at the plan's rate (QA: 1e300
// tokens printed a 290-digit number of days).
func (s TrainSetup) budget(r training.Result) error {
	if s.Job.Tokens <= 0 {
		return nil
	}
	f := stepFloor(s.Job.GlobalBatch, s.Job.Seq, s.Cluster, r.TokensPerSec)
	if err := f.tokens(units.Count(s.Job.Tokens), s.Job.Tokens); err != nil {
		return err
	}
	return input.TokenBudget("tokens", units.Count(s.Job.Tokens), s.Job.Tokens, r.TokensPerSec, clusterText(s.Cluster))
}

// clusterText names a cluster in a token budget's refusal: "8 × h100-sxm".
func clusterText(c hardware.Cluster) string { return fmt.Sprintf("%d × %s", c.Chips, c.ChipID) }

// noDegrees says the request fixed no parallel degree, so Plan is the
// defaults' pure data parallelism.
func (s TrainSetup) noDegrees() bool {
	sp := s.Space
	return sp.TP == 0 && sp.PP == 0 && sp.DP == 0 && sp.CP == 0 && sp.EP == 0 && sp.VPP == 0 && sp.ETP == 0
}

// describe adds the cost and ranges to an estimate.
func (s TrainSetup) describe(r training.Result) TrainEstimate {
	out := TrainEstimate{Header: s.Header(), Result: r}
	if r.ChipTime > 0 {
		out.Cost = rentalCost(s.Cluster.Chip, r.ChipTime)
	}
	if s.ranges {
		out.Ranges = s.rangesOf(r)
	}
	out.Levers = s.moeLevers(r)
	out.Band = measuredBand(s.scored, r.TokensPerSecPerChip)
	out.Span = s.nodeSpan(r.Plan)
	return out
}

// planError names a plan field by its request path ("plan.tp"), and
// where the software sees several devices per chip (a 910C's two dies)
// says that the degrees count devices, not the chips the request gave.
func (s TrainSetup) planError(err error) error {
	var fe *input.Error
	if !errors.As(err, &fe) {
		return err
	}
	c := *fe
	if parallel.IsPlanField(fe.Field) {
		c.Field = "plan." + fe.Field
	}
	if d, n := s.Devices(), s.Cluster.Chips; d != n && strings.Contains(c.Want, "devices") {
		c.Want += fmt.Sprintf(" (%d chips × %d devices each: parallel degrees count devices)", n, d/n)
	}
	return &c
}

// TrainSearch is a plan search's answer: the ranked plans and the best
// one in detail.
type TrainSearch struct {
	Header TrainHeader
	training.SearchResult
	Best     *TrainEstimate
	Profile  training.Profile      // the stack searched, for its practice limits
	Practice training.PracticeCase // what those limits judge a plan against
}

// Band is the best plan's (Best.Band); nil without a plan or a band.
func (s TrainSearch) Band() *MeasuredBand {
	if s.Best == nil {
		return nil
	}
	return s.Best.Band
}

// SearchOptions steer a search; the zero value is the default.
type SearchOptions struct {
	Top      int                   // plans to rank (0: 10)
	Progress func(done, total int) // called as plan shapes finish
}

// Search ranks every valid plan of the setup's space. With no plan that
// fits it returns the counts with training.ErrNoPlan.
func Search(s TrainSetup, o SearchOptions) (TrainSearch, error) {
	sr, err := training.Search(s.Model, s.Cluster, s.Profile, s.Job, training.SearchOptions{Space: s.Space, Top: cmp.Or(o.Top, 10), Progress: o.Progress})
	out := TrainSearch{Header: s.Header(), SearchResult: sr, Profile: s.Profile, Practice: s.practiceCase()}
	if err != nil {
		return out, s.planError(err)
	}
	if len(sr.Top) > 0 {
		best := s.describe(sr.Top[0])
		out.Best = &best
		return out, s.budget(sr.Top[0])
	}
	return out, nil
}

// CountPlans counts the valid plans Search tries over the setup's space,
// after the stack's restrictions and the scale-up domain's bound on TP
// (training.SearchSpace; parallel.Space.CountPlans, the count a sweep's
// budget takes too), or limit+1 where there are more than limit: what a
// server checks before it admits a search.
func (s TrainSetup) CountPlans(limit int) int {
	prob, sp := training.SearchSpace(s.Model, s.Cluster, s.Profile, s.Job, s.Space)
	if n := sp.CountPlans(prob); n <= limit {
		return n
	}
	return limit + 1
}

// TrainView is POST /api/train/estimate's answer and `chipgap train
// --json`'s: the header (model, chip, chips, stack, sequence, batch,
// precision, tokens, how the estimator scores), the result, and the
// cost, ranges, MoE levers and measured band the estimate carries.
type TrainView struct {
	TrainHeader
	training.Result
	// Profile is the header's stack note (the API's first name for it).
	Profile string       `json:"profile"`
	Cost    *RentalCost  `json:"cost,omitempty"`
	Charts  []Chart      `json:"charts,omitempty"`
	Ranges  *TrainRanges `json:"ranges,omitempty"`
	// MoELevers: what stating each MoE setting the plan leaves at a slower
	// default would give.
	MoELevers []MoELever `json:"moe_levers,omitempty"`
	// MeasuredBand is the 80 % band of what a source of the scored regime
	// measures where the estimator predicted this throughput (its P10–P90
	// widened, catalog.Score.Band).
	MeasuredBand *MeasuredBand `json:"measured_band,omitempty"`
	// Measured: what the published run measured (train --file), with
	// validate's error.
	Measured *RunMeasured `json:"measured,omitempty"`
	// NodeSpan: the plan's tp (or tp·cp) group crosses nodes.
	NodeSpan *NodeSpan `json:"node_span,omitempty"`
	// Unstated: the plan dimensions the request left out and what they
	// took.
	Unstated []Unstated `json:"unstated,omitempty"`
}

// View is the estimate as POST /api/train/estimate returns it, with
// its step and memory charts when charts is true.
func (e TrainEstimate) View(charts bool) TrainView {
	h := e.Header
	out := TrainView{TrainHeader: h, Result: e.Result, Profile: h.StackNote, Cost: e.Cost, Ranges: e.Ranges, MoELevers: e.Levers, MeasuredBand: e.Band, Measured: e.Measured, NodeSpan: e.Span, Unstated: e.Unstated}
	if charts {
		out.Charts = TrainCharts(e.Result)
	}
	return out
}
