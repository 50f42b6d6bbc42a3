package training

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"chipgap/input"
)

// Basis says where a profile parameter comes from.
type Basis string

// Bases of a parameter.
const (
	Sourced    Basis = "sourced"    // published; Sources name it
	Calibrated Basis = "calibrated" // fitted; Note says on which runs and how
	Assumed    Basis = "assumed"    // nobody published it; Note says why this value
)

// Param is one efficiency parameter of a software stack with its basis.
type Param struct {
	Value   float64  `yaml:"value" json:"value"`
	Basis   Basis    `yaml:"basis" json:"basis"`
	Sources []string `yaml:"sources,omitempty" json:"sources,omitempty"`
	Note    string   `yaml:"note,omitempty" json:"note,omitempty"`
	// From names the profile whose calibrated value of the same parameter
	// this one takes over (a transfer, not a fit of this profile's runs);
	// the catalog checks the two agree.
	From string `yaml:"from,omitempty" json:"from,omitempty"`
}

// Profile is what a software stack (CUDA + Megatron, CANN + MindSpeed, …)
// reaches on the hardware: the efficiencies the first-principles model
// multiplies peak rates by. It is data (catalog/data/stacks-training.yaml),
// so "the ecosystem" is explicit and every output names the stack.
type Profile struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
	// MatmulMax is the fraction of dense peak a large GEMM reaches.
	MatmulMax Param `yaml:"matmul_max" json:"matmul_max"`
	// MatmulHalfFLOP is the size (FLOPs of one GEMM call on one device) at
	// which a GEMM reaches half of MatmulMax: eff = max·F/(F + F½).
	MatmulHalfFLOP Param `yaml:"matmul_half_flop" json:"matmul_half_flop"`
	// MatmulFixed, when above 0, replaces MatmulHalfFLOP by a time: the
	// fixed cost of one GEMM call beyond its FLOPs at the large-GEMM rate
	// (launch, prologue and epilogue, the last partial wave), seconds. A
	// call of F FLOPs then takes F/(peak·max) + MatmulFixed, which is the
	// same curve with F½ = MatmulFixed·peak·max: a faster chip or
	// precision needs a larger GEMM to reach the same share of its peak.
	MatmulFixed Param `yaml:"matmul_fixed_s" json:"matmul_fixed_s"`
	// ExpertGEMMStreams is how many of a grouped expert GEMM's per-expert
	// GEMMs run at once: the stack issues one GEMM call per local expert
	// over this many streams, so each wave of that many calls pays one
	// call's fixed cost (the GEMM-size curve at their summed FLOPs); 1:
	// one call after another.
	ExpertGEMMStreams Param `yaml:"expert_gemm_streams" json:"expert_gemm_streams"`
	// FamilyMatmul scales MatmulMax and FP8Max per chip family, keyed by
	// the first word of the chip's architecture in lower case ("ampere",
	// "hopper"); a family not listed uses 1.
	FamilyMatmul map[string]Param `yaml:"family_matmul,omitempty" json:"family_matmul,omitempty"`
	// FamilyAttention scales AttentionEff per chip family, keyed as
	// FamilyMatmul: a fused-attention kernel written for one generation
	// reaches a different share of another's peak (1 where not listed).
	FamilyAttention map[string]Param `yaml:"family_attention,omitempty" json:"family_attention,omitempty"`
	// FamilyFP8 scales FP8Max again per chip family, keyed as FamilyMatmul:
	// a generation's FP8 GEMMs (casts, scaling, the kernels a release
	// ships for it) may reach a different share of the FP8 peak than its
	// 16-bit GEMMs do of theirs (1 where not listed).
	FamilyFP8 map[string]Param `yaml:"family_fp8,omitempty" json:"family_fp8,omitempty"`
	// FamilyFP8Blockwise is, per chip family (keyed as FamilyMatmul), the
	// rate of the FP8 GEMMs a job with the block-wise recipe runs (1 x 128
	// activation and gradient blocks, 128 x 128 weight blocks: DeepSeek-V3's
	// recipe, Transformer Engine's Float8BlockScaling; Job.FP8Recipe) over
	// the per-tensor rate FP8Max and FamilyFP8 give; a family not listed
	// has no known block-wise rate, and such a job is refused there.
	FamilyFP8Blockwise map[string]Param `yaml:"family_fp8_blockwise,omitempty" json:"family_fp8_blockwise,omitempty"`
	// FamilyFP4 is, per chip family (keyed as FamilyMatmul), the share of
	// the chip's FP4 peak an FP4 job's quantised linear GEMMs reach
	// (NVFP4 or MXFP4 blocks, their scaling, casts and transforms
	// included): the FP4 GEMM ceiling, in place of FP8Max and FamilyFP8. A
	// family not listed has no measured FP4 training recipe on the stack,
	// and an FP4 job is refused there.
	FamilyFP4 map[string]Param `yaml:"family_fp4,omitempty" json:"family_fp4,omitempty"`
	// ChipTensor scales the tensor-core work (MatmulMax, FP8Max and
	// AttentionEff) once more for one chip, keyed by its catalog id
	// ("gb200"), where the stack at some state reached less (or more) of
	// that chip's rated peaks than of its family's other members' (1 where
	// not listed).
	ChipTensor map[string]Param `yaml:"chip_tensor,omitempty" json:"chip_tensor,omitempty"`
	// FP8Max is MatmulMax for FP8 GEMMs (scaling and casts cost more).
	FP8Max Param `yaml:"fp8_max" json:"fp8_max"`
	// AttentionEff is the fraction of peak the attention score and value
	// products reach (with AttentionExpRatio, of the serial time of those
	// products on the 16-bit peak and the softmax's exponentials on the
	// chip's special-function units).
	AttentionEff Param `yaml:"attention_eff" json:"attention_eff"`
	// AttentionExpRatio, when positive, prices a fused attention's softmax
	// apart from its GEMMs: one exponential per score element and pass
	// (the backward recomputes it), at the chip's exp_rate, added to the
	// products' time before AttentionEff; a chip that states no exp_rate
	// is taken to have this many exponentials per second per 16-bit
	// FLOP/s. 0: attention time from its FLOPs alone.
	AttentionExpRatio Param `yaml:"attention_exp_ratio" json:"attention_exp_ratio"`
	// AttentionRampTokens (s₀) and AttentionRampExp (k), with s₀ > 0, make
	// a fused attention's efficiency depend on the tokens ℓ one kernel
	// call spans (the sequence, split over CP): its time is
	// (1 + (s₀/ℓ)^k) / (1 + (s₀/16384)^k) times the time at AttentionEff,
	// which so refers to 16,384 tokens. Short calls reach less: fixed
	// per-row work (loading Q, writing O and the softmax statistics, the
	// backward's dO·O pass) and the causal diagonal's masked tiles weigh
	// more against s² products. 0: no length dependence.
	AttentionRampTokens Param `yaml:"attention_ramp_tokens" json:"attention_ramp_tokens"`
	AttentionRampExp    Param `yaml:"attention_ramp_exp" json:"attention_ramp_exp"`
	// FlashAttention: fused attention (causal blocks skipped, no s² tensor
	// in memory). 0 or 1.
	FlashAttention Param `yaml:"flash_attention" json:"flash_attention"`
	// EagerNorm (0 or 1): the layers' norms run as eager element-wise ops
	// (AscendSpeed's 2023 RMSNorm: pow, mean, rsqrt and two products)
	// instead of one fused kernel; see eagerNormBytes.
	EagerNorm Param `yaml:"eager_norm" json:"eager_norm"`
	// AttentionPadV (0 or 1): the stack's fused attention takes the value
	// heads at the query/key head width, so an MLA layer's values
	// (v_head_dim under qk_nope + qk_rope) are zero-padded to it and the
	// kernel's second product runs that much wider.
	AttentionPadV Param `yaml:"attention_pad_v" json:"attention_pad_v"`
	// MemoryEff is the fraction of HBM bandwidth memory-bound operations
	// (norms, activations, softmax, optimizer) reach.
	MemoryEff Param `yaml:"memory_eff" json:"memory_eff"`
	// ScaleUpEff and ScaleOutEff are the fractions of link bandwidth the
	// collective library reaches on each tier.
	ScaleUpEff  Param `yaml:"scale_up_eff" json:"scale_up_eff"`
	ScaleOutEff Param `yaml:"scale_out_eff" json:"scale_out_eff"`
	// TPOverlap, DPOverlap, EPOverlap, PPOverlap are the fractions of each
	// kind of communication hidden behind compute (DP: behind the last
	// micro-batch's backward pass; ZeRO-3 gathers behind each layer).
	TPOverlap Param `yaml:"tp_overlap" json:"tp_overlap"`
	DPOverlap Param `yaml:"dp_overlap" json:"dp_overlap"`
	EPOverlap Param `yaml:"ep_overlap" json:"ep_overlap"`
	// TPOverlapDense is the share of the TP collectives of layers without
	// routed experts that the stack hides with kernels its MoE layers do
	// not run (MindSpeed's MC2, a matmul fused with its all-gather or
	// reduce-scatter); such a layer hides the larger of it and TPOverlap.
	TPOverlapDense Param `yaml:"tp_overlap_dense" json:"tp_overlap_dense"`
	// EPOverlap1F1B is EPOverlap for a job that states the 1F1B
	// all-to-all overlap (Job.A2AOverlap, or the stack's practice:
	// MoEA2AOverlapDomain; Megatron-Core's
	// --overlap-moe-expert-parallel-comm, one micro-batch's dispatch and
	// combine under another's compute); 0 where the stack has none.
	EPOverlap1F1B Param `yaml:"ep_overlap_1f1b" json:"ep_overlap_1f1b"`
	// MoEA2AOverlapDomain is published practice: the stack's recipes run
	// the 1F1B all-to-all overlap on every plan Megatron-Core allows it
	// for (prep.a2aAllowed) on systems whose scale-up domain holds at
	// most this many chips; 0: not practice (a job states it). A job's
	// own setting (Job.A2AOverlap) wins.
	MoEA2AOverlapDomain Param `yaml:"moe_a2a_overlap_domain" json:"moe_a2a_overlap_domain"`
	// MoEA2AOverlapFP8Domain is MoEA2AOverlapDomain for FP8 jobs where it
	// reaches further: the stack's FP8 recipes run the overlap on
	// scale-up domains of at most this many chips (Megatron-Bridge's MXFP8
	// MoE recipes on NVL72 racks from 26.06); 0: as MoEA2AOverlapDomain.
	MoEA2AOverlapFP8Domain Param `yaml:"moe_a2a_overlap_fp8_domain" json:"moe_a2a_overlap_fp8_domain"`
	PPOverlap              Param `yaml:"pp_overlap" json:"pp_overlap"`
	// WeightBytes is the bytes per parameter of the resident weights (2:
	// 16-bit weights beside fp32 master copies; 4: fp32 parameters cast
	// to 16-bit for compute), OptimizerBytes the bytes of optimizer state
	// per parameter (12: fp32 master weights and two Adam moments; 8: the
	// two moments when the weights are fp32 already).
	WeightBytes    Param `yaml:"weight_bytes" json:"weight_bytes"`
	OptimizerBytes Param `yaml:"optimizer_bytes" json:"optimizer_bytes"`
	// OptimizerStepBytes is the memory traffic of the optimizer update per
	// parameter of the device's shard (34: a fused Adam reading and writing
	// fp32 master weight and moments, reading the gradient, writing the
	// 16-bit weight).
	OptimizerStepBytes Param `yaml:"optimizer_step_bytes" json:"optimizer_step_bytes"`
	// GradAccumBytes is the memory traffic per weight and micro-batch of
	// a weight-gradient accumulation run apart from the weight-gradient
	// GEMM (the GEMM writes a 16-bit gradient; a separate add reads it
	// and reads and writes the fp32 gradient buffer: 2 + 4 + 4 bytes),
	// streamed at the HBM bandwidth; 0 where the GEMM accumulates into
	// the fp32 buffer itself (Megatron's gradient_accumulation_fusion).
	GradAccumBytes Param `yaml:"grad_accum_bytes" json:"grad_accum_bytes"`
	// GradBytes is the bytes per parameter of the gradient buffer and its
	// data-parallel reduction (2: bf16/fp16; 4: fp32 main grads).
	GradBytes Param `yaml:"grad_bytes" json:"grad_bytes"`
	// FP8ParamGather (0 or 1): in an FP8 job the data-parallel all-gather
	// of updated weights (ZeRO 1-2) and the sharded-weight gathers
	// (ZeRO 3) move the FP8 copy of each weight, 1 byte, instead of its
	// 16-bit one (Megatron-Core's fp8_param_gather with per-tensor scaled
	// FP8; NeMo and Megatron-Bridge FP8 recipes set it).
	FP8ParamGather Param `yaml:"fp8_param_gather" json:"fp8_param_gather"`
	// HalfParams (0 or 1): the stack may keep its fp32 parameters (and so
	// their gradients, which take the parameters' type) in 16 bits, as
	// MindFormers configs do with param_init_type float16/bfloat16; the
	// optimizer's moments stay fp32. Used only where fp32 parameters do
	// not fit: by a stated plan that needs it, by a search only when no
	// plan of the job fits with fp32 ones (parallel.Plan.HalfParams).
	// Needs weight_bytes and grad_bytes 4.
	HalfParams Param `yaml:"half_params" json:"half_params"`
	// HalfMoments (0 or 1): the stack may keep Adam's two moments in 16
	// bits instead of fp32 (Megatron-Core's precision-aware optimizer,
	// --exp-avg-dtype and --exp-avg-sq-dtype; NeMo 1.0's distributed
	// Adam with dtype bf16), 4 bytes less per parameter in
	// OptimizerBytes and 8 less in OptimizerStepBytes. Used, as
	// HalfParams, only where fp32 moments do not fit
	// (parallel.Plan.HalfMoments). Needs optimizer_bytes ≥ 8 and
	// optimizer_step_bytes ≥ 16 (two fp32 moments to halve).
	HalfMoments Param `yaml:"half_moments" json:"half_moments"`
	// LayerOverhead is fixed time per layer per forward or backward pass
	// (kernel launches, synchronisation), seconds.
	LayerOverhead Param `yaml:"layer_overhead_s" json:"layer_overhead_s"`
	// StepHost is a fixed time per optimizer step that no pass of the
	// model accounts for (s): the training loop's per-step work outside
	// the step's GPU work, exposed because the step ends waiting on the
	// host (the optimizer launched eagerly outside the CUDA graphs, the
	// gradient-norm check, the loss and timing bookkeeping). It is
	// charged with the optimizer's time.
	StepHost Param `yaml:"step_host_s" json:"step_host_s"`
	// WeightCastBytes is the memory traffic per weight of the device's
	// layers that an FP8 or FP4 job's fused weight cast moves once per
	// optimizer step: each GEMM weight is quantised into the copies its
	// products read (row-wise for the forward, column-wise for the
	// backward) on the step's first micro-batch and reused by the others
	// (Transformer Engine's is_first_microbatch cache), reading the
	// 16-bit weight and writing the two low-precision copies. Where the
	// weights are kept and gathered in FP8 (FP8ParamGather with a
	// per-tensor recipe) only the column-wise copy is made, from the
	// 1-byte weight: 2 bytes. Charged with the optimizer's time; 0: none.
	WeightCastBytes Param `yaml:"weight_cast_bytes" json:"weight_cast_bytes"`
	// MemoryReserved is the framework's fixed memory (context, workspaces,
	// communication buffers), bytes; MemoryFragmentation the fraction of
	// the rest lost to the allocator.
	MemoryReserved      Param `yaml:"memory_reserved" json:"memory_reserved"`
	MemoryFragmentation Param `yaml:"memory_fragmentation" json:"memory_fragmentation"`
	// CommBuffer is the device memory the collective library holds per
	// communicator a rank joins (HCCL: send and receive buffers of
	// HCCL_BUFFSIZE each), bytes; 0 where memory_reserved covers them.
	// The plan sets how many communicators a rank joins (communicators).
	CommBuffer Param `yaml:"comm_buffer_bytes" json:"comm_buffer_bytes"`
	// Features the framework offers: the highest ZeRO stage, and (0 or 1)
	// selective recompute, sequence parallelism and the interleaved
	// schedule. A search stays within them; Estimate rejects a plan that
	// asks for more.
	MaxZeRO            Param `yaml:"max_zero" json:"max_zero"`
	SelectiveRecompute Param `yaml:"selective_recompute" json:"selective_recompute"`
	SequenceParallel   Param `yaml:"sequence_parallel" json:"sequence_parallel"`
	Interleaved        Param `yaml:"interleaved" json:"interleaved"`
	// ShardingExcludesPP (0 or 1): the stack shards gradients and weights
	// (ZeRO 2–3) only through an FSDP path that excludes pipeline
	// parallelism (Megatron-FSDP); 0: they combine with any PP.
	ShardingExcludesPP Param `yaml:"sharding_excludes_pp" json:"sharding_excludes_pp"`
	// ShardingEP (0 or 1): the stack's ZeRO 2–3 path combines with expert
	// parallelism; 0: a plan that shards gradients or weights runs ep 1
	// (Megatron-FSDP before Megatron-Core 0.13.0, whose changelog adds
	// "EP + custom FSDP training").
	ShardingEP Param `yaml:"sharding_ep" json:"sharding_ep"`
	// ContextParallel (0 or 1): the framework splits a sequence over
	// devices (CP > 1).
	ContextParallel Param `yaml:"context_parallel" json:"context_parallel"`
	// MoECP (0 or 1): expert parallelism combines with context
	// parallelism, the expert ranks drawn from the DP × CP ranks; 0: a
	// plan with ep > 1 runs cp 1 and an ep that divides dp (Megatron-Core
	// before 0.8.0).
	MoECP Param `yaml:"moe_cp" json:"moe_cp"`
	// CPMinTokens is published practice, not a limit: the fewest tokens
	// per context-parallel rank teams run (the practice search keeps
	// seq/CP at or above it).
	CPMinTokens Param `yaml:"cp_min_tokens" json:"cp_min_tokens"`
	// EPMin is published practice for MoE models: the fewest
	// expert-parallel ranks the stack's recipes shard the routed experts
	// over (the practice search keeps EP ≥ min(EPMin, experts); 0: no rule).
	EPMin Param `yaml:"ep_min" json:"ep_min"`
	// TPFillsNode (0 or 1) is published practice for dense models: a plan
	// that pipelines over nodes (PP > 1) runs tensor × context parallelism
	// over all of a node's devices (Narayanan et al. 2021, Takeaway #1:
	// tensor parallelism up to the GPUs per server, then pipeline
	// parallelism across servers). 0: no rule.
	TPFillsNode Param `yaml:"tp_fills_node" json:"tp_fills_node"`
	// LargeParams, TPMinLarge and PPMinLarge are published practice: a
	// model with at least LargeParams active parameters runs tensor
	// parallelism of at least TPMinLarge and pipeline parallelism of at
	// least PPMinLarge (LargeParams 0: no rule).
	LargeParams Param `yaml:"large_params" json:"large_params"`
	TPMinLarge  Param `yaml:"tp_min_large" json:"tp_min_large"`
	PPMinLarge  Param `yaml:"pp_min_large" json:"pp_min_large"`
	// NoZeRO2Practice (0 or 1) is published practice: the stack's recipes
	// shard the optimizer alone (ZeRO 1, a distributed optimizer) or
	// weights, gradients and optimizer together (ZeRO 3, FSDP), never
	// gradients without weights (ZeRO 2), so a ZeRO 2 plan is outside
	// practice (it may still run).
	NoZeRO2Practice Param `yaml:"no_zero2_practice" json:"no_zero2_practice"`
	// FullShardPractice (0 or 1) is published practice: the stack's
	// published runs shard weights, gradients and optimizer together
	// (ZeRO 3: FSDP's full or hybrid sharding), so a plan that shards less
	// is outside practice (it may still run).
	FullShardPractice Param `yaml:"full_shard_practice" json:"full_shard_practice"`
	// ShardUnsplit (0 or 1) and ShardMaxActive are published practice:
	// the stack's fully sharded recipes (ZeRO 3) run without tensor or
	// pipeline parallelism (TP 1, PP 1: FSDP beside the framework's
	// Megatron-style path, which splits the model and shards the optimizer
	// alone), and only for models of at most ShardMaxActive active
	// parameters (0: no limit), so a ZeRO 3 plan outside them is outside
	// practice (it may still run).
	ShardUnsplit   Param `yaml:"shard_unsplit" json:"shard_unsplit"`
	ShardMaxActive Param `yaml:"shard_max_active" json:"shard_max_active"`
	// NoPPPractice (0 or 1) is published practice: the stack's published
	// recipes never pipeline (PP 1), so a plan with PP > 1 is outside
	// practice (it may still run).
	NoPPPractice Param `yaml:"no_pp_practice" json:"no_pp_practice"`
	// NoVPPPractice (0 or 1) is published practice: the stack's published
	// recipes pipeline without virtual stages (plain 1F1B), so a plan with
	// VPP > 1 is outside practice (it may still run where Interleaved
	// says the schedule exists).
	NoVPPPractice Param `yaml:"no_vpp_practice" json:"no_vpp_practice"`
	// PracticeMaxZeRO is published practice: the deepest ZeRO stage the
	// stack's published recipes shard at (3: no rule), so a plan sharding
	// deeper is outside practice (it may still run).
	PracticeMaxZeRO Param `yaml:"practice_max_zero" json:"practice_max_zero"`
	// PartialRecompute (0 or 1): full recompute may be limited to as many
	// layers per stage as memory requires (Megatron-Core's block method).
	PartialRecompute Param `yaml:"partial_recompute" json:"partial_recompute"`
	// CompiledRemat (0 or 1): the framework compiles the whole backward
	// graph (XLA), so a recomputed layer's tensors are rematerialised and
	// freed part by part and one layer's set is live at the peak; 0 is
	// eager checkpointing (the recomputed set plus its gradients, two).
	CompiledRemat Param `yaml:"compiled_remat" json:"compiled_remat"`
	// AlwaysRecompute (0 or 1): the stack's code path, as its sources ran
	// it, recomputes every layer (Megatron-LM 2021's --checkpoint-activations);
	// a search keeps to full recompute and Estimate rejects a plan without.
	AlwaysRecompute Param `yaml:"always_recompute" json:"always_recompute"`
	// MoERecompute (0 or 1): the stack can recompute MoE blocks alone
	// (parallel.RecomputeMoE; Megatron-Core's --recompute-modules moe).
	MoERecompute Param `yaml:"moe_recompute" json:"moe_recompute"`
	// UnevenStages (0 or 1): the pipeline may give the last stage fewer
	// layers to balance the head (Megatron-Core's uneven first/last
	// stages); 0 splits the layers evenly and the head adds to the last.
	UnevenStages Param `yaml:"uneven_stages" json:"uneven_stages"`
	// DualPipe (0 or 1): DeepSeek's bidirectional pipeline schedule, whose
	// bubble is (PP/2 − 1)·(F&B + B − 3W) rather than 1F1B's (PP−1)·(F+B),
	// at the cost of two copies of the stage's parameters.
	DualPipe Param `yaml:"dualpipe" json:"dualpipe"`
	// SelectiveMLPAct (0 or 1): the stack's selective recompute also
	// recomputes the MLP activation function (MindFormers' select_recompute
	// of the feed-forward activation and multiply), dropping its outputs
	// from memory; 0: only the attention core (Megatron's core_attn).
	SelectiveMLPAct Param `yaml:"selective_mlp_act" json:"selective_mlp_act"`
	// SelectiveOpSAC (0 or 1): the stack's selective recompute is op-level
	// selective activation checkpointing as torchtitan defines it (keep the
	// layer input, every second linear module's output and the attention
	// kernel's output; recompute the other linear modules, the routed
	// experts and every element-wise op) rather than Megatron's recompute
	// of the attention core.
	SelectiveOpSAC Param `yaml:"selective_op_sac" json:"selective_op_sac"`
	// SelectiveDots (0 or 1): the stack's selective recompute keeps every
	// weight GEMM's output and the layer input and recomputes the rest —
	// the element-wise ops and the attention core — as MaxText's "minimal"
	// remat policy does (jax.checkpoint_policies.
	// checkpoint_dots_with_no_batch_dims), rather than Megatron's keep-all
	// but the attention core.
	SelectiveDots Param `yaml:"selective_dots" json:"selective_dots"`
	// MoEHierarchicalDispatch (0 or 1): the stack's MoE dispatcher is
	// hierarchical where expert parallelism spans nodes (each token sent
	// once per distinct remote node, then fanned out over scale-up:
	// DeepEP's normal kernels, HybridEP, DeepSeek's own); 0: a flat
	// all-to-all that sends every expert copy on its own.
	MoEHierarchicalDispatch Param `yaml:"moe_hierarchical_dispatch" json:"moe_hierarchical_dispatch"`
	// MoEAllGatherDispatch (0 or 1): the stack's published practice
	// dispatches with Megatron-Core's all-gather token dispatcher
	// (--moe-token-dispatcher-type allgather, Megatron-LM's argument
	// default), which gathers every token over the expert-TP × EP group
	// instead of sending its routed copies (Job.Dispatch
	// DispatchAllGather); 0: the all-to-all (or the hierarchical) path of
	// MoEHierarchicalDispatch.
	MoEAllGatherDispatch Param `yaml:"moe_allgather_dispatch" json:"moe_allgather_dispatch"`
	// ExpertImbalance is the hottest expert-parallel rank's routed tokens
	// over the mean (≥ 1) under the stack's usual routing: the device
	// holding the most routed tokens sets the MoE layer's expert GEMM and
	// dispatch time. 1 for force-balanced benchmarks.
	ExpertImbalance Param `yaml:"expert_imbalance" json:"expert_imbalance"`
	// MoEHost is the host (CPU) time to issue one linear module of a MoE
	// layer's forward pass, seconds; the layer's host time is that × its
	// linear modules (the backward issues about twice as much). MoE
	// dispatchers sync device to host for the tokens per expert, so the
	// host cannot run ahead: a pass whose GPU work is shorter than its
	// host time exposes the difference (Megatron-Core's DeepSeek-V3 GB200
	// study: "CPU overhead ... host boundedness").
	MoEHost Param `yaml:"moe_host_s" json:"moe_host_s"`
	// MoEHostGraphed is MoEHost on the stack's graph-captured MoE path
	// (CUDA Graphs over attention, router and dispatch preprocessing, a
	// fused dispatcher), which its published recipes use on scale-up
	// domains of at least MoEGraphMinDomain chips; 0 there means no such
	// path and MoEHost applies everywhere.
	MoEHostGraphed    Param `yaml:"moe_host_graphed_s" json:"moe_host_graphed_s"`
	MoEGraphMinDomain Param `yaml:"moe_graph_min_domain" json:"moe_graph_min_domain"`
	// MoEGraphNoRecompute (1) says the graph-captured MoE path needs a
	// plan without activation recompute: the stack's CUDA graphs refuse
	// recomputation (Megatron-Core to v0.14), so a plan that recomputes
	// runs the MoE layer uncaptured, at MoEHost. 0: recomputed modules
	// stay outside the graphs.
	MoEGraphNoRecompute Param `yaml:"moe_graph_no_recompute" json:"moe_graph_no_recompute"`
	// MoEGraphNeedsPad (1) says the graph-captured MoE path needs static
	// expert shapes: a dropless job (no padded capacity) runs its MoE
	// layers uncaptured, at MoEHost, as Megatron-Core did until its CUDA
	// graphs captured a dropless layer's router and preprocessing
	// (core_v0.12.0 captured only the attention of dropless MoE layers).
	// 0: dropless layers take the graph path too.
	MoEGraphNeedsPad Param `yaml:"moe_graph_needs_pad" json:"moe_graph_needs_pad"`
	// MoEFullGraphFP8MinDomain: FP8 MoE jobs on scale-up domains of at
	// least this many chips run the stack's full-iteration path: the whole
	// step in one CUDA graph with the routed experts' inputs stashed in
	// preallocated paged buffers, so no token count reaches the host (no
	// MoE host time), and the fused grouped MLP (the routed experts'
	// activation function inside their GEMMs: none of its memory
	// traffic). 0: no such path.
	MoEFullGraphFP8MinDomain Param `yaml:"moe_full_graph_fp8_min_domain" json:"moe_full_graph_fp8_min_domain"`
	// MoECopyBytes is the memory traffic per element of a MoE layer's
	// routed copies (active·h per token) in one forward pass beyond the
	// global permutation: the dispatcher's local permute and unpermute
	// (2·2·2 bytes), padding and buffer copies. The backward moves twice
	// as much, as for every memory-bound operation.
	MoECopyBytes Param `yaml:"moe_copy_bytes" json:"moe_copy_bytes"`
	// MoECapacityFactor is the capacity factor the stack's published
	// practice runs when a job states none (Job.CapacityFactor): each
	// expert takes at most this multiple of the mean routed tokens; 0:
	// dropless.
	MoECapacityFactor Param `yaml:"moe_capacity_factor" json:"moe_capacity_factor"`
	// MoEFold (0 or 1): the stack's MoE layer can split its experts
	// otherwise than attention is split (an expert tensor-parallel degree
	// other than TP: Megatron-Core's MoE parallel folding, MindFormers'
	// ep_extend_tp); 0: each expert is split over the TP ranks as
	// attention is (etp = tp).
	MoEFold Param `yaml:"moe_fold" json:"moe_fold"`
	// MoEDenseDispatch (0 or 1): the stack's MoE layer is GShard's as
	// DeepSpeed-MoE implements it (AscendSpeed's MOELayer): the gate builds
	// one-hot [tokens, experts, capacity] combine weights and dispatch
	// mask, and the dispatch and combine are dense matmuls over them
	// (tokens × experts·capacity × hidden each), every expert computing
	// its whole capacity. Needs moe_capacity_factor > 0 (checkDispatch);
	// a job's own capacity factor replaces it.
	MoEDenseDispatch Param `yaml:"moe_dense_dispatch" json:"moe_dense_dispatch"`
	// MoEPadCapacity (0 or 1): the stack's MoE layer runs static shapes,
	// every expert computing its whole capacity whatever it was routed
	// (MindFormers' MoEV2), as a job's PadToCapacity asks. Needs
	// moe_capacity_factor > 0 (checkDispatch); a job's own factor replaces it.
	MoEPadCapacity Param `yaml:"moe_pad_capacity" json:"moe_pad_capacity"`
	// Versions are dated states of the stack (framework releases): each
	// lists the parameters that differed then; At picks one by date.
	Versions []Version `yaml:"versions,omitempty" json:"versions,omitempty"`
	// State names the version in effect ("" = the current one).
	State string `yaml:"-" json:"state,omitempty"`
	// base is the current profile a tagged one was made from (AtTag), so
	// that an explicit date still starts from the current values.
	base *Profile
}

