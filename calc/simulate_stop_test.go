package calc

import (
	"context"
	"errors"
	"testing"
	"time"
)

// qaBurst is the QA's request, 50× smaller: a request on each replica,
// all at once (rate 10^9/s), 10,000 output tokens each, so none
// completes until the end of its 2 × 10^7 steps.
func qaBurst(t *testing.T) SimulateSetup {
	r := NewSimulateRequest()
	r.Chip, r.Model, r.Chips, r.Parallel.TP = "h100-sxm", "llama3.1-8b", 2000, 1
	r.Workload.Requests, r.Workload.Rate = 2000, 1e9
	r.Workload.Output.Tokens = 10_000 // fixed
	st, err := r.Setup(testCatalog(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSimulateStopsOnItsContext: SimulateOptions.Stop ends a run whose
// requests all complete at the end (Progress is not called in between)
// soon after the context ends, with its error; a sweep's later rates do
// not run. Generous bounds: unfixed, the run takes tens of seconds.
func TestSimulateStopsOnItsContext(t *testing.T) {
	st := qaBurst(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Simulate(st, SimulateOptions{Stop: ctx.Err})
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v after %v, want the context's deadline", err, took)
	}
	if took > 3*time.Second {
		t.Errorf("returned after %v, want within a second or so of the 100 ms deadline", took)
	}
}

// TestFindCapacityAndPlanStop: a failing Stop ends a capacity search
// and a plan with its error.
func TestFindCapacityAndPlanStop(t *testing.T) {
	want := errors.New("stopped")
	stop := func() error { return want }
	r := NewSimulateRequest()
	r.Chip, r.Model, r.SLO.TTFT = "h100-sxm", "llama3.1-8b", 2
	st, err := r.Setup(testCatalog(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FindCapacity(st, stop); err != want {
		t.Errorf("FindCapacity: err = %v, want Stop's", err)
	}
	p := NewSimulateRequest()
	p.Model, p.SLO.TTFT = "llama3.1-8b", 2
	p.Chip = ""
	if _, err := PlanDeployments(testCatalog(t), p, PlanOptions{Chips: []string{"h100-sxm"}, TP: []int{1}, Target: 5, Stop: stop}); err != want {
		t.Errorf("PlanDeployments: err = %v, want Stop's", err)
	}
}
