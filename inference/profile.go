package inference

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"chipgap/input"
	"chipgap/units"
)

// Profile is a serving software stack's efficiency on a chip family: the
// fractions of the roofline its kernels reach and its fixed costs. The
// values live in catalog/data/stacks-inference.yaml, each sourced or marked
// calibrated (and on what). They are global per stack, never per run.
type Profile struct {
	ID string `json:"id"`
	// MatmulEff is the fraction of the dense peak large GEMMs reach.
	MatmulEff float64 `json:"matmul_eff"`
	// MatmulHalfRows is the GEMM height (tokens) at which a GEMM reaches
	// half of MatmulEff: eff(m) = MatmulEff·m/(m+MatmulHalfRows). It models
	// tile padding and launch cost of short GEMMs; 0 disables it.
	MatmulHalfRows float64 `json:"matmul_half_rows"`
	// FP4MatmulScale multiplies the GEMM efficiency of FP4 (block-scaled)
	// GEMMs: scale handling and activation quantisation keep them further
	// from their (doubled) peak than 8- and 16-bit GEMMs.
	FP4MatmulScale float64 `json:"fp4_matmul_scale"`
	// FP4MatmulHalfRows replaces MatmulHalfRows for FP4 GEMMs (0 = the
	// same): block-scaled FP4 GEMMs run on larger tiles, so short ones
	// lose more.
	FP4MatmulHalfRows float64 `json:"fp4_matmul_half_rows,omitempty"`
	// FP8BlockScale multiplies the GEMM efficiency of block-scaled FP8
	// GEMMs (1 × 128 activation by 128 × 128 weight scales) on a chip
	// whose matrix units scale no blocks themselves (no FP4 in its
	// catalog entry: the scales are applied in software, between the
	// partial sums of each 128-wide slice of the reduction), over the
	// per-tensor FP8 rate MatmulEff refers to. It applies where the
	// deployment's FP8 weights are block-scaled: a fine-grained MoE model
	// (RoutingMinExperts routed experts or more), whose published FP8
	// checkpoints are (blockScaledFP8); 0 or 1 = the per-tensor rate.
	FP8BlockScale float64 `json:"fp8_block_scale,omitempty"`
	// MatmulK0 is the reduction length (elements of K, at the 16-bit
	// rate) a GEMM tile's fixed work, its prologue and epilogue, costs
	// beside its main loop: a GEMM of reduction length K runs at
	// K/(K + K0·r) of its long-K rate, r the precision's peak over the
	// 16-bit peak (the main loop of an 8-bit GEMM is twice as fast, its
	// epilogue is not). Short-K GEMMs (small experts' down projections,
	// TP-split output projections) lose most. 0 disables it.
	MatmulK0 float64 `json:"matmul_k0,omitempty"`
	// AttentionEff is the fraction of the 16-bit peak attention kernels
	// reach on their FLOPs (flash/paged attention, MLA kernels).
	AttentionEff float64 `json:"attention_eff"`
	// MemoryEff is the fraction of HBM bandwidth memory-bound kernels
	// (weight streaming in decode, KV reads) achieve.
	MemoryEff float64 `json:"memory_eff"`
	// CollectiveEff is the fraction of link bandwidth collectives achieve.
	CollectiveEff float64 `json:"collective_eff"`
	// CommOverlap is the fraction of communication hidden behind compute
	// (micro-batch overlap of EP all-to-all; 0 = fully exposed).
	CommOverlap float64 `json:"comm_overlap"`
	// StepOverhead is the fixed host cost per engine step (scheduling,
	// sampling, graph launch).
	StepOverhead units.Seconds `json:"step_overhead"`
	// LayerOverhead is the per-layer fixed cost per step (kernel launches
	// and synchronisation not hidden by graphs).
	LayerOverhead units.Seconds `json:"layer_overhead"`
	// HostPerSeq is the engine's host (CPU) time per step per sequence
	// its executor runs (request bookkeeping, input preparation,
	// sampling, responses). An overlap scheduler prepares step n+1 while
	// the GPU runs step n, so a step takes the longer of the two: this
	// binds only at large batches of small models.
	HostPerSeq units.Seconds `json:"host_per_seq"`
	// FP8ContextAttention is the rate the engine's prompt (context)
	// attention runs at over the 16-bit rate where it runs it in FP8:
	// TensorRT-LLM's attention op does where the model's weights are FP8
	// or FP4 (the kernel writes its output quantized for the output
	// projection) or its KV cache is FP8 (layout.ctxAttn). 0 or 1: in 16
	// bits.
	FP8ContextAttention float64 `json:"fp8_context_attention,omitempty"`
	// EagerLayer is the host time per transformer layer of a step that
	// carries prompt tokens, where the engine captures CUDA graphs for
	// decode-only steps alone and runs the others eagerly: the kernels of
	// such a step are launched one by one from the host, so the GPU waits
	// on them where they outlast its work. 0: every step is captured (or
	// the engine's launch cost is in StepOverhead).
	EagerLayer units.Seconds `json:"eager_layer,omitempty"`
	// DecodeKVPerQueryHead: the engine's generation-phase attention kernel
	// loads each query head's keys and values from HBM itself, so under
	// grouped- or multi-query attention a device reads its KV cache once
	// per query head rather than once per KV head (TensorRT-LLM's masked
	// multi-head attention kernel before its XQA kernel, release 0.7).
	// false: the kernel reads each KV head once for its whole group.
	DecodeKVPerQueryHead bool `json:"decode_kv_per_query_head,omitempty"`
	// PrefillFirstTokens is, for an engine that schedules whole prompts
	// in steps of their own ahead of the decodes, with no chunked prefill
	// (vLLM-Ascend v0.9.1's AscendScheduler, which it forced on models
	// without MLA), its token budget per step; the request-level
	// simulation (package serve) applies it to a model without MLA. 0:
	// the engine mixes prompt chunks and decodes within MaxTokens.
	PrefillFirstTokens int `json:"prefill_first_tokens,omitempty"`
	// MemoryFraction is the share of the memory left after weights and
	// Reserved that the engine gives the KV cache, or, where
	// MemoryOfTotal, the share of the device's whole memory the engine
	// takes for weights, Reserved and the KV cache together (vLLM's
	// gpu_memory_utilization): the pool is MemoryFraction × capacity −
	// weights − Reserved.
	MemoryFraction float64 `json:"memory_fraction"`
	MemoryOfTotal  bool    `json:"memory_of_total,omitempty"`
	// Reserved is the memory per device kept for activations and
	// workspace, outside weights and KV cache.
	Reserved units.Bytes `json:"reserved"`
	// BlockTokens is the KV cache block (page) size in tokens.
	BlockTokens int `json:"block_tokens"`
	// MaxBatch is the most sequences the engine schedules per attention
	// group (0 = no limit beyond memory).
	MaxBatch int `json:"max_batch"`
	// MaxTokens is the most tokens (prompt chunks plus decode tokens) the
	// engine schedules per forward pass per attention group (0 = no
	// limit). A prefill batch with more prompt tokens runs as several
	// passes; it is not refused.
	MaxTokens int `json:"max_tokens"`
	// ChunkTokens is the chunked-prefill size: the most prompt tokens of
	// one step per attention group (0 = whatever MaxTokens leaves).
	ChunkTokens int `json:"chunk_tokens"`
	// KVReserveFull: the engine reserves a request's whole prompt and
	// output in the KV cache when it admits it (TensorRT-LLM's default
	// GUARANTEED_NO_EVICT scheduler), so the cache holds sequences of
	// input + output tokens; otherwise the cache grows as requests decode
	// and holds sequences of the average input + output/2.
	KVReserveFull bool `json:"kv_reserve_full,omitempty"`
	// Engine names the serving engine whose limits (BlockTokens,
	// MaxBatch, MaxTokens, ChunkTokens) these are, and LimitSources the
	// source of each limit by its name (what a refusal cites).
	Engine       string            `json:"engine,omitempty"`
	LimitSources map[string]string `json:"limit_sources,omitempty"`
	// EngineID is that engine's catalog id ("vllm-ascend"; "" for the
	// stack's own defaults): what a scorecard regime selects by.
	EngineID string `json:"engine_id,omitempty"`
	// ExpertImbalance is the hottest device's expert load divided by the
	// mean under expert parallelism at large batches, with the engine's
	// balancer (EPLB, redundant experts) as it deploys it (1 = perfectly
	// balanced). The per-step sampling spread of small batches comes on
	// top of it (see moe.go).
	ExpertImbalance float64 `json:"expert_imbalance"`
	// NoBalancer: the engine deploys no balancer (no EPLB, no redundant
	// experts), so the routing's own skew sets the hottest device's load
	// (RoutingCV) instead of ExpertImbalance.
	NoBalancer bool `json:"no_balancer,omitempty"`
	// RoutingCV is the coefficient of variation (std/mean) of the routed
	// tokens the experts of one MoE layer receive in a step, without a
	// balancer: what the routing skew is computed from (moe.go, skew).
	RoutingCV float64 `json:"routing_cv"`
	// RoutingMinExperts is the fewest routed experts a model needs for
	// RoutingCV to apply (the fine-grained MoE it was measured on); a
	// coarser model without a balancer keeps ExpertImbalance.
	RoutingMinExperts int `json:"routing_min_experts"`
	// ExpertTileRows is the row block grouped expert GEMMs pad each
	// expert's rows to (DeepGEMM's M alignment); 0 = no padding modelled.
	ExpertTileRows float64 `json:"expert_tile_rows"`
	// CommSMShare is the share of the compute units the normal-mode
	// (prefill) EP dispatch/combine kernels occupy while they run, which
	// the overlapped compute loses; 0 = the kernels use no compute units.
	CommSMShare float64 `json:"comm_sm_share"`
	// NoTPDispatch: with attention tensor-parallel over the whole
	// instance (one attention group), every device holds every token
	// after the attention all-reduce, runs its own experts on them and
	// the MLP all-reduce sums the outputs: no EP dispatch or combine
	// (TensorRT-LLM). false: the tokens are split over the TP ranks and
	// dispatched (SGLang's DeepEP mode, Megatron's sequence-parallel EP).
	NoTPDispatch bool `json:"no_tp_dispatch,omitempty"`
	// MoESync is the host synchronisation per MoE layer and micro-batch of
	// a step that uses normal-mode EP kernels (DeepEP's normal dispatch
	// waits on the host for the received-token counts).
	MoESync units.Seconds `json:"moe_sync"`
	// ExpertMemoryEff is the fraction of HBM bandwidth the routed-expert
	// GEMMs of the engine's MoE backend reach while they stream expert
	// weights (few rows per expert); 0 = MemoryEff. MoELayerTime is that
	// module's fixed time per MoE layer and forward pass (routing, top-k,
	// permute, the grouped-GEMM launches, finalize), whatever its tokens.
	// Both are one line fitted through a measured module latency over
	// token counts: time = MoELayerTime + expert bytes / (bandwidth ×
	// ExpertMemoryEff).
	ExpertMemoryEff float64       `json:"expert_memory_eff,omitempty"`
	MoELayerTime    units.Seconds `json:"moe_layer_time,omitempty"`
}

