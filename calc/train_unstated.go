package calc

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"chipgap/input"
	"chipgap/training"
)

// Unstated is a plan dimension a flag plan left out and what the estimate
// took for it: Field is the request's (plan.sequence_parallel), Value what
// it took, How why ("the default", "searched: ..."), and for sequence
// parallelism (searched at tp > 1), Alternative the plan's tokens/s per
// chip with the other setting (0: not valid or does not fit).
type Unstated struct {
	Field       string  `json:"field"`
	Value       string  `json:"value"`
	How         string  `json:"how"`
	Alternative float64 `json:"alternative_tokens_per_s_per_chip,omitempty"`
}

// unstated lists the dimensions of r's plan the request left out (a
// published run's are searched and its line says so instead).
func (s TrainSetup) unstated(r training.Result) []Unstated {
	if s.fromRun {
		return nil
	}
	sp, pl := s.Space, r.Plan
	var out []Unstated
	if len(sp.SP) == 0 && pl.TP > 1 {
		// searched (TrainSetup.estimate): the plan with the other setting
		u := Unstated{Field: "plan.sequence_parallel", Value: onOff(pl.SequenceParallel), How: "searched: the faster within the stack's practice"}
		alt := s.Plan()
		alt.SequenceParallel = !pl.SequenceParallel
		switch a, err := training.Estimate(s.Model, alt, s.Cluster, s.Profile, s.Job); {
		case err == nil:
			u.Alternative = a.TokensPerSecPerChip
		case refusedField(err) == "sequence_parallel":
			u.How = "the stack offers no sequence parallelism" // nothing to search
		}
		out = append(out, u)
	}
	if len(sp.Recompute) == 0 && pl.RecomputeLayers == nil {
		u := Unstated{Field: "plan.recompute", Value: string(pl.Recompute), How: "searched: as many layers as memory requires"}
		switch {
		case r.SelectivePolicy != "":
			u.How = "the default"
		case r.RecomputedLayers == 0:
			u.How = "searched: memory needs none"
		case r.StageLayers > 0:
			u.Value = fmt.Sprintf("%s %d/%d per stage", pl.Recompute, r.RecomputedLayers, r.StageLayers)
		}
		out = append(out, u)
	}
	if len(sp.ZeRO) == 0 {
		out = append(out, Unstated{Field: "plan.zero", Value: fmt.Sprint(pl.ZeRO), How: "the stack's highest stage up to 1"})
	}
	if sp.Microbatch == 0 {
		out = append(out, Unstated{Field: "plan.microbatch", Value: fmt.Sprint(pl.Microbatch), How: "the default"})
	}
	if sp.VPP == 0 && pl.PP > 1 {
		out = append(out, Unstated{Field: "plan.vpp", Value: fmt.Sprint(pl.VPP), How: "the default: no interleaving"})
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// writeUnstated prints the unstated dimensions' line: "Unstated: sp on
// (searched: ...; sp off: 712.5 tokens/s per chip), recompute none
// (searched: memory needs none), zero 1 (...)".
func writeUnstated(w io.Writer, us []Unstated) {
	if len(us) == 0 {
		return
	}
	parts := make([]string, len(us))
	for i, u := range us {
		name := strings.TrimPrefix(u.Field, "plan.")
		switch name {
		case "sequence_parallel":
			name = "sp"
		case "microbatch":
			name = "mb"
		}
		how := u.How
		if u.Alternative > 0 {
			how += fmt.Sprintf("; sp %s: %.1f tokens/s per chip", onOff(u.Value == "off"), u.Alternative)
		}
		parts[i] = fmt.Sprintf("%s %s (%s)", name, u.Value, how)
	}
	fmt.Fprintf(w, "Unstated: %s\n", strings.Join(parts, ", "))
}

// refusedField is the field a bad-input error names ("" for any other).
func refusedField(err error) string {
	var ie *input.Error
	if errors.As(err, &ie) {
		return ie.Field
	}
	return ""
}