// Version is a stack as it stood at a date: the parameters that differed
// from the profile's current values, with what they were fitted on.
type Version struct {
	Date   string           `yaml:"date" json:"date"` // YYYY-MM-DD
	Tag    string           `yaml:"tag" json:"tag"`   // the release
	Params map[string]Param `yaml:"params,omitempty" json:"params,omitempty"`
	Note   string           `yaml:"note,omitempty" json:"note,omitempty"`
}

// At returns the profile as its stack stood on date (YYYY-MM-DD): the
// latest version dated on or before it (the earliest version for a date
// before them all); "" is the current profile. The State field says which.
func (p Profile) At(date string) (Profile, error) {
	if len(p.Versions) == 0 {
		return p, nil
	}
	if p.base != nil { // a release the run named (AtTag)
		if date == "" {
			return p, nil
		}
		p = *p.base // an explicit date wins over the named release
	}
	if date == "" { // the current values: name the latest version they are
		v := p.Versions[len(p.Versions)-1]
		p.State = fmt.Sprintf("%s (%s, the current state)", v.Tag, v.Date)
		return p, nil
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return p, input.Bad("stack_date", date, "want a date YYYY-MM-DD")
	}
	v, _ := p.VersionAt(date)
	out, err := p.With(v.Params)
	if err != nil {
		return p, fmt.Errorf("stack %s: version %s: %w", p.ID, v.Tag, err)
	}
	out.State = fmt.Sprintf("%s (%s)", v.Tag, v.Date)
	if date < v.Date {
		out.State += fmt.Sprintf(", the earliest known state; %s is before it", date)
	}
	return out, nil
}

