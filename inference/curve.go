package inference

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"chipgap/input"
	"chipgap/units"
)

// Mode is how an instance is used.
type Mode string

const (
	// Colocated: continuous batching with chunked prefill; each step
	// decodes the batch and prefills the prompts of the requests that
	// replace finished ones (steady state). Offline "mixed" runs.
	Colocated Mode = "colocated"
	// Decode: a decode-only instance of a disaggregated deployment.
	Decode Mode = "decode"
	// Prefill: a prefill-only instance; the batch is prompts per step.
	Prefill Mode = "prefill"
)

// ParseMode checks a mode name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case Colocated, Decode, Prefill:
		return m, nil
	case "mixed":
		return Colocated, nil
	}
	return "", input.Bad("mode", s, "want colocated (or mixed), decode or prefill")
}

// Workload is the request shape: prompt and generated tokens.
type Workload struct {
	Input  int `json:"input_tokens"`
	Output int `json:"output_tokens"`
	// Uniform says every request has exactly these lengths and all are
	// queued at once (an offline benchmark such as trtllm-bench with zero
	// length spread). With attention DP the groups then admit, prefill
	// and finish their requests in lockstep, so a colocated step waits for
	// no busiest group (adp.go); otherwise prompts land as Poisson counts.
	Uniform bool `json:"uniform,omitempty"`
}

func (w Workload) check(m Mode) error {
	if w.Input < 1 || w.Input > input.MaxRequestTokens {
		return input.Bad("input_tokens", w.Input, fmt.Sprintf("want 1 to %d", input.MaxRequestTokens))
	}
	if w.Output < 1 && m != Prefill {
		return input.Bad("output_tokens", w.Output, "want at least 1 (decode and colocated modes generate tokens)")
	}
	if w.Output > input.MaxRequestTokens {
		return input.Bad("output_tokens", w.Output, fmt.Sprintf("want at most %d", input.MaxRequestTokens))
	}
	return nil
}

// MaxTPOT bounds a TPOT target everywhere one is stated (flags, request
// and scenario files, sweep grids, the API): a token every 10 s is slower
// than any serving target, so a larger bound is a slip of the unit (a
// file's bare tpot: 50 is 50 s, where 50 ms was meant).
const MaxTPOT units.Seconds = 10

// SLO is a latency target; a zero field is unbounded.
type SLO struct {
	TPOT units.Seconds `json:"tpot"`
	TTFT units.Seconds `json:"ttft"`
}

// String words the SLO's bounds, 0 as no bound ("tpot=1 ms, no TTFT
// bound"; 0 ns read as a bound no batch could meet).
func (s SLO) String() string {
	var parts []string
	for _, b := range []struct {
		name string
		v    units.Seconds
	}{{"TPOT", s.TPOT}, {"TTFT", s.TTFT}} {
		if b.v == 0 {
			parts = append(parts, "no "+b.name+" bound")
		} else {
			parts = append(parts, strings.ToLower(b.name)+"="+b.v.String())
		}
	}
	return strings.Join(parts, ", ")
}

// Point is one batch size on the throughput–latency curve.
type Point struct {
	// Batch is concurrent sequences per instance (prompts per step in
	// prefill mode).
	Batch int `json:"batch"`
	// BatchPerChip is Batch per package of the instance.
	BatchPerChip float64       `json:"batch_per_chip"`
	TPOT         units.Seconds `json:"tpot"`
	TTFT         units.Seconds `json:"ttft"`
	// OutputPerChip and InputPerChip are tokens/s per package. In decode
	// mode InputPerChip is the prompt rate its requests carry (what the
	// prefill pool must supply), not work done here.
	OutputPerChip float64    `json:"output_tokens_per_s_per_chip"`
	InputPerChip  float64    `json:"input_tokens_per_s_per_chip"`
	Step          StepResult `json:"step"`
	Meets         bool       `json:"meets_slo"`
}

