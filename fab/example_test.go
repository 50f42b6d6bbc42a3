package fab_test

import (
	"fmt"

	"chipgap/fab"
	"chipgap/units"
)

// A two-die accelerator on a 7nm-class process: 665.61 mm² dies, D0 0.15
// per cm², $14 000 wafers, known-good-die test, 85 % assembly yield and
// eight $300 HBM stacks; 6 000 wafer starts a month and 2.8 M stacks a year.
func Example() {
	in := fab.Inputs{
		Wafer:   fab.Wafer{DiameterMM: 300, EdgeExclusionMM: 3},
		Die:     fab.Die{AreaMM2: 665.61, ScribeMM: 0.1},
		Model:   fab.Murphy,
		Defects: fab.Defects{D0PerCM2: 0.15},
		Package: fab.Package{ComputeDies: 2, KGD: true, AssemblyYield: 0.85, HBMStacks: 8, Peak: 780 * units.TFLOPS},
		Prices:  fab.Prices{Wafer: 14000, HBMStack: 300, Packaging: 1000, Test: 920},
	}
	r, err := fab.Estimate(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.0f dies per wafer, yield %.1f %%, %v per good die, %v per good package\n",
		r.DiesPerWafer, 100*r.DieYield, r.CostPerGoodDie, r.CostPerGoodPackage)
	s, err := fab.Supply(in, fab.Capacity{WaferStartsPerMonth: 6000, Share: 1, HBMStacksPerYear: 2.8e6, PackagesPerYear: 1e6})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.0f good a year, limited by %s; %v deployed\n", s.GoodPerYear, s.Binding, s.Deployed)
	// Output:
	// 75 dies per wafer, yield 40.0 %, $466.5 per good die, $6180 per good package
	// 297500 good a year, limited by hbm; 232.1 EFLOP/s deployed
}
