// Package goodput turns a training job's steady-state compute time into
// the wall-clock time of the whole run: failures, detection, restarts,
// node swaps, checkpoints and the engineering effort of the software
// stack, simulated over many seeds beside the closed-form approximation.
//
// # Model
//
// A Job needs Work seconds of compute at steady-state throughput (its
// token budget ÷ tokens per second: an input value, from the training
// estimator or from 6·N·D at an assumed MFU; this package never computes
// it). Its Chips are interrupted by independent Poisson processes, one per
// failure Mode, each with a rate per chip-hour (per package), so a job of n chips sees
// mode i at n·λ_i (modelling-references.md). An interruption costs its
// detection and restart time, plus a spare node swap (or a wait for a
// repaired node when no spare is ready), and, unless planned, the work
// since the last durable checkpoint. Interruptions strike at any time,
// during checkpoints and outages too: one during an outage extends the
// recovery to whichever of the two ends later (a short fault inside a long
// recovery costs nothing extra; Daly 2006 restarts the recovery instead,
// a slightly more pessimistic assumption).
//
// Checkpoints are taken every Interval of productive compute. A blocking
// checkpoint stops training for overhead + bytes ÷ storage bandwidth; an
// asynchronous one stops it only for the overhead and each chip's copy of
// its shard to host memory, and becomes durable once the background
// write (bytes ÷ storage bandwidth) ends. The interval defaults
// to Daly's optimum for the blocking cost and the unplanned MTBI. The last
// checkpoint is always a full, durable write.
//
// Engineering effort is kept out of every efficiency: Port is calendar
// time before the run, and while kernels mature throughput starts at
// 1 − InitialSlowdown and recovers linearly over Maturation of wall time.
//
// # Outputs
//
// Simulate runs seeds on the sim kernel and reports P10/P50/P90 of the
// total days and of their parts — productive compute, maturation
// slowdown, lost work, restarts, checkpointing, port — which sum exactly
// to the wall time of each seed; interruptions in all and by mode; and the
// effective training time ratio. Closed gives the expected run under the
// same model (Daly 2006's complete model, generalised to many modes,
// planned ones and async writes): the job is down a fraction
// 1 − e^(−Σλ_i·R_i) of the time (overlapping outages count once), up
// periods are exponential, and each keeps the checkpointed cycles it
// completes (E[K] = 1/(e^(λ(τ+δ_b)) − 1) of them; after a planned end all
// its work), so wall = up-time × stretch, stretch = e^(ΣλR)·τ ÷
// (λ·G·(τ + δ_b)) with G the work one up period keeps; maturation is
// approximated on wall time (compute kept is cf = τ/(stretch·(τ + δ_b))
// of it). NoProgress: the expected wall time reaches the simulation's cap
// (DefaultLimit × the failure-free time). DalyWall gives Daly's complete
// model with one mean outage; ClosedAt evaluates the closed form with
// every ranged input at a corner. The closed form assumes a spare is
// always ready; InRepair (swap rate × repair time, Little's law) says
// when it is not, and the simulation then queues swaps for repaired
// nodes. The simulation agrees with it from M ≫ τ to outages that
// outlast the MTBI (goodput_test.go).
//
// # Units and randomness
//
// Times are units.Seconds in the API and integer time.Duration inside the
// simulation; rates are per chip-hour. Every draw comes from
// sim.NewStream(seed, "failures/i" | "modes/i" | "params/i" (and "closed/i" for ClosedSamples)); the same
// seed gives the same bytes. With Options.Ranges each seed also draws
// every ranged input from a triangular distribution over [min, typ, max].
//
// # Reading guide
//
// model.go (the inputs and their validation), simulate.go (one seed),
// closedform.go (Young, Daly, the expected run, ClosedAt corners,
// ClosedSamples over the input ranges), run.go (many seeds), realize.go
// (ranges resolved to values), sweep.go (the interval checked by
// simulation), ramp.go (kernel maturation).
package goodput
