package runs

import (
	"fmt"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/units"
)

// WholeRun is a chip-hours prediction broken into its parts: the steady
// state the training estimator gives, and the goodput model's additions
// (failures and restarts, lost work, checkpoints, the stack's kernel
// maturation slowdown). Hours are chip-hours.
type WholeRun struct {
	Steady, Slowdown, Lost, Restart, Checkpointing float64
	Total                                          float64
	Interruptions                                  float64
}

// wholeRun adds to a steady-state run of work seconds on cluster c (its
// stack, chips and node size) what the goodput package's closed form (Young 1974, Daly 2006)
// says the whole run costs: each failure mode of the stack's reliability
// profile, checkpoints at Daly's interval with chipgap run's defaults
// (bytes per parameter, storage bandwidth, async snapshot), a spare pool
// of the default fraction of servers, and the stack's engineering
// maturation (throughput starts 1 − initial_slowdown below steady state
// and recovers over the maturation time). Porting is calendar time before
// the run, not chip time, and is left out.
func wholeRun(cat *catalog.Catalog, m llm.Model, c hardware.Cluster, work units.Seconds) (WholeRun, error) {
	eng, err := cat.Engineering()
	if err != nil {
		return WholeRun{}, err
	}
	e0 := eng[c.Stack].Engineering
	e0.Port = e0.Port.Scale(0) // porting is calendar time before the run, not chip time
	j, err := cat.Job(m, c, catalog.JobOptions{Work: work, Engineering: &e0})
	if err != nil {
		return WholeRun{}, err
	}
	chips := c.Chips
	e, err := goodput.Closed(j)
	if err != nil {
		return WholeRun{}, err
	}
	if e.NoProgress {
		return WholeRun{}, fmt.Errorf("interruptions take the expected wall time on %d chips past %d× the failure-free time, where a simulation stops a run: the run never finishes", chips, goodput.DefaultLimit)
	}
	h := float64(chips) / 3600
	return WholeRun{Steady: float64(e.Productive) * h, Slowdown: float64(e.Slowdown) * h, Lost: float64(e.Lost) * h,
		Restart: float64(e.Restart) * h, Checkpointing: float64(e.Checkpointing) * h, Total: float64(e.Wall) * h,
		Interruptions: e.Interruptions}, nil
}