// VersionAt is the version At applies for date: the latest dated on or
// before it, else the earliest; ok is false when the profile has none.
func (p Profile) VersionAt(date string) (v Version, ok bool) {
	if len(p.Versions) == 0 {
		return Version{}, false
	}
	v = p.Versions[0]
	for _, x := range p.Versions {
		if x.Date <= date {
			v = x
		}
	}
	return v, true
}

// With returns the profile with the named parameters replaced (a dated
// version's, or a framework's published practice within the stack); a
// per-family or per-chip scale is named as Params lists it
// (family_attention.hopper, chip_tensor.gb200)
// and set in a copy of its map, so p's is not written; an unknown name is
// an error.
func (p Profile) With(params map[string]Param) (Profile, error) {
	out := p
	byName := map[string]*Param{}
	for _, q := range out.params() {
		byName[q.Name] = q.P
	}
	fams := map[string]*map[string]Param{}
	for _, f := range out.families() {
		fams[f.name] = f.m
	}
	for name, val := range params {
		if group, fam, ok := strings.Cut(name, "."); ok && fams[group] != nil && fam != "" {
			m := maps.Clone(*fams[group])
			if m == nil {
				m = map[string]Param{}
			}
			m[fam] = val
			*fams[group] = m
			continue
		}
		dst, ok := byName[name]
		if !ok {
			return p, fmt.Errorf("unknown parameter %q", name)
		}
		*dst = val
	}
	return out, nil
}

