package serve

import (
	"errors"
	"fmt"

	"chipgap/input"
)

func fieldErr(field string, v any, want string) error {
	return input.Bad(field, v, want)
}

// ErrEmptyTrace is ParseTrace's error for a trace read to its end that
// holds no request (an empty file, or a header only).
var ErrEmptyTrace = errors.New("trace: no requests")

// TraceError is a malformed trace line: its 1-based line number and why.
type TraceError struct {
	Line int
	Err  error
	// Read marks a failure to read the trace (a directory, a line past
	// the reader's limit) rather than a malformed line: the file cannot
	// be read, not bad input.
	Read bool
}

// Malformed reports whether err is a trace line that does not parse or
// check (bad input), not a trace that cannot be read.
func Malformed(err error) bool {
	var te *TraceError
	return errors.As(err, &te) && !te.Read
}

func (e *TraceError) Error() string { return fmt.Sprintf("trace line %d: %v", e.Line, e.Err) }

func (e *TraceError) Unwrap() error { return e.Err }

// ErrInvariant marks a broken conservation invariant: a bug in the
// simulator, never a property of the input.
var ErrInvariant = errors.New("serve: invariant violated")

// ErrNoCapacity is returned by capacity searches when a deployment cannot
// meet the SLO at any rate (not even a nearly idle one).
var ErrNoCapacity = errors.New("serve: deployment meets the SLO at no request rate")
