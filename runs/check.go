package runs

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"chipgap/input"
	"chipgap/llm"
	"chipgap/training"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func fieldErr(run, field string, v any, want string) error {
	return &Error{Run: run, Field: field, Msg: fmt.Sprintf("%v: %s", v, want)}
}

// Check validates a decoded run: required fields, allowed values, and
// the metric matching the kind.
func (r *Run) Check() error {
	if !idPattern.MatchString(r.ID) {
		return fieldErr(r.ID, "id", fmt.Sprintf("%q", r.ID), "want letters, digits, '.', '-', '_'")
	}
	if err := r.System.check(r.ID); err != nil {
		return err
	}
	if err := checkAttention(r.ID, r.Model); err != nil {
		return err
	}
	r.Model = r.Model.WithDefaults()
	if err := r.Model.Validate(); err != nil {
		if fe, ok := err.(*input.Error); ok {
			return fieldErr(r.ID, "model."+fe.Field, fe.Value, fe.Want)
		}
		return &Error{Run: r.ID, Field: "model", Msg: err.Error()}
	}
	switch r.Kind {
	case KindTraining:
		if r.Training == nil {
			return fieldErr(r.ID, "training", "missing", "kind training needs a training block")
		}
		if r.Inference != nil {
			return fieldErr(r.ID, "inference", "present", "kind training takes no inference block")
		}
		return r.checkTraining()
	case KindInference:
		if r.Inference == nil {
			return fieldErr(r.ID, "inference", "missing", "kind inference needs an inference block")
		}
		if r.Training != nil {
			return fieldErr(r.ID, "training", "present", "kind inference takes no training block")
		}
		return r.checkInference()
	}
	return fieldErr(r.ID, "kind", fmt.Sprintf("%q", r.Kind), "want training or inference")
}

// checkAttention holds a model's attention fields, as the file states
// them, to the format's rules: kv_heads equals heads for mha (absent:
// heads), is fewer for gqa and must be stated there, and the mla block
// goes only with attention mla (whose kv_heads is ignored).
func checkAttention(id string, m llm.Model) error {
	switch {
	case m.MLA != nil && m.Attention != llm.MLA:
		return fieldErr(id, "model.mla", "present", fmt.Sprintf("only with attention: mla (attention is %q)", m.Attention))
	case m.Attention == llm.GQA && m.KVHeads <= 0:
		return fieldErr(id, "model.kv_heads", m.KVHeads, fmt.Sprintf("want the key-value heads of gqa, a divisor of heads (%d)", m.Heads))
	case m.Attention == llm.MHA && m.KVHeads != 0 && m.KVHeads != m.Heads:
		return fieldErr(id, "model.kv_heads", m.KVHeads, fmt.Sprintf("want heads (%d) for attention mha (fewer key-value heads is gqa)", m.Heads))
	}
	return nil
}

// The network bounds of system.scale_out_gbps: a 1 Gbit/s Ethernet port
// per chip to 100 Tbit/s, past any network built (800 Gbit/s a GPU in
// 2025); a smaller figure predicted 4e-297 tokens/s.
const minScaleOut, maxScaleOut = 1, 100_000

// What each system field takes. A stated 0 is refused as out of range
// (checkStated): the format has no 0 for them; absent, the default.
var (
	wantChipsPerNode   = fmt.Sprintf("want 1 to %d (absent: the chip's usual node)", input.MaxChipsPerNode)
	wantScaleOut       = fmt.Sprintf("want %d to %d Gbit/s per chip (absent: the chip's usual network)", minScaleOut, maxScaleOut)
	wantDevicesPerChip = fmt.Sprintf("want 1 to %d (absent: 1)", input.MaxDevicesPerChip)
	wantBatchPerChip   = fmt.Sprintf("want 1 to %d sequences (absent: the best batch under the slo)", input.MaxGlobalBatch)
)

// wantDegree is what a parallel degree takes.
const wantDegree = "want a positive integer (absent: the model's own choice)"