// ScaledEfficiency returns the profile with its kernel efficiencies
// times f, as the gap report draws a stack's kernel-efficiency
// calibration (scenario.DefaultEfficiency): MatmulMax and FP8Max capped
// at 0.98 of peak, MemoryEff at all of the HBM bandwidth. The rest of
// the profile, its per-family and per-chip scales included, is p's.
func (p Profile) ScaledEfficiency(f float64) Profile {
	p.MatmulMax.Value = min(0.98, p.MatmulMax.Value*f)
	p.FP8Max.Value = min(0.98, p.FP8Max.Value*f)
	p.MemoryEff.Value = min(1, p.MemoryEff.Value*f)
	return p
}

// AtTag returns the profile as it stood at the version tagged tag (a
// release a run names, e.g. MindFormers "v1.1.0"); ok is false when no
// version has that tag.
func (p Profile) AtTag(tag string) (Profile, bool) {
	for _, v := range p.Versions {
		if v.Tag == tag {
			return p.atDate(v.Date)
		}
	}
	return p, false
}

// AtRelease is AtTag for a release a run names, with a fallback for a
// calendar-versioned release that no version is tagged with (NeMo and
// Megatron-Bridge containers: YY.MM, YY.MM.PP): its YY.MM, else the
// stack as it stood on the release's first day (At), the latest
// version dated on or before it; and for a tag that is a date
// (YYYY-MM-DD: a branch's commit date, "megatron-core 2025-05-24", for
// software that is not calendar-versioned), the stack as it stood that
// day. ok is false when none applies: the caller keeps the current
// state and says so.
func (p Profile) AtRelease(tag string) (Profile, bool) {
	if out, ok := p.AtTag(tag); ok {
		return out, true
	}
	if dateTag.MatchString(tag) && len(p.Versions) > 0 {
		return p.atDate(tag)
	}
	m := calendarTag.FindStringSubmatch(tag)
	if m == nil || len(p.Versions) == 0 {
		return p, false
	}
	if out, ok := p.AtTag(m[1] + "." + m[2]); ok {
		return out, true
	}
	return p.atDate("20" + m[1] + "-" + m[2] + "-01")
}