// point evaluates one batch size.
func (l *layout) point(mode Mode, w Workload, b int, slo SLO) Point {
	in, out := float64(w.Input), float64(w.Output)
	tps := l.tokensPerStepSpec
	B := float64(b)
	p := Point{Batch: b, BatchPerChip: B / l.chipsPerInstance()}
	switch mode {
	case Prefill:
		pairs, keys := l.win.PromptKeys(in, 0)
		ld := load{preTokens: B * in, prePairs: B * pairs, preCtx: B * keys, chunks: B}
		p.Step = l.passes(ld)
		p.Step.PrefillTokens = b * w.Input
		// A pool kept at B prompts a step: a prompt arriving at a random
		// time waits for the pass in flight (half of one on average), then
		// its batch's passes; a batch sent at once (uniform) waits for
		// nothing.
		p.TTFT = p.Step.Time
		if !w.Uniform {
			p.TTFT += p.Step.Time / units.Seconds(2*max(p.Step.Passes, 1))
		}
		p.InputPerChip = l.perChip(B * in / float64(p.Step.Time))
	default:
		ld := load{decSeqs: B, decCtx: B * l.win.MeanEffectiveContext(in, in+out)}
		if mode == Colocated {
			// Requests finish at B·tps/out per step; their replacements'
			// prompts are prefilled in the same steps (chunked).
			n := B * tps / out
			pairs, keys := l.win.PromptKeys(in, 0)
			ld.preTokens, ld.chunks = n*in, n
			ld.prePairs, ld.preCtx = n*pairs, n*keys
			c := l.newColocated(ld, in, w.Uniform)
			var residual units.Seconds
			p.Step, residual = c.mean()
			p.TTFT = c.ttft(residual)
		} else {
			p.Step = l.step(ld)
			p.TTFT = l.soloTTFT(in)
		}
		p.TPOT = p.Step.Time / units.Seconds(tps)
		p.OutputPerChip = l.perChip(B * tps / float64(p.Step.Time))
		p.InputPerChip = p.OutputPerChip * in / out
	}
	p.Meets = (slo.TPOT == 0 || p.TPOT <= slo.TPOT) && (slo.TTFT == 0 || p.TTFT <= slo.TTFT)
	return p
}

// soloTTFT is a decode pool's time to first token: the prompt of in
// tokens alone prefilled on this deployment (a prefill pool's TTFT comes
// from a Prefill curve). The same for every batch: computed once per
// layout.
func (l *layout) soloTTFT(in float64) units.Seconds {
	if l.solo == 0 {
		pairs, keys := l.win.PromptKeys(in, 0)
		one := load{preTokens: in, prePairs: pairs, preCtx: keys, chunks: 1}
		l.solo = l.passes(one).Time
	}
	return l.solo
}

// passPrompt is the most prompt tokens one forward pass takes per
// attention group: the smaller of MaxTokens and ChunkTokens (0: no limit).
func (l *layout) passPrompt() float64 {
	p := l.d.Profile
	n := p.MaxTokens
	if c := p.ChunkTokens; c > 0 && (n == 0 || c < n) {
		n = c
	}
	return float64(n)
}

// passes is a prefill-only step of ld run as the engine runs it: when its
// prompt tokens per attention group exceed what one forward pass takes
// (passPrompt), as ⌈tokens/limit⌉ passes of an equal share each (the
// engine splits the batch, chunking a prompt where it must); the causal
// pairs are the same however the prompts are cut.
func (l *layout) passes(ld load) StepResult {
	lim := l.passPrompt()
	n := 1.0
	if lim > 0 {
		n = math.Max(math.Ceil(ld.preTokens/float64(l.adp)/lim), 1)
	}
	if n == 1 {
		return l.step(ld)
	}
	f := 1 / n
	one := l.step(load{decSeqs: ld.decSeqs * f, decCtx: ld.decCtx * f, preTokens: ld.preTokens * f,
		prePairs: ld.prePairs * f, preCtx: ld.preCtx * f, chunks: ld.chunks * f})
	return one.times(n)
}