func (s System) check(id string) error {
	switch {
	case s.Chip == "":
		return fieldErr(id, "system.chip", `""`, "want a chip id")
	case s.Chips < 1 || s.Chips > input.MaxChips:
		return fieldErr(id, "system.chips", s.Chips, fmt.Sprintf("want 1 to %d", input.MaxChips))
	case s.ChipsPerNode < 0 || s.ChipsPerNode > input.MaxChipsPerNode:
		return fieldErr(id, "system.chips_per_node", s.ChipsPerNode, wantChipsPerNode)
	case s.ScaleOut < 0 || s.ScaleOut > 0 && s.ScaleOut < minScaleOut || s.ScaleOut > maxScaleOut:
		return fieldErr(id, "system.scale_out_gbps", float64(s.ScaleOut), wantScaleOut)
	case s.DevicesPerChip < 0 || s.DevicesPerChip > input.MaxDevicesPerChip:
		return fieldErr(id, "system.devices_per_chip", s.DevicesPerChip, wantDevicesPerChip)
	}
	return nil
}

// zeroAbsent are the fields the run's structs read 0 in as absent, and
// what each takes: the format has no 0 for any of them.
var zeroAbsent = []struct{ path, want string }{
	{"system.chips_per_node", wantChipsPerNode}, {"system.scale_out_gbps", wantScaleOut},
	{"system.devices_per_chip", wantDevicesPerChip}, {"inference.batch_per_chip", wantBatchPerChip},
	{"training.parallel.tp", wantDegree}, {"training.parallel.pp", wantDegree}, {"training.parallel.dp", wantDegree},
	{"training.parallel.cp", wantDegree}, {"training.parallel.ep", wantDegree}, {"training.parallel.etp", wantDegree},
	{"training.parallel.vpp", wantDegree}, {"training.parallel.microbatch", wantDegree},
	{"inference.parallel.tp", wantDegree}, {"inference.parallel.pp", wantDegree}, {"inference.parallel.dp", wantDegree},
	{"inference.parallel.ep", wantDegree}, {"inference.parallel.attention_dp", wantDegree},
}

// checkStated holds r to what the file states where r itself cannot
// tell a field left out from one stated as 0: stated (the run's mapping
// as YAML decodes it, merge keys applied) must not give a zeroAbsent
// field 0, and a speculative block states its acceptance.
func (r *Run) checkStated(stated map[string]any) error {
	for _, f := range zeroAbsent {
		if v, ok := lookup(stated, f.path); ok && (v == 0 || v == 0.0) {
			return fieldErr(r.ID, f.path, v, f.want)
		}
	}
	if sp, ok := lookup(stated, "inference.speculative"); ok && sp != nil {
		if _, ok := lookup(stated, "inference.speculative.acceptance"); !ok {
			return fieldErr(r.ID, "inference.speculative.acceptance", "missing", "want the draft tokens' acceptance rate, 0 to 1, beside tokens")
		}
	}
	return nil
}

// lookup is the value at a dotted path in m, and whether it is stated
// (a null is not).
func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return v, v != nil
}

