package llm

import "chipgap/units"

// WeightBytes is the main model's weights (Params.Total, MTP excluded) at
// bytesPerElem bytes a parameter (2 for bf16, 1 for fp8/int8, 0.5 for fp4).
func (m Model) WeightBytes(bytesPerElem float64) units.Bytes {
	return units.Bytes(float64(m.Params().Total) * bytesPerElem)
}

// KVBytesPerTokenPerLayer is the KV cache one token adds to one layer:
// 2·kv_heads·head_dim elements for MHA/GQA (a key and a value per KV head),
// kv_lora_rank + qk_rope_head_dim for MLA (the compressed latent and the
// shared rotary key, DeepSeek-V2 arXiv 2405.04434 §2.1).
func (m Model) KVBytesPerTokenPerLayer(bytesPerElem float64) units.Bytes {
	var elems int
	if m.Attention == MLA {
		elems = m.MLA.KVLoraRank + m.MLA.QKRopeHeadDim
	} else {
		elems = 2 * m.KVHeads * m.HeadDim
	}
	return units.Bytes(float64(elems) * bytesPerElem)
}

// KVBytesPerToken is KVBytesPerTokenPerLayer over all layers.
func (m Model) KVBytesPerToken(bytesPerElem float64) units.Bytes {
	return units.Bytes(float64(m.Layers)) * m.KVBytesPerTokenPerLayer(bytesPerElem)
}

// PermuteElemsPerToken is the activation elements one token's routing
// moves in a MoE layer's forward pass: the dispatch permute reads the
// token's hidden state once and writes its k routed copies, the combine
// reads the k expert outputs and writes the weighted sum, 2·(1 + k)·h
// (Megatron-Core's token permute/unpermute kernels; TensorRT-LLM's
// expandInputRows and finalizeMoeRouting). 0 for a dense model.
func (m Model) PermuteElemsPerToken() float64 {
	if m.MoE == nil {
		return 0
	}
	return 2 * float64(1+m.MoE.Active) * float64(m.Hidden)
}
