package workq

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestGateWaitingRoom: with 1 slot and 2 waiting places, a holder and
// two waiters fill the gate and a fourth caller is refused at once;
// a release hands the slot to a waiter.
func TestGateWaitingRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(1, 2)
		if err := g.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 2)
		for range 2 {
			go func() { got <- g.Acquire(context.Background()) }()
		}
		synctest.Wait()
		if g.Running() != 1 || g.Waiting() != 2 {
			t.Fatalf("running %d, waiting %d; want 1 and 2", g.Running(), g.Waiting())
		}
		start := time.Now()
		if err := g.Acquire(context.Background()); err != ErrWaitingFull || time.Since(start) != 0 {
			t.Errorf("fourth caller = %v after %v, want ErrWaitingFull at once", err, time.Since(start))
		}
		g.Release()
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if g.Running() != 1 || g.Waiting() != 1 {
			t.Errorf("after one release: running %d, waiting %d; want 1 and 1", g.Running(), g.Waiting())
		}
		g.Release()
		<-got
		g.Release()
		if g.Running() != 0 || g.Waiting() != 0 {
			t.Errorf("all released: running %d, waiting %d", g.Running(), g.Waiting())
		}
	})
}

// TestGateInterrupted: a waiter whose context ends gets an *Interrupted
// that tells a deadline (exactly when it passed) from a cancellation,
// and leaves the waiting room.
func TestGateInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(1, 1)
		_ = g.Acquire(context.Background())
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := g.Acquire(ctx)
		var ie *Interrupted
		if !errors.As(err, &ie) || !ie.Timeout() || time.Since(start) != 50*time.Millisecond || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("waiter past its deadline = %v after %v, want a timeout after 50ms", err, time.Since(start))
		}
		ctx, cancel = context.WithCancel(context.Background())
		go func() { time.Sleep(time.Second); cancel() }()
		if err := g.Acquire(ctx); !errors.As(err, &ie) || ie.Timeout() {
			t.Errorf("cancelled waiter = %v, want an *Interrupted that is no timeout", err)
		}
		if g.Waiting() != 0 {
			t.Errorf("waiting %d after both left, want 0", g.Waiting())
		}
	})
}

// TestDoAbandoned: Do answers at the timeout, but the slot stays held
// until the work really returns.
func TestDoAbandoned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(1, 0)
		release := make(chan struct{})
		start := time.Now()
		_, err := Do(context.Background(), g, 10*time.Millisecond, func(ctx context.Context) (int, error) {
			<-release // ignores ctx
			return 1, nil
		}, nil)
		var ie *Interrupted
		if !errors.As(err, &ie) || !ie.Timeout() || time.Since(start) != 10*time.Millisecond {
			t.Fatalf("Do = %v after %v, want a timeout after 10ms", err, time.Since(start))
		}
		if g.Running() != 1 {
			t.Errorf("abandoned work holds %d slots, want 1", g.Running())
		}
		if _, err := Do(context.Background(), g, time.Second, func(context.Context) (int, error) { return 2, nil }, nil); err != ErrWaitingFull {
			t.Errorf("Do with the slot held and no waiting room = %v, want ErrWaitingFull", err)
		}
		close(release)
		synctest.Wait()
		if v, err := Do(context.Background(), g, time.Second, func(context.Context) (int, error) { return 3, nil }, nil); v != 3 || err != nil || g.Running() != 0 {
			t.Errorf("Do once the work returned = %d, %v (running %d); want 3, nil, 0", v, err, g.Running())
		}
	})
}

// TestDoPanic: a panic is handed to onPanic with its stack, returned as
// a *Panic, and frees the slot.
func TestDoPanic(t *testing.T) {
	g := NewGate(1, 0)
	var heard *Panic
	_, err := Do(context.Background(), g, time.Minute, func(context.Context) (int, error) { panic("kaboom") }, func(p *Panic) { heard = p })
	var pe *Panic
	if !errors.As(err, &pe) || pe.Value != "kaboom" || heard != pe || len(pe.Stack) == 0 {
		t.Errorf("Do of a panic = %v (heard %v), want *Panic kaboom with a stack, heard once", err, heard)
	}
	if g.Running() != 0 {
		t.Errorf("slot still held after the panic")
	}
}

// TestGuard: work that returns after its deadline was cut short, even
// with a nil error; a panic wins over the deadline; otherwise fn's own
// answer passes.
func TestGuard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		v, err := Guard(ctx, func(context.Context) (int, error) { time.Sleep(2 * time.Second); return 5, nil })
		var ie *Interrupted
		if !errors.As(err, &ie) || !ie.Timeout() || v != 5 {
			t.Errorf("late work = %d, %v; want its value and a timeout", v, err)
		}
		_, err = Guard(ctx, func(context.Context) (int, error) { panic(7) })
		var pe *Panic
		if !errors.As(err, &pe) || pe.Value != 7 {
			t.Errorf("panic after the deadline = %v, want *Panic 7", err)
		}
		mine := errors.New("mine")
		if _, err := Guard(context.Background(), func(context.Context) (int, error) { return 0, mine }); err != mine {
			t.Errorf("Guard = %v, want fn's error", err)
		}
	})
}

// TestHold: Hold takes and gives back a slot around fn.
func TestHold(t *testing.T) {
	g := NewGate(1, 0)
	v, err := Hold(context.Background(), g, func(context.Context) (int, error) {
		if g.Running() != 1 {
			t.Errorf("fn runs holding %d slots, want 1", g.Running())
		}
		return 4, nil
	})
	if v != 4 || err != nil || g.Running() != 0 {
		t.Errorf("Hold = %d, %v, running %d after; want 4, nil, 0", v, err, g.Running())
	}
	_ = g.Acquire(context.Background())
	if _, err := Hold(context.Background(), g, func(context.Context) (int, error) { return 0, nil }); err != ErrWaitingFull {
		t.Errorf("Hold with the gate full = %v, want ErrWaitingFull", err)
	}
}
