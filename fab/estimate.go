package fab

import (
	"chipgap/units"
)

// Inputs is everything the fab model needs for one accelerator.
type Inputs struct {
	Wafer   Wafer      `json:"wafer"`
	Die     Die        `json:"die"`
	Model   YieldModel `json:"model"`
	Defects Defects    `json:"defects"`
	Package Package    `json:"package"`
	Prices  Prices     `json:"prices"`
}

// Validate checks every field.
func (in Inputs) Validate() error {
	for _, err := range []error{in.Wafer.Validate(), in.Die.Validate(), in.Package.Validate(), in.Prices.Validate()} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Breakdown splits the cost of one good package.
type Breakdown struct {
	Dies      units.USD `json:"dies"`
	HBM       units.USD `json:"hbm"`
	Packaging units.USD `json:"packaging"`
	Test      units.USD `json:"test"`
}

// Total is the sum of the parts.
func (b Breakdown) Total() units.USD { return b.Dies + b.HBM + b.Packaging + b.Test }

// Result is the fab model's answer for one accelerator.
type Result struct {
	DiesPerWafer       float64   `json:"dies_per_wafer"`
	DieYield           float64   `json:"die_yield"`
	GoodDiesPerWafer   float64   `json:"good_dies_per_wafer"`
	PackageYield       float64   `json:"package_yield"`
	DiesPerGoodPackage float64   `json:"dies_per_good_package"`
	CostPerGoodDie     units.USD `json:"cost_per_good_die"`
	CostPerGoodPackage units.USD `json:"cost_per_good_package"`
	Breakdown          Breakdown `json:"breakdown"`
}

// Estimate computes dies per wafer, yields and the cost of a good die and
// of a good package.
//
// Cost per good die = wafer price / (dies per wafer × die yield). With
// KGD a good package uses n good dies, and everything that goes into an
// assembly is lost when it fails, so each part is divided by the assembly
// yield Ya: (n·cost per good die + stacks·HBM price + packaging + test)/Ya.
// Without KGD, untested dies (wafer price / dies per wafer each) go into
// every assembly and the divisor is the package yield Yⁿ·Ya.
func Estimate(in Inputs) (Result, error) {
	if err := in.Validate(); err != nil {
		return Result{}, err
	}
	dpw, err := DiesPerWafer(in.Wafer, in.Die)
	if err != nil {
		return Result{}, err
	}
	y, err := DieYield(in.Model, in.Die.AreaMM2, in.Defects)
	if err != nil {
		return Result{}, err
	}
	p := in.Package
	r := Result{
		DiesPerWafer: dpw, DieYield: y, GoodDiesPerWafer: dpw * y,
		PackageYield: PackageYield(p, y), DiesPerGoodPackage: DiesPerGoodPackage(p, y),
		CostPerGoodDie: units.USD(float64(in.Prices.Wafer) / (dpw * y)),
	}
	perAssembly := 1 / r.PackageYield
	r.Breakdown = Breakdown{
		Dies:      units.USD(float64(in.Prices.Wafer) / dpw * r.DiesPerGoodPackage),
		HBM:       units.USD(float64(in.Prices.HBMStack) * float64(p.HBMStacks) * perAssembly),
		Packaging: units.USD(float64(in.Prices.Packaging) * perAssembly),
		Test:      units.USD(float64(in.Prices.Test) * perAssembly),
	}
	r.CostPerGoodPackage = r.Breakdown.Total()
	return r, nil
}
