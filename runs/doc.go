// Package runs reads published-runs/v1 files (real, measured training and
// inference results; the format is /work/shared/spec/published-runs.md)
// and scores chipgap's predictions against them.
//
// Reading guide: runs.go holds the types, decode.go the strict decoder
// (unknown keys are errors, numbers may be written "300e9", every error
// names the run id and the field), check.go the per-field rules, and
// validate.go the driver that predicts each run and tabulates the error;
// onchip.go sets a free search's best against the best throughput per
// chip measured on the same chip, model, sequence and precision
// (ChipProblem, CompareOnChip) across every file validated together.
//
// Inference runs are predicted in inference.go: the deployment the run
// describes on the serving estimator (package inference) at the stated
// batch or the best one under the run's SLO; an offline max-throughput
// run (phase mixed, no SLO) is simulated request by request instead
// (package serve, offlineThroughput), all its requests queued at once, as
// such benchmarks run.
package runs
