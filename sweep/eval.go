package sweep

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"sync"
	"sync/atomic"

	"chipgap/catalog"
	"chipgap/econ"
	"chipgap/hardware"
	"chipgap/training"
	"chipgap/uncertain"
	"chipgap/units"
)

// Options tune Run; the rows do not depend on them.
type Options struct {
	// Workers is the number of cells evaluated at once (0: GOMAXPROCS).
	Workers int
	// Progress, if set, is told the cells done and the total; calls are
	// serialised.
	Progress func(done, total int)
}

// evaluator holds what every cell shares: the catalog, the economics
// and the training profiles resolved once per (stack, framework, date).
type evaluator struct {
	g    *Grid
	c    *catalog.Catalog
	econ *catalog.EconData

	mu       sync.Mutex
	profiles map[string]profileEntry
	// layouts holds each serving instance's layout search (layoutKey).
	layouts layoutCache
	// stop ends a cell's plan search when the run's context ends
	// (training.SearchOptions.Stop): one cell's search at the largest
	// sizes holds millions of plans.
	stop func() error
}

type profileEntry struct {
	prof training.Profile
	why  string
	err  error
}

func newEvaluator(g *Grid) (*evaluator, error) {
	c, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	ec, err := c.Econ()
	if err != nil {
		return nil, err
	}
	return &evaluator{g: g, c: c, econ: ec, profiles: map[string]profileEntry{}}, nil
}

