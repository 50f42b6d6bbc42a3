package goodput

import (
	"math"
	"math/rand/v2"

	"chipgap/hardware"
	"chipgap/uncertain"
	"chipgap/units"
)

// fixedMode is a Mode with every range resolved to one value.
type fixedMode struct {
	rate    float64 // interruptions per second for the whole job
	detect  units.Seconds
	restart units.Seconds
	swap    bool
	planned bool
}

// down is the outage of one interruption when a spare is ready at once.
func (m fixedMode) down(swap units.Seconds) units.Seconds {
	d := m.detect + m.restart
	if m.swap {
		d += swap
	}
	return d
}

// fixed is a Job with every range resolved: the typical values, or one
// Monte Carlo draw.
type fixed struct {
	job        Job
	modes      []fixedMode
	interval   units.Seconds // productive compute between checkpoints
	block      units.Seconds // blocking part of one checkpoint
	write      units.Seconds // background write after the block (async only)
	port       units.Seconds
	slow       float64
	maturation units.Seconds
}

// Corner selects where in every input range a closed-form estimate
// sits: the typical values, or every input at the same percentile of its
// triangular distribution over [min, typ, max].
type Corner int

// Corners of the input ranges. Every ranged input of a Job is better
// lower (rates, detection, restart, porting, slowdown, maturation), so
// Low, each input at its 10th percentile, is the optimistic corner and
// High, each at its 90th, the pessimistic one. Min and Max take the
// bounds themselves: extreme corners, where every assumption is at its
// worst (or best) at once.
const (
	Typical Corner = iota
	Low
	High
	Min
	Max
)

// picker resolves ranges: a corner, or a triangular draw over
// [min, typ, max] when r is not nil.
type picker struct {
	r      *rand.Rand
	corner Corner
}

// pick returns one value of v. Validate has checked the range.
func pick[T ~float64](v hardware.Value[T], p picker) T {
	lo, hi := v.Min, v.Max
	if lo == 0 && hi == 0 {
		lo, hi = v.Typ, v.Typ
	}
	d, err := uncertain.FromRange(float64(lo), float64(v.Typ), float64(hi))
	switch {
	case err != nil:
		return v.Typ
	case p.r != nil:
		return T(d.Sample(p.r))
	case p.corner == Low:
		return T(d.Quantile(0.1))
	case p.corner == High:
		return T(d.Quantile(0.9))
	case p.corner == Min:
		return lo
	case p.corner == Max:
		return hi
	}
	return v.Typ
}

// resolve fixes every range of a validated job.
func (j Job) resolve(r picker) fixed {
	f := fixed{job: j}
	for _, m := range j.Modes {
		f.modes = append(f.modes, fixedMode{
			rate:    float64(pick(m.Rate, r)) * float64(j.Chips) / float64(units.Hour),
			detect:  pick(m.Detect, r),
			restart: pick(m.Restart, r),
			swap:    m.Swap,
			planned: m.Planned || m.Component == "planned",
		})
	}
	f.port = pick(j.Engineering.Port, r)
	f.slow = float64(pick(j.Engineering.InitialSlowdown, r))
	f.maturation = pick(j.Engineering.Maturation, r)
	c := j.Checkpoint
	f.block, f.write = c.blockTime(j.Chips), 0
	if c.Async {
		f.write = c.writeTime()
	}
	f.interval = c.Interval
	if f.interval <= 0 {
		f.interval = f.bestInterval()
	}
	return f
}

// writeTime is the time to write one checkpoint to storage.
func (c Checkpoint) writeTime() units.Seconds {
	if c.Bytes <= 0 {
		return 0
	}
	return c.StorageBW.Time(c.Bytes)
}

// blockTime is how long one checkpoint stops training: the fixed
// overhead plus the whole write when blocking, or plus each chip's copy
// of its shard to host memory when asynchronous.
func (c Checkpoint) blockTime(chips int) units.Seconds {
	switch {
	case !c.Async:
		return c.Overhead + c.writeTime()
	case c.Bytes <= 0:
		return c.Overhead
	}
	return c.Overhead + c.SnapshotBW.Time(c.Bytes/units.Bytes(chips))
}

// rates returns the job's interruption rate (per second): all modes, and
// the unplanned ones that lose work.
func (f fixed) rates() (all, unplanned float64) {
	for _, m := range f.modes {
		all += m.rate
		if !m.planned {
			unplanned += m.rate
		}
	}
	return all, unplanned
}

// bestInterval is Daly's optimum for the blocking cost, at least the
// background write time (an async write must finish before the next), at
// most the whole run.
func (f fixed) bestInterval() units.Seconds {
	_, lu := f.rates()
	tau := units.Seconds(math.Inf(1))
	if lu > 0 {
		tau = DalyInterval(f.block, units.Seconds(1/lu))
	}
	tau = max(tau, f.write, 1)
	if lim := f.limit(); lim > 0 {
		tau = min(tau, lim)
	}
	return tau
}

// limit is the longest meaningful interval: the run's work or horizon.
func (f fixed) limit() units.Seconds {
	switch {
	case f.job.Work > 0:
		return f.job.Work
	default:
		return f.job.Horizon
	}
}

// MinInterval is the shortest checkpoint interval the default and the
// sweep use: 1 s, or an asynchronous checkpoint's background write when
// longer (each write must end before the next). A run whose work or
// horizon is shorter leaves no interval room: Validate's bounds conflict.
func (j Job) MinInterval() units.Seconds {
	w := units.Seconds(0)
	if j.Checkpoint.Async {
		w = j.Checkpoint.writeTime()
	}
	return max(w, 1)
}
