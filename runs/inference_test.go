package runs

import (
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/llm"
)

// inferenceErrors validates the inference runs of a published-runs file
// and returns the absolute errors (unpredicted runs count as 1 = 100 %).
func inferenceErrors(t *testing.T, path string) (map[string]float64, []float64) {
	t.Helper()
	cat, f := loadWithCatalog(t, path)
	byID := map[string]float64{}
	var abs []float64
	for _, r := range f.Runs {
		if r.Kind != KindInference {
			continue
		}
		res := validateRun(cat, r, Options{})
		e := 1.0
		if res.Error != nil {
			e = math.Abs(*res.Error)
		} else {
			t.Errorf("%s: not predicted: %s", r.ID, res.Reason)
		}
		t.Logf("%-58s measured %8.0f error %+6.1f%%  %s", r.ID, res.Measured, signed(res)*100, res.Plan)
		byID[r.ID] = e
		abs = append(abs, e)
	}
	sort.Float64s(abs)
	return byID, abs
}

// loadWithCatalog loads the published-runs file at path (part of the
// repository: a missing file fails the test) and the catalog.
func loadWithCatalog(t *testing.T, path string) (*catalog.Catalog, *File) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatalf("%s: %v (the file is part of the repository; a missing file is a failure, not a skip)", path, err)
	}
	defer fh.Close()
	f, err := Load(fh)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat, f
}

func signed(r Result) float64 {
	if r.Error == nil {
		return math.NaN()
	}
	return *r.Error
}

// The accuracy goal: median |error| ≤ 12 %, none worse than 30 %,
// on the calibration file's inference runs (the repository's copy,
// testdata/published-runs.yaml, of shared/data/published-runs.yaml) and on
// held-out runs (other rows of the same sources, never used to set a
// profile value). Every run must be predicted: an unpredicted run fails.
func TestInferenceAccuracy(t *testing.T) {
	for _, f := range []struct {
		path  string
		runs  int
		worst float64
	}{{"testdata/published-runs.yaml", 6, 0.30}, {"../cmd/chipgap/testdata/inference-heldout.yaml", 17, 0.30},
		// The independent hold-out file (validation/README.md): the same
		// goals. Its two MoE rows (DeepSeek's production decode, SGLang
		// prefill) were +37 % and +34 % before the MoE mechanisms
		// (imbalance on the all-to-all, routing spread, tile padding, SM
		// tax); nothing was fitted on them.
		{"../validation/holdout-runs.yaml", 8, 0.30}} {
		path := f.path
		_, abs := inferenceErrors(t, path)
		if len(abs) != f.runs {
			t.Fatalf("%s: %d inference runs, want %d", path, len(abs), f.runs)
		}
		if m := median(abs); m > 0.12 {
			t.Errorf("%s: median |error| = %.1f %%, want ≤ 12 %%", path, m*100)
		}
		if w := abs[len(abs)-1]; w > f.worst {
			t.Errorf("%s: worst |error| = %.1f %%, want ≤ %.0f %%", path, w*100, f.worst*100)
		}
	}
}

// The format's rule (shared/spec/published-runs.md): devices_per_chip
// defaults to 1 when a run omits it, even for a chip the catalog runs as
// two devices (the 910C); a stated value is used as given.
func TestInferenceDevicesPerChipDefault(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	chip, err := cat.Chip("ascend-910c")
	if err != nil {
		t.Fatal(err)
	}
	if chip.DevicesPerChip != 2 {
		t.Fatalf("catalog 910C devices_per_chip = %d, want 2 (the test checks the run overrides it)", chip.DevicesPerChip)
	}
	for _, c := range []struct{ stated, want int }{{0, 1}, {1, 1}, {2, 2}} {
		r := Run{ID: "x", Kind: KindInference,
			System:    System{Chip: "ascend-910c", Chips: 16, DevicesPerChip: c.stated},
			Model:     llm.Model{Name: "dense 8B", Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 8, FFN: 14336, Act: llm.SwiGLU, Vocab: 128256, Attention: llm.GQA},
			Inference: &Inference{Phase: "decode", Precision: "int8", InputTokens: 1024, OutputTokens: 256}}
		d, _, err := cat.Deployment(inferenceOptions(r))
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Cluster.Chip.DevicesPerChip; got != c.want {
			t.Errorf("stated devices_per_chip %d: deployment runs %d devices per chip, want %d", c.stated, got, c.want)
		}
		// One instance over every device: TP = chips × devices per chip.
		if got := d.Parallel.TP; got != 16*c.want {
			t.Errorf("stated devices_per_chip %d: TP %d, want %d", c.stated, got, 16*c.want)
		}
	}
}

