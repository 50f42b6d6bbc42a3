package inference

import (
	"errors"
)

// Sentinel errors callers branch on (errors.Is).
var (
	// ErrDoesNotFit: the weights, or the weights plus the batch's KV cache,
	// exceed the memory of a device.
	ErrDoesNotFit = errors.New("does not fit in memory")
	// ErrPrecision: the chip has no matrix units for the precision asked.
	ErrPrecision = errors.New("precision not supported by the chip")
	// ErrInstanceTooLarge: an instance (a stage's devices × the pipeline
	// stages) needs more devices than the deployment has.
	ErrInstanceTooLarge = errors.New("instance larger than the deployment")
	// ErrNoOperatingPoint: no batch size meets the latency target.
	ErrNoOperatingPoint = errors.New("no batch size meets the target")
)
