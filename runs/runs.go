package runs

import (
	"chipgap/llm"
	"chipgap/units"
)

// FormatV1 is the only format version this package reads.
const FormatV1 = "published-runs/v1"

// Kinds of run.
const (
	KindTraining  = "training"
	KindInference = "inference"
)

// Metrics a run's measurement may use.
const (
	MetricTokensPerChip       = "tokens_per_s_per_chip"
	MetricChipHours           = "chip_hours"
	MetricOutputTokensPerChip = "output_tokens_per_s_per_chip"
	MetricInputTokensPerChip  = "input_tokens_per_s_per_chip"
)

// File is a whole published-runs/v1 document.
type File struct {
	Format string `yaml:"format"`
	Runs   []Run  `yaml:"runs"`
}

// Run is one measured training or inference result.
type Run struct {
	ID        string     `yaml:"id"`
	Kind      string     `yaml:"kind"`
	Source    string     `yaml:"source"`
	System    System     `yaml:"system"`
	Model     llm.Model  `yaml:"model"`
	Training  *Training  `yaml:"training,omitempty"`
	Inference *Inference `yaml:"inference,omitempty"`
	Measured  Measured   `yaml:"measured"`
}

// BeyondFormat lists the fields chipgap reads beyond the published-runs
// format that r states (docs/published-runs.md): linear biases other
// than the activation's default, a sliding window, the
// MoE router's groups and gate, and a MoE recipe's dispatch, 1F1B
// all-to-all overlap, token drop and CUDA graphs (over the router and
// preprocessing, whole layers or the whole iteration), and a training
// precision of fp4. A reader of the format alone sees none of them.
func (r Run) BeyondFormat() []string {
	var out []string
	m := r.Model
	if m.Bias != nil && *m.Bias != defaultBias(m) {
		out = append(out, "model.bias")
	}
	if m.Window > 0 {
		out = append(out, "model.window")
	}
	if m.GlobalEvery > 0 {
		out = append(out, "model.global_every")
	}
	if e := m.MoE; e != nil {
		if e.Groups > 0 {
			out = append(out, "model.moe.groups", "model.moe.group_topk")
		}
		if e.Routing != "" {
			out = append(out, "model.moe.routing")
		}
	}
	if t := r.Training; t != nil {
		if t.Precision == "fp4" {
			out = append(out, "training.precision")
		}
		if t.FP8Recipe != "" {
			out = append(out, "training.fp8_recipe")
		}
		if t.MoEDispatch != "" {
			out = append(out, "training.moe_dispatch")
		}
		if t.MoEA2AOverlap != nil {
			out = append(out, "training.moe_a2a_overlap")
		}
		if t.MoEGraphs != nil {
			out = append(out, "training.moe_graphs")
		}
		if t.MoELayerGraphs != nil {
			out = append(out, "training.moe_layer_graphs")
		}
		if t.MoEFullIteration != nil {
			out = append(out, "training.moe_full_iteration")
		}
		if t.CapacityFactor > 0 {
			out = append(out, "training.capacity_factor")
		}
		if t.PadToCapacity {
			out = append(out, "training.pad_to_capacity")
		}
	}
	return out
}

// defaultBias is whether m's linear layers carry biases where the file
// does not say (llm.Model.WithDefaults): gelu models (LayerNorm, the GPT
// family) do, swiglu models (RMSNorm, Llama) do not.
func defaultBias(m llm.Model) bool {
	m.Bias = nil
	return *m.WithDefaults().Bias
}

// FormatOnly is r as a reader of the format alone sees it: every field
// BeyondFormat lists cleared, but an fp4 training precision, which has
// no reading in the format, is kept.
func (r Run) FormatOnly() Run {
	r.Model.Window, r.Model.GlobalEvery = 0, 0
	if r.Model.Bias != nil {
		b := defaultBias(r.Model)
		r.Model.Bias = &b
	}
	if e := r.Model.MoE; e != nil {
		c := *e
		c.Groups, c.GroupTopK, c.Routing = 0, 0, ""
		r.Model.MoE = &c
	}
	if t := r.Training; t != nil {
		c := *t
		c.MoEDispatch, c.MoEA2AOverlap, c.CapacityFactor, c.PadToCapacity = "", nil, 0, false
		c.FP8Recipe = ""
		c.MoEGraphs, c.MoELayerGraphs, c.MoEFullIteration = nil, nil, nil
		r.Training = &c
	}
	return r
}

// System is the hardware and software a run used.
type System struct {
	Chip         string               `yaml:"chip"`
	Chips        int                  `yaml:"chips"`
	ChipsPerNode int                  `yaml:"chips_per_node,omitempty"` // 0: the chip's usual node
	ScaleOut     units.GigabitsPerSec `yaml:"scale_out_gbps,omitempty"` // 0: the chip's default NIC
	Software     string               `yaml:"software,omitempty"`
	// DevicesPerChip is how many devices the software sees per package
	// (0 or 1: one); parallel degrees count devices.
	DevicesPerChip int `yaml:"devices_per_chip,omitempty"`
}

// Devices returns DevicesPerChip with its default of 1.
func (s System) Devices() int { return max(s.DevicesPerChip, 1) }