// deepseekRun is DeepSeek-V3 inference on 32 H100 with EP32, as the
// published-runs format writes it; par is its inference.parallel line.
func deepseekRun(phase, par string, batchPerChip, input int) string {
	metric := "input_tokens_per_s_per_chip" // the format's prefill throughput
	if phase != "prefill" {
		metric = "output_tokens_per_s_per_chip"
	}
	return `format: published-runs/v1
runs:
- id: ds
  kind: inference
  source: test
  system: {chip: h100-sxm, chips: 32, chips_per_node: 8, software: sglang}
  model:
    name: DeepSeek-V3
    layers: 61
    hidden: 7168
    heads: 128
    kv_heads: 128
    head_dim: 128
    ffn: 18432
    ffn_act: swiglu
    vocab: 129280
    attention: mla
    mla: {q_lora_rank: 1536, kv_lora_rank: 512, qk_nope_head_dim: 128, qk_rope_head_dim: 64, v_head_dim: 128}
    moe: {experts: 256, active: 8, shared: 1, expert_ffn: 2048, dense_layers: 3}
  inference:
    phase: ` + phase + `
    precision: fp8
    input_tokens: ` + strconv.Itoa(input) + `
    output_tokens: 1000
    batch_per_chip: ` + strconv.Itoa(batchPerChip) + `
    parallel: ` + par + `
  measured: {metric: ` + metric + `, value: 5000}
`
}

// The long prefill batch: 4 prompts of 4,096 tokens per device on
// 32 H100 with EP32 was refused ("the KV cache (and engine limit) holds 64
// sequences"), though the weights take ~21 GB per device and the KV cache
// of the 128 prompts ~1 GB. The cause was the engine's tokens-per-pass
// limit read as a cap on the prompts of a prefill batch; an engine runs
// such a batch as several passes. It must be predicted, with either
// engine's limits, and with attention_dp stated as the format allows.
func TestLongPrefillBatchPredicted(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ software, par string }{
		{"sglang", "{ep: 32}"}, {"tensorrt-llm", "{ep: 32}"}, {"sglang", "{tp: 1, ep: 32, attention_dp: 32}"},
	} {
		doc := strings.Replace(deepseekRun("prefill", c.par, 4, 4096), "software: sglang", "software: "+c.software, 1)
		f, err := Parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		res := validateRun(cat, f.Runs[0], Options{})
		if res.Predicted == nil {
			t.Errorf("%s %s: 4×4096-token prompts per device not predicted: %s", c.software, c.par, res.Reason)
			continue
		}
		// 16,384 prompt tokens per device per step; on 32 H100 at FP8
		// DeepSeek-V3 prefills a few thousand tokens/s per GPU (SGLang's
		// published 6.5k at 2K prompts; 4K prompts carry twice the
		// attention per token): the prediction must be in that range.
		if v := *res.Predicted; v < 2500 || v > 12000 {
			t.Errorf("%s %s: %.0f prompt tokens/s per GPU, want 2,500-12,000", c.software, c.par, v)
		}
	}
}

