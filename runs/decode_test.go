package runs

import (
	"os"
	"strings"
	"testing"
)

const oneRun = `format: published-runs/v1
runs:
- id: t1
  kind: training
  source: test
  system: {chip: a100-sxm4-80gb, chips: 32, chips_per_node: 8, scale_out_gbps: 200, software: megatron-lm}
  model: {name: m, layers: 24, hidden: 2304, heads: 24, kv_heads: 24, ffn: 9216, ffn_act: gelu, vocab: 51200, attention: mha}
  training:
    seq_len: 2048
    global_batch: "512"
    precision: fp16
    tokens: "300e9"
    recompute: full
    parallel: {tp: 1, pp: 1, dp: 32, zero: 0, sequence_parallel: true}
  measured: {metric: tokens_per_s_per_chip, value: 9287.9}
`

func TestParseOneRun(t *testing.T) {
	f, err := Parse([]byte(oneRun))
	if err != nil {
		t.Fatal(err)
	}
	r := f.Runs[0]
	if r.Training.GlobalBatch != 512 || r.Training.Tokens != 300e9 {
		t.Errorf("global_batch, tokens = %d, %g; want 512, 3e11 (strings decode as numbers)", r.Training.GlobalBatch, r.Training.Tokens)
	}
	p := r.Training.Parallel
	if p.DP != 32 || p.Zero == nil || *p.Zero != 0 || p.SequenceParallel == nil || !*p.SequenceParallel {
		t.Errorf("parallel = %+v; want dp 32, zero 0 stated, sequence_parallel true", p)
	}
	if r.Model.HeadDim != 96 {
		t.Errorf("head_dim default = %d, want 2304/24 = 96", r.Model.HeadDim)
	}
	// chipgap's fields beyond the format: a sliding window.
	w, err := Parse([]byte(strings.Replace(oneRun, "ffn: 9216,", "ffn: 9216, window: 1024, global_every: 2,", 1)))
	if err != nil || w.Runs[0].Model.Window != 1024 || w.Runs[0].Model.GlobalEvery != 2 {
		t.Errorf("a run with a sliding window: %v; want window 1024 every 2nd layer global", err)
	}
	if got := strings.Join(w.Runs[0].BeyondFormat(), " "); got != "model.window model.global_every" {
		t.Errorf("BeyondFormat = %q, want the two window fields", got)
	}
	if got := f.Runs[0].BeyondFormat(); len(got) != 0 {
		t.Errorf("a run in the format alone: BeyondFormat = %v, want none", got)
	}
	// Linear biases are chipgap's field where they differ from the
	// activation's default (a gelu model's are on), cleared by FormatOnly.
	for _, c := range []struct {
		bias   string
		beyond string
	}{{"false", "model.bias"}, {"true", ""}} {
		b, err := Parse([]byte(strings.Replace(oneRun, "ffn: 9216,", "ffn: 9216, bias: "+c.bias+",", 1)))
		if err != nil {
			t.Fatal(err)
		}
		r := b.Runs[0]
		if got := strings.Join(r.BeyondFormat(), " "); got != c.beyond || !*r.FormatOnly().Model.Bias || r.FormatOnly().BeyondFormat() != nil {
			t.Errorf("a gelu run with bias: %s: BeyondFormat = %q, format-only bias %v; want %q, true", c.bias, got, *r.FormatOnly().Model.Bias, c.beyond)
		}
	}
	// An fp4 training precision is beyond the format too, and FormatOnly
	// keeps it: the format has no precision to put in its place.
	f4, err := Parse([]byte(strings.Replace(oneRun, "precision: fp16", "precision: fp4", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f4.Runs[0].BeyondFormat(), " "); got != "training.precision" || f4.Runs[0].FormatOnly().Training.Precision != "fp4" {
		t.Errorf("an fp4 run: BeyondFormat = %q, format-only precision %q; want training.precision, fp4 kept", got, f4.Runs[0].FormatOnly().Training.Precision)
	}
	// An fp8 run's scaling recipe is chipgap's field too, cleared by
	// FormatOnly (the format's fp8 reads as per-tensor).
	mx, err := Parse([]byte(strings.Replace(oneRun, "precision: fp16", "precision: fp8\n    fp8_recipe: mxfp8", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(mx.Runs[0].BeyondFormat(), " "); got != "training.fp8_recipe" || mx.Runs[0].FormatOnly().Training.FP8Recipe != "" {
		t.Errorf("an mxfp8 run: BeyondFormat = %q, format-only recipe %q; want training.fp8_recipe, cleared", got, mx.Runs[0].FormatOnly().Training.FP8Recipe)
	}
	// FormatOnly clears every one of them, and only them.
	moe := strings.Replace(strings.Replace(oneRun, "ffn: 9216,", "ffn: 9216, window: 1024, global_every: 2, moe: {experts: 16, active: 4, expert_ffn: 512, groups: 4, group_topk: 2},", 1),
		"recompute: full", "recompute: full\n    moe_dispatch: hierarchical\n    moe_a2a_overlap: false\n    moe_graphs: true\n    moe_layer_graphs: false\n    moe_full_iteration: false\n    capacity_factor: 1.25\n    pad_to_capacity: true", 1)
	all, err := Parse([]byte(moe))
	if err != nil {
		t.Fatal(err)
	}
	r0 := all.Runs[0]
	if n := len(r0.BeyondFormat()); n != 11 {
		t.Errorf("BeyondFormat = %v, want 11 fields", r0.BeyondFormat())
	}
	plain := r0.FormatOnly()
	if got := plain.BeyondFormat(); len(got) != 0 || plain.Model.MoE.Experts != 16 || plain.Training.Recompute != "full" || r0.Model.MoE.Groups != 4 || r0.Training.CapacityFactor != 1.25 {
		t.Errorf("FormatOnly: left %v (experts %d, recompute %q); the original keeps groups %d, capacity %g", got, plain.Model.MoE.Experts, plain.Training.Recompute, r0.Model.MoE.Groups, r0.Training.CapacityFactor)
	}
}

func TestParseErrorsNameRunAndField(t *testing.T) {
	cases := []struct{ from, to, want string }{
		{"recompute: full", "recompute: full\n    bogus: 1", "run t1: training.bogus: unknown key"},
		{"precision: fp16", "precision: fp12", "run t1: training.precision"},
		{"chips: 32,", "chips: -4,", "run t1: system.chips"},
		{"zero: 0", "zero: 5", "run t1: training.parallel.zero"},
		{"tp: 1,", "tp: -1,", "run t1: training.parallel.tp"},
		{"kind: training", "kind: train", "run t1: kind"},
		{"metric: tokens_per_s_per_chip", "metric: output_tokens_per_s_per_chip", "run t1: measured.metric"},
		{"heads: 24, kv_heads: 24", "heads: 24, kv_heads: 7", "run t1: model.kv_heads"},
		{"ffn: 9216,", "ffn: 9216, id: x,", "run t1: model.id: unknown key"},
		// The presets' architecture fields beyond bias are not the
		// format's nor chipgap's file fields (QA: accepted, unlisted).
		{"ffn: 9216,", "ffn: 9216, norm: rmsnorm,", "run t1: model.norm: unknown key"},
		{"ffn: 9216,", "ffn: 9216, qk_norm: true,", "run t1: model.qk_norm: unknown key"},
		{"ffn: 9216,", "ffn: 9216, pos_embeddings: 2048,", "run t1: model.pos_embeddings: unknown key"},
		{"ffn: 9216,", "ffn: 9216, note: hello,", "run t1: model.note: unknown key"},
		// A sliding window is chipgap's field beyond the format, checked
		// as a preset's is.
		{"ffn: 9216,", "ffn: 9216, window: -4,", "run t1: model.window"},
		{"ffn: 9216,", "ffn: 9216, global_every: 2,", "run t1: model.global_every"},
		// A MoE recipe's dispatch: one of two values, and not on a dense model.
		{"recompute: full", "recompute: full\n    moe_dispatch: hierarchical", "run t1: training.moe_dispatch"},
		{"recompute: full", "recompute: full\n    moe_a2a_overlap: true", "run t1: training.moe_dispatch"},
		{"recompute: full", "recompute: full\n    moe_dispatch: deepep", "want flat, hierarchical or allgather"},
		{"recompute: full", "recompute: full\n    capacity_factor: -1", "run t1: training.capacity_factor"},
		{"recompute: full", "recompute: full\n    capacity_factor: 1", "on a dense model"},
		{"recompute: full", "recompute: full\n    pad_to_capacity: true", "run t1: training.pad_to_capacity"},
		// A recipe's CUDA graph scope: MoE only; whole layers need padding.
		{"recompute: full", "recompute: full\n    moe_graphs: true", "run t1: training.moe_graphs: true: want no moe_graphs on a dense model"},
		{"recompute: full", "recompute: full\n    moe_full_iteration: true", "run t1: training.moe_full_iteration"},
		{"recompute: full", "recompute: full\n    moe_layer_graphs: true", "run t1: training.moe_layer_graphs"},
		{"recompute: full", "recompute: full\n    moe_graphs: yes please", "run t1"},
		// An FP8 scaling recipe: a known one, and only beside fp8.
		{"precision: fp16", "precision: fp8\n    fp8_recipe: nvfp4", "run t1: training.fp8_recipe: \"nvfp4\": want tensorwise, delayed, blockwise or mxfp8"},
		{"precision: fp16", "precision: fp16\n    fp8_recipe: mxfp8", "run t1: training.fp8_recipe: \"mxfp8\": want tensorwise, delayed, blockwise or mxfp8, and only beside precision fp8"},
		{"published-runs/v1", "published-runs/v2", "format"},
		{"global_batch: \"512\"", "global_batch: lots", "run t1"},
		// Held to the field's kind where yaml.v3 would not (session 77's
		// QA pass): it truncated 8.9 into an int and took .nan into a float.
		{"chips: 32,", "chips: 8.9,", "run t1: system.chips: 8.9: want a whole number"},
		{"global_batch: \"512\"", "global_batch: 9223372036854775807", "run t1: training.global_batch: 9.223372036854776e+18: want a whole number"},
		{"global_batch: \"512\"", "global_batch: 16777217", "run t1: training.global_batch: 16777217: want 1 to 16777216"},
		{"value: 9287.9", "value: .nan", "run t1: measured.value: .nan: want a finite number"},
		{"value: 9287.9", "value: 5e-324", "run t1: measured.value"},
		{"scale_out_gbps: 200", "scale_out_gbps: .inf", "run t1: system.scale_out_gbps"},
		{"chips: 32,", "chips: 1e18,", "run t1: system.chips"},
		{"ffn: 9216,", "ffn: 9216, head_dim: -64,", "run t1: model.head_dim"},
		{"hidden: 2304, heads: 24, kv_heads: 24", "hidden: 16, heads: 24, kv_heads: 24", "run t1: model.head_dim"},
		{"tp: 1,", "tp: 1, etp: -1,", "run t1: training.parallel.etp"},
		{"recompute: full", "recompute: full\n    stage_layers: [-1, 25]", "run t1: training.stage_layers[0]"},
		{"recompute: full", "recompute: full\n    recompute_layers: [-3]", "run t1: training.recompute_layers[0]"},
		{"seq_len: 2048", "seq_len: [2048]", "run t1: training.seq_len: want a single value"},
		{"chips: 32,", "chips: eight,", "run t1: system.chips: eight: want a whole number"},
		// Booleans are YAML 1.2's true and false, named like any field
		// (QA: 1 gave "line 8: cannot unmarshal !!int `1` into bool", a
		// string "yes" was true and "true" an error).
		{"sequence_parallel: true", "sequence_parallel: 1", "run t1: training.parallel.sequence_parallel: 1: want true or false"},
		{"sequence_parallel: true", `sequence_parallel: "true"`, `run t1: training.parallel.sequence_parallel: "true": want true or false, unquoted`},
		{"sequence_parallel: true", "sequence_parallel: yes", "run t1: training.parallel.sequence_parallel: yes: want true or false"},
		{"ffn: 9216,", `ffn: 9216, tied_embeddings: "yes",`, `run t1: model.tied_embeddings: "yes": want true or false`},
		{"ffn: 9216,", "ffn: 9216, tied_embeddings: on,", "run t1: model.tied_embeddings: on: want true or false"},
	}
	for _, c := range cases {
		src := strings.Replace(oneRun, c.from, c.to, 1)
		if src == oneRun {
			t.Fatalf("replacement %q not found", c.from)
		}
		_, err := Parse([]byte(src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse with %q: err = %v; want it to contain %q", c.to, err, c.want)
		}
	}
}

// YAML merge keys bring a mapping's fields in, checked as its own.
func TestParseMergeKeys(t *testing.T) {
	src := strings.Replace(oneRun, "  training:\n", "  training:\n    <<: {seq_len: 4096}\n", 1)
	src = strings.Replace(src, "    seq_len: 2048\n", "", 1)
	f, err := Parse([]byte(src))
	if err != nil || f.Runs[0].Training.SeqLen != 4096 {
		t.Fatalf("a merged seq_len: %v", err)
	}
	bad := strings.Replace(src, "<<: {seq_len: 4096}", "<<: {seq_len: 4096, bogus: 1}", 1)
	if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), "training.bogus: unknown key") {
		t.Errorf("an unknown key brought in by a merge: %v", err)
	}
}

// A second YAML document would be dropped unread: it is an error.
func TestParseOneDocument(t *testing.T) {
	if _, err := Parse([]byte(oneRun + "---\n" + oneRun)); err == nil || !strings.Contains(err.Error(), "more than one YAML document") {
		t.Errorf("two documents: %v", err)
	}
	if _, err := Parse([]byte("---\n" + oneRun)); err != nil {
		t.Errorf("one document after a start marker: %v", err)
	}
}

func TestParseDuplicateID(t *testing.T) {
	src := oneRun + strings.SplitN(oneRun, "runs:\n", 2)[1]
	if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), "duplicate id") {
		t.Errorf("duplicate ids: err = %v", err)
	}
}

// The calibration set must decode: 26 runs, 20 of them training.
func TestParseCalibrationSet(t *testing.T) {
	data, err := os.ReadFile("../../shared/data/published-runs.yaml")
	if err != nil {
		t.Skip("calibration set not present:", err)
	}
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range f.Runs {
		if r.Kind == KindTraining {
			n++
		}
	}
	if len(f.Runs) < 26 || n < 20 {
		t.Errorf("runs = %d (training %d); want ≥ 26 (≥ 20)", len(f.Runs), n)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(oneRun))
	f.Add([]byte("format: published-runs/v1\nruns: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse(data) // must not panic
	})
}

// Booleans written as YAML 1.2 writes them decode, whatever the case.
func TestParseBooleans(t *testing.T) {
	for _, c := range []struct {
		v    string
		want bool
	}{{"true", true}, {"True", true}, {"false", false}, {"FALSE", false}} {
		f, err := Parse([]byte(strings.Replace(oneRun, "sequence_parallel: true", "sequence_parallel: "+c.v, 1)))
		if err != nil {
			t.Errorf("sequence_parallel: %s: %v", c.v, err)
			continue
		}
		if sp := f.Runs[0].Training.Parallel.SequenceParallel; sp == nil || *sp != c.want {
			t.Errorf("sequence_parallel: %s read as %v, want %v", c.v, sp, c.want)
		}
	}
}

const oneInference = `format: published-runs/v1
runs:
- id: i1
  kind: inference
  source: test
  system: {chip: h100-sxm, chips: 8}
  model: {name: m, layers: 32, hidden: 4096, heads: 32, kv_heads: 8, ffn: 14336, ffn_act: swiglu, vocab: 128256, attention: gqa}
  inference:
    phase: decode
    precision: fp8
    input_tokens: 1024
    output_tokens: 1024
    batch_per_chip: 16
    parallel: {tp: 8}
    speculative: {tokens: 2, acceptance: 0.7}
  measured: {metric: output_tokens_per_s_per_chip, value: 10000}
`

// What the format allows of a file, refused where a stated value meant
// something else or nothing (QA audit of validate against the spec).
func TestParseRefusesInconsistentRuns(t *testing.T) {
	if _, err := Parse([]byte(oneInference)); err != nil {
		t.Fatalf("the template: %v", err)
	}
	inf := []struct{ from, to, want string }{
		// 2⁵³ − 1 sequences a chip overflowed to a negative batch, read
		// as none stated; the bound of the other sequence counts.
		{"batch_per_chip: 16", "batch_per_chip: 9007199254740991", "run i1: inference.batch_per_chip: 9007199254740991: want 1 to 16777216 sequences"},
		{"batch_per_chip: 16", "batch_per_chip: 16777217", "run i1: inference.batch_per_chip: 16777217: want 1 to 16777216"},
		{"batch_per_chip: 16", "batch_per_chip: 0", "run i1: inference.batch_per_chip: 0: want 1 to 16777216"},
		{"phase: decode", "phase: mixed", "run i1"}, // valid with the output metric
		// gqa states its key-value heads; mha has as many as heads; the
		// mla block goes only with attention mla.
		{"kv_heads: 8, ", "", "run i1: model.kv_heads: 0: want the key-value heads of gqa"},
		{"kv_heads: 8,", "kv_heads: 0,", "run i1: model.kv_heads: 0: want the key-value heads of gqa"},
		{"attention: gqa", "attention: mha", "run i1: model.kv_heads: 8: want heads (32) for attention mha"},
		{"attention: gqa", "attention: gqa, mla: {kv_lora_rank: 512, qk_rope_head_dim: 64, v_head_dim: 128}", "run i1: model.mla: present: only with attention: mla"},
		// A speculative block states its acceptance (it was taken as 0).
		{"acceptance: 0.7", "method: mtp", "run i1: inference.speculative.method: unknown key"},
		{"tokens: 2, acceptance: 0.7", "tokens: 2", "run i1: inference.speculative.acceptance: missing: want the draft tokens' acceptance rate"},
		// A stated 0 is not "absent" (the messages said "want 1 to …").
		{"parallel: {tp: 8}", "parallel: {tp: 0}", "run i1: inference.parallel.tp: 0: want a positive integer (absent: the model's own choice)"},
		{"parallel: {tp: 8}", "parallel: {tp: 8, dp: 0.0}", "run i1: inference.parallel.dp: 0: want a positive integer"},
		{"chips: 8}", "chips: 8, chips_per_node: 0}", "run i1: system.chips_per_node: 0: want 1 to 65536 (absent: the chip's usual node)"},
		{"chips: 8}", "chips: 8, devices_per_chip: 0}", "run i1: system.devices_per_chip: 0: want 1 to 16 (absent: 1)"},
		{"chips: 8}", "chips: 8, scale_out_gbps: 0}", "run i1: system.scale_out_gbps: 0: want 1 to 100000 Gbit/s per chip"},
		// A physical bound: 1e-300 Gbit/s predicted 4e-297 tokens/s.
		{"chips: 8}", "chips: 8, scale_out_gbps: 1e-300}", "run i1: system.scale_out_gbps: 1e-300: want 1 to 100000 Gbit/s per chip"},
		{"chips: 8}", "chips: 8, scale_out_gbps: 1e9}", "run i1: system.scale_out_gbps: 1e+09: want 1 to 100000"},
	}
	// edited parses base with each edit: valid where want is the run id
	// alone, else an error containing want.
	edited := func(base, valid string, edits []struct{ from, to, want string }) {
		t.Helper()
		for _, c := range edits {
			src := strings.Replace(base, c.from, c.to, 1)
			if src == base {
				t.Fatalf("replacement %q not found", c.from)
			}
			_, err := Parse([]byte(src))
			switch {
			case c.want == valid && err != nil:
				t.Errorf("Parse with %q: %v; want it valid", c.to, err)
			case c.want != valid && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("Parse with %q: err = %v; want it to contain %q", c.to, err, c.want)
			}
		}
	}
	edited(oneInference, "run i1", inf)
	mixedInput := strings.Replace(strings.Replace(oneInference, "phase: decode", "phase: mixed", 1), "metric: output_tokens", "metric: input_tokens", 1)
	if _, err := Parse([]byte(mixedInput)); err != nil {
		t.Errorf("phase mixed with the input metric (the prompt tokens a mixed run processes, as benchmarks report beside the output's): %v; want it taken", err)
	}
	train := []struct{ from, to, want string }{
		// recompute_layers counts layers of the kind recompute names.
		{"recompute: full", "recompute_layers: [1]", "run t1: training.recompute_layers: [1]: want recompute: selective or full beside it"},
		{"recompute: full", "recompute: none\n    recompute_layers: [1]", `(recompute is "none")`},
		{"tp: 1,", "tp: 0,", "run t1: training.parallel.tp: 0: want a positive integer (absent: the model's own choice)"},
		{"dp: 32,", "dp: 32, microbatch: 0,", "run t1: training.parallel.microbatch: 0: want a positive integer"},
		// A merged 0 is stated too.
		{"parallel: {tp: 1,", "parallel: {<<: {vpp: 0}, tp: 1,", "run t1: training.parallel.vpp: 0: want a positive integer"},
	}
	edited(oneRun, "run t1", train)
	// mha without kv_heads has as many as heads (docs/published-runs.md),
	// and mla ignores them.
	mha := strings.Replace(oneRun, "kv_heads: 24, ", "", 1)
	if f, err := Parse([]byte(mha)); err != nil || f.Runs[0].Model.KVHeads != 24 {
		t.Errorf("mha without kv_heads: %v; want kv_heads = heads = 24", err)
	}
}
