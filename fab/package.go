package fab

import (
	"math"

	"chipgap/units"
)

// Package is one accelerator as sold: compute dies and HBM stacks
// assembled on an interposer or bridge (CoWoS-class packaging).
type Package struct {
	// ComputeDies per package (2 for Ascend 910C and B200, 1 for H100).
	ComputeDies int `json:"compute_dies"`
	// KGD: dies are tested (known-good-die) before assembly, so only good
	// dies are packaged. Without it, a package is good only if every die is.
	KGD bool `json:"kgd"`
	// AssemblyYield is the fraction of assembled packages that pass final
	// test (bonding, interposer, HBM attach).
	AssemblyYield float64 `json:"assembly_yield"`
	// HBMStacks per package.
	HBMStacks int `json:"hbm_stacks"`
	// Peak is the package's dense compute rate, for FLOP/s deployed.
	Peak units.FLOPRate `json:"peak"`
}

// Validate checks the package's fields.
func (p Package) Validate() error {
	if err := check("compute dies", float64(p.ComputeDies), p.ComputeDies >= 1 && p.ComputeDies <= 64, "1 to 64"); err != nil {
		return err
	}
	if err := check("HBM stacks", float64(p.HBMStacks), p.HBMStacks >= 0 && p.HBMStacks <= 64, "0 to 64"); err != nil {
		return err
	}
	if err := check("peak (FLOP/s)", float64(p.Peak), p.Peak >= 0, ">= 0"); err != nil {
		return err
	}
	return fraction("assembly yield", p.AssemblyYield)
}

// PackageYield is the fraction of assembled packages that are good:
// the assembly yield with known-good dies, or dieYield^n × assembly
// yield without die test.
func PackageYield(p Package, dieYield float64) float64 {
	if p.KGD {
		return p.AssemblyYield
	}
	return math.Pow(dieYield, float64(p.ComputeDies)) * p.AssemblyYield
}

// DiesPerGoodPackage is how many dies (good or bad, as printed) one good
// package consumes: n/(Y·Ya) with KGD (bad dies are scrapped at test,
// good ones lost with failed packages), n/(Yⁿ·Ya) without.
func DiesPerGoodPackage(p Package, dieYield float64) float64 {
	n := float64(p.ComputeDies)
	if p.KGD {
		return n / (dieYield * p.AssemblyYield)
	}
	return n / PackageYield(p, dieYield)
}

// StacksPerGoodPackage is how many HBM stacks one good package consumes
// (stacks on failed packages are lost; stacks are assumed tested).
func StacksPerGoodPackage(p Package, dieYield float64) float64 {
	return float64(p.HBMStacks) / PackageYield(p, dieYield)
}

// Prices are what the inputs of one package cost.
type Prices struct {
	Wafer     units.USD `json:"wafer"`     // one processed wafer at the node
	HBMStack  units.USD `json:"hbm_stack"` // one HBM stack
	Packaging units.USD `json:"packaging"` // interposer + assembly, per package assembled
	Test      units.USD `json:"test"`      // test and burn-in, per package assembled
}

// Validate checks that no price is negative.
func (p Prices) Validate() error {
	for _, f := range []struct {
		name string
		v    units.USD
	}{{"wafer price", p.Wafer}, {"HBM stack price", p.HBMStack}, {"packaging cost", p.Packaging}, {"test cost", p.Test}} {
		if err := check(f.name+" (USD)", float64(f.v), f.v >= 0 && !math.IsInf(float64(f.v), 0), "a finite amount >= 0"); err != nil {
			return err
		}
	}
	return positive("wafer price (USD)", float64(p.Wafer))
}
