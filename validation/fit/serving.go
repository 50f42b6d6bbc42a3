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
// stacks-inference.yaml names them; times in seconds, sizes in bytes.
var servingParams = map[string]servingParam{
	"matmul_eff":           field(func(p *inference.Profile) *float64 { return &p.MatmulEff }),
	"matmul_half_rows":     field(func(p *inference.Profile) *float64 { return &p.MatmulHalfRows }),
	"fp4_matmul_scale":     field(func(p *inference.Profile) *float64 { return &p.FP4MatmulScale }),
	"fp4_matmul_half_rows": field(func(p *inference.Profile) *float64 { return &p.FP4MatmulHalfRows }),
	"matmul_k0":            field(func(p *inference.Profile) *float64 { return &p.MatmulK0 }),
	"attention_eff":        field(func(p *inference.Profile) *float64 { return &p.AttentionEff }),
	"memory_eff":           field(func(p *inference.Profile) *float64 { return &p.MemoryEff }),
	"collective_eff":       field(func(p *inference.Profile) *float64 { return &p.CollectiveEff }),
	"comm_overlap":         field(func(p *inference.Profile) *float64 { return &p.CommOverlap }),
	"step_overhead":        field(func(p *inference.Profile) *units.Seconds { return &p.StepOverhead }),
	"layer_overhead":       field(func(p *inference.Profile) *units.Seconds { return &p.LayerOverhead }),
	"host_per_seq":         field(func(p *inference.Profile) *units.Seconds { return &p.HostPerSeq }),
	"eager_layer":          field(func(p *inference.Profile) *units.Seconds { return &p.EagerLayer }),
	"expert_memory_eff":    field(func(p *inference.Profile) *float64 { return &p.ExpertMemoryEff }),
	"moe_layer_time":       field(func(p *inference.Profile) *units.Seconds { return &p.MoELayerTime }),
	"moe_sync":             field(func(p *inference.Profile) *units.Seconds { return &p.MoESync }),
	"expert_imbalance":     field(func(p *inference.Profile) *float64 { return &p.ExpertImbalance }),
	"routing_cv":           field(func(p *inference.Profile) *float64 { return &p.RoutingCV }),
	"comm_sm_share":        field(func(p *inference.Profile) *float64 { return &p.CommSMShare }),
	"memory_fraction":      field(func(p *inference.Profile) *float64 { return &p.MemoryFraction }),
	"reserved":             field(func(p *inference.Profile) *units.Bytes { return &p.Reserved }),
}

// servingParam reads and sets one serving-profile parameter as a float64.
type servingParam struct {
	get func(p *inference.Profile) float64
	set func(p *inference.Profile, v float64)
}

// field is the servingParam of the profile field at returns.
func field[T ~float64](at func(p *inference.Profile) *T) servingParam {
	return servingParam{
		get: func(p *inference.Profile) float64 { return float64(*at(p)) },
		set: func(p *inference.Profile, v float64) { *at(p) = T(v) },
	}
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
	if o.scan {
		if o.grid != "" {
			return fmt.Errorf("-scan sets its own points; -grid %s would set others: give one of them", o.grid)
		}
		rs, err := readRuns(o.files, o.match, func(r runs.Run) bool { return r.Kind == runs.KindInference })
		if err != nil {
			return err
		}
		printScan(scanServing(cat, &runs.File{Runs: rs}, o.stack, servingNames()))
		return nil
	}
	axes, err := parseGrid(o.grid)
	if err != nil {
		return err
	}
	for _, a := range axes {
		if _, ok := servingParams[a.name]; !ok {
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
				servingParams[a.name].set(p, vals[i])
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
