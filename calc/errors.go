package calc

import (
	"errors"
	"fmt"
	"math"

	"chipgap/input"
)

// maxExpertImbalance bounds a stated MoE imbalance (training and
// serving): the hottest of 64 expert ranks carrying every token.
const maxExpertImbalance = 64

// bad is the error for field holding value, with what is allowed.
func bad(field string, value any, format string, a ...any) *input.Error {
	return input.Bad(field, value, fmt.Sprintf(format, a...))
}

// Cap is a caller's bound on a count a request asks for, tighter than
// calc's own (a server's max_samples on a report's samples and a run's
// seeds), so that the one check quotes the bound that applies where it
// runs. The zero Cap is calc's own bound.
type Cap struct {
	N    int    // the most allowed; 0: calc's own bound
	Name string // what the refusal calls it: "this server's max_samples, see docs/api.md"
}

// bound is the count's bound under c, own being calc's, and a note
// naming c's where it applies.
func (c Cap) bound(own int) (int, string) {
	if c.N > 0 && c.N < own {
		return c.N, " (" + c.Name + ")"
	}
	return own, ""
}

// missing is the error for a required field left empty.
func missing(field, want string) *input.Error {
	return &input.Error{Field: field, Want: "missing: want " + want}
}

// lookup names field in a failed catalog lookup; the error keeps its
// class (catalog.ErrNotFound) for errors.Is.
func lookup(field string, err error) error {
	if err == nil {
		return nil
	}
	return &input.Error{Field: field, Want: err.Error(), Err: err}
}

// nonNegative checks integer fields that 0 leaves to a default.
func nonNegative(fields ...intField) error {
	for _, f := range fields {
		if f.v < 0 {
			return bad(f.name, f.v, "want a positive integer (0: the default)")
		}
	}
	return nil
}

type intField struct {
	name string
	v    int
}

// finite checks float fields: finite and not negative.
func finite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return bad(name, v, "want a finite number ≥ 0")
	}
	return nil
}

// requireSystem checks what every job on a cluster needs: a model, a chip
// and at least one of it.
func requireSystem(model, chip string, chips int) error {
	switch {
	case model == "":
		return missing("model", "a model preset id (chipgap models)")
	case chip == "":
		return missing("chip", "a chip id (chipgap chips)")
	case chips < 1:
		return bad("chips", chips, "want at least 1")
	}
	return nil
}

// clusterError is catalog.Cluster's error as the request's: its own
// field where it names one (chips_per_node, scale_out_gbps, stack),
// else the chips that asked for the cluster.
func clusterError(err error, chips int) error {
	var fe *input.Error
	if errors.As(err, &fe) {
		return fe
	}
	return bad("chips", chips, "%v", err)
}
