package llm

import (
	"errors"
	"math"
	"testing"

	"chipgap/input"
)

// tinyGPT: 2 layers, h 8, 2 heads, GeLU MLP 32, vocab 10, 4 learned
// positions, layernorm and biases (GPT-3/Megatron style), untied.
func tinyGPT() Model {
	return Model{Name: "tiny-gpt", Layers: 2, Hidden: 8, Heads: 2, FFN: 32, Vocab: 10, PosEmbeddings: 4}.WithDefaults()
}

// tinyGQA: 1 layer, h 8, 4 query heads of 2, 2 KV heads, SwiGLU 12, vocab 10.
func tinyGQA() Model {
	return Model{Name: "tiny-gqa", Layers: 1, Hidden: 8, Heads: 4, KVHeads: 2, HeadDim: 2, FFN: 12, Act: SwiGLU, Vocab: 10}.WithDefaults()
}

// tinyMoE: 2 layers (first dense), MLA, 4 experts (2 active) + 1 shared, one MTP module.
func tinyMoE() Model {
	return Model{
		Name: "tiny-moe", Layers: 2, Hidden: 8, Heads: 2, FFN: 6, Act: SwiGLU, Vocab: 10, Attention: MLA,
		MLA:        &MLAConfig{QLoraRank: 4, KVLoraRank: 4, QKNopeHeadDim: 2, QKRopeHeadDim: 1, VHeadDim: 2},
		MoE:        &MoEConfig{Experts: 4, Active: 2, Shared: 1, ExpertFFN: 3, DenseLayers: 1},
		MTPModules: 1,
	}.WithDefaults()
}

func TestParamsTinyGPT(t *testing.T) {
	// Per layer: attention 4h² = 256 + biases 3h+h = 32 → 288; MLP 2·h·ffn =
	// 512 + biases ffn+h = 40 → 552; two layernorms 2·2h = 32. Layers: 2·872 =
	// 1744. Final norm 16, embedding (10+4)·8 = 112, head 80. Total 1952.
	p := tinyGPT().Params()
	want := Params{Embedding: 112, Head: 80, Attention: 576, DenseMLP: 1104, Norms: 80, Total: 1952, Active: 1952}
	if p != want {
		t.Fatalf("Params = %+v, want %+v", p, want)
	}
	if p.NonEmbedding() != 1760 {
		t.Errorf("NonEmbedding = %d, want 1760", p.NonEmbedding())
	}
	// Megatron eq. 2 assumes a tied head and no final norm:
	// 12·2·64 + 13·2·8 + (10+4)·8 = 1536 + 208 + 112 = 1856 = 1952 − 80 − 16.
	checkRel(t, "MegatronParams", tinyGPT().MegatronParams(4), 1856, 1e-12)
}

func TestParamsTinyGQA(t *testing.T) {
	// qkv 8·(8+4+4) = 128, out 8·8 = 64; SwiGLU 3·8·12 = 288; RMSNorms 2·8 + 8
	// = 24; embedding 80, head 80. Total 664.
	m := tinyGQA()
	p := m.Params()
	want := Params{Embedding: 80, Head: 80, Attention: 192, DenseMLP: 288, Norms: 24, Total: 664, Active: 664}
	if p != want {
		t.Fatalf("Params = %+v, want %+v", p, want)
	}
	// KV: 2·kv_heads·head_dim = 8 elements, 16 bytes at bf16.
	if got := m.KVBytesPerToken(2); got != 16 {
		t.Errorf("KVBytesPerToken(bf16) = %v, want 16", float64(got))
	}
	if got := m.WeightBytes(0.5); got != 332 {
		t.Errorf("WeightBytes(fp4) = %v, want 332", float64(got))
	}
	// Matmul FLOPs: 2·(192 + 288 + 80) = 1120. Attention per token at ctx 10:
	// 2·4 heads·(2+2)·10 = 320.
	if got := m.MatmulFLOPsPerToken(); got != 1120 {
		t.Errorf("MatmulFLOPsPerToken = %v, want 1120", float64(got))
	}
	if got := m.AttentionFLOPsPerToken(10); got != 320 {
		t.Errorf("AttentionFLOPsPerToken(10) = %v, want 320", float64(got))
	}
	// Sequence of 9: full attention ctx 9 → 288; causal ctx (9+1)/2 = 5 → 160.
	if got := m.ForwardFLOPsPerToken(9, false); got != 1120+288 {
		t.Errorf("Forward full = %v, want 1408", float64(got))
	}
	if got := m.ForwardFLOPsPerToken(9, true); got != 1120+160 {
		t.Errorf("Forward causal = %v, want 1280", float64(got))
	}
	// Training: 3·1280 = 3840; recompute adds the layers again, 1280 − 2·8·10 = 1120.
	if got := m.TrainingFLOPsPerToken(9, true, false); got != 3840 {
		t.Errorf("Training = %v, want 3840", float64(got))
	}
	if got := m.TrainingFLOPsPerToken(9, true, true); got != 4960 {
		t.Errorf("Training recompute = %v, want 4960", float64(got))
	}
}

