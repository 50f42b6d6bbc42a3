package inference

import (
	"fmt"
	"math"

	"chipgap/units"
)

// Chunk is a piece of one request's prompt processed in a step (chunked
// prefill): Tokens new prompt tokens whose request already has Cached
// tokens in the KV cache (earlier chunks or a prefix-cache hit).
type Chunk struct {
	Tokens int `json:"tokens"`
	Cached int `json:"cached"`
}

// Batch is what one instance computes in one engine step (continuous
// batching): prompt chunks, and decoding sequences given by their context
// length (tokens already in the KV cache). Each decoding sequence
// verifies 1 + Speculative.Tokens tokens.
type Batch struct {
	Prefill []Chunk `json:"prefill,omitempty"`
	Decode  []int   `json:"decode,omitempty"`
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
	// Bound names the largest share: compute, memory, comm or overhead.
	Bound string `json:"bound"`
	// OutputTokens is the expected tokens the decoding sequences emit
	// (sequences × tokens per speculative step); PrefillTokens the prompt
	// tokens processed.
	OutputTokens  float64 `json:"output_tokens"`
	PrefillTokens int     `json:"prefill_tokens"`
}

// load is a batch reduced to sums (per instance, per step).
type load struct {
	decSeqs   float64 // decoding sequences
	decCtx    float64 // sum of their contexts
	preTokens float64 // new prompt tokens
	prePairs  float64 // causal (query, key) pairs of the prompt chunks
	preCtx    float64 // keys the chunks read: Σ (cached + tokens)
	chunks    float64 // chunks (each emits one logit row)
}

func (b Batch) load() (load, error) {
	var ld load
	for i, c := range b.Prefill {
		if c.Tokens < 1 || c.Cached < 0 {
			return ld, &FieldError{Field: fmt.Sprintf("batch.prefill[%d]", i), Value: c, Want: "want tokens ≥ 1 and cached ≥ 0"}
		}
		t, k := float64(c.Tokens), float64(c.Cached)
		ld.preTokens += t
		ld.prePairs += t * (k + (t+1)/2)
		ld.preCtx += k + t
		ld.chunks++
	}
	for i, n := range b.Decode {
		if n < 1 {
			return ld, &FieldError{Field: fmt.Sprintf("batch.decode[%d]", i), Value: n, Want: "want a context of at least 1 token"}
		}
		ld.decSeqs++
		ld.decCtx += float64(n)
	}
	if ld.decSeqs == 0 && ld.preTokens == 0 {
		return ld, &FieldError{Field: "batch", Value: "empty", Want: "want at least one prefill chunk or decoding sequence"}
	}
	return ld, nil
}

// StepTime is the duration of one engine step of batch b on one instance
// of deployment d, with its roofline breakdown. It fails with
// ErrDoesNotFit when the batch's KV cache exceeds the instance's
// capacity, and with a *FieldError naming any bad input.
func StepTime(d Deployment, b Batch) (StepResult, error) {
	l, err := resolve(d)
	if err != nil {
		return StepResult{}, err
	}
	ld, err := b.load()
	if err != nil {
		return StepResult{}, err
	}
	kv, err := l.kv()
	if err != nil {
		return StepResult{}, err
	}
	if need := ld.decCtx + ld.decSeqs*float64(d.Speculative.Tokens) + ld.preCtx; need > float64(kv.Tokens) {
		return StepResult{}, &FieldError{Field: "batch", Value: fmt.Sprintf("%.0f tokens of context", need),
			Want: fmt.Sprintf("want at most the instance's KV capacity, %d tokens", kv.Tokens), Err: ErrDoesNotFit}
	}
	r := l.step(ld)
	r.PrefillTokens = int(ld.preTokens)
	return r, nil
}

