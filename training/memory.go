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
func (p *prep) memory(pl parallel.Plan) Memory {
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
	m.Weights, m.Grads, m.Optimizer = units.Bytes(w), units.Bytes(g), units.Bytes(o)
	m.Activations = units.Bytes(p.activations(pl))
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

// activations is the bytes kept for backward on the first stage: per
// layer and micro-batch (Korthikanti et al. 2022 Table 2, generalised in
// layerKind), times the layers of a stage, times the micro-batches in
// flight under 1F1B (PP, or the whole step if fewer), times the
// interleaving factor 1 + (PP−1)/(PP·VPP), plus the embedding output per
// micro-batch, plus one layer's set as backward working memory; with full
// recompute only each layer's input is kept, plus one recomputed layer.
func (p *prep) activations(pl parallel.Plan) float64 {
	t := float64(pl.Microbatch) * float64(p.job.Seq) / float64(pl.CP)
	tp := float64(pl.TP)
	L := float64(p.m.Layers)
	perStage := stageLayers(p.m.Layers, pl)
	var perLayer, worst float64
	for _, k := range p.kinds {
		rep := k.actRep
		if pl.SequenceParallel {
			rep /= tp
		}
		a := t * (rep + k.actSplit/tp)
		if !p.flash {
			score := 5 * float64(p.m.Heads) / tp * float64(p.job.Seq) * t
			worst = math.Max(worst, a+score)
			if pl.Recompute == parallel.RecomputeNone {
				a += score
			}
		} else {
			worst = math.Max(worst, a)
		}
		perLayer += a * float64(k.count) / L
	}
	if pl.Recompute == parallel.RecomputeFull {
		in := 2 * t * float64(p.m.Hidden)
		if pl.SequenceParallel {
			in /= tp
		}
		perLayer = in
	}
	inflight := math.Min(float64(pl.PP), float64(pl.MicroBatches(p.job.GlobalBatch)))
	if pl.VPP > 1 {
		inflight *= 1 + float64(pl.PP-1)/float64(pl.PP*pl.VPP)
	}
	// The first stage also keeps, per micro-batch in flight, the embedding
	// output and its dropout mask (3 bytes per hidden element).
	embed := 3 * t * float64(p.m.Hidden)
	if pl.SequenceParallel {
		embed /= tp
	}
	act := (perLayer*perStage + embed) * inflight
	// Backward holds one layer's full set again as gradients (and, with
	// full recompute, that layer's recomputed activations).
	act += worst
	if pl.Recompute == parallel.RecomputeFull {
		act += worst
	}
	logits := 2 * 4 * t * float64(p.m.Vocab) / tp
	return act + logits
}
