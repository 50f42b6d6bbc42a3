package calc

import (
	"errors"
	"fmt"

	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/units"
)

// MaxRunEvents is the default bound on a whole run's simulated work:
// the seeds it simulates × goodput.EventBound of each cluster's job (a
// bound on the events one seed fires: interruptions and checkpoint
// cycles; a seed fires about half of it). `chipgap web` refuses beyond
// it (max_sim_events) and `chipgap run` unless --yes: at 0.15 to 0.25 µs
// an event (2 cores), about 10 s. Until the bound counted checkpoint
// cycles it was 5e7 interruptions, and a 1 ms interval passed it.
const MaxRunEvents = 1e8

// ErrEventLimit classes the refusal of a run over RunOptions.MaxEvents.
var ErrEventLimit = errors.New("over the simulated-event limit")

// seedsRun is how many seeds Run simulates per cluster: the request's,
// and with the checks the interval check's three points.
func (s RunSetup) seedsRun(checks bool) int {
	n := s.req.Seeds
	if checks {
		n += 3 * min(s.req.Seeds, sweepSeeds)
	}
	return n
}

// admit refuses, before anything is simulated, a run to completion that
// the closed form finds never finishes (it would simulate every seed to
// its cap of 50 × the failure-free time, millions of interruptions on a
// large cluster, to say so), and a run whose simulated work is over
// o.MaxEvents: on each side, the seeds × goodput.EventBound of its job,
// and with the checks the interval check's seeds × the bound of its job
// at each of sweepFactors × the Daly interval.
func (s RunSetup) admit(sides []RunSide, o RunOptions) error {
	for i, d := range sides {
		if err := s.stalled(d, i); err != nil {
			return err
		}
	}
	if o.MaxEvents <= 0 {
		return nil
	}
	var b eventBudget
	for _, d := range sides {
		e := goodput.EventBound(d.Job, s.req.Ranges)
		b.run += float64(s.req.Seeds) * e.Total()
		if e.Total() > b.worst.Total() {
			b.worst = e
		}
		if !o.Checks {
			continue
		}
		jobs, err := goodput.SweepJobs(d.Job, sweepFactors)
		if err != nil {
			return err
		}
		for _, jk := range jobs {
			b.check += float64(min(s.req.Seeds, sweepSeeds)) * goodput.EventBound(jk, false).Total()
		}
	}
	if b.run+b.check <= o.MaxEvents {
		return nil
	}
	return s.overLimit(b, len(sides), o)
}

// eventBudget is a run's simulated events: the seeds' (run), the
// interval check's (check), and the larger side's bound on one seed.
type eventBudget struct {
	run, check float64
	worst      goodput.Events
}

// overLimit is the refusal of a run whose events are over o.MaxEvents:
// naming interval where the request set one and its checkpoint cycles
// are most of the events, else seeds.
func (s RunSetup) overLimit(b eventBudget, sides int, o RunOptions) error {
	w := b.worst
	what := fmt.Sprintf("%d seeds × up to %.3g events each (%.3g interruptions, %.3g checkpoint cycles)", s.req.Seeds, w.Total(), w.Interruptions, w.Cycles)
	if sides > 1 {
		what += fmt.Sprintf(" on each of %d clusters", sides)
	}
	if b.check > 0 {
		what += fmt.Sprintf(", with the interval check's %d seeds at each of ½, 1 and 2 × Daly's interval,", min(s.req.Seeds, sweepSeeds))
	}
	fewer := "fewer seeds, chips or tokens, or a window (days)"
	if s.req.Days > 0 {
		fewer = "fewer seeds or chips, or a shorter window (days)"
	}
	field, value := "seeds", any(s.req.Seeds)
	if s.req.Interval > 0 && w.CyclesDrive() && b.run >= b.check {
		field, value = "interval", s.req.Interval
		fewer = "a longer interval (0: Daly's optimum), " + fewer
	}
	want := fmt.Sprintf("%s is %.3g simulated events, over the limit of %.3g: want %s", what, b.run+b.check, o.MaxEvents, fewer)
	if o.Lift != "" {
		want += "; " + o.Lift
	}
	return &input.Error{Field: field, Value: value, Want: want, Err: ErrEventLimit}
}

