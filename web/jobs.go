package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"chipgap/workq"
)

// Progress is what a long computation reports while it runs
// (workq.Progress); nil when it runs synchronously.
type Progress = workq.Progress

type progressView struct {
	Stage string `json:"stage,omitempty"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
}

// jobView is the JSON a client polls: GET /api/jobs/{id}.
type jobView struct {
	ID       string       `json:"id"`
	Kind     string       `json:"kind"`
	State    string       `json:"state"` // running | cancelling | cancelled | done | failed
	Elapsed  float64      `json:"elapsed_s"`
	Progress progressView `json:"progress"`
	Result   any          `json:"result,omitempty"`
	Error    *jobError    `json:"error,omitempty"`
}

// jobError is a failed job's error: the JSON error a synchronous
// request would have had, with the status it would have had in status
// (docs/api.md, "Jobs and progress").
type jobError struct {
	Msg    string `json:"error"`
	Field  string `json:"field,omitempty"`
	Status int    `json:"status"`
}

// viewJob is j as the client sees it at now. A failed job's error is
// the *Error startJob classified. A job is cancelled only when the
// cancellation ended it: a DELETE that comes after it finished changes
// nothing (a failed job stays failed, with its error; a done one done).
func viewJob(j *workq.Job, now time.Time) jobView {
	st := j.Status()
	p := st.Progress
	v := jobView{ID: j.ID(), Kind: j.Kind(), State: "running", Progress: progressView{Stage: p.Stage, Done: p.Done, Total: p.Total}, Elapsed: now.Sub(st.Started).Seconds()}
	switch {
	case st.Cancelled && st.Finished.IsZero():
		v.State = "cancelling"
	case st.Err != nil:
		e, ok := st.Err.(*Error)
		if !ok { // startJob classifies every failure: not reached
			e = &Error{Status: http.StatusInternalServerError, Msg: "internal error"}
		}
		if st.Cancelled && e.cancelled {
			v.State = "cancelled"
			break
		}
		v.State, v.Error = "failed", &jobError{Msg: clientMessage(e.Msg), Field: clipEchoed(e.Field), Status: e.Status}
	case !st.Finished.IsZero():
		v.State, v.Result = "done", st.Result
	}
	if !st.Finished.IsZero() {
		v.Elapsed = st.Finished.Sub(st.Started).Seconds()
	}
	return v
}

// startJob runs fn in the background under JobTimeout, holding a compute
// slot while it works, and returns the job for the client to poll; a
// failure is classified once, as a request's would be.
func startJob[T any](s *Server, kind string, fn func(ctx context.Context, p *Progress) (T, error)) (*workq.Job, error) {
	j, err := s.jobs.Start(kind, s.limits.JobTimeout, func(ctx context.Context, p *Progress) (any, error) {
		v, err := runJob(ctx, s, kind, func(ctx context.Context) (T, error) { return fn(ctx, p) })
		if err != nil {
			return nil, s.classify(jobRequest(kind), err)
		}
		return v, nil
	})
	if err == workq.ErrJobsFull {
		return nil, &Error{Status: http.StatusTooManyRequests, Msg: fmt.Sprintf(
			"this server keeps at most %d jobs (max_jobs, see docs/api.md), running or finished within their time to live: wait for one to finish or expire", s.limits.MaxJobs)}
	}
	return j, err
}

// runJob runs a job's work holding a compute slot (workq.Hold): a panic
// is a logged 500, work cut short by the job timeout a 504.
func runJob[T any](ctx context.Context, s *Server, kind string, fn func(ctx context.Context) (T, error)) (T, error) {
	v, err := workq.Hold(ctx, s.gate, fn)
	if p, ok := err.(*workq.Panic); ok {
		s.logger().Error("panic in job", "kind", kind, "panic", p.Value)
		return v, &Error{Status: http.StatusInternalServerError, Msg: "internal error"}
	}
	return v, queueError(err)
}

// jobRequest is a stand-in request for logging job failures.
func jobRequest(kind string) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, "/api/jobs/"+kind, nil)
	return r
}

// handleJob is GET /api/jobs/{id}.
func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.job(r)
	if err == nil {
		writeJSON(w, http.StatusOK, viewJob(j, time.Now()))
	}
	return err
}

// job is the job the path's {id} names, or a 404.
func (s *Server) job(r *http.Request) (*workq.Job, error) {
	if j, ok := s.jobs.Get(r.PathValue("id")); ok {
		return j, nil
	}
	return nil, &Error{Status: http.StatusNotFound, Field: "id", Msg: "no job " + clipEchoed(r.PathValue("id")) + " (finished jobs expire; see docs/api.md)"}
}

// handleCancelJob is DELETE /api/jobs/{id}: the job stops at its next
// check of its context (within a second for every job kind) and its
// state becomes cancelled; the answer is the job as it stands. A job
// that has finished keeps its state.
func (s *Server) handleCancelJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.job(r)
	if err == nil {
		select {
		case <-j.Done():
		default:
			j.Cancel()
		}
		writeJSON(w, http.StatusAccepted, viewJob(j, time.Now()))
	}
	return err
}

// respondJobOrWait answers a long request: with ?async=1 it starts a job
// and returns 202 with the job to poll; otherwise it computes within the
// request's timeout and returns the result.
func respondJobOrWait[T any](s *Server, w http.ResponseWriter, r *http.Request, kind string, fn func(ctx context.Context, p *Progress) (T, error)) error {
	if isAsync(r) {
		j, err := startJob(s, kind, fn)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/jobs/"+j.ID())
		writeJSON(w, http.StatusAccepted, viewJob(j, time.Now()))
		return nil
	}
	v, err := compute(r.Context(), s, func(ctx context.Context) (T, error) { return fn(ctx, nil) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
