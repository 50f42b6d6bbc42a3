// Package workq is the concurrency policy of chipgap's HTTP server,
// apart from HTTP: how much work runs at once, how much may wait, how
// long it may take, and what becomes of work nobody waits for any more.
// Package web adapts its answers to status codes, headers and metrics;
// nothing here knows about requests.
//
// # Reading guide
//
//   - gate.go: Gate, a counting semaphore with a bounded waiting room
//     (ErrWaitingFull once it is full); Do runs work on its own goroutine
//     holding a slot under a timeout, returning at the deadline while the
//     slot stays held until the work really stops; Hold and Guard run
//     work on the caller's goroutine. Their errors: *Interrupted (the
//     context ended first, whatever the work returned) and *Panic (a
//     recovered panic).
//   - admission.go: Admission, the queue for long synchronous work, which
//     admits a run only when the runs ahead and its own expected time fit
//     within the timeout (a moving average of past runs), and otherwise
//     refuses at once with a *Refusal saying when to retry.
//   - jobs.go: Jobs, a bounded store of asynchronous jobs (at most max,
//     finished ones expiring after a TTL, the oldest finished one evicted
//     for room), each with its Progress, and random job IDs.
//
// Every limit is the caller's: web's Limits (docs/api.md) sets them.
package workq