func TestParamsTinyMoEMLA(t *testing.T) {
	// MLA per layer: q_a 8·4 = 32, q norm 4, q_b 4·2·3 = 24, kv_a 8·(4+1) = 40,
	// kv norm 4, kv_b 4·2·(2+2) = 32, out 2·2·8 = 32 → 168. Dense SwiGLU 3·8·6
	// = 144. One expert 3·8·3 = 72: routed 4·72 = 288, shared 72, router 8·4 =
	// 32. Norms 2·2·8 + 8 = 40. Embedding 80, head 80. Total 1072; active
	// 1072 − 288 + 2·72 = 928. MTP: 3 norms 24 + 2h² 128 + layer (168 + 16 +
	// 5·72 + 32 = 576) = 728.
	m := tinyMoE()
	p := m.Params()
	want := Params{Embedding: 80, Head: 80, Attention: 336, DenseMLP: 144, Experts: 288, SharedExperts: 72,
		Router: 32, Norms: 40, MTP: 728, Total: 1072, Active: 928}
	if p != want {
		t.Fatalf("Params = %+v, want %+v", p, want)
	}
	// MLA cache: kv_lora_rank + qk_rope = 5 elements a layer, 10 B at bf16, 20 B total.
	if got := m.KVBytesPerTokenPerLayer(2); got != 10 {
		t.Errorf("KV per layer = %v, want 10", float64(got))
	}
	if got := m.KVBytesPerToken(2); got != 20 {
		t.Errorf("KV = %v, want 20", float64(got))
	}
	// Matmul FLOPs: attention matmuls 168 − 8 (norms) = 160 per layer → 320;
	// dense 144; MoE router 32 + 2 experts 144 + shared 72 = 248; head 80 →
	// 792 parameters, 1584 FLOPs.
	if got := m.MatmulFLOPsPerToken(); got != 1584 {
		t.Errorf("MatmulFLOPsPerToken = %v, want 1584", float64(got))
	}
	// Attention (training form): 2·2 heads·(3+2)·ctx per layer, 2 layers: 40·ctx.
	if got := m.AttentionFLOPsPerToken(3); got != 120 {
		t.Errorf("AttentionFLOPsPerToken(3) = %v, want 120", float64(got))
	}
	// Absorbed MLA (decode): 2·2 heads·(2·4 + 1)·ctx per layer, 2 layers: 72·ctx.
	if got := m.AbsorbedAttentionFLOPsPerToken(3); got != 216 {
		t.Errorf("AbsorbedAttentionFLOPsPerToken(3) = %v, want 216", float64(got))
	}
	if a, b := tinyGQA().AbsorbedAttentionFLOPsPerToken(7), tinyGQA().AttentionFLOPsPerToken(7); a != b {
		t.Errorf("GQA absorbed %v != plain %v", float64(a), float64(b))
	}
	// MTP forward: MoE layer 2·(160+248) = 816, projection 2·2·64 = 256, head 160.
	if got := m.MTPFLOPsPerToken(); got != 1232 {
		t.Errorf("MTPFLOPsPerToken = %v, want 1232", float64(got))
	}
}

