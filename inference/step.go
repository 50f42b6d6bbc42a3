package inference

import (
	"chipgap/llm"
	"fmt"
	"math"

	"chipgap/input"
	"chipgap/units"
)

// Chunk is a piece of one request's prompt processed in a step (chunked
// prefill): Tokens new prompt tokens whose request already has Cached
// tokens in the KV cache (earlier chunks or a prefix-cache hit).
type Chunk struct {
	Tokens int `json:"tokens"`
	Cached int `json:"cached"`
	// Group is the attention group whose ranks run the chunk (0-based,
	// taken modulo the groups), read only when the batch is Grouped.
	Group int `json:"group,omitempty"`
}

// Batch is what one instance computes in one engine step (continuous
// batching): prompt chunks, and decoding sequences given by their context
// length (tokens already in the KV cache). Each decoding sequence
// verifies 1 + Speculative.Tokens tokens.
type Batch struct {
	Prefill []Chunk `json:"prefill,omitempty"`
	Decode  []int   `json:"decode,omitempty"`
	// Grouped says the chunks name their attention group: with attention
	// DP the step then waits for the group with the most prompt tokens
	// (adp.go). Otherwise prompts are spread evenly over the groups.
	Grouped bool `json:"grouped,omitempty"`
}

// StepResult is the time of one step on one instance and what bounds it.
// Compute, Memory, Comm and Overhead add up to Time: each operation counts
// under the roofline bound that sets its time; Comm is what is not hidden.
type StepResult struct {
	Time     units.Seconds `json:"time"`
	Compute  units.Seconds `json:"compute"`
	Memory   units.Seconds `json:"memory"`
	Comm     units.Seconds `json:"comm"`
	Overhead units.Seconds `json:"overhead"`
	// FLOPs and Bytes (HBM traffic) on the busiest device, whole step.
	FLOPs units.FLOP  `json:"flops"`
	Bytes units.Bytes `json:"bytes"`
	// Bound names the largest share: compute, memory, comm or overhead;
	// host when the engine's host work (Host) outlasts the GPU's.
	Bound string `json:"bound"`
	// Host is the engine's host time for the step (Profile.HostPerSeq ×
	// sequences per attention group, plus Eager), overlapped with the
	// GPU's work; the part that outlasts it is in Overhead.
	Host units.Seconds `json:"host,omitempty"`
	// Eager is the part of Host that launches the layers of a step with
	// prompt tokens one kernel at a time (Profile.EagerLayer × layers;
	// a load with a fraction of a chunk pays that fraction).
	Eager units.Seconds `json:"eager,omitempty"`
	// OutputTokens is the expected tokens the decoding sequences emit
	// (sequences × tokens per speculative step); PrefillTokens the prompt
	// tokens processed.
	OutputTokens  float64 `json:"output_tokens"`
	PrefillTokens int     `json:"prefill_tokens"`
	// Passes is the forward passes the step takes: 1, or more when a
	// prefill batch holds more prompt tokens than the engine's per-pass
	// limit (MaxTokens, ChunkTokens) and runs in pieces.
	Passes int `json:"passes"`
	// Draft is the time of drafting the speculative tokens (MTP module or
	// draft head: one layer and the logit projection per draft token),
	// inside the four parts above.
	Draft units.Seconds `json:"draft,omitempty"`
	// MoE is where the mixture-of-experts time goes (zero for dense
	// models), inside the four parts above.
	MoE MoEStep `json:"moe,omitzero"`
	// ADPBalance is the attention groups' mean tokens over the busiest
	// group's in a colocated step with attention DP (1: even; zero when
	// not modelled), and ADPWait the time the busiest group adds over an
	// even spread of the same tokens (inside the four parts above).
	ADPBalance float64       `json:"adp_balance,omitempty"`
	ADPWait    units.Seconds `json:"adp_wait,omitempty"`
}

// load is a batch reduced to sums (per instance, per step).
type load struct {
	decSeqs   float64 // decoding sequences
	decCtx    float64 // sum of their contexts (layer averages under a window)
	preTokens float64 // new prompt tokens
	prePairs  float64 // causal (query, key) pairs of the prompt chunks
	preCtx    float64 // keys the chunks read: Σ (cached + tokens)
	chunks    float64 // chunks (each emits one logit row)
	// adpPre is the busiest attention group's prompt tokens over the
	// mean (attention DP, colocated steady state: adp.go); 0 or 1: even.
	adpPre float64
}

