package serve

import (
	"fmt"
	"math"
	"time"

	"chipgap/llm"
	"chipgap/units"
)

// EngineConfig is the serving engine of one replica (vLLM, SGLang or
// TensorRT-LLM style continuous batching).
type EngineConfig struct {
	// MaxBatchTokens is the token budget of one step (vLLM's
	// max_num_batched_tokens): decode tokens plus prefill chunk tokens.
	MaxBatchTokens int `json:"max_batch_tokens"`
	// MaxSeqs is the most sequences running at once (max_num_seqs).
	MaxSeqs int `json:"max_seqs"`
	// BlockTokens is the KV cache page size; KVBlocks the pages that fit
	// in memory after the weights (from the memory model).
	BlockTokens int `json:"block_tokens"`
	KVBlocks    int `json:"kv_blocks"`
	// Scheduler orders the waiting queue: fcfs or spf.
	Scheduler string `json:"scheduler"`
	// NoChunkedPrefill prefills each prompt in one step (a prompt longer
	// than MaxBatchTokens then runs alone in its step).
	NoChunkedPrefill bool `json:"no_chunked_prefill,omitempty"`
	// PrefillFirst schedules whole prompts in steps of their own, ahead
	// of the decodes: while a waiting request can be admitted a step
	// prefills only, and a decode step admits none (vLLM-Ascend's
	// AscendScheduler, vllm_ascend/core/scheduler.py). It implies
	// NoChunkedPrefill.
	PrefillFirst bool `json:"prefill_first,omitempty"`
	// ReserveOutput admits a request only when the blocks for its whole
	// context (prompt + output) are free and holds them until it finishes:
	// no preemption (TensorRT-LLM's GUARANTEED_NO_EVICT). Default: blocks
	// are taken as tokens arrive and the newest sequences are preempted
	// when the cache runs short (vLLM).
	ReserveOutput bool `json:"reserve_output,omitempty"`
	// SpecTokens drafted per decode step, each accepted with probability
	// SpecAcceptance given the previous ones were (0: no speculation).
	SpecTokens     int     `json:"spec_tokens,omitempty"`
	SpecAcceptance float64 `json:"spec_acceptance,omitempty"`
	// Window is the model's sliding window (0: none) and GlobalShare the
	// share of its layers that attend to the whole context: a sequence of
	// n tokens holds llm.Windowing.EffectiveContext(n) tokens' worth of every layer's
	// KV cache, the engine freeing (or cycling) the local layers' blocks
	// the window has passed.
	Window      int     `json:"window,omitempty"`
	GlobalShare float64 `json:"global_share,omitempty"`
}

// kvTokens is the every-layer tokens of KV cache a sequence of n tokens
// holds.
func (e EngineConfig) kvTokens(n float64) float64 {
	return llm.Windowing{Window: e.Window, Global: e.GlobalShare}.EffectiveContext(n)
}

// Pool is a set of identical replicas (serving instances).
type Pool struct {
	Name            string       `json:"name"`
	Replicas        int          `json:"replicas"`
	ChipsPerReplica float64      `json:"chips_per_replica"`
	Engine          EngineConfig `json:"engine"`
	Step            StepModel    `json:"-"`
	// ChipRental is the price of one chip; ChipBusy and ChipIdle its power
	// while a replica steps and while it waits.
	ChipRental units.USDPerHour `json:"chip_rental"`
	ChipBusy   units.Watts      `json:"chip_busy_power"`
	ChipIdle   units.Watts      `json:"chip_idle_power"`
	// KVBytesPerToken is the KV cache one context token occupies over the
	// whole replica (what a disaggregated handoff sends).
	KVBytesPerToken units.Bytes `json:"kv_bytes_per_token"`
}

// Chips is the pool's chip count.
func (p Pool) Chips() float64 { return float64(p.Replicas) * p.ChipsPerReplica }

