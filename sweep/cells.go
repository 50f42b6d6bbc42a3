package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"chipgap/catalog"
	"chipgap/hardware"
)

// Targets a cell can be asked to meet.
const (
	TargetTraining = "training"
	TargetServing  = "serving"
)

// Cell is one point of the grid: one value of every axis.
type Cell struct {
	Index     int
	Target    string
	Chip      string  // label on the chip axis: a catalog id or a what-if label
	Base      string  // catalog chip id
	WhatIf    *WhatIf // nil for a catalog chip
	Size      int
	Model     string
	Precision hardware.Precision
	Stack     string // framework name ("" = the chip's default)
	StackDate string // training only
	Workload  Workload
	SLO       SLO
}

// chipAxis lists the chip axis: catalog chips, then what-if chips.
func (g *Grid) chipAxis() []Cell {
	var out []Cell
	for _, id := range g.Chips {
		out = append(out, Cell{Chip: id, Base: id})
	}
	for i := range g.WhatIf {
		w := &g.WhatIf[i]
		out = append(out, Cell{Chip: w.Label, Base: w.Base, WhatIf: w})
	}
	return out
}

// targetCells lists the target axes: every training combination, then
// every serving one.
func (g *Grid) targetCells() []Cell {
	var out []Cell
	if t := g.Training; t != nil {
		for _, st := range t.Stacks {
			for _, d := range t.StackDates {
				out = append(out, Cell{Target: TargetTraining, Stack: st, StackDate: d})
			}
		}
	}
	if s := g.Serving; s != nil {
		for _, st := range s.Stacks {
			for _, w := range s.Workloads {
				for _, slo := range s.SLOs {
					out = append(out, Cell{Target: TargetServing, Stack: st, Workload: w, SLO: slo})
				}
			}
		}
	}
	return out
}

// Count is the number of cells: the product of the axes' lengths (past
// MaxCells it stops multiplying and returns a number above it).
func (g *Grid) Count() int {
	n := product(len(g.Chips)+len(g.WhatIf), len(g.Sizes), len(g.Models), len(g.Precisions))
	targets := 0
	if t := g.Training; t != nil {
		targets += product(len(t.Stacks), len(t.StackDates))
	}
	if s := g.Serving; s != nil {
		targets += product(len(s.Stacks), len(s.Workloads), len(s.SLOs))
	}
	return product(n, min(targets, MaxCells+1))
}

// product multiplies ns, saturating just above MaxCells.
func product(ns ...int) int {
	p := 1
	for _, n := range ns {
		if n == 0 {
			return 0
		}
		p = min(p*min(n, MaxCells+1), MaxCells+1)
	}
	return p
}

// Cells expands the grid in its one order: target, chip, size, model,
// precision (the last varies fastest), each target's own axes outermost.
// Cell i of the list has Index i.
func (g *Grid) Cells() []Cell {
	chips, targets := g.chipAxis(), g.targetCells()
	out := make([]Cell, 0, g.Count())
	for _, t := range targets {
		for _, ch := range chips {
			for _, n := range g.Sizes {
				for _, m := range g.Models {
					for _, p := range g.Precisions {
						c := t
						c.Index = len(out)
						c.Chip, c.Base, c.WhatIf = ch.Chip, ch.Base, ch.WhatIf
						c.Size, c.Model, c.Precision = n, m, p
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}

// rowSemantics numbers what a row means; raise it when a change makes
// the same grid's rows mean something else, so that shards an older
// binary wrote are run again rather than merged with new ones. 2: a
// serving size is a fleet of instances (7 Dec 2026), was one instance.
const rowSemantics = 2

// Hash identifies the grid after defaults and the model it is run with:
// the SHA-256 of its JSON form, the row semantics and the embedded
// catalog's digest (catalog.DataDigest). Shards of one grid carry the
// same hash; a shard file whose hash differs is run again, and merge
// refuses a mix.
func (g *Grid) Hash() string { return g.hashWith(rowSemantics, catalog.DataDigest()) }

func (g *Grid) hashWith(semantics int, catalogDigest string) string {
	b, err := json.Marshal(g)
	if err != nil {
		panic(err) // unreachable: a Grid is plain data
	}
	h := sha256.New()
	h.Write(b)
	fmt.Fprintf(h, "\x00rows %d\x00catalog %s", semantics, catalogDigest)
	return hex.EncodeToString(h.Sum(nil))
}
