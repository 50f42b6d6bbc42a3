package calc

import (
	"errors"
	"fmt"

	"chipgap/goodput"
	"chipgap/input"
	"chipgap/units"
)

// MaxRunEvents is the default bound on a whole run's simulated work:
// the seeds it simulates × goodput.EventBound of each cluster's job (a
// bound on one seed's interruptions). `chipgap web` refuses beyond it
// (max_sim_events) and `chipgap run` unless --yes: at about 0.3 to 4 µs
// an interruption it is a few seconds to a few minutes.
const MaxRunEvents = 5e7

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
// o.MaxEvents.
func (s RunSetup) admit(sides []RunSide, o RunOptions) error {
	for i, d := range sides {
		if err := s.stalled(d, i); err != nil {
			return err
		}
	}
	if o.MaxEvents <= 0 {
		return nil
	}
	seeds, events, bound := s.seedsRun(o.Checks), 0.0, 0.0
	for _, d := range sides {
		b := goodput.EventBound(d.Job)
		events += float64(seeds) * b
		bound = max(bound, b)
	}
	if events <= o.MaxEvents {
		return nil
	}
	what := fmt.Sprintf("%d seeds", seeds)
	if seeds != s.req.Seeds {
		what = fmt.Sprintf("%d seeds (%d and %d for the interval check)", seeds, s.req.Seeds, seeds-s.req.Seeds)
	}
	if len(sides) > 1 {
		what += fmt.Sprintf(" on each of %d clusters", len(sides))
	}
	fewer := "fewer seeds, chips or tokens, or a window (days)"
	if s.req.Days > 0 {
		fewer = "fewer seeds or chips, or a shorter window (days)"
	}
	want := fmt.Sprintf("%s × up to %.3g interruptions each is %.3g simulated events, over the limit of %.3g: want %s",
		what, bound, events, o.MaxEvents, fewer)
	if o.Lift != "" {
		want += "; " + o.Lift
	}
	return &input.Error{Field: "seeds", Value: s.req.Seeds, Want: want, Err: ErrEventLimit}
}

// stalled is the refusal of side i when it runs to completion (no
// window) and the closed form at the typical values makes no progress.
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
	return bad(field, d.Cluster.Chips, "on %d × %s (stack %s) an interruption comes every %s, faster than the job recovers and checkpoints: "+
		"the closed form finds no progress and the run never finishes; want fewer chips, a more reliable stack, "+
		"faster checkpoints (storage_bw, checkpoint async, interval), or a window of days to simulate",
		d.Cluster.Chips, d.Cluster.ChipID, d.Cluster.Stack, est.MTBI)
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
// its rate) and one checkpoint interval at its shortest (1 s, or the
// asynchronous write to storage). Shorter, the checkpoint interval has
// no room between its bounds, and a run is not a run.
func (r RunRequest) tooShort(d RunSide) error {
	rate := d.Throughput.TokensPerSec
	step := units.Seconds(float64(r.GlobalBatch) * float64(r.Seq) / rate)
	need, what := step, fmt.Sprintf("one optimizer step (%d × %d tokens)", r.GlobalBatch, r.Seq)
	if m := d.Job.MinInterval(); m > need {
		need, what = m, "one checkpoint interval at its shortest (1 s, or the background write of an asynchronous checkpoint)"
	}
	on := fmt.Sprintf("%d × %s at %.4g tokens/s", d.Cluster.Chips, d.Cluster.ChipID, rate)
	if h := units.Seconds(r.Days); h > 0 && h < need {
		return bad("days", fmt.Sprintf("%.3g (%v)", h.Days(), h), "on %s the run needs at least %v for %s; want a window of at least %.3g days", on, need, what, need.Days())
	}
	if w := d.Job.Work; w > 0 && w < need {
		return bad("tokens", r.Tokens, "on %s that is %v of compute, shorter than %s (%v); want at least %.4g tokens", on, w, what, need, float64(need)*rate)
	}
	return nil
}
