package catalog

import (
	"fmt"
	"math"

	"chipgap/fab"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/uncertain"
	"chipgap/units"
)

// FabCase is one chip's fab model with every input as a sourced range,
// resolved from chips.yaml and fab.yaml. Callers may overwrite any field
// (a CLI flag becomes hardware.Fixed(x)) before calling Trial or Point.
type FabCase struct {
	ChipID    string `json:"chip"`
	ProcessID string `json:"process"`

	Wafer FabWafer       `json:"wafer"`
	Model fab.YieldModel `json:"model"`
	Alpha Num            `json:"negbin_alpha"`

	DieArea      Num                       `json:"die_area_mm2"`
	DieOutlineMM []float64                 `json:"die_outline_mm,omitempty"`
	D0           Num                       `json:"d0_per_cm2"`
	WaferPrice   hardware.Value[units.USD] `json:"wafer_price"`

	Dies          int                            `json:"dies"`
	KGD           bool                           `json:"kgd"`
	AssemblyYield Num                            `json:"assembly_yield"`
	HBMStacks     int                            `json:"hbm_stacks"`
	Peak          hardware.Value[units.FLOPRate] `json:"peak"`
	HBMStackPrice hardware.Value[units.USD]      `json:"hbm_stack_price"`
	PackagingCost hardware.Value[units.USD]      `json:"packaging_cost"`
	TestCost      hardware.Value[units.USD]      `json:"test_cost"`

	// Supply is nil when the case has no supply data.
	Supply *FabSupply `json:"supply,omitempty"`
}

// FabCase resolves the fab model of chip chipID. processID and supplyID
// pick another process or supply case; "" takes the chip's defaults. The
// supply case must count wafers of the chosen process: a default one that
// does not is left out, an explicit one is an error.
func (c *Catalog) FabCase(chipID, processID, supplyID string) (*FabCase, error) {
	d, err := c.Fab()
	if err != nil {
		return nil, err
	}
	fc, err := d.ChipFab(chipID)
	if err != nil {
		return nil, err
	}
	ch, err := c.Chip(chipID)
	if err != nil {
		return nil, err
	}
	if processID == "" {
		processID = fc.Process
	}
	p, err := d.Process(processID)
	if err != nil {
		return nil, err
	}
	m, _ := fab.ParseYieldModel(d.Yield.Model) // checked by Fab
	peak, ok := ch.PeakFor(hardware.BF16)
	if !ok {
		peak, _ = ch.PeakFor(hardware.FP16)
	}
	k := &FabCase{
		ChipID: chipID, ProcessID: processID, Wafer: d.Wafer, Model: m, Alpha: d.Yield.NegBinAlpha,
		DieArea: ch.DieArea, DieOutlineMM: fc.DieOutlineMM, D0: p.D0, WaferPrice: p.WaferPrice,
		Dies: ch.Dies, KGD: fc.KGD, AssemblyYield: fc.AssemblyYield, HBMStacks: int(ch.HBM.Stacks.Typ), Peak: peak,
		HBMStackPrice: fc.HBMStackPrice, PackagingCost: fc.PackagingCost, TestCost: fc.TestCost,
	}
	explicit := supplyID != ""
	if !explicit {
		supplyID = fc.Supply
	}
	if supplyID == "" {
		return k, nil
	}
	s, err := d.SupplyCase(supplyID)
	if err != nil {
		return nil, err
	}
	switch {
	case s.Process == processID:
		cp := *s
		k.Supply = &cp
	case explicit:
		// The request's inputs disagree: bad input, naming both.
		return nil, &input.Error{Field: "supply", Value: s.ID, Want: fmt.Sprintf(
			"counts %s wafers, not %s (the process): want a supply case on %s, or process %s", s.Process, processID, processID, s.Process)}
	}
	// A default supply case on another process is dropped: its wafer
	// starts are not this process's.
	return k, nil
}

// drawer draws sourced values through an uncertain.Draw, keeping the
// first error (a range that is not min ≤ typ ≤ max).
type drawer struct {
	d   *uncertain.Draw
	err error
}

func pick[T ~float64](w *drawer, name string, v hardware.Value[T]) float64 {
	p, err := uncertain.FromRange(float64(v.Min), float64(v.Typ), float64(v.Max))
	if err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("%s: %w", name, err)
		}
		return float64(v.Typ)
	}
	return w.d.Value(name, p)
}

