package sweep

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"time"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/input"
)

// Limits on a grid: the Monte Carlo draws of one cell and the cells of
// one grid.
const (
	MaxSamples = 100_000
	MaxCells   = 10_000_000
)

// precisions are the names a grid may use.
var precisions = []hardware.Precision{hardware.FP32, hardware.TF32, hardware.BF16, hardware.FP16, hardware.FP8, hardware.INT8, hardware.FP4}

// Validate checks ranges and catalog ids; the first problem is a
// *input.Error naming the field's path.
func (g *Grid) Validate() error { return g.validate(Bounds{}) }

// validate is Validate under bounds.
func (g *Grid) validate(bounds Bounds) error {
	c, err := catalog.Load()
	if err != nil {
		return err
	}
	if err := g.validateSamples(bounds); err != nil {
		return err
	}
	checks := []func(*catalog.Catalog) error{g.validateAxes, g.validateChips, g.validateTraining, g.validateServing, g.validateRepeats}
	for _, f := range checks {
		if err := f(c); err != nil {
			return err
		}
	}
	if n := g.Count(); n > MaxCells {
		return input.Bad("sizes", n, fmt.Sprintf("the grid has %d cells; at most %d (split it into several grids)", n, MaxCells))
	}
	return nil
}

// validateSamples checks the samples against MaxSamples, or bounds'
// tighter limit.
func (g *Grid) validateSamples(bounds Bounds) error {
	limit, why := MaxSamples, ""
	if bounds.Samples > 0 && bounds.Samples < MaxSamples {
		limit, why = bounds.Samples, bounds.Why
	}
	if g.Samples < 0 || g.Samples > limit {
		return input.Bad("samples", g.Samples, fmt.Sprintf("want 0 (typical values only) to %d%s", limit, why))
	}
	return nil
}

// maxSize is the most chips a size or an instance may have.
const maxSize = 1 << 20

func (g *Grid) validateAxes(c *catalog.Catalog) error {
	if len(g.Sizes) == 0 {
		return input.Bad("sizes", "[]", "want at least one cluster size")
	}
	for i, n := range g.Sizes {
		if n < 1 || n > maxSize {
			return input.Bad(fmt.Sprintf("sizes[%d]", i), n, fmt.Sprintf("want 1 to %d chips", maxSize))
		}
	}
	if len(g.Models) == 0 {
		return input.Bad("models", "[]", "want at least one model id (see 'chipgap models')")
	}
	for i, m := range g.Models {
		if _, err := c.Model(m); err != nil {
			return input.Bad(fmt.Sprintf("models[%d]", i), m, err.Error())
		}
	}
	if len(g.Precisions) == 0 {
		return input.Bad("precisions", "[]", fmt.Sprintf("want at least one of %v", precisions))
	}
	for i, p := range g.Precisions {
		if !slices.Contains(precisions, p) {
			return input.Bad(fmt.Sprintf("precisions[%d]", i), p, fmt.Sprintf("want one of %v", precisions))
		}
	}
	if g.Training == nil && g.Serving == nil {
		return input.Bad("training", "absent", "want a training or a serving target (or both)")
	}
	return nil
}

func (g *Grid) validateChips(c *catalog.Catalog) error {
	if len(g.Chips)+len(g.WhatIf) == 0 {
		return input.Bad("chips", "[]", "want at least one chip id (see 'chipgap chips') or a what_if chip")
	}
	seen := map[string]string{}
	for i, id := range g.Chips {
		at := fmt.Sprintf("chips[%d]", i)
		if _, err := c.Chip(id); err != nil {
			return input.Bad(at, id, err.Error())
		}
		if prev, dup := seen[id]; dup {
			return input.Bad(at, id, "already on the chip axis at "+prev)
		}
		seen[id] = at
	}
	for i, w := range g.WhatIf {
		at := fmt.Sprintf("what_if[%d]", i)
		if w.Label == "" {
			return input.Bad(at+".label", `""`, "want a label naming the what-if chip")
		}
		if prev, dup := seen[w.Label]; dup {
			return input.Bad(at+".label", w.Label, "already on the chip axis at "+prev)
		}
		seen[w.Label] = at
		if _, err := c.Chip(w.Base); err != nil {
			return input.Bad(at+".base", w.Base, err.Error())
		}
		if err := w.validate(at); err != nil {
			return err
		}
	}
	return nil
}

func (w WhatIf) validate(at string) error {
	for _, f := range []struct {
		name string
		v    float64
		text string
	}{
		{"hbm_capacity", float64(w.HBMCapacity), w.HBMCapacity.String()}, {"hbm_bandwidth", float64(w.HBMBandwidth), w.HBMBandwidth.String()},
		{"peak", float64(w.Peak), w.Peak.String()}, {"tdp", float64(w.TDP), w.TDP.String()}, {"price", float64(w.Price), w.Price.String()},
		{"chips_per_node", float64(w.ChipsPerNode), fmt.Sprint(w.ChipsPerNode)},
	} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return input.Bad(at+"."+f.name, f.text, "want a positive finite value (leave it out to keep the catalog's)")
		}
	}
	if w.ChipsPerNode > input.MaxChipsPerNode {
		return input.Bad(at+".chips_per_node", w.ChipsPerNode, fmt.Sprintf("want at most %d", input.MaxChipsPerNode))
	}
	return nil
}

