package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// hugeBatch is a run whose requests all arrive at once and all finish
// together at the end (QA: every request on its own replica, 10,000
// output tokens each, at a rate of 10^9/s): no request completes, so
// Progress is not called, for its whole hundreds of millions of steps.
func hugeBatch() (Deployment, Workload) {
	p := testPool(2000, 10_000) // 160,000 tokens of KV: each request fits
	d := Deployment{Pools: []Pool{p}, Router: RoundRobin}
	w := Workload{Process: Poisson, Rate: 1e9, Requests: 2000, Seed: 1,
		Prompt: Lengths{Dist: Fixed, Mean: 10}, Output: Lengths{Dist: Fixed, Mean: 100_000}}
	return d, w
}

// TestStopEndsARunWithoutCompletions: Options.Stop is asked as events
// fire, not only as requests complete, so a run whose context ends
// 100 ms in returns the context's error promptly (QA: a serving
// simulation kept a core busy for 12 minutes past the server's timeout,
// and a cancelled job stayed cancelling 36 s, until 1 % of the requests
// completed). The bounds are generous for a loaded machine: unfixed, the
// run takes minutes.
func TestStopEndsARunWithoutCompletions(t *testing.T) {
	d, w := hugeBatch()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	progress := 0
	type outcome struct {
		err  error
		took time.Duration
	}
	done := make(chan outcome, 1)
	go func() {
		start := time.Now()
		_, err := Simulate(d, w, Options{Stop: ctx.Err, Progress: func(int, int) bool { progress++; return true }})
		done <- outcome{err, time.Since(start)}
	}()
	select {
	case o := <-done:
		if !errors.Is(o.err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the context's deadline", o.err)
		}
		if o.took > 3*time.Second {
			t.Errorf("returned after %v, want within a second or so of the 100 ms deadline", o.took)
		}
		t.Logf("stopped after %v (%d progress reports)", o.took, progress)
	case <-time.After(20 * time.Second):
		t.Fatal("run still going 20 s after its context ended at 100 ms")
	}
}

// TestStopAskedBeforeTheRun: a Stop that already fails ends the run
// before it starts, with its error.
func TestStopAskedBeforeTheRun(t *testing.T) {
	d := Deployment{Pools: []Pool{testPool(2, 500)}, Router: RoundRobin}
	want := errors.New("stopped")
	if _, err := Simulate(d, testWorkload(4, 100), Options{Stop: func() error { return want }}); err != want {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

// TestStopChangesNoResult: a run that Stop is asked in (every pollEvents
// events) and never ends is the same, byte for byte, as one without.
func TestStopChangesNoResult(t *testing.T) {
	d := Deployment{Pools: []Pool{testPool(3, 500)}, Router: LeastOutstanding}
	w := testWorkload(6, 2000)
	plain, err := Simulate(d, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	watched, err := Simulate(d, w, Options{Stop: func() error { asked++; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(plain)
	b, _ := json.Marshal(watched)
	if !bytes.Equal(a, b) {
		t.Errorf("results differ with Stop set:\n%s\n%s", a, b)
	}
	if asked < 2 {
		t.Errorf("Stop asked %d times, want before the run and as events fire", asked)
	}
}

// TestCapacityStops: CapacityOptions.Stop reaches every probe, and its
// error ends Capacity and Cheapest (a search of the huge batch's shape
// would otherwise run its probes to the end).
func TestCapacityStops(t *testing.T) {
	d := Deployment{Pools: []Pool{testPool(2, 500)}, Router: RoundRobin}
	w := testWorkload(1, 2000)
	want := errors.New("stopped")
	asked := 0
	o := CapacityOptions{SLO: SLO{TTFT: time.Second}, Stop: func() error {
		if asked++; asked > 3 {
			return want
		}
		return nil
	}}
	if _, _, err := Capacity(d, w, o); err != want {
		t.Fatalf("Capacity: err = %v, want Stop's", err)
	}
	asked = 0
	if _, err := Cheapest([]Candidate{{Name: "a", Unit: d}, {Name: "b", Unit: d}}, w, 5, o); err != want {
		t.Fatalf("Cheapest: err = %v, want Stop's", err)
	}
}
