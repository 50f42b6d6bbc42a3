package sim_test

import (
	"fmt"
	"time"

	"chipgap/sim"
)

// A job that fails at exponentially distributed times and takes ten
// minutes to restart, simulated for one day.
func Example() {
	e := sim.New()
	r := sim.NewStream(1, "failures")
	failures := 0
	var fail func()
	fail = func() {
		failures++
		e.After(10*time.Minute+sim.Exp(r, 6*time.Hour), 0, fail)
	}
	e.After(sim.Exp(r, 6*time.Hour), 0, fail)
	e.RunUntil(24 * time.Hour)
	fmt.Println(e.Now(), failures > 0)
	// Output: 24h0m0s true
}
