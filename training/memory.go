package training

import (
	"fmt"
	"math"

	"chipgap/parallel"
	"chipgap/units"
)

// stageSpec is one pipeline stage as memory sees it: its layers, how many
// of them are recomputed, the micro-batches (or interleaved chunks, in
// layer-set units) it holds in flight, and what else it carries.
type stageSpec struct {
	index, layers int
	recomputed    float64 // layers recomputed (a fraction of layers under partial recompute)
	inflight      float64 // in-flight copies of one layer set per layer
	first, last   bool
}

// inflight is the micro-batches whose activations stage i holds at its
// peak. 1F1B: the warm-up of stage i runs PP−i forward passes before its
// first backward (Narayanan et al. 2021 §2.2), so stage 0 holds PP and the
// last stage one. Interleaved (Megatron-LM's schedule): rank i warms up
// (PP−i−1)·2 + (VPP−1)·PP chunks and holds one more in the steady state,
// each chunk 1/VPP of the stage's layers. Never more than the step has.
func inflight(pl parallel.Plan, i int, microBatches int) float64 {
	if pl.VPP <= 1 {
		return math.Min(float64(pl.PP-i), float64(microBatches))
	}
	chunks := float64((pl.PP-i-1)*2 + (pl.VPP-1)*pl.PP + 1)
	return math.Min(chunks, float64(microBatches*pl.VPP)) / float64(pl.VPP)
}

// stages lists the stages whose memory can be the largest: every stage
// when the plan states per-stage layers or recompute lists; otherwise the
// first (most layers, most micro-batches in flight, the embedding) and the
// last (the head, its logits and the MTP modules), since between them the
// layers and the micro-batches in flight only fall.
func (p *prep) stages(pl parallel.Plan, frac float64) []stageSpec {
	return p.stagesInto(nil, pl, frac)
}

// stagesInto is stages appending to buf (the search passes a small
// array's slice so that the common two-stage case does not allocate).
func (p *prep) stagesInto(buf []stageSpec, pl parallel.Plan, frac float64) []stageSpec {
	mbs := pl.MicroBatches(p.job.GlobalBatch)
	L := p.m.Layers
	// parallel.Plan.Stages' split; a closure of its own keeps spec inlined
	// where the search calls it (the method inside spec would not).
	layersOf := func(i int) int { return pl.StageLayersOf(L, i) }
	spec := func(i int) stageSpec {
		n := layersOf(i)
		s := stageSpec{index: i, layers: n, inflight: inflight(pl, i, mbs), first: i == 0, last: i == pl.PP-1}
		switch {
		case pl.RecomputeLayers != nil:
			s.recomputed = float64(pl.RecomputeLayers[i])
		case pl.Recompute == parallel.RecomputeSelective || pl.Recompute == parallel.RecomputeMoE:
			s.recomputed = float64(n)
		default:
			s.recomputed = frac * float64(n)
		}
		return s
	}
	if pl.StageLayers == nil && pl.RecomputeLayers == nil {
		if pl.PP == 1 {
			return append(buf, spec(0))
		}
		return append(buf, spec(0), spec(pl.PP-1))
	}
	for i := 0; i < pl.PP; i++ {
		buf = append(buf, spec(i))
	}
	return buf
}

// memory is one device's memory on the stage that needs the most:
// mixed-precision Adam states (Rajbhandari et al. 2020: 16-bit weights,
// GradBytes of gradient, 12 bytes of fp32 master weights and moments per
// parameter; ZeRO-1 shards the 12 over the data-parallel ranks, ZeRO-2
// also the gradients, ZeRO-3 also the weights, keeping two layers
// gathered), the activations of the micro-batches in flight, the head's
// logits, and the framework's reserve and fragmentation.
func (p *prep) memory(pl parallel.Plan) Memory { return p.memoryAt(pl, fullFrac(pl)) }

// memoryAt is memory with a fraction frac of each stage's layers
// recomputed (when the plan states no per-stage list).
func (p *prep) memoryAt(pl parallel.Plan, frac float64) Memory {
	var buf [2]stageSpec
	a := p.actParts(pl)
	var worst Memory
	for _, s := range p.stagesInto(buf[:0], pl, frac) {
		if m := p.stageMemoryWith(pl, s, &a); m.Total > worst.Total || worst.Total == 0 {
			worst = m
		}
	}
	return worst
}

