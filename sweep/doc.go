// Package sweep runs design-space sweeps: a grid file (YAML, format
// chipgap-sweep/v1) names axes — chips (catalog ids and what-if chips
// that override catalog fields), sizes, models, precisions and the
// training and serving targets with their stacks, stack dates, workloads
// and SLOs — whose cross product is the cells. Each cell runs the same
// estimators as the rest of chipgap and becomes one row of a Parquet
// file (and CSV on request) a data scientist opens directly.
//
// Reading guide: grid.go (the file's schema and defaults), load.go and
// validate.go (strict decoding; errors name file, line and field),
// cells.go (expansion, order, grid hash), eval.go, train.go, serve.go
// and mc.go (one cell), row.go (the columns), store.go (Parquet and CSV),
// shard.go and dir.go (shards, resume, merge); pareto.go, frontiers.go
// and page.go (Pareto frontiers and their report page).
//
// # One cell
//
// Training: catalog.Cluster of Size chips in whole nodes, as chipgap
// train and run build a job's (catalog.TrainingNode: the largest divisor
// of Size up to the chip's usual node; a node a what-if states must
// divide Size, else the cell's row carries the commands' refusal; a
// what-if node size beyond the base chip's scale-up domain keeps that
// domain's link rate), the
// stack's profile for the framework as it stood on the stack date
// (training.Profile.At), training.Search over every plan, and the best
// plan within published practice (SearchResult.Best). With whole_run,
// catalog.Job and goodput.Closed add failures, checkpoints, restarts
// and porting; the run's cost and energy come from econ with the owned
// chip-hour (catalog econ.yaml; region "china" for the Ascend stack,
// "us" otherwise, as in the gap report).
//
// Serving: a fleet of Size chips, run as Size/n instances of n chips for
// each n that divides Size (InstanceSizes, at most the grid's
// max_instance_chips); in each instance, tensor-parallel degrees 1, 2,
// 4, 8 with experts over the whole instance or not; inference.BestServing
// under the SLO (colocated continuous batching, or prefill and decode
// pools of the layout sized for the mix) for each; the instance size and
// layout with the most output tokens/s per chip win, as the gap report's
// serving search does (each instance size searched once a run).
// $/Mtok and J/token from econ.PerMillionTokens.
//
// Monte Carlo (samples > 0): with the plan or layout held fixed, each
// of Samples draws takes the chip's peak (every precision scaled
// alike), HBM bandwidth, TDP and price, its scale-up bandwidth (training,
// as the gap report draws it), the economics, the failure modes
// and engineering (training) and the serving stack's parameters from
// their catalog ranges (uncertain.FromRange, streams named by input and
// seeded by the grid's seed) and re-evaluates. Inputs are named by chip
// id, so two cells on the same chip draw the same values in a sample.
// A draw with no answer (no batch meets the SLO) is counted in
// samples_missing. What-if values are exact.
//
// # Determinism, shards and merge
//
// Cells are numbered in one order (target, chip, size, model,
// precision, the target's own axes outermost); shard i of n takes cells
// i, i+n, …; rows are written in cell order. A file's key-value metadata
// holds the grid hash (SHA-256 of the grid after defaults), the cell
// count, the shard and the grid. The same grid and seed give the same
// bytes whatever the shard count or the workers, so Merge of all shards
// equals the whole run byte for byte. A shard file present for the same
// grid and shard is skipped (resume); files are renamed into place only
// once complete.
//
// Units: SI (seconds, bytes, B/s, FLOP/s, W, J, USD) except where a
// column's name says days, per Mtok or per kW.
package sweep
