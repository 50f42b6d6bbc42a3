package sim

import (
	"fmt"
	"time"
)

// Event describes a scheduled event to observers.
type Event struct {
	At    time.Duration // when it fires
	Prio  int8          // lower fires first at the same At
	Seq   uint64        // scheduling order, unique per engine
	Label string        // optional, for tracing
}

// Handle identifies a scheduled event so that it can be cancelled.
// The zero Handle refers to no event.
type Handle struct {
	ev  *event
	seq uint64
}

// Observer is called just before each event fires.
type Observer func(Event)

// event is a pending action in the queue.
type event struct {
	Event
	fn    func()
	index int // position in the heap, -1 once fired or cancelled
}

// Engine is a discrete-event simulator. The zero value is ready to use,
// at time 0 with an empty queue. An Engine is not safe for concurrent use;
// run independent seeds on independent engines.
type Engine struct {
	now       time.Duration
	seq       uint64
	q         queue
	stopped   bool
	fired     uint64
	observers []Observer
}

// New returns an empty engine at time 0.
func New() *Engine { return &Engine{} }

// Now returns the current simulated time.
func (e *Engine) Now() time.Duration { return e.now }

// Pending returns the number of events waiting to fire.
func (e *Engine) Pending() int { return len(e.q) }

// Fired returns the number of events fired so far.
func (e *Engine) Fired() uint64 { return e.fired }

// Schedule arranges for fn to run at absolute time at, with priority prio.
// Scheduling in the past (at < Now) or a nil fn is a programming error
// and panics.
func (e *Engine) Schedule(at time.Duration, prio int8, fn func()) Handle {
	return e.ScheduleLabeled(at, prio, "", fn)
}

// ScheduleLabeled is Schedule with a label that observers see.
func (e *Engine) ScheduleLabeled(at time.Duration, prio int8, label string, fn func()) Handle {
	if at < e.now {
		panic(fmt.Sprintf("sim: Schedule at %v before now %v", at, e.now))
	}
	if fn == nil {
		panic("sim: Schedule with nil action")
	}
	e.seq++
	ev := &event{Event: Event{At: at, Prio: prio, Seq: e.seq, Label: label}, fn: fn}
	e.q.push(ev)
	return Handle{ev: ev, seq: ev.Seq}
}

// After schedules fn to run d after Now (d ≥ 0).
func (e *Engine) After(d time.Duration, prio int8, fn func()) Handle {
	return e.Schedule(e.now+d, prio, fn)
}

// Cancel removes a pending event. It reports whether the event was still
// pending (false for the zero Handle, or once it fired or was cancelled).
func (e *Engine) Cancel(h Handle) bool {
	if h.ev == nil || h.ev.Seq != h.seq || h.ev.index < 0 {
		return false
	}
	e.q.remove(h.ev.index)
	return true
}

// Observe registers an observer, called before each event fires.
func (e *Engine) Observe(o Observer) { e.observers = append(e.observers, o) }

// Stop makes the current Run or RunUntil return after the running action.
func (e *Engine) Stop() { e.stopped = true }

// Step fires the next event, if any, and reports whether one fired.
func (e *Engine) Step() bool {
	if len(e.q) == 0 {
		return false
	}
	ev := e.q.pop()
	e.now = ev.At
	for _, o := range e.observers {
		o(ev.Event)
	}
	e.fired++
	ev.fn()
	return true
}

// Run fires events until the queue is empty or an action calls Stop.
func (e *Engine) Run() {
	e.stopped = false
	for !e.stopped && e.Step() {
	}
}

// RunUntil fires every event with At ≤ horizon (unless an action calls
// Stop), then advances the clock to horizon if it is later than Now.
// Events after the horizon stay pending.
func (e *Engine) RunUntil(horizon time.Duration) {
	e.stopped = false
	for !e.stopped && len(e.q) > 0 && e.q[0].At <= horizon {
		e.Step()
	}
	if !e.stopped && horizon > e.now {
		e.now = horizon
	}
}
