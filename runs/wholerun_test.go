package runs

import (
	"math"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/units"
)

// cluster is 1024 chips in nodes of 8 on a stack (only these fields matter
// to the whole-run terms).
func cluster(stack string) hardware.Cluster {
	return hardware.Cluster{Stack: stack, Chips: 1024, ChipsPerNode: 8}
}

var wholeRunModel = llm.Model{Name: "13b", Layers: 40, Hidden: 5120, Heads: 40, KVHeads: 40, FFN: 20480, Vocab: 50000,
	Act: llm.GeLU, Attention: llm.MHA}

// The parts of a whole run add up to its total, and the total exceeds
// the steady state (failures and checkpoints cost time on any stack).
func TestWholeRunParts(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"cuda", "cann"} {
		w, err := wholeRun(cat, wholeRunModel, cluster(stack), units.Seconds(30*86400))
		if err != nil {
			t.Fatal(err)
		}
		sum := w.Steady + w.Slowdown + w.Lost + w.Restart + w.Checkpointing
		if math.Abs(sum/w.Total-1) > 1e-9 {
			t.Errorf("%s: parts sum to %g chip-h, total %g", stack, sum, w.Total)
		}
		// Steady state: 30 days × 1024 chips × 24 h = 737,280 chip-h.
		if math.Abs(w.Steady/737280-1) > 1e-9 || w.Total <= w.Steady || w.Interruptions <= 0 {
			t.Errorf("%s: steady %g chip-h (want 737280), total %g, %g interruptions", stack, w.Steady, w.Total, w.Interruptions)
		}
	}
}

// Kernel maturation: throughput starts at 1 − s and recovers linearly
// over T, so a run longer than T loses s·T/2 of wall time while it ramps
// (times the compute share of the wall time, close to 1). For the cann
// stack's typical s = 0.25 and T = 60 days that is 7.5 days, on 1024
// chips 7.5 × 24 × 1024 = 184,320 chip-hours.
func TestWholeRunMaturation(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := cat.Engineering()
	if err != nil {
		t.Fatal(err)
	}
	e := eng["cann"].Engineering
	want := float64(e.InitialSlowdown.Typ) * float64(e.Maturation.Typ) / 2 * 1024 / 3600
	w, err := wholeRun(cat, wholeRunModel, cluster("cann"), units.Seconds(120*86400))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(w.Slowdown/want-1) > 0.05 {
		t.Errorf("cann maturation = %.0f chip-h, want about %.0f (s·T/2)", w.Slowdown, want)
	}
	cuda, err := wholeRun(cat, wholeRunModel, cluster("cuda"), units.Seconds(120*86400))
	if err != nil {
		t.Fatal(err)
	}
	if cuda.Slowdown != 0 {
		t.Errorf("cuda maturation = %g chip-h, want 0 (the reference stack's kernels are mature)", cuda.Slowdown)
	}
}

// devices_per_chip defaults to 1 when a run omits it (published-runs.md),
// even on a chip the catalog lists as two devices (Ascend 910C: two
// dies); stated, it is kept.
func TestTrainingDevicesPerChipDefault(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(oneRun, "chip: a100-sxm4-80gb", "chip: ascend-910c", 1)
	for _, c := range []struct {
		extra string
		want  int
	}{{"", 1}, {", devices_per_chip: 2", 2}} {
		f, err := Parse([]byte(strings.Replace(src, "software: megatron-lm}", "software: megatron-lm"+c.extra+"}", 1)))
		if err != nil {
			t.Fatal(err)
		}
		s, err := SetupTraining(cat, f.Runs[0])
		if err != nil {
			t.Fatal(err)
		}
		if s.Job.DevicesPerChip != c.want {
			t.Errorf("devices_per_chip%q: job has %d, want %d", c.extra, s.Job.DevicesPerChip, c.want)
		}
	}
}