// attention_dp that does not fill the instance is an error naming it.
func TestAttentionDPRefused(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse([]byte(deepseekRun("decode", "{tp: 2, ep: 32, attention_dp: 4}", 8, 2000)))
	if err != nil {
		t.Fatal(err)
	}
	res := validateRun(cat, f.Runs[0], Options{})
	if res.Predicted != nil || !strings.Contains(res.Reason, "attention_dp") {
		t.Errorf("tp 2 × attention_dp 4 = 8 devices for ep 32: predicted %v, reason %q; want a refusal naming attention_dp", res.Predicted, res.Reason)
	}
}

// An offline run is simulated a generated token at a time: past
// offlineMaxOutput tokens a request the run gets a reason, not minutes of
// simulation (8M output tokens took 97 s before the bound; session 77's
// QA pass).
func TestOfflineOutputBounded(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	src := `format: published-runs/v1
runs:
  - id: long-output
    kind: inference
    source: qa
    system: {chip: b200, chips: 8}
    model: {name: m, layers: 32, hidden: 4096, heads: 32, kv_heads: 8, ffn: 14336, ffn_act: swiglu, vocab: 128256, attention: gqa}
    inference: {phase: mixed, precision: bf16, input_tokens: 1000, output_tokens: 8000000}
    measured: {metric: output_tokens_per_s_per_chip, value: 1000}
`
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res := validateRun(cat, f.Runs[0], Options{})
	if res.Predicted != nil || !strings.Contains(res.Reason, "at most 262144 generated tokens") {
		t.Errorf("8M output tokens offline: predicted %v, reason %q; want a reason naming the bound", res.Predicted, res.Reason)
	}
}

// TensorRT-LLM's published serving rows beyond the calibration set are
// all predicted. Hold-out errors are reported, not bounded: a bound on
// reserved rows would invite tuning on them.
//   - holdout-trtllm-moe.yaml: the perf overview's MoE rows, reserved by
//     the issue (the largest known gap, docs/methodology.md);
//   - holdout-trtllm-dsr1.yaml: its own DeepSeek-R1 max-throughput runs,
//     every engine setting stated; unreserved, never fitted on (+41…+54 %
//     when added, 2 Dec 2026, on the steady-state curve);
//   - holdout-trtllm-moe-12.yaml: the MoE rows of the same page at a
//     later commit (03e27c7), remeasured on a newer engine, also reserved
//     (median 23 % when added, from under −60 % to over +75 %);
//   - holdout-trtllm-dense-12.yaml: the later page's dense Llama 3.3 70B
//     rows, unreserved (median 6.9 % when added, all within 12 %);
//   - holdout-trtllm-hopper.yaml: the dense Hopper rows not used
//     elsewhere (median 7.5 % when added);
//   - calibration-trtllm-blackwell.yaml: chipgap's own calibration of the
//     FP4 GEMM curve, 36 dense Blackwell rows, held to a median within
//     8 % (6.7 % when fitted, from 13 %);
//   - calibration-trtllm-2023.yaml: the engine's 2023-24 tables (v0.5.0,
//     v0.6.1, v0.9.0, the v0.7a and pre-XQA blog rows), where the decode
//     kernel's era was checked (median 12.1 % when added; nothing fitted).
func TestTRTLLMFilesPredicted(t *testing.T) {
	for _, c := range []struct {
		file  string
		runs  int
		bound float64 // median |error| at most; 0 = reported only
	}{
		{"holdout-trtllm-moe.yaml", 20, 0},
		{"holdout-trtllm-dsr1.yaml", 3, 0},
		{"holdout-trtllm-moe-12.yaml", 45, 0},
		{"holdout-trtllm-dense-12.yaml", 17, 0},
		{"holdout-trtllm-hopper.yaml", 43, 0},
		{"calibration-trtllm-blackwell.yaml", 36, 0.08},
		{"calibration-trtllm-2023.yaml", 104, 0},
	} {
		_, abs := inferenceErrors(t, "../validation/"+c.file)
		if len(abs) != c.runs {
			t.Fatalf("%s: %d rows predicted, want all %d", c.file, len(abs), c.runs)
		}
		if m := median(abs); c.bound > 0 && m > c.bound {
			t.Errorf("%s: median |error| %.1f %%, want ≤ %.0f %%", c.file, 100*m, 100*c.bound)
		}
		t.Logf("%s: median |error| %.1f %%, worst %.0f %%", c.file, 100*median(abs), 100*abs[len(abs)-1])
	}
}

