package inference

import (
	"math"
	"strings"
	"sync"

	"chipgap/llm"
)

// shape is the model reduced to what the per-step model needs: parameter
// counts per layer kind and per-token attention costs. Parameter counts
// come from llm.Model.Params; attention costs are written here.
type shape struct {
	layers      float64
	moeLayers   float64 // layers with a routed MoE MLP
	denseLayers float64 // layers with the dense MLP
	attn        float64 // parameters of one layer's attention (incl. norms, router)
	denseMLP    float64 // parameters of one dense MLP
	shared      float64 // parameters of one MoE layer's shared experts
	expert      float64 // parameters of one routed expert
	experts     float64 // routed experts per MoE layer
	active      float64 // routed experts per token
	head        float64 // logit projection (vocab × hidden), computed even if tied
	hidden      float64
	// kvElems is the KV cache elements per token per layer:
	// 2·kv_heads·head_dim (MHA/GQA); kv_lora_rank + qk_rope_head_dim (MLA).
	kvElems float64
	// kvHeads is how many ways the KV cache can be split by TP (MLA: 1,
	// the latent is shared by all heads and replicated).
	kvHeads float64
	// heads is the query heads (MLA: 1, the decode kernel reads the
	// latent once for every head).
	heads float64
	// pairPrefill and pairDecode are attention FLOPs per (query, key)
	// pair per layer, all heads. MHA/GQA: 4·H·d (QKᵀ and PV). MLA prefill
	// (heads materialised): 2·H·(d_nope+d_rope) + 2·H·d_v; MLA decode
	// (W_UK and W_UV absorbed, attention over the latent):
	// 2·H·(d_c+d_rope) + 2·H·d_c (DeepSeek-V2, arXiv 2405.04434, §2.1.2).
	pairPrefill, pairDecode float64
	// actFull and actSplit are activation elements each token reads and
	// writes in HBM per layer outside GEMM operands (norms, residual adds,
	// RoPE, SwiGLU, quantisation, GEMM outputs): actFull on the full
	// hidden size (replicated over TP), actSplit on TP-split tensors.
	// Counted with fused add+norm: 2 × 4h for the two norm/residual
	// steps and 2h for the all-reduced outputs; 3 × the QKV width (GEMM
	// write, RoPE read/write), 2 × the attention output (write, read);
	// 5 × the MLP width (gate/up write 2f, SwiGLU read 2f, write f).
	actFull, actSplit float64
	// kAttn, kDense, kShared, kExpert and kHead are the FLOP-weighted
	// mean 1/K of each GEMM group's weight GEMMs (llm.Model.KindGEMMs),
	// for the tile fixed work (Profile.MatmulK0).
	kAttn, kDense, kShared, kExpert, kHead invK
}

// invK is a GEMM group's FLOP-weighted mean of 1/K, split into the GEMMs
// whose reduction is not split by tensor parallelism (col: column-split
// and replicated ones) and those whose K is (row: the output and down
// projections, K/tp on a device).
type invK struct{ col, row float64 }

// mult is the time a GEMM group takes over its long-K time with a tile's
// fixed work of k0 reduction elements, its row-split K divided split
// ways: 1 + k0·(Σ f/K), f each GEMM's share of the group's FLOPs.
func (k invK) mult(k0, split float64) float64 {
	return 1 + k0*(k.col+split*k.row)
}

// gemmInvKs are a model's per-group 1/K sums (attention, dense MLP,
// shared experts, routed experts, head), cached by the model's GEMM
// shapes: a curve or a sweep resolves the same model many times.
type gemmInvKs [5]invK

var invKCache sync.Map // llm.GEMMKey → gemmInvKs

// gemmInvK fills the shape's per-group 1/K sums from the model's GEMMs.
func (s *shape) gemmInvK(m llm.Model) {
	key := m.GEMMKey()
	v, ok := invKCache.Load(key)
	if !ok {
		v, _ = invKCache.LoadOrStore(key, computeInvK(m))
	}
	k := v.(gemmInvKs)
	s.kAttn, s.kDense, s.kShared, s.kExpert, s.kHead = k[0], k[1], k[2], k[3], k[4]
}

