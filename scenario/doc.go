// Package scenario is chipgap's gap report engine: a scenario file
// (YAML, format chipgap-scenario/v1) says which systems to compare, on
// which training run and inference service, with which economics,
// engineering and strategy assumptions; Run resolves it against the
// catalog and computes every figure of the report with its range. It is
// the only package that knows about all the others.
//
// Reading guide: scenario.go (the file's schema), defaults.go (the
// built-in scenario: the essay's question on the catalog's data),
// load.go and validate.go (strict decoding, errors naming file, line and
// field), setup.go (plans and serving layouts searched once), trial.go
// (one Monte Carlo sample of one system), run.go and analysis.go
// (orchestration, gaps, strategy, tornado), supply.go (fab model).
//
// # Lifecycle
//
// Parse/Load decode strictly (unknown keys, wrong types and unit strings
// that do not parse are errors with the file, line and field path; a
// size stated as 0 or an empty systems list is one too, zerosStated),
// then WithDefaults fills every zero field, then Validate checks ranges
// and catalog ids (a *input.Error naming the path, which Parse turns into
// an *Error with the line). Default() is the built-in scenario.
//
// # Model
//
// Each system is a catalog chip in nodes of a scale-up size, on a
// software stack. Its training cluster fills whole nodes, as chipgap
// train and run require: the sizing's chips (equal-chips: the scenario's
// count; equal-peak: the baseline's peak FLOP/s) rounded to the nearest
// whole number of its nodes, or below one node the count itself in one
// partial node (16,384 equal chips are 43 CloudMatrix 384 supernodes,
// 16,512 chips; 64 are one domain of 64). Training: training.Search
// finds the fastest plan at typical values; goodput.Closed turns its steady-state time into the
// whole run with failures (catalog reliability.yaml), checkpoints and
// the stack's engineering effort (stacks-engineering.yaml). Serving: a
// small search over instance sizes and TP degrees (experts spread over
// the instance) keeps the layout with the most output tokens/s per chip
// that meets the SLO, colocated or as prefill and decode pools sized for
// the mix (inference.BestServing). Money and power: econ.OwnedHour
// with catalog econ.yaml (owned chips; rental rates are not used so
// that every chip is costed the same way).
//
// Monte Carlo: every input with a range (chip peaks, HBM bandwidth,
// TDP, price, scale-up bandwidth; failure rates, detection and restart
// times; porting and maturation; economics; a stack-efficiency
// calibration multiplier, a named assumption) is drawn from
// uncertain.FromRange by name, so inputs shared by two systems (the same
// chip, the same region) take the same value in a sample. Plans and
// layouts stay fixed; each sample re-runs training.Estimate on the plan,
// goodput.Closed, econ and inference.BestServing on the layout. Systems run in
// their own goroutines with the same seed; results do not depend on
// scheduling. Same seed, same bytes.
//
// Decomposition: a run's total time is steady-state days (throughput)
// + downtime (lost work, restarts, checkpoints) + engineering (porting
// and maturation slowdown), exactly; the gap between two systems splits
// the same way, sample by sample.
//
// Units: figures are SI (seconds, FLOP/s, W, J, USD) except where the
// name says days; Stat holds the value at typical inputs and the
// P10/P50/P90 over the samples. A run that never finishes (interruptions
// take its expected wall time past goodput.DefaultLimit × the
// failure-free time) counts as +Inf (null in JSON).
package scenario
