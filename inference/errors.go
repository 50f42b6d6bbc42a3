package inference

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on (errors.Is).
var (
	// ErrDoesNotFit: the weights, or the weights plus the batch's KV cache,
	// exceed the memory of a device.
	ErrDoesNotFit = errors.New("does not fit in memory")
	// ErrPrecision: the chip has no matrix units for the precision asked.
	ErrPrecision = errors.New("precision not supported by the chip")
	// ErrNoOperatingPoint: no batch size meets the latency target.
	ErrNoOperatingPoint = errors.New("no batch size meets the target")
)

// FieldError names the input field at fault, its value and what is allowed.
type FieldError struct {
	Field string
	Value any
	Want  string
	Err   error // optional class (ErrDoesNotFit, ErrPrecision, ...)
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s = %v: %s", e.Field, e.Value, e.Want)
}

// Unwrap returns the error class, if any.
func (e *FieldError) Unwrap() error { return e.Err }
