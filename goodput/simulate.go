package goodput

import (
	"math"
	"math/rand/v2"
	"time"

	"chipgap/sim"
	"chipgap/units"
)

// Times is a run's wall time and where it went: Productive (compute
// that advanced the run), Slowdown (the extra compute while kernels
// mature), Lost (compute thrown away by interruptions), Restart
// (detection, swap and restart outages) and Checkpointing (time blocked
// on checkpoints) sum to Wall; Port, the calendar time before the run,
// is apart. The closed form (Estimate) and the simulation (Outcome)
// share it.
type Times struct {
	Wall          units.Seconds `json:"wall"`
	Productive    units.Seconds `json:"productive"`
	Slowdown      units.Seconds `json:"slowdown"`
	Lost          units.Seconds `json:"lost"`
	Restart       units.Seconds `json:"restart"`
	Checkpointing units.Seconds `json:"checkpointing"`
	Port          units.Seconds `json:"port"`
}

// Outcome is one simulated run (one seed): its Times, split exactly, and
// what interrupted it.
type Outcome struct {
	Times
	Interruptions int   `json:"interruptions"`
	ByMode        []int `json:"by_mode"`
	// SpareWaits counts swaps that found no spare node ready.
	SpareWaits int `json:"spare_waits"`
	// Finished is false when the run hit the wall-time cap (or horizon)
	// before its work was done.
	Finished bool `json:"finished"`
}

// phase is what the job is doing.
type phase int

const (
	computing phase = iota
	checkpointing
	down
	done
)

// Priorities at one instant: a phase ends before a failure strikes.
const (
	prioPhase   int8 = 0
	prioFailure int8 = 1
)

// runner is one seed's state.
type runner struct {
	f     fixed
	ramp  ramp
	e     *sim.Engine
	fail  *rand.Rand // arrival times
	which *rand.Rand // which mode
	out   Outcome

	state      phase
	since      time.Duration // when the current phase began
	work       float64       // steady-state seconds done, durable or not
	durable    float64       // work at the last durable checkpoint
	snap       float64       // work at the snapshot being written (async)
	final      bool          // the checkpoint in progress is the last
	wallAhead  float64       // compute wall since the in-flight snapshot
	wallBefore float64       // compute wall before it, not yet durable
	next       sim.Handle    // end of the current phase
	commit     sim.Handle    // async write becoming durable
	resumeAt   time.Duration
	spares     []time.Duration // when each spare node is ready
}

func dur(s units.Seconds) time.Duration {
	ns := float64(s) * 1e9
	if ns >= math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return time.Duration(math.Ceil(ns))
}

func secs(d time.Duration) units.Seconds { return units.Seconds(d.Seconds()) }

// pollEvents is how many events a seed fires between two calls of
// Options.Stop: at about 0.1–0.3 µs an event, a millisecond or so.
const pollEvents = 1 << 12

// simulate runs one seed of a resolved job until it finishes, the
// horizon passes, or the wall time reaches limit; stop, when set, is
// asked before the seed and every pollEvents events, and its error ends
// the seed.
func (f fixed) simulate(fail, which *rand.Rand, limit time.Duration, stop func() error) (Outcome, error) {
	r := &runner{f: f, ramp: ramp{f.slow, float64(f.maturation)}, e: sim.New(), fail: fail, which: which}
	var stopped error
	if stop != nil {
		if stopped = stop(); stopped != nil {
			return Outcome{}, stopped
		}
		n := 0
		r.e.Observe(func(sim.Event) {
			if n++; n%pollEvents == 0 && stopped == nil {
				if stopped = stop(); stopped != nil {
					r.e.Stop()
				}
			}
		})
	}
	r.out.ByMode = make([]int, len(f.modes))
	r.out.Port = f.port
	for range f.job.Spares.Nodes {
		r.spares = append(r.spares, 0)
	}
	r.scheduleFailure()
	r.startCompute()
	end := limit
	if f.job.Horizon > 0 {
		end = min(end, dur(f.job.Horizon))
	}
	r.e.RunUntil(end)
	if stopped != nil {
		return Outcome{}, stopped
	}
	if h := f.job.Horizon; h > 0 && r.e.Now() >= dur(h) {
		r.out.Finished = true // the window was simulated to its end
	}
	r.close()
	return r.out, nil
}

func (r *runner) now() float64 { return r.e.Now().Seconds() }

func (r *runner) scheduleFailure() {
	all, _ := r.f.rates()
	if all <= 0 {
		return
	}
	gap := sim.Exp(r.fail, dur(units.Seconds(1/all)))
	r.e.After(gap, prioFailure, r.onFailure)
}

// startCompute computes up to the next checkpoint mark (or the end).
func (r *runner) startCompute() {
	r.state, r.since = computing, r.e.Now()
	target := r.work + float64(r.f.interval)
	if r.f.job.Work > 0 {
		target = min(target, float64(r.f.job.Work))
	}
	at := r.ramp.inv(r.ramp.cum(r.now()) + target - r.work)
	r.next = r.e.Schedule(max(dur(units.Seconds(at)), r.e.Now()), prioPhase, func() { r.endCompute(target) })
}