// acc accumulates a step's time by bound.
type acc struct {
	compute, memory, comm, overhead float64
	flops, bytes                    float64
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
// micro-batches, each stage is busy for PP stage-times per step.
func (l *layout) step(ld load) StepResult {
	pp := float64(l.pp)
	mb := ld
	mb.decSeqs, mb.decCtx, mb.preTokens = ld.decSeqs/pp, ld.decCtx/pp, ld.preTokens/pp
	mb.prePairs, mb.preCtx, mb.chunks = ld.prePairs/pp, ld.preCtx/pp, ld.chunks/pp
	var a acc
	l.stage(&a, mb)
	if l.pp > 1 {
		tok := (mb.decSeqs*(1+float64(l.d.Speculative.Tokens)) + mb.preTokens) / float64(l.adp)
		a.comm += float64(l.cluster.SendRecv(units.Bytes(tok*l.sh.hidden*l.actBytes), l.cluster.Group(l.pp, l.w)))
	}
	scale := pp
	r := StepResult{
		Compute: units.Seconds(a.compute * scale), Memory: units.Seconds(a.memory * scale),
		Comm: units.Seconds(a.comm * scale), Overhead: units.Seconds(a.overhead*scale) + l.d.Profile.StepOverhead,
		FLOPs: units.FLOP(a.flops * scale), Bytes: units.Bytes(a.bytes * scale),
		OutputTokens: ld.decSeqs * l.tokensPerStepSpec,
	}
	r.Time = r.Compute + r.Memory + r.Comm + r.Overhead
	r.Bound = bound(r)
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

// stage adds one pipeline stage's layers for micro-batch ld on the
// busiest device.
func (l *layout) stage(a *acc, ld load) {
	s, p := l.sh, l.d.Profile
	per := s.layers / float64(l.pp)
	frac := per / s.layers
	tp, adp := float64(l.tp), float64(l.adp)
	q := 1 + float64(l.d.Speculative.Tokens)
	ta := (ld.decSeqs*q + ld.preTokens) / adp // tokens per attention group
	mem := l.bw * p.MemoryEff
	// lin is n linear layers of params each over tokens rows.
	lin := func(params, tokens, n float64) float64 {
		return a.roof(2*params*tokens*n, l.peak*p.matmulEff(tokens), params*l.wBytes*n, mem)
	}
	// Attention: projections, then the attention kernel over the KV cache.
	tComp := lin(s.attn/tp, ta, per)
	pairs := (ld.decCtx*q*s.pairDecode + ld.prePairs*s.pairPrefill) / adp / tp * per
	kvRead := (ld.decCtx + ld.preCtx) / adp * l.kvPerToken()
	tComp += a.roof(pairs, l.peak16*p.AttentionEff, kvRead, mem)
	tComp += l.mlp(a, ta, frac, lin)
	act := ta * (s.actFull + s.actSplit/tp) * l.actBytes * per
	tComp += a.roof(0, 1, act, mem)
	// TP all-reduces sit between dependent GEMMs: exposed. EP dispatch
	// and combine overlap with the other micro-batch's compute.
	tTP, tEP := l.comm(ta, frac, ld.preTokens > 0)
	a.comm += tTP + tEP - p.CommOverlap*math.Min(tComp, tEP)
	// The logit projection, vocab-parallel over TP, on its share of stages.
	rows := (ld.decSeqs*q + ld.chunks) / adp
	lin(s.head/tp, rows, frac)
	a.overhead += float64(p.LayerOverhead) * per
}

// mlp adds the stage's dense, shared-expert and routed-expert MLPs and
// returns their time.
func (l *layout) mlp(a *acc, ta, frac float64, lin func(params, tokens, n float64) float64) float64 {
	s := l.sh
	tp := float64(l.tp)
	t := lin(s.denseMLP/tp, ta, s.denseLayers*frac)
	if s.moeLayers == 0 {
		return t
	}
	moe := s.moeLayers * frac
	t += lin(s.shared/tp, ta, moe)
	T := ta * float64(l.adp) // tokens in the stage
	n := math.Max(s.experts, float64(l.ep))
	copies := n / float64(l.ep)
	rowsPerExpert := T * s.active / n
	imb := l.d.Profile.ExpertImbalance
	flops := 2 * s.expert * T * s.active / float64(l.w) * imb
	bytes := copies * touched(T, s.active, n) * s.expert / float64(l.etp) * l.wBytes
	rate := l.peak * l.d.Profile.matmulEff(rowsPerExpert)
	t += a.roof(flops*moe, rate, bytes*moe, l.bw*l.d.Profile.MemoryEff)
	return t
}

// comm is the stage's communication time on one device: two TP
// all-reduces per layer (tp), and EP dispatch + combine per MoE layer (ep);
// hier: the batch has prompt tokens (hierarchical EP kernels).
func (l *layout) comm(ta, frac float64, hier bool) (tp, ep float64) {
	s := l.sh
	if l.tp > 1 {
		ar := l.cluster.AllReduce(units.Bytes(ta*s.hidden*l.actBytes), l.tpGroup)
		tp = 2 * float64(ar) * s.layers * frac
	}
	if l.ep > 1 && s.moeLayers > 0 {
		tokDev := ta / float64(l.tp)
		disp := math.Min(l.wBytes, 2)
		d := l.epAllToAll(tokDev*s.hidden*disp, s.active, hier)
		c := l.epAllToAll(tokDev*s.hidden*l.actBytes, s.active, hier)
		ep = (d + c) * s.moeLayers * frac
	}
	return tp, ep
}

// epAllToAll is one EP dispatch or combine on a device: perCopy bytes for
// each of the k experts its tokens go to. Within one scale-up domain, or
// with direct sends (hier false: decode batches, DeepEP's low-latency
// kernels, one RDMA write per expert copy), it is the all-to-all of the k
// copies. A batch with prompt tokens (hier true) uses hierarchical kernels
// (DeepEP's normal mode, NVLink–RDMA forwarding): a token crosses
// scale-out once per distinct remote node holding one of its experts,
// (nodes−1)·(1 − (1 − 1/nodes)^k) of them for uniformly spread experts,
// and fans out to the experts over scale-up.
func (l *layout) epAllToAll(perCopy, k float64, hier bool) float64 {
	g, c := l.epGroup, l.cluster
	all := float64(c.AllToAll(units.Bytes(perCopy*k), g))
	if !hier || !g.Spans() {
		return all
	}
	nodes := float64(g.N) / float64(g.PerNode)
	remote := (nodes - 1) * (1 - math.Pow(1-1/nodes, k))
	tOut := perCopy*remote/float64(c.ScaleOut.Bandwidth) + float64(c.ScaleOut.Latency)
	n := float64(g.N)
	tUp := perCopy*k*(n-1)/n/float64(c.ScaleUp.Bandwidth) + float64(c.ScaleUp.Latency)
	return math.Min(all, math.Max(tOut, tUp))
}