// load sums batch b under the model's window w. The contexts are layer
// averages (llm.Windowing.EffectiveContext, PromptKeys): a local layer's
// query reads at most the window, so attention's pairs, the KV reads and
// the KV cache a sequence holds all scale with them.
func (b Batch) load(w llm.Windowing) (load, error) {
	var ld load
	for i, c := range b.Prefill {
		if c.Tokens < 1 || c.Cached < 0 {
			return ld, input.Bad(fmt.Sprintf("batch.prefill[%d]", i), c, "want tokens ≥ 1 and cached ≥ 0")
		}
		t := float64(c.Tokens)
		pairs, keys := w.PromptKeys(t, float64(c.Cached))
		ld.preTokens += t
		ld.prePairs += pairs
		ld.preCtx += keys
		ld.chunks++
	}
	for i, n := range b.Decode {
		if n < 1 {
			return ld, input.Bad(fmt.Sprintf("batch.decode[%d]", i), n, "want a context of at least 1 token")
		}
		ld.decSeqs++
		ld.decCtx += w.EffectiveContext(float64(n))
	}
	if ld.decSeqs == 0 && ld.preTokens == 0 {
		return ld, input.Bad("batch", "empty", "want at least one prefill chunk or decoding sequence")
	}
	return ld, nil
}

// StepTime is the duration of one engine step of batch b on one instance
// of deployment d, with its roofline breakdown. It fails with
// ErrDoesNotFit when the batch's KV cache exceeds the instance's
// capacity, and with a *input.Error naming any bad input.
func StepTime(d Deployment, b Batch) (StepResult, error) {
	l, err := resolve(d)
	if err != nil {
		return StepResult{}, err
	}
	return l.stepTime(b)
}

func (l *layout) stepTime(b Batch) (StepResult, error) {
	ld, err := b.load(l.win)
	if err != nil {
		return StepResult{}, err
	}
	kv, err := l.kv()
	if err != nil {
		return StepResult{}, err
	}
	if need := ld.decCtx + ld.decSeqs*float64(l.d.Speculative.Tokens) + ld.preCtx; need > float64(kv.Tokens) {
		return StepResult{}, &input.Error{Field: "batch", Value: fmt.Sprintf("%.0f tokens of context", need), Want: fmt.Sprintf("want at most the instance's KV capacity, %d tokens", kv.Tokens), Err: ErrDoesNotFit}
	}
	if b.Grouped {
		ld.adpPre = l.groupSkew(b.Prefill)
	}
	r := l.step(ld)
	r.PrefillTokens = int(ld.preTokens)
	return r, nil
}

// acc accumulates a step's time by bound.
type acc struct {
	compute, memory, comm, overhead float64
	flops, bytes                    float64
	moe                             moeAcc
}

// roof adds one operation: f FLOPs at rate, b bytes at bandwidth.
func (a *acc) roof(f, rate, b, bw float64) float64 {
	tc, tm := f/rate, b/bw
	a.flops += f
	a.bytes += b
	if tc >= tm {
		a.compute += tc
		return tc
	}
	a.memory += tm
	return tm
}

// step is the time of a step, pipelined: the batch splits into PP
// micro-batches, each stage is busy for PP stage-times per step. With a
// busiest attention group (ld.adpPre > 1) it also reports the balance
// ratio and the time the wait adds over an even spread of the same tokens.
func (l *layout) step(ld load) StepResult {
	r := l.stepEven(ld)
	if ld.adpPre > 1 {
		even := ld
		even.adpPre = 1
		r.ADPWait = r.Time - l.stepEven(even).Time
		dec := ld.decSeqs * (1 + float64(l.d.Speculative.Tokens)) // tokens each step computes
		r.ADPBalance = (dec + ld.preTokens) / (dec + ld.preTokens*ld.adpPre)
	}
	return r
}

// stepEven is step without the attention-DP report.
func (l *layout) stepEven(ld load) StepResult {
	pp := float64(l.pp)
	mb := ld
	mb.decSeqs, mb.decCtx, mb.preTokens = ld.decSeqs/pp, ld.decCtx/pp, ld.preTokens/pp
	mb.prePairs, mb.preCtx, mb.chunks = ld.prePairs/pp, ld.preCtx/pp, ld.chunks/pp
	var a acc
	l.stage(&a, mb)
	draft := l.drafting(&a, mb)
	if l.pp > 1 {
		tok := (mb.decSeqs*(1+float64(l.d.Speculative.Tokens)) + mb.preTokens) / float64(l.adp)
		a.comm += float64(l.cluster.SendRecv(units.Bytes(tok*l.sh.hidden*l.actBytes), l.cluster.Group(l.pp, l.w)))
	}
	scale := pp
	r := StepResult{
		Compute: units.Seconds(a.compute * scale), Memory: units.Seconds(a.memory * scale),
		Comm: units.Seconds(a.comm * scale), Overhead: units.Seconds(a.overhead*scale) + l.d.Profile.StepOverhead,
		FLOPs: units.FLOP(a.flops * scale), Bytes: units.Bytes(a.bytes * scale),
		OutputTokens: ld.decSeqs * l.tokensPerStepSpec, Passes: 1,
		Draft: units.Seconds(draft * scale), MoE: a.moe.result(scale),
	}
	r.Time = r.Compute + r.Memory + r.Comm + r.Overhead
	r.Bound = bound(r)
	// The host prepares the next step while the GPU runs this one; an
	// executor runs each attention group's requests.
	if h := l.d.Profile.HostPerSeq; h > 0 {
		r.Host = h * units.Seconds((ld.decSeqs+ld.chunks)/float64(l.adp))
	}
	// A step with prompt tokens runs eagerly where the engine captures
	// only decode-only steps: its host launches every layer's kernels. A
	// load carrying a fraction of a chunk pays that fraction.
	if e := l.d.Profile.EagerLayer; e > 0 && ld.preTokens > 0 {
		r.Eager = e * units.Seconds(l.sh.layers*math.Min(ld.chunks, 1))
		r.Host += r.Eager
	}
	if r.Host > 0 {
		if r.Host > r.Time {
			r.Overhead += r.Host - r.Time
			r.Time, r.Bound = r.Host, "host"
		}
	}
	return r
}

