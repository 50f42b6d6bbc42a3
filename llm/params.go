package llm

// Params breaks a model's parameter count down by where the parameters sit.
// Counts are exact integers (weights, biases and norm scales).
type Params struct {
	Embedding     int64 // token table, plus learned positions if any
	Head          int64 // output (logit) projection; 0 when tied to the embedding
	Attention     int64 // all layers: projections, their biases, MLA/QK norms
	DenseMLP      int64 // MLPs of dense layers (all layers of a dense model)
	Experts       int64 // routed experts, all of them, all MoE layers
	SharedExperts int64 // always-on experts, all MoE layers
	Router        int64 // MoE gating matrices
	Norms         int64 // per-layer pre-attention/pre-MLP norms and the final norm
	// MTP is the DeepSeek-V3 multi-token-prediction modules' own weights
	// (embedding and head are shared with the main model). Not in Total.
	MTP int64
	// Total is every parameter of the main model (MTP excluded).
	Total int64
	// Active is the parameters one token touches: Total less the routed
	// experts it is not sent to. It counts the embedding table and head, as
	// Mistral's 12.9B (Mixtral) and Qwen's 22B (Qwen3-235B-A22B) do.
	Active int64
}

// NonEmbedding is Total less the embedding table and the untied head.
func (p Params) NonEmbedding() int64 { return p.Total - p.Embedding - p.Head }

// bias returns n when the model's linear layers carry biases, else 0.
func (m Model) bias(n int) int64 {
	if m.Bias != nil && *m.Bias {
		return int64(n)
	}
	return 0
}

// normParams is the size of one norm over n channels.
func (m Model) normParams(n int) int64 {
	if m.Norm == LayerNorm {
		return 2 * int64(n)
	}
	return int64(n)
}

// attentionParams is one layer's attention block.
func (m Model) attentionParams() int64 {
	h := int64(m.Hidden)
	if m.Attention == MLA {
		c := m.MLA
		nh := int64(m.Heads)
		qk := int64(c.QKNopeHeadDim + c.QKRopeHeadDim)
		var q int64
		if c.QLoraRank > 0 {
			q = h*int64(c.QLoraRank) + m.normParams(c.QLoraRank) + int64(c.QLoraRank)*nh*qk
		} else {
			q = h * nh * qk
		}
		kvA := h * int64(c.KVLoraRank+c.QKRopeHeadDim)
		kvB := int64(c.KVLoraRank) * nh * int64(c.QKNopeHeadDim+c.VHeadDim)
		o := nh * int64(c.VHeadDim) * h
		return q + kvA + m.normParams(c.KVLoraRank) + kvB + o + m.bias(m.Hidden)
	}
	q := int64(m.Heads * m.HeadDim)
	kv := int64(m.KVHeads * m.HeadDim)
	p := h*(q+2*kv) + q*h + m.bias(int(q+2*kv)) + m.bias(m.Hidden)
	if m.QKNorm {
		p += 2 * m.normParams(m.HeadDim)
	}
	return p
}

// mlpMatrices is 2 for GeLU (up, down) and 3 for SwiGLU (gate, up, down).
func (m Model) mlpMatrices() int64 {
	if m.Act == SwiGLU {
		return 3
	}
	return 2
}

// mlpParams is one MLP of intermediate size ffn.
func (m Model) mlpParams(ffn int) int64 {
	w := m.mlpMatrices() * int64(m.Hidden) * int64(ffn)
	return w + m.bias(ffn*int(m.mlpMatrices()-1)) + m.bias(m.Hidden)
}

// denseLayers is how many layers use the dense MLP.
func (m Model) denseLayers() int {
	if m.MoE == nil {
		return m.Layers
	}
	return m.MoE.DenseLayers
}

// Params counts the model's parameters. m should have its defaults filled
// (WithDefaults) and be valid.
func (m Model) Params() Params {
	var p Params
	h := int64(m.Hidden)
	L := int64(m.Layers)
	p.Embedding = int64(m.Vocab)*h + int64(m.PosEmbeddings)*h
	if !m.TiedEmbeddings {
		p.Head = int64(m.Vocab) * h
	}
	p.Attention = L * m.attentionParams()
	p.Norms = L*2*m.normParams(m.Hidden) + m.normParams(m.Hidden)
	dense := int64(m.denseLayers())
	p.DenseMLP = dense * m.mlpParams(m.FFN)
	var activeExperts int64
	if e := m.MoE; e != nil {
		moe := L - dense
		one := m.mlpParams(e.ExpertFFN)
		p.Experts = moe * int64(e.Experts) * one
		p.SharedExperts = moe * int64(e.Shared) * one
		p.Router = moe * h * int64(e.Experts)
		activeExperts = moe * int64(e.Active) * one
	}
	p.Total = p.Embedding + p.Head + p.Attention + p.DenseMLP + p.Experts + p.SharedExperts + p.Router + p.Norms
	p.Active = p.Total - p.Experts + activeExperts
	p.MTP = int64(m.MTPModules) * m.mtpModuleParams()
	return p
}

// mtpModuleParams is one DeepSeek-V3 MTP module (arXiv 2412.19437 §2.2):
// two RMSNorms over h (for the hidden state and the next token's embedding),
// a 2h×h projection, one transformer layer (MoE when the model is MoE) and
// the norm before the shared output head.
func (m Model) mtpModuleParams() int64 {
	h := int64(m.Hidden)
	layer := m.attentionParams() + 2*m.normParams(m.Hidden)
	if e := m.MoE; e != nil {
		layer += int64(e.Experts+e.Shared)*m.mlpParams(e.ExpertFFN) + h*int64(e.Experts)
	} else {
		layer += m.mlpParams(m.FFN)
	}
	return 3*m.normParams(m.Hidden) + 2*h*h + layer
}
