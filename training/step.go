package training

import (
	"math"

	"chipgap/hardware"
	"chipgap/parallel"
)

// pass is the time of one layer's forward pass for one micro-batch on one
// device, by part, and the communication it triggers.
type pass struct {
	gemm, attn, mem float64 // compute
	attnExp         float64 // the part of attn in the fused softmax's exponentials (prep.expRate)
	scores          float64 // the part of mem in unfused attention's s² tensors
	expert          float64 // the part of gemm in routed-expert GEMMs (hottest rank)
	moe             float64 // the MoE block's compute: its GEMMs (router, routed and shared experts) and memory traffic
	tp, ep, cp      float64 // exposed communication
	// bwdLess is the part of twice the forward compute the backward does
	// not run: a dense MoE dispatch's backward runs three mask matmuls
	// where its forward ran two, and moves fewer mask bytes (denseDispatch).
	bwdLess float64
}

func (q pass) compute() float64 { return q.gemm + q.attn + q.mem }

// gemmTime is one GEMM of f FLOPs touching b bytes: the slower of the
// compute roofline at a size-dependent efficiency, max·F/(F + F½), and
// the memory roofline.
func (p *prep) gemmTime(f, b float64) float64 { return p.gemmAt(f, b, p.peak, p.matMax) }

// gemm16Time is gemmTime for a GEMM that stays in 16-bit under FP8.
func (p *prep) gemm16Time(f, b float64) float64 { return p.gemmAt(f, b, p.peak16, p.matMax16) }

// gemmAt is one GEMM call of f FLOPs moving b bytes at peak: the larger of
// its compute time on the size curve max·f/(f + F½) (F½ the profile's
// matmul_half_flop, or matmul_fixed_s·peak·max where that is set) and its
// memory time.
func (p *prep) gemmAt(f, b, peak, matMax float64) float64 {
	half := p.prof.MatmulHalfFLOP.Value
	if t := p.prof.MatmulFixed.Value; t > 0 {
		half = t * peak * matMax
	}
	eff := matMax * f / (f + half)
	return math.Max(f/(peak*eff), b/(p.hbm*p.prof.MemoryEff.Value))
}

// layerForward is one layer's forward pass on tokens t of a micro-batch.
func (p *prep) layerForward(k *layerKind, pl parallel.Plan, t float64) pass {
	var q pass
	tp := float64(pl.TP)
	ab := p.act // bytes per element of 16-bit operands
	switch p.job.Precision {
	case hardware.FP8:
		ab = 1
	case hardware.FP4:
		ab = fp4Bytes
	}
	etp := float64(pl.ExpertTP())
	for _, g := range k.gemms {
		n, kk := g.n, g.k
		split := tp
		if g.expert {
			split = etp
		}
		switch g.kind {
		case colSplit:
			n /= split
		case rowSplit:
			kk /= split
		}
		rows, groups := t, 1.0
		if g.expert {
			// The TP·CP·DP ranks' tokens spread over E experts, each on
			// ETP devices of the EP·ETP expert group (MoE parallel folding).
			e := float64(p.m.MoE.Experts)
			groups = e / float64(pl.EP)
			rows = t * float64(p.m.MoE.Active) * float64(pl.EP) * etp / (e * tp)
		}
		if g.expert {
			rows *= p.loadOn(pl) // the hottest rank's experts see load × the mean rows
		}
		f := 2 * rows * n * kk
		b := ab * (rows*kk + kk*n + rows*n)
		t := groups * p.gemmTime(f, b)
		if c := math.Min(groups, p.prof.ExpertGEMMStreams.Value); g.expert && c > 1 {
			// A wave of c concurrent expert GEMMs pays one call's fixed cost.
			t = groups / c * p.gemmTime(c*f, c*b)
		}
		q.gemm += t
		if g.expert {
			q.expert += t
		}
		if g.moe {
			q.moe += t
		}
	}
	heads := float64(p.m.Heads) / tp
	seq := float64(p.job.Seq)
	ctx := p.attnCtx
	ramp := p.attentionRamp(seq / float64(max(pl.CP, 1)))
	q.attn = ramp * 2 * t * ctx * heads * (p.qkDim + p.attnV) / (p.peak16 * p.attnEff)
	if p.flash && p.expRate > 0 {
		// The softmax between the two products: one exponential per score
		// element on the special-function units, after the first product
		// and before the second (serial), at the same efficiency.
		q.attnExp = ramp * t * ctx * heads / (p.expRate * p.attnEff)
		q.attn += q.attnExp
	}
	p.memTraffic(&q, k, pl, t)
	if p.dense && k.expert > 0 {
		p.denseDispatch(&q, pl, t)
	}
	p.layerComm(&q, k, pl, t)
	return q
}

