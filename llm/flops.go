package llm

import "chipgap/units"

// MatmulFLOPsPerToken is the forward pass's weight-GEMM FLOPs for one
// token: 2 × the active matmul parameters, counting the logit layer once
// (tied or not) and the embedding lookup not at all. Biases, norms,
// activations and softmax are left out (under 0.1 % for these models).
func (m Model) MatmulFLOPsPerToken() units.FLOP {
	// Same GEMMs as LayerGEMMs(1), one layer of each kind times its count.
	f := float64(m.HeadFLOPsPerToken())
	dense := m.denseLayers()
	if dense > 0 {
		f += float64(dense) * Layer{GEMMs: append(m.attentionGEMMs(1), m.mlpGEMMs("mlp", 1, m.FFN, 1)...)}.FLOPs()
	}
	if moe := m.Layers - dense; moe > 0 {
		f += float64(moe) * Layer{GEMMs: append(m.attentionGEMMs(1), m.moeGEMMs(1)...)}.FLOPs()
	}
	return units.FLOP(f)
}

// HeadFLOPsPerToken is the logit layer's share of MatmulFLOPsPerToken: 2·h·V.
func (m Model) HeadFLOPsPerToken() units.FLOP {
	return units.FLOP(2 * float64(m.Hidden) * float64(m.Vocab))
}

// AttentionContext is the mean number of keys a query attends to in a
// sequence of seq tokens: seq with full attention (Megatron's convention,
// arXiv 2104.04473 eq. 3), (seq+1)/2 with a causal mask (the mean of 1..seq).
func AttentionContext(seq int, causal bool) float64 {
	if causal {
		return (float64(seq) + 1) / 2
	}
	return float64(seq)
}

// AttentionFLOPsPerToken is the sequence-length term of the forward pass, all
// layers, for one token attending to ctx keys (see AttentionContext; for
// decoding, ctx is the tokens in the cache): 2·heads·qk_dim·ctx for Q·Kᵀ plus
// 2·heads·v_dim·ctx for P·V, per layer. MHA: 4·h·ctx per layer.
func (m Model) AttentionFLOPsPerToken(ctx float64) units.FLOP {
	qk, v := m.attnDims()
	perLayer := 2 * float64(m.Heads) * float64(qk+v) * ctx
	return units.FLOP(perLayer * float64(m.Layers))
}

// ForwardFLOPsPerToken is one token's forward pass in a sequence of seq
// tokens: weight GEMMs plus attention (local layers within their window).
func (m Model) ForwardFLOPsPerToken(seq int, causal bool) units.FLOP {
	return m.MatmulFLOPsPerToken() + m.SequenceAttentionFLOPsPerToken(seq, causal)
}

// TrainingFLOPsPerToken is forward + backward (backward = 2 × forward: the
// gradients of activations and of weights) for one token of a seq-token
// sequence. Full recompute runs the transformer layers' forward once more
// (not the head, which Megatron does not checkpoint), so it gives
// 4·F_layers + 3·F_head; without it 3·F. This is the work the hardware does;
// "model FLOPs" for MFU are the value with recompute false.
func (m Model) TrainingFLOPsPerToken(seq int, causal, recompute bool) units.FLOP {
	f := m.ForwardFLOPsPerToken(seq, causal)
	t := 3 * f
	if recompute {
		t += f - m.HeadFLOPsPerToken()
	}
	return t
}

// MegatronFLOPs is Narayanan et al. 2021 (arXiv 2104.04473) eq. 3: the FLOPs
// of one training iteration of B sequences of s tokens for a GPT with L
// layers, hidden h and vocabulary V, with full activation recompute:
//
//	F = 96·B·s·L·h²·(1 + s/(6h) + V/(16·L·h))
//
// and, without recompute (their footnote form, 3 passes instead of 4),
//
//	F = 72·B·s·L·h²·(1 + s/(6h) + V/(12·L·h)).
//
// It assumes MHA, a 4h GeLU MLP and full (non-causal) attention; for such a
// model it equals TrainingFLOPsPerToken(s, false, recompute)·B·s.
func (m Model) MegatronFLOPs(batch, seq int, recompute bool) units.FLOP {
	B, s := float64(batch), float64(seq)
	L, h, V := float64(m.Layers), float64(m.Hidden), float64(m.Vocab)
	if recompute {
		return units.FLOP(96 * B * s * L * h * h * (1 + s/(6*h) + V/(16*L*h)))
	}
	return units.FLOP(72 * B * s * L * h * h * (1 + s/(6*h) + V/(12*L*h)))
}

// MegatronParams is the parameter count of the same paper's eq. 2 (Table 1's
// "number of parameters"): P = 12·L·h²·(1 + 13/(12h) + (V+s)/(12·L·h)),
// learned positions for s tokens included, the final norm not.
func (m Model) MegatronParams(seq int) float64 {
	L, h, V, s := float64(m.Layers), float64(m.Hidden), float64(m.Vocab), float64(seq)
	return 12 * L * h * h * (1 + 13/(12*h) + (V+s)/(12*L*h))
}

// MTPFLOPsPerToken is the matmul FLOPs the MTP modules add per training
// token: the 2h→h projection, one layer's active GEMMs and the shared head,
// per module (forward only; multiply by 3 for training).
func (m Model) MTPFLOPsPerToken() units.FLOP {
	if m.MTPModules == 0 {
		return 0
	}
	layers := m.LayerGEMMs(1)
	one := layers[m.Layers-1].FLOPs() + 2*2*float64(m.Hidden)*float64(m.Hidden)
	return units.FLOP(float64(m.MTPModules)*one) + units.FLOP(m.MTPModules)*m.HeadFLOPsPerToken()
}

// AbsorbedAttentionFLOPsPerToken is attention for one token over ctx cached
// tokens when MLA runs in its absorbed form (DeepSeek-V2 §2.1.2: W_UK folded
// into the query, W_UV into the output; how MLA decode kernels run): each
// head scores against the kv_lora_rank+qk_rope_head_dim latent and reads
// values of kv_lora_rank, so 2·heads·(2·kv_lora_rank + qk_rope)·ctx per layer,
// several times the training form. The weight GEMM FLOPs per token are
// unchanged (the absorbed products replace kv_b for the new token). For
// MHA/GQA it equals AttentionFLOPsPerToken.
func (m Model) AbsorbedAttentionFLOPsPerToken(ctx float64) units.FLOP {
	if m.Attention != MLA {
		return m.AttentionFLOPsPerToken(ctx)
	}
	perLayer := 2 * float64(m.Heads) * float64(2*m.MLA.KVLoraRank+m.MLA.QKRopeHeadDim) * ctx
	return units.FLOP(perLayer * float64(m.Layers))
}
