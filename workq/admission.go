package workq

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// Admission queues long synchronous work (chipgap's synchronous gap
// report, seconds each) so that what it admits finishes in time. Without
// it every such request waited for a shared slot with its timeout counting
// the wait, and under load most of them ran out of time after work the
// server could never finish.
//
// Work is admitted only when the queue ahead of it plus its own run is
// expected to finish within admitMargin of the timeout; otherwise it is
// refused at once with a *Refusal saying when to retry. Admitted work
// waits for one of Slots slots, and its timeout starts when it starts
// running. The expected run time is a moving average of the runs that
// finished (AdmissionConfig.Estimate before the first).
type Admission struct {
	slots   chan struct{}
	timeout time.Duration
	cfg     AdmissionConfig

	mu      sync.Mutex
	waiting int           // admitted, not yet running
	running int           // holding a slot
	est     time.Duration // moving average of one run's time
	estAt   time.Time     // when est was last set (relax)
}

// AdmissionConfig sets up an Admission. The hooks, any of which may be
// nil, let a caller count what it decides (metrics); Queue is called
// under the admission's lock, so it must not call back into it.
type AdmissionConfig struct {
	// Slots is how many admitted runs go at once.
	Slots int
	// Timeout bounds one run, counted from its start.
	Timeout time.Duration
	// Estimate is the run time assumed before any run has finished.
	Estimate time.Duration

	Refused func()                     // a request was refused
	Queue   func(waiting, running int) // the queue changed
	Waited  func(time.Duration)        // an admitted run waited this long for its slot
	Ran     func(time.Duration)        // a run took this long
}

// admitMargin is the share of the timeout admission plans to use, so
// that a run a little slower than the average still finishes.
const admitMargin = 0.8

// NewAdmission is an empty queue.
func NewAdmission(c AdmissionConfig) *Admission {
	return &Admission{slots: make(chan struct{}, c.Slots), timeout: c.Timeout, est: c.Estimate, cfg: c}
}

// Refusal is Admit's answer when the queue could not finish the work in
// time: what the decision saw, and when to try again.
type Refusal struct {
	Ahead    int           // runs admitted before this one (waiting or running)
	Estimate time.Duration // one run's expected time
	Timeout  time.Duration // one run's limit
	// TooLong: a run alone is expected to take longer than the timeout
	// allows, so retrying will not help. RetryAfter is then one estimate.
	TooLong    bool
	RetryAfter time.Duration // when the queue should have room (may be ≤ 0: at once)
}

func (r *Refusal) Error() string {
	if r.TooLong {
		return fmt.Sprintf("workq: a run takes about %v, more than the %v timeout allows", r.Estimate, r.Timeout)
	}
	return fmt.Sprintf("workq: %d runs ahead (about %v each) would not leave time within %v: retry after %v", r.Ahead, r.Estimate, r.Timeout, r.RetryAfter)
}

// Admit decides at once whether a run can finish within the timeout
// behind the runs already admitted: it returns the expected wait, or a
// *Refusal. An admission is then either Run or Withdrawn.
func (a *Admission) Admit() (time.Duration, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.relax(time.Now())
	ahead := a.waiting + a.running
	wait := a.waitFor(ahead)
	budget := a.budget()
	if wait+a.est > budget {
		if a.cfg.Refused != nil {
			a.cfg.Refused()
		}
		return 0, a.refusal(ahead, budget)
	}
	a.waiting++
	a.queueChanged()
	return wait, nil
}

// Withdraw takes back an admission that will not run (its request turned
// out bad before it started).
func (a *Admission) Withdraw() {
	a.mu.Lock()
	a.waiting--
	a.queueChanged()
	a.mu.Unlock()
}

// Load is how many admitted runs wait and how many run.
func (a *Admission) Load() (waiting, running int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.waiting, a.running
}

// Estimate is the expected time of one run.
func (a *Admission) Estimate() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.est
}

// relax lets an estimate above the initial one decay back towards it,
// halving the excess every timeout that passes with no run finishing
// (a.mu held). Without it one pathological run could raise the estimate
// over the budget, after which every run was refused as too long and
// none finished to bring it down again.
func (a *Admission) relax(now time.Time) {
	base := a.cfg.Estimate
	if a.est <= base || a.estAt.IsZero() || a.timeout <= 0 {
		a.estAt = now
		return
	}
	idle := now.Sub(a.estAt)
	if idle <= 0 {
		return
	}
	f := math.Exp2(-float64(idle) / float64(a.timeout))
	a.est = base + time.Duration(float64(a.est-base)*f)
	a.estAt = now
}

func (a *Admission) budget() time.Duration { return time.Duration(admitMargin * float64(a.timeout)) }

// queueChanged reports the queue (a.mu held).
func (a *Admission) queueChanged() {
	if a.cfg.Queue != nil {
		a.cfg.Queue(a.waiting, a.running)
	}
}

// waitFor is the expected wait of a run with ahead runs before it
// (running or queued): none while a slot is free, else the queue drains
// at cap(slots) runs per estimate.
func (a *Admission) waitFor(ahead int) time.Duration {
	r := cap(a.slots)
	if ahead < r {
		return 0
	}
	return time.Duration(ahead-r+1) * a.est / time.Duration(r)
}

// retryAfter is when a refused run would fit: once enough of the queue
// has drained, at cap(slots) runs per estimate (0 when a run alone takes
// longer than the budget).
func (a *Admission) retryAfter(ahead int, budget time.Duration) time.Duration {
	if a.est > budget {
		return 0
	}
	r := cap(a.slots)
	fits := max(0, int((budget-a.est)*time.Duration(r)/max(a.est, time.Millisecond))) + r - 1
	return time.Duration(ahead-fits) * a.est / time.Duration(r)
}

func (a *Admission) refusal(ahead int, budget time.Duration) *Refusal {
	retry := a.retryAfter(ahead, budget)
	r := &Refusal{Ahead: ahead, Estimate: a.est, Timeout: a.timeout, RetryAfter: retry}
	if retry <= 0 && a.est > budget {
		r.TooLong, r.RetryAfter = true, a.est
	}
	return r
}

// Run runs an admitted fn once a slot is free (ctx may end meanwhile:
// an *Interrupted, and the admission is withdrawn), under the timeout
// counted from its start, and folds its run time into the estimate.
func (a *Admission) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	queued := time.Now()
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		a.Withdraw()
		return interrupted(ctx)
	}
	start := time.Now()
	if a.cfg.Waited != nil {
		a.cfg.Waited(start.Sub(queued))
	}
	a.mu.Lock()
	a.waiting--
	a.running++
	a.queueChanged()
	a.mu.Unlock()
	defer func() {
		took := time.Since(start)
		if a.cfg.Ran != nil {
			a.cfg.Ran(took)
		}
		a.mu.Lock()
		a.running--
		// A run past the timeout was cut short (or ignored its
		// context): it counts as taking the timeout.
		if a.timeout > 0 {
			took = min(took, a.timeout)
		}
		a.est = (7*a.est + 3*took) / 10
		a.estAt = time.Now()
		a.queueChanged()
		a.mu.Unlock()
		<-a.slots
	}()
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	return fn(ctx)
}