// stageMemory is one device's memory on stage s.
func (p *prep) stageMemory(pl parallel.Plan, s stageSpec) Memory {
	a := p.actParts(pl)
	return p.stageMemoryWith(pl, s, &a)
}

// stageMemoryWith is stageMemory with the plan's activation parts given.
func (p *prep) stageMemoryWith(pl parallel.Plan, s stageSpec, a *actParts) Memory {
	dense, expert := p.stageParamsOf(pl, float64(s.layers), s.first, s.last)
	dpN := float64(pl.DP * pl.CP)
	edp := float64(pl.TP*pl.DP*pl.CP) / float64(pl.ExpertTP()*pl.EP) // expert data-parallel ranks
	wb, gb := p.paramBytes(pl)
	ob := p.prof.OptimizerBytes.Value
	if pl.HalfMoments {
		ob -= 4 // Adam's two moments at 2 bytes instead of 4
	}
	w := wb * (dense + expert)
	g := gb * (dense + expert)
	o := ob * (dense + expert)
	if pl.ZeRO >= 1 {
		o = ob * (dense/dpN + expert/edp)
	}
	if pl.ZeRO >= 2 {
		g = gb * (dense/dpN + expert/edp)
	}
	if pl.ZeRO >= 3 {
		w = wb*(dense/dpN+expert/edp) + 2*2*p.largestLayer(pl)
	}
	m := Memory{Stage: s.index, StageLayers: s.layers, InFlight: s.inflight}
	if p.prof.DualPipe.Value >= 0.5 && pl.PP > 1 {
		w *= 2 // DualPipe keeps two copies of the stage's parameters (DeepSeek-V3 report Table 2)
	}
	m.Weights, m.Grads, m.Optimizer = units.Bytes(w), units.Bytes(g), units.Bytes(o)
	m.Activations = units.Bytes(a.stage(s))
	sum := w + g + o + float64(m.Activations)
	m.Overhead = units.Bytes(p.prof.MemoryReserved.Value + p.prof.CommBuffer.Value*float64(p.communicators(pl)) + sum*p.prof.MemoryFragmentation.Value)
	m.Total = units.Bytes(sum) + m.Overhead
	m.Capacity = units.Bytes(p.capacity)
	return m
}

// communicators is how many communication groups of more than one rank a
// device joins under plan pl, as Megatron-style frameworks build them
// (megatron/core/parallel_state.py): the world, tensor, pipeline, data
// (with context), context, model (tensor × pipeline), expert and expert
// data-parallel groups. Each holds the collective library's buffers
// (Profile.CommBuffer).
func (p *prep) communicators(pl parallel.Plan) int {
	n := 0
	for _, size := range []int{pl.TP * pl.PP * pl.DP * pl.CP, pl.TP, pl.PP, pl.DP * pl.CP, pl.CP, pl.TP * pl.PP} {
		if size > 1 {
			n++
		}
	}
	if p.m.MoE != nil {
		ep, edp := pl.EP, pl.TP*pl.DP*pl.CP/(pl.ExpertTP()*pl.EP)
		for _, size := range []int{ep, edp} {
			if size > 1 {
				n++
			}
		}
	}
	return n
}

// paramBytes is the bytes per parameter of the weights and of the
// gradients under plan pl: the stack's, or 2 and 2 where the plan keeps
// 16-bit parameters (their gradients take the parameters' type; the
// optimizer's fp32 moments, OptimizerBytes, do not change).
func (p *prep) paramBytes(pl parallel.Plan) (weights, grads float64) {
	if pl.HalfParams {
		return 2, 2
	}
	return p.prof.WeightBytes.Value, p.prof.GradBytes.Value
}

// fit returns plan pl and its memory, or, where pl does not fit with the
// stack's fp32 parameters and moments, pl with what memory savings are
// allowed (the stack offers them and the job needs them), in turn:
// 16-bit parameters (p.halfParams), then 16-bit Adam moments
// (p.halfMoments); the last plan tried and its memory, fitting or not.
func (p *prep) fit(pl parallel.Plan) (parallel.Plan, Memory) {
	mem := p.memory(pl)
	over := func() bool { return mem.Total > units.Bytes(p.capacity) }
	if over() && !pl.HalfParams && p.halfParams {
		pl.HalfParams = true
		mem = p.memory(pl)
	}
	if over() && !pl.HalfMoments && p.halfMoments {
		pl.HalfMoments = true
		mem = p.memory(pl)
	}
	return pl, mem
}