// The rocm serving stack's matmul_eff and step_overhead were fitted on
// OCI's MI300X latency table (vLLM benchmark_latency.py, Llama 3.1 405B
// FP8 at TP 8, 128/128); its batch 8-256 rows are
// calibration-oci-mi300x.yaml and stay within a median 8 % (4.9 %, -7.8 ...
// +6.4 %, when written on 7 Dec 2026).
func TestOCIMI300XLatencyCalibration(t *testing.T) {
	_, abs := inferenceErrors(t, "../validation/calibration-oci-mi300x.yaml")
	if len(abs) != 6 {
		t.Fatalf("%d rows predicted, want all 6", len(abs))
	}
	if m := median(abs); m > 0.08 {
		t.Errorf("median |error| %.1f %%, want ≤ 8 %% (the values fitted on these rows)", 100*m)
	}
}

// GPUStack's Ascend 910B serving rows (holdout-gpustack-ascend.yaml:
// vLLM-Ascend v0.9.1, Qwen3-8B on one NPU and Qwen3-30B-A3B on two) are
// all predicted; their errors are reported, not bounded (+15 % on the
// dense model's short prompts, +141 … +162 % on the MoE model's, when
// added on 6 Dec 2026).
func TestGPUStackAscendPredicted(t *testing.T) {
	_, abs := inferenceErrors(t, "../validation/holdout-gpustack-ascend.yaml")
	if len(abs) != 6 {
		t.Fatalf("%d rows predicted, want all 6", len(abs))
	}
	t.Logf("median |error| %.1f %%, worst %.0f %%", 100*median(abs), 100*abs[len(abs)-1])
}

// GPUStack's H100, A100 and H200 serving rows (holdout-gpustack-cuda.yaml:
// vLLM 0.11.0, Qwen3-14B and Qwen3-32B on one GPU, Qwen3-235B-A22B and
// DeepSeek-R1-0528 on eight), the Ascend rows' harness on CUDA, are all
// predicted; their errors are reported, not bounded (when added on 6 Dec
// 2026: the one-GPU dense rows +42 … +91 % on H100 and −11 … +25 % on
// A100; Qwen3-235B-A22B −7 … +7 % on H100 and +28 … +37 % on A100;
// DeepSeek-R1-0528 +24 … +65 % on H200).
func TestGPUStackCUDAPredicted(t *testing.T) {
	_, abs := inferenceErrors(t, "../validation/holdout-gpustack-cuda.yaml")
	if len(abs) != 21 {
		t.Fatalf("%d rows predicted, want all 21", len(abs))
	}
	t.Logf("median |error| %.1f %%, worst %.0f %%", 100*median(abs), 100*abs[len(abs)-1])
}

// predictFileRun validates one run of a published-runs file, by id, as
// validate does, failing the test when the run is missing or not predicted.
func predictFileRun(t *testing.T, path, id string) Result {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := Load(fh)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Runs {
		if r.ID != id {
			continue
		}
		res := validateRun(cat, r, Options{})
		if res.Predicted == nil {
			t.Fatalf("%s not predicted: %s", id, res.Reason)
		}
		return res
	}
	t.Fatalf("row %s not in %s", id, path)
	return Result{}
}

