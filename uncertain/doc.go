// Package uncertain turns sourced ranges into distributions and
// propagates them through a model by seeded Monte Carlo.
//
// Model. Each uncertain input is a Param: fixed, uniform, triangular,
// normal or lognormal. Catalog values carry min/typ/max; FromRange maps
// them to a triangular distribution with its mode at typ (the PERT-style
// default for "low, most likely, high" expert ranges), or to a fixed value
// when min = typ = max. A Trial is a function that asks a *Draw for its
// inputs by name and returns named outputs.
//
//   - Run(n, seed, trial) calls the trial n times and returns, per output,
//     Summary{P10, P50, P90, Mean, Min, Max, N}. Percentiles interpolate
//     linearly between order statistics at q·(n−1) (Hyndman–Fan type 7,
//     the default of R and NumPy).
//   - Tornado(trial, output) is a one-at-a-time sensitivity ranking: each
//     input goes from its P10 to its P90 with the others at Typ; the
//     output's swing |f(P90) − f(P10)| orders the inputs.
//
// Randomness. Every input has its own stream, Stream(seed, name): a
// math/rand/v2 PCG generator seeded with the run seed and the FNV-1a hash
// of the input's name. The same seed gives the same bytes, and adding an
// input to a model leaves the draws of the others unchanged. There is no
// global random state.
//
// Samplers. Uniform and triangular use the inverse CDF; normal uses
// rand.NormFloat64; lognormal is exp of a normal. Quantiles use
// math.Erfinv for the normal family. Each is a few lines, so the package
// needs no dependency (gonum's stat/distuv would add a module for what
// is here about 60 lines).
//
// Units: Params are plain float64 in whatever unit the caller uses (the
// base unit of the chipgap/units type the value belongs to).
//
// Sources: triangular and lognormal moments and inverse CDFs are the
// textbook ones (e.g. Evans, Hastings & Peacock, Statistical
// Distributions, 4th ed.); the tornado diagram is the standard
// one-at-a-time decision-analysis sensitivity plot (Howard 1988).
package uncertain
