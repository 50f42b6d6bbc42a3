package goodput

import (
	"fmt"
	"math"
	"slices"

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

// Estimate is the closed-form view of a run (the expected values of the
// simulation's model), beside which the simulation is reported.
type Estimate struct {
	// MTBI is the job's mean time between interruptions (all modes);
	// UnplannedMTBI between unplanned ones, those that lose work (what
	// Young and Daly take; 0 with none).
	MTBI          units.Seconds `json:"mtbi"`
	UnplannedMTBI units.Seconds `json:"unplanned_mtbi"`
	// Young and Daly are the optimum checkpoint intervals for the
	// blocking cost and UnplannedMTBI; Interval is the one used.
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
	// checkpoints; no maturation): Wall itself for one unplanned mode,
	// blocking checkpoints and no maturation; 0 in horizon mode or with
	// no progress.
	DalyWall units.Seconds `json:"daly_wall,omitempty"`
	// Interruptions is the expected count over Wall, by mode.
	Interruptions float64   `json:"interruptions"`
	ByMode        []float64 `json:"by_mode"`
	// Effective is Productive ÷ Wall, the "effective training time".
	Effective float64 `json:"effective"`
	// NoProgress: run to completion, the expected wall time reaches the
	// simulation's cap, DefaultLimit × the failure-free time, where the
	// simulation stops a run unfinished: the run never finishes, and the
	// times are left 0. A window (Horizon) runs to its end whatever its
	// progress: never NoProgress, its times kept.
	NoProgress bool `json:"no_progress,omitempty"`
	// InRepair is the mean number of nodes away for repair (Little's law:
	// swap rate × repair time); above Spares the closed form, which
	// assumes a spare is always ready, is optimistic.
	InRepair float64 `json:"in_repair"`
}

// Closed returns the expected run at the typical values, under the
// simulation's own model (Daly 2006's complete model, eq. 20, for many
// modes, planned ones and async writes): interruptions are Poisson at
// Σλᵢ; an outage ends when no interruption's own outage Rᵢ is still
// running, so the job is down a fraction 1 − e^(−ΣλᵢRᵢ) of the time
// (overlapping outages are one); up periods are exponential of mean 1/λ,
// each ending in an unplanned interruption, which loses the work since
// the last durable checkpoint, or a planned one, which keeps it. The
// first-order form it replaced, waste f = Σλᵢ(Rᵢ + (τ+δ_b)/2 + δ_w),
// charged every overlapping outage in full and half an interval to each
// interruption however soon it came, and diverged at f ≥ 1 where the
// simulation still finishes (405B on 65,536 910Bs: "never" beside 218
// simulated days).
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

// shares is where a unit of wall time goes in the steady state of the
// renewal model: down (outages), block (checkpoints blocking) and kept
// (compute that becomes durable); the rest is compute thrown away.
// stretch is wall ÷ failure-free up-time, τ ÷ (kept·(τ + δ_b)).
type shares struct {
	down, block, kept, stretch float64
}

// shares of one resolved job (see Closed). Per up period X ~ Exp(λ),
// s = τ + δ_b and Y = X mod s: complete cycles E[K] = 1/(e^(λs) − 1);
// the work kept, G, is τ·E[K]·e^(−λδ_w) after an unplanned end (a cycle
// is durable δ_w after its block) and τ·E[K] + E[min(Y, τ)] after a
// planned one; the blocking time is δ_b·E[K] + E[(Y − τ)⁺]. An up period
// and its outage take e^(ΣλᵢRᵢ)/λ of wall.
func (f fixed) shares() shares {
	lam, lu := f.rates()
	tau, db, dw := float64(f.interval), float64(f.block), float64(f.write)
	s := tau + db
	if !(lam > 0) {
		return shares{block: db / s, kept: tau / s, stretch: 1}
	}
	rho := 0.0
	for _, m := range f.modes {
		rho += m.rate * float64(m.down(f.job.Spares.Swap))
	}
	q := math.Exp(rho)
	pu := lu / lam
	cycles := 1 / math.Expm1(lam*s)
	tail := -math.Expm1(-lam * s) // P(X < s)
	minY := (-math.Expm1(-lam*tau)/lam - tau*math.Exp(-lam*s)) / tail
	overY := (-math.Exp(-lam*tau)*math.Expm1(-lam*db)/lam - db*math.Exp(-lam*s)) / tail
	g := pu*tau*cycles*math.Exp(-lam*dw) + (1-pu)*(tau*cycles+minY)
	b := db*cycles + overY
	sh := shares{down: 1 - 1/q, block: lam * b / q, kept: lam * g / q}
	sh.stretch = tau / (sh.kept * s)
	return sh
}

func (f fixed) closed() Estimate {
	all, lu := f.rates()
	e := Estimate{Interval: f.interval, Block: f.block, Write: f.write, Times: Times{Port: f.port}}
	e.MTBI = units.Seconds(1 / all)
	if lu > 0 {
		e.UnplannedMTBI = units.Seconds(1 / lu)
		e.Young = YoungInterval(f.block, e.UnplannedMTBI)
		e.Daly = DalyInterval(f.block, e.UnplannedMTBI)
	}
	outage := 0.0
	for _, m := range f.modes {
		outage += m.rate * float64(m.down(f.job.Spares.Swap))
		if m.swap {
			e.InRepair += m.rate * float64(f.job.Spares.Repair)
		}
	}
	sh := f.shares()
	if f.fillWall(&e, sh) && f.job.Horizon <= 0 {
		// Run to completion, the simulation would stop it unfinished; a
		// window runs to its end whatever its progress, so it keeps its
		// times.
		e.NoProgress = true
		e.Times = Times{Port: f.port}
	}
	if !e.NoProgress {
		e.Interruptions = all * float64(e.Wall)
	}
	for _, m := range f.modes {
		e.ByMode = append(e.ByMode, m.rate*float64(e.Wall))
	}
	if e.Wall > 0 {
		e.Effective = float64(e.Productive / e.Wall)
	}
	if f.job.Horizon <= 0 && all > 0 && !e.NoProgress {
		e.DalyWall = DalyWall(f.job.Work, f.interval, f.block+f.write, units.Seconds(outage/all), units.Seconds(1/all))
	}
	return e
}

// fillWall sets the times from the shares and reports NoProgress: the
// run's expected wall time (in a window, the time to do the window's
// failure-free work) reaches the simulation's cap of DefaultLimit × its
// failure-free time, so the simulation stops it unfinished. Up-time is
// compute plus one blocking checkpoint per interval (the last one a full
// write), stretched to wall = up-time × stretch; maturation runs on wall
// time, of which the fraction cf = τ ÷ (stretch·(τ + δ_b)) is compute
// kept: the slowdown is cf·(ramp⁻¹(W/cf) − W/cf), cf·s·T/2 once the ramp
// is over. Outages take down × wall, checkpoints beyond the kept ones
// (block − kept·δ_b/τ) × wall, and the rest is lost: (1 − down − block −
// kept) × wall, up to rounding.
func (f fixed) fillWall(e *Estimate, sh shares) bool {
	r := ramp{slow: f.slow, span: float64(f.maturation)}
	tau, db := float64(f.interval), float64(f.block)
	cf := 1 / sh.stretch * tau / (tau + db)
	limit := f.limitTime(DefaultLimit).Seconds()
	if h := float64(f.job.Horizon); h > 0 {
		e.Wall = f.job.Horizon
		compute := h * cf
		e.Productive = units.Seconds(cf * r.cum(h))
		e.Slowdown = units.Seconds(compute) - e.Productive
		e.Checkpointing = units.Seconds(compute*db/tau + (sh.block-sh.kept*db/tau)*h)
		e.Restart = units.Seconds(sh.down * h)
		e.Lost = settle(e.Wall - e.Productive - e.Slowdown - e.Checkpointing - e.Restart)
		return !(h*sh.stretch < limit)
	}
	n := math.Ceil(float64(f.job.Work / f.interval))
	w := float64(f.job.Work)
	e.Productive = f.job.Work
	e.Slowdown = units.Seconds(cf * (r.inv(w/cf) - w/cf))
	up := f.job.Work + e.Slowdown + units.Seconds(n)*f.block + f.write
	e.Wall = units.Seconds(float64(up) * sh.stretch)
	e.Restart = units.Seconds(sh.down) * e.Wall
	e.Checkpointing = units.Seconds(n)*f.block + f.write + units.Seconds(sh.block-sh.kept*db/tau)*e.Wall
	e.Lost = settle(e.Wall - up - e.Restart - units.Seconds(sh.block-sh.kept*db/tau)*e.Wall)
	return !(float64(e.Wall) < limit)
}

// settle is lost time, a remainder of sums: lost × wall where the shares
// leave any, else rounding (±1e-9 of the wall time), which is zero.
func settle(lost units.Seconds) units.Seconds {
	return max(lost, 0)
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
	return ClosedSamplesOf(j, slices.Repeat([]units.Seconds{j.Work}, n), seed)
}

// ClosedSamplesOf is ClosedSamples with draw i's failure-free compute
// works[i] in place of j.Work: a throughput drawn beside the job's own
// ranges (a caller's draw i of the chip's rates). Draw i's failure and
// engineering inputs are ClosedSamples' draw i, whatever the works.
func ClosedSamplesOf(j Job, works []units.Seconds, seed uint64) ([]Estimate, error) {
	if len(works) < 1 {
		return nil, fmt.Errorf("%w (got %d)", ErrNoSeeds, len(works))
	}
	out := make([]Estimate, len(works))
	for i, w := range works {
		ji := j
		ji.Work = w
		if err := ji.Validate(); err != nil {
			return nil, fmt.Errorf("draw %d: %w", i, err)
		}
		out[i] = ji.resolve(picker{r: sim.NewStream(seed, fmt.Sprintf("closed/%d", i))}).closed()
	}
	return out, nil
}