// AMD's MI300X vLLM table (holdout-amd-vllm.yaml: Llama 3.1 70B and 405B
// FP8 at TP 8, vLLM 0.11.1) runs each benchmark with max_num_seqs set to
// its prompt count, which the rows state as batch_per_chip: every row is
// predicted, and the 70B 128/2048 row runs the table's 3,200 sequences
// (400 per GPU x 8) at once, not vLLM's default 256, which had held every
// row 10-34 % under (−21 … +15 % with the stated concurrency, when added
// on 6 Dec 2026).
func TestAMDVLLMPredicted(t *testing.T) {
	_, abs := inferenceErrors(t, "../validation/holdout-amd-vllm.yaml")
	if len(abs) != 8 {
		t.Fatalf("%d rows predicted, want all 8", len(abs))
	}
	res := predictFileRun(t, "../validation/holdout-amd-vllm.yaml", "amd-mi300x-vllm0111-llama31-70b-fp8-tp8-128-2048")
	if !strings.Contains(res.Plan, "at most 3200 running per instance") {
		t.Errorf("plan %q: want the stated 3,200 running sequences", res.Plan)
	}
	t.Logf("median |error| %.1f %%, worst %.0f %%", 100*median(abs), 100*abs[len(abs)-1])
}

// Intel's Gaudi 2 and Gaudi 3 inference tables (holdout-intel-gaudi.yaml,
// software 1.18.0, FP8 at stated batch sizes) are all predicted; their
// errors are reported, not bounded (median 14.5 %, from −34 % on Gaudi 2's
// small models at large batches to +80 % on the one 4-card Llama 2 70B
// row, when added on 6 Dec 2026).
func TestIntelGaudiPredicted(t *testing.T) {
	_, abs := inferenceErrors(t, "../validation/holdout-intel-gaudi.yaml")
	if len(abs) != 38 {
		t.Fatalf("%d rows predicted, want all 38", len(abs))
	}
	t.Logf("median |error| %.1f %%, worst %.0f %%", 100*median(abs), 100*abs[len(abs)-1])
}

// TensorRT-LLM's H200 launch table (holdout-trtllm-h200-launch.yaml:
// v0.5.0 of November 2023, Llama 2 13B and 70B FP8 at stated batches) is
// all predicted. Today's TensorRT-LLM profile read it +1 … +23 % and the
// one TP 4 row +108 % when added (6 Dec 2026, session 59); with the
// release's decode kernel (the engine's era before XQA, session 63) the
// Llama 2 70B rows read −16 … +1 % and the file's median is 4.7 %: held
// here to 10 % and every row within 25 %.
func TestTRTLLMH200LaunchPredicted(t *testing.T) {
	_, abs := inferenceErrors(t, "../validation/holdout-trtllm-h200-launch.yaml")
	if len(abs) != 7 {
		t.Fatalf("%d rows predicted, want all 7", len(abs))
	}
	if m, w := median(abs), abs[len(abs)-1]; m > 0.10 || w > 0.25 {
		t.Errorf("median |error| %.1f %%, worst %.1f %%; want at most 10 and 25", 100*m, 100*w)
	}
	t.Logf("median |error| %.1f %%, worst %.0f %%", 100*median(abs), 100*abs[len(abs)-1])
}

// AccelMark's Suite D (holdout-accelmark.yaml: Llama 3.1 8B, 28,650-token
// prompts, 256 generated, one device, every request at once) is all
// predicted, and no row collapses: on a 40 GB A100 the KV cache holds five
// such prompts, and a sixth admitted on its first chunk's blocks was
// preempted and recomputed 1,305 times, at a tenth of the measured 56.8
// tokens/s; admitted with its whole prompt's blocks (serve.replica.admit)
// every row lies within 45 % (A100 40 GB −13 % when added on 6 Dec 2026).
func TestAccelMarkPredicted(t *testing.T) {
	byID, abs := inferenceErrors(t, "../validation/holdout-accelmark.yaml")
	if len(abs) != 8 {
		t.Fatalf("%d rows predicted, want all 8", len(abs))
	}
	if e := byID["accelmark-d-llama31-8b-a100-40gb-vllm073"]; math.Abs(e) > 0.25 {
		t.Errorf("A100 40 GB, vLLM 0.7.3: error %+.0f %%, want within 25 %% (−90 %% while long prompts thrashed)", 100*e)
	}
	if worst := abs[len(abs)-1]; worst > 0.45 {
		t.Errorf("worst |error| %.0f %%, want at most 45 %%", 100*worst)
	}
	t.Logf("median |error| %.1f %%, worst %.0f %%", 100*median(abs), 100*abs[len(abs)-1])
}