func (r *runner) endCompute(target float64) {
	r.wallAhead += (r.e.Now() - r.since).Seconds()
	r.work = target
	r.final = r.f.job.Work > 0 && target >= float64(r.f.job.Work)
	block := r.f.block
	if r.final {
		block += r.f.write // the last checkpoint must be durable
	}
	r.state, r.since = checkpointing, r.e.Now()
	r.next = r.e.After(dur(block), prioPhase, r.endCheckpoint)
}

func (r *runner) endCheckpoint() {
	r.out.Checkpointing += secs(r.e.Now() - r.since)
	if r.f.write == 0 || r.final {
		r.durable, r.wallAhead, r.wallBefore = r.work, 0, 0
	} else {
		r.snap, r.wallBefore, r.wallAhead = r.work, r.wallAhead, 0
		r.commit = r.e.After(dur(r.f.write), prioPhase, func() { r.durable, r.wallBefore = r.snap, 0 })
	}
	if r.final {
		r.state = done
		r.out.Finished = true
		r.e.Stop()
		return
	}
	r.startCompute()
}

// onFailure handles an interruption of a randomly chosen mode.
func (r *runner) onFailure() {
	r.scheduleFailure()
	i := r.pickMode()
	m := r.f.modes[i]
	r.out.Interruptions++
	r.out.ByMode[i]++
	resume := r.e.Now() + dur(m.detect+m.restart) + r.swapWait(m)
	if r.state == down {
		if resume > r.resumeAt {
			r.e.Cancel(r.next)
			r.resumeAt = resume
			r.next = r.e.Schedule(resume, prioPhase, r.resume)
		}
		return
	}
	r.stop(m.planned)
	r.state, r.since, r.resumeAt = down, r.e.Now(), resume
	r.next = r.e.Schedule(resume, prioPhase, r.resume)
}

// stop ends the compute or checkpoint phase at an interruption. Planned
// ones follow a checkpoint, so all work is durable; otherwise the work
// since the last durable checkpoint is lost.
func (r *runner) stop(planned bool) {
	r.e.Cancel(r.next)
	r.e.Cancel(r.commit)
	elapsed := (r.e.Now() - r.since).Seconds()
	if r.state == computing {
		r.work += r.ramp.cum(r.now()) - r.ramp.cum(r.since.Seconds())
		r.wallAhead += elapsed
	} else {
		r.out.Checkpointing += units.Seconds(elapsed)
	}
	if planned {
		r.durable = r.work
	} else {
		r.out.Lost += units.Seconds(r.wallAhead + r.wallBefore)
		r.work = r.durable
	}
	r.wallAhead, r.wallBefore = 0, 0
}

func (r *runner) resume() {
	r.out.Restart += secs(r.e.Now() - r.since)
	r.startCompute()
}

func (r *runner) pickMode() int {
	all, _ := r.f.rates()
	x := r.which.Float64() * all
	for i, m := range r.f.modes {
		if x < m.rate {
			return i
		}
		x -= m.rate
	}
	return len(r.f.modes) - 1
}

// swapWait is the time to get a replacement node for a mode that needs
// one: the first spare to be ready (the failed node returns to the pool
// after Repair), or the repair itself when there are no spares.
func (r *runner) swapWait(m fixedMode) time.Duration {
	if !m.swap {
		return 0
	}
	sp := r.f.job.Spares
	now := r.e.Now()
	if len(r.spares) == 0 {
		r.out.SpareWaits++
		return dur(sp.Repair + sp.Swap)
	}
	k := 0
	for i, t := range r.spares {
		if t < r.spares[k] {
			k = i
		}
	}
	ready := max(r.spares[k], now)
	if ready > now {
		r.out.SpareWaits++
	}
	r.spares[k] = now + dur(sp.Repair)
	return ready - now + dur(sp.Swap)
}

// close settles the accounts at the end: the phase in progress is cut at
// Now, and Slowdown becomes compute wall minus kept work.
func (r *runner) close() {
	now := r.e.Now()
	switch r.state {
	case computing:
		r.work += r.ramp.cum(now.Seconds()) - r.ramp.cum(r.since.Seconds())
	case checkpointing:
		r.out.Checkpointing += secs(now - r.since)
	case down:
		r.out.Restart += secs(now - r.since)
	}
	r.out.Wall = secs(now)
	r.out.Productive = units.Seconds(r.work)
	// The compute wall not lost, minus the work it kept: a difference of
	// large sums, so a stack without maturation leaves rounding (±1e-10
	// days on a 70-day run), which is zero.
	r.out.Slowdown = r.out.Wall - r.out.Restart - r.out.Checkpointing - r.out.Lost - r.out.Productive
	if math.Abs(float64(r.out.Slowdown)) <= 1e-9*float64(r.out.Wall) {
		r.out.Slowdown = 0
	}
}
