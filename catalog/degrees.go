package catalog

import (
	"fmt"

	"chipgap/inference"
	"chipgap/input"
	"chipgap/llm"
)

// CheckServingDegrees checks the parallel degrees a user gives a serving
// deployment (0 means the default and is not checked) by the rules the
// training plan applies to the same degrees (parallel.Plan.Validate):
// tensor parallelism splits the attention heads evenly, and divides or
// is a multiple of the KV heads (GQA replicates KV heads past their
// count; MLA has none to split). Expert parallelism needs an MoE model
// and spreads its routed experts evenly, or, with fewer devices than
// experts, unevenly with at most one redundant expert slot for every
// eight experts (DeepSeek's EPLB: 256 experts + 32 redundant on EP144);
// with at least as many devices as experts each device holds one expert
// or a replica. Every command and endpoint that builds a serving
// deployment calls it (through Deployment, or directly).
func CheckServingDegrees(m llm.Model, p inference.Parallel) error {
	if tp := p.TP; tp > 1 && m.Heads > 0 {
		switch {
		case m.Heads%tp != 0:
			return input.Bad("parallel.tp", tp, fmt.Sprintf("must divide the %d attention heads", m.Heads))
		case m.Attention != llm.MLA && m.KVHeads > 0 && m.KVHeads%tp != 0 && tp%m.KVHeads != 0:
			return input.Bad("parallel.tp", tp, fmt.Sprintf("must divide or be a multiple of the %d kv heads", m.KVHeads))
		}
	}
	ep := p.EP
	if ep <= 1 || m.MoE == nil {
		return nil // a dense model with ep > 1 is the estimator's error
	}
	experts := m.MoE.Experts
	if ep < experts && experts%ep != 0 {
		slots := (experts + ep - 1) / ep * ep
		if slots-experts > experts/8 {
			return &input.Error{Field: "parallel.ep", Value: ep, Want: fmt.Sprintf(
				"must divide the %d routed experts, or leave at most %d slots for redundant experts (%d devices leave %d)", experts, experts/8, ep, slots-experts)}
		}
	}
	return nil
}
