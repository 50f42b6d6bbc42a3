package llm

import (
	"math"

	"chipgap/units"
)

// GlobalLayers is the layers that attend to the whole context: all of
// them without a window, every GlobalEvery-th with one (none when
// GlobalEvery is 0).
func (m Model) GlobalLayers() int {
	switch {
	case m.Window == 0:
		return m.Layers
	case m.GlobalEvery == 0:
		return 0
	}
	return m.Layers / m.GlobalEvery
}

// GlobalShare is GlobalLayers over Layers (1 without a window).
func (m Model) GlobalShare() float64 {
	if m.Layers == 0 {
		return 1
	}
	return float64(m.GlobalLayers()) / float64(m.Layers)
}

// WindowContext is the mean number of keys a query of a local layer
// attends to in a sequence of seq tokens under a window of w keys: with
// a causal mask, Σ_{p=1..seq} min(p, w) / seq, that is (seq+1)/2 up to
// seq = w and w − w(w−1)/(2·seq) beyond; without one, min(seq, w). w ≤ 0
// is no window (AttentionContext).
func WindowContext(seq, w int, causal bool) float64 {
	if w <= 0 || seq <= w {
		return AttentionContext(seq, causal)
	}
	if !causal {
		return float64(w)
	}
	s, fw := float64(seq), float64(w)
	return fw - fw*(fw-1)/(2*s)
}

// MeanContext is the keys a query of a seq-token sequence attends to,
// averaged over the layers: AttentionContext on a global layer,
// WindowContext on a local one (a fused kernel skips the blocks outside
// the window, as it skips the causal half). Attention's work per layer
// is linear in it, so the average prices every layer. Without a window
// it is AttentionContext(seq, causal).
func (m Model) MeanContext(seq int, causal bool) float64 {
	if m.Window <= 0 {
		return AttentionContext(seq, causal)
	}
	g := m.GlobalShare()
	return g*AttentionContext(seq, causal) + (1-g)*WindowContext(seq, m.Window, causal)
}

// SequenceAttentionFLOPsPerToken is the attention term of one token of a
// seq-token sequence, all layers, at MeanContext.
func (m Model) SequenceAttentionFLOPsPerToken(seq int, causal bool) units.FLOP {
	return m.AttentionFLOPsPerToken(m.MeanContext(seq, causal))
}

// Windowing is a model's sliding window as serving counts it: Window
// keys (0: none) on all but a share Global of the layers. Its methods
// give the keys a token reads and the KV cache a sequence holds,
// averaged over the layers; a small value, for hot loops.
type Windowing struct {
	Window int
	Global float64
}

// Windowing is m's window and its share of global layers.
func (m Model) Windowing() Windowing { return Windowing{Window: m.Window, Global: m.GlobalShare()} }

// EffectiveContext is the keys a token with ctx tokens of context reads,
// averaged over the layers: ctx on a global layer, min(ctx, Window) on
// a local one. Attention FLOPs and KV cache both scale with it: a
// sequence of n tokens holds EffectiveContext(n) tokens' worth of every
// layer's KV cache (an engine frees or cycles the blocks a window has
// left behind).
func (w Windowing) EffectiveContext(ctx float64) float64 {
	if w.Window <= 0 || ctx <= float64(w.Window) {
		return ctx
	}
	return w.Global*ctx + (1-w.Global)*float64(w.Window)
}

// MeanEffectiveContext is the mean of EffectiveContext(c) for c spread
// evenly over [lo, hi] (a decoding batch in steady state, whose contexts
// run from the prompt to the prompt plus the output).
func (w Windowing) MeanEffectiveContext(lo, hi float64) float64 {
	fw := float64(w.Window)
	if w.Window <= 0 || hi <= fw {
		return (lo + hi) / 2
	}
	local := fw // every context past the window
	if lo < fw {
		local = ((fw*fw-lo*lo)/2 + fw*(hi-fw)) / (hi - lo)
	}
	return w.Global*(lo+hi)/2 + (1-w.Global)*local
}

// PromptKeys is what a prompt chunk of t tokens after k cached ones costs
// attention, averaged over the layers: its causal (query, key) pairs
// (t·(k + (t+1)/2) on a global layer; Σ_{j=1..t} min(k+j, Window) on a
// local one) and the keys it reads (k + t; at most Window + t − 1 on a
// local layer).
func (w Windowing) PromptKeys(t, k float64) (pairs, keys float64) {
	pairs, keys = t*(k+(t+1)/2), k+t
	fw := float64(w.Window)
	if w.Window <= 0 || k+t <= fw {
		return pairs, keys
	}
	// Positions k+1 .. k+t; those up to the window see all before them.
	under := math.Max(math.Min(fw-k, t), 0)
	lp := under*(k+(under+1)/2) + (t-under)*fw
	lk := math.Min(k+t, fw+t-1)
	return w.Global*pairs + (1-w.Global)*lp, w.Global*keys + (1-w.Global)*lk
}