func TestLayerGEMMs(t *testing.T) {
	m := tinyMoE()
	layers := m.LayerGEMMs(6)
	if len(layers) != 3 || layers[0].Kind != DenseLayer || layers[1].Kind != MoELayer || layers[2].Kind != HeadLayer {
		t.Fatalf("layers = %+v", layers)
	}
	// 6 tokens × 2 active = 12 token-expert rows over 4 experts: 3 rows each.
	var found bool
	for _, g := range layers[1].GEMMs {
		if g.Name == "experts_gate_up" {
			found = true
			if g.M != 12 || g.N != 6 || g.K != 8 || g.Groups != 4 || g.RowsPerGroup() != 3 {
				t.Errorf("experts_gate_up = %+v", g)
			}
		}
	}
	if !found {
		t.Error("no experts_gate_up GEMM")
	}
	// The GEMM list must carry exactly the matmul FLOPs: 6 tokens × 1584.
	var sum float64
	for _, l := range layers {
		sum += l.FLOPs()
	}
	if sum != 6*1584 {
		t.Errorf("sum of GEMM FLOPs = %v, want %v", sum, 6*1584)
	}
	// Attention GEMMs for 3 sequences of 5: Q·Kᵀ 2·5·5·3 and P·V 2·5·2·5 per
	// head and sequence, 6 of them: 6·(150+100) = 1500 = 3·5 tokens·(40·5)/2 layers.
	var att float64
	for _, g := range m.AttentionGEMMs(3, 5) {
		att += g.FLOPs()
	}
	if att != 1500 {
		t.Errorf("attention GEMM FLOPs = %v, want 1500", att)
	}
}

func TestMegatronTable1GPT1_7B(t *testing.T) {
	// Narayanan et al. 2021 Table 1, first row: GPT 1.7B, L 24, h 2304, V
	// 51200, s 2048, batch 512, 32 A100s, 137 TFLOP/s per GPU (44 % of 312).
	// Eq. 3: 96·512·2048·24·2304² = 12 824 703 626 379 264, times
	// (1 + 2048/13824 + 51200/884736) = 1.2060185185… gives
	// F = 15 466 830 067 924 992 FLOP per iteration (exact in rationals).
	// Without recompute: 72·…·(1 + 2048/13824 + 51200/663552) = 11 785 665 138 130 944.
	m := Model{Layers: 24, Hidden: 2304, Heads: 24, FFN: 9216, Vocab: 51200, TiedEmbeddings: true, PosEmbeddings: 2048}.WithDefaults()
	checkRel(t, "F recompute", float64(m.MegatronFLOPs(512, 2048, true)), 15466830067924992, 1e-15)
	checkRel(t, "F no recompute", float64(m.MegatronFLOPs(512, 2048, false)), 11785665138130944, 1e-15)
	// The paper's columns: 137 TFLOP/s·32 = 4.384 PFLOP/s ("4.4"), 137/312 = 43.9 % ("44 %");
	// the implied iteration is F/4.384e15 = 3.528 s.
	if it := float64(m.MegatronFLOPs(512, 2048, true)) / (137e12 * 32); math.Abs(it-3.528) > 0.001 {
		t.Errorf("iteration time = %v s, want 3.528", it)
	}
	// Our per-token count reproduces eq. 3 (MHA, 4h GeLU, full attention).
	for _, rc := range []bool{false, true} {
		ours := float64(m.TrainingFLOPsPerToken(2048, false, rc)) * 512 * 2048
		checkRel(t, "TrainingFLOPsPerToken·B·s", ours, float64(m.MegatronFLOPs(512, 2048, rc)), 1e-12)
	}
	// Eq. 2 gives 1 652 226 048 parameters, Table 1's "1.7B"; ours adds the final layernorm (2h).
	if p := m.Params().Total; p != 1652226048+2*2304 {
		t.Errorf("Params.Total = %d, want %d", p, 1652226048+2*2304)
	}
}

