package calc

import (
	"fmt"
	"math"

	"chipgap/catalog"
	"chipgap/fab"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/uncertain"
	"chipgap/units"
)

// FabRequest is `chipgap fab` (no API yet): one chip's dies per wafer,
// yields, cost per good die and package, and a year's supply, over a
// seeded Monte Carlo of the catalog's ranges (catalog/data/fab.yaml).
// Each override (a non-nil pointer) replaces a range with a fixed value.
type FabRequest struct {
	Chip       string `json:"chip" help:"chip id with a fab entry (ascend-910c, ascend-910b, h100-sxm, b200)"`
	Process    string `json:"process" help:"process id (smic-n2, tsmc-n7, tsmc-n5, tsmc-n4); default: the chip's"`
	Supply     string `json:"supply" help:"supply case id (china-2025, china-2026); default: the chip's"`
	YieldModel string `json:"yield_model" flag:"model" help:"yield model: murphy, poisson, negbin or seeds (default from fab.yaml: murphy)"`

	DieArea        *float64 `json:"die_area" help:"area of one die in mm², at most the 858 mm² reticle field (replaces the chip's)"`
	DefectDensity  *float64 `json:"defect_density" help:"killer defect density D0 per cm²"`
	WaferPrice     *float64 `json:"wafer_price" help:"processed wafer price in USD"`
	WafersPerMonth *float64 `json:"wafers_per_month" help:"wafer starts per month at the node (all products)"`
	AIShare        *float64 `json:"ai_share" help:"fraction of wafer starts making this chip's dies"`
	HBMStacks      *float64 `json:"hbm_stacks" help:"HBM stacks available per year"`

	Trials int    `json:"trials" help:"Monte Carlo trials"`
	Seed   uint64 `json:"seed" help:"random seed (same seed, same output)"`
}

// NewFabRequest is a FabRequest holding the defaults: the Ascend 910C,
// 10 000 trials, seed 1.
func NewFabRequest() FabRequest { return FabRequest{Chip: "ascend-910c", Trials: 10000, Seed: 1} }

// dieAreaWant is what a stated die area may be: one die, which one
// exposure of the reticle field prints (fab.ReticleMM2).
var dieAreaWant = fmt.Sprintf("more than 0 and at most %g mm², the %g × %g mm reticle field: the area of one die "+
	"(a larger chip is several dies, which its chips.yaml entry counts in dies)", fab.ReticleMM2, fab.ReticleWidthMM, fab.ReticleHeightMM)

// check applies the request's own limits.
func (r FabRequest) check() error {
	for _, c := range []struct {
		name string
		v    *float64
		ok   func(x float64) bool
		want string
	}{
		{"die_area", r.DieArea, func(x float64) bool { return x > 0 && x <= fab.ReticleMM2 }, dieAreaWant},
		{"defect_density", r.DefectDensity, func(x float64) bool { return x >= 0 && x < 100 }, "at least 0 and less than 100 per cm²"},
		{"wafer_price", r.WaferPrice, func(x float64) bool { return x > 0 && x <= 1e6 }, "more than 0 and at most 1e6 USD (a processed wafer costs thousands)"},
		{"wafers_per_month", r.WafersPerMonth, func(x float64) bool { return x >= 0 && x <= 1e8 }, "0 to 1e8 (the world's fabs start about 1e7 a month)"},
		{"ai_share", r.AIShare, func(x float64) bool { return x >= 0 && x <= 1 }, "a fraction in [0, 1]"},
		{"hbm_stacks", r.HBMStacks, func(x float64) bool { return x >= 0 && x <= 1e10 }, "0 to 1e10 a year"},
	} {
		if c.v != nil && (!c.ok(*c.v) || math.IsInf(*c.v, 0)) { // NaN fails ok
			return bad(c.name, *c.v, "want %s", c.want)
		}
	}
	if r.Trials < 1 || r.Trials > 1e6 {
		return bad("trials", r.Trials, "want 1 to 1000000")
	}
	return nil
}

// FabCase resolves r against the catalog: the chip's fab case with r's
// overrides in place.
func (r FabRequest) FabCase(cat *catalog.Catalog) (*catalog.FabCase, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	d, err := cat.Fab()
	if err != nil {
		return nil, err
	}
	if _, err := d.ChipFab(r.Chip); err != nil {
		return nil, lookup("chip", err)
	}
	if r.Process != "" {
		if _, err := d.Process(r.Process); err != nil {
			return nil, lookup("process", err)
		}
	}
	if r.Supply != "" {
		if _, err := d.SupplyCase(r.Supply); err != nil {
			return nil, lookup("supply", err)
		}
	}
	k, err := cat.FabCase(r.Chip, r.Process, r.Supply)
	if err != nil {
		return nil, err
	}
	if r.YieldModel != "" {
		if k.Model, err = fab.ParseYieldModel(r.YieldModel); err != nil {
			return nil, bad("yield_model", r.YieldModel, "want poisson, murphy, negbin or seeds")
		}
	}
	fixed := func(dst *catalog.Num, v *float64) {
		if v != nil {
			*dst = hardware.Fixed(units.Dimensionless(*v))
		}
	}
	fixed(&k.DieArea, r.DieArea)
	fixed(&k.D0, r.DefectDensity)
	if r.WaferPrice != nil {
		k.WaferPrice = hardware.Fixed(units.USD(*r.WaferPrice))
	}
	if r.WafersPerMonth == nil && r.AIShare == nil && r.HBMStacks == nil {
		return k, nil
	}
	if k.Supply == nil {
		return nil, noSupply(d, k, r.supplyField())
	}
	fixed(&k.Supply.WaferStartsPerMonth, r.WafersPerMonth)
	fixed(&k.Supply.AIShare, r.AIShare)
	fixed(&k.Supply.HBMStacksPerYear, r.HBMStacks)
	return k, nil
}