// memTraffic adds a layer's memory-bound traffic in one forward pass on
// tokens t: the replicated and split element-wise traffic, without fused
// attention the s² score tensors, and a MoE layer's routing.
func (p *prep) memTraffic(q *pass, k *layerKind, pl parallel.Plan, t float64) {
	tp := float64(pl.TP)
	etp := float64(pl.ExpertTP())
	heads := float64(p.m.Heads) / tp
	seq := float64(p.job.Seq)
	rep := k.memRep
	if !pl.SequenceParallel {
		rep *= tp
	}
	mem := t * (rep + k.memSplit) / tp
	bw := p.hbm * p.prof.MemoryEff.Value
	if k.expert > 0 && etp > 1 {
		// Each rank of an expert-TP group holds the copies of all the
		// group's tokens routed to its experts (tpComm gathers them), so
		// the local permute and unpermute around the experts move etp×
		// the rank's share; the global permutation runs before the
		// gather, on the rank's own tokens.
		extra := t * k.routedCopies * (etp - 1) / tp
		mem += extra
		q.moe += extra / bw
	}
	if !p.flash {
		// The s² score tensors' traffic (scores, softmax, dropout and
		// its mask): part of the core attention, which selective
		// recompute re-runs.
		q.scores = 9 * heads * seq * t / bw
	}
	q.mem = mem/bw + q.scores
	q.moe += t * k.moeMem / tp / bw
}

// Bytes per element of a GShard gate's [tokens, experts·capacity] tensors
// (ascendspeed/components/moe/gate.py top2gating, as DeepSpeed's): the
// forward writes two fp32 products (4 + 4), adds them (8 read, 4 written),
// takes the bool dispatch mask (4 + 1) and casts mask and weights to the
// 16-bit matmul operands (1 + 2, 4 + 2); the backward casts the combine
// weights' 16-bit gradient to fp32 (2 + 4) and runs each product's
// multiply and reduction (2 × (4 + 4)).
const (
	gateFwdBytes = 34.0
	gateBwdBytes = 22.0
)

// denseMasks is the shape of a GShard gate's masks on one device: the s
// tokens it sees (the micro-batch's sequence share, split again by TP
// under sequence parallelism: the gate runs on the sequence-parallel
// shard) and its e·c = active·capacity_factor·s expert slots.
func (p *prep) denseMasks(pl parallel.Plan, t float64) (s, ec float64) {
	s = t
	if pl.SequenceParallel {
		s = t / float64(pl.TP)
	}
	return s, float64(p.m.MoE.Active) * p.capFactor * s
}