// An offline run (phase mixed, no SLO) is simulated, not read off the
// steady-state curve: on Llama 3.3 70B at 20000/2000 on one H200 the
// curve blends every prompt into every decode step and overstates the
// throughput TensorRT-LLM measured (283 tokens/s per GPU, perf overview)
// by a third; the simulated waves come within 15 % of it.
func TestOfflineRunSimulated(t *testing.T) {
	res := predictFileRun(t, "../validation/holdout-trtllm-hopper.yaml", "trtllm-llama3.3-70b-h200-tp1-fp8-20000-2000")
	if res.Method != MethodOffline || !strings.HasPrefix(res.Plan, "offline ") || math.Abs(*res.Error) > 0.15 {
		t.Errorf("%s: %.4g tokens/s per GPU (%+.1f %%), plan %q; want an offline simulation within 15 %% of 283", res.ID, *res.Predicted, 100**res.Error, res.Plan)
	}
}

// trtllm-bench's engine settings when a throughput run states neither
// (tensorrt_llm/bench/build/tuning.py, finetune_setting), worked by hand:
// 1,077 requests of 1000/1000 → batch 256·⌈1077/256⌉ = 1280, tokens
// 2154 → 256·⌈2154/256⌉ = 2304; 47 requests of 20000/2000 → batch at
// least 64, tokens 47·11 = 517 → at least 2048; 5,000 requests of
// 5000/500 → batch capped at 4096, tokens capped at 32768; two pipeline
// stages halve the batch.
func TestTRTLLMFinetune(t *testing.T) {
	for _, c := range []struct {
		req               float64
		isl, osl, pp      int
		wantBS, wantToken int
	}{
		{1077, 1000, 1000, 1, 1280, 2304},
		{47, 20000, 2000, 1, 64, 2048},
		{5000, 5000, 500, 1, 4096, 32768},
		{600, 128, 2048, 2, 384, 2048},
	} {
		bs, tok := trtllmFinetune(c.req, c.isl, c.osl, c.pp)
		if bs != c.wantBS || tok != c.wantToken {
			t.Errorf("finetune(%g requests, %d/%d, pp %d) = %d, %d; want %d, %d", c.req, c.isl, c.osl, c.pp, bs, tok, c.wantBS, c.wantToken)
		}
	}
}

// trtllm-bench leaves chunked prefill off and then raises the token budget
// to at least the longest prompt plus the batch
// (tensorrt_llm/bench/benchmark/utils/general.py, get_settings), worked by
// hand: 47 requests of 20000/2000 → batch 64, tokens max(2048, 20000 + 64)
// = 20064; 176 requests of 32768/1024 (an instance of four attention
// groups, the tool seeing the whole instance) → batch 32·⌈176/32⌉ = 192,
// tokens min(192·33, 32768) = 32768 → 32768 + 192 = 32960; 1,077 of
// 1000/1000 keep finetune's 2304 (above 1000 + 1280 = 2280).
func TestTRTLLMBench(t *testing.T) {
	for _, c := range []struct {
		req               float64
		isl, osl          int
		wantBS, wantToken int
	}{
		{47, 20000, 2000, 64, 20064},
		{176, 32768, 1024, 192, 32960},
		{1077, 1000, 1000, 1280, 2304},
	} {
		bs, tok := trtllmBench(c.req, c.isl, c.osl, 1)
		if bs != c.wantBS || tok != c.wantToken {
			t.Errorf("bench(%g requests, %d/%d) = %d, %d; want %d, %d", c.req, c.isl, c.osl, bs, tok, c.wantBS, c.wantToken)
		}
	}
}

