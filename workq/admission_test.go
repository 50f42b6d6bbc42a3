package workq

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestAdmitOneSlot: one slot, a 10 s timeout (budget 8 s) and runs of
// 2 s. A run with k ahead waits k × 2 s and then runs 2 s, so k = 0..3
// fit (waits 0, 2, 4, 6 s) and the fifth (k = 4: 8 + 2 > 8) is refused.
// Three more runs fit the budget behind the one running, 4 − 3 = 1 too
// many: retry after one run, 2 s.
func TestAdmitOneSlot(t *testing.T) {
	refused := 0
	a := NewAdmission(AdmissionConfig{Slots: 1, Timeout: 10 * time.Second, Estimate: 2 * time.Second, Refused: func() { refused++ }})
	for k, want := range []time.Duration{0, 2 * time.Second, 4 * time.Second, 6 * time.Second} {
		wait, err := a.Admit()
		if err != nil || wait != want {
			t.Fatalf("run %d = wait %v, %v; want %v", k+1, wait, err, want)
		}
	}
	_, err := a.Admit()
	var r *Refusal
	if !errors.As(err, &r) || r.TooLong || r.Ahead != 4 || r.RetryAfter != 2*time.Second || r.Estimate != 2*time.Second || r.Timeout != 10*time.Second {
		t.Fatalf("fifth run = %+v, want 4 ahead, retry after 2 s", err)
	}
	if w, run := a.Load(); w != 4 || run != 0 || refused != 1 {
		t.Errorf("queue %d waiting, %d running, %d refused; want 4, 0, 1", w, run, refused)
	}
	a.Withdraw()
	if _, err := a.Admit(); err != nil {
		t.Errorf("after a withdrawal the fifth fits: %v", err)
	}
}

// TestAdmitTwoSlots: two slots, 10 s timeout (budget 8 s), 3 s runs.
// The queue drains two runs per 3 s: k ahead waits 0, 0, then
// (k − 1) × 1.5 s = 1.5, 3, 4.5 s; k = 5 would wait 6 s + 3 > 8, refused.
// Behind the two running, ⌊(8 − 3) × 2 / 3⌋ = 3 more fit: 5 − 4 = 1 too
// many, retry after half a run, 1.5 s.
func TestAdmitTwoSlots(t *testing.T) {
	a := NewAdmission(AdmissionConfig{Slots: 2, Timeout: 10 * time.Second, Estimate: 3 * time.Second})
	for k, want := range []time.Duration{0, 0, 1500 * time.Millisecond, 3 * time.Second, 4500 * time.Millisecond} {
		if wait, err := a.Admit(); err != nil || wait != want {
			t.Fatalf("run %d = wait %v, %v; want %v", k+1, wait, err, want)
		}
	}
	_, err := a.Admit()
	var r *Refusal
	if !errors.As(err, &r) || r.Ahead != 5 || r.RetryAfter != 1500*time.Millisecond {
		t.Fatalf("sixth run = %v, want 5 ahead, retry after 1.5 s", err)
	}
}

// TestAdmitTooLong: a run expected to take 9 s cannot fit an 8 s budget
// even alone: refused at once as TooLong, retry after one estimate.
func TestAdmitTooLong(t *testing.T) {
	a := NewAdmission(AdmissionConfig{Slots: 1, Timeout: 10 * time.Second, Estimate: 9 * time.Second})
	_, err := a.Admit()
	var r *Refusal
	if !errors.As(err, &r) || !r.TooLong || r.Ahead != 0 || r.RetryAfter != 9*time.Second {
		t.Errorf("a run longer than the budget = %+v, want TooLong retry after 9 s", err)
	}
}