// stalled is the refusal of side i when it runs to completion (no
// window) and the closed form at the typical values makes no progress
// (its expected wall time is past the simulation's cap).
func (s RunSetup) stalled(d RunSide, i int) error {
	if s.req.Days > 0 {
		return nil // a window ends: its simulation is bounded and says how little was done
	}
	est, err := goodput.Closed(d.Job)
	if err != nil || !est.NoProgress {
		return err
	}
	field := "chips"
	if i > 0 {
		field = "vs_chips"
	}
	return bad(field, d.Cluster.Chips, "on %d × %s (stack %s) an interruption comes every %s, too often for the job to recover and checkpoint between them: "+
		"the closed form expects the run to take over %d × its failure-free time, where the simulation stops it, and it never finishes; "+
		"want fewer chips, a more reliable stack, faster checkpoints (storage_bw, checkpoint async, interval), or a window of days to simulate",
		d.Cluster.Chips, d.Cluster.ChipID, d.Cluster.Stack, est.MTBI, goodput.DefaultLimit)
}

// ticker turns goodput's per-Simulate progress into o.Simulated's count
// over the whole run (nil without it): each call of Simulate counts from
// 1, so a seed's number below the last one seen starts a new Simulate.
func (s RunSetup) ticker(sides int, o RunOptions) func(done, total int) {
	if o.Simulated == nil {
		return nil
	}
	total, base, last := sides*s.seedsRun(o.Checks), 0, 0
	return func(done, _ int) {
		if done <= last {
			base += last
		}
		last = done
		o.Simulated(base+done, total)
	}
}

// tooShort refuses a window (days) or a token budget shorter than what
// one side's run needs: one optimizer step (global_batch × seq tokens at
// its rate) and the shortest checkpoint interval (1 s, or the
// asynchronous write to storage). Shorter, the checkpoint interval has
// no room between its bounds, and a run is not a run.
func (r RunRequest) tooShort(d RunSide) error {
	f := stepFloor(r.GlobalBatch, r.Seq, d.Cluster, d.Throughput.TokensPerSec)
	if m := d.Job.MinInterval(); m > f.need {
		f.need, f.what, f.least = m, "the shortest checkpoint interval, 1 s or the background write of an asynchronous checkpoint", float64(m)*f.rate
	}
	if h := units.Seconds(r.Days); h > 0 && h < f.need {
		return bad("days", fmt.Sprintf("%.3g (%v)", h.Days(), h), "on %s the run needs at least %v for %s; want a window of at least %.3g days", f.on, f.need, f.what, f.need.Days())
	}
	return f.tokens(r.Tokens, float64(r.Tokens))
}

// budgetFloor is the least compute a token budget must buy: need, for
// what, on a cluster at a rate (on says both), and the least tokens that
// buy it.
type budgetFloor struct {
	need  units.Seconds
	what  string
	on    string
	rate  float64
	least float64
}

// stepFloor is one optimizer step of batch × seq tokens at rate tokens/s
// on cl: the floor `chipgap run` and `train` hold a token budget to.
func stepFloor(batch, seq int, cl hardware.Cluster, rate float64) budgetFloor {
	step := float64(batch) * float64(seq)
	return budgetFloor{need: units.Seconds(step / rate), what: fmt.Sprintf("one optimizer step of %d × %d tokens", batch, seq),
		on: fmt.Sprintf("%s at %.4g tokens/s", clusterText(cl), rate), rate: rate, least: step}
}

// tokens refuses a budget (value: as given) of fewer tokens than the
// floor; 0 is no budget. The tokens are compared, not their compute: a
// budget of 1e-320 tokens has 0 s of compute, which read as no budget
// (QA: the API took it, and run refused "work = 0 ns").
func (f budgetFloor) tokens(value any, tokens float64) error {
	if tokens > 0 && tokens < f.least {
		work := units.Seconds(tokens / f.rate)
		return bad("tokens", value, "on %s that is %v of compute, shorter than %s (%v); want at least %.4g tokens", f.on, work, f.what, f.need, f.least)
	}
	return nil
}