// A run's stated batch is what its engine was configured to run: an engine
// default below it (TensorRT-LLM's max_batch_size 2048) does not refuse
// it, while the KV cache still does. Llama 3.1 8B in FP8 on one H100 at
// 128+128 tokens holds about 3,800 such sequences whole (2 × 8 KV heads
// × 128 × 32 layers × 1 byte = 64 kB a token, ~66 GB for the cache:
// ~1,000,000 tokens over 256 each); 3,000 fit, 100,000 do not.
func TestStatedBatchOverEngineDefault(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	doc := func(batch int) string {
		return `format: published-runs/v1
runs:
- id: stated-batch
  kind: inference
  source: test
  system: {chip: h100-sxm, chips: 1, software: tensorrt-llm}
  model: {name: Llama 3.1 8B, layers: 32, hidden: 4096, heads: 32, kv_heads: 8, ffn: 14336, ffn_act: swiglu, vocab: 128256, attention: gqa}
  inference: {phase: mixed, precision: fp8, input_tokens: 128, output_tokens: 128, batch_per_chip: ` + strconv.Itoa(batch) + `, slo: {tpot_ms: 1000}}
  measured: {metric: output_tokens_per_s_per_chip, value: 20000}
`
	}
	f, err := Parse([]byte(doc(3000)))
	if err != nil {
		t.Fatal(err)
	}
	if res := validateRun(cat, f.Runs[0], Options{}); res.Predicted == nil || !strings.Contains(res.Plan, "batch=3000") {
		t.Errorf("batch 3,000 over max_batch_size 2048: predicted %v, plan %q, reason %q; want a prediction at batch 3000", res.Predicted, res.Plan, res.Reason)
	}
	f, err = Parse([]byte(doc(100000)))
	if err != nil {
		t.Fatal(err)
	}
	if res := validateRun(cat, f.Runs[0], Options{}); res.Predicted != nil || !strings.Contains(res.Reason, "KV cache") {
		t.Errorf("batch 100,000: predicted %v, reason %q; want a refusal naming the KV cache", res.Predicted, res.Reason)
	}
}

// TensorRT-LLM's 2023 tables (validation/calibration-trtllm-2023.yaml:
// release 0.5.0 and 0.6.1, static batches on H100 and A100) measured its
// GQA models (Llama 2 70B, Falcon 180B) far slower than its MHA models
// (GPT-J 6B, LLaMA 7B) at the same engine efficiency: its generation
// kernel read the KV cache per query head before XQA (v0.7). Read at the
// releases they name, the GQA rows' median signed error sits within 10
// points of the MHA rows' (−15.1 % against −7.0 % when added); read as
// today's engine (the release dropped), the GQA rows' median is more than
// 25 points above (+26.0 %): the era, not an efficiency, separates them.
func TestTRTLLM2023GQARowsReadLikeMHA(t *testing.T) {
	cat, f := loadWithCatalog(t, "../validation/calibration-trtllm-2023.yaml")
	gap := func(current bool) float64 {
		var gqa, mha []float64
		for _, r := range f.Runs {
			if !strings.HasPrefix(r.ID, "trtllm050-") && !strings.HasPrefix(r.ID, "trtllm061-") {
				continue
			}
			if current {
				r.System.Software = "tensorrt-llm"
			}
			res := validateRun(cat, r, Options{})
			if res.Error == nil {
				t.Fatalf("%s: not predicted: %s", r.ID, res.Reason)
			}
			if r.Model.KVHeads < r.Model.Heads {
				gqa = append(gqa, *res.Error)
			} else {
				mha = append(mha, *res.Error)
			}
		}
		if len(gqa) != 17 || len(mha) != 23 {
			t.Fatalf("%d GQA and %d MHA rows, want 17 and 23", len(gqa), len(mha))
		}
		sort.Float64s(gqa)
		sort.Float64s(mha)
		return gqa[len(gqa)/2] - mha[len(mha)/2]
	}
	if g := gap(false); math.Abs(g) > 0.10 {
		t.Errorf("at their releases: GQA rows' median %+.1f points from the MHA rows', want within 10", 100*g)
	}
	if g := gap(true); g < 0.25 {
		t.Errorf("read as today's engine: GQA rows' median %+.1f points above the MHA rows', want more than 25 (the test would not see the era)", 100*g)
	}
}