// times is n steps like r, one after another.
func (r StepResult) times(n float64) StepResult {
	s := func(t units.Seconds) units.Seconds { return units.Seconds(n) * t }
	r.Time, r.Compute, r.Memory, r.Comm, r.Overhead, r.Draft = s(r.Time), s(r.Compute), s(r.Memory), s(r.Comm), s(r.Overhead), s(r.Draft)
	r.Host, r.Eager = s(r.Host), s(r.Eager)
	r.FLOPs, r.Bytes = units.FLOP(n)*r.FLOPs, units.Bytes(n)*r.Bytes
	r.OutputTokens *= n
	r.Passes = int(n) * max(r.Passes, 1)
	c := &r.MoE
	c.Experts, c.ImbalanceTime, c.Dispatch, c.Combine = s(c.Experts), s(c.ImbalanceTime), s(c.Dispatch), s(c.Combine)
	c.Hidden, c.SMTax, c.Sync = s(c.Hidden), s(c.SMTax), s(c.Sync)
	return r
}

// BatchSizing is the largest batch one instance holds in a mode and what
// sized it (MaxBatchSizing): the KV cache over the context each sequence
// is sized at, or an engine limit below that.
type BatchSizing struct {
	// Sequences is the largest batch (MaxBatch).
	Sequences int `json:"sequences"`
	// ContextTokens is the KV cache one sequence is sized at, in tokens:
	// its mean over the request's life where the cache grows as tokens
	// are generated, the whole input + output where the engine reserves
	// it, the prompt in prefill; sliding-window layers count their window
	// only, and draft tokens (speculative decoding) are included.
	ContextTokens float64 `json:"context_tokens"`
	// KV is which of those ContextTokens is: KVGrown, KVReserved or
	// KVPrompt.
	KV string `json:"kv"`
	// DraftTokens are the draft tokens each decoding sequence holds
	// beside its context (in ContextTokens); Windowed: sliding-window
	// layers hold their window only (ContextTokens counts every layer's
	// tokens, the local layers' capped).
	DraftTokens int  `json:"draft_tokens,omitempty"`
	Windowed    bool `json:"windowed,omitempty"`
	// KVSequences is the batch the KV cache alone holds (Sequences where
	// Bound is BoundKV).
	KVSequences int `json:"kv_sequences"`
	// Bound is what stops the batch: BoundKV, or the engine's BoundMaxBatch
	// or BoundMaxTokens.
	Bound string `json:"bound"`
	why   string
}

// How a sequence's KV cache is sized (BatchSizing.KV).
const (
	KVGrown    = "grown"    // paged: input + output/2 on average, the cache growing as tokens are generated
	KVReserved = "reserved" // input + output, reserved whole when a request is admitted (kv_reserve_full)
	KVPrompt   = "prompt"   // prefill: the prompt alone
)

// What stops the largest batch (BatchSizing.Bound).
const (
	BoundKV        = "kv_cache"
	BoundMaxBatch  = "max_batch"
	BoundMaxTokens = "max_tokens"
)

// MaxBatchSizing is MaxBatch with what sized it.
func MaxBatchSizing(d Deployment, mode Mode, w Workload) (BatchSizing, error) {
	l, _, err := prepare(d, mode, w)
	if err != nil {
		return BatchSizing{}, err
	}
	kv, err := l.kv()
	if err != nil {
		return BatchSizing{}, err
	}
	return l.maxBatch(mode, w, kv), nil
}

