package training

import (
	"math"
	"strings"

	"chipgap/llm"
)

// buildLayers turns the model's per-token GEMMs into layer kinds with
// parameter counts, activation bytes and memory-bound traffic per token.
func (p *prep) buildLayers() {
	m := p.m
	ls := m.LayerGEMMs(1)
	var dense, moe *layerKind
	for _, l := range ls {
		switch l.Kind {
		case llm.HeadLayer:
			if !m.TiedEmbeddings {
				p.head = float64(m.Hidden) * float64(m.Vocab)
			}
			continue
		case llm.DenseLayer:
			if dense == nil {
				dense = p.layerKind(l)
			}
			dense.count++
		default:
			if moe == nil {
				moe = p.layerKind(l)
			}
			moe.count++
		}
	}
	p.embed = float64(m.Hidden) * float64(m.Vocab)
	for _, k := range []*layerKind{dense, moe} {
		if k != nil {
			p.kinds = append(p.kinds, *k)
		}
	}
	p.qkDim, p.vDim = attnDims(m)
	p.attnV = p.vDim
	if p.flash && p.prof.AttentionPadV.Value >= 0.5 {
		p.attnV = math.Max(p.vDim, p.qkDim) // the fused kernel's padded values
	}
}

func attnDims(m llm.Model) (qk, v float64) {
	if m.Attention == llm.MLA {
		return float64(m.MLA.QKNopeHeadDim + m.MLA.QKRopeHeadDim), float64(m.MLA.VHeadDim)
	}
	return float64(m.HeadDim), float64(m.HeadDim)
}

// layerKind describes one layer. Activation bytes follow Korthikanti et
// al. 2022 §4 (16-bit tensors kept for the backward pass), generalised
// from 4h GeLU MHA to any FFN, SwiGLU, GQA, MLA and MoE by listing the
// tensors: norms' inputs 2·2h, attention input 2h, Q/K/V, the attention
// output 2·heads·v, two dropout masks h each (these 10h are replicated over
// TP without sequence parallelism), the MLP's input 2h, its intermediate
// tensors, in a MoE layer the routed experts' input (each token's active
// dispatched copies, 2·active·h), and, without fused attention, the s²
// score tensors 5·a·s.
func (p *prep) layerKind(l llm.Layer) *layerKind {
	m := p.m
	h := float64(m.Hidden)
	k := &layerKind{}
	// Output widths of the QKV and MLP up GEMMs; downIn, the elements per
	// token of the down projections' inputs (the activation functions'
	// outputs).
	var qkv, up, downIn float64
	var moeUp, moeDownIn float64 // the MoE block's parts of up and downIn
	for _, g := range l.GEMMs {
		s := shape{n: float64(g.N), k: float64(g.K), kind: splitOf(g), expert: g.Groups > 1, moe: g.InMoEBlock()}
		upBefore, downBefore := up, downIn
		if s.expert {
			s.n, s.k = float64(g.N), float64(g.K)
			k.expert += s.n * s.k * float64(g.Groups)
			up += actWidth(g.Name, s.n) * float64(g.M)
			k.expertUp += actWidth(g.Name, s.n) * float64(g.M)
			k.actFn += fnWidth(g.Name, s.n) * float64(g.M)
			downIn += downInWidth(g.Name, s.n) * float64(g.M)
			if actWidth(g.Name, s.n) > 0 {
				// The dispatched copies of each token (M = active per
				// token) are the up-projection's input, kept for its
				// weight gradient: active·h elements per token, 16-bit,
				// or the 8-bit copy FP8 GEMMs keep (Transformer Engine
				// saves the quantised input; NVIDIA's DeepSeek-V3 GB200
				// study §2.2.2).
				b := 2.0
				if p.job.quantised() {
					b = 1
				}
				k.routedIn += b * s.k * float64(g.M)
			}
		} else {
			k.params += s.n * s.k
			up += actWidth(g.Name, s.n)
			k.actFn += fnWidth(g.Name, s.n)
			downIn += downInWidth(g.Name, s.n)
		}
		if g.Name == "qkv" || g.Name == "q" || g.Name == "q_b" || g.Name == "kv_b" {
			qkv += s.n
		}
		if s.moe {
			moeUp += up - upBefore
			moeDownIn += downIn - downBefore
			k.moeFLOPs += g.FLOPs()
		}
		k.gemms = append(k.gemms, s)
	}
	qk, v := attnDims(m)
	if m.Attention == llm.MLA {
		qkv += float64(m.MLA.QKRopeHeadDim) // the shared rope key
	}
	heads := float64(m.Heads)
	k.actRep = 10 * h
	k.actSplit = 2*qkv + 2*heads*v + up + k.routedIn
	if p.job.quantised() {
		// Transformer Engine keeps each linear layer's input for the weight
		// gradient as its 8-bit copy ("Stores linear layer inputs in FP8
		// instead of BF16", Megatron-Core MoE README, FP8 Training): one
		// byte saved per element of the attention input and a dense layer's
		// MLP input (replicated; a MoE layer's MLP input feeds the 16-bit
		// router as well, so its 16-bit copy stays), of the attention output
		// projection's input and of each down projection's input.
		rep := h
		if k.expert == 0 {
			rep += h
		}
		k.actRep -= rep
		k.actSplit -= heads*v + downIn
		k.actFn -= downIn
	}
	k.memRep = p.replicatedTraffic(h)
	k.memSplit = 2*qkv + 1.5*up
	k.sacKeep, k.sacShare = p.opSAC(l, heads*v)
	k.dotsKeep = p.dotOutputs(l)
	if m.MoE != nil && k.expert > 0 {
		p.moeParts(k, moeUp, moeDownIn)
	}
	_ = qk
	return k
}