// batch_per_chip is per chip at any dp: Llama 3 70B decode on A100 at
// tp 4 pp 2, 16 sequences a chip, is one instance of 4 × 2 = 8 chips
// holding 16 × 8 = 128 sequences, and each of dp replicas holds its own
// 128 (it was predicted at 32 a chip at dp 2 and 64 at dp 4: the run's
// chips times the batch taken as one instance's). Replicas are
// independent, so the rate per chip is 16 tokens per step per chip over
// the 128-sequence step time, the same at dp 1, 2 and 4.
func TestBatchPerChipAtAnyDP(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	model := llm.Model{Name: "Llama 3 70B", Layers: 80, Hidden: 8192, Heads: 64, KVHeads: 8, FFN: 28672, Act: llm.SwiGLU, Vocab: 128256, Attention: llm.GQA}.WithDefaults()
	var first float64
	for _, dp := range []int{1, 2, 4} {
		r := Run{ID: "dp", Kind: KindInference, System: System{Chip: "a100-sxm4-80gb", Chips: 8 * dp}, Model: model,
			Inference: &Inference{Phase: "decode", Precision: "bf16", InputTokens: 2048, OutputTokens: 512, BatchPerChip: 16,
				Parallel: InferenceParallel{TP: 4, PP: 2, DP: dp}},
			Measured: Measured{Metric: MetricOutputTokensPerChip, Value: 300}}
		p, err := predictInference(cat, r, Options{})
		if err != nil {
			t.Fatalf("dp %d: %v", dp, err)
		}
		if !strings.Contains(p.Plan, "batch=128 (16/chip)") {
			t.Errorf("dp %d: plan %q; want batch=128 (16/chip), one 8-chip instance's", dp, p.Plan)
		}
		if dp == 1 {
			d, _, err := cat.Deployment(inferenceOptions(r))
			if err != nil {
				t.Fatal(err)
			}
			d.Profile.MaxBatch = 0
			pts, err := inference.Curve(d, inference.Decode, inference.Workload{Input: 2048, Output: 512}, inference.SLO{}, []int{128})
			if err != nil {
				t.Fatal(err)
			}
			first = p.Value
			if want := 16 / float64(pts[0].TPOT); math.Abs(p.Value/want-1) > 1e-9 {
				t.Errorf("dp 1: %.6g tokens/s per chip, want 16 / TPOT %v = %.6g", p.Value, pts[0].TPOT, want)
			}
			continue
		}
		if math.Abs(p.Value/first-1) > 1e-9 {
			t.Errorf("dp %d: %.6g tokens/s per chip, want dp 1's %.6g (replicas are independent)", dp, p.Value, first)
		}
	}
}

// A decode run that states the input metric parses (the format's table
// ties the metric to no phase) and is not predicted, with a reason: its
// pool prefills no prompts. One such run no longer stops a whole file.
func TestDecodeInputMetricIsARunReason(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse([]byte(strings.Replace(oneInference, "metric: output_tokens", "metric: input_tokens", 1)))
	if err != nil {
		t.Fatalf("Parse: %v; want the run taken", err)
	}
	if _, err := predictInference(cat, f.Runs[0], Options{}); err == nil || !strings.Contains(err.Error(), "a decode pool prefills no prompts") {
		t.Errorf("predict: %v; want the run's reason", err)
	}
}
