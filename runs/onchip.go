package runs

import (
	"encoding/json"

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
// usualNode, read as unstated), its model (the name left out), sequence
// and precision; not its scale, global batch, token budget, plan,
// recompute, software or release. Runs of one chip problem do the same
// work per chip, so the best of them says what those chips were seen to
// reach on it. Empty for a run that is not a training run.
func ChipProblem(r Run, usualNode int) string {
	if r.Training == nil {
		return ""
	}
	sys := DefaultsUnstated(r, usualNode).System
	sys.Chips, sys.Software = 0, ""
	m := r.Model
	m.Name = ""
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

// CompareOnChip sets, on every result with a searched best
// (FreePredicted), the best per-chip throughput measured on its chip
// problem among rs (FreeBest, and the run that measured it, FreeBestAt;
// the result's own measurement included) and the searched best over it
// (FreeOverBest = FreePredicted / FreeBest − 1). in[i] is the run of
// rs[i]; usualNode gives a chip's usual node size. A searched best far
// over its own run's measurement but near what another run reached on
// the same chips and model is that run's plan, scale or release falling
// short, not the search promising what nobody reaches.
func CompareOnChip(rs []Result, in []Run, usualNode func(chip string) int) {
	type best struct {
		v  float64
		id string
	}
	bests := map[string]best{}
	keys := make([]string, len(rs))
	for i, r := range rs {
		if r.Kind != KindTraining || r.Metric != MetricTokensPerChip || i >= len(in) {
			continue
		}
		k := ChipProblem(in[i], usualNode(in[i].System.Chip))
		if k == "" {
			continue
		}
		keys[i] = k
		if b, ok := bests[k]; !ok || r.Measured > b.v {
			bests[k] = best{r.Measured, r.ID}
		}
	}
	for i := range rs {
		r := &rs[i]
		if r.FreePredicted == nil || keys[i] == "" {
			continue
		}
		b := bests[keys[i]]
		v, o := b.v, *r.FreePredicted/b.v-1
		r.FreeBest, r.FreeBestAt, r.FreeOverBest = &v, b.id, &o
	}
}