// calendarTag is a calendar-versioned release: YY.MM with an optional
// patch (26.04.01).
var calendarTag = regexp.MustCompile(`^(\d\d)\.(0[1-9]|1[0-2])(\.\d+)?$`)

// dateTag is a release named by its date (YYYY-MM-DD); At checks that
// the day exists.
var dateTag = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])-\d\d$`)

// atDate is At(date) remembered as a named release's state: an explicit
// date given later still starts from the current values.
func (p Profile) atDate(date string) (Profile, bool) {
	out, err := p.At(date)
	if err != nil {
		return p, false
	}
	base := p
	out.base = &base
	return out, true
}

// params lists the profile's parameters by name, for checks and docs.
func (p *Profile) params() []struct {
	Name string
	P    *Param
} {
	return []struct {
		Name string
		P    *Param
	}{
		{"matmul_max", &p.MatmulMax}, {"matmul_half_flop", &p.MatmulHalfFLOP}, {"matmul_fixed_s", &p.MatmulFixed}, {"expert_gemm_streams", &p.ExpertGEMMStreams}, {"fp8_max", &p.FP8Max},
		{"attention_eff", &p.AttentionEff}, {"attention_exp_ratio", &p.AttentionExpRatio}, {"attention_ramp_tokens", &p.AttentionRampTokens}, {"attention_ramp_exp", &p.AttentionRampExp}, {"flash_attention", &p.FlashAttention}, {"eager_norm", &p.EagerNorm}, {"attention_pad_v", &p.AttentionPadV}, {"memory_eff", &p.MemoryEff},
		{"scale_up_eff", &p.ScaleUpEff}, {"scale_out_eff", &p.ScaleOutEff},
		{"tp_overlap", &p.TPOverlap}, {"tp_overlap_dense", &p.TPOverlapDense}, {"dp_overlap", &p.DPOverlap}, {"ep_overlap", &p.EPOverlap}, {"ep_overlap_1f1b", &p.EPOverlap1F1B}, {"moe_a2a_overlap_domain", &p.MoEA2AOverlapDomain}, {"moe_a2a_overlap_fp8_domain", &p.MoEA2AOverlapFP8Domain}, {"moe_full_graph_fp8_min_domain", &p.MoEFullGraphFP8MinDomain}, {"pp_overlap", &p.PPOverlap},
		{"grad_bytes", &p.GradBytes}, {"fp8_param_gather", &p.FP8ParamGather}, {"weight_bytes", &p.WeightBytes}, {"half_params", &p.HalfParams}, {"half_moments", &p.HalfMoments}, {"optimizer_bytes", &p.OptimizerBytes}, {"optimizer_step_bytes", &p.OptimizerStepBytes}, {"grad_accum_bytes", &p.GradAccumBytes}, {"layer_overhead_s", &p.LayerOverhead}, {"step_host_s", &p.StepHost}, {"weight_cast_bytes", &p.WeightCastBytes},
		{"memory_reserved", &p.MemoryReserved}, {"memory_fragmentation", &p.MemoryFragmentation}, {"comm_buffer_bytes", &p.CommBuffer},
		{"max_zero", &p.MaxZeRO}, {"sharding_excludes_pp", &p.ShardingExcludesPP}, {"selective_recompute", &p.SelectiveRecompute},
		{"sequence_parallel", &p.SequenceParallel}, {"interleaved", &p.Interleaved},
		{"context_parallel", &p.ContextParallel}, {"sharding_ep", &p.ShardingEP}, {"moe_cp", &p.MoECP}, {"cp_min_tokens", &p.CPMinTokens}, {"ep_min", &p.EPMin}, {"tp_fills_node", &p.TPFillsNode}, {"large_params", &p.LargeParams}, {"tp_min_large", &p.TPMinLarge}, {"pp_min_large", &p.PPMinLarge}, {"no_zero2_practice", &p.NoZeRO2Practice}, {"full_shard_practice", &p.FullShardPractice}, {"shard_unsplit", &p.ShardUnsplit}, {"shard_max_active", &p.ShardMaxActive}, {"no_pp_practice", &p.NoPPPractice}, {"no_vpp_practice", &p.NoVPPPractice}, {"practice_max_zero", &p.PracticeMaxZeRO}, {"partial_recompute", &p.PartialRecompute},
		{"compiled_remat", &p.CompiledRemat}, {"always_recompute", &p.AlwaysRecompute}, {"moe_recompute", &p.MoERecompute},
		{"uneven_stages", &p.UnevenStages}, {"dualpipe", &p.DualPipe}, {"selective_mlp_act", &p.SelectiveMLPAct}, {"selective_op_sac", &p.SelectiveOpSAC}, {"selective_dots", &p.SelectiveDots}, {"moe_hierarchical_dispatch", &p.MoEHierarchicalDispatch}, {"moe_allgather_dispatch", &p.MoEAllGatherDispatch},
		{"expert_imbalance", &p.ExpertImbalance}, {"moe_host_s", &p.MoEHost},
		{"moe_host_graphed_s", &p.MoEHostGraphed}, {"moe_copy_bytes", &p.MoECopyBytes}, {"moe_graph_min_domain", &p.MoEGraphMinDomain}, {"moe_graph_no_recompute", &p.MoEGraphNoRecompute}, {"moe_graph_needs_pad", &p.MoEGraphNeedsPad},
		{"moe_capacity_factor", &p.MoECapacityFactor}, {"moe_dense_dispatch", &p.MoEDenseDispatch}, {"moe_pad_capacity", &p.MoEPadCapacity}, {"moe_fold", &p.MoEFold},
	}
}

// ParamRef is a named pointer to one of a profile's parameters.
type ParamRef struct {
	Name string
	P    *Param
}

// ParamRefs lists pointers to the profile's parameters by name, for tools
// that set them (validation/fit). Copy the profile first: the pointers
// alias it.
func (p *Profile) ParamRefs() []ParamRef {
	var out []ParamRef
	for _, q := range p.params() {
		out = append(out, ParamRef{q.Name, q.P})
	}
	return out
}

// Params returns the profile's parameters by name (for documentation).
func (p Profile) Params() map[string]Param {
	out := map[string]Param{}
	for _, q := range p.params() {
		out[q.Name] = *q.P
	}
	for _, f := range p.families() {
		for key, q := range *f.m {
			out[f.name+"."+key] = q
		}
	}
	return out
}

// scaleMap is one of a profile's per-family or per-chip parameter maps
// and the name its keys are prefixed with (family_matmul.hopper).
type scaleMap struct {
	name string
	m    *map[string]Param
}

// families is every per-family and per-chip map of the profile, the one
// list With, Params and Check read.
func (p *Profile) families() []scaleMap {
	return []scaleMap{{"family_matmul", &p.FamilyMatmul}, {"family_attention", &p.FamilyAttention}, {"family_fp8", &p.FamilyFP8},
		{"family_fp8_blockwise", &p.FamilyFP8Blockwise}, {"family_fp4", &p.FamilyFP4}, {"chip_tensor", &p.ChipTensor}}
}

// Family is the key FamilyMatmul uses for an architecture name.
func Family(architecture string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(architecture), " ")
	return strings.ToLower(f)
}

// Check reports the first parameter that is out of range or lacks a basis.
func (p Profile) Check() error {
	all := p.params()
	for _, fams := range p.families() {
		for _, fam := range slices.Sorted(maps.Keys(*fams.m)) {
			q := (*fams.m)[fam]
			all = append(all, struct {
				Name string
				P    *Param
			}{fams.name + "." + fam, &q})
		}
	}
	for _, q := range all {
		v := q.P.Value
		switch {
		case q.P.Basis != Sourced && q.P.Basis != Calibrated && q.P.Basis != Assumed:
			return fmt.Errorf("stack %s: %s.basis = %q: want sourced, calibrated or assumed", p.ID, q.Name, q.P.Basis)
		case q.P.Basis == Sourced && len(q.P.Sources) == 0:
			return fmt.Errorf("stack %s: %s is sourced but names no source", p.ID, q.Name)
		case q.P.Basis != Sourced && strings.TrimSpace(q.P.Note) == "":
			return fmt.Errorf("stack %s: %s is %s but has no note saying on what", p.ID, q.Name, q.P.Basis)
		case v < 0:
			return fmt.Errorf("stack %s: %s = %g: want ≥ 0", p.ID, q.Name, v)
		}
	}
	if p.HalfParams.Value >= 0.5 && (p.WeightBytes.Value != 4 || p.GradBytes.Value != 4) {
		return fmt.Errorf("stack %s: half_params = %g needs fp32 parameters and gradients (weight_bytes and grad_bytes 4), has %g and %g", p.ID, p.HalfParams.Value, p.WeightBytes.Value, p.GradBytes.Value)
	}
	if p.HalfMoments.Value >= 0.5 && (p.OptimizerBytes.Value < 8 || p.OptimizerStepBytes.Value < 16) {
		return fmt.Errorf("stack %s: half_moments = %g needs two fp32 Adam moments to halve (optimizer_bytes ≥ 8 and optimizer_step_bytes ≥ 16), has %g and %g", p.ID, p.HalfMoments.Value, p.OptimizerBytes.Value, p.OptimizerStepBytes.Value)
	}
	if p.ExpertImbalance.Value < 1 {
		return fmt.Errorf("stack %s: expert_imbalance = %g: want ≥ 1 (the hottest rank's tokens over the mean)", p.ID, p.ExpertImbalance.Value)
	}
	if err := p.checkPairs(); err != nil {
		return err
	}
	prev := ""
	for _, v := range p.Versions {
		if _, err := time.Parse(time.DateOnly, v.Date); err != nil || v.Date < prev || strings.TrimSpace(v.Note) == "" {
			return fmt.Errorf("stack %s: version %q: want a date YYYY-MM-DD in increasing order and a note saying what it was fitted on", p.ID, v.Tag)
		}
		prev = v.Date
		at, err := p.At(v.Date)
		if err != nil {
			return err
		}
		if err := at.checkPairs(); err != nil {
			return fmt.Errorf("%w (version %s)", err, v.Tag)
		}
	}
	for _, q := range []struct {
		n string
		v float64
	}{{"matmul_max", p.MatmulMax.Value}, {"attention_eff", p.AttentionEff.Value}, {"memory_eff", p.MemoryEff.Value},
		{"scale_up_eff", p.ScaleUpEff.Value}, {"scale_out_eff", p.ScaleOutEff.Value}} {
		if q.v <= 0 || q.v > 1 {
			return fmt.Errorf("stack %s: %s = %g: want a fraction in (0, 1]", p.ID, q.n, q.v)
		}
	}
	return nil
}

// checkPairs refuses parameters that only make sense together, in the
// profile's own state and at each version: a dense MoE dispatch without a
// capacity (checkDispatch), an attention length ramp without its exponent.
func (p Profile) checkPairs() error {
	if t, k := p.AttentionRampTokens.Value, p.AttentionRampExp.Value; t < 0 || (t > 0 && (k <= 0 || k > 4)) {
		return fmt.Errorf("stack %s: attention_ramp_tokens = %g, attention_ramp_exp = %g: want tokens 0 (no length dependence), or tokens > 0 with an exponent in (0, 4]", p.ID, t, k)
	}
	return p.checkDispatch()
}

// checkDispatch refuses a dense (GShard) MoE dispatch without the
// capacity its one-hot masks are built for, and static expert shapes
// without the capacity they pad to.
func (p Profile) checkDispatch() error {
	if p.MoEDenseDispatch.Value >= 0.5 && p.MoECapacityFactor.Value <= 0 {
		return fmt.Errorf("stack %s: moe_dense_dispatch = %g needs moe_capacity_factor > 0 (GShard's masks have a capacity), has %g", p.ID, p.MoEDenseDispatch.Value, p.MoECapacityFactor.Value)
	}
	if p.MoEPadCapacity.Value >= 0.5 && p.MoECapacityFactor.Value <= 0 {
		return fmt.Errorf("stack %s: moe_pad_capacity = %g needs moe_capacity_factor > 0 (the capacity experts are padded to), has %g", p.ID, p.MoEPadCapacity.Value, p.MoECapacityFactor.Value)
	}
	return nil
}
