package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"chipgap/workq"
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
// (3 s before the first). The queue and its estimate are
// workq.Admission; this file is their HTTP side: the metrics, the 429
// and its Retry-After, and the report's run.

// initialReportEstimate is the run time assumed before any report has
// finished: a little above one 1,000-sample report on two cores.
const initialReportEstimate = 3 * time.Second

// newAdmission is the report queue, feeding m.
func newAdmission(slots int, timeout time.Duration, m *metrics) *workq.Admission {
	return workq.NewAdmission(workq.AdmissionConfig{
		Slots: slots, Timeout: timeout, Estimate: initialReportEstimate,
		Refused: m.reportRejected.Inc,
		Queue: func(waiting, running int) {
			m.reportQueue.Set(float64(waiting))
			m.reportRunning.Set(float64(running))
		},
		Waited: func(d time.Duration) { m.reportWait.Observe(d.Seconds()) },
		Ran:    func(d time.Duration) { m.reportDuration.Observe(d.Seconds()) },
	})
}

// refusalError is the 429 of a report the queue cannot finish in time.
func refusalError(r *workq.Refusal) *Error {
	if r.TooLong {
		return &Error{Status: http.StatusTooManyRequests, Msg: fmt.Sprintf(
			"a report takes about %.1f s here, more than this server's %.0f s request timeout allows: use POST /api/report?async=1 and poll the job (docs/api.md)",
			r.Estimate.Seconds(), r.Timeout.Seconds())}
	}
	return &Error{Status: http.StatusTooManyRequests, Msg: fmt.Sprintf(
		"%d reports ahead (about %.1f s each) would not leave this one time to finish within %.0f s: retry after %d s, or use POST /api/report?async=1 and poll the job (docs/api.md)",
		r.Ahead, r.Estimate.Seconds(), r.Timeout.Seconds(), retrySeconds(r.RetryAfter))}
}

// retrySeconds is a Retry-After value: whole seconds, at least 1.
func retrySeconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// admitReport decides a synchronous report's admission once its body
// has been read (a client slow to send it holds no place in the queue)
// and before its scenario is parsed: admission depends on the queue
// alone, so a busy server refuses without parsing, and a burst of
// requests cannot all pass (each admission counts at once). The caller
// withdraws the admission if the request turns out bad, or runs it with
// reportSync.
func admitReport(s *Server, w http.ResponseWriter) error {
	decided := time.Now()
	_, err := s.admission.Admit()
	s.metrics.admissionLatency.Observe(time.Since(decided).Seconds())
	if err != nil {
		return refuse(w, err)
	}
	return nil
}

// reportSync runs an admitted synchronous report (admitReport) once a
// report slot is free, under the request timeout counted from then. A
// panic is a logged 500; a report cut short by the timeout a 504,
// whatever it returned.
func reportSync[T any](s *Server, w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, p *Progress) (T, error)) error {
	var v T
	err := s.admission.Run(r.Context(), func(ctx context.Context) error {
		var err error
		v, err = workq.Guard(ctx, func(ctx context.Context) (T, error) { return fn(ctx, nil) })
		if p, ok := err.(*workq.Panic); ok {
			s.logger().Error("panic in computation", "panic", fmt.Sprint(p.Value))
			if ctx.Err() != nil {
				return timeoutError(ctx)
			}
			return &Error{Status: http.StatusInternalServerError, Msg: "internal error (logged on the server)"}
		}
		return err
	})
	if err != nil {
		return queueError(err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// refuse answers a busy server's refusal: the error, with Retry-After.
func refuse(w http.ResponseWriter, err error) error {
	if rf, ok := err.(*workq.Refusal); ok {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(rf.RetryAfter)))
		return refusalError(rf)
	}
	return err
}
