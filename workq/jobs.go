package workq

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Progress is what a long computation reports while it runs: Done of
// Total steps (plans evaluated, runs simulated), and a stage label. A nil
// *Progress ignores every report, so work that runs synchronously (no one
// polls it) passes nil.
type Progress struct {
	done  atomic.Int64
	total atomic.Int64
	stage atomic.Value // string
}

// Set records the total number of steps and the stage name, and counts
// from zero again.
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

// Count records that done of total steps are complete, for work that
// reports counts rather than steps; the last report wins.
func (p *Progress) Count(done, total int) {
	if p != nil {
		p.total.Store(int64(total))
		p.done.Store(int64(done))
	}
}

// Reach is Count for reports that may arrive out of order from several
// goroutines: done only grows.
func (p *Progress) Reach(done, total int) {
	if p == nil {
		return
	}
	p.total.Store(int64(total))
	for {
		cur := p.done.Load()
		if int64(done) <= cur || p.done.CompareAndSwap(cur, int64(done)) {
			return
		}
	}
}

// Snapshot is a Progress read at one moment.
type Snapshot struct {
	Stage       string
	Done, Total int64
}

// Snapshot reads p.
func (p *Progress) Snapshot() Snapshot {
	st, _ := p.stage.Load().(string)
	return Snapshot{Stage: st, Done: p.done.Load(), Total: p.total.Load()}
}

// Job is one asynchronous computation in a Jobs store.
type Job struct {
	id       string
	kind     string
	started  time.Time
	progress Progress
	cancel   context.CancelFunc
	done     chan struct{} // closed when finished
	stopped  atomic.Bool   // Cancel was called

	mu       sync.Mutex
	finished time.Time
	result   any
	err      error
}

// ID is the job's random identifier (16 hex digits).
func (j *Job) ID() string { return j.id }

// Kind is the label the job was started with.
func (j *Job) Kind() string { return j.kind }

// Done is closed when the job has finished.
func (j *Job) Done() <-chan struct{} { return j.done }

// Status is a job read at one moment. Finished is zero while the job
// runs; then Err or Result holds its answer. Cancelled says Cancel was
// called (the work may still finish before it notices).
type Status struct {
	Started, Finished time.Time
	Progress          Snapshot
	Result            any
	Err               error
	Cancelled         bool
}

// Status reads j.
func (j *Job) Status() Status {
	j.mu.Lock()
	defer j.mu.Unlock()
	return Status{Started: j.started, Finished: j.finished, Progress: j.progress.Snapshot(), Result: j.result, Err: j.err, Cancelled: j.stopped.Load()}
}

// Cancel asks the job to stop: its context ends, and the work returns
// when it next looks at it (the store keeps the job until it expires).
// Cancelling a finished job changes nothing but the flag.
func (j *Job) Cancel() {
	j.stopped.Store(true)
	j.cancel()
}

func (j *Job) finishedAt() time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.finished
}

// ErrJobsFull is Start's answer when the store is full of running jobs.
var ErrJobsFull = errors.New("workq: as many jobs as allowed are still running")

// Jobs keeps a bounded set of jobs: at most max, running or finished;
// finished ones expire after ttl, and the oldest finished one makes room
// for a new job when the store is full.
type Jobs struct {
	mu   sync.Mutex
	max  int
	ttl  time.Duration
	byID map[string]*Job
	now  func() time.Time // the clock; tests replace it
}

// NewJobs is an empty store.
func NewJobs(max int, ttl time.Duration) *Jobs {
	return &Jobs{max: max, ttl: ttl, byID: map[string]*Job{}, now: time.Now}
}

// Start runs fn on its own goroutine under a context that ends after
// timeout (or at CancelAll), handing it the job's Progress, and returns
// the job to poll; fn's answer becomes the job's Result or Err. Start
// fails with ErrJobsFull when max jobs are still running. fn's panics
// are its own: wrap it with Guard or Hold.
func (js *Jobs) Start(kind string, timeout time.Duration, fn func(ctx context.Context, p *Progress) (any, error)) (*Job, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	j := &Job{id: newJobID(), kind: kind, started: js.now(), cancel: cancel, done: make(chan struct{})}
	if err := js.add(j); err != nil {
		cancel()
		return nil, err
	}
	go func() {
		defer cancel()
		v, err := fn(ctx, &j.progress)
		j.mu.Lock()
		j.finished = js.now()
		if err != nil {
			j.err = err
		} else {
			j.result = v
		}
		j.mu.Unlock()
		close(j.done)
	}()
	return j, nil
}

// add registers j, evicting expired and, if needed, the oldest finished
// jobs; it fails when max jobs are still running.
func (js *Jobs) add(j *Job) error {
	js.mu.Lock()
	defer js.mu.Unlock()
	now := j.started
	var oldest *Job
	var oldestAt time.Time
	for id, x := range js.byID {
		fin := x.finishedAt()
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
		delete(js.byID, oldest.id)
	}
	if len(js.byID) >= js.max {
		return ErrJobsFull
	}
	js.byID[j.id] = j
	return nil
}

// Get finds a job by ID (expired and evicted jobs are gone).
func (js *Jobs) Get(id string) (*Job, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	j, ok := js.byID[id]
	return j, ok
}

// Running counts the jobs not yet finished.
func (js *Jobs) Running() int {
	js.mu.Lock()
	defer js.mu.Unlock()
	n := 0
	for _, j := range js.byID {
		if j.finishedAt().IsZero() {
			n++
		}
	}
	return n
}

// CancelAll ends every job's context (at shutdown).
func (js *Jobs) CancelAll() {
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
