// Package runs reads published-runs/v1 files (real, measured training and
// inference results; the format is /work/shared/spec/published-runs.md)
// and scores chipgap's predictions against them.
//
// Reading guide: runs.go holds the types, decode.go the strict decoder
// (unknown keys are errors, numbers may be written "300e9", every error
// names the run id and the field), check.go the per-field rules, and
// validate.go the driver that predicts each run and tabulates the error;
// onchip.go sets a free search's best against the best throughput per
// chip measured on the same chip, model, sequence and precision, MTP
// modules counted by their work (ChipProblem, WorkPerToken,
// CompareOnChip), across every file validated together.
//
// Beyond the format a run may state a few fields chipgap reads
// (docs/published-runs.md): a sliding window, the MoE router's groups or
// a benchmark's fixed gate, and a MoE recipe's dispatch, all-to-all
// overlap, token drop and CUDA graphs. Run.BeyondFormat lists those a run states (validate
// prints them after its stack) and Run.FormatOnly clears them, as a reader
// of the format alone sees the run.
//
// Inference runs are predicted in inference.go: the deployment the run
// describes on the serving estimator (package inference) at the stated
// batch or the best one under the run's SLO; an offline max-throughput
// run (phase mixed, no SLO) is simulated request by request instead
// (package serve, offlineThroughput), all its requests queued at once, as
// such benchmarks run.
package runs
