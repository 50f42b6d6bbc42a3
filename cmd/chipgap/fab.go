package main

import (
	"flag"
	"math"

	"chipgap/catalog"
	"chipgap/fab"
	"chipgap/hardware"
	"chipgap/uncertain"
	"chipgap/units"
)

const fabUsage = `Usage: chipgap fab [--chip ID] [overrides] [--json]

Dies per wafer, die yield, good dies per wafer, cost per good die and per
good package (dies + HBM + packaging + test), and a year's supply of good
accelerators limited by the tightest of wafers, HBM stacks and packaging,
with the constraint that binds. Each figure is the typical value, then the
P10–P90 range over a seeded Monte Carlo of the sourced ranges in
catalog/data/fab.yaml, then the inputs that move it most (P10 → P90).
Overrides replace a range with a fixed value.`

// fabFlags are the command's flags after parsing.
type fabFlags struct {
	chip, process, supply, model string
	dieArea, d0, waferPrice      float64
	wafers, share, hbm           float64
	trials                       int
	seed                         uint64
	json                         bool
	set                          map[string]bool
}

func parseFabFlags(e *env, args []string) (*fabFlags, error) {
	f := &fabFlags{set: map[string]bool{}}
	fs := newFlags(e, "fab", fabUsage)
	fs.StringVar(&f.chip, "chip", "ascend-910c", "chip id with a fab entry (ascend-910c, ascend-910b, h100-sxm, b200)")
	fs.StringVar(&f.process, "process", "", "process id (smic-n2, tsmc-n7, tsmc-n5, tsmc-n4); default: the chip's")
	fs.StringVar(&f.supply, "supply", "", "supply case id (china-2025, china-2026); default: the chip's")
	fs.StringVar(&f.model, "model", "", "yield model: murphy, poisson, negbin or seeds (default from fab.yaml: murphy)")
	fs.Float64Var(&f.dieArea, "die-area", 0, "die area in mm² (replaces the chip's)")
	fs.Float64Var(&f.d0, "defect-density", 0, "killer defect density D0 per cm²")
	fs.Float64Var(&f.waferPrice, "wafer-price", 0, "processed wafer price in USD")
	fs.Float64Var(&f.wafers, "wafers-per-month", 0, "wafer starts per month at the node (all products)")
	fs.Float64Var(&f.share, "ai-share", 0, "fraction of wafer starts making this chip's dies")
	fs.Float64Var(&f.hbm, "hbm-stacks", 0, "HBM stacks available per year")
	fs.IntVar(&f.trials, "trials", 10000, "Monte Carlo trials")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed (same seed, same output)")
	fs.BoolVar(&f.json, "json", false, "machine-readable output (money in USD, rates in FLOP/s)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usagef("unexpected argument %q: use --chip ID", pos[0])
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, f.validate()
}

func (f *fabFlags) validate() error {
	checks := []struct {
		name string
		v    float64
		ok   bool
		want string
	}{
		{"die-area", f.dieArea, f.dieArea > 0 && f.dieArea < 5000, "more than 0 and less than 5000 mm²"},
		{"defect-density", f.d0, f.d0 >= 0 && f.d0 < 100, "at least 0 and less than 100 per cm²"},
		{"wafer-price", f.waferPrice, f.waferPrice > 0, "> 0 USD"},
		{"wafers-per-month", f.wafers, f.wafers >= 0, ">= 0"},
		{"ai-share", f.share, f.share >= 0 && f.share <= 1, "a fraction in [0, 1]"},
		{"hbm-stacks", f.hbm, f.hbm >= 0, ">= 0"},
	}
	for _, c := range checks {
		if f.set[c.name] && (!c.ok || math.IsNaN(c.v) || math.IsInf(c.v, 0)) {
			return usagef("--%s %g: want %s", c.name, c.v, c.want)
		}
	}
	if f.trials < 1 || f.trials > 1e6 {
		return usagef("--trials %d: want 1 to 1000000", f.trials)
	}
	return nil
}

// apply puts the overrides into the case.
func (f *fabFlags) apply(k *catalog.FabCase) error {
	if f.model != "" {
		m, err := fab.ParseYieldModel(f.model)
		if err != nil {
			return usagef("--model: %v", err)
		}
		k.Model = m
	}
	if f.set["die-area"] {
		k.DieArea = hardware.Fixed(units.Dimensionless(f.dieArea))
	}
	if f.set["defect-density"] {
		k.D0 = hardware.Fixed(units.Dimensionless(f.d0))
	}
	if f.set["wafer-price"] {
		k.WaferPrice = hardware.Fixed(units.USD(f.waferPrice))
	}
	if !(f.set["wafers-per-month"] || f.set["ai-share"] || f.set["hbm-stacks"]) {
		return nil
	}
	if k.Supply == nil {
		return usagef("chip %s has no supply case: pick one with --supply", k.ChipID)
	}
	for _, o := range []struct {
		flag string
		dst  *catalog.Num
		v    float64
	}{
		{"wafers-per-month", &k.Supply.WaferStartsPerMonth, f.wafers},
		{"ai-share", &k.Supply.AIShare, f.share},
		{"hbm-stacks", &k.Supply.HBMStacksPerYear, f.hbm},
	} {
		if f.set[o.flag] {
			*o.dst = hardware.Fixed(units.Dimensionless(o.v))
		}
	}
	return nil
}

// fabReport is what the command prints, and its JSON form.
type fabReport struct {
	Case      *catalog.FabCase             `json:"case"`
	Trials    int                          `json:"trials"`
	Seed      uint64                       `json:"seed"`
	Typical   map[string]float64           `json:"typical"`
	Breakdown fab.Breakdown                `json:"breakdown"`
	Binding   fab.Constraint               `json:"binding,omitempty"`
	Ranges    map[string]uncertain.Summary `json:"ranges"`
	Tornado   map[string][]uncertain.Swing `json:"tornado"`
}

func cmdFab(e *env, args []string) error {
	f, err := parseFabFlags(e, args)
	if err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	k, err := cat.FabCase(f.chip, f.process, f.supply)
	if err != nil {
		return err
	}
	if err := f.apply(k); err != nil {
		return err
	}
	r, err := buildFabReport(k, f.trials, f.seed)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.stdout, r)
	}
	return printFab(e.stdout, cat, r)
}

func buildFabReport(k *catalog.FabCase, trials int, seed uint64) (*fabReport, error) {
	r := &fabReport{Case: k, Trials: trials, Seed: seed, Tornado: map[string][]uncertain.Swing{}}
	trial := k.Trial()
	var err error
	if r.Typical, err = trial(uncertain.Typical()); err != nil {
		return nil, err
	}
	in, capacity, err := k.Inputs(uncertain.Typical())
	if err != nil {
		return nil, err
	}
	est, err := fab.Estimate(in)
	if err != nil {
		return nil, err
	}
	r.Breakdown = est.Breakdown
	if capacity != nil {
		s, err := fab.Supply(in, *capacity)
		if err != nil {
			return nil, err
		}
		r.Binding = s.Binding
	}
	if r.Ranges, err = uncertain.Run(trials, seed, trial); err != nil {
		return nil, err
	}
	for _, out := range []string{catalog.OutCostPerGoodPackage, catalog.OutGoodPerYear} {
		if _, ok := r.Typical[out]; !ok {
			continue
		}
		if _, r.Tornado[out], err = uncertain.Tornado(trial, out); err != nil {
			return nil, err
		}
	}
	return r, nil
}
