// Package inference estimates what a serving engine with continuous
// batching gets out of a chip: the time of one engine step (prefill chunks
// and decoding sequences together), the KV cache capacity, TTFT and TPOT,
// the throughput–latency curve over batch sizes, the best operating point
// under a latency target, prefill–decode disaggregation, and cost and
// energy per token. It is pure (layer 3): values in, values out.
//
// # Reading guide
//
//   - deployment.go: Deployment (model, cluster, Parallel, precisions,
//     Profile, Speculative) and how it resolves into per-device quantities.
//   - step.go: StepTime, the per-step roofline model everything else uses.
//   - memory.go: weights per device and KVCapacity.
//   - curve.go: modes (colocated, decode, prefill), TTFT/TPOT of a batch,
//     the curve over batch sizes, Best under an SLO.
//   - colocated.go: the colocated mode's mean step, over the steps that
//     carry whole prompt pieces and those that only decode.
//   - adp.go: attention DP under continuous batching (the busiest group).
//   - disagg.go: MaxBatch, prefill–decode disaggregation, cost and energy
//     per token (via econ).
//
// # Stable API (used by the serving simulator, package serve)
//
//	StepTime(d Deployment, b Batch) (StepResult, error)
//	KVCapacity(d Deployment) (KV, error)
//	MemoryUse(d Deployment) (Memory, error)
//	MaxBatch(d Deployment, mode Mode, w Workload) (int, error)
//	MaxBatchSizing(d Deployment, mode Mode, w Workload) (BatchSizing, error)
//
// A Batch is what one instance (one copy of the model over TP×PP×EP
// devices) computes in one step: Prefill chunks {Tokens, Cached} and the
// context lengths of the Decode sequences. Each decoding sequence verifies
// 1 + Speculative.Tokens tokens; StepResult.OutputTokens is the expected
// tokens emitted. Errors: *input.Error naming the field; errors.Is
// ErrDoesNotFit (weights or KV overflow), ErrPrecision (the chip lacks
// the precision), ErrNoOperatingPoint (no batch meets an SLO).
//
// # Model
//
// Devices: a package of DevicesPerChip devices (the 910C's two dies) gives
// each device 1/n of its peak, HBM and links; parallel degrees count
// devices, per-chip rates are per package.
//
// Per layer and device, each operation costs the larger of its FLOPs at
// the achieved compute rate and its HBM bytes at the achieved bandwidth
// (roofline; Williams et al. 2009):
//
//   - linear layers: 2·params·tokens FLOPs at peak(precision)·eff(m), with
//     eff(m) = MatmulEff·m/(m+MatmulHalfRows) (FP4 GEMMs: the peak times
//     FP4MatmulScale and FP4MatmulHalfRows for the height; block-scaled
//     FP8 GEMMs, a fine-grained MoE model's on a chip without hardware
//     block scales: the peak times FP8BlockScale), each GEMM group
//     1 + MatmulK0·r·Σ f/K longer for its tiles' fixed work (shape.go: f each
//     GEMM's FLOP share, K its reduction length, the down and output
//     projections' split over TP; r the precision's peak over the 16-bit
//     peak); the weights read once per
//     step (params·bytes). Attention and dense MLPs split over TP; tokens
//     over the W/TP attention groups (DP attention; Parallel.AttentionDP
//     states the groups, TP × AttentionDP = W).
//   - attention kernel: (query, key) pairs × FLOPs per pair at the 16-bit
//     peak·AttentionEff, against reading the KV cache. MHA/GQA 4·H·d per
//     pair; MLA decode absorbs W_UK/W_UV and attends over the latent
//     (2·H·(d_c+d_r) + 2·H·d_c), MLA prefill materialises heads
//     (2·H·(d_nope+d_r) + 2·H·d_v) (DeepSeek-V2, arXiv 2405.04434).
//     KV bytes/token/layer: 2·kv_heads·head_dim (split over TP up to
//     kv_heads) or kv_lora_rank + qk_rope_head_dim for MLA (replicated).
//   - routed experts (moe.go): FLOPs 2·expert·tokens·k spread over the
//     stage's W devices × the imbalance, the hottest device's load over
//     the mean: Profile.ExpertImbalance (the balancer's residual, EPLB and
//     redundant experts; Deployment.ExpertImbalance overrides it) × the
//     routing spread of the step, 1 + √(2·ln EP/μ) with μ = tokens·k/EP
//     token copies per device (the Gaussian maximum of EP Poisson loads);
//     bytes: only the expert copies the batch touches, 1 − (1 − k/n)^tokens
//     of them (n = max(experts, EP)); the grouped GEMM pads each reached
//     expert's rows m to tiles of ExpertTileRows, efficiency
//     MatmulEff·m/max(m + tile/2, tile); expert weights stream at
//     ExpertMemoryEff of the bandwidth (the engine's MoE backend) and
//     the module costs MoELayerTime per MoE layer (StepResult.MoE.Fixed):
//     a line through TensorRT-LLM's measured module latencies.
//   - communication: two TP all-reduces of tokens·hidden·2 bytes per
//     layer; EP dispatch (at the weight precision, ≤ 2 bytes) and combine
//     (2 bytes) all-to-all per MoE layer, the hottest device receiving
//     the imbalance times the mean bytes, on hardware.Cluster's
//     hierarchical collectives at CollectiveEff of the link rate;
//     CommOverlap of it hidden behind compute. Across nodes, a step with
//     prompt tokens uses hierarchical EP kernels (DeepEP normal mode): a
//     token crosses scale-out once per distinct remote node holding one of
//     its k experts, (nodes−1)·(1−(1−1/nodes)^k); decode-only steps send
//     one copy per expert (low-latency kernels). Normal-mode kernels hold
//     CommSMShare of the compute units, so the compute they overlap takes
//     s/(1−s) longer, and pay MoESync of host synchronisation per MoE
//     layer. StepResult.MoE shows each part.
//   - speculative decoding: each sequence verifies 1 + d tokens; drafting
//     costs d passes of one layer plus the logit projection over the
//     decoding sequences (an MTP module or EAGLE head), StepResult.Draft.
//   - engine limits: MaxTokens (and ChunkTokens) bound the prompt tokens
//     of one forward pass per attention group; a prefill batch over them
//     runs as ⌈tokens/limit⌉ passes (StepResult.Passes), it is not
//     refused. MaxBatch bounds decoding sequences per group. A refusal
//     names the binding limit, its engine and its source.
//   - PP: the batch splits into PP micro-batches; a step is PP stage
//     times plus the stage-to-stage sends.
//   - overheads: StepOverhead per step plus LayerOverhead per layer.
//   - host: the engine's CPU work, HostPerSeq per sequence plus, on a
//     step with prompt tokens where the engine graphs decode-only steps,
//     EagerLayer per layer (StepResult.Host, .Eager); it overlaps the
//     GPU's step, which takes the longer of the two.
//
// Memory per device: weights (above split) + Reserved + KV cache within
// MemoryFraction of what they leave of the HBM (TensorRT-LLM's
// kv_cache_free_gpu_mem_fraction) or, where MemoryOfTotal, all three
// within MemoryFraction of the HBM (vLLM's gpu_memory_utilization).
// Units are SI (chipgap/units).
//
// Sources: modelling-references.md §Inference; Leviathan et al. 2023
// (speculative decoding); Zhong et al. 2024 (DistServe, arXiv 2401.09670)
// for disaggregation; Pope et al. 2022 (arXiv 2211.05102) for the decode
// roofline. Profile values: catalog/data/stacks-inference.yaml.
package inference
