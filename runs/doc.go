// Package runs reads published-runs/v1 files (real, measured training and
// inference results; the format is /work/shared/spec/published-runs.md)
// and scores chipgap's predictions against them.
//
// Reading guide: runs.go holds the types, decode.go the strict decoder
// (unknown keys are errors, numbers may be written "300e9", every error
// names the run id and the field), check.go the per-field rules, and
// validate.go the driver that predicts each run and tabulates the error.
//
// Inference runs are predicted through predictInference in inference.go,
// which the inference estimator's owner fills in; until then it reports
// "not yet modelled" and validate counts the run as unpredicted.
package runs