// largestLayer is the parameters of the largest layer on one device.
func (p *prep) largestLayer(pl parallel.Plan) float64 {
	var big float64
	for _, k := range p.kinds {
		big = math.Max(big, k.params/float64(pl.TP)+k.expert/float64(pl.EP*pl.ExpertTP()))
	}
	return big
}

// actParts is one device's activation memory by part: per layer and
// micro-batch, the full set (keep), the set a selectively recomputed
// layer keeps (selective) and the layer input a fully recomputed layer
// keeps (input); the largest layer's full set (worst); the embedding output
// per micro-batch; the logits of one micro-batch; the MTP modules' layers.
type actParts struct {
	keep, selective, input, worst, embed, logits, mtp float64
	// moe is the set a layer keeps when its MoE block is recomputed (the
	// full set less the block's part), moeWorst the largest block's part,
	// which its re-run holds again in the backward pass.
	moe, moeWorst float64
	recompute     parallel.Recompute
	compiled      bool // CompiledRemat
}

// actParts follows Korthikanti et al. 2022 Table 2 (per layer, generalised
// in layerKind). Selective recompute drops the attention core's s² tensors
// (without fused attention) and, where the stack's selective recompute
// covers it (SelectiveMLPAct), the MLP activation function's outputs.
func (p *prep) actParts(pl parallel.Plan) actParts {
	t := float64(pl.Microbatch) * float64(p.job.Seq) / float64(pl.CP)
	tp := float64(pl.TP)
	L := float64(p.m.Layers)
	a := actParts{recompute: pl.Recompute}
	// Each rank of an expert-TP group keeps the routed inputs of all the
	// group's tokens it gathered for its experts: etp× its share.
	gathered := float64(pl.ExpertTP()-1) / tp
	var last float64
	for _, k := range p.kinds {
		rep := k.actRep
		if pl.SequenceParallel {
			rep /= tp
		}
		set := t * (rep + k.actSplit/tp + k.routedIn*gathered)
		sel := set - t*p.selectiveSaving(k)/tp
		if p.prof.SelectiveOpSAC.Value >= 0.5 || p.prof.SelectiveDots.Value >= 0.5 {
			in := 2 * float64(p.m.Hidden)
			if pl.SequenceParallel {
				in /= tp
			}
			kept := k.sacKeep
			if p.prof.SelectiveDots.Value >= 0.5 {
				kept = k.dotsKeep
			}
			sel = t * (in + kept/tp)
		}
		var masks float64
		if p.dense && k.expert > 0 {
			// A GShard layer keeps its 16-bit combine weights and dispatch
			// mask ([s, e·c] each) for the backward's matmuls.
			s, ec := p.denseMasks(pl, t)
			masks = 2 * 2 * s * ec
			set += masks
			sel += masks
		}
		if !p.flash {
			score := 5 * float64(p.m.Heads) / tp * float64(p.job.Seq) * t
			a.worst = math.Max(a.worst, set+score)
			set += score // kept unless the layer is recomputed
		} else {
			a.worst = math.Max(a.worst, set)
		}
		blk := t*(k.moeAct/tp+k.routedIn*gathered) + masks
		a.moeWorst = math.Max(a.moeWorst, blk)
		a.keep += set * float64(k.count) / L
		a.selective += sel * float64(k.count) / L
		a.moe += (set - blk) * float64(k.count) / L
		last = set
	}
	a.input = 2 * t * float64(p.m.Hidden)
	a.embed = 3 * t * float64(p.m.Hidden) // embedding output and its dropout mask
	if pl.SequenceParallel {
		a.input /= tp
		a.embed /= tp
	}
	a.compiled = p.prof.CompiledRemat.Value >= 0.5
	// The logits: the output layer's 16-bit result and the loss's fp32
	// copy, whose softmax and then gradient are computed in place
	// (Megatron's VocabParallelCrossEntropy; XLA reuses the buffer alike):
	// 2 + 4 bytes per logit at the peak.
	a.logits = (2 + 4) * t * float64(p.m.Vocab) / tp
	// Each MTP module keeps one more layer of the model's last kind, its
	// 2h input and its own logits (arXiv 2412.19437 §2.2).
	a.mtp = float64(p.m.MTPModules) * (last + 2*a.input)
	return a
}