// noSupply is the error for a supply override on a case without supply
// data: the chip has no supply case, or its own counts another process's
// wafers and was dropped for the one asked for.
// field is the override given (the field at fault: it needs a supply
// case to apply to).
func noSupply(d *catalog.FabData, k *catalog.FabCase, field string) error {
	if fc, err := d.ChipFab(k.ChipID); err == nil && fc.Supply != "" {
		if s, err := d.SupplyCase(fc.Supply); err == nil {
			return &input.Error{Field: field, Want: fmt.Sprintf("overrides a figure of a supply case, and chip %s's supply case %s counts %s wafers, not %s (the process), so it does not apply: name a supply case on %s (supply; --supply on the command line), or leave the process at %s",
				k.ChipID, s.ID, s.Process, k.ProcessID, k.ProcessID, s.Process)}
		}
	}
	return &input.Error{Field: field, Want: "overrides a figure of a supply case, and chip " + k.ChipID + " has no supply case of its own: name one (supply; --supply on the command line)"}
}

// supplyField is the first supply override r gives, by its field name.
func (r FabRequest) supplyField() string {
	switch {
	case r.WafersPerMonth != nil:
		return "wafers_per_month"
	case r.AIShare != nil:
		return "ai_share"
	}
	return "hbm_stacks"
}

// FabReport is the answer to a FabRequest: the typical values, the
// P10–P90 ranges over the trials, the typical package's cost breakdown,
// the binding supply constraint and the inputs that move the headline
// outputs most.
type FabReport struct {
	Case      *catalog.FabCase             `json:"case"`
	Trials    int                          `json:"trials"`
	Seed      uint64                       `json:"seed"`
	Typical   map[string]float64           `json:"typical"`
	Breakdown fab.Breakdown                `json:"breakdown"`
	Binding   fab.Constraint               `json:"binding,omitempty"`
	Ranges    map[string]uncertain.Summary `json:"ranges"`
	Tornado   map[string][]uncertain.Swing `json:"tornado"`
	// Outside says, by output, where its typical value lies outside its
	// P10–P90 (kept as drawn), and why (uncertain.Beside.Note); absent
	// where every output's lies inside.
	Outside map[string]string `json:"typical_outside,omitempty"`
	// Apart is, by output, where its typical value lies beside its
	// P10–P90 (uncertain.Beside.Apart): the one decision Outside and the
	// text's marks both word; absent where every output's lies inside.
	Apart map[string]uncertain.Apart `json:"-"`
}

// typicalValue is what lies outside a band in uncertain.Apart.Note's
// words where a fab output's typical value does.
const typicalValue = "the typical value"

// placeTypical sets r.Apart and r.Outside: each printed output whose
// typical value lies outside its P10–P90; nil where none does.
func (r *FabReport) placeTypical() {
	r.Apart, r.Outside = nil, nil
	for _, row := range fabRows {
		typ, ok := r.Typical[row.key]
		s := r.Ranges[row.key]
		if a := (uncertain.Beside{Typ: typ, Lo: s.P10, Hi: s.P90}).Apart(uncertain.NearEnd); ok && a.Side != "" {
			if r.Apart == nil {
				r.Apart, r.Outside = map[string]uncertain.Apart{}, map[string]string{}
			}
			r.Apart[row.key], r.Outside[row.key] = a, a.Note(typicalValue, "its P10–P90")
		}
	}
}

// Fab answers r from the catalog.
func Fab(cat *catalog.Catalog, r FabRequest) (*FabReport, error) {
	k, err := r.FabCase(cat)
	if err != nil {
		return nil, err
	}
	out := &FabReport{Case: k, Trials: r.Trials, Seed: r.Seed, Tornado: map[string][]uncertain.Swing{}}
	trial := k.Trial()
	if out.Typical, err = trial(uncertain.Typical()); err != nil {
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
	out.Breakdown = est.Breakdown
	if capacity != nil {
		s, err := fab.Supply(in, *capacity)
		if err != nil {
			return nil, err
		}
		out.Binding = s.Binding
	}
	if out.Ranges, err = uncertain.Run(r.Trials, r.Seed, trial); err != nil {
		return nil, err
	}
	out.placeTypical()
	for _, o := range []string{catalog.OutCostPerGoodPackage, catalog.OutGoodPerYear} {
		if _, ok := out.Typical[o]; !ok {
			continue
		}
		if _, out.Tornado[o], err = uncertain.Tornado(trial, o); err != nil {
			return nil, err
		}
	}
	return out, nil
}
