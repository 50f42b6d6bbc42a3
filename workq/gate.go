package workq

import (
	"context"
	"errors"
	"runtime/debug"
	"time"
)

// ErrWaitingFull is Acquire's answer when every slot is taken and the
// waiting room is full: the caller is refused at once rather than piling
// up behind the others.
var ErrWaitingFull = errors.New("workq: every slot is taken and the waiting room is full")

// Interrupted is the error of work whose context ended first: before it
// got a slot, or while it ran (whatever the work itself returned). Err
// is the context's error, context.DeadlineExceeded (a timeout) or
// context.Canceled (the caller left).
type Interrupted struct{ Err error }

func (e *Interrupted) Error() string { return "workq: interrupted: " + e.Err.Error() }
func (e *Interrupted) Unwrap() error { return e.Err }

// Timeout tells a deadline from a cancellation.
func (e *Interrupted) Timeout() bool { return errors.Is(e.Err, context.DeadlineExceeded) }

func interrupted(ctx context.Context) error { return &Interrupted{Err: ctx.Err()} }

// Panic is a panic recovered from work, as an error: the panic's value
// and the stack of the goroutine that panicked.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return "workq: panic in work" }

// Gate is a counting semaphore with a bounded waiting room: at most
// slots holders at once, and at most waiting callers blocked for a slot.
type Gate struct {
	slots   chan struct{}
	waiting chan struct{}
}

// NewGate is a gate of slots slots and a waiting room of waiting places.
func NewGate(slots, waiting int) *Gate {
	return &Gate{slots: make(chan struct{}, slots), waiting: make(chan struct{}, waiting)}
}

// Acquire takes a slot, waiting until ctx ends (an *Interrupted); it
// fails at once with ErrWaitingFull when no slot is free and the waiting
// room is full. A nil error obliges the caller to Release.
func (g *Gate) Acquire(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case g.waiting <- struct{}{}:
	default:
		return ErrWaitingFull
	}
	defer func() { <-g.waiting }()
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return interrupted(ctx)
	}
}

// Release gives back a slot taken by Acquire.
func (g *Gate) Release() { <-g.slots }

// Running is how many slots are held.
func (g *Gate) Running() int { return len(g.slots) }

// Waiting is how many callers wait for a slot.
func (g *Gate) Waiting() int { return len(g.waiting) }

// Do runs fn holding one of g's slots, under ctx limited to timeout
// (waiting for the slot included). fn runs on its own goroutine, so that
// Do returns as soon as ctx ends (an *Interrupted) even when fn does not
// stop; the slot is held until fn really returns, so abandoned work still
// counts against the gate and cannot pile up.
//
// A panic in fn is recovered: onPanic, if not nil, hears it on fn's
// goroutine (whether or not the caller still waits), and Do returns it
// as a *Panic.
func Do[T any](ctx context.Context, g *Gate, timeout time.Duration, fn func(context.Context) (T, error), onPanic func(*Panic)) (T, error) {
	var zero T
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := g.Acquire(ctx); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer g.Release()
		var res result
		defer func() {
			if p := recover(); p != nil {
				pe := &Panic{Value: p, Stack: debug.Stack()}
				if onPanic != nil {
					onPanic(pe)
				}
				res.err = pe
			}
			done <- res
		}()
		res.v, res.err = fn(ctx)
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-ctx.Done():
		return zero, interrupted(ctx)
	}
}

// Hold runs fn on the calling goroutine holding one of g's slots, as
// Guard does: Acquire's errors, a *Panic, an *Interrupted when ctx ended
// by the time fn returned, or fn's own result.
func Hold[T any](ctx context.Context, g *Gate, fn func(context.Context) (T, error)) (T, error) {
	if err := g.Acquire(ctx); err != nil {
		var zero T
		return zero, err
	}
	defer g.Release()
	return Guard(ctx, fn)
}

// Guard runs fn and turns a panic into a *Panic. When fn returns after
// ctx ended, its answer was cut short: the error is an *Interrupted,
// whatever fn returned (work that honours ctx often returns a partial
// result, nil, or the context's own error wrapped).
func Guard[T any](ctx context.Context, fn func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &Panic{Value: p, Stack: debug.Stack()}
		}
	}()
	v, err = fn(ctx)
	if ctx.Err() != nil {
		err = interrupted(ctx)
	}
	return v, err
}
