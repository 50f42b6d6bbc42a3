package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runBad runs args, wants bad input's exit code 2 and an error that
// starts with prefix and says each of wants.
func runBad(t *testing.T, prefix string, wants []string, args ...string) string {
	t.Helper()
	code, _, errs := runCmd(t, args...)
	if code != exitUsage {
		t.Fatalf("%v: exit %d, want %d (bad input): %s", args, code, exitUsage, errs)
	}
	if !strings.Contains(errs, prefix) {
		t.Errorf("%v: error does not name %q:\n%s", args, prefix, errs)
	}
	for _, w := range wants {
		if !strings.Contains(errs, w) {
			t.Errorf("%v: error lacks %q:\n%s", args, w, errs)
		}
	}
	return errs
}

// tp 8 × pp 3 on 8 devices: no tp makes tp·3 divide 8, so the error is
// pp's, and it states all three degrees.
func TestTrainDevicesNamesTheCulprit(t *testing.T) {
	runBad(t, ": --pp = 3: ", []string{"tp 8 × pp 3 × cp 1 = 24", "8 devices", "want pp 1"},
		"train", "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "8", "--tp", "8", "--pp", "3")
	// tp 8 × pp 4 on 16: either could change; both are named.
	runBad(t, ": --tp = 8: ", []string{"tp 8 × pp 4 × cp 1 = 32", "16 devices", "tp a divisor of 4", "pp a divisor of 2"},
		"train", "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "16", "--tp", "8", "--pp", "4")
	// pp 3 × cp 3 on 8: no one degree alone fits.
	runBad(t, ": --pp = 3: ", []string{"tp 1 × pp 3 × cp 3 = 9", "no one degree"},
		"train", "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "8", "--pp", "3", "--cp", "3")
}

// An instance larger than the deployment is the stated degree's error
// (--tp), not the whole layout's ("parallel").
func TestServeInstanceNamesTheDegree(t *testing.T) {
	serve := []string{"serve-estimate", "--model", "llama3.1-8b", "--chip", "h100-sxm"}
	runBad(t, ": --tp = 2: ", []string{"tp 2 × pp 1 = 2 devices per instance", "deployment's 1", "want tp at most 1"},
		append(serve, "--chips", "1", "--tp", "2")...)
	runBad(t, ": --pp = 4: ", []string{"tp 1 × pp 4 = 4 devices", "want pp at most 2"},
		append(serve, "--chips", "2", "--pp", "4")...)
	runBad(t, ": --ep = 2: ", []string{"max(tp 1, ep 2) × pp 1 = 2 devices", "want ep at most 1"},
		"serve-estimate", "--model", "deepseek-v3", "--chip", "h100-sxm", "--chips", "1", "--ep", "2")
}

// train --run with the id of an inference run says the run is one, and
// where it is predicted, not that no run has the id.
func TestTrainRunOfAnotherKind(t *testing.T) {
	f := filepath.Join(t.TempDir(), "runs.yaml")
	if err := os.WriteFile(f, []byte(inferenceRunFile), 0o644); err != nil {
		t.Fatal(err)
	}
	id := "trtllm-llama3.3-70b-h100-tp2-fp8-1000-1000"
	errs := runBad(t, `: --run = "`+id+`": `, []string{"kind inference", "not a training run", "chipgap validate", "serve-estimate --chip h100-sxm --chips 2"},
		"train", "--file", f, "--run", id)
	if strings.Contains(errs, "no training run with that id") {
		t.Errorf("the run is there, of another kind:\n%s", errs)
	}
	runBad(t, `: --run = "nope": `, []string{"no training run with that id"}, "train", "--file", f, "--run", "nope")
}

// inferenceRunFile is a published-runs/v1 file of one inference run (the
// calibration set's TensorRT-LLM Llama 3.3 70B on 2 H100).
const inferenceRunFile = `format: published-runs/v1
runs:
- id: trtllm-llama3.3-70b-h100-tp2-fp8-1000-1000
  kind: inference
  source: NVIDIA TensorRT-LLM perf-overview.md (commit 00f3768), Throughput Measurements, ISL/OSL 1000/1000
  system:
    chip: h100-sxm
    software: tensorrt-llm
    chips: 2
  model:
    name: Llama 3.3 70B Instruct
    layers: 80
    hidden: 8192
    heads: 64
    kv_heads: 8
    ffn: 28672
    ffn_act: swiglu
    vocab: 128256
    attention: gqa
  inference:
    phase: mixed
    precision: fp8
    input_tokens: 1000
    output_tokens: 1000
    parallel:
      tp: 2
      pp: 1
  measured:
    metric: output_tokens_per_s_per_chip
    value: 2102.5
    derivation: total output throughput 4,205 tokens/s for the TP2 group / 2 GPU(s) = 2102.5 tokens/s per GPU (offline max-throughput run, all requests queued; prefill time is inside the measurement)
`

// Llama 3.1 405B at tp 8 on 8 H100: the refusal describes the plan as
// stated (fp32 moments), not the 16-bit-moments variant tried last, names
// the component that alone overflows, and what the savings came to.
func TestTrainNotFitDescribesTheStatedPlan(t *testing.T) {
	args := []string{"train", "--model", "llama3.1-405b", "--chip", "h100-sxm", "--chips", "8", "--tp", "8"}
	code, _, errs := runCmd(t, args...)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d: %s", code, exitFailure, errs)
	}
	for _, w := range []string{"plan tp=8 pp=1 dp=1 mb=1 recompute=full zero=1 does not fit", "optimizer states 608.8 GB, which alone exceeds the device's 85.9 GB by 522.9 GB",
		"even with 16-bit moments (the stack's memory savings) it needs 773.2 GB of 85.9 GB"} {
		if !strings.Contains(errs, w) {
			t.Errorf("error lacks %q:\n%s", w, errs)
		}
	}
	if strings.Contains(errs, "zero=1 moments=16-bit does not fit") {
		t.Errorf("the refusal names the variant, not the stated plan:\n%s", errs)
	}
	// --json refuses it the same way: nothing on stdout, the same error.
	jcode, out, jerrs := runCmd(t, append(args, "--json")...)
	if jcode != exitFailure || out != "" || jerrs != errs {
		t.Errorf("--json: exit %d, stdout %q, stderr %q; want exit 1, nothing on stdout, the same error", jcode, out, jerrs)
	}
}

// The stack's default expert imbalance (1 on cuda-mcore) says why beside
// the figure; a stated --expert-imbalance does not.
func TestTrainExpertLoadSaysWhy(t *testing.T) {
	args := []string{"train", "--model", "deepseek-v3", "--chip", "h100-sxm", "--chips", "256", "--search", "--top", "1"}
	_, out, errs := runCmd(t, args...)
	if !strings.Contains(out, "carries 1.00× the mean routed tokens (the stack's default 1, balanced: the published Megatron-Core benchmarks force load balancing; --expert-imbalance states a run's own") {
		t.Errorf("the default imbalance does not say why:\n%s%s", out, errs)
	}
	_, out, errs = runCmd(t, append(args, "--expert-imbalance", "1")...)
	if !strings.Contains(out, "carries 1.00× the mean routed tokens;") || strings.Contains(out, "stack's default 1") {
		t.Errorf("a stated imbalance is the user's, not the stack's:\n%s%s", out, errs)
	}
}

// The search's best plan for Llama 3.1 70B on 64 H100 interleaves 7
// virtual stages over 20 layers a stage: it prints how to state the split
// Megatron-LM otherwise refuses, in text and JSON.
func TestTrainPrintsUnevenLayout(t *testing.T) {
	args := []string{"train", "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "64", "--global-batch", "256", "--seq", "8192", "--tp", "4", "--pp", "4", "--cp", "2", "--vpp", "7"}
	_, out, errs := runCmd(t, args...)
	if !strings.Contains(out, `--pipeline-model-parallel-layout "Ettt|(ttt|)*23(tt|)*3ttL"`) || !strings.Contains(out, "3,3,3,3,3,3,2") {
		t.Errorf("no layout for vpp 7 over 20 layers a stage:\n%s%s", out, errs)
	}
	_, out, _ = runCmd(t, append(args, "--json")...)
	if !strings.Contains(out, `"pipeline_layout": "Ettt|(ttt|)*23(tt|)*3ttL"`) {
		t.Errorf("JSON lacks pipeline_layout:\n%s", out)
	}
	_, out, _ = runCmd(t, append(args[:len(args)-1], "5")...)
	if strings.Contains(out, "pipeline-model-parallel-layout") {
		t.Errorf("vpp 5 divides 20 layers: no layout needed:\n%s", out)
	}
}
