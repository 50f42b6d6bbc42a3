// Package training predicts one training step of a transformer from first
// principles: memory per device, step time built up layer by layer, MFU
// and HFU, and a search over every parallel plan.
//
// # API
//
//	Estimate(model, plan, cluster, profile, job) (Result, error)
//	Search(model, cluster, profile, job, SearchOptions) (SearchResult, error)
//
// A Job is the sequence length, global batch, precision and devices per
// chip (plus an optional token budget for days and chip-hours). A Profile is
// a software stack's efficiencies (catalog/data/stacks-training.yaml): every
// parameter sourced, calibrated (saying on what) or assumed. A plan that
// does not fit returns *NotFitError (errors.Is ErrDoesNotFit) with the
// shortfall; bad input a *input.Error naming the field.
//
// # Model (units: seconds, bytes, FLOPs; per device)
//
// Compute per layer and micro-batch of t = mb·seq/CP tokens: every weight
// GEMM of llm.LayerGEMMs split by TP (column- or row-parallel by name;
// MLA down-projections and the router replicated; experts split over EP as
// grouped GEMMs of t·active·EP/experts rows), timed as the slower of
// F/(peak·max·F/(F+F½)) and bytes/(HBM·memory_eff): small or skinny GEMMs
// reach less of the peak. Attention's score and value products run at
// attention_eff (causal half with fused attention); with
// AttentionExpRatio a fused attention's softmax adds one exponential per
// score element at the chip's exp_rate (its special-function units),
// after the products, at the same efficiency; with AttentionRampTokens
// s₀ a call of ℓ = seq/CP tokens takes (1 + (s₀/ℓ)^k) / (1 +
// (s₀/16384)^k) of that time (short calls reach less). Norms, activations,
// dropout, softmax and MoE token permutation move bytes at HBM speed.
// Backward is twice forward (fused attention's 2.5×: it recomputes the
// scores); full recompute adds a forward, selective the attention core
// (with SelectiveMLPAct the MLP activation too; with SelectiveOpSAC,
// torchtitan's op-level policy, every second linear module, the routed
// experts and the element-wise work; with SelectiveDots, MaxText's
// minimal policy, the element-wise work too, every weight GEMM's output
// kept); MoE-block recompute (MoERecompute)
// the router, experts, their traffic and the dispatch and combine.
// Under FP8 only the linear GEMMs use the FP8 peak (scaled per family by
// FamilyMatmul and FamilyFP8, and per chip by ChipTensor); attention and
// the head stay 16-bit. The
// slowest pipeline stage sets the pace: ⌈L/PP⌉ layers (the fullest stage
// of the split, parallel.Plan.FullestStage, whatever VPP is: interleaving
// divides a stage's layers into VPP virtual stages and adds none), the head
// (and MTP modules) on the last, or with UnevenStages the remainder
// L − (PP−1)·⌈L/PP⌉ on the last; MTP modules move the layers their work
// is worth off the last stage (splitStages); with more virtual stages than layers
// (the embedding and loss taking one each) the last device runs VPP − 1
// layers and the head.
// Communication per layer: 2 TP all-reduces per pass (reduce-scatter +
// all-gather with SP) on the scale-up tier; EP dispatch+combine all-to-all
// (hardware.Cluster.ExpertAllToAll: flat, or hierarchical once per remote
// node the model's routing reaches, llm.MoEConfig.ShardsHit, with
// MoEHierarchicalDispatch or a job's Dispatch; Megatron-Core's all-gather
// dispatcher, MoEAllGatherDispatch or Dispatch allgather, instead gathers
// every token over the expert-TP × EP group and reduce-scatters it back),
// less EPOverlap (EPOverlap1F1B where the job states the 1F1B overlap);
// CP ring exchange of K and V hidden behind attention. Per micro-batch,
// pipeline send/receive (÷TP, once per virtual stage). Per step: the 1F1B
// bubble (PP−1)/VPP × the micro-batch time; DP gradient all-reduce (ZeRO 0)
// of the fullest stage's weights (its ⌈L/PP⌉ layers, or a stated split's
// largest stage, with the embedding or the head: the count compute and
// memory take) or reduce-scatter + all-gather (1–2) overlapping only the last
// backward, or per-micro-batch gathers (ZeRO 3) overlapping the step,
// the gathers moving FP8 weights where the stack keeps them
// (FP8ParamGather);
// Adam's 34 bytes per local parameter at HBM speed, an FP8 or FP4 job's
// weight casts (WeightCastBytes per local GEMM weight, once a step: the
// quantised copies are reused over the step's micro-batches), plus the
// stack's fixed host time per step (StepHost). Collectives are the
// hardware package's ring/tree/hierarchical models on each tier, derated by
// the stack's bandwidth fractions and reduced by its overlap fractions.
//
// Memory: the stack's WeightBytes of weights, GradBytes of gradients and
// OptimizerBytes of Adam state per parameter (2 + 4 + 12 under Megatron;
// MindFormers' fp32 parameters 4 + 4 + 8, or 2 + 2 + 8 with 16-bit ones
// where no plan of the run fits with fp32, HalfParams; Adam's moments in
// 16 bits, 4 bytes fewer, on Megatron-Core where no plan fits with fp32
// ones, HalfMoments), sharded per ZeRO
// stage over DP·CP (experts over the expert-data-parallel ranks);
// activations per Korthikanti et al. 2022 generalised to any FFN, GQA, MLA
// and MoE, times the layers of the fullest stage, times the 1F1B
// micro-batches in flight (× 1 + (PP−1)/(PP·VPP) interleaved); logits;
// one layer's set as backward working memory (two under eager full
// recompute, one with CompiledRemat); the stack's reserve and
// fragmentation.
//
// Reading guide: estimate.go (Estimate, evaluate, stage balance, MTP),
// step.go (one layer), layers.go (layer kinds), memory.go, comm.go (DP and
// optimizer), search.go, profile.go (the stack profile and its versions),
// limits.go (what a framework can run and what teams run with it).
// Sources: Narayanan et al. 2021 (arXiv 2104.04473), Korthikanti et al.
// 2022 (2205.05198), Rajbhandari et al. 2020 (1910.02054), Dao et al. 2022
// (2205.14135); see docs/methodology.md (Training).
package training
