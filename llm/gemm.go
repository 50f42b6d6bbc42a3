package llm

import "strings"

// GEMM is one matrix multiply C[M×N] = A[M×K]·B[K×N], repeated Count times.
// Groups > 1 marks a grouped GEMM (MoE experts): the M rows are split over
// Groups independent multiplies of M/Groups rows each on average, which is
// what a size-dependent efficiency model should look at.
type GEMM struct {
	Name    string `json:"name"`
	M, N, K int
	Count   int `json:"count"`
	Groups  int `json:"groups"`
}

// FLOPs is 2·M·N·K·Count (one multiply and one add per term).
func (g GEMM) FLOPs() float64 {
	return 2 * float64(g.M) * float64(g.N) * float64(g.K) * float64(g.Count)
}

// RowsPerGroup is the mean M of one multiply of a grouped GEMM.
func (g GEMM) RowsPerGroup() float64 { return float64(g.M) / float64(max(g.Groups, 1)) }

// LayerKind says what a Layer is.
type LayerKind string

const (
	DenseLayer LayerKind = "dense" // attention + dense MLP
	MoELayer   LayerKind = "moe"   // attention + router + experts
	HeadLayer  LayerKind = "head"  // the output (logit) projection
)

// Layer is one transformer layer (or the head) and its weight GEMMs.
type Layer struct {
	Index int       `json:"index"`
	Kind  LayerKind `json:"kind"`
	GEMMs []GEMM    `json:"gemms"`
}

// FLOPs sums the layer's GEMMs.
func (l Layer) FLOPs() float64 {
	var f float64
	for _, g := range l.GEMMs {
		f += g.FLOPs()
	}
	return f
}

// LayerGEMMs lists, for a micro-batch of `tokens` tokens, every weight GEMM
// of the forward pass, layer by layer, ending with the head. MoE expert GEMMs
// carry M = tokens·active (every token-expert pair) split over Groups =
// experts, i.e. perfectly balanced routing. Attention's score and value
// products depend on sequence length and are in AttentionGEMMs.
// The backward pass is two GEMMs of the same size per forward GEMM.
func (m Model) LayerGEMMs(tokens int) []Layer {
	out := make([]Layer, 0, m.Layers+1)
	dense := m.denseLayers()
	for i := range m.Layers {
		g := m.attentionGEMMs(tokens)
		kind := DenseLayer
		if i < dense {
			g = append(g, m.mlpGEMMs("mlp", tokens, m.FFN, 1)...)
		} else {
			kind = MoELayer
			g = append(g, m.moeGEMMs(tokens)...)
		}
		out = append(out, Layer{Index: i, Kind: kind, GEMMs: g})
	}
	head := GEMM{Name: "logits", M: tokens, N: m.Vocab, K: m.Hidden, Count: 1, Groups: 1}
	return append(out, Layer{Index: m.Layers, Kind: HeadLayer, GEMMs: []GEMM{head}})
}

// KindGEMMs is LayerGEMMs with one layer of each kind the model has: the
// first dense layer, the first MoE layer, then the head (their Index as
// in LayerGEMMs). Layers of a kind share their GEMMs, so this is what a
// per-kind model needs, without building every layer.
func (m Model) KindGEMMs(tokens int) []Layer {
	out := make([]Layer, 0, 3)
	att := m.attentionGEMMs(tokens)
	buf := make([]GEMM, 0, 2*len(att)+10) // attention twice, an MLP, a MoE block, the head
	dense := m.denseLayers()
	if dense > 0 {
		n := len(buf)
		buf = append(append(buf, att...), m.mlpGEMMs("mlp", tokens, m.FFN, 1)...)
		out = append(out, Layer{Index: 0, Kind: DenseLayer, GEMMs: buf[n:len(buf):len(buf)]})
	}
	if dense < m.Layers {
		n := len(buf)
		buf = append(append(buf, att...), m.moeGEMMs(tokens)...)
		out = append(out, Layer{Index: dense, Kind: MoELayer, GEMMs: buf[n:len(buf):len(buf)]})
	}
	n := len(buf)
	buf = append(buf, GEMM{Name: "logits", M: tokens, N: m.Vocab, K: m.Hidden, Count: 1, Groups: 1})
	return append(out, Layer{Index: m.Layers, Kind: HeadLayer, GEMMs: buf[n:len(buf):len(buf)]})
}

// GEMMKey is every field of a model that its weight GEMMs' shapes
// (LayerGEMMs, KindGEMMs) depend on, comparable: two models with equal
// keys have the same GEMMs, so a caller may cache what it derives from
// them. Keep it in step with the builders below.
type GEMMKey struct {
	Layers, Hidden, Heads, KVHeads, HeadDim, FFN, Vocab int
	Act                                                 Activation
	Attention                                           Attention
	MLA                                                 MLAConfig
	MoE                                                 MoEConfig
	HasMLA, HasMoE                                      bool
}