func (r *Run) checkTraining() error {
	t, id := r.Training, r.ID
	m := r.Measured.Metric
	switch {
	case t.SeqLen < 1 || t.SeqLen > input.MaxSeq:
		return fieldErr(id, "training.seq_len", t.SeqLen, fmt.Sprintf("want 1 to %d", input.MaxSeq))
	case t.GlobalBatch < 0 || (t.GlobalBatch == 0 && m != MetricChipHours) || t.GlobalBatch > input.MaxGlobalBatch:
		return fieldErr(id, "training.global_batch", t.GlobalBatch, fmt.Sprintf("want 1 to %d", input.MaxGlobalBatch))
	case !slices.Contains([]string{"bf16", "fp16", "fp8", "fp4"}, t.Precision):
		return fieldErr(id, "training.precision", fmt.Sprintf("%q", t.Precision), "want bf16, fp16 or fp8 (or fp4, chipgap's value beyond the format)")
	case t.FP8Recipe != "" && (t.Precision != "fp8" || !training.ValidFP8Recipe(t.FP8Recipe)):
		return fieldErr(id, "training.fp8_recipe", fmt.Sprintf("%q", t.FP8Recipe), "want tensorwise, delayed, blockwise or mxfp8, and only beside precision fp8")
	case t.Tokens < 0 || (t.Tokens == 0 && m == MetricChipHours):
		return fieldErr(id, "training.tokens", t.Tokens, "want a positive number (the chip_hours metric needs it)")
	case !slices.Contains([]string{"", "none", "selective", "full"}, t.Recompute):
		return fieldErr(id, "training.recompute", fmt.Sprintf("%q", t.Recompute), "want none, selective or full")
	case len(t.RecomputeLayers) > 0 && t.Recompute != "selective" && t.Recompute != "full":
		return fieldErr(id, "training.recompute_layers", t.RecomputeLayers, fmt.Sprintf("want recompute: selective or full beside it, the kind of the layers it recomputes (recompute is %q)", t.Recompute))
	case !training.ValidDispatch(t.MoEDispatch):
		return fieldErr(id, "training.moe_dispatch", fmt.Sprintf("%q", t.MoEDispatch), "want flat, hierarchical or allgather")
	case r.Model.MoE == nil && (t.MoEDispatch != "" || t.MoEA2AOverlap != nil):
		return fieldErr(id, "training.moe_dispatch", fmt.Sprintf("%q", t.MoEDispatch), "want neither moe_dispatch nor moe_a2a_overlap on a dense model")
	case r.Model.MoE == nil && t.MoEGraphs != nil:
		return fieldErr(id, "training.moe_graphs", *t.MoEGraphs, "want no moe_graphs on a dense model")
	case r.Model.MoE == nil && t.MoELayerGraphs != nil:
		return fieldErr(id, "training.moe_layer_graphs", *t.MoELayerGraphs, "want no moe_layer_graphs on a dense model")
	case r.Model.MoE == nil && t.MoEFullIteration != nil:
		return fieldErr(id, "training.moe_full_iteration", *t.MoEFullIteration, "want no moe_full_iteration on a dense model")
	case t.MoELayerGraphs != nil && *t.MoELayerGraphs && !t.PadToCapacity:
		return fieldErr(id, "training.moe_layer_graphs", true, "want pad_to_capacity beside it (whole-layer CUDA graphs capture static, padded expert shapes)")
	case t.CapacityFactor < 0 || math.IsNaN(t.CapacityFactor) || math.IsInf(t.CapacityFactor, 0):
		return fieldErr(id, "training.capacity_factor", t.CapacityFactor, "want a positive number (0 or absent: the stack's practice)")
	case t.PadToCapacity && t.CapacityFactor == 0:
		return fieldErr(id, "training.pad_to_capacity", t.PadToCapacity, "want a capacity_factor beside it (the capacity it pads to)")
	case r.Model.MoE == nil && (t.CapacityFactor > 0 || t.PadToCapacity):
		return fieldErr(id, "training.capacity_factor", t.CapacityFactor, "want neither capacity_factor nor pad_to_capacity on a dense model")
	}
	if err := t.Parallel.check(id); err != nil {
		return err
	}
	for _, l := range []struct {
		name string
		v    []int
		min  int
	}{{"stage_layers", t.StageLayers, 1}, {"recompute_layers", t.RecomputeLayers, 0}} {
		for i, n := range l.v {
			if n < l.min || n > r.Model.Layers {
				return fieldErr(id, fmt.Sprintf("training.%s[%d]", l.name, i), n, fmt.Sprintf("want %d to the model's %d layers", l.min, r.Model.Layers))
			}
		}
	}
	if m != MetricTokensPerChip && m != MetricChipHours {
		return fieldErr(id, "measured.metric", fmt.Sprintf("%q", m), "want tokens_per_s_per_chip or chip_hours for a training run")
	}
	return r.Measured.check(id)
}

