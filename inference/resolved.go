package inference

import "chipgap/units"

// Resolved is a Deployment checked and resolved once into per-device
// quantities. Its methods answer from that layout without resolving
// again: a caller asking many questions of one deployment (the serving
// simulator's step times) resolves it once. It is not safe for
// concurrent use.
type Resolved struct{ l *layout }

// Resolve validates d and resolves its layout.
func Resolve(d Deployment) (*Resolved, error) {
	l, err := resolve(d)
	if err != nil {
		return nil, err
	}
	return &Resolved{l}, nil
}

// Deployment is the deployment as resolved: precisions filled in.
func (r *Resolved) Deployment() Deployment { return r.l.d }

// KV is the KV cache one instance holds; ErrDoesNotFit when the weights
// alone overflow a device.
func (r *Resolved) KV() (KV, error) { return r.l.kv() }

// Memory is a device's memory budget.
func (r *Resolved) Memory() Memory { return r.l.memory() }

// StepTime is StepTime(d, b) for the resolved d.
func (r *Resolved) StepTime(b Batch) (StepResult, error) { return r.l.stepTime(b) }

// Instances is how many instances the deployment holds: Parallel.DP,
// else as many as fit.
func (r *Resolved) Instances() int { return r.l.instances }

// ChipsPerInstance is the packages one instance occupies (a 910C package
// is two devices).
func (r *Resolved) ChipsPerInstance() float64 { return r.l.chipsPerInstance() }

// HandoffBytesPerToken is one context token's KV cache over all layers,
// once: what a disaggregated prefill-to-decode handoff moves per token
// (2·kv_heads·head_dim elements per layer for MHA/GQA, kv_lora_rank +
// qk_rope_head_dim for MLA, at the KV precision).
func (r *Resolved) HandoffBytesPerToken() units.Bytes {
	return units.Bytes(r.l.sh.kvElems * r.l.sh.layers * r.l.kvBytes)
}

// Parallel is the layout the estimate runs: every degree resolved (TP,
// PP and EP at least 1; AttentionDP the attention groups of a stage;
// DP the instances the deployment holds), where Deployment.Parallel
// holds them as given (0: a default).
func (r *Resolved) Parallel() Parallel {
	l := r.l
	return Parallel{TP: l.tp, PP: l.pp, EP: l.ep, AttentionDP: l.adp, DP: l.instances}
}