func checkRel(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Abs(want) {
		t.Errorf("%s = %.17g, want %.17g", what, got, want)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		m     Model
		field string
	}{
		{"no layers", Model{Hidden: 8, Heads: 2, FFN: 8, Vocab: 8}, "layers"},
		{"kv not divisor", Model{Layers: 1, Hidden: 8, Heads: 4, KVHeads: 3, FFN: 8, Vocab: 8}, "kv_heads"},
		{"mla without sizes", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, Attention: MLA}, "mla"},
		{"bad norm", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, Norm: "batchnorm"}, "norm"},
		{"active > experts", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, MoE: &MoEConfig{Experts: 2, Active: 3, ExpertFFN: 4}}, "moe.active"},
		{"dense > layers", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, MoE: &MoEConfig{Experts: 2, Active: 1, ExpertFFN: 4, DenseLayers: 2}}, "moe.dense_layers"},
		{"groups not a divisor", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, MoE: &MoEConfig{Experts: 256, Active: 8, ExpertFFN: 4, Groups: 3, GroupTopK: 1}}, "moe.groups"},
		{"group_topk without groups", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, MoE: &MoEConfig{Experts: 256, Active: 8, ExpertFFN: 4, GroupTopK: 4}}, "moe.group_topk"},
		{"group_topk > groups", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, MoE: &MoEConfig{Experts: 256, Active: 8, ExpertFFN: 4, Groups: 8, GroupTopK: 9}}, "moe.group_topk"},
		{"groups hold too few experts", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, MoE: &MoEConfig{Experts: 16, Active: 8, ExpertFFN: 4, Groups: 8, GroupTopK: 2}}, "moe.group_topk"},
		{"unknown routing", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, MoE: &MoEConfig{Experts: 16, Active: 2, ExpertFFN: 4, Routing: "random"}}, "moe.routing"},
		{"contiguous gate with groups", Model{Layers: 1, Hidden: 8, Heads: 4, FFN: 8, Vocab: 8, MoE: &MoEConfig{Experts: 16, Active: 2, ExpertFFN: 4, Groups: 4, GroupTopK: 2, Routing: RoutingContiguous}}, "moe.routing"},
	}
	for _, c := range cases {
		err := c.m.WithDefaults().Validate()
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: err = %v, want a FieldError on %s", c.name, err, c.field)
		}
	}
	for _, m := range []Model{tinyGPT(), tinyGQA(), tinyMoE()} {
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
	}
	if b := tinyGQA().Bias; b == nil || *b {
		t.Error("SwiGLU default: want rmsnorm without biases")
	}
}

func BenchmarkParamsDeepSeekShape(b *testing.B) {
	m := Model{Layers: 61, Hidden: 7168, Heads: 128, FFN: 18432, Act: SwiGLU, Vocab: 129280, Attention: MLA,
		MLA: &MLAConfig{QLoraRank: 1536, KVLoraRank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128},
		MoE: &MoEConfig{Experts: 256, Active: 8, Shared: 1, ExpertFFN: 2048, DenseLayers: 3}}.WithDefaults()
	for b.Loop() {
		_ = m.Params()
	}
}

func BenchmarkTrainingFLOPsDeepSeekShape(b *testing.B) {
	m := Model{Layers: 61, Hidden: 7168, Heads: 128, FFN: 18432, Act: SwiGLU, Vocab: 129280, Attention: MLA,
		MLA: &MLAConfig{QLoraRank: 1536, KVLoraRank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128},
		MoE: &MoEConfig{Experts: 256, Active: 8, Shared: 1, ExpertFFN: 2048, DenseLayers: 3}}.WithDefaults()
	for b.Loop() {
		_ = m.TrainingFLOPsPerToken(4096, true, false)
	}
}

