package goodput

import (
	"fmt"
	"math"

	"chipgap/sim"
	"chipgap/units"
)

// YoungInterval is Young's (1974) first-order optimum checkpoint interval
// √(2·δ·M) for checkpoint cost δ and mean time between failures M.
func YoungInterval(delta, mtbf units.Seconds) units.Seconds {
	return units.Seconds(math.Sqrt(2 * float64(delta) * float64(mtbf)))
}

// DalyInterval is Daly's (2006, eq. 37) higher-order optimum:
// √(2δM)·[1 + ⅓·√(δ/2M) + ⅑·(δ/2M)] − δ for δ < 2M, else M.
func DalyInterval(delta, mtbf units.Seconds) units.Seconds {
	d, m := float64(delta), float64(mtbf)
	if d >= 2*m {
		return mtbf
	}
	x := d / (2 * m)
	return units.Seconds(math.Sqrt(2*d*m)*(1+math.Sqrt(x)/3+x/9) - d)
}

// DalyWall is Daly's (2006, eq. 20) complete model of the expected wall
// time to finish work W with checkpoint interval τ, checkpoint cost δ,
// restart R and exponential failures of mean M that also strike during
// checkpoints and restarts: M·e^{R/M}·(e^{(τ+δ)/M} − 1)·W/τ.
func DalyWall(work, tau, delta, restart, mtbf units.Seconds) units.Seconds {
	m := float64(mtbf)
	if math.IsInf(m, 1) {
		return units.Seconds(float64(work) / float64(tau) * float64(tau+delta))
	}
	return units.Seconds(m * math.Exp(float64(restart)/m) * math.Expm1(float64(tau+delta)/m) * float64(work) / float64(tau))
}

// Estimate is the closed-form (first-order) view of a run, beside which
// the simulation is reported.
type Estimate struct {
	// MTBI is the job's mean time between interruptions (all modes).
	MTBI units.Seconds `json:"mtbi"`
	// Young and Daly are the optimum checkpoint intervals for the
	// blocking cost and the unplanned MTBI; Interval is the one used.
	Young    units.Seconds `json:"young_interval"`
	Daly     units.Seconds `json:"daly_interval"`
	Interval units.Seconds `json:"interval"`
	// Block and Write are one checkpoint's blocking and background times.
	Block units.Seconds `json:"checkpoint_block"`
	Write units.Seconds `json:"checkpoint_write"`
	// Times: the expected wall time (horizon when one is set), Port
	// excluded, and its parts.
	Times
	// DalyWall is Daly's complete model with the rate-weighted mean
	// outage as R (every interruption treated as losing work; blocking
	// checkpoints; no maturation); 0 in horizon mode.
	DalyWall units.Seconds `json:"daly_wall,omitempty"`
	// Interruptions is the expected count over Wall, by mode.
	Interruptions float64   `json:"interruptions"`
	ByMode        []float64 `json:"by_mode"`
	// Effective is Productive ÷ Wall, the "effective training time".
	Effective float64 `json:"effective"`
	// NoProgress: interruptions cost more time than they leave (waste
	// fraction ≥ 1); the run never finishes and the times are left 0.
	NoProgress bool `json:"no_progress,omitempty"`
	// InRepair is the mean number of nodes away for repair (Little's law:
	// swap rate × repair time); above Spares the closed form, which
	// assumes a spare is always ready, is optimistic.
	InRepair float64 `json:"in_repair"`
}

// Closed returns the first-order estimate at the typical values: each
// interruption of mode i costs its outage R_i and, unless planned, the
// work since the last durable checkpoint, on average (τ+δ_b)/2 + δ_w; the
// waste fraction is f = Σ λ_i·(R_i + L_i) (Young 1974; Daly 2006), so
// the wall time is up-time ÷ (1 − f).
func Closed(j Job) (Estimate, error) {
	if err := j.Validate(); err != nil {
		return Estimate{}, err
	}
	f := j.resolve(picker{})
	return f.closed(), nil
}

// ClosedAt is Closed with every ranged input at one corner: Low (each
// at its P10) for the optimistic end of the ranges, High (P90) for the
// pessimistic end, Min and Max for the bounds themselves.
func ClosedAt(j Job, c Corner) (Estimate, error) {
	if err := j.Validate(); err != nil {
		return Estimate{}, err
	}
	return j.resolve(picker{corner: c}).closed(), nil
}