// Link joins a prefill replica to the decode pool: each prefill replica
// sends its KV caches one after another at Bandwidth, after Latency.
type Link struct {
	Bandwidth units.ByteRate `json:"bandwidth"`
	Latency   units.Seconds  `json:"latency"`
}

// The link's bounds: below 1 MB/s (or over a day of latency) a KV
// cache's handoff would take longer than anything worth simulating, and
// near 0 B/s it outlasts the simulated clock's range.
const (
	MinLinkBandwidth = 1e6   // bytes per second
	MaxLinkLatency   = 86400 // seconds
)

// Routers pick the replica of a pool that takes a request.
const (
	RoundRobin       = "round-robin"       // in turn
	LeastOutstanding = "least-outstanding" // fewest requests waiting or running (or, prefill, waiting for its KV link)
	KVAware          = "kv-aware"          // lowest KV cache load, counting what the queue will need
)

// When a disaggregated router binds a request's decode replica.
const (
	// BindAtArrival: with its prefill replica, when the request arrives
	// (the default). SGLang's PD router picks a (prefill, decode) pair
	// per request before it sends either anything (sgl-router,
	// src/routers/pd_router.rs, select_pd_pair) and counts the request
	// on both workers until it ends (WorkerLoadGuard::new_multi); vLLM's
	// disaggregated proxy example picks both servers up front too.
	BindAtArrival = "arrival"
	// BindAtPrefill: when its prefill completes, before its KV cache is
	// sent: Dynamo's PrefillRouter selects the decode worker once the
	// prefill worker returns its transfer metadata, and the decode
	// worker then reads the cache (docs/design_docs/disagg_serving.md,
	// with vLLM and TensorRT-LLM workers).
	BindAtPrefill = "prefilled"
)

// Deployment is one pool (aggregated: every replica prefills and decodes)
// or two (disaggregated: Pools[0] prefills, Pools[1] decodes, KV caches
// cross Link), and the router of each pool.
type Deployment struct {
	Pools  []Pool `json:"pools"`
	Link   Link   `json:"link"`
	Router string `json:"router"`
	// DecodeBinding is when a disaggregated request's decode replica is
	// chosen: BindAtArrival ("" too) or BindAtPrefill. A cache always
	// crosses to a replica bound before it is sent: no engine picks the
	// decode replica once the cache has landed.
	DecodeBinding string `json:"decode_binding,omitempty"`
}

// Disaggregated reports whether prefill and decode run on separate pools.
func (d Deployment) Disaggregated() bool { return len(d.Pools) == 2 }

// Chips is the deployment's chip count.
func (d Deployment) Chips() float64 {
	var n float64
	for _, p := range d.Pools {
		n += p.Chips()
	}
	return n
}

// Validate checks the deployment and names the field at fault.
func (d Deployment) Validate() error {
	if len(d.Pools) != 1 && len(d.Pools) != 2 {
		return fieldErr("deployment.pools", len(d.Pools), "want 1 (aggregated) or 2 (prefill, decode)")
	}
	switch d.Router {
	case RoundRobin, LeastOutstanding, KVAware:
	default:
		return fieldErr("deployment.router", d.Router, "want round-robin, least-outstanding or kv-aware")
	}
	switch d.DecodeBinding {
	case "", BindAtArrival, BindAtPrefill:
	default:
		return fieldErr("deployment.decode_binding", d.DecodeBinding, "want arrival or prefilled")
	}
	for i, p := range d.Pools {
		if err := p.validate(fmt.Sprintf("deployment.pools[%d]", i)); err != nil {
			return err
		}
	}
	if (d.Disaggregated() && !(d.Link.Bandwidth >= MinLinkBandwidth)) || math.IsInf(float64(d.Link.Bandwidth), 0) {
		return fieldErr("deployment.link.bandwidth", d.Link.Bandwidth, fmt.Sprintf("want a finite bandwidth of at least %v between the prefill and decode pools", units.ByteRate(MinLinkBandwidth)))
	}
	if !(d.Link.Latency >= 0 && d.Link.Latency <= MaxLinkLatency) {
		return fieldErr("deployment.link.latency", d.Link.Latency, fmt.Sprintf("want 0 to %v", units.Seconds(MaxLinkLatency)))
	}
	return nil
}

