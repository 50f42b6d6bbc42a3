package inference

import (
	"testing"

	"chipgap/llm"
)

// qwen3MoE is Qwen3-30B-A3B's shape: 48 layers, hidden 2048, GQA 32/4
// heads of 128, 128 routed experts of 768, 8 a token.
func qwen3MoE() llm.Model {
	return llm.Model{Name: "q3", Layers: 48, Hidden: 2048, Heads: 32, KVHeads: 4, HeadDim: 128, FFN: 6144,
		Act: llm.SwiGLU, Vocab: 151936, Attention: llm.GQA,
		MoE: &llm.MoEConfig{Experts: 128, Active: 8, ExpertFFN: 768}}
}

// A GEMM group's tile fixed work, worked by hand: time over the long-K
// time is 1 + K0·Σ f/K, f each GEMM's share of the group's FLOPs, the
// down and output projections' K divided by their split.
func TestGEMMInvK(t *testing.T) {
	q := newShape(qwen3MoE().WithDefaults())
	// Experts: gate_up 2048 → 1536 (K 2048), down 768 → 2048 (K 768);
	// FLOPs 1536·2048 : 2048·768 = 2/3 : 1/3.
	// 1 + 200·(2/3/2048 + 1/3/768) = 1 + 200·(3.2552e-4 + 4.3403e-4) = 1.151910.
	if got := q.kExpert.mult(200, 1); !near(got, 1.151910, 1e-6) {
		t.Errorf("Qwen3-30B-A3B experts: mult(200, etp 1) = %.6f, want 1.151910", got)
	}
	// Split twice (ETP 2) the down projection's K is 384:
	// 1 + 200·(3.2552e-4 + 2·4.3403e-4) = 1.238715.
	if got := q.kExpert.mult(200, 2); !near(got, 1.238715, 1e-6) {
		t.Errorf("Qwen3-30B-A3B experts: mult(200, etp 2) = %.6f, want 1.238715", got)
	}
	d := newShape(dense().WithDefaults())
	// Attention of the dense model: qkv 4096 → (32+16)·128 = 6144 (K 4096),
	// out 4096 → 4096 (K 4096): shares 0.6 and 0.4; at TP 8 the output's
	// K is 512: 1 + 400·(0.6/4096 + 8·0.4/4096) = 1 + 400·3.8/4096 = 1.371094.
	if got := d.kAttn.mult(400, 8); !near(got, 1.371094, 1e-6) {
		t.Errorf("dense attention: mult(400, tp 8) = %.6f, want 1.371094", got)
	}
	// Dense MLP: gate_up K 4096, down K 14336 with FLOPs 2:1:
	// 1 + 200·(2/3/4096 + 1/3/14336) = 1.037202.
	if got := d.kDense.mult(200, 1); !near(got, 1.037202, 1e-6) {
		t.Errorf("dense MLP: mult(200, 1) = %.6f, want 1.037202", got)
	}
	// The head (logits, K 4096, vocab-parallel: not split): 1 + 200/4096.
	if got := d.kHead.mult(200, 8); !near(got, 1+200.0/4096, 1e-9) {
		t.Errorf("head: mult(200, tp 8) = %.6f, want %.6f", got, 1+200.0/4096)
	}
	if got := q.kExpert.mult(0, 4); got != 1 {
		t.Errorf("K0 0: mult = %g, want 1", got)
	}
}

// In a compute-bound prefill the routed-expert GEMMs take the group's
// multiplier longer with the tile's fixed work, K0 scaled by the weight
// precision's peak over the 16-bit peak (FP8 2000 / BF16 1000 on the test
// chip): DeepSeek's experts, gate_up K 7168 and down K 2048 at FLOPs 2:1,
// 1 + 400·(2/3/7168 + 1/3/2048) = 1.102307.
func TestMatmulK0SlowsShortKExperts(t *testing.T) {
	prompt := Batch{Prefill: []Chunk{{Tokens: 8192}, {Tokens: 8192}}}
	d := moeDeployment()
	base, err := StepTime(d, prompt)
	if err != nil {
		t.Fatal(err)
	}
	d.Profile.MatmulK0 = 200
	k, err := StepTime(d, prompt)
	if err != nil {
		t.Fatal(err)
	}
	if r := float64(k.MoE.Experts / base.MoE.Experts); !near(r, 1.102307, 1e-6) {
		t.Errorf("expert time ratio with K0 200 at FP8 = %.6f, want 1.102307", r)
	}
	if !near(k.MoE.ShortK, 1.102307, 1e-6) || base.MoE.ShortK != 1 {
		t.Errorf("breakdown's short-K factor %.6f (without K0 %g), want 1.102307 (1)", k.MoE.ShortK, base.MoE.ShortK)
	}
	if k.Time <= base.Time {
		t.Errorf("step %v with K0 against %v without: want longer", k.Time, base.Time)
	}
	d.Profile.MatmulK0 = -1
	if _, err := StepTime(d, prompt); err == nil {
		t.Error("a negative matmul_k0 must be refused")
	}
}