// computeInvK works out gemmInvKs from the model's GEMMs (one layer of
// each kind), each group's GEMMs by name.
func computeInvK(m llm.Model) gemmInvKs {
	var sum gemmInvKs
	var flops [5]float64
	const attn, dense, shared, expert, head = 0, 1, 2, 3, 4
	seenAttn := false
	for _, l := range m.KindGEMMs(1) {
		own := false // this layer's attention GEMMs count (the first layer's)
		if l.Kind != llm.HeadLayer && !seenAttn {
			own, seenAttn = true, true
		}
		for _, g := range l.GEMMs {
			grp := -1
			switch n := g.Name; {
			case l.Kind == llm.HeadLayer:
				grp = head
			case strings.HasPrefix(n, "experts_"):
				grp = expert
			case strings.HasPrefix(n, "shared_"):
				grp = shared
			case strings.HasPrefix(n, "mlp_"):
				grp = dense
			case n == "router":
			case own:
				grp = attn
			}
			if grp < 0 || g.K <= 0 {
				continue
			}
			f := g.FLOPs()
			flops[grp] += f
			if g.RowSplit() {
				sum[grp].row += f / float64(g.K)
			} else {
				sum[grp].col += f / float64(g.K)
			}
		}
	}
	for i := range sum {
		if flops[i] > 0 {
			sum[i].col /= flops[i]
			sum[i].row /= flops[i]
		}
	}
	return sum
}

func newShape(m llm.Model) shape {
	p := m.Params()
	L := float64(m.Layers)
	s := shape{layers: L, hidden: float64(m.Hidden), head: float64(m.Vocab) * float64(m.Hidden)}
	s.denseLayers = L
	if e := m.MoE; e != nil {
		s.denseLayers = float64(e.DenseLayers)
		s.moeLayers = L - s.denseLayers
		s.experts, s.active = float64(e.Experts), float64(e.Active)
		if s.moeLayers > 0 {
			s.expert = float64(p.Experts) / (s.moeLayers * s.experts)
			s.shared = float64(p.SharedExperts) / s.moeLayers
		}
	}
	if s.denseLayers > 0 {
		s.denseMLP = float64(p.DenseMLP) / s.denseLayers
	}
	s.attn = float64(p.Attention+p.Norms+p.Router) / L
	H := float64(m.Heads)
	if m.Attention == llm.MLA {
		c := m.MLA
		s.kvElems = float64(c.KVLoraRank + c.QKRopeHeadDim)
		s.kvHeads, s.heads = 1, 1
		s.pairPrefill = 2*H*float64(c.QKNopeHeadDim+c.QKRopeHeadDim) + 2*H*float64(c.VHeadDim)
		s.pairDecode = 2*H*float64(c.KVLoraRank+c.QKRopeHeadDim) + 2*H*float64(c.KVLoraRank)
	} else {
		d := float64(m.HeadDim)
		s.kvElems = 2 * float64(m.KVHeads) * d
		s.kvHeads, s.heads = float64(m.KVHeads), H
		s.pairPrefill = 4 * H * d
		s.pairDecode = s.pairPrefill
	}
	qkv := H * float64(m.HeadDim+2*m.KVHeads*m.HeadDim/max(m.Heads, 1))
	attnOut := H * float64(m.HeadDim)
	if m.Attention == llm.MLA {
		c := m.MLA
		qkv = H*float64(c.QKNopeHeadDim+c.QKRopeHeadDim) + s.kvElems
		attnOut = H * float64(c.VHeadDim)
	}
	mlp := float64(m.FFN) * s.denseLayers / L
	if e := m.MoE; e != nil {
		mlp += float64((e.Active+e.Shared)*e.ExpertFFN) * s.moeLayers / L
	}
	s.actFull = 10 * s.hidden
	// Routing moves each token to its routed copies and back in every MoE
	// layer (llm.Model.PermuteElemsPerToken), as the training estimator
	// counts it.
	s.actFull += m.PermuteElemsPerToken() * s.moeLayers / L
	s.actSplit = 3*qkv + 2*attnOut + 5*mlp
	s.gemmInvK(m)
	return s
}

// touched is the expected fraction of n expert copies a batch of tokens
// reaches when each token picks k of them uniformly: 1 − (1 − k/n)^tokens
// (the distinct-experts formula, modelling-references.md §Inference).
func touched(tokens, k, n float64) float64 {
	if tokens <= 0 || n <= 0 {
		return 0
	}
	q := 1 - k/n
	if q <= 0 {
		return 1
	}
	return 1 - math.Exp(tokens*math.Log1p(-k/n)) // q^tokens; math.Pow is slower at large token counts
}
