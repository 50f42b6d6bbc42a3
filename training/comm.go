package training

import (
	"math"

	"chipgap/hardware"
	"chipgap/parallel"
)

// stageParams is the dense and routed-expert parameters one device of the
// fullest stage holds (before ZeRO sharding): its layers split over TP
// (experts also over EP), plus the embedding or untied head.
func (p *prep) stageParams(pl parallel.Plan) (dense, expert float64) {
	d0, e0 := p.stageParamsOf(pl, stageLayers(p.m.Layers, pl), true, pl.PP == 1)
	if pl.PP == 1 {
		return d0, e0
	}
	d1, e1 := p.stageParamsOf(pl, stageLayers(p.m.Layers, pl), false, true)
	if d1+e1 > d0+e0 {
		return d1, e1
	}
	return d0, e0
}

// stageParamsOf is the dense and expert parameters on one device of a
// stage of n layers (in the model's mix of layer kinds): the layers split
// over TP (experts over ETP·EP), the embedding on the first stage, the
// untied head and the MTP modules on the last. An MTP module is a 2h→h
// projection and one layer of the model's last kind, and reads the
// embedding, which the last stage then also holds when it is not the
// first (arXiv 2412.19437 §2.2).
func (p *prep) stageParamsOf(pl parallel.Plan, n float64, first, last bool) (dense, expert float64) {
	L := float64(p.m.Layers)
	etp := float64(pl.ExpertTP() * pl.EP)
	for _, k := range p.kinds {
		c := n * float64(k.count) / L
		dense += c * k.params / float64(pl.TP)
		expert += c * k.expert / etp
	}
	var emb float64
	if first {
		emb += p.embed
	}
	if last {
		emb += p.head
		if mtp := float64(p.m.MTPModules); mtp > 0 && len(p.kinds) > 0 {
			k := p.kinds[len(p.kinds)-1]
			h := float64(p.m.Hidden)
			dense += mtp * (k.params + 2*h*h) / float64(pl.TP)
			expert += mtp * k.expert / etp
			if !first {
				emb += p.embed
			}
		}
	}
	return dense + emb/float64(pl.TP), expert
}

// dpTime is the exposed data-parallel gradient synchronisation. ZeRO 0:
// all-reduce; ZeRO 1: reduce-scatter of gradients and all-gather of
// updated weights; both overlap only with the last micro-batch's backward
// pass. ZeRO 2 keeps only its shard of the gradients, so it
// reduce-scatters them after every micro-batch's backward, each hidden
// behind that backward as far as the overlap goes ("gradient reduction is
// required after every backward because of gradient partitioning",
// DeepSpeed issue #2252), and gathers the weights once. ZeRO 3 gathers
// weights twice every micro-batch (forward, and backward with any
// recompute) and reduce-scatters gradients every micro-batch, overlapped
// with the whole step's compute.
func (p *prep) dpTime(pl parallel.Plan, s stage, mbs float64) float64 {
	dense, expert := p.stageParams(pl)
	_, gbytes := p.paramBytes(pl)
	n := pl.DP * pl.CP
	gd := p.net.Group(n, pl.TP)
	ge := p.net.Group(pl.TP*n/(pl.ExpertTP()*pl.EP), pl.ExpertTP()*pl.EP)
	ov := p.prof.DPOverlap.Value
	wb := p.gatherBytes()
	var t float64
	switch pl.ZeRO {
	case 0:
		t = float64(p.net.AllReduce(bytesOf(dense*gbytes), gd) + p.net.AllReduce(bytesOf(expert*gbytes), ge))
		return math.Max(t*(1-ov), t-ov*(s.bwd+s.hostBwd))
	case 1, 2:
		rs := float64(p.net.ReduceScatter(bytesOf(dense*gbytes), gd) + p.net.ReduceScatter(bytesOf(expert*gbytes), ge))
		t = rs + float64(p.net.AllGather(bytesOf(dense*wb), gd)+p.net.AllGather(bytesOf(expert*wb), ge))
		exposed := func(x float64) float64 { return math.Max(x*(1-ov), x-ov*(s.bwd+s.hostBwd)) }
		if pl.ZeRO == 2 && mbs > 1 {
			return (mbs-1)*exposed(rs) + exposed(t)
		}
		return exposed(t)
	}
	// A recomputed layer's forward runs inside its backward, on the
	// weights the backward gathers: two gathers per micro-batch either way
	// (Megatron-FSDP reshards after the backward when activations are
	// recomputed, docs/user-guide/features/megatron_fsdp.md; PyTorch
	// FSDP's pre-backward unshard covers a checkpoint inside the unit).
	const gathers = 2.0
	ag := float64(p.net.AllGather(bytesOf(dense*wb), gd) + p.net.AllGather(bytesOf(expert*wb), ge))
	rs := float64(p.net.ReduceScatter(bytesOf(dense*gbytes), gd) + p.net.ReduceScatter(bytesOf(expert*gbytes), ge))
	t = mbs * (gathers*ag + rs)
	window := mbs * (s.fwd + s.bwd + s.recompute + s.host)
	return math.Max(t*(1-ov), t-ov*window)
}

