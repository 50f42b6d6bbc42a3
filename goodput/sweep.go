package goodput

import (
	"fmt"

	"chipgap/input"
	"chipgap/units"
)

// SweepPoint is the simulated mean wall time at one checkpoint interval.
type SweepPoint struct {
	Factor   float64       `json:"factor"` // × the Daly interval
	Interval units.Seconds `json:"interval"`
	Wall     units.Days    `json:"wall_days_mean"`
	// Productive is the mean productive compute: the figure to
	// compare in horizon mode, where the wall time is the window.
	Productive units.Days `json:"productive_days_mean"`
	Finished   int        `json:"finished"`
}

// Sweep simulates the job at multiples of its Daly interval (each
// clipped to what Validate allows) and returns the mean wall time at
// each: a check, by simulation, of the closed-form optimum. Every point
// uses the same seeds.
func Sweep(j Job, factors []float64, opts Options) ([]SweepPoint, error) {
	jobs, err := SweepJobs(j, factors)
	if err != nil {
		return nil, err
	}
	var out []SweepPoint
	for i, jk := range jobs {
		k := factors[i]
		res, err := Simulate(jk, opts)
		if err != nil {
			return nil, fmt.Errorf("sweep at %g × Daly: %w", k, err)
		}
		out = append(out, SweepPoint{Factor: k, Interval: jk.Checkpoint.Interval, Wall: units.Days(res.Wall.Mean),
			Productive: units.Days(res.Productive.Mean), Finished: res.Finished})
	}
	return out, nil
}

// SweepJobs is the job Sweep simulates at each factor: its checkpoint
// interval factor × the Daly interval, at least 1 s and the background
// write, at most the run's work or horizon (what bounds its events).
func SweepJobs(j Job, factors []float64) ([]Job, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	j.Checkpoint.Interval = 0
	typ := j.resolve(picker{})
	var out []Job
	for _, k := range factors {
		if !(k > 0) {
			return nil, input.Bad("sweep factor", k, "want > 0")
		}
		jk := j
		jk.Checkpoint.Interval = max(units.Seconds(k)*typ.interval, j.Checkpoint.writeTime(), 1)
		if lim := typ.limit(); lim > 0 {
			jk.Checkpoint.Interval = min(jk.Checkpoint.Interval, lim)
		}
		out = append(out, jk)
	}
	return out, nil
}