// GEMMKey returns m's key.
func (m Model) GEMMKey() GEMMKey {
	k := GEMMKey{Layers: m.Layers, Hidden: m.Hidden, Heads: m.Heads, KVHeads: m.KVHeads, HeadDim: m.HeadDim,
		FFN: m.FFN, Vocab: m.Vocab, Act: m.Act, Attention: m.Attention}
	if m.MLA != nil {
		k.MLA, k.HasMLA = *m.MLA, true
	}
	if m.MoE != nil {
		k.MoE, k.HasMoE = *m.MoE, true
	}
	return k
}

func gemm(name string, m, n, k int) GEMM {
	return GEMM{Name: name, M: m, N: n, K: k, Count: 1, Groups: 1}
}

// attentionGEMMs is one layer's projections.
func (m Model) attentionGEMMs(t int) []GEMM {
	h := m.Hidden
	if m.Attention == MLA {
		c := m.MLA
		qk := c.QKNopeHeadDim + c.QKRopeHeadDim
		var g []GEMM
		if c.QLoraRank > 0 {
			g = append(g, gemm("q_a", t, c.QLoraRank, h), gemm("q_b", t, m.Heads*qk, c.QLoraRank))
		} else {
			g = append(g, gemm("q", t, m.Heads*qk, h))
		}
		return append(g,
			gemm("kv_a", t, c.KVLoraRank+c.QKRopeHeadDim, h),
			gemm("kv_b", t, m.Heads*(c.QKNopeHeadDim+c.VHeadDim), c.KVLoraRank),
			gemm("attn_out", t, h, m.Heads*c.VHeadDim))
	}
	return []GEMM{
		gemm("qkv", t, (m.Heads+2*m.KVHeads)*m.HeadDim, h),
		gemm("attn_out", t, h, m.Heads*m.HeadDim),
	}
}

// mlpGEMMs is an MLP of intermediate size ffn over rows rows, split over
// groups (1 for a dense MLP). SwiGLU's gate and up are one fused GEMM.
func (m Model) mlpGEMMs(name string, rows, ffn, groups int) []GEMM {
	up := gemm(name+"_up", rows, ffn, m.Hidden)
	if m.Act == SwiGLU {
		up = gemm(name+"_gate_up", rows, 2*ffn, m.Hidden)
	}
	down := gemm(name+"_down", rows, m.Hidden, ffn)
	up.Groups, down.Groups = groups, groups
	return []GEMM{up, down}
}

// RowSplit says whether tensor parallelism splits g's reduction (K): the
// attention output and the MLPs' down projections, which Megatron-style
// TP splits by rows after the column-split GEMMs before them.
func (g GEMM) RowSplit() bool { return g.Name == "attn_out" || strings.HasSuffix(g.Name, "_down") }

// Replicated says whether tensor parallelism leaves g whole on every rank:
// MLA's low-rank down projections and the MoE router.
func (g GEMM) Replicated() bool { return g.Name == "q_a" || g.Name == "kv_a" || g.Name == "router" }

// InMoEBlock says whether g belongs to a MoE layer's MoE block (moeGEMMs:
// the router, the routed experts, the shared experts), the part of the
// layer that MoE-block recompute re-runs.
func (g GEMM) InMoEBlock() bool {
	return g.Name == "router" || strings.HasPrefix(g.Name, "experts_") || strings.HasPrefix(g.Name, "shared_")
}

// moeGEMMs is one MoE layer: router, routed experts, shared experts.
func (m Model) moeGEMMs(t int) []GEMM {
	e := m.MoE
	g := []GEMM{gemm("router", t, e.Experts, m.Hidden)}
	g = append(g, m.mlpGEMMs("experts", t*e.Active, e.ExpertFFN, e.Experts)...)
	if e.Shared > 0 {
		g = append(g, m.mlpGEMMs("shared", t, e.Shared*e.ExpertFFN, 1)...)
	}
	return g
}

// AttentionGEMMs is one layer's score (Q·Kᵀ) and value (P·V) products for
// batch sequences of length seq, as dense (non-causal) batched GEMMs, one
// per sequence and query head. A causal kernel skips about half of each.
// MLA is shown in its training form (per-head keys of qk_nope+qk_rope).
func (m Model) AttentionGEMMs(batch, seq int) []GEMM {
	qk, v := m.attnDims()
	n := batch * m.Heads
	return []GEMM{
		{Name: "scores", M: seq, N: seq, K: qk, Count: n, Groups: 1},
		{Name: "values", M: seq, N: v, K: seq, Count: n, Groups: 1},
	}
}

// attnDims is the per-head query/key and value widths.
func (m Model) attnDims() (qk, v int) {
	if m.Attention == MLA {
		return m.MLA.QKNopeHeadDim + m.MLA.QKRopeHeadDim, m.MLA.VHeadDim
	}
	return m.HeadDim, m.HeadDim
}