func bound(r StepResult) string {
	name, v := "compute", r.Compute
	for _, c := range []struct {
		n string
		t units.Seconds
	}{{"memory", r.Memory}, {"comm", r.Comm}, {"overhead", r.Overhead}} {
		if c.t > v {
			name, v = c.n, c.t
		}
	}
	return name
}

// lin adds n linear layers of params each over tokens rows and returns
// their time; k is their GEMMs' 1/K, for the tile fixed work.
func (l *layout) lin(a *acc, params, tokens, n float64, k invK) float64 {
	p := &l.d.Profile
	rate := l.peak * p.matmulEff(tokens, l.halfRows) / k.mult(l.k0, float64(l.tp))
	return a.roof(2*params*tokens*n, rate, params*l.wBytes*n, l.bw*p.MemoryEff)
}

// stage adds one pipeline stage's layers for micro-batch ld on the
// busiest device.
func (l *layout) stage(a *acc, ld load) {
	s, p := &l.sh, &l.d.Profile
	per := s.layers / float64(l.pp)
	frac := per / s.layers
	tp, adp := float64(l.tp), float64(l.adp)
	q := 1 + float64(l.d.Speculative.Tokens)
	g := math.Max(ld.adpPre, 1)                 // the busiest attention group's prompt load over the mean
	ta := (ld.decSeqs*q + ld.preTokens*g) / adp // tokens on the busiest attention group
	mem := l.bw * p.MemoryEff
	// Attention: projections, then the attention kernel over the KV cache.
	tComp := l.lin(a, s.attn/tp, ta, per, s.kAttn)
	// The prompt's pairs at its kernel's rate (ctxAttn: FP8 context
	// attention), the decode pairs at the 16-bit one.
	pairs := (ld.decCtx*q*s.pairDecode + ld.prePairs*g*s.pairPrefill/math.Max(l.ctxAttn, 1)) / adp / tp * per
	kvRead := (ld.decCtx*l.decodeKVLoads() + ld.preCtx*g) / adp * l.kvPerToken()
	tComp += a.roof(pairs, l.peak16*p.AttentionEff, kvRead, mem)
	// Routed experts see every group's tokens: not skewed.
	tComp += l.mlp(a, ta, ld.decSeqs*q+ld.preTokens, frac)
	act := ta * (s.actFull + s.actSplit/tp) * l.actBytes * per
	tComp += a.roof(0, 1, act, mem)
	// TP all-reduces sit between dependent GEMMs: exposed. EP dispatch
	// and combine overlap with the other micro-batch's compute.
	tTP, tEP := l.comm(a, ta, frac, ld.preTokens > 0)
	a.comm += tTP + l.overlapEP(a, tComp, tEP, frac)
	// The logit projection, vocab-parallel over TP, on its share of stages.
	rows := (ld.decSeqs*q + ld.chunks*g) / adp
	l.lin(a, s.head/tp, rows, frac, s.kHead)
	a.overhead += float64(p.LayerOverhead) * per
}

// drafting adds the drafting of the speculative tokens for micro-batch
// ld's decoding sequences and returns its time: each draft token is one
// pass of the drafter over the sequences, drafted one after another. An
// MTP module (DeepSeek-V3, arXiv 2412.19437 §2.2) or an EAGLE head
// (Li et al. 2024, arXiv 2401.15077) is one transformer layer of the
// model's kind plus the logit projection, attending over the context.
func (l *layout) drafting(a *acc, ld load) float64 {
	n := float64(l.d.Speculative.Tokens)
	if l.drafter == nil || n == 0 || ld.decSeqs == 0 {
		return 0
	}
	var d acc
	l.drafter.stage(&d, load{decSeqs: ld.decSeqs, decCtx: ld.decCtx})
	a.compute += n * d.compute
	a.memory += n * d.memory
	a.comm += n * d.comm
	a.overhead += n * d.overhead
	a.flops += n * d.flops
	a.bytes += n * d.bytes
	return n * (d.compute + d.memory + d.comm + d.overhead)
}

// newDrafter is the one-layer layout of the drafter: the model's last
// layer kind (MoE where the model has one), no pipeline, no speculation.
func (l *layout) newDrafter() *layout {
	d := *l
	d.drafter = nil
	d.pp = 1
	d.sh.layers, d.sh.moeLayers, d.sh.denseLayers = 1, min(d.sh.moeLayers, 1), 1-min(d.sh.moeLayers, 1)
	d.d.Speculative = Speculative{}
	d.tokensPerStepSpec = 1
	return &d
}