func (g *Grid) validateTraining(c *catalog.Catalog) error {
	t := g.Training
	if t == nil {
		return nil
	}
	for i, fw := range t.Stacks {
		// A typo would quietly take each chip's default stack.
		if err := c.CheckTrainingFramework(fw); err != nil {
			return renamed(err, fmt.Sprintf("training.stacks[%d]", i))
		}
	}
	if !(t.Tokens > 0) || math.IsInf(float64(t.Tokens), 0) || t.Tokens > 1e18 {
		return input.Bad("training.tokens", t.Tokens, "want a token budget above 0 and at most 1e18")
	}
	if t.Seq < 1 || t.Seq > input.MaxSeq {
		return input.Bad("training.seq", t.Seq, fmt.Sprintf("want 1 to %d tokens", input.MaxSeq))
	}
	if t.GlobalBatch < 1 || t.GlobalBatch > input.MaxGlobalBatch {
		return input.Bad("training.global_batch", t.GlobalBatch, fmt.Sprintf("want 1 to %d sequences", input.MaxGlobalBatch))
	}
	// As chipgap run and train refuse it: a budget under one optimizer
	// step (global_batch × seq tokens) is not a run.
	if step := float64(t.GlobalBatch) * float64(t.Seq); float64(t.Tokens) < step {
		return input.Bad("training.tokens", t.Tokens, fmt.Sprintf("shorter than one optimizer step of %d × %d tokens; want at least %.4g tokens", t.GlobalBatch, t.Seq, step))
	}
	for i, d := range t.StackDates {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			return input.Bad(fmt.Sprintf("training.stack_dates[%d]", i), d, "want a date YYYY-MM-DD, or \"\" for the current profile")
		}
	}
	return nil
}

func (g *Grid) validateServing(c *catalog.Catalog) error {
	s := g.Serving
	if s == nil {
		return nil
	}
	for i, fw := range s.Stacks {
		if err := g.servingStack(c, fw); err != nil {
			return renamed(err, fmt.Sprintf("serving.stacks[%d]", i))
		}
	}
	if s.MaxInstanceChips < 0 || s.MaxInstanceChips > maxSize {
		return input.Bad("serving.max_instance_chips", s.MaxInstanceChips, fmt.Sprintf("want 1 to %d chips (leave it out for the fleet's size)", maxSize))
	}
	for i, w := range s.Workloads {
		at := fmt.Sprintf("serving.workloads[%d]", i)
		if w.Input < 1 || w.Input > input.MaxSeq {
			return input.Bad(at+".input_tokens", w.Input, fmt.Sprintf("want 1 to %d tokens", input.MaxSeq))
		}
		if w.Output < 1 || w.Output > input.MaxSeq {
			return input.Bad(at+".output_tokens", w.Output, fmt.Sprintf("want 1 to %d tokens", input.MaxSeq))
		}
	}
	for i, slo := range s.SLOs {
		at := fmt.Sprintf("serving.slos[%d]", i)
		if !(slo.TPOT > 0 && slo.TPOT <= inference.MaxTPOT) {
			return input.Bad(at+".tpot", slo.TPOT.String(), fmt.Sprintf("want a latency target above 0 and at most %v (e.g. 50ms)", inference.MaxTPOT))
		}
		if !(slo.TTFT >= 0) || math.IsInf(float64(slo.TTFT), 0) {
			return input.Bad(at+".ttft", slo.TTFT.String(), "want 0 (unbounded) or a positive latency target")
		}
	}
	return nil
}

// servingStack refuses a serving framework no chip of the grid takes: a
// name the catalog does not know, or another platform's stack id on
// every chip (a grid crossing platforms keeps a framework for the chips
// it runs on; the others fall back to their own stack, as their rows
// say).
func (g *Grid) servingStack(c *catalog.Catalog, fw string) error {
	var chips []*hardware.Chip
	for _, id := range g.chipBases() {
		if ch, err := c.Chip(id); err == nil {
			chips = append(chips, ch) // an unknown one: validateChips names it
		}
	}
	return c.CheckServingFrameworkOn(fw, chips)
}

// chipBases are the catalog chips of the chip axis and the what-if
// chips' bases.
func (g *Grid) chipBases() []string {
	ids := slices.Clone(g.Chips)
	for _, w := range g.WhatIf {
		ids = append(ids, w.Base)
	}
	return ids
}

// renamed puts an input error under the grid's field path at.
func renamed(err error, at string) error {
	var fe *input.Error
	if errors.As(err, &fe) {
		e := *fe
		e.Field = at
		return &e
	}
	return err
}

// validateRepeats refuses a value listed twice on an axis (the chip axis
// checks its own): it would sweep the same cells twice, and every row
// and frontier would count them twice.
func (g *Grid) validateRepeats(*catalog.Catalog) error {
	errs := []error{repeated("sizes", g.Sizes), repeated("models", g.Models), repeated("precisions", g.Precisions)}
	if t := g.Training; t != nil {
		errs = append(errs, repeated("training.stacks", t.Stacks))
	}
	if s := g.Serving; s != nil {
		errs = append(errs, repeated("serving.stacks", s.Stacks), repeated("serving.workloads", s.Workloads), repeated("serving.slos", s.SLOs))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// repeated names the first value of xs listed twice, at its second place.
func repeated[T comparable](axis string, xs []T) error {
	for i, x := range xs {
		if j := slices.Index(xs, x); j < i {
			at, why := fmt.Sprintf("%s[%d]", axis, i), fmt.Sprintf("already on the %s axis at %s[%d]", axis, axis, j)
			if reflect.ValueOf(x).Kind() == reflect.Struct {
				return &input.Error{Field: at, Want: why} // a workload or an SLO: the line shows it
			}
			return input.Bad(at, x, why)
		}
	}
	return nil
}