// Validate checks every fraction is in (0, 1] and the rest non-negative.
func (p Profile) Validate() error {
	fr := []struct {
		name string
		v    float64
	}{{"matmul_eff", p.MatmulEff}, {"attention_eff", p.AttentionEff}, {"memory_eff", p.MemoryEff},
		{"collective_eff", p.CollectiveEff}, {"memory_fraction", p.MemoryFraction}, {"fp4_matmul_scale", p.FP4MatmulScale}}
	for _, f := range fr {
		if !(f.v > 0 && f.v <= 1) {
			return input.Bad("profile."+f.name, f.v, "want a fraction in (0, 1]")
		}
	}
	switch {
	case p.CommOverlap < 0 || p.CommOverlap > 1:
		return input.Bad("profile.comm_overlap", p.CommOverlap, "want a fraction in [0, 1]")
	case p.MatmulHalfRows < 0 || p.FP4MatmulHalfRows < 0 || p.MatmulK0 < 0 || p.StepOverhead < 0 || p.LayerOverhead < 0 || p.Reserved < 0 || p.ExpertTileRows < 0 || p.MoESync < 0 || p.HostPerSeq < 0:
		return input.Bad("profile", p.ID, "want non-negative half rows, tile rows, matmul_k0, overheads and reserved memory")
	case p.FP8BlockScale < 0 || p.FP8BlockScale > 1:
		return input.Bad("profile.fp8_block_scale", p.FP8BlockScale, "want 0 (the per-tensor rate) or a fraction in (0, 1]")
	case p.ExpertMemoryEff < 0 || p.ExpertMemoryEff > 1:
		return input.Bad("profile.expert_memory_eff", p.ExpertMemoryEff, "want 0 (as memory_eff) or a fraction in (0, 1]")
	case p.MoELayerTime < 0:
		return input.Bad("profile.moe_layer_time", p.MoELayerTime, "want a non-negative time")
	case p.CommSMShare < 0 || p.CommSMShare >= 1:
		return input.Bad("profile.comm_sm_share", p.CommSMShare, "want a fraction in [0, 1)")
	case p.BlockTokens < 1:
		return input.Bad("profile.block_tokens", p.BlockTokens, "want at least 1")
	case !(p.ExpertImbalance >= 1):
		return input.Bad("profile.expert_imbalance", p.ExpertImbalance, imbalanceWant)
	case p.RoutingMinExperts < 0:
		return input.Bad("profile.routing_min_experts", p.RoutingMinExperts, "want 0 or more routed experts")
	case !(p.RoutingCV >= 0) || math.IsInf(p.RoutingCV, 1):
		return input.Bad("profile.routing_cv", p.RoutingCV, "want a finite coefficient of variation, 0 or more")
	case !(p.FP8ContextAttention == 0 || p.FP8ContextAttention >= 1) || math.IsInf(p.FP8ContextAttention, 1):
		return input.Bad("profile.fp8_context_attention", p.FP8ContextAttention, "want 0 (16-bit prompt attention) or a finite rate of at least 1")
	case p.MaxBatch < 0 || p.MaxTokens < 0 || p.ChunkTokens < 0:
		return input.Bad("profile.max_batch", fmt.Sprintf("%d (max_tokens %d, chunk_tokens %d)", p.MaxBatch, p.MaxTokens, p.ChunkTokens), "want 0 (no limit) or more")
	}
	return nil
}