// Run evaluates cells (any subset of g.Cells(), e.g. one shard) on all
// cores and returns their rows in the order given. A cell whose
// estimators fail yields a row with Error set; only a cancelled context
// or an unreadable catalog fails the run.
func Run(ctx context.Context, g *Grid, cells []Cell, o Options) ([]Row, error) {
	e, err := newEvaluator(g)
	if err != nil {
		return nil, err
	}
	e.stop = ctx.Err
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	rows := make([]Row, len(cells))
	var next, done atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(workers, max(1, len(cells))) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(cells) && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				rows[i] = e.eval(cells[i])
				d := done.Add(1)
				if o.Progress != nil {
					mu.Lock()
					o.Progress(int(d), len(cells))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return rows, ctx.Err()
}

// eval is one cell: its inputs, then its target's outputs.
func (e *evaluator) eval(c Cell) Row {
	r := Row{Cell: int64(c.Index), Target: c.Target, Chip: c.Chip, BaseChip: c.Base, WhatIf: c.WhatIf != nil,
		Chips: int64(c.Size), Model: c.Model, Precision: string(c.Precision), Stack: c.Stack, StackDate: c.StackDate,
		Samples: int64(e.g.Samples), Seed: int64(e.g.Seed)}
	ch, err := e.chip(c)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Vendor, r.Region = ch.Vendor, regionOf(ch)
	r.ChipsPerNode = int64(min(ch.ChipsPerNode, c.Size))
	if pk, ok := ch.PeakFor(c.Precision); ok {
		r.PeakFLOPS = float64(pk.Typ)
	}
	r.HBMBytes, r.HBMBandwidth = float64(ch.HBM.Capacity.Typ), float64(ch.HBM.Bandwidth.Typ)
	r.TDPW, r.PriceUSD = float64(ch.TDP.Typ), float64(ch.Price.Typ)
	if c.Target == TargetTraining {
		err = e.training(c, ch, &r)
	} else {
		err = e.serving(c, ch, &r)
	}
	if err != nil && r.Error == "" {
		r.Error = err.Error()
	}
	return r
}

// regionOf is where a chip is powered: China for the Ascend stack (as
// the gap report's systems), the US otherwise.
func regionOf(ch *hardware.Chip) string {
	if ch.Stack == "cann" {
		return "china"
	}
	return "us"
}

// chip is the cell's chip: the catalog's, or a what-if copy.
func (e *evaluator) chip(c Cell) (*hardware.Chip, error) {
	base, err := e.c.Chip(c.Base)
	if err != nil {
		return nil, err
	}
	if c.WhatIf == nil {
		return base, nil
	}
	return whatIfChip(base, c.WhatIf)
}

// whatIfChip applies w to a copy of base: a peak override sets the BF16
// peak and scales every other precision by the same factor (as a
// scenario's chip override scales from its training precision); every
// given field is exact (min = typ = max).
func whatIfChip(base *hardware.Chip, w *WhatIf) (*hardware.Chip, error) {
	ch := *base
	ch.ID = base.ID
	ch.Name = w.Label + " (what-if " + base.ID + ")"
	ch.Peak = maps.Clone(base.Peak)
	if w.Peak > 0 {
		bf, ok := base.PeakFor(hardware.BF16)
		if !ok {
			return nil, fmt.Errorf("what-if %s: %s has no BF16 peak to scale from", w.Label, base.ID)
		}
		f := float64(w.Peak / bf.Typ)
		for p, v := range base.Peak {
			ch.Peak[p] = whatIf(v.Scale(f).Typ)
		}
	}
	if w.HBMCapacity > 0 {
		ch.HBM.Capacity = whatIf(w.HBMCapacity)
	}
	if w.HBMBandwidth > 0 {
		ch.HBM.Bandwidth = whatIf(w.HBMBandwidth)
	}
	if w.TDP > 0 {
		ch.TDP = whatIf(w.TDP)
	}
	if w.Price > 0 {
		ch.Price = whatIf(w.Price)
	}
	if w.ChipsPerNode > 0 {
		ch.ChipsPerNode = w.ChipsPerNode
	}
	return &ch, nil
}

func whatIf[T ~float64](x T) hardware.Value[T] {
	v := hardware.Fixed(x)
	v.Assumed, v.Note = true, "what-if value of a sweep grid"
	return v
}

// cluster builds n chips of ch in nodes of node (at most ch's scale-up
// domain in the catalog's view). A what-if node larger than the base
// chip's scale-up domain keeps the domain's link rate and latency.
func (e *evaluator) cluster(ch *hardware.Chip, n, node int) (hardware.Cluster, error) {
	dnode := ch.ChipsPerNode
	if dom := int(ch.ScaleUp.DomainSize.Max); dom > 0 {
		dnode = min(dnode, dom)
	}
	cl, err := e.c.Cluster(ch.ID, n, catalog.ClusterOptions{ChipsPerNode: dnode})
	if err != nil {
		return cl, err
	}
	cl.Chip = ch
	cl.ChipsPerNode = node
	cl.ScaleUp.Size = cl.ChipsPerNode
	return cl, cl.Validate()
}

// serveCluster is a serving instance of n chips: it may be smaller than
// a node (2 chips of an 8-chip server).
func (e *evaluator) serveCluster(ch *hardware.Chip, n int) (hardware.Cluster, error) {
	return e.cluster(ch, n, min(ch.ChipsPerNode, n))
}

// trainCluster is a training cell's cluster, in whole nodes as chipgap
// train and run build one (catalog.ClusterOptions WholeNodes): a node a
// what-if states must divide the cell's size, else the cell is refused
// with the commands' message; without one the node is
// catalog.TrainingNode's, the largest divisor of the size up to the
// chip's usual node (16,384 CM384 chips in nodes of 256, 16,512 in 43 of
// 384).
func (e *evaluator) trainCluster(c Cell, ch *hardware.Chip) (hardware.Cluster, error) {
	node := catalog.TrainingNode(c.Size, ch.ChipsPerNode)
	if c.WhatIf != nil && c.WhatIf.ChipsPerNode > 0 {
		usual := ch.ChipsPerNode
		if base, err := e.c.Chip(c.Base); err == nil {
			usual = base.ChipsPerNode
		}
		if err := catalog.CheckWholeNodes(c.Size, c.WhatIf.ChipsPerNode, usual); err != nil {
			return hardware.Cluster{}, err
		}
		node = c.WhatIf.ChipsPerNode
	}
	return e.cluster(ch, c.Size, node)
}

// profile is the training profile of a stack for a framework as it
// stood on date, resolved once per grid.
func (e *evaluator) profile(stack, framework, date string) (training.Profile, string, error) {
	key := stack + "\x00" + framework + "\x00" + date
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.profiles[key]; ok {
		return p.prof, p.why, p.err
	}
	prof, why, err := e.c.TrainingProfile(stack, framework)
	if err == nil {
		prof, err = prof.At(date)
		if prof.State != "" {
			why += ", as of " + prof.State
		}
	}
	e.profiles[key] = profileEntry{prof, why, err}
	return prof, why, err
}

// hour is the owned cost of a busy chip-hour of ch at typical values
// (or drawn from d) and the ownership it comes from.
func (e *evaluator) hour(ch *hardware.Chip, d *uncertain.Draw) (econ.Ownership, econ.HourCost, error) {
	o, err := e.econ.Ownership(ch, regionOf(ch), d)
	if err != nil {
		return o, econ.HourCost{}, err
	}
	h, err := econ.OwnedHour(o)
	return o, h, err
}

var day = float64(units.Day)