// selectiveSaving is the bytes per token (before the TP split) a
// selectively recomputed layer does not keep beyond the attention core:
// the MLP activation function's outputs (GeLU's output; SwiGLU's
// activation and product, 2·2·ffn), where the stack's selective recompute
// covers them (MindFormers' select_recompute recomputes the feed-forward
// activation and multiply; Megatron-Core's default covers core_attn only).
func (p *prep) selectiveSaving(k layerKind) float64 {
	if p.prof.SelectiveMLPAct.Value < 0.5 {
		return 0
	}
	return k.actFn
}

// stage is the bytes stage s keeps for backward: per micro-batch in
// flight, its layers' sets (inputs for fully recomputed layers, the
// selective set for selectively recomputed ones) and, on the first stage,
// the embedding output; one layer's set again as backward working memory
// (two when layers are recomputed eagerly, one under compiled remat); on
// the last stage the logits of one micro-batch and the MTP modules.
func (a actParts) stage(s stageSpec) float64 {
	kept := a.keep * (float64(s.layers) - s.recomputed)
	switch a.recompute {
	case parallel.RecomputeFull:
		kept += a.input * s.recomputed
	case parallel.RecomputeSelective:
		kept += a.selective * s.recomputed
	case parallel.RecomputeMoE:
		kept += a.moe * s.recomputed
	}
	if s.first {
		kept += a.embed
	}
	if s.last {
		kept += a.mtp
	}
	act := kept*s.inflight + a.worst
	if a.recompute == parallel.RecomputeFull && s.recomputed > 0 && !a.compiled {
		act += a.worst
	}
	if a.recompute == parallel.RecomputeMoE && s.recomputed > 0 {
		act += a.moeWorst
	}
	if s.last {
		act += a.logits
	}
	return act
}

// activations is the first stage's activation bytes at the plan's own
// recompute policy.
func (p *prep) activations(pl parallel.Plan) float64 {
	return p.actParts(pl).stage(p.stages(pl, fullFrac(pl))[0])
}

func fullFrac(pl parallel.Plan) float64 {
	if pl.Recompute == parallel.RecomputeFull {
		return 1
	}
	return 0
}

// partialRecompute is the smallest fraction of each stage's layers that
// full recompute must redo to fit (Megatron-Core's block method,
// --recompute-num-layers), given every layer recomputed; a plan with a
// stated per-stage list keeps it.
func (p *prep) partialRecompute(pl parallel.Plan) float64 {
	if pl.Recompute != parallel.RecomputeFull || p.prof.PartialRecompute.Value < 0.5 || pl.RecomputeLayers != nil {
		return fullFrac(pl)
	}
	a := p.actParts(pl)
	frac := 0.0
	var buf [2]stageSpec
	for _, s := range p.stagesInto(buf[:0], pl, 1) {
		perLayer := (a.keep - a.input) * s.inflight * (1 + p.prof.MemoryFragmentation.Value)
		if perLayer <= 0 {
			return 1
		}
		m := p.stageMemoryWith(pl, s, &a)
		free := float64(m.Capacity - m.Total)
		kept := math.Min(float64(s.layers), math.Floor(free/perLayer))
		if !a.compiled && free+a.worst*(1+p.prof.MemoryFragmentation.Value) >= float64(s.layers)*perLayer {
			// Recomputing no layer also drops the second working set a
			// recomputed layer's backward holds (actParts.stage): where
			// that is what fits, the stage keeps every layer.
			kept = float64(s.layers)
		}
		frac = math.Max(frac, 1-kept/float64(s.layers))
	}
	return frac
}

// component names the largest part of a memory total, for refusals.
func (m Memory) component() string {
	n, v := m.largest()
	return fmt.Sprintf("%s %s", n, v)
}

// largest is the largest component of m and its bytes.
func (m Memory) largest() (string, units.Bytes) {
	parts := []struct {
		n string
		v units.Bytes
	}{{"weights", m.Weights}, {"gradients", m.Grads}, {"optimizer states", m.Optimizer}, {"activations", m.Activations}, {"overhead", m.Overhead}}
	big := parts[0]
	for _, q := range parts[1:] {
		if q.v > big.v {
			big = q
		}
	}
	return big.n, big.v
}
