package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Admission control for the synchronous gap report (POST /api/report
// without ?async=1), the one request that takes seconds (about 1.4 s plus
// 1 ms a Monte Carlo sample on two cores). Without it, every report
// waited for a shared computation slot with the 15 s timeout counting the
// wait, so ten concurrent clients got 195 of 200 answers as 504s after
// 15 s of work the server could never finish.
//
// Now a report is admitted only when the queue ahead of it plus its own
// run is expected to finish within the request timeout; otherwise it is
// refused at once with 429 and a Retry-After computed from the queue, and
// pointed at ?async=1. An admitted report waits for one of MaxReports
// report slots, and its timeout starts when it starts running. The
// expected run time is a moving average of the reports that finished
// (3 s before the first).

// admission queues synchronous reports.
type admission struct {
	slots   chan struct{}
	timeout time.Duration
	metrics *metrics

	mu      sync.Mutex
	waiting int           // admitted, not yet running
	running int           // holding a slot
	est     time.Duration // moving average of one report's run time
}

// initialReportEstimate is the run time assumed before any report has
// finished: a little above one 1,000-sample report on two cores.
const initialReportEstimate = 3 * time.Second

// admitMargin is the share of the timeout admission plans to use, so
// that a report a little slower than the average still finishes.
const admitMargin = 0.8

func newAdmission(slots int, timeout time.Duration, m *metrics) *admission {
	return &admission{slots: make(chan struct{}, slots), timeout: timeout, est: initialReportEstimate, metrics: m}
}

// busyError is a 429 with Retry-After: the queue cannot finish this
// request within its timeout.
type busyError struct {
	err        *Error
	retryAfter time.Duration
}

func (b *busyError) Error() string { return b.err.Error() }

// admit decides at once whether a report can finish within the timeout
// behind the reports already admitted; it returns the expected wait.
func (a *admission) admit() (time.Duration, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ahead := a.waiting + a.running
	wait := a.waitFor(ahead)
	budget := time.Duration(admitMargin * float64(a.timeout))
	if wait+a.est > budget {
		a.metrics.reportRejected.Inc()
		return 0, a.refusal(ahead, a.retryAfter(ahead, budget))
	}
	a.waiting++
	a.metrics.reportQueue.Set(float64(a.waiting))
	return wait, nil
}

// withdraw takes back an admission whose request turned out bad (its
// body did not decode) before it ran.
func (a *admission) withdraw() {
	a.mu.Lock()
	a.waiting--
	a.metrics.reportQueue.Set(float64(a.waiting))
	a.mu.Unlock()
}

// retryAfter is when a refused report would fit: once enough of the
// queue has drained, at cap(slots) reports per estimate (0 when a report
// alone takes longer than the budget).
func (a *admission) retryAfter(ahead int, budget time.Duration) time.Duration {
	if a.est > budget {
		return 0
	}
	r := cap(a.slots)
	fits := max(0, int((budget-a.est)*time.Duration(r)/max(a.est, time.Millisecond))) + r - 1
	return time.Duration(ahead-fits) * a.est / time.Duration(r)
}

// waitFor is the expected wait of a report with ahead reports before it
// (running or queued): none while a slot is free, else the queue drains
// at cap(slots) reports per estimate.
func (a *admission) waitFor(ahead int) time.Duration {
	r := cap(a.slots)
	if ahead < r {
		return 0
	}
	return time.Duration(ahead-r+1) * a.est / time.Duration(r)
}

func (a *admission) refusal(ahead int, retry time.Duration) error {
	if retry <= 0 && a.est > time.Duration(admitMargin*float64(a.timeout)) {
		return &busyError{err: &Error{Status: http.StatusTooManyRequests, Msg: fmt.Sprintf(
			"a report takes about %.1f s here, more than this server's %.0f s request timeout allows: use POST /api/report?async=1 and poll the job (docs/api.md)",
			a.est.Seconds(), a.timeout.Seconds())}, retryAfter: a.est}
	}
	return &busyError{err: &Error{Status: http.StatusTooManyRequests, Msg: fmt.Sprintf(
		"%d reports ahead (about %.1f s each) would not leave this one time to finish within %.0f s: retry after %d s, or use POST /api/report?async=1 and poll the job (docs/api.md)",
		ahead, a.est.Seconds(), a.timeout.Seconds(), retrySeconds(retry))}, retryAfter: retry}
}

// retrySeconds is a Retry-After value: whole seconds, at least 1.
func retrySeconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// run waits for a slot (the client may leave meanwhile), then runs fn
// under the request timeout counted from now, and folds its run time
// into the estimate.
func (a *admission) run(ctx context.Context, fn func(ctx context.Context) error) error {
	queued := time.Now()
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		a.mu.Lock()
		a.waiting--
		a.metrics.reportQueue.Set(float64(a.waiting))
		a.mu.Unlock()
		return timeoutError(ctx)
	}
	start := time.Now()
	a.metrics.reportWait.Observe(start.Sub(queued).Seconds())
	a.mu.Lock()
	a.waiting--
	a.running++
	a.metrics.reportQueue.Set(float64(a.waiting))
	a.metrics.reportRunning.Set(float64(a.running))
	a.mu.Unlock()
	defer func() {
		took := time.Since(start)
		a.metrics.reportDuration.Observe(took.Seconds())
		a.mu.Lock()
		a.running--
		a.est = (7*a.est + 3*took) / 10
		a.metrics.reportRunning.Set(float64(a.running))
		a.mu.Unlock()
		<-a.slots
	}()
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	return fn(ctx)
}

// admitReport decides a synchronous report's admission before its body
// is read: admission depends on the queue alone, so a busy server
// refuses without decoding, and a burst of requests cannot all pass
// while their bodies decode. The caller withdraws the admission if the
// body turns out bad, or runs it with reportSync.
func admitReport(s *Server, w http.ResponseWriter) error {
	decided := time.Now()
	_, err := s.admission.admit()
	s.metrics.admissionLatency.Observe(time.Since(decided).Seconds())
	if err != nil {
		return refuse(w, err)
	}
	return nil
}

// reportSync runs an admitted synchronous report (admitReport).
func reportSync[T any](s *Server, w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, p *Progress) (T, error)) error {
	var v T
	err := s.admission.run(r.Context(), func(ctx context.Context) error {
		var err error
		v, err = runGuarded(ctx, s, func(ctx context.Context) (T, error) { return fn(ctx, nil) })
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// runGuarded runs fn on its own goroutine so that a timeout answers at
// once, turning a panic into a logged 500; the caller's slot is held
// until fn really returns (the goroutine's own deferred release is the
// caller's job: run waits for it below).
func runGuarded[T any](ctx context.Context, s *Server, fn func(ctx context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() {
			if p := recover(); p != nil {
				s.logger().Error("panic in computation", "panic", fmt.Sprint(p))
				res.err = &Error{Status: http.StatusInternalServerError, Msg: "internal error (logged on the server)"}
			}
			done <- res
		}()
		res.v, res.err = fn(ctx)
	}()
	res := <-done // the report honours ctx: it stops soon after the deadline
	if ctx.Err() != nil {
		// Cut short: whatever the computation returned (nil, or the
		// context's own error wrapped), the answer is a timeout, not a 500.
		return res.v, timeoutError(ctx)
	}
	return res.v, res.err
}

// refuse answers a busy server's refusal: the error, with Retry-After.
func refuse(w http.ResponseWriter, err error) error {
	if be, ok := err.(*busyError); ok {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(be.retryAfter)))
		return be.err
	}
	return err
}