// moeParts adds a MoE layer's routing traffic to memSplit and sets the
// MoE block's parts of its activations and traffic (moeAct, moeMem) from
// the block's up-projection outputs and down-projection inputs.
func (p *prep) moeParts(k *layerKind, up, downIn float64) {
	k.routedCopies = p.routedCopyBytes()
	route := permuteBytes(p.m) + k.routedCopies
	k.memSplit += route
	k.moeAct = up + k.routedIn
	if p.job.quantised() {
		k.moeAct -= downIn // kept in one byte, as actSplit counts them
	}
	k.moeMem = 1.5*up + route
	if p.moeFull {
		// The fused grouped MLP runs the routed experts' activation inside
		// their GEMMs: its traffic is gone.
		k.memSplit -= 1.5 * k.expertUp
		k.moeMem -= 1.5 * k.expertUp
	}
}

// permuteBytes is the forward memory traffic per token of routing in a
// MoE layer: llm.Model.PermuteElemsPerToken in 16 bits, 2·2·(1 + active)·h
// bytes (the router's softmax and top-k are small beside it).
func permuteBytes(m llm.Model) float64 {
	return 2 * m.PermuteElemsPerToken()
}

// routedCopyBytes is the forward memory traffic per token of the routed
// copies beyond the global permutation (permuteBytes): MoECopyBytes per
// element of the active·h copies (the dispatcher's local permute and
// unpermute, padding and buffer copies).
func (p *prep) routedCopyBytes() float64 {
	return p.prof.MoECopyBytes.Value * float64(p.m.MoE.Active) * float64(p.m.Hidden)
}

// actWidth is the bytes per token an MLP up-projection leaves for the
// backward pass beyond its input: GeLU keeps its input and output (2·2·ffn
// for an N = ffn GEMM); SwiGLU's fused gate/up (N = 2·ffn) keeps gate, up
// and their product (3·2·ffn). Other GEMMs' outputs are counted elsewhere.
func actWidth(name string, n float64) float64 {
	switch {
	case strings.HasSuffix(name, "_gate_up"):
		return 3 * n // 2 bytes × 3 tensors of n/2
	case strings.HasSuffix(name, "_up"):
		return 4 * n
	}
	return 0
}

// downInWidth is the elements per token of the down projection's input
// an up-projection's activation function produces: SwiGLU's product
// (ffn = n/2), GeLU's output (ffn = n); FP8 keeps them in one byte, not
// two.
func downInWidth(name string, n float64) float64 {
	switch {
	case strings.HasSuffix(name, "_gate_up"):
		return n / 2
	case strings.HasSuffix(name, "_up"):
		return n
	}
	return 0
}

