// Package sim is chipgap's discrete-event simulation kernel: a small,
// general engine that the training-run (goodput) and serving (serve)
// simulations share.
//
// # Model
//
// Time is an integer: a time.Duration of nanoseconds since the start of the
// run (±292 years), never float seconds, so that arithmetic is exact and
// runs are reproducible. An Engine holds pending events, each an action (a
// func()) to run at an absolute time. Events fire in the order of
//
//  1. time (earliest first),
//  2. priority (lower Prio first at the same instant; e.g. give arrivals
//     a lower number than the batch step that should see them),
//  3. sequence (the order Schedule was called: FIFO among exact ties).
//
// An action may schedule further events (at or after Now) or cancel
// pending ones. Run drains the queue; RunUntil stops at a horizon and
// advances the clock to it; Stop ends a Run from inside an action.
//
// # Randomness
//
// The kernel itself draws no random numbers. Models take explicit streams
// from NewStream(seed, name): a math/rand/v2 PCG seeded by the run seed and
// a hash of the stream name, so each subsystem ("failures", "arrivals")
// has its own independent, reproducible stream and adding draws to one
// does not shift another. There is no global state anywhere in the package.
//
// # Observers
//
// Observe registers hooks called just before each event fires, with the
// event's time, priority, sequence and label; they are for tracing and
// metrics and must not schedule events.
//
// # Reading guide
//
// engine.go (Engine, Schedule, Run), queue.go (the typed binary heap),
// rand.go (streams and the exponential/lognormal draws models use).
//
// The API (New, Now, Schedule, ScheduleLabeled, After, Cancel, Run,
// RunUntil, Step, Stop, Pending, Fired, Observe, NewStream, Exp,
// LogNormal) is stable:
// serve and goodput both build on it.
package sim
