package training

import (
	"fmt"

	"chipgap/parallel"
	"chipgap/units"
)

// Breakdown splits a step's time. Communication entries are the exposed
// (not overlapped) part; Compute is GEMMs, attention and memory-bound
// operations of every micro-batch on the slowest pipeline stage.
type Breakdown struct {
	Compute units.Seconds `json:"compute"`
	// Experts is the routed-expert GEMMs of MoE layers on the hottest
	// expert rank (the stack's or the run's imbalance); Compute holds the
	// rest. MoEHost is host (CPU) time MoE layers leave exposed.
	Experts units.Seconds `json:"experts,omitempty"`
	MoEHost units.Seconds `json:"moe_host,omitempty"`
	TP      units.Seconds `json:"tp_comm"`
	PP      units.Seconds `json:"pp_comm"`
	DP      units.Seconds `json:"dp_comm"`
	EP      units.Seconds `json:"ep_comm"`
	CP      units.Seconds `json:"cp_comm"`
	Bubble  units.Seconds `json:"bubble"`
	// Optimizer is the once-a-step work: Adam's update of the device's
	// shard, an FP8 or FP4 job's weight casts and the stack's fixed host
	// time per step.
	Optimizer units.Seconds `json:"optimizer"`
	Other     units.Seconds `json:"other"`
	// GradAccum is the weight-gradient accumulation a stack runs apart
	// from its weight-gradient GEMMs, every micro-batch
	// (Profile.GradAccumBytes).
	GradAccum units.Seconds `json:"grad_accum,omitempty"`
}

// Total sums the breakdown.
func (b Breakdown) Total() units.Seconds {
	return b.Compute + b.Experts + b.MoEHost + b.TP + b.PP + b.DP + b.EP + b.CP + b.Bubble + b.Optimizer + b.Other + b.GradAccum
}

// Memory is one device's memory on the pipeline stage that needs the most.
type Memory struct {
	Stage       int         `json:"stage"`        // pipeline stage (0 = first)
	StageLayers int         `json:"stage_layers"` // its transformer layers
	InFlight    float64     `json:"in_flight"`    // micro-batches whose activations it holds
	Weights     units.Bytes `json:"weights"`
	Grads       units.Bytes `json:"grads"`
	Optimizer   units.Bytes `json:"optimizer"`
	Activations units.Bytes `json:"activations"`
	Overhead    units.Bytes `json:"overhead"` // framework reserve and fragmentation
	Total       units.Bytes `json:"total"`
	Capacity    units.Bytes `json:"capacity"`
}

