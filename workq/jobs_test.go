package workq

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"
)

// clock is a hand-moved time for a Jobs store.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestJobs(max int, ttl time.Duration) (*Jobs, *clock) {
	c := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	js := NewJobs(max, ttl)
	js.now = c.now
	return js, c
}

func quick(v any) func(context.Context, *Progress) (any, error) {
	return func(context.Context, *Progress) (any, error) { return v, nil }
}

func mustStart(t *testing.T, js *Jobs, fn func(context.Context, *Progress) (any, error)) *Job {
	t.Helper()
	j, err := js.Start("test", time.Minute, fn)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestJobsTTL: a job finished at t0 with a 10-minute TTL is kept by a
// new job started at exactly t0 + 10 min and evicted by one a moment
// later.
func TestJobsTTL(t *testing.T) {
	js, c := newTestJobs(10, 10*time.Minute)
	t0 := c.t
	a := mustStart(t, js, quick(1))
	<-a.Done()
	if st := a.Status(); !st.Finished.Equal(t0) || !st.Started.Equal(t0) || st.Result != 1 {
		t.Fatalf("job = %+v, want started and finished at %v with 1", st, t0)
	}
	c.t = t0.Add(10 * time.Minute)
	<-mustStart(t, js, quick(2)).Done()
	if _, ok := js.Get(a.ID()); !ok {
		t.Error("a job exactly one TTL old was dropped")
	}
	c.t = t0.Add(10*time.Minute + time.Nanosecond)
	mustStart(t, js, quick(3))
	if _, ok := js.Get(a.ID()); ok {
		t.Error("a job older than the TTL is still kept")
	}
}

// TestJobsFull: with room for two, two running jobs refuse a third; once
// both finished, a new job evicts the one that finished first.
func TestJobsFull(t *testing.T) {
	js, c := newTestJobs(2, time.Hour)
	release := make(chan struct{})
	blocked := func(context.Context, *Progress) (any, error) { <-release; return nil, nil }
	a, b := mustStart(t, js, blocked), mustStart(t, js, blocked)
	if _, err := js.Start("third", time.Minute, quick(0)); err != ErrJobsFull || js.Running() != 2 {
		t.Fatalf("third job with two running = %v (running %d), want ErrJobsFull, 2", err, js.Running())
	}
	release <- struct{}{}
	var first, second *Job
	select {
	case <-a.Done():
		first, second = a, b
	case <-b.Done():
		first, second = b, a
	}
	c.t = c.t.Add(time.Second)
	release <- struct{}{}
	<-second.Done()
	if js.Running() != 0 {
		t.Errorf("running %d, want 0", js.Running())
	}
	mustStart(t, js, quick(0))
	if _, ok := js.Get(first.ID()); ok {
		t.Error("the job finished first is still kept")
	}
	if _, ok := js.Get(second.ID()); !ok {
		t.Error("the job finished last was evicted")
	}
}

// TestJobStatus: a job's answer (a result, or an error and no result),
// its progress and its ID.
func TestJobStatus(t *testing.T) {
	js, _ := newTestJobs(4, time.Hour)
	ok := mustStart(t, js, func(_ context.Context, p *Progress) (any, error) {
		p.Set("steps", 10)
		p.Step(3)
		p.Step(4)
		return "fine", nil
	})
	bad := errors.New("bad")
	failed := mustStart(t, js, func(context.Context, *Progress) (any, error) { return "partial", bad })
	<-ok.Done()
	<-failed.Done()
	if st := ok.Status(); st.Result != "fine" || st.Err != nil || st.Progress != (Snapshot{Stage: "steps", Done: 7, Total: 10}) {
		t.Errorf("job = %+v, want fine with 7 of 10 steps", st)
	}
	if st := failed.Status(); st.Result != nil || st.Err != bad {
		t.Errorf("failed job = %+v, want the error and no result", st)
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(ok.ID()) || ok.ID() == failed.ID() || ok.Kind() != "test" {
		t.Errorf("IDs %q, %q (kind %q), want distinct 16 hex digits", ok.ID(), failed.ID(), ok.Kind())
	}
}

// TestJobsCancelAll ends every running job's context; a job's context
// also ends at its timeout.
func TestJobsCancelAll(t *testing.T) {
	js, _ := newTestJobs(4, time.Hour)
	wait := func(ctx context.Context, _ *Progress) (any, error) { <-ctx.Done(); return nil, ctx.Err() }
	j := mustStart(t, js, wait)
	js.CancelAll()
	<-j.Done()
	if err := j.Status().Err; err != context.Canceled {
		t.Errorf("cancelled job = %v, want context.Canceled", err)
	}
	j, _ = js.Start("short", time.Millisecond, wait)
	<-j.Done()
	if err := j.Status().Err; err != context.DeadlineExceeded {
		t.Errorf("job past its timeout = %v, want context.DeadlineExceeded", err)
	}
}

// TestJobCancel: Cancel ends one job's context and marks it; the others
// run on.
func TestJobCancel(t *testing.T) {
	js, _ := newTestJobs(4, time.Hour)
	wait := func(ctx context.Context, _ *Progress) (any, error) { <-ctx.Done(); return nil, ctx.Err() }
	a, b := mustStart(t, js, wait), mustStart(t, js, wait)
	a.Cancel()
	<-a.Done()
	if st := a.Status(); st.Err != context.Canceled || !st.Cancelled {
		t.Errorf("cancelled job: err %v, cancelled %v; want context.Canceled, true", st.Err, st.Cancelled)
	}
	select {
	case <-b.Done():
		t.Error("cancelling one job stopped another")
	default:
	}
	if st := b.Status(); st.Cancelled || !st.Finished.IsZero() {
		t.Errorf("the other job: %+v, want running and not cancelled", st)
	}
	js.CancelAll()
}

// TestProgress: nil ignores reports; Count keeps the last report, Reach
// the largest whatever the order; Set counts from zero again.
func TestProgress(t *testing.T) {
	var none *Progress
	none.Set("x", 1)
	none.Step(1)
	none.Reach(1, 1)
	none.Count(1, 1)
	var p Progress
	p.Count(5, 20)
	p.Count(3, 20)
	if s := p.Snapshot(); s != (Snapshot{Done: 3, Total: 20}) {
		t.Errorf("Count 5 then 3 of 20: %+v, want 3 of 20", s)
	}
	p.Reach(8, 20)
	p.Reach(5, 20)
	p.Reach(9, 20)
	if s := p.Snapshot(); s != (Snapshot{Done: 9, Total: 20}) {
		t.Errorf("Reach 8, 5, 9 of 20 after 3: %+v, want 9 of 20", s)
	}
	p.Set("next", 4)
	p.Step(1)
	if s := p.Snapshot(); s != (Snapshot{Stage: "next", Done: 1, Total: 4}) {
		t.Errorf("after Set and a step: %+v", s)
	}
}
