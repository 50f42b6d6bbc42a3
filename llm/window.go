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

// EffectiveContext is the keys a token with ctx tokens of context reads,
// averaged over the layers: ctx on a global layer, min(ctx, Window) on
// a local one. Attention FLOPs and KV cache both scale with it: a
// sequence of n tokens holds EffectiveContext(n) tokens' worth of every
// layer's KV cache (an engine frees or cycles the blocks a window has
// left behind).
func (m Model) EffectiveContext(ctx float64) float64 {
	return EffectiveTokens(ctx, m.Window, m.GlobalShare())
}

// EffectiveTokens is EffectiveContext for a window of w keys (0: none)
// on all but a share global of the layers.
func EffectiveTokens(ctx float64, w int, global float64) float64 {
	if w <= 0 || ctx <= float64(w) {
		return ctx
	}
	return global*ctx + (1-global)*float64(w)
}

// MeanEffectiveContext is the mean of EffectiveContext(c) for c spread
// evenly over [lo, hi] (a decoding batch in steady state, whose contexts
// run from the prompt to the prompt plus the output).
func (m Model) MeanEffectiveContext(lo, hi float64) float64 {
	w := float64(m.Window)
	if m.Window <= 0 || hi <= w {
		return (lo + hi) / 2
	}
	g := m.GlobalShare()
	local := w // every context past the window
	if lo < w {
		local = ((w*w-lo*lo)/2 + w*(hi-w)) / (hi - lo)
	}
	return g*(lo+hi)/2 + (1-g)*local
}

// PromptKeys is what a prompt chunk of t tokens after k cached ones costs
// attention, averaged over the layers: its causal (query, key) pairs
// (t·(k + (t+1)/2) on a global layer; Σ_{j=1..t} min(k+j, Window) on a
// local one) and the keys it reads (k + t; at most Window + t − 1 on a
// local layer).
func (m Model) PromptKeys(t, k float64) (pairs, keys float64) {
	pairs, keys = t*(k+(t+1)/2), k+t
	w := float64(m.Window)
	if m.Window <= 0 || k+t <= w {
		return pairs, keys
	}
	// Positions k+1 .. k+t; those up to w attend to all before them.
	under := math.Max(math.Min(w-k, t), 0) // queries still inside the window
	lp := under*(k+(under+1)/2) + (t-under)*w
	lk := math.Min(k+t, w+t-1)
	g := m.GlobalShare()
	return g*pairs + (1-g)*lp, g*keys + (1-g)*lk
}
