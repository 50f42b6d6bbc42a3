package training

import (
	"math"

	"chipgap/parallel"
	"chipgap/units"
)

// memory is one device's memory on the fullest stage: mixed-precision
// Adam states (Rajbhandari et al. 2020: 16-bit weights, GradBytes of
// gradient, 12 bytes of fp32 master weights and moments per parameter;
// ZeRO-1 shards the 12 over the data-parallel ranks, ZeRO-2 also the
// gradients, ZeRO-3 also the weights, keeping two layers gathered), the
// activations of the micro-batches in flight, the head's logits, and the
// framework's reserve and fragmentation.
func (p *prep) memory(pl parallel.Plan) Memory { return p.memoryAt(pl, fullFrac(pl)) }

// memoryAt is memory with a fraction frac of the layers recomputed.
func (p *prep) memoryAt(pl parallel.Plan, frac float64) Memory {
	dense, expert := p.stageParams(pl)
	dpN := float64(pl.DP * pl.CP)
	epN := dpN / float64(pl.EP)
	w := 2 * (dense + expert)
	g := p.prof.GradBytes.Value * (dense + expert)
	o := 12 * (dense + expert)
	if pl.ZeRO >= 1 {
		o = 12 * (dense/dpN + expert/epN)
	}
	if pl.ZeRO >= 2 {
		g = p.prof.GradBytes.Value * (dense/dpN + expert/epN)
	}
	if pl.ZeRO >= 3 {
		w = 2*(dense/dpN+expert/epN) + 2*2*p.largestLayer(pl)
	}
	var m Memory
	if p.prof.DualPipe.Value >= 0.5 && pl.PP > 1 {
		w *= 2 // DualPipe keeps two copies of the stage's parameters (DeepSeek-V3 report Table 2)
	}
	m.Weights, m.Grads, m.Optimizer = units.Bytes(w), units.Bytes(g), units.Bytes(o)
	m.Activations = units.Bytes(p.actParts(pl).activations(frac))
	sum := w + g + o + float64(m.Activations)
	m.Overhead = units.Bytes(p.prof.MemoryReserved.Value + sum*p.prof.MemoryFragmentation.Value)
	m.Total = units.Bytes(sum) + m.Overhead
	m.Capacity = units.Bytes(p.capacity)
	return m
}

// largestLayer is the parameters of the largest layer on one device.
func (p *prep) largestLayer(pl parallel.Plan) float64 {
	var big float64
	for _, k := range p.kinds {
		big = math.Max(big, (k.params+k.expert/float64(pl.EP))/float64(pl.TP))
	}
	return big
}

// actParts is one device's activation memory of the first stage, by
// part: per layer and micro-batch, the full set (keep) and, under full
// recompute, the layer input only (input); the largest layer's full set
// (worst); the embedding output per micro-batch; the logits; the
// micro-batches in flight; the layers of the fullest stage.
type actParts struct {
	keep, input, worst, embed, logits, inflight, layers float64
	compiled                                            bool // CompiledRemat
}

// actParts follows Korthikanti et al. 2022 Table 2 (per layer, generalised
// in layerKind), 1F1B's in-flight micro-batches (PP, or the whole step if
// fewer), and the interleaving factor 1 + (PP−1)/(PP·VPP).
func (p *prep) actParts(pl parallel.Plan) actParts {
	t := float64(pl.Microbatch) * float64(p.job.Seq) / float64(pl.CP)
	tp := float64(pl.TP)
	L := float64(p.m.Layers)
	var a actParts
	for _, k := range p.kinds {
		rep := k.actRep
		if pl.SequenceParallel {
			rep /= tp
		}
		set := t * (rep + k.actSplit/tp)
		if !p.flash {
			score := 5 * float64(p.m.Heads) / tp * float64(p.job.Seq) * t
			a.worst = math.Max(a.worst, set+score)
			if pl.Recompute == parallel.RecomputeNone || pl.Recompute == parallel.RecomputeFull {
				set += score // full recompute keeps the whole set on layers it skips
			}
		} else {
			a.worst = math.Max(a.worst, set)
		}
		a.keep += set * float64(k.count) / L
	}
	a.input = 2 * t * float64(p.m.Hidden)
	a.embed = 3 * t * float64(p.m.Hidden) // embedding output and its dropout mask
	if pl.SequenceParallel {
		a.input /= tp
		a.embed /= tp
	}
	a.inflight = math.Min(float64(pl.PP), float64(pl.MicroBatches(p.job.GlobalBatch)))
	if pl.VPP > 1 {
		a.inflight *= 1 + float64(pl.PP-1)/float64(pl.PP*pl.VPP)
	}
	a.layers = stageLayers(p.m.Layers, pl)
	a.compiled = p.prof.CompiledRemat.Value >= 0.5
	a.logits = 2 * 4 * t * float64(p.m.Vocab) / tp
	return a
}

// activations is the bytes kept for backward when a fraction frac of the
// stage's layers is recomputed (1 with full recompute, 0 otherwise): the
// layers' sets or inputs for each micro-batch in flight, the embedding
// output, one layer's set again as backward working memory (two when
// layers are recomputed eagerly, one under compiled remat), and the logits.
func (a actParts) activations(frac float64) float64 {
	perLayer := frac*a.input + (1-frac)*a.keep
	act := (perLayer*a.layers + a.embed) * a.inflight
	act += a.worst
	if frac > 0 && !a.compiled {
		act += a.worst
	}
	return act + a.logits
}

// activations is actParts at the plan's own recompute policy.
func (p *prep) activations(pl parallel.Plan) float64 {
	return p.actParts(pl).activations(fullFrac(pl))
}

func fullFrac(pl parallel.Plan) float64 {
	if pl.Recompute == parallel.RecomputeFull {
		return 1
	}
	return 0
}

// partialRecompute is the smallest fraction of the stage's layers that
// full recompute must redo to fit (Megatron-Core's block method,
// --recompute-num-layers), given the memory mem with every layer recomputed.
func (p *prep) partialRecompute(pl parallel.Plan, mem Memory) float64 {
	if pl.Recompute != parallel.RecomputeFull || p.prof.PartialRecompute.Value < 0.5 {
		return fullFrac(pl)
	}
	a := p.actParts(pl)
	perLayer := (a.keep - a.input) * a.inflight * (1 + p.prof.MemoryFragmentation.Value)
	if perLayer <= 0 {
		return 1
	}
	kept := math.Min(a.layers, math.Floor(float64(mem.Capacity-mem.Total)/perLayer))
	return 1 - kept/a.layers
}