// The routing traffic of a MoE layer, worked by hand: DeepSeek-V3 (h 7168,
// 8 routed experts) moves 2·(1 + 8)·7168 = 129,024 elements per token; a
// dense model none.
func TestPermuteElemsPerToken(t *testing.T) {
	m := Model{Hidden: 7168, MoE: &MoEConfig{Experts: 256, Active: 8, Shared: 1, ExpertFFN: 2048}}
	if got := m.PermuteElemsPerToken(); got != 129024 {
		t.Errorf("DeepSeek-V3 permute elements per token = %g, want 129024", got)
	}
	if got := (Model{Hidden: 8192}).PermuteElemsPerToken(); got != 0 {
		t.Errorf("dense permute elements = %g, want 0", got)
	}
}

// TestShardsHit works the nodes a token's experts reach by hand: 8 of
// 256 experts over 8 nodes, uniform, 8·(1 − (7/8)^8) = 5.2511; DeepSeek-V3's
// 8 groups with 4 open to a token (node-limited routing, one group a
// node), 8·(1 − C(7,4)/C(8,4)) = 4, its report's "at most 4 nodes"; two
// groups a node (EP over 4 nodes), 4·(1 − C(6,4)/C(8,4)) = 3.1429; a
// group over 4 nodes (32 nodes), 32·(4/8)·(1 − (1 − 8/32)^(8/4)) = 7;
// 3 nodes nest with no group, so uniform, 3·(1 − (2/3)^8) = 2.8829.
func TestShardsHit(t *testing.T) {
	uniform := MoEConfig{Experts: 256, Active: 8}
	ds := MoEConfig{Experts: 256, Active: 8, Groups: 8, GroupTopK: 4}
	contig := MoEConfig{Experts: 256, Active: 8, Routing: RoutingContiguous}
	for _, c := range []struct {
		cfg  MoEConfig
		n    float64
		want float64
	}{
		{uniform, 8, 8 * (1 - math.Pow(7.0/8, 8))},
		{ds, 8, 4},
		{ds, 4, 4 * (1 - 15.0/70)},
		{ds, 32, 7},
		{ds, 3, 3 * (1 - math.Pow(2.0/3, 8))},
		{ds, 1, 1},
		{uniform, 2.5, 2.5 * (1 - math.Pow(1-1/2.5, 8))},
		// A contiguous gate: token i's 8 experts are 8i … 8i+7, aligned
		// windows of 256: two ranks of 4 experts (EP 64), one of 8 (EP 32),
		// one node of 32 (8 nodes).
		{contig, 64, 2},
		{contig, 32, 1},
		{contig, 8, 1},
		{contig, 256, 8},
		// 6 experts, top 5, 2 shards of 3: a window of 5 leaves out one
		// expert, so it covers both shards, even one that wraps round and
		// comes back to its first shard (at 2: experts 2 … 5, 0, shards 0,
		// 1, 1, 1, 0): 2.
		{MoEConfig{Experts: 6, Active: 5, Routing: RoutingContiguous}, 2, 2},
		// 10 experts, top 4, 5 shards of 2: windows at 0, 4, 8, 2, 6 each
		// cover two whole shards ({0..3}, {4..7}, {8, 9, 0, 1}, ...): 2.
		{MoEConfig{Experts: 10, Active: 4, Routing: RoutingContiguous}, 5, 2},
		// 12 experts, top 4, 3 shards of 4: windows at 0, 4, 8 sit in one
		// shard each: 1; 4 shards of 3: the window at 0 hits {0, 1}, at 4
		// {1, 2}, at 8 {2, 3}: 2.
		{MoEConfig{Experts: 12, Active: 4, Routing: RoutingContiguous}, 3, 1},
		{MoEConfig{Experts: 12, Active: 4, Routing: RoutingContiguous}, 4, 2},
	} {
		if got := c.cfg.ShardsHit(c.n); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%+v over %g shards: %.6f, want %.6f", c.cfg, c.n, got, c.want)
		}
	}
}