// fnWidth is the bytes per token of an up-projection's activation-function
// outputs, which selective recompute of the activation can drop: GeLU's
// output (2·ffn), SwiGLU's activation and product (2 tensors of ffn = n/2).
func fnWidth(name string, n float64) float64 {
	switch {
	case strings.HasSuffix(name, "_gate_up"):
		return 2 * n
	case strings.HasSuffix(name, "_up"):
		return 2 * n
	}
	return 0
}

// opSAC describes op-level selective activation checkpointing as
// torchtitan defines it (selective_ac_option "op": the save list holds
// aten.mm, the scaled-dot-product attention kernels and the TP
// reduce-scatter, and the policy saves every listed op's output except
// every second mm of a block): over the layer's linear modules unfused and
// in forward order (Q, K, V, the attention output, gate, up, down, with
// the router first in a MoE layer), the first, third, ... outputs are
// kept and the others recomputed; the attention kernel's output is kept.
// Routed experts run as grouped GEMMs, which are not on the list: they are
// recomputed and their outputs not kept. It returns the bytes per token
// kept besides the layer input and the share of the non-expert GEMM FLOPs
// recomputed.
func (p *prep) opSAC(l llm.Layer, attnOut float64) (keep, share float64) {
	m := p.m
	type lin struct{ n, k float64 }
	var mods []lin
	for _, g := range l.GEMMs {
		if g.Groups > 1 {
			continue
		}
		n, k := float64(g.N), float64(g.K)
		switch {
		case g.Name == "qkv":
			d := float64(m.HeadDim)
			kv := float64(m.KVHeads) * d
			mods = append(mods, lin{float64(m.Heads) * d, k}, lin{kv, k}, lin{kv, k})
		case strings.HasSuffix(g.Name, "_gate_up"):
			mods = append(mods, lin{n / 2, k}, lin{n / 2, k})
		default:
			mods = append(mods, lin{n, k})
		}
	}
	keep = 2 * attnOut
	var rerun, all float64
	for i, x := range mods {
		all += x.n * x.k
		if i%2 == 0 {
			keep += 2 * x.n // 16-bit output kept
		} else {
			rerun += x.n * x.k
		}
	}
	if all > 0 {
		share = rerun / all
	}
	return keep, share
}

// dotOutputs is the 16-bit bytes per token of a layer's weight-GEMM
// outputs (before the TP split), the set MaxText's "minimal" remat policy
// saves: a routed expert's GEMMs produce an output per active copy of the
// token, the router's and the others' one each.
func (p *prep) dotOutputs(l llm.Layer) float64 {
	var keep float64
	for _, g := range l.GEMMs {
		n := float64(g.N)
		if g.Groups > 1 && p.m.MoE != nil {
			n *= float64(p.m.MoE.Active)
		}
		keep += 2 * n
	}
	return keep
}

// moeModuleShare is the share of a MoE layer's linear modules in its MoE
// block (router, routed experts, shared experts): the part of the layer's
// host time a recomputed MoE block issues again.
func (k *layerKind) moeModuleShare() float64 {
	if len(k.gemms) == 0 {
		return 0
	}
	n := 0
	for _, g := range k.gemms {
		if g.moe {
			n++
		}
	}
	return float64(n) / float64(len(k.gemms))
}

// replicatedTraffic is a layer's forward memory traffic per token on the
// hidden-sized tensors (replicated over TP without sequence
// parallelism): norms, dropout and residuals, 22·h bytes with fused norm
// kernels, and 2·eagerNormBytes·h more for the attention and MLP blocks'
// norms run as eager ops (Profile.EagerNorm).
func (p *prep) replicatedTraffic(h float64) float64 {
	if p.prof.EagerNorm.Value >= 0.5 {
		return (22 + 2*eagerNormBytes) * h
	}
	return 22 * h
}

// eagerNormBytes is the forward traffic per hidden element an RMSNorm
// run as eager ops moves beyond a fused kernel's read and write (4
// bytes in 16 bits): AscendSpeed's 2023 RMSNorm (ascendspeed/model/
// llama_model.py, class RMSNorm) squares the input (2 read, 2 written),
// takes the mean (2 read), scales the input by the reciprocal root (2 + 2)
// and multiplies by the weight (2 + 2): 14 bytes against 4.
const eagerNormBytes = 10.0