func (p Parallel) check(id string) error {
	degrees := []struct {
		name string
		v    int
	}{{"tp", p.TP}, {"pp", p.PP}, {"dp", p.DP}, {"cp", p.CP}, {"ep", p.EP}, {"etp", p.ETP}, {"vpp", p.VPP}, {"microbatch", p.Microbatch}}
	for _, d := range degrees {
		if d.v < 0 {
			return fieldErr(id, "training.parallel."+d.name, d.v, wantDegree)
		}
	}
	if p.Zero != nil && (*p.Zero < 0 || *p.Zero > 3) {
		return fieldErr(id, "training.parallel.zero", *p.Zero, "want 0, 1, 2 or 3")
	}
	return nil
}

func (r *Run) checkInference() error {
	in, id := r.Inference, r.ID
	precisions := []string{"bf16", "fp16", "fp8", "int8", "fp4"}
	switch {
	case !slices.Contains([]string{"prefill", "decode", "mixed"}, in.Phase):
		return fieldErr(id, "inference.phase", fmt.Sprintf("%q", in.Phase), "want prefill, decode or mixed")
	case !slices.Contains(precisions, in.Precision):
		return fieldErr(id, "inference.precision", fmt.Sprintf("%q", in.Precision), "want bf16, fp16, fp8, int8 or fp4")
	case in.KVPrecision != "" && !slices.Contains(precisions, in.KVPrecision):
		return fieldErr(id, "inference.kv_precision", fmt.Sprintf("%q", in.KVPrecision), "want bf16, fp16, fp8, int8 or fp4")
	case in.InputTokens < 1 || in.InputTokens > input.MaxRequestTokens:
		return fieldErr(id, "inference.input_tokens", in.InputTokens, fmt.Sprintf("want 1 to %d", input.MaxRequestTokens))
	case in.OutputTokens < 0 || (in.OutputTokens == 0 && in.Phase != "prefill") || in.OutputTokens > input.MaxRequestTokens:
		return fieldErr(id, "inference.output_tokens", in.OutputTokens, fmt.Sprintf("want 1 to %d", input.MaxRequestTokens))
	case in.SLO != nil && (in.SLO.TPOT < 0 || in.SLO.TTFT < 0):
		return fieldErr(id, "inference.slo", *in.SLO, "want latency targets of 0 or more milliseconds")
	case in.BatchPerChip < 0 || in.BatchPerChip > input.MaxGlobalBatch:
		// The bound the other sequence counts take (global_batch): an
		// instance's batch is this times its chips, far inside int.
		return fieldErr(id, "inference.batch_per_chip", in.BatchPerChip, wantBatchPerChip)
	case in.Speculative != nil && (in.Speculative.Tokens < 1 || in.Speculative.Acceptance < 0 || in.Speculative.Acceptance > 1):
		return fieldErr(id, "inference.speculative", *in.Speculative, "want tokens ≥ 1 and acceptance in [0, 1]")
	}
	ip := in.Parallel
	for _, d := range []struct {
		n string
		v int
	}{{"tp", ip.TP}, {"pp", ip.PP}, {"dp", ip.DP}, {"ep", ip.EP}, {"attention_dp", ip.AttentionDP}} {
		if d.v < 0 {
			return fieldErr(id, "inference.parallel."+d.n, d.v, wantDegree)
		}
	}
	m := r.Measured.Metric
	if m != MetricOutputTokensPerChip && m != MetricInputTokensPerChip {
		return fieldErr(id, "measured.metric", fmt.Sprintf("%q", m), "want output_tokens_per_s_per_chip or input_tokens_per_s_per_chip for an inference run")
	}
	if m == MetricOutputTokensPerChip && in.Phase == "prefill" {
		return fieldErr(id, "measured.metric", fmt.Sprintf("%q", m), "a prefill run generates no tokens: want input_tokens_per_s_per_chip")
	}
	return r.Measured.check(id)
}

func (m Measured) check(id string) error {
	if !(m.Value >= 1e-9 && m.Value <= 1e15) { // NaN fails too
		return fieldErr(id, "measured.value", m.Value, "want a positive number from 1e-9 to 1e15 (a throughput per chip or chip-hours)")
	}
	return nil
}