func (f fixed) closed() Estimate {
	all, lu := f.rates()
	e := Estimate{Interval: f.interval, Block: f.block, Write: f.write, Times: Times{Port: f.port}}
	e.MTBI = units.Seconds(1 / all)
	if lu > 0 {
		e.Young = YoungInterval(f.block, units.Seconds(1/lu))
		e.Daly = DalyInterval(f.block, units.Seconds(1/lu))
	}
	waste, outage, lostPer := 0.0, 0.0, float64(f.interval+f.block)/2+float64(f.write)
	for _, m := range f.modes {
		down := float64(m.down(f.job.Spares.Swap))
		outage += m.rate * down
		waste += m.rate * down
		if !m.planned {
			waste += m.rate * lostPer
		}
	}
	for _, m := range f.modes {
		if m.swap {
			e.InRepair += m.rate * float64(f.job.Spares.Repair)
		}
	}
	if waste >= 1 {
		e.NoProgress = true
		if f.job.Horizon > 0 {
			e.Wall, e.Restart = f.job.Horizon, f.job.Horizon
			e.Interruptions = all * float64(e.Wall)
		}
		for _, m := range f.modes {
			e.ByMode = append(e.ByMode, m.rate*float64(e.Wall))
		}
		return e
	}
	f.fillWall(&e, waste)
	e.Restart = units.Seconds(outage * float64(e.Wall))
	e.Lost = e.Wall*units.Seconds(waste) - e.Restart
	e.Interruptions = all * float64(e.Wall)
	for _, m := range f.modes {
		e.ByMode = append(e.ByMode, m.rate*float64(e.Wall))
	}
	if e.Wall > 0 {
		e.Effective = float64(e.Productive / e.Wall)
	}
	if f.job.Horizon <= 0 && all > 0 {
		e.DalyWall = DalyWall(f.job.Work, f.interval, f.block+f.write, units.Seconds(outage/all), units.Seconds(1/all))
	}
	return e
}

// fillWall sets Wall, Productive, Slowdown and Checkpointing for a waste
// fraction: up-time is compute plus one blocking checkpoint per interval
// (the last one a full write), and maturation runs on wall-clock time,
// of which the fraction cf = (1 − waste)·τ/(τ + δ_b) is compute: the
// slowdown is cf·(ramp⁻¹(W/cf) − W/cf), cf·s·T/2 once the ramp is over.
func (f fixed) fillWall(e *Estimate, waste float64) {
	r := ramp{slow: f.slow, span: float64(f.maturation)}
	cf := (1 - waste) * float64(f.interval) / float64(f.interval+f.block)
	if f.job.Horizon > 0 {
		e.Wall = f.job.Horizon
		compute := float64(f.job.Horizon) * cf
		e.Productive = units.Seconds(cf * r.cum(float64(f.job.Horizon)))
		e.Slowdown = units.Seconds(compute) - e.Productive
		e.Checkpointing = units.Seconds(compute * float64(f.block) / float64(f.interval))
		return
	}
	n := math.Ceil(float64(f.job.Work / f.interval))
	w := float64(f.job.Work)
	e.Productive = f.job.Work
	e.Slowdown = units.Seconds(cf * (r.inv(w/cf) - w/cf))
	e.Checkpointing = units.Seconds(n)*f.block + f.write
	e.Wall = units.Seconds(float64(f.job.Work+e.Slowdown+e.Checkpointing) / (1 - waste))
}

// ClosedSamples propagates the input ranges through the closed form:
// n draws of every ranged input (triangular over [min, typ, max], stream
// "closed/i" of seed), each turned into an Estimate. Cheap enough for
// thousands of draws; pair two jobs' samples by index for a gap.
func ClosedSamples(j Job, n int, seed uint64) ([]Estimate, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("%w (got %d)", ErrNoSeeds, n)
	}
	out := make([]Estimate, n)
	for i := range out {
		out[i] = j.resolve(picker{r: sim.NewStream(seed, fmt.Sprintf("closed/%d", i))}).closed()
	}
	return out, nil
}