// maxBatch is the largest batch the instance holds and what limits it:
// KV capacity over the average context per sequence, the engine's
// MaxBatch per attention group, and (decode and colocated) its MaxTokens
// per step per group. A prefill batch over MaxTokens runs as several
// passes, so MaxTokens does not bound it.
func (l *layout) maxBatch(mode Mode, w Workload, kv KV) BatchSizing {
	p := l.d.Profile
	// A sequence's KV cache in tokens of every layer (a window caps the
	// local layers': llm.Windowing.EffectiveContext).
	in, out, spec := float64(w.Input), float64(w.Output), float64(l.d.Speculative.Tokens)
	ctx, sized := l.win.MeanEffectiveContext(in, in+out)+spec, KVGrown
	held := "on average"
	if p.KVReserveFull {
		ctx, sized = l.win.EffectiveContext(in+out)+spec, KVReserved
		held = "reserved whole, " + p.limit("kv_reserve_full", 1)
	}
	draft := l.d.Speculative.Tokens
	if mode == Prefill {
		ctx, sized, draft = l.win.EffectiveContext(in), KVPrompt, 0
	}
	b := int(float64(kv.Tokens) / ctx)
	bs := BatchSizing{Sequences: b, ContextTokens: ctx, KV: sized, KVSequences: b, Bound: BoundKV, DraftTokens: draft, Windowed: l.win.Window > 0,
		why: fmt.Sprintf("the KV cache (%d tokens per instance after the weights; %s) holds %d sequences of %d+%d tokens (%s)", kv.Tokens, p.kvSizing(), b, w.Input, w.Output, held)}
	if p.MaxBatch > 0 && mode != Prefill && p.MaxBatch*l.adp < bs.Sequences {
		bs.Sequences, bs.Bound = p.MaxBatch*l.adp, BoundMaxBatch
		bs.why = fmt.Sprintf("the engine limit %s per attention group × %d groups", p.limit("max_batch", p.MaxBatch), l.adp)
	}
	if p.MaxTokens > 0 && mode != Prefill {
		// Tokens per step per sequence: the verified tokens plus the
		// prompt share of replacements (colocated), or the verified
		// tokens (decode).
		q := 1 + float64(l.d.Speculative.Tokens)
		per := q
		if mode == Colocated {
			per = q + l.tokensPerStepSpec*float64(w.Input)/float64(w.Output)
		}
		if t := max(int(float64(p.MaxTokens*l.adp)/per), 1); t < bs.Sequences {
			bs.Sequences, bs.Bound = t, BoundMaxTokens
			bs.why = fmt.Sprintf("the engine limit %s tokens per step per attention group × %d groups at %.4g tokens per sequence", p.limit("max_tokens", p.MaxTokens), l.adp, per)
		}
	}
	return bs
}

// Curve evaluates the given batch sizes (nil: a doubling grid from 1 to
// the largest batch that fits, plus that batch) and marks which meet slo.
// Batches that do not fit are an ErrDoesNotFit error naming the limit.
func Curve(d Deployment, mode Mode, w Workload, slo SLO, batches []int) ([]Point, error) {
	l, limit, err := prepare(d, mode, w)
	if err != nil {
		return nil, err
	}
	if batches == nil {
		batches = grid(limit)
	}
	pts := make([]Point, 0, len(batches))
	for _, b := range batches {
		if b < 1 {
			// Bad input, not a deployment too small for it.
			return nil, &input.Error{Field: "batch", Value: b, Want: fmt.Sprintf("want 1 to %d sequences", limit)}
		}
		if b > limit {
			kv, _ := l.kv()
			return nil, &input.Error{Field: "batch", Value: b, Want: fmt.Sprintf("want 1 to %d: %s", limit, l.maxBatch(mode, w, kv).why), Err: ErrDoesNotFit}
		}
		pts = append(pts, l.point(mode, w, b, slo))
	}
	return pts, nil
}