// TestAdmissionRun: with one slot the second run waits for the first
// (5 s), its timeout counts from its own start, and each run's time
// moves the estimate: 2 s → (7 × 2 + 3 × 5) / 10 = 2.9 s →
// (7 × 2.9 + 3 × 1) / 10 = 2.33 s. The hooks hear the queue, the wait
// and the run times.
func TestAdmissionRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var waited, ran []time.Duration
		var queue [][2]int
		a := NewAdmission(AdmissionConfig{Slots: 1, Timeout: 10 * time.Second, Estimate: 2 * time.Second,
			Queue:  func(w, r int) { queue = append(queue, [2]int{w, r}) },
			Waited: func(d time.Duration) { waited = append(waited, d) },
			Ran:    func(d time.Duration) { ran = append(ran, d) }})
		for range 2 {
			if _, err := a.Admit(); err != nil {
				t.Fatal(err)
			}
		}
		first := make(chan error)
		go func() {
			first <- a.Run(context.Background(), func(context.Context) error { time.Sleep(5 * time.Second); return nil })
		}()
		synctest.Wait()
		var deadline time.Time
		err := a.Run(context.Background(), func(ctx context.Context) error {
			deadline, _ = ctx.Deadline()
			time.Sleep(time.Second)
			return nil
		})
		if err != nil || <-first != nil {
			t.Fatal(err)
		}
		if want := time.Now().Add(-time.Second).Add(10 * time.Second); !deadline.Equal(want) {
			t.Errorf("second run's deadline %v, want 10 s after its start %v", deadline, want)
		}
		if a.Estimate() != 2330*time.Millisecond {
			t.Errorf("estimate %v, want 2.33 s", a.Estimate())
		}
		if len(waited) != 2 || waited[0] != 0 || waited[1] != 5*time.Second || len(ran) != 2 || ran[0] != 5*time.Second || ran[1] != time.Second {
			t.Errorf("waited %v, ran %v; want [0 5s], [5s 1s]", waited, ran)
		}
		want := [][2]int{{1, 0}, {2, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}
		if len(queue) != len(want) {
			t.Fatalf("queue %v, want %v", queue, want)
		}
		for i := range want {
			if queue[i] != want[i] {
				t.Fatalf("queue %v, want %v", queue, want)
			}
		}
	})
}

// TestAdmissionRunLeaves: a caller that leaves while queued is withdrawn
// and gets an *Interrupted that is no timeout.
func TestAdmissionRunLeaves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdmission(AdmissionConfig{Slots: 1, Timeout: 10 * time.Second, Estimate: time.Second})
		a.Admit()
		a.Admit()
		release := make(chan struct{})
		go a.Run(context.Background(), func(context.Context) error { <-release; return nil })
		synctest.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(time.Second); cancel() }()
		err := a.Run(ctx, func(context.Context) error { t.Error("ran after leaving"); return nil })
		var ie *Interrupted
		if !errors.As(err, &ie) || ie.Timeout() {
			t.Errorf("leaving while queued = %v, want a cancellation", err)
		}
		if w, r := a.Load(); w != 0 || r != 1 {
			t.Errorf("queue %d waiting, %d running; want 0, 1", w, r)
		}
		close(release)
	})
}

// TestAdmissionRecovers: a run past the timeout counts as the timeout
// (10 s), so one 40 s run moves a 2 s estimate to (7 × 2 + 3 × 10) / 10
// = 4.4 s, not 13.4 s. Four such runs (4.4, 6.08, 7.256, 8.0792 s) take
// it over the 8 s budget and the next run is refused as too long; with
// no run finishing, the excess over the initial 2 s halves every timeout,
// so 10 s later the estimate is 2 + 6.0792 / 2 = 5.0396 s and a run is
// admitted again (before, the refusal was for good: nothing ran to bring
// the estimate down).
func TestAdmissionRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdmission(AdmissionConfig{Slots: 1, Timeout: 10 * time.Second, Estimate: 2 * time.Second})
		slow := func(context.Context) error { time.Sleep(40 * time.Second); return nil }
		for i, want := range []time.Duration{4400 * time.Millisecond, 6080 * time.Millisecond, 7256 * time.Millisecond, 8079200 * time.Microsecond} {
			if _, err := a.Admit(); err != nil {
				t.Fatalf("run %d refused: %v", i, err)
			}
			if err := a.Run(context.Background(), slow); err != nil {
				t.Fatal(err)
			}
			if got := a.Estimate(); got != want {
				t.Fatalf("after run %d the estimate is %v, want %v", i, got, want)
			}
		}
		var r *Refusal
		if _, err := a.Admit(); !errors.As(err, &r) || !r.TooLong {
			t.Fatalf("over the budget: %v, want a TooLong refusal", err)
		}
		time.Sleep(10 * time.Second)
		if _, err := a.Admit(); err != nil {
			t.Fatalf("a timeout later: %v, want admitted", err)
		}
		if got := a.Estimate(); got != 5039600*time.Microsecond {
			t.Errorf("relaxed estimate %v, want 5.0396 s", got)
		}
	})
}