// Result is one plan's predicted training step.
type Result struct {
	Plan     parallel.Plan `json:"plan"`
	PlanText string        `json:"plan_text"`
	// PipelineLayout is how to state a plan whose virtual stages do not
	// divide a stage's layers, which Megatron-LM refuses unless told:
	// Megatron-Core's pipeline_model_parallel_layout
	// (parallel.Plan.Layout), with each stage's layers by virtual stage
	// (VirtualStageLayers); empty where the interleaving is even.
	PipelineLayout      string        `json:"pipeline_layout,omitempty"`
	VirtualStageLayers  [][]int       `json:"virtual_stage_layers,omitempty"`
	Stack               string        `json:"stack"`
	StepTime            units.Seconds `json:"step_time"`
	Breakdown           Breakdown     `json:"breakdown"`
	TokensPerSec        float64       `json:"tokens_per_s"`
	TokensPerSecPerChip float64       `json:"tokens_per_s_per_chip"`
	MFU                 float64       `json:"mfu"`
	HFU                 float64       `json:"hfu"`
	Memory              Memory        `json:"memory"`
	MicroBatches        int           `json:"micro_batches"`
	// IdleSequences is where dp does not divide the global batch (which
	// Megatron-LM refuses, wanting a multiple of micro-batch × dp): the
	// step is timed at the busiest rank's ⌈batch/dp⌉ sequences
	// (parallel.Plan.LocalBatch), the others run one fewer and wait, and
	// this many rank-slots a step are idle (LocalBatch × dp − batch);
	// tokens/s counts the batch run. 0 where dp divides it.
	IdleSequences int `json:"idle_sequences,omitempty"`
	// With full recompute: the layers of the fullest stage and how many of
	// them are recomputed (fewer when the stack recomputes only what
	// memory requires).
	StageLayers      int `json:"stage_layers,omitempty"`
	RecomputedLayers int `json:"recomputed_layers,omitempty"`
	// SelectivePolicy says, for selective recompute (and MoE-block
	// recompute), what the stack's
	// selective recompute runs again (Megatron's attention core, with the
	// MLP activation where the stack covers it, or torchtitan's op-level
	// checkpointing).
	SelectivePolicy string `json:"selective_policy,omitempty"`
	// ExpertLoad is the hottest expert rank's routed tokens over the mean
	// the step was timed at (MoE: the imbalance, capped by the capacity
	// factor); HottestDropped the fraction of that rank's routed tokens a
	// capacity factor below the imbalance drops.
	ExpertLoad float64 `json:"expert_load,omitempty"`
	// ExpertLoadNote says why, where ExpertLoad is the stack's default
	// imbalance (the job stated none): the profile's reason, briefly.
	ExpertLoadNote string  `json:"expert_load_note,omitempty"`
	HottestDropped float64 `json:"hottest_expert_dropped,omitempty"`
	// PaddedToCapacity: every expert ran its capacity (Job.PadToCapacity,
	// a dense dispatch, or the stack's static shapes, Profile.MoEPadCapacity).
	PaddedToCapacity bool `json:"padded_to_capacity,omitempty"`
	// CapacityFactor is the capacity factor the step was timed at (the
	// job's, else the stack's practice; 0: dropless); DenseDispatch says
	// the MoE layer dispatched and combined by dense matmuls over one-hot
	// masks (GShard's layer, Profile.MoEDenseDispatch).
	CapacityFactor float64 `json:"capacity_factor,omitempty"`
	DenseDispatch  bool    `json:"dense_dispatch,omitempty"`
	// MoEHostPath is the stack's MoE path on this cluster
	// (MoEPathFullIteration, MoEPathGraphCaptured or MoEPathUncaptured) and MoEHostPerLayer its host
	// time per MoE layer forward (the backward issues twice as much).
	MoEHostPath     string       `json:"moe_host_path,omitempty"`
	MoEHostPerLayer units.Millis `json:"moe_host_per_layer,omitempty"`
	// MoEDispatch is the token dispatch path the step was timed with
	// ("flat" or "hierarchical": Job.Dispatch, else the stack's).
	MoEDispatch string `json:"moe_dispatch,omitempty"`
	// MoERouting is the model's gate where it is not a learned router
	// (llm.RoutingContiguous).
	MoERouting string `json:"moe_routing,omitempty"`
	// MoEA2AOverlap: the step hid the all-to-all under the 1F1B overlap
	// (Job.A2AOverlap, or the stack's practice).
	MoEA2AOverlap bool `json:"moe_a2a_overlap,omitempty"`
	// MoEA2APractice: the overlap is the stack's practice on this system
	// (Profile.MoEA2AOverlapDomain), not stated by the job.
	MoEA2APractice bool `json:"moe_a2a_practice,omitempty"`
	// FP8WeightGather: the data-parallel weight gathers moved the FP8
	// copy of each weight (an FP8 job on a framework that keeps FP8
	// weights, Profile.FP8ParamGather) on a plan that gathers weights
	// (ZeRO 1-3 over more than one data-parallel rank).
	FP8WeightGather bool `json:"fp8_weight_gather,omitempty"`
	// FP8Recipe is the FP8 scaling recipe the job stated (Job.FP8Recipe;
	// empty: per-tensor, the default).
	FP8Recipe string `json:"fp8_recipe,omitempty"`
	// FP4Ceiling is, for an FP4 job, the share of the chip's FP4 peak its
	// linear GEMMs reach at most (the stack's family_fp4 for the chip's
	// family, times any chip scale); 0 for other precisions.
	FP4Ceiling float64 `json:"fp4_ceiling,omitempty"`
	// For a token budget (Job.Tokens > 0), the run in steady state
	// (failures excluded).
	BudgetTime units.Days  `json:"days,omitempty"`
	ChipTime   units.Hours `json:"chip_hours,omitempty"` // chip-hours

}

// NotFitError is a plan that needs more memory than a device has; it
// matches ErrDoesNotFit with errors.Is. Plan and Memory are the plan as
// stated, with the stack's parameter and moment types; where the stack's
// memory savings (16-bit parameters, 16-bit moments) were tried and the
// plan still does not fit, Saved is the closest the savings came.
type NotFitError struct {
	Plan      parallel.Plan
	Memory    Memory
	Shortfall units.Bytes
	Saved     *SavedFit
}

// SavedFit is a plan with the stack's memory savings that still does not
// fit: the plan (HalfParams, HalfMoments set), its memory and shortfall.
type SavedFit struct {
	Plan      parallel.Plan `json:"-"`
	PlanText  string        `json:"plan"`
	Savings   string        `json:"savings"` // "16-bit moments"
	Memory    Memory        `json:"memory"`
	Shortfall units.Bytes   `json:"shortfall"`
}

func (e *NotFitError) Error() string {
	m := e.Memory
	s := fmt.Sprintf("plan %s does not fit: pipeline stage %d (%d layers, %.3g micro-batches in flight) needs %s per device, has %s (short by %s): weights %s, gradients %s, optimizer states %s, activations %s, overhead %s; the largest is %s",
		e.Plan, m.Stage, m.StageLayers, m.InFlight, m.Total, m.Capacity, e.Shortfall, m.Weights, m.Grads, m.Optimizer, m.Activations, m.Overhead, m.component())
	if _, v := m.largest(); v > m.Capacity {
		s += fmt.Sprintf(", which alone exceeds the device's %s by %s", m.Capacity, v-m.Capacity)
	}
	if sv := e.Saved; sv != nil {
		sm := sv.Memory
		s += fmt.Sprintf("; even with %s (the stack's memory savings) it needs %s of %s (short by %s; the largest is %s)", sv.Savings, sm.Total, sm.Capacity, sv.Shortfall, sm.component())
	}
	return s
}

// Is makes errors.Is(err, ErrDoesNotFit) true.
func (e *NotFitError) Is(target error) bool { return target == ErrDoesNotFit }
