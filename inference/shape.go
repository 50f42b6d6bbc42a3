package inference

import "chipgap/llm"

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
		s.kvHeads = 1
		s.pairPrefill = 2*H*float64(c.QKNopeHeadDim+c.QKRopeHeadDim) + 2*H*float64(c.VHeadDim)
		s.pairDecode = 2*H*float64(c.KVLoraRank+c.QKRopeHeadDim) + 2*H*float64(c.KVLoraRank)
	} else {
		d := float64(m.HeadDim)
		s.kvElems = 2 * float64(m.KVHeads) * d
		s.kvHeads = float64(m.KVHeads)
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
	return 1 - pow(q, tokens)
}