// Inputs draws one set of fab inputs (and the capacity, when the case
// has supply data) from d. uncertain.Typical() gives the point estimate.
func (k *FabCase) Inputs(d *uncertain.Draw) (fab.Inputs, *fab.Capacity, error) {
	w := &drawer{d: d}
	in := fab.Inputs{
		Wafer: fab.Wafer{DiameterMM: pick(w, "wafer_diameter_mm", k.Wafer.DiameterMM), EdgeExclusionMM: pick(w, "edge_exclusion_mm", k.Wafer.EdgeExclusionMM)},
		Die:   fab.Die{AreaMM2: pick(w, "die_area_mm2", k.DieArea), ScribeMM: pick(w, "scribe_mm", k.Wafer.ScribeMM)},
		Model: k.Model, Defects: fab.Defects{D0PerCM2: pick(w, "d0_per_cm2", k.D0)},
		Package: fab.Package{ComputeDies: k.Dies, KGD: k.KGD, AssemblyYield: pick(w, "assembly_yield", k.AssemblyYield),
			HBMStacks: k.HBMStacks, Peak: units.FLOPRate(pick(w, "peak", k.Peak))},
		Prices: fab.Prices{Wafer: units.USD(pick(w, "wafer_price", k.WaferPrice)), HBMStack: units.USD(pick(w, "hbm_stack_price", k.HBMStackPrice)),
			Packaging: units.USD(pick(w, "packaging_cost", k.PackagingCost)), Test: units.USD(pick(w, "test_cost", k.TestCost))},
	}
	if k.Model == fab.NegBinomial {
		in.Defects.Alpha = pick(w, "negbin_alpha", k.Alpha)
	}
	if o := k.DieOutlineMM; len(o) == 2 && math.Abs(o[0]*o[1]-in.Die.AreaMM2) <= 0.02*in.Die.AreaMM2 {
		in.Die.WidthMM, in.Die.HeightMM = o[0], o[1]
	}
	var capacity *fab.Capacity
	if s := k.Supply; s != nil {
		capacity = &fab.Capacity{
			WaferStartsPerMonth: pick(w, "wafer_starts_per_month", s.WaferStartsPerMonth), Share: pick(w, "ai_share", s.AIShare),
			HBMStacksPerYear: pick(w, "hbm_stacks_per_year", s.HBMStacksPerYear), PackagesPerYear: pick(w, "packages_per_year", s.PackagesPerYear),
		}
	}
	return in, capacity, w.err
}

// Fab model outputs, as Trial names them.
const (
	OutDiesPerWafer       = "dies_per_wafer"
	OutDieYield           = "die_yield"
	OutGoodDiesPerWafer   = "good_dies_per_wafer"
	OutPackageYield       = "package_yield"
	OutCostPerGoodDie     = "cost_per_good_die"
	OutCostPerGoodPackage = "cost_per_good_package"
	OutGoodPerYear        = "good_per_year"
	OutFromWafers         = "from_wafers"
	OutFromHBM            = "from_hbm"
	OutFromPackaging      = "from_packaging"
	OutDeployed           = "deployed_flops"
	// OutBinds+constraint is 1 when that constraint binds in the trial:
	// its Mean over a run is the probability that it binds.
	OutBinds = "binds_"
)

// Trial is the fab model as an uncertain.Trial: run it with
// uncertain.Run for ranges, uncertain.Tornado for sensitivity.
func (k *FabCase) Trial() uncertain.Trial {
	return func(d *uncertain.Draw) (map[string]float64, error) {
		in, capacity, err := k.Inputs(d)
		if err != nil {
			return nil, err
		}
		r, err := fab.Estimate(in)
		if err != nil {
			return nil, err
		}
		out := map[string]float64{
			OutDiesPerWafer: r.DiesPerWafer, OutDieYield: r.DieYield, OutGoodDiesPerWafer: r.GoodDiesPerWafer,
			OutPackageYield: r.PackageYield, OutCostPerGoodDie: float64(r.CostPerGoodDie), OutCostPerGoodPackage: float64(r.CostPerGoodPackage),
		}
		if capacity == nil {
			return out, nil
		}
		s, err := fab.Supply(in, *capacity)
		if err != nil {
			return nil, err
		}
		out[OutGoodPerYear], out[OutFromWafers], out[OutFromPackaging] = s.GoodPerYear, s.FromWafers, s.FromPackaging
		if !math.IsInf(s.FromHBM, 1) {
			out[OutFromHBM] = s.FromHBM
		}
		out[OutDeployed] = float64(s.Deployed)
		for _, b := range []fab.Constraint{fab.Wafers, fab.HBM, fab.Packaging} {
			out[OutBinds+string(b)] = 0
		}
		out[OutBinds+string(s.Binding)] = 1
		return out, nil
	}
}