// The format lets a chip_hours run leave its global batch out
// (published-runs.md); the model then takes chipgap run's default
// (training.DefaultGlobalBatch, 2,048 sequences) and says so: the run is
// predicted exactly as if it had stated that batch, not refused.
func TestChipHoursWithoutGlobalBatch(t *testing.T) {
	const file = `format: published-runs/v1
runs:
  - id: l70-run
    kind: training
    source: test
    system: {chip: h100-sxm, chips: 2048}
    model: {name: L70, layers: 80, hidden: 8192, heads: 64, kv_heads: 8, ffn: 28672, ffn_act: swiglu, vocab: 128256, attention: gqa}
    training: {seq_len: 8192, precision: bf16, tokens: 15e12GBS}
    measured: {metric: chip_hours, value: 7.0e6, derivation: x}
`
	predict := func(gbs string) Result {
		res := validateYAML(t, strings.Replace(file, "GBS", gbs, 1))[0]
		if res.Predicted == nil {
			t.Fatalf("global batch %q: not predicted: %s", gbs, res.Reason)
		}
		return res
	}
	free, stated := predict(""), predict(", global_batch: 2048")
	if *free.Predicted != *stated.Predicted || free.Plan != stated.Plan {
		t.Errorf("without a global batch: %g chip-h at %s; stating 2,048: %g at %s; want the same", *free.Predicted, free.Plan, *stated.Predicted, stated.Plan)
	}
	if !strings.Contains(free.Note, "global batch not given: 2048 sequences assumed") || strings.Contains(stated.Note, "not given") {
		t.Errorf("notes %q / %q: want the assumption named only where the batch was left out", free.Note, stated.Note)
	}
}

// A run naming megatron-lm with what the 2021-22 code (the cuda-megatron
// profile: GPT models, multi-head attention, GeLU, 16-bit, always
// recomputing) did not run, here Llama 3's grouped-query attention and
// gated MLP, ran the Megatron-Core generation: Llama 3.1 70B on 64 H100 at
// TP 4 PP 4 DP 4 fits with Megatron-Core's distributed optimizer, where
// the 2021 profile (ZeRO 0) refused it as out of memory; a GPT run of the
// 2021 kind keeps the 2021 profile.
func TestLaterMegatronGeneration(t *testing.T) {
	const file = `format: published-runs/v1
runs:
  - id: llama
    kind: training
    source: test
    system: {chip: h100-sxm, chips: 64, software: megatron-lm}
    model: {name: L70, layers: 80, hidden: 8192, heads: 64, kv_heads: 8, ffn: 28672, ffn_act: swiglu, vocab: 128256, attention: gqa}
    training: {seq_len: 8192, global_batch: 128, precision: bf16, parallel: {tp: 4, pp: 4, dp: 4, vpp: 5, microbatch: 1}}
    measured: {metric: tokens_per_s_per_chip, value: 900, derivation: x}
  - id: gpt
    kind: training
    source: test
    system: {chip: a100-sxm4-80gb, chips: 64, software: megatron-lm}
    model: {name: GPT 18B, layers: 40, hidden: 6144, heads: 48, kv_heads: 48, ffn: 24576, ffn_act: gelu, vocab: 51200, attention: mha}
    training: {seq_len: 2048, global_batch: 1024, precision: fp16, parallel: {tp: 8, pp: 1, dp: 8}}
    measured: {metric: tokens_per_s_per_chip, value: 1000, derivation: x}
`
	res := validateYAML(t, file)
	llama, gpt := res[0], res[1]
	if llama.Predicted == nil || llama.Stack != "cuda-mcore" || !strings.Contains(llama.Note, "gqa attention, a gated (swiglu) MLP") {
		t.Errorf("Llama on megatron-lm: stack %q, predicted %v (%s), note %q; want cuda-mcore, predicted, the stated features named", llama.Stack, llama.Predicted, llama.Reason, llama.Note)
	}
	if gpt.Predicted == nil || gpt.Stack != "cuda-megatron" || strings.Contains(gpt.Note, "Megatron-Core") {
		t.Errorf("GPT on megatron-lm: stack %q, note %q; want the 2021 profile", gpt.Stack, gpt.Note)
	}
}

// validateYAML validates every run of a published-runs file given as text.
func validateYAML(t *testing.T, text string) []Result {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Load(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]Result, len(f.Runs))
	for i, r := range f.Runs {
		out[i] = validateRun(cat, r, Options{})
	}
	return out
}