// denseDispatch adds a GShard MoE layer's dispatch and combine (Lepikhin
// et al. 2020; AscendSpeed's and DeepSpeed's MOELayer): the gate builds
// [s, e·c] combine weights and dispatch mask for its s tokens, e·c =
// active·capacity_factor·s slots, and both the dispatch (sec,sm->ecm) and
// the combine (sec,ecm->sm) are 16-bit matmuls of 2·s·(e·c)·h FLOPs. The
// backward runs three (the input's gradient through the mask; the
// expert output's and the combine weights' through the combine). Both
// grow with s²: at long sequences they outweigh the experts.
func (p *prep) denseDispatch(q *pass, pl parallel.Plan, t float64) {
	s, ec := p.denseMasks(pl, t)
	h := float64(p.m.Hidden)
	g := p.gemm16Time(2*s*ec*h, 2*(s*ec+s*h+ec*h))
	bw := p.hbm * p.prof.MemoryEff.Value
	gate := gateFwdBytes * s * ec / bw
	q.gemm += 2 * g
	q.mem += gate
	q.moe += 2*g + gate
	q.bwdLess = g + (2*gateFwdBytes-gateBwdBytes)*s*ec/bw
}

// layerComm adds a layer's forward communication: its TP communication
// (tpComm); for MoE layers the expert-parallel dispatch and
// combine all-to-alls; with CP the ring exchange of K and V, hidden behind
// attention where it can be.
func (p *prep) layerComm(q *pass, k *layerKind, pl parallel.Plan, t float64) {
	h := float64(p.m.Hidden)
	if pl.TP > 1 {
		ov := p.prof.TPOverlap.Value
		if k.expert == 0 {
			ov = max(ov, p.prof.TPOverlapDense.Value)
		}
		q.tp = p.tpComm(k, pl, t) * (1 - ov)
	}
	if k.expert > 0 && pl.EP > 1 {
		stride := pl.TP * pl.CP
		if pl.ETP > 0 {
			stride = pl.ETP // folded: expert ranks ordered ETP, then EP
		}
		g := p.net.Group(pl.EP, stride)
		if p.allGather() {
			q.ep = 2 * p.allGatherDispatch(pl, g, t) * (1 - p.epOverlap(pl))
		} else {
			perCopy := p.loadOn(pl) * t * h * p.act / float64(pl.TP)
			a2a := p.net.ExpertAllToAll(bytesOf(perCopy), float64(p.m.MoE.Active), g, p.hierarchical(), p.m.MoE.ShardsHit)
			q.ep = 2 * float64(a2a) * (1 - p.epOverlap(pl))
		}
	}
	if pl.CP > 1 {
		g := p.net.Group(pl.CP, pl.TP)
		kv := t * float64(p.m.KVHeads) / float64(pl.TP) * (p.qkDim + p.vDim) * p.act
		if p.m.Attention == "mla" {
			kv = t * float64(p.m.Heads) / float64(pl.TP) * (p.qkDim + p.vDim) * p.act
		}
		ring := float64(pl.CP-1) * float64(p.net.SendRecv(bytesOf(kv), g))
		q.cp = math.Max(0, ring-q.attn)
	}
}

// tpComm is a layer's tensor-parallel communication in one forward pass:
// per block, an all-reduce of its output or, with sequence parallelism, a
// reduce-scatter and an all-gather (Korthikanti et al. 2022 §4.2.2). A
// dense layer's attention and MLP blocks each move the micro-batch's
// activations. A MoE layer's routed experts move their routed copies
// instead, and only among the expert-TP ranks that split each expert:
// after the dispatch each rank gathers from its ETP group the copies of
// its experts' tokens (active × the load per token: Megatron-Core's
// all-to-all dispatcher, and GShard layers whose experts are TP-split
// linears) and reduce-scatters their outputs; with ETP 1 the routed
// experts need no TP communication at all. A shared expert is a TP-split
// MLP on the activations.
func (p *prep) tpComm(k *layerKind, pl parallel.Plan, t float64) float64 {
	act := t * float64(p.m.Hidden) * p.act
	pair := func(bytes float64, n int) float64 {
		g := p.net.Group(n, 1)
		if pl.SequenceParallel {
			return float64(p.net.ReduceScatter(bytesOf(bytes), g) + p.net.AllGather(bytesOf(bytes), g))
		}
		return float64(p.net.AllReduce(bytesOf(bytes), g))
	}
	block := pair(act, pl.TP)
	if k.expert == 0 {
		return 2 * block // attention and MLP
	}
	c := block // attention
	if p.m.MoE.Shared > 0 {
		c += block
	}
	if etp := pl.ExpertTP(); etp > 1 {
		switch {
		case !p.allGather():
			routed := p.loadOn(pl) * float64(p.m.MoE.Active) * act * float64(etp) / float64(pl.TP)
			c += pair(routed, etp)
		case pl.EP <= 1:
			// the all-gather dispatcher over the expert-TP ranks alone:
			// one copy of every token, whatever the top-k
			c += pair(act*float64(etp)/float64(pl.TP), etp)
		}
		// with EP > 1 the all-gather dispatcher's gather spans the
		// expert-TP ranks too: layerComm counts it (allGatherDispatch)
	}
	return c
}