// Training is a training run's workload and plan.
type Training struct {
	SeqLen      int      `yaml:"seq_len"`
	GlobalBatch int      `yaml:"global_batch,omitempty"`
	Precision   string   `yaml:"precision"`
	Tokens      float64  `yaml:"tokens,omitempty"`
	Recompute   string   `yaml:"recompute,omitempty"` // "" = the model's own choice
	Parallel    Parallel `yaml:"parallel,omitempty"`
	// StageLayers is the transformer layers per pipeline stage (length pp,
	// sum the model's layers); absent: an even split.
	StageLayers []int `yaml:"stage_layers,omitempty"`
	// RecomputeLayers is the layers recomputed per pipeline stage (length
	// pp), of the kind Recompute names.
	RecomputeLayers []int `yaml:"recompute_layers,omitempty"`
	// MoEDispatch and MoEA2AOverlap are chipgap's fields beyond the format
	// (docs/published-runs.md): the recipe's MoE token dispatch ("flat":
	// an all-to-all of every expert copy; "hierarchical": DeepEP or
	// HybridEP, training.DispatchHierarchical) and Megatron-Core's 1F1B
	// all-to-all overlap; absent, the stack's practice.
	MoEDispatch   string `yaml:"moe_dispatch,omitempty"`
	MoEA2AOverlap *bool  `yaml:"moe_a2a_overlap,omitempty"`
	// MoEGraphs, beyond the format, states the recipe's CUDA graphs over
	// the MoE router and dispatch preprocessing (Megatron-Core's
	// cuda_graph_scope moe_router, moe_preprocess): true, the stack's
	// graph-captured MoE host time; false, the uncaptured one; absent,
	// the stack's practice (training.Job.Graphs).
	MoEGraphs *bool `yaml:"moe_graphs,omitempty"`
	// MoELayerGraphs and MoEFullIteration, beyond the format, state the
	// recipe's wider CUDA graphs: whole MoE layers (Megatron-Core's
	// enable_cuda_graph, static padded shapes: needs pad_to_capacity)
	// or the whole iteration with the experts' inputs in paged stash
	// buffers and the fused grouped MLP (cuda_graph_impl full_iteration);
	// absent, the stack's practice (training.Job.LayerGraphs,
	// FullIteration).
	MoELayerGraphs   *bool `yaml:"moe_layer_graphs,omitempty"`
	MoEFullIteration *bool `yaml:"moe_full_iteration,omitempty"`
	// CapacityFactor and PadToCapacity, beyond the format too, state a
	// recipe's token drop: each expert takes at most CapacityFactor × the
	// mean routed tokens, and with PadToCapacity every expert's input is
	// padded to that capacity (Megatron-Core's moe_expert_capacity_factor
	// and moe_pad_expert_input_to_capacity); absent, the stack's practice.
	CapacityFactor float64 `yaml:"capacity_factor,omitempty"`
	PadToCapacity  bool    `yaml:"pad_to_capacity,omitempty"`
	// FP8Recipe, beyond the format, states how an fp8 run scaled its
	// tensors (Transformer Engine's recipe: tensorwise, delayed,
	// blockwise or mxfp8; training.Job.FP8Recipe); absent, per-tensor.
	FP8Recipe string `yaml:"fp8_recipe,omitempty"`
}

// Parallel is a stated training plan; a zero int or nil pointer means the
// field was left out (the model's own choice).
type Parallel struct {
	TP               int   `yaml:"tp,omitempty"`
	PP               int   `yaml:"pp,omitempty"`
	DP               int   `yaml:"dp,omitempty"`
	CP               int   `yaml:"cp,omitempty"`
	EP               int   `yaml:"ep,omitempty"`
	ETP              int   `yaml:"etp,omitempty"` // expert tensor-parallel degree (0: unstated)
	VPP              int   `yaml:"vpp,omitempty"`
	Microbatch       int   `yaml:"microbatch,omitempty"`
	SequenceParallel *bool `yaml:"sequence_parallel,omitempty"`
	Zero             *int  `yaml:"zero,omitempty"`
}

// Complete reports whether the plan fixes every degree the search would
// otherwise choose (TP, PP, DP and micro-batch).
func (p Parallel) Complete() bool {
	return p.TP > 0 && p.PP > 0 && p.DP > 0 && p.Microbatch > 0
}

// Inference is an inference run's workload.
type Inference struct {
	Phase        string            `yaml:"phase"`
	Precision    string            `yaml:"precision"`
	KVPrecision  string            `yaml:"kv_precision,omitempty"`
	InputTokens  int               `yaml:"input_tokens"`
	OutputTokens int               `yaml:"output_tokens,omitempty"`
	BatchPerChip int               `yaml:"batch_per_chip,omitempty"`
	Parallel     InferenceParallel `yaml:"parallel,omitempty"`
	SLO          *SLO              `yaml:"slo,omitempty"`
	Speculative  *Speculative      `yaml:"speculative,omitempty"`
}

// InferenceParallel is an inference deployment's plan (0 = unstated).
// AttentionDP is the attention data-parallel groups inside one EP
// instance (tp × attention_dp = devices of the instance); DP counts
// independent replicas.
type InferenceParallel struct {
	TP          int `yaml:"tp,omitempty"`
	PP          int `yaml:"pp,omitempty"`
	DP          int `yaml:"dp,omitempty"`
	EP          int `yaml:"ep,omitempty"`
	AttentionDP int `yaml:"attention_dp,omitempty"`
}

// SLO is the latency bound a measurement was taken under (0 = none).
type SLO struct {
	TPOT units.Millis `yaml:"tpot_ms,omitempty"`
	TTFT units.Millis `yaml:"ttft_ms,omitempty"`
}

// Speculative describes draft/MTP decoding.
type Speculative struct {
	Tokens     int     `yaml:"tokens"`
	Acceptance float64 `yaml:"acceptance"`
}

// Measured is what the source reports.
type Measured struct {
	Metric     string  `yaml:"metric"`
	Value      float64 `yaml:"value"`
	Derivation string  `yaml:"derivation,omitempty"`
}