// matmulEff is the GEMM efficiency at m rows on a curve that reaches half
// of MatmulEff at half rows (MatmulHalfRows, or FP4MatmulHalfRows for FP4
// GEMMs: the layout's halfRows).
func (p *Profile) matmulEff(m, half float64) float64 {
	if m <= 0 {
		return p.MatmulEff
	}
	return p.MatmulEff * m / (m + half)
}

// expertMemoryEff is the bandwidth fraction routed-expert weight reads
// reach.
func (p *Profile) expertMemoryEff() float64 {
	if p.ExpertMemoryEff > 0 {
		return p.ExpertMemoryEff
	}
	return p.MemoryEff
}

// imbalanceWant is what an expert imbalance factor may be.
const imbalanceWant = "want a factor of at least 1 (the hottest device's expert load over the mean; 1 = perfectly balanced)"

// limit names an engine limit and its source for a refusal:
// "max_batch 2048 (TensorRT-LLM LLM API defaults)".
func (p Profile) limit(name string, v int) string {
	s := fmt.Sprintf("%s %d", name, v)
	if p.Engine != "" {
		s = p.Engine + " " + s
	}
	if src := p.LimitSources[name]; src != "" {
		s += " (" + src + ")"
	}
	return s
}

// kvSizing says how the KV pool is sized, with the sources of its two
// parameters where the catalog gave them: "memory_fraction 0.8 of what
// the weights and 5 GB reserved leave (…; …)".
func (p Profile) kvSizing() string {
	s := fmt.Sprintf("memory_fraction %.3g of what the weights and %v reserved leave", p.MemoryFraction, p.Reserved)
	if p.MemoryOfTotal {
		s = fmt.Sprintf("memory_utilization %.3g of the device's memory, less the weights and %v reserved", p.MemoryFraction, p.Reserved)
	}
	f, r := p.LimitSources["memory_fraction"], p.LimitSources["reserved"]
	switch {
	case strings.Contains(f, r): // the reserve's sources are among the fraction's
		r = ""
	case strings.Contains(r, f):
		f = ""
	}
	if src := strings.Join(slices.DeleteFunc([]string{f, r}, func(v string) bool { return v == "" }), "; "); src != "" {
		s += " (" + src + ")"
	}
	return s
}

// String names the profile.
func (p Profile) String() string { return fmt.Sprintf("profile %s", p.ID) }