// allGather says whether the MoE dispatch is Megatron-Core's all-gather
// token dispatcher: the job's stated path (Job.Dispatch), else the stack's
// practice (MoEAllGatherDispatch). A GShard layer (dense dispatch) has
// its own all-to-all.
func (p *prep) allGather() bool {
	if p.dense {
		return false
	}
	if p.job.Dispatch != "" {
		return p.job.Dispatch == DispatchAllGather
	}
	return p.prof.MoEAllGatherDispatch.Value >= 0.5
}

// allGatherDispatch is one pass of Megatron-Core's all-gather token
// dispatcher (MoEAllGatherTokenDispatcher, core_r0.6 to 0.9
// token_dispatcher.py): each rank all-gathers its micro-batch's hidden
// states, t/tp tokens with sequence parallelism, over the expert-TP × EP
// group (get_tensor_and_expert_parallel_group), every token once whatever
// its top-k, and selects the copies routed to its local experts; the
// combine reduce-scatters the same [etp·ep·t/tp, h] tensor back, so
// dispatch and combine each move the gathered volume. The group holds the
// expert-TP ranks (adjacent) of each of the EP ranks of g.
func (p *prep) allGatherDispatch(pl parallel.Plan, g hardware.Group, t float64) float64 {
	etp := pl.ExpertTP()
	n := etp * g.N
	per := min(n, etp*g.PerNode)
	if etp > p.net.ChipsPerNode {
		per = p.net.ChipsPerNode
	}
	gathered := float64(n) * t / float64(pl.TP) * float64(p.m.Hidden) * p.act
	return float64(p.net.AllGather(bytesOf(gathered), hardware.Group{N: n, PerNode: max(per, 1)}))
}

// hierarchical says whether the MoE dispatch is hierarchical: the job's
// stated path (Job.Dispatch), else the stack's (MoEHierarchicalDispatch).
func (p *prep) hierarchical() bool {
	if p.allGather() {
		return false
	}
	switch p.job.Dispatch {
	case DispatchFlat:
		return false
	case DispatchHierarchical:
		return true
	}
	return p.prof.MoEHierarchicalDispatch.Value >= 0.5
}

// epOverlap is the share of the EP all-to-all hidden: the stack's 1F1B
// overlap where the plan runs it (prep.a2aOverlap), else its EPOverlap.
func (p *prep) epOverlap(pl parallel.Plan) float64 {
	if p.a2aOverlap(pl) {
		return p.prof.EPOverlap1F1B.Value
	}
	return p.prof.EPOverlap.Value
}

// attentionRefTokens is the kernel length AttentionEff refers to where a
// stack makes attention's efficiency depend on it (AttentionRampTokens).
const attentionRefTokens = 16384

// attentionRamp is a fused attention's time at kernel calls spanning l
// tokens (the sequence over CP) over its time at AttentionEff: (1 +
// (s₀/l)^k) / (1 + (s₀/16384)^k); 1 where the stack states no s₀ or the
// attention is not fused.
func (p *prep) attentionRamp(l float64) float64 {
	if p.rampTokens <= 0 || !p.flash || l <= 0 {
		return 1
	}
	return (1 + math.Pow(p.rampTokens/l, p.rampExp)) / p.rampRef
}
