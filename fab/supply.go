package fab

import (
	"math"

	"chipgap/units"
)

// Capacity is what a year of production can draw on for one accelerator.
// A limit of math.Inf(1) means "not a constraint".
type Capacity struct {
	// WaferStartsPerMonth at the node (all products).
	WaferStartsPerMonth float64 `json:"wafer_starts_per_month"`
	// Share of those wafer starts allocated to this accelerator's dies.
	Share float64 `json:"share"`
	// HBMStacksPerYear available to this accelerator.
	HBMStacksPerYear float64 `json:"hbm_stacks_per_year"`
	// PackagesPerYear is the advanced-packaging (CoWoS-class) capacity
	// for this accelerator, in package assemblies started per year.
	PackagesPerYear float64 `json:"packages_per_year"`
}

// Validate checks the capacity's fields.
func (c Capacity) Validate() error {
	if err := check("wafer starts per month", c.WaferStartsPerMonth, c.WaferStartsPerMonth >= 0, ">= 0"); err != nil {
		return err
	}
	if err := check("AI share of wafer starts", c.Share, c.Share >= 0 && c.Share <= 1, "a fraction in [0, 1]"); err != nil {
		return err
	}
	if err := check("HBM stacks per year", c.HBMStacksPerYear, c.HBMStacksPerYear >= 0, ">= 0 (+Inf: no limit)"); err != nil {
		return err
	}
	return check("packages per year", c.PackagesPerYear, c.PackagesPerYear >= 0, ">= 0 (+Inf: no limit)")
}

// Constraint names the input that limits supply.
type Constraint string

// The supply constraints, in tie-break order.
const (
	Wafers    Constraint = "wafers"
	HBM       Constraint = "hbm"
	Packaging Constraint = "packaging"
)

// SupplyResult is a year of good accelerators and what limits it.
type SupplyResult struct {
	// FromWafers, FromHBM and FromPackaging are the good packages per year
	// each input alone would allow.
	FromWafers    float64 `json:"from_wafers"`
	FromHBM       float64 `json:"from_hbm"`
	FromPackaging float64 `json:"from_packaging"`
	// GoodPerYear is the smallest of the three; Binding says which.
	GoodPerYear float64    `json:"good_per_year"`
	Binding     Constraint `json:"binding"`
	// Deployed is GoodPerYear × the package's peak rate: the peak FLOP/s
	// a year of production adds.
	Deployed units.FLOPRate `json:"deployed"`
}

// Supply converts capacity into good accelerators per year:
//
//	wafers:    12 · wafer starts/month · share · dies per wafer / dies per good package
//	HBM:       stacks/year / stacks per good package
//	packaging: packages/year · package yield
//
// and takes the tightest (ties go to wafers, then HBM).
func Supply(in Inputs, c Capacity) (SupplyResult, error) {
	if err := c.Validate(); err != nil {
		return SupplyResult{}, err
	}
	r, err := Estimate(in)
	if err != nil {
		return SupplyResult{}, err
	}
	p := in.Package
	s := SupplyResult{
		FromWafers:    12 * c.WaferStartsPerMonth * c.Share * r.DiesPerWafer / r.DiesPerGoodPackage,
		FromHBM:       math.Inf(1),
		FromPackaging: c.PackagesPerYear * r.PackageYield,
	}
	if p.HBMStacks > 0 {
		s.FromHBM = c.HBMStacksPerYear / StacksPerGoodPackage(p, r.DieYield)
	}
	s.GoodPerYear, s.Binding = s.FromWafers, Wafers
	if s.FromHBM < s.GoodPerYear {
		s.GoodPerYear, s.Binding = s.FromHBM, HBM
	}
	if s.FromPackaging < s.GoodPerYear {
		s.GoodPerYear, s.Binding = s.FromPackaging, Packaging
	}
	s.Deployed = units.FLOPRate(s.GoodPerYear * float64(p.Peak))
	return s, nil
}
