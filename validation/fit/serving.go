package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/runs"
	"chipgap/units"
)

// servingParams are the serving-profile parameters a grid may name, as
// stacks-inference.yaml names them; times in seconds.
var servingParams = map[string]func(p *inference.Profile, v float64){
	"matmul_eff":           func(p *inference.Profile, v float64) { p.MatmulEff = v },
	"matmul_half_rows":     func(p *inference.Profile, v float64) { p.MatmulHalfRows = v },
	"fp4_matmul_scale":     func(p *inference.Profile, v float64) { p.FP4MatmulScale = v },
	"fp4_matmul_half_rows": func(p *inference.Profile, v float64) { p.FP4MatmulHalfRows = v },
	"matmul_k0":            func(p *inference.Profile, v float64) { p.MatmulK0 = v },
	"attention_eff":        func(p *inference.Profile, v float64) { p.AttentionEff = v },
	"memory_eff":           func(p *inference.Profile, v float64) { p.MemoryEff = v },
	"collective_eff":       func(p *inference.Profile, v float64) { p.CollectiveEff = v },
	"comm_overlap":         func(p *inference.Profile, v float64) { p.CommOverlap = v },
	"step_overhead":        func(p *inference.Profile, v float64) { p.StepOverhead = units.Seconds(v) },
	"layer_overhead":       func(p *inference.Profile, v float64) { p.LayerOverhead = units.Seconds(v) },
	"host_per_seq":         func(p *inference.Profile, v float64) { p.HostPerSeq = units.Seconds(v) },
	"eager_layer":          func(p *inference.Profile, v float64) { p.EagerLayer = units.Seconds(v) },
	"expert_memory_eff":    func(p *inference.Profile, v float64) { p.ExpertMemoryEff = v },
	"moe_layer_time":       func(p *inference.Profile, v float64) { p.MoELayerTime = units.Seconds(v) },
	"moe_sync":             func(p *inference.Profile, v float64) { p.MoESync = units.Seconds(v) },
	"expert_imbalance":     func(p *inference.Profile, v float64) { p.ExpertImbalance = v },
	"routing_cv":           func(p *inference.Profile, v float64) { p.RoutingCV = v },
	"comm_sm_share":        func(p *inference.Profile, v float64) { p.CommSMShare = v },
	"memory_fraction":      func(p *inference.Profile, v float64) { p.MemoryFraction = v },
	"reserved":             func(p *inference.Profile, v float64) { p.Reserved = units.Bytes(v) },
}

// runServing fits serving-stack parameters: every grid point sets them
// on the profile of each inference run the stack predicts and scores
// the runs as validate does.
func runServing(o opts) error {
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	data, err := cat.InferenceStacksData()
	if err != nil {
		return err
	}
	known := false
	for _, st := range data.Stacks {
		known = known || st.ID == o.stack
	}
	if !known {
		return fmt.Errorf("-stack %q: not a serving stack of stacks-inference.yaml", o.stack)
	}
	if o.date != "" {
		return fmt.Errorf("-date: serving stacks have no dated versions")
	}
	axes, err := parseGrid(o.grid)
	if err != nil {
		return err
	}
	for _, a := range axes {
		if servingParams[a.name] == nil {
			return fmt.Errorf("grid: %q is not a serving parameter (want one of %s)", a.name, strings.Join(servingNames(), ", "))
		}
	}
	rs, err := readRuns(o.files, o.match, func(r runs.Run) bool { return r.Kind == runs.KindInference })
	if err != nil {
		return err
	}
	file := runs.File{Runs: rs}
	var pts []point
	err = walk(axes, func(idx []int) error {
		vals := make([]float64, len(axes))
		for i, a := range axes {
			vals[i] = a.values[idx[i]]
		}
		set := func(p *inference.Profile) {
			if p.ID != o.stack {
				return
			}
			for i, a := range axes {
				servingParams[a.name](p, vals[i])
			}
		}
		pts = append(pts, scoreServing(cat, &file, o.stack, set, vals))
		return nil
	})
	if err != nil {
		return err
	}
	report(pts, o.show)
	return nil
}

// scoreServing validates f with the profile adjusted by set and returns
// the median absolute and rms log error of the runs stack predicted (a
// run that cannot be predicted counts as a log error of 2).
func scoreServing(cat *catalog.Catalog, f *runs.File, stack string, set func(*inference.Profile), vals []float64) point {
	p := point{vals: vals, errs: map[string]float64{}}
	for _, res := range runs.ValidateWith(cat, f, runs.Options{Serving: set}).Results {
		switch {
		case res.Error == nil && res.Stack == "":
			p.add(res.ID, math.Inf(1))
		case res.Error == nil || res.Stack != stack:
		default:
			p.add(res.ID, *res.Error)
		}
	}
	return p.done()
}

func servingNames() []string {
	var out []string
	for k := range servingParams {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
