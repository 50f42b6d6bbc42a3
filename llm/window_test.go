package llm

import (
	"errors"
	"math"
	"testing"

	"chipgap/input"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// Worked by hand: a causal query at position p attends min(p, w) keys.
// seq 8192, w 4096: Σ = 4096·4097/2 + 4096·4096 = 25,167,872, mean
// 3072.25 (the formula: 4096 − 4096·4095/16384). At seq = w the window
// changes nothing (2048.5); without a mask every query sees w keys.
func TestWindowContext(t *testing.T) {
	var sum float64
	for p := 1; p <= 8192; p++ {
		sum += math.Min(float64(p), 4096)
	}
	cases := []struct {
		seq, w int
		causal bool
		want   float64
	}{
		{8192, 4096, true, 3072.25},
		{8192, 4096, true, sum / 8192},
		{4096, 4096, true, 2048.5},
		{8192, 4096, false, 4096},
		{8192, 0, true, 4096.5},
	}
	for _, c := range cases {
		if got := WindowContext(c.seq, c.w, c.causal); !near(got, c.want) {
			t.Errorf("WindowContext(%d, %d, %v) = %.6f, want %.6f", c.seq, c.w, c.causal, got, c.want)
		}
	}
}

// Gemma 2's layout (42 layers, window 4096 on every other one): 21 global
// layers; at 8K tokens the layers average 0.5·4096.5 + 0.5·3072.25 =
// 3584.375 keys. Mistral 7B v0.1 (every layer local) at 32K: 4096 −
// 4096·4095/65536 = 3840.0625. A model without a window is unchanged.
func TestMeanContextAndFLOPs(t *testing.T) {
	gemma := Model{Layers: 42, Hidden: 3584, Heads: 16, KVHeads: 8, HeadDim: 256, Window: 4096, GlobalEvery: 2}
	if g := gemma.GlobalLayers(); g != 21 {
		t.Errorf("Gemma 2 global layers = %d, want 21", g)
	}
	if got := gemma.MeanContext(8192, true); !near(got, 3584.375) {
		t.Errorf("Gemma 2 mean context at 8K = %.6f, want 3584.375", got)
	}
	// 2·heads·(qk+v)·ctx per layer: 2·16·512·3584.375 = 58,726,400, ×42.
	if got := float64(gemma.SequenceAttentionFLOPsPerToken(8192, true)); !near(got, 58726400*42) {
		t.Errorf("Gemma 2 attention FLOPs per token at 8K = %.6g, want %.6g", got, 58726400.0*42)
	}
	mistral := Model{Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 8, HeadDim: 128, Window: 4096}
	if mistral.GlobalLayers() != 0 {
		t.Errorf("Mistral 7B v0.1 global layers = %d, want 0", mistral.GlobalLayers())
	}
	if got := mistral.MeanContext(32768, true); !near(got, 3840.0625) {
		t.Errorf("Mistral 7B mean context at 32K = %.6f, want 3840.0625", got)
	}
	plain := mistral
	plain.Window = 0
	if a, b := plain.SequenceAttentionFLOPsPerToken(32768, true), plain.AttentionFLOPsPerToken(AttentionContext(32768, true)); a != b {
		t.Errorf("no window: %v, want AttentionFLOPsPerToken's %v", a, b)
	}
}

// Half the layers global, window 4096: a 10,000-token context holds
// 0.5·10000 + 0.5·4096 = 7048 tokens' worth of every layer's KV cache, a
// 3,000-token one 3000. Contexts spread over [1000, 9000]: E[min(c, 4096)]
// = ((4096² − 1000²)/2 + 4096·4904)/8000 = 3496.924, so the mean is
// 0.5·5000 + 0.5·3496.924 = 4248.462.
func TestEffectiveContext(t *testing.T) {
	m := Model{Layers: 42, Window: 4096, GlobalEvery: 2}
	if got := m.Windowing().EffectiveContext(10000); !near(got, 7048) {
		t.Errorf("EffectiveContext(10000) = %v, want 7048", got)
	}
	if got := m.Windowing().EffectiveContext(3000); got != 3000 {
		t.Errorf("EffectiveContext(3000) = %v, want 3000", got)
	}
	if got := m.Windowing().MeanEffectiveContext(1000, 9000); !near(got, 0.5*5000+0.5*27975392.0/8000) {
		t.Errorf("MeanEffectiveContext(1000, 9000) = %.6f, want %.6f", got, 0.5*5000+0.5*27975392.0/8000)
	}
	if got := m.Windowing().MeanEffectiveContext(5000, 9000); !near(got, 0.5*7000+0.5*4096) {
		t.Errorf("MeanEffectiveContext(5000, 9000) = %v, want every local context at the window", got)
	}
}

// Every layer local, window 4096. A chunk of 1000 tokens after 3500
// cached: queries 3501..4096 see every key before them (Σ = 7597·596/2 =
// 2,263,906), the other 404 see 4096 each (1,654,784): 3,918,690 pairs;
// they read keys 1..4500. After 8000 cached every query sees 4096 keys
// and together they read 3906..9000: 5095 = 4096 + 1000 − 1.
func TestPromptKeys(t *testing.T) {
	m := Model{Layers: 32, Window: 4096}
	pairs, keys := m.Windowing().PromptKeys(1000, 3500)
	if !near(pairs, 3918690) || keys != 4500 {
		t.Errorf("PromptKeys(1000, 3500) = %v, %v; want 3918690, 4500", pairs, keys)
	}
	pairs, keys = m.Windowing().PromptKeys(1000, 8000)
	if !near(pairs, 4096000) || keys != 5095 {
		t.Errorf("PromptKeys(1000, 8000) = %v, %v; want 4096000, 5095", pairs, keys)
	}
	plain := Model{Layers: 32}
	if pairs, keys = plain.Windowing().PromptKeys(1000, 3500); pairs != 1000*(3500+500.5) || keys != 4500 {
		t.Errorf("no window: %v, %v", pairs, keys)
	}
}

func TestWindowValidate(t *testing.T) {
	base := Model{Name: "m", Layers: 4, Hidden: 64, Heads: 4, FFN: 128, Vocab: 100}.WithDefaults()
	for _, c := range []struct {
		window, every int
		field         string
	}{{-1, 0, "window"}, {0, 2, "global_every"}, {4096, 1, "global_every"}, {4096, -2, "global_every"}} {
		m := base
		m.Window, m.GlobalEvery = c.window, c.every
		var ie *input.Error
		if err := m.Validate(); !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("window %d, global_every %d: %v; want an error on %s", c.window, c.every, err, c.field)
		}
	}
	m := base
	m.Window, m.GlobalEvery = 4096, 2
	if err := m.Validate(); err != nil {
		t.Errorf("window 4096 every 2nd layer global: %v", err)
	}
}
