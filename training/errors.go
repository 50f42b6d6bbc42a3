package training

import (
	"errors"

	"chipgap/input"
	"chipgap/parallel"
)

// JobError returns the *input.Error in err when Search or Estimate
// rejected the job itself (seq, global_batch, precision, ...), and nil
// when err is about something else: a plan shape no layout can take
// (parallel's fields: the search found no plan), the model, or no error.
func JobError(err error) *input.Error {
	var fe *input.Error
	if !errors.As(err, &fe) || fe.Prefix != "" || parallel.IsPlanField(fe.Field) {
		return nil
	}
	return fe
}
