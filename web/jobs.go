package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Progress is what a long computation reports while it runs: Done of
// Total steps (plans evaluated, runs simulated), and a stage label.
type Progress struct {
	done  atomic.Int64
	total atomic.Int64
	stage atomic.Value // string
}

// Set records the total number of steps and the stage name.
func (p *Progress) Set(stage string, total int) {
	if p == nil {
		return
	}
	p.stage.Store(stage)
	p.total.Store(int64(total))
	p.done.Store(0)
}

// Step adds n completed steps.
func (p *Progress) Step(n int) {
	if p != nil {
		p.done.Add(int64(n))
	}
}

type progressView struct {
	Stage string `json:"stage,omitempty"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
}

func (p *Progress) view() progressView {
	st, _ := p.stage.Load().(string)
	return progressView{Stage: st, Done: p.done.Load(), Total: p.total.Load()}
}

// job is one asynchronous computation.
type job struct {
	ID       string
	Kind     string
	started  time.Time
	progress Progress
	cancel   context.CancelFunc

	mu       sync.Mutex
	finished time.Time
	result   any
	err      *Error
}

// jobView is the JSON a client polls: GET /api/jobs/{id}.
type jobView struct {
	ID       string       `json:"id"`
	Kind     string       `json:"kind"`
	State    string       `json:"state"` // running | done | failed
	Elapsed  float64      `json:"elapsed_s"`
	Progress progressView `json:"progress"`
	Result   any          `json:"result,omitempty"`
	Error    *Error       `json:"error,omitempty"`
}

func (j *job) view(now time.Time) jobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := jobView{ID: j.ID, Kind: j.Kind, State: "running", Progress: j.progress.view(), Elapsed: now.Sub(j.started).Seconds()}
	switch {
	case j.err != nil:
		v.State, v.Error = "failed", j.err
	case !j.finished.IsZero():
		v.State, v.Result = "done", j.result
	}
	if !j.finished.IsZero() {
		v.Elapsed = j.finished.Sub(j.started).Seconds()
	}
	return v
}

// jobs keeps a bounded set of jobs: at most max, finished ones expiring
// after ttl.
type jobs struct {
	mu   sync.Mutex
	max  int
	ttl  time.Duration
	byID map[string]*job
}

func newJobs(max int, ttl time.Duration) *jobs {
	return &jobs{max: max, ttl: ttl, byID: map[string]*job{}}
}

var errTooManyJobs = &Error{Status: http.StatusTooManyRequests, Msg: "too many jobs running; wait for one to finish (see limits in docs/api.md)"}

// add registers j, evicting expired and, if needed, the oldest finished
// jobs; it fails when max jobs are still running.
func (js *jobs) add(j *job, now time.Time) error {
	js.mu.Lock()
	defer js.mu.Unlock()
	var oldest *job
	var oldestAt time.Time
	for id, x := range js.byID {
		x.mu.Lock()
		fin := x.finished
		x.mu.Unlock()
		if fin.IsZero() {
			continue
		}
		if now.Sub(fin) > js.ttl {
			delete(js.byID, id)
			continue
		}
		if oldest == nil || fin.Before(oldestAt) {
			oldest, oldestAt = x, fin
		}
	}
	if len(js.byID) >= js.max && oldest != nil {
		delete(js.byID, oldest.ID)
	}
	if len(js.byID) >= js.max {
		return errTooManyJobs
	}
	js.byID[j.ID] = j
	return nil
}

func (js *jobs) get(id string) (*job, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	j, ok := js.byID[id]
	return j, ok
}

// running counts the jobs not yet finished.
func (js *jobs) running() int {
	js.mu.Lock()
	defer js.mu.Unlock()
	n := 0
	for _, j := range js.byID {
		j.mu.Lock()
		if j.finished.IsZero() {
			n++
		}
		j.mu.Unlock()
	}
	return n
}

func (js *jobs) cancelAll() {
	js.mu.Lock()
	defer js.mu.Unlock()
	for _, j := range js.byID {
		j.cancel()
	}
}

func newJobID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// startJob runs fn in the background under JobTimeout, holding a compute
// slot while it works, and returns the job for the client to poll.
func startJob[T any](s *Server, kind string, fn func(ctx context.Context, p *Progress) (T, error)) (*job, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.limits.JobTimeout)
	j := &job{ID: newJobID(), Kind: kind, started: time.Now(), cancel: cancel}
	if err := s.jobs.add(j, j.started); err != nil {
		cancel()
		return nil, err
	}
	go func() {
		defer cancel()
		v, err := runJob(ctx, s, j, fn)
		j.mu.Lock()
		defer j.mu.Unlock()
		j.finished = time.Now()
		if err != nil {
			j.err = s.classify(jobRequest(kind), err)
			return
		}
		j.result = v
	}()
	return j, nil
}

func runJob[T any](ctx context.Context, s *Server, j *job, fn func(ctx context.Context, p *Progress) (T, error)) (v T, err error) {
	if err := s.gate.acquire(ctx); err != nil {
		return v, err
	}
	defer s.gate.release()
	defer func() {
		if p := recover(); p != nil {
			s.logger().Error("panic in job", "kind", j.Kind, "panic", p)
			err = &Error{Status: http.StatusInternalServerError, Msg: "internal error"}
		}
	}()
	v, err = fn(ctx, &j.progress)
	if ctx.Err() != nil {
		err = timeoutError(ctx) // cut short: a timeout, whatever fn returned
	}
	return v, err
}

// jobRequest is a stand-in request for logging job failures.
func jobRequest(kind string) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, "/api/jobs/"+kind, nil)
	return r
}

// handleJob is GET /api/jobs/{id}.
func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) error {
	j, ok := s.jobs.get(r.PathValue("id"))
	if !ok {
		return &Error{Status: http.StatusNotFound, Field: "id", Msg: "no job " + r.PathValue("id") + " (finished jobs expire; see docs/api.md)"}
	}
	writeJSON(w, http.StatusOK, j.view(time.Now()))
	return nil
}

// respondJobOrWait answers a long request: with ?async=1 it starts a job
// and returns 202 with the job to poll; otherwise it computes within the
// request's timeout and returns the result.
func respondJobOrWait[T any](s *Server, w http.ResponseWriter, r *http.Request, kind string, fn func(ctx context.Context, p *Progress) (T, error)) error {
	if r.URL.Query().Get("async") == "1" {
		j, err := startJob(s, kind, fn)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/jobs/"+j.ID)
		writeJSON(w, http.StatusAccepted, j.view(time.Now()))
		return nil
	}
	v, err := compute(r.Context(), s, func(ctx context.Context) (T, error) { return fn(ctx, nil) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