func (p Pool) validate(at string) error {
	switch {
	case p.Replicas < 1 || p.Replicas > 100_000:
		return fieldErr(at+".replicas", p.Replicas, "want 1..100000")
	case !(p.ChipsPerReplica > 0):
		return fieldErr(at+".chips_per_replica", p.ChipsPerReplica, "want a positive chip count")
	case p.Step == nil:
		return fieldErr(at+".step", nil, "want a step-time model")
	case p.ChipRental < 0 || p.ChipBusy < 0 || p.ChipIdle < 0 || p.KVBytesPerToken < 0:
		return fieldErr(at, p.Name, "want non-negative rental, power and KV bytes")
	}
	return p.Engine.validate(at + ".engine")
}

func (e EngineConfig) validate(at string) error {
	switch {
	case e.BlockTokens < 1:
		return fieldErr(at+".block_tokens", e.BlockTokens, "want at least 1")
	case e.KVBlocks < 1:
		return fieldErr(at+".kv_blocks", e.KVBlocks, "want at least 1 block of KV cache (the weights leave none)")
	case e.MaxSeqs < 1:
		return fieldErr(at+".max_seqs", e.MaxSeqs, "want at least 1")
	case e.SpecTokens < 0 || e.SpecTokens > 16:
		return fieldErr(at+".spec_tokens", e.SpecTokens, "want 0..16")
	case e.SpecTokens > 0 && !(e.SpecAcceptance >= 0 && e.SpecAcceptance <= 1):
		return fieldErr(at+".spec_acceptance", e.SpecAcceptance, "want a probability in [0, 1]")
	case e.Window < 0:
		return fieldErr(at+".window", e.Window, "want 0 (no sliding window) or the keys a local layer reads")
	case !(e.GlobalShare >= 0 && e.GlobalShare <= 1):
		return fieldErr(at+".global_share", e.GlobalShare, "want the share of global layers in [0, 1]")
	case e.MaxBatchTokens < 1+e.SpecTokens:
		return fieldErr(at+".max_batch_tokens", e.MaxBatchTokens, fmt.Sprintf("want at least %d (one decode step)", 1+e.SpecTokens))
	case e.Scheduler != FCFS && e.Scheduler != SPF:
		return fieldErr(at+".scheduler", e.Scheduler, "want fcfs or spf")
	}
	return nil
}

// SLO is a latency target per request; a zero bound is unbounded. A
// deployment meets it at a rate when the Percentile (default 0.99) of
// TTFT and of TPOT are within the bounds and it is not overloaded.
type SLO struct {
	TTFT       time.Duration `json:"ttft_ns"`
	TPOT       time.Duration `json:"tpot_ns"`
	Percentile float64       `json:"percentile"`
}

// met reports whether one request's latencies are within the SLO.
func (s SLO) met(ttft, tpot time.Duration) bool {
	return (s.TTFT == 0 || ttft <= s.TTFT) && (s.TPOT == 0 || tpot <= s.TPOT)
}

func (s SLO) validate() error {
	if s.TTFT < 0 || s.TPOT < 0 {
		return fieldErr("slo", fmt.Sprintf("ttft=%v tpot=%v", s.TTFT, s.TPOT), "want non-negative bounds")
	}
	if s.Percentile != 0 && !(s.Percentile > 0 && s.Percentile <= 1) {
		return fieldErr("slo.percentile", s.Percentile, "want a fraction in (0, 1], e.g. 0.99")
	}
	return nil
}

func (s SLO) percentile() float64 {
	if s.Percentile == 0 {
		return 0.99
	}
	return s.Percentile
}
