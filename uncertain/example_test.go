package uncertain_test

import (
	"fmt"

	"chipgap/uncertain"
)

// Cost per good die = wafer price / (dies × yield), with the yield and
// the wafer price uncertain.
func Example() {
	yield, _ := uncertain.FromRange(0.20, 0.40, 0.50)
	price, _ := uncertain.FromRange(13100, 14000, 15000)
	trial := func(d *uncertain.Draw) (map[string]float64, error) {
		return map[string]float64{"cost": d.Value("price", price) / (75 * d.Value("yield", yield))}, nil
	}
	res, err := uncertain.Run(10000, 1, trial)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res["cost"]
	fmt.Printf("P10 $%.0f, P50 $%.0f, P90 $%.0f\n", s.P10, s.P50, s.P90)
	base, swings, _ := uncertain.Tornado(trial, "cost")
	fmt.Printf("typical $%.0f; moved most by %s\n", base, swings[0].Input)
	// Output:
	// P10 $419, P50 $501, P90 $676
	// typical $467; moved most by yield
}
