package input

import (
	"fmt"
	"strings"
)

// Error is a value of the caller's input that a model rejects.
//
// Its message is Prefix, Field, the value and Want, laid out as
// "chips = -1: want ≥ 1" (or, with Labelled, "field chips: -1: want ≥ 1");
// a nil Value is left out ("chips: want ≥ 1"). Prefix names the package
// or the namespace where the message needs it ("fab: ", "model.", "--");
// it is not part of Field.
type Error struct {
	Field string // the field's path: "chips", "checkpoint.interval", "parallel.tp"
	Value any    // the value given; nil when Want says it all
	Want  string // what is allowed: "want ≥ 1", "must divide the 64 attention heads"

	Prefix   string // printed before Field
	Labelled bool   // "field F: V: W" rather than "F = V: W"
	Err      error  // an optional class for errors.Is (inference.ErrPrecision, ...)
}

// Bad returns the error for field holding value, which is not what want
// says is allowed.
func Bad(field string, value any, want string) *Error {
	return &Error{Field: field, Value: value, Want: want}
}

func (e *Error) Error() string {
	switch {
	case e.Value == nil:
		return e.Prefix + e.Field + ": " + e.Want
	case e.Labelled:
		return fmt.Sprintf("%sfield %s: %s: %s", e.Prefix, e.Field, valueText(e.Value), e.Want)
	}
	return fmt.Sprintf("%s%s = %s: %s", e.Prefix, e.Field, valueText(e.Value), e.Want)
}

// valueText is a value as the user wrote it: a list comma-separated, as
// a flag takes it ("4,4,2"), not Go's "[4 4 2]"; a value over
// maxValueRunes is quoted to its first ones and its length, so a
// megabyte id does not come back whole.
func valueText(v any) string {
	var parts []string
	switch l := v.(type) {
	case []int:
		for _, x := range l {
			parts = append(parts, fmt.Sprint(x))
		}
	case []float64:
		for _, x := range l {
			parts = append(parts, fmt.Sprint(x))
		}
	case []string:
		parts = l
	default:
		return clip(fmt.Sprint(v))
	}
	return clip(strings.Join(parts, ","))
}

// maxValueRunes bounds the value an error quotes.
const maxValueRunes = 100

func clip(s string) string {
	if r := []rune(s); len(r) > maxValueRunes {
		return fmt.Sprintf("%s… (%d bytes)", string(r[:maxValueRunes]), len(s))
	}
	return s
}

// Unwrap returns the error's class, if any.
func (e *Error) Unwrap() error { return e.Err }
