package goodput

import (
	"errors"
	"fmt"
	"time"

	"chipgap/sim"
	"chipgap/uncertain"
	"chipgap/units"
)

// Options control a Monte Carlo run of the simulation.
type Options struct {
	Seeds int    // independent runs, ≥ 1
	Seed  uint64 // base seed; seed i uses streams named "failures/i", ...
	// Ranges draws every ranged input (rates, times, engineering) from a
	// triangular distribution over [min, typ, max] once per seed; without
	// it every seed uses the typical values and only failures vary.
	Ranges bool
	// Limit caps a run's wall time as a multiple of its failure-free
	// time (default 50): a run that makes no progress stops unfinished.
	Limit float64
	// Progress, when set, is told after each seed: done of Seeds.
	Progress func(done, total int)
	// Stop, when set, is asked before each seed and every pollEvents
	// events within one (a few milliseconds of simulation): its error
	// ends the run at once and Simulate returns it (a server's deadline
	// or a cancelled job).
	Stop func() error
}

// DefaultLimit is Options.Limit's default: a seed stops unfinished at 50
// × its failure-free time.
const DefaultLimit = 50

// ErrNoSeeds is returned for a run of fewer than one seed.
var ErrNoSeeds = errors.New("goodput: seeds must be at least 1")

// Summary is one output over the seeds, in days (counts for
// interruptions, fractions for Effective).
type Summary = uncertain.Summary

// Result is a simulated training run over many seeds, beside the
// closed-form estimate at the typical values.
type Result struct {
	Seeds    int      `json:"seeds"`
	Seed     uint64   `json:"seed"`
	Ranges   bool     `json:"ranges"`
	Finished int      `json:"finished"`
	Closed   Estimate `json:"closed_form"`
	// Total is Port + Wall, in days; the rest split Wall, in days.
	Total         Summary `json:"total_days"`
	Wall          Summary `json:"wall_days"`
	Productive    Summary `json:"productive_days"`
	Slowdown      Summary `json:"slowdown_days"`
	Lost          Summary `json:"lost_days"`
	Restart       Summary `json:"restart_days"`
	Checkpointing Summary `json:"checkpointing_days"`
	Port          Summary `json:"port_days"`
	// Engineering is Port + Slowdown: the porting and maturation effort.
	Engineering   Summary   `json:"engineering_days"`
	Interruptions Summary   `json:"interruptions"`
	ByMode        []Summary `json:"by_mode"`
	SpareWaits    Summary   `json:"spare_waits"`
	// Effective is Productive ÷ Wall: the effective training time ratio.
	Effective Summary `json:"effective"`
	// Outcomes holds every seed, in seed order.
	Outcomes []Outcome `json:"-"`
}

// Simulate runs the job for opts.Seeds seeds and summarises the outcomes.
// It validates the whole job first: nothing runs on half-valid input.
func Simulate(j Job, opts Options) (Result, error) {
	if err := j.Validate(); err != nil {
		return Result{}, err
	}
	if opts.Seeds < 1 {
		return Result{}, fmt.Errorf("%w (got %d)", ErrNoSeeds, opts.Seeds)
	}
	if opts.Limit <= 0 {
		opts.Limit = DefaultLimit
	}
	typ := j.resolve(picker{})
	res := Result{Seeds: opts.Seeds, Seed: opts.Seed, Ranges: opts.Ranges, Closed: typ.closed()}
	for i := range opts.Seeds {
		f := typ
		if opts.Ranges {
			f = j.resolve(picker{r: sim.NewStream(opts.Seed, fmt.Sprintf("params/%d", i))})
		}
		fail := sim.NewStream(opts.Seed, fmt.Sprintf("failures/%d", i))
		which := sim.NewStream(opts.Seed, fmt.Sprintf("modes/%d", i))
		o, err := f.simulate(fail, which, f.limitTime(opts.Limit), opts.Stop)
		if err != nil {
			return Result{}, err
		}
		res.Outcomes = append(res.Outcomes, o)
		if opts.Progress != nil {
			opts.Progress(i+1, opts.Seeds)
		}
	}
	res.summarise(len(j.Modes))
	return res, nil
}

// limitTime is the wall-time cap: factor × the failure-free time.
func (f fixed) limitTime(factor float64) time.Duration {
	base := f.job.Work + f.maturation + units.Seconds(float64(f.job.Work/f.interval)+1)*(f.block+f.write)
	if f.job.Horizon > 0 {
		base = max(base, f.job.Horizon)
	}
	return dur(units.Seconds(factor) * base)
}

func (res *Result) summarise(modes int) {
	col := func(get func(Outcome) float64) Summary {
		xs := make([]float64, len(res.Outcomes))
		for i, o := range res.Outcomes {
			xs[i] = get(o)
		}
		return uncertain.Summarize(xs)
	}
	days := func(s units.Seconds) float64 { return s.Days() }
	res.Total = col(func(o Outcome) float64 { return days(o.Port + o.Wall) })
	res.Wall = col(func(o Outcome) float64 { return days(o.Wall) })
	res.Productive = col(func(o Outcome) float64 { return days(o.Productive) })
	res.Slowdown = col(func(o Outcome) float64 { return days(o.Slowdown) })
	res.Lost = col(func(o Outcome) float64 { return days(o.Lost) })
	res.Restart = col(func(o Outcome) float64 { return days(o.Restart) })
	res.Checkpointing = col(func(o Outcome) float64 { return days(o.Checkpointing) })
	res.Port = col(func(o Outcome) float64 { return days(o.Port) })
	res.Engineering = col(func(o Outcome) float64 { return days(o.Port + o.Slowdown) })
	res.Interruptions = col(func(o Outcome) float64 { return float64(o.Interruptions) })
	res.SpareWaits = col(func(o Outcome) float64 { return float64(o.SpareWaits) })
	res.Effective = col(func(o Outcome) float64 { return float64(o.Productive / o.Wall) })
	for k := range modes {
		res.ByMode = append(res.ByMode, col(func(o Outcome) float64 { return float64(o.ByMode[k]) }))
	}
	for _, o := range res.Outcomes {
		if o.Finished {
			res.Finished++
		}
	}
}
