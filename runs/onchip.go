package runs

import (
	"encoding/json"
	"math"

	"chipgap/catalog"
	"chipgap/llm"
)

// UsualNode is the catalog's node size for chip id (8 for an HGX B200),
// 0 for a chip it lacks.
func UsualNode(cat *catalog.Catalog, id string) int {
	ch, err := cat.Chip(id)
	if err != nil {
		return 0
	}
	return ch.ChipsPerNode
}

// DefaultsUnstated is r with a stated value equal to the default it
// replaces read as unstated, so that runs differing only in spelling
// compare equal: a node size equal to the chip's usual one (usualNode,
// UsualNode's), whether stated or not.
func DefaultsUnstated(r Run, usualNode int) Run {
	if r.System.ChipsPerNode == usualNode {
		r.System.ChipsPerNode = 0
	}
	return r
}

// ChipProblem is what a per-chip comparison of training throughput sees
// of run r: its chip (a stated node size equal to the chip's usual one,
// usualNode, read as unstated), its model (the name and the
// multi-token-prediction modules left out), sequence and precision; not
// its scale, global batch, token budget, plan, recompute, software or
// release. Runs of one chip problem do the same work per chip but for the
// MTP modules a recipe may run or leave out (DeepSeek-V3's one module:
// NeMo 25.04's recipe runs it, Megatron-Bridge 25.11's GB200 rows do not),
// so CompareOnChip sets them side by side per unit of work
// (WorkPerToken), and the best of them says what those chips were seen
// to reach on it. Empty for a run that is not a training run.
func ChipProblem(r Run, usualNode int) string {
	if r.Training == nil {
		return ""
	}
	sys := DefaultsUnstated(r, usualNode).System
	sys.Chips, sys.Software = 0, ""
	m := r.Model
	m.Name, m.MTPModules = "", 0
	key := struct {
		System    System
		Model     llm.Model
		SeqLen    int
		Precision string
	}{sys, m, r.Training.SeqLen, r.Training.Precision}
	b, err := json.Marshal(key)
	if err != nil {
		return ""
	}
	return string(b)
}

// WorkPerToken is the training FLOPs per token of r's model at its
// sequence (causal; forward and backward, no recompute): the model's own
// (llm.Model.TrainingFLOPsPerToken) plus, for each MTP module, its matmul
// FLOPs (llm.Model.MTPFLOPsPerToken) and one layer's mean attention, three
// times over. Runs of one chip problem differ in it only by their MTP
// modules; 0 for a run that is not a training run (and for a model
// stated too sparsely to count, which CompareOnChip then ranks by tokens).
func WorkPerToken(r Run) float64 {
	if r.Training == nil {
		return 0
	}
	m, seq := r.Model.WithDefaults(), r.Training.SeqLen
	w := float64(m.TrainingFLOPsPerToken(seq, true, false))
	if n := m.MTPModules; n > 0 && m.Layers > 0 {
		attn := float64(m.SequenceAttentionFLOPsPerToken(seq, true)) / float64(m.Layers)
		w += 3 * (float64(m.MTPFLOPsPerToken()) + float64(n)*attn)
	}
	return w
}

// CompareOnChip sets, on every result with a searched best
// (FreePredicted), the best per-chip throughput measured on its chip
// problem among rs (FreeBest, and the run that measured it, FreeBestAt;
// the result's own measurement included) and the searched best over it
// (FreeOverBest = FreePredicted / FreeBest − 1). in[i] is the run of
// rs[i]; usualNode gives a chip's usual node size. The runs of a chip
// problem are ranked by the work they did per second (measured tokens ×
// WorkPerToken), and FreeBest is the best of them in this run's tokens:
// the same as its tokens where both ran the same MTP modules. A searched
// best far over its own run's measurement but near what another run
// reached on the same chips and model is that run's plan, scale or
// release falling short, not the search promising what nobody reaches.
func CompareOnChip(rs []Result, in []Run, usualNode func(chip string) int) {
	type best struct {
		v  float64 // work per second: measured tokens × WorkPerToken
		id string
	}
	bests := map[string]best{}
	keys := make([]string, len(rs))
	work := make([]float64, len(rs))
	for i, r := range rs {
		if r.Kind != KindTraining || r.Metric != MetricTokensPerChip || i >= len(in) {
			continue
		}
		k := ChipProblem(in[i], usualNode(in[i].System.Chip))
		if k == "" {
			continue
		}
		w := WorkPerToken(in[i])
		if !(w > 0) || math.IsInf(w, 0) {
			w = 1 // a model too sparse to count (the tests' sketches): by tokens
		}
		keys[i], work[i] = k, w
		if b, ok := bests[k]; !ok || r.Measured*w > b.v {
			bests[k] = best{r.Measured * w, r.ID}
		}
	}
	for i := range rs {
		r := &rs[i]
		if r.FreePredicted == nil || keys[i] == "" {
			continue
		}
		b := bests[keys[i]]
		v := b.v / work[i]
		o := *r.FreePredicted/v - 1
		r.FreeBest, r.FreeBestAt, r.FreeOverBest = &v, b.id, &o
	}
}