// prepare resolves d and the largest batch; a deployment that holds not
// even one sequence is ErrDoesNotFit.
func prepare(d Deployment, mode Mode, w Workload) (*layout, int, error) {
	if _, err := ParseMode(string(mode)); err != nil {
		return nil, 0, err
	}
	if err := w.check(mode); err != nil {
		return nil, 0, err
	}
	l, err := resolve(d)
	if err != nil {
		return nil, 0, err
	}
	kv, err := l.kv()
	if err != nil {
		return nil, 0, err
	}
	limit := l.maxBatch(mode, w, kv).Sequences
	if limit < 1 {
		field, v := "input_tokens", w.Input
		if w.Output > w.Input {
			field, v = "output_tokens", w.Output // the longer part is the one that does not fit
		}
		return nil, 0, &input.Error{Field: field, Value: v, Want: fmt.Sprintf("want a request (input + output) that fits the KV cache: %d tokens per instance after the weights", kv.Tokens), Err: ErrDoesNotFit}
	}
	return l, limit, nil
}

// grid is 1, 2, 4, ... up to limit, with limit itself.
func grid(limit int) []int { return appendGrid(nil, limit) }

// appendGrid appends grid(limit) to g (a caller's buffer: Best keeps it
// on its stack).
func appendGrid(g []int, limit int) []int {
	for b := 1; b < limit; b *= 2 {
		g = append(g, b)
		if m := b + b/2; b >= 2 && m < limit && m < 2*b {
			g = append(g, m)
		}
	}
	return append(g, limit)
}

// Best is the operating point with the highest throughput per chip
// (output tokens; input tokens in prefill mode) that meets slo, searching
// every batch size that fits. ErrNoOperatingPoint says why none does.
func Best(d Deployment, mode Mode, w Workload, slo SLO) (Point, error) {
	l, limit, err := prepare(d, mode, w)
	if err != nil {
		return Point{}, err
	}
	rate := func(p Point) float64 {
		if mode == Prefill {
			return p.InputPerChip
		}
		return p.OutputPerChip
	}
	// Latency grows with batch: bisect for the largest batch that meets
	// the SLO, then scan the grid below it in case throughput peaks early.
	first := l.point(mode, w, 1, slo)
	if !first.Meets {
		return Point{}, noPoint(first, slo)
	}
	lo, hi := 1, limit
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if l.point(mode, w, mid, slo).Meets {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	// The highest rate; among points within 1 % of it, the smallest batch
	// (lower latency for the same throughput). Only the rates are kept
	// (a Point is large and Best runs for every plan of a sweep): the
	// chosen batch is evaluated again, which gives the same point.
	type cand struct {
		batch int
		rate  float64
	}
	var gbuf [64]int
	var cbuf [66]cand
	last := l.point(mode, w, lo, slo)
	cs := append(cbuf[:0], cand{lo, rate(last)})
	top := cs[0].rate
	for _, b := range appendGrid(gbuf[:0], lo) {
		r := rate(l.point(mode, w, b, slo))
		cs = append(cs, cand{b, r})
		top = max(top, r)
	}
	pick := math.MaxInt
	for _, c := range cs {
		if c.rate >= 0.99*top && c.batch < pick {
			pick = c.batch
		}
	}
	if pick == lo {
		return last, nil
	}
	return l.point(mode, w, pick, slo), nil
}

// noPoint explains why even one sequence misses the target.
func noPoint(p Point, slo SLO) error {
	var why []string
	if slo.TPOT > 0 && p.TPOT > slo.TPOT {
		why = append(why, fmt.Sprintf("TPOT %v at batch 1 exceeds the %v target", p.TPOT, slo.TPOT))
	}
	if slo.TTFT > 0 && p.TTFT > slo.TTFT {
		why = append(why, fmt.Sprintf("TTFT %v at batch 1 exceeds the %v target", p.TTFT, slo.TTFT))
	}
	return &input.Error{Field: "slo", Value: slo.String(), Want: "no batch size meets it: " + fmt.Sprint(slices.Clip(why)) + "; relax the target or add chips per instance", Err: ErrNoOperatingPoint}
}