// gatherBytes is the bytes per weight the data-parallel weight gathers
// move: the FP8 copy (1 byte) in an FP8 job on a stack that gathers FP8
// weights (Profile.FP8ParamGather) with a per-tensor recipe, else the
// 16-bit one (the block-wise and MXFP8 recipes gather 16-bit weights:
// Megatron-Bridge's mixed-precision recipes set fp8_param_gather for
// delayed and current scaling only).
func (p *prep) gatherBytes() float64 {
	if p.job.Precision == hardware.FP8 && p.prof.FP8ParamGather.Value >= 0.5 && !p.job.blockScaled() {
		return 1
	}
	return p.act
}

// shardOf is a device's share of its dense and expert weights under
// sharded optimizer state or gradients: the dense ones split over the
// DP·CP ranks holding the same weights, the experts over the ranks that
// hold the same experts, TP·DP·CP / (ETP·EP).
func shardOf(pl parallel.Plan, dense, expert float64) (float64, float64) {
	return dense / float64(pl.DP*pl.CP), expert / (float64(pl.TP*pl.DP*pl.CP) / float64(pl.ExpertTP()*pl.EP))
}

// optimizerTime is Adam's memory-bound update of the device's shard: per
// parameter it reads fp32 master weight, two moments and the gradient and
// writes the three fp32 values and the 16-bit weight, about 34 bytes in a
// fused kernel (the stack's OptimizerStepBytes; unfused element-wise
// updates move more), 8 bytes fewer where the plan keeps the moments in
// 16 bits (each read and written at 2 bytes instead of 4); plus an FP8 or
// FP4 job's weight casts, once a step (castBytes), and the stack's fixed
// host time per step (StepHost).
func (p *prep) optimizerTime(pl parallel.Plan) float64 {
	dense, expert := p.stageParams(pl)
	if pl.ZeRO >= 1 {
		dense, expert = shardOf(pl, dense, expert)
	}
	step := p.prof.OptimizerStepBytes.Value
	if pl.HalfMoments {
		step -= 8
	}
	return (step*(dense+expert)+p.castBytes(pl))/(p.hbm*p.prof.MemoryEff.Value) + p.prof.StepHost.Value
}

// castBytes is the memory traffic of a quantised job's weight casts in one
// step on a device of the fullest stage: WeightCastBytes per GEMM weight
// of its layers (dense ones over TP, experts over ETP·EP; the biases and
// norms, not quantised, and the embedding and head, which run in 16 bits,
// left out), 2 where the weights are kept in FP8 and only their transposes
// are made.
func (p *prep) castBytes(pl parallel.Plan) float64 {
	b := p.prof.WeightCastBytes.Value
	if b <= 0 || !p.job.quantised() {
		return 0
	}
	if p.gatherBytes() == 1 {
		b = math.Min(b, 2)
	}
	// a middle stage's layers: no embedding, head or MTP module
	dense, expert := p.stageParamsOf(pl, stageLayers(p.m.Layers, pl), false, false)
	return b * (dense + expert)
}
