package catalog

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/input"
	"chipgap/uncertain"
	"chipgap/units"
)

func TestInferenceStacksCoverEveryStack(t *testing.T) {
	c := loadInfCatalog(t)
	data := stacksData(t, c)
	have := map[string]bool{}
	for _, s := range data.Stacks {
		have[s.ID] = true
	}
	for _, id := range Stacks() {
		if !have[id] {
			t.Errorf("stacks-inference.yaml: no profile for stack %q", id)
		}
	}
}

func TestInferenceProfileResolution(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		chip, framework, want, note string
	}{
		{"h100-sxm", "tensorrt-llm", "cuda", ""},
		{"ascend-910c", "cloudmatrix-infer", "cann", ""},
		{"mi300x", "vLLM", "rocm", ""},                             // case-insensitive, runs on ROCm
		{"ascend-910c", "tensorrt-llm", "cann", "does not run on"}, // falls back to the chip's stack
		{"h100-sxm", "no-such-engine", "cuda", "unknown"},
		{"h100-sxm", "", "cuda", "no framework"},
	} {
		ch, err := c.Chip(tc.chip)
		if err != nil {
			t.Fatal(err)
		}
		s, note, err := c.InferenceProfile(tc.framework, ch)
		if err != nil || s.ID != tc.want || !strings.Contains(note, tc.note) {
			t.Errorf("InferenceProfile(%q, %s) = %s, %q, %v; want %s with a note containing %q", tc.framework, tc.chip, s.ID, note, err, tc.want, tc.note)
		}
	}
}

func TestInferenceStacksNeedProvenance(t *testing.T) {
	c := loadInfCatalog(t)
	data := stacksData(t, c)
	st := data.Stacks[0]
	st.Params.MatmulEff = Param[float64]{Value: 0.5} // no sources, not calibrated, not assumed
	bad := InferenceStacks{Stacks: []InferenceStack{st}}
	if err := bad.check(c, "x.yaml"); err == nil || !strings.Contains(err.Error(), "matmul_eff") {
		t.Errorf("check without provenance: err = %v, want one naming matmul_eff", err)
	}
	st = data.Stacks[0]
	st.Params.MemoryEff.Value = 1.5
	bad = InferenceStacks{Stacks: []InferenceStack{st}}
	if err := bad.check(c, "x.yaml"); err == nil || !strings.Contains(err.Error(), "memory_eff") {
		t.Errorf("check with memory_eff 1.5: err = %v, want one naming memory_eff", err)
	}
}

func TestDeploymentDefaults(t *testing.T) {
	c := loadInfCatalog(t)
	ds, err := c.Model("deepseek-v3")
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := c.Deployment(DeploymentOptions{Chip: "ascend-910c", Chips: 16, Model: ds, Precision: "int8"})
	if err != nil {
		t.Fatal(err)
	}
	// 16 packages × 2 dies: one instance, EP over the 32 devices.
	if d.Parallel.EP != 32 || d.Parallel.TP != 0 || d.Profile.ID != "cann" {
		t.Errorf("910C × 16, DeepSeek: parallel %+v, stack %s; want ep=32, cann", d.Parallel, d.Profile.ID)
	}
	if _, _, err := c.Deployment(DeploymentOptions{Chip: "h100-sxm", Chips: 1, Model: ds, Precision: "fp9"}); err == nil ||
		!strings.Contains(err.Error(), "precision") {
		t.Errorf("precision fp9: err = %v, want one naming precision", err)
	}
	if _, err := inference.KVCapacity(d); err != nil {
		t.Errorf("KVCapacity(910C × 16, DeepSeek INT8): %v", err)
	}
}

func loadInfCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Sample with uncertain.Typical() is the typical profile; drawn profiles
// stay inside each parameter's [min, max] and valid; a range that does
// not hold its value is refused, naming the parameter.
func TestInferenceStackSample(t *testing.T) {
	c := loadInfCatalog(t)
	data := stacksData(t, c)
	for _, st := range data.Stacks {
		typ, err := st.Sample(uncertain.Typical())
		if err != nil || !reflect.DeepEqual(typ, st.Profile()) {
			t.Errorf("%s: Sample(Typical) = %+v, %v; want the typical profile %+v", st.ID, typ, err, st.Profile())
		}
	}
	cuda := data.Stacks[0]
	if cuda.ID != "cuda" || cuda.Params.MemoryEff.Min == nil || cuda.Params.MemoryEff.Max == nil {
		t.Fatalf("first stack %s: want cuda with a memory_eff range", cuda.ID)
	}
	lo, hi := *cuda.Params.MemoryEff.Min, *cuda.Params.MemoryEff.Max
	seen := map[float64]bool{}
	_, err := uncertain.Run(200, 7, func(d *uncertain.Draw) (map[string]float64, error) {
		p, err := cuda.Sample(d)
		if err != nil {
			return nil, err
		}
		if p.MemoryEff < lo || p.MemoryEff > hi {
			t.Errorf("drawn memory_eff %.3f outside [%.2f, %.2f]", p.MemoryEff, lo, hi)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("drawn profile invalid: %v", err)
		}
		seen[p.MemoryEff] = true
		return map[string]float64{"m": p.MemoryEff}, nil
	})
	if err != nil || len(seen) < 100 {
		t.Errorf("200 draws: %d distinct memory_eff values, err %v; want the range sampled", len(seen), err)
	}
	bad := cuda
	x := 0.95
	bad.Params.MemoryEff.Max = &x
	bad.Params.MemoryEff.Value, bad.Params.MemoryEff.Min = 0.97, nil
	if err := (&InferenceStacks{Stacks: []InferenceStack{bad}}).check(c, "x.yaml"); err == nil || !strings.Contains(err.Error(), "memory_eff") {
		t.Errorf("memory_eff 0.97 with max 0.95: err = %v, want one naming memory_eff", err)
	}
}

// The rocm profile is calibrated on the OCI MI300X latency table (vLLM
// benchmark_latency.py, Llama 3.1 405B FP8 on 8 × MI300X, TP8, 128 in /
// 128 out): output tokens/s per node 36 at batch 1, 1,184 at 64, 1,585 at
// 128, 1,846 at 256. The profile must reproduce the table within 15 %
// (colocated steps stand in for the benchmark's static batch).
func TestROCmProfileReproducesOCILatencyTable(t *testing.T) {
	c := loadInfCatalog(t)
	m, err := c.Model("llama3.1-405b")
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := c.Deployment(DeploymentOptions{Chip: "mi300x", Chips: 8, Software: "vllm", Model: m,
		Parallel: inference.Parallel{TP: 8}, Precision: "fp8"})
	if err != nil {
		t.Fatal(err)
	}
	table := map[int]float64{1: 36, 64: 1184, 128: 1585, 256: 1846}
	pts, err := inference.Curve(d, inference.Colocated, inference.Workload{Input: 128, Output: 128}, inference.SLO{}, []int{1, 64, 128, 256})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pts {
		got := p.OutputPerChip * 8
		if want := table[p.Batch]; got < want/1.15 || got > want*1.15 {
			t.Errorf("batch %d: %.0f output tokens/s per node, OCI table %.0f (want within 15 %%)", p.Batch, got, want)
		}
	}
}

// An engine named by a run brings its own limits, each with the title of
// its source; the stack's limits are its default engine's.
func TestInferenceEngineLimits(t *testing.T) {
	c := loadInfCatalog(t)
	h100, err := c.Chip("h100-sxm")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		framework, engine           string
		block, batch, tokens, chunk int
		source                      string
	}{
		// SGLang server_args.py: page_size 1, max_running_requests from
		// the KV pool, max_prefill_tokens 16384.
		{"sglang", "SGLang", 1, 0, 16384, 16384, "server_args.py"},
		// TensorRT-LLM llm_args.py: tokens_per_block 32, max_batch_size
		// 2048, max_num_tokens 8192.
		{"trtllm", "TensorRT-LLM", 32, 2048, 8192, 0, "llm_args.py"},
		// vLLM arg_utils.py on a device of 70 GiB or more other than an
		// A100 (an H100 has 80 GiB): max_num_seqs 1024, and 16384 tokens
		// since pull request 51726.
		{"vLLM", "vLLM", 16, 1024, 16384, 0, "51726"},
		{"", "", 32, 2048, 8192, 0, "llm_args.py"}, // the cuda stack's own: TensorRT-LLM's
	} {
		st, _, err := c.InferenceProfile(tc.framework, h100)
		if err != nil {
			t.Fatal(err)
		}
		p := st.Profile()
		if p.Engine != tc.engine || p.BlockTokens != tc.block || p.MaxBatch != tc.batch || p.MaxTokens != tc.tokens || p.ChunkTokens != tc.chunk {
			t.Errorf("%q on H100: engine %q limits %d/%d/%d/%d, want %q %d/%d/%d/%d", tc.framework, p.Engine,
				p.BlockTokens, p.MaxBatch, p.MaxTokens, p.ChunkTokens, tc.engine, tc.block, tc.batch, tc.tokens, tc.chunk)
		}
		if src := p.LimitSources["max_tokens"]; !strings.Contains(src, tc.source) {
			t.Errorf("%q: max_tokens source %q, want one naming %q", tc.framework, src, tc.source)
		}
	}
	// An engine that does not run on the chip's stack leaves its limits.
	ascend, err := c.Chip("ascend-910c")
	if err != nil {
		t.Fatal(err)
	}
	if st, _, _ := c.InferenceProfile("tensorrt-llm", ascend); st.Profile().Engine != "" {
		t.Errorf("tensorrt-llm on 910C: engine %q, want the cann stack's own limits", st.Profile().Engine)
	}
}

// SGLang runs on Ascend NPUs with defaults of its own (hardware_backend/
// npu/utils.py set_default_server_args): 128-token pages, and a
// chunked_prefill_size of 8,192 on a 64 GB device (a 910B3, a 910C die),
// 4,096 on a 32 GB 910B4; the 950PR's 128 GB takes the GPU rule's 8,192
// under 160 GiB, the 960's planned 288 GB its 16,384. max_prefill_tokens and the KV-derived running limit are
// as on GPUs. It was refused as an engine that runs on CUDA and ROCm only.
func TestSGLangOnAscend(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		chip  string
		chunk int
	}{{"ascend-910b", 8192}, {"ascend-910c", 8192}, {"ascend-950pr", 8192}, {"ascend-910b4", 4096}, {"ascend-960", 16384}} {
		p, note := profileOn(t, c, "sglang", tc.chip)
		if p.EngineID != "sglang-ascend" || p.BlockTokens != 128 || p.MaxBatch != 0 || p.MaxTokens != 16384 || p.ChunkTokens != tc.chunk {
			t.Errorf("sglang on %s: engine %q limits %d/%d/%d/%d, want sglang-ascend 128/0/16384/%d (note %q)", tc.chip, p.EngineID,
				p.BlockTokens, p.MaxBatch, p.MaxTokens, p.ChunkTokens, tc.chunk, note)
		}
		if !strings.Contains(p.LimitSources["chunk_tokens"], "npu/utils.py") {
			t.Errorf("sglang on %s: chunk_tokens source %q, want SGLang's NPU defaults", tc.chip, p.LimitSources["chunk_tokens"])
		}
	}
}

// profileOn resolves framework's serving profile on the chip with id
// chipID (InferenceProfile), failing the test on an error.
// allInferenceStacks is every serving stack id, as checkEngines takes them.
func allInferenceStacks() map[string]bool {
	return map[string]bool{"cuda": true, "rocm": true, "xla": true, "synapse": true, "cann": true}
}

// stacksData is c's serving stacks and engines as loaded.
func stacksData(t *testing.T, c *Catalog) *InferenceStacks {
	t.Helper()
	data, err := c.InferenceStacksData()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func profileOn(t *testing.T, c *Catalog, framework, chipID string) (inference.Profile, string) {
	t.Helper()
	chip, err := c.Chip(chipID)
	if err != nil {
		t.Fatal(err)
	}
	st, note, err := c.InferenceProfile(framework, chip)
	if err != nil {
		t.Fatal(err)
	}
	return st.Profile(), note
}

// A framework name that carries its release ("vllm 0.9.1", as published
// runs write it) still names its engine: the release is split off (serving
// profiles have no dated versions, which the note says), where it had made
// the name unknown and the engine's limits and MoE path fall away.
func TestInferenceProfileNamesRelease(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		framework, chip, engine, tag string
		batch                        int
	}{
		{"vllm 0.9.1", "h100-sxm", "vLLM", "0.9.1", 1024},
		{"SGLang v0.4.6.post1", "h100-sxm", "SGLang", "v0.4.6.post1", 0},
		{"tensorrt-llm@0.19.0", "b200", "TensorRT-LLM", "0.19.0", 2048},
		// vLLM on Ascend is vLLM-Ascend (max_num_seqs 256 on a 64 GB device);
		// v0.9.1 falls in its earlier era (TestVLLMAscendPrefillFirstEra).
		{"vllm v0.13.0", "ascend-910b", "vLLM-Ascend", "v0.13.0", 256},
	} {
		p, note := profileOn(t, c, tc.framework, tc.chip)
		if p.Engine != tc.engine || p.MaxBatch != tc.batch {
			t.Errorf("%q on %s: engine %q, max batch %d; want %q, %d", tc.framework, tc.chip, p.Engine, p.MaxBatch, tc.engine, tc.batch)
		}
		if !strings.Contains(note, `release "`+tc.tag+`"`) || !strings.Contains(note, "no dated versions") {
			t.Errorf("%q: note %q, want one naming release %q and that its current defaults apply", tc.framework, note, tc.tag)
		}
	}
	// A name without a release keeps an empty note.
	h100, err := c.Chip("h100-sxm")
	if err != nil {
		t.Fatal(err)
	}
	if _, note, _ := c.InferenceProfile("vllm", h100); note != "" {
		t.Errorf("plain vllm: note %q, want none", note)
	}
}

// vLLM sizes its defaults by the device and its engine generation
// (arg_utils.py; pull requests 15064, 17073, 17885): 1024 sequences and a
// 16,384-token step on a GPU of 70 GiB or more that is not an A100, 256
// and `vllm serve`'s 2,048 on the A100 and on smaller devices; a run that
// names a release or a date before V1 became the default (0.8.0,
// 2025-03-18) ran V0: 256 sequences on every device, with the 8,192-token
// step chipgap took for it before.
func TestVLLMLimitsByDeviceAndRelease(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		framework, chip string
		batch, tokens   int
		era             bool
	}{
		{"vllm", "h100-sxm", 1024, 16384, false},
		{"vllm", "mi300x", 1024, 16384, false},
		{"vllm", "b200", 1024, 16384, false},
		{"vllm", "a100-sxm4-80gb", 256, 2048, false}, // excluded by name (pull request 17885)
		{"vllm", "a100-sxm4-40gb", 256, 2048, false},
		{"vllm 0.6.3", "h100-sxm", 256, 8192, true},
		{"vllm v0.7.3", "mi300x", 256, 8192, true},
		{"vllm 2024-10-10", "mi300x", 256, 8192, true},
		{"vllm 0.8.0", "h100-sxm", 1024, 16384, false},
		{"vllm 2025-03-18", "h100-sxm", 1024, 16384, false},
	} {
		p, note := profileOn(t, c, tc.framework, tc.chip)
		if p.MaxBatch != tc.batch || p.MaxTokens != tc.tokens {
			t.Errorf("%q on %s: %d sequences, %d tokens a step; want %d, %d", tc.framework, tc.chip, p.MaxBatch, p.MaxTokens, tc.batch, tc.tokens)
		}
		if era := strings.Contains(note, "V0"); era != tc.era {
			t.Errorf("%q on %s: note %q; want the V0 era named: %v", tc.framework, tc.chip, note, tc.era)
		}
		// The ranges a deployment draws from keep the limits it was resolved with.
		back, err := c.InferenceStackOf(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if q := back.Profile(); q.MaxBatch != p.MaxBatch || q.MaxTokens != p.MaxTokens {
			t.Errorf("%q on %s: InferenceStackOf gives %d/%d, want %d/%d", tc.framework, tc.chip, q.MaxBatch, q.MaxTokens, p.MaxBatch, p.MaxTokens)
		}
	}
}

// TensorRT-LLM before v0.7 (its GQA blog of 2023-12-04 credits v0.7a with
// the generation-phase GQA kernel, XQA) read the KV cache per query head:
// a run naming an earlier release or date gets DecodeKVPerQueryHead, one
// naming 0.7.0 or later, a later date or no release does not; the era
// keeps the engine's own limits (2,048 sequences, 8,192 tokens a step),
// says so in the note, and survives InferenceStackOf (the ranges a
// deployment draws from).
func TestTensorRTLLMDecodeKernelBeforeXQA(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		framework string
		perHead   bool
	}{
		{"tensorrt-llm", false},
		{"tensorrt-llm 0.5.0", true},
		{"tensorrt-llm 0.6.1", true},
		{"tensorrt-llm 2023-11-17", true},
		{"tensorrt-llm 0.7.0", false},
		{"tensorrt-llm 2023-12-04", false},
		{"trtllm 0.12.0", false},
	} {
		p, note := profileOn(t, c, tc.framework, "h200-sxm")
		if p.DecodeKVPerQueryHead != tc.perHead {
			t.Errorf("%q: DecodeKVPerQueryHead %v, want %v", tc.framework, p.DecodeKVPerQueryHead, tc.perHead)
		}
		if p.MaxBatch != 2048 || p.MaxTokens != 8192 {
			t.Errorf("%q: %d sequences, %d tokens a step; want the engine's 2048, 8192", tc.framework, p.MaxBatch, p.MaxTokens)
		}
		if era := strings.Contains(note, "before v0.7"); era != tc.perHead {
			t.Errorf("%q: note %q; want the earlier era named: %v", tc.framework, note, tc.perHead)
		}
		back, err := c.InferenceStackOf(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if q := back.Profile(); q.DecodeKVPerQueryHead != p.DecodeKVPerQueryHead {
			t.Errorf("%q: InferenceStackOf gives DecodeKVPerQueryHead %v, want %v", tc.framework, q.DecodeKVPerQueryHead, p.DecodeKVPerQueryHead)
		}
	}
}

// vLLM-Ascend from v0.9.1 until 2025-11-10 forced its AscendScheduler
// on models without MLA (platform.py at tag v0.9.1): whole prompts ahead
// of the decodes, with max_num_batched_tokens raised to max_model_len
// (40,960 for Qwen3). A run naming 0.9.1 or an earlier date gets the
// budget; one naming 0.18.0rc1, a later date or no release does not; the
// engine's own limits stay, and InferenceStackOf keeps it.
func TestVLLMAscendPrefillFirstEra(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		framework string
		tokens    int
	}{
		{"vllm-ascend", 0},
		{"vllm-ascend 0.9.1", 40960},
		{"vllm 0.10.2rc1", 40960},
		{"vllm-ascend 2025-10-01", 40960},
		{"vllm-ascend 0.11.0", 0},
		{"vllm-ascend 0.18.0rc1", 0},
		{"vllm-ascend 2025-11-10", 0},
	} {
		p, _ := profileOn(t, c, tc.framework, "ascend-910b")
		if p.PrefillFirstTokens != tc.tokens {
			t.Errorf("%q: PrefillFirstTokens %d, want %d", tc.framework, p.PrefillFirstTokens, tc.tokens)
		}
		if p.MaxBatch != 256 || p.MaxTokens != 2048 {
			t.Errorf("%q: %d sequences, %d tokens a step; want the engine's 256, 2048", tc.framework, p.MaxBatch, p.MaxTokens)
		}
		back, err := c.InferenceStackOf(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if q := back.Profile(); q.PrefillFirstTokens != p.PrefillFirstTokens {
			t.Errorf("%q: InferenceStackOf gives PrefillFirstTokens %d, want %d", tc.framework, q.PrefillFirstTokens, p.PrefillFirstTokens)
		}
	}
}

// TensorRT-LLM's attention op runs prompt attention in FP8 where the
// weights are FP8 or FP4 or the KV cache FP8 (cpp/tensorrt_llm/thop/
// attentionOp.cpp), the PyTorch backend's path since 1.0.0: a run naming
// no release, 1.0.0 or later gets FlashAttention-3's FP8 over BF16 rate,
// 1.2 PFLOPS over 740 TFLOPS ≈ 1.62; one naming an earlier release or
// date, and vLLM, none; InferenceStackOf keeps which.
func TestTensorRTLLMFP8ContextAttention(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		framework string
		want      float64
	}{
		{"tensorrt-llm", 1.62},
		{"tensorrt-llm 1.0.0", 1.62},
		{"tensorrt-llm 1.2.0", 1.62},
		{"tensorrt-llm 0.9.0", 0},
		{"tensorrt-llm 0.21.0", 0},
		{"tensorrt-llm 2025-06-30", 0},
		{"vllm", 0},
	} {
		p, _ := profileOn(t, c, tc.framework, "h200-sxm")
		if p.FP8ContextAttention != tc.want {
			t.Errorf("%q: FP8ContextAttention %g, want %g", tc.framework, p.FP8ContextAttention, tc.want)
		}
		back, err := c.InferenceStackOf(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if q := back.Profile(); q.FP8ContextAttention != p.FP8ContextAttention {
			t.Errorf("%q: InferenceStackOf gives FP8ContextAttention %g, want %g", tc.framework, q.FP8ContextAttention, p.FP8ContextAttention)
		}
	}
	if math.Abs(1.2e15/740e12-1.62) > 0.005 {
		t.Error("FlashAttention-3's FP8 over BF16 forward rate is 1.62")
	}
}

// LMDeploy picks its running-sequence limit by the device's name
// (lmdeploy/utils.py get_max_batch_size): 384 on an A100, 1,024 on an
// H100, H800 or H200, 128 on any other GPU, 256 on Ascend since v0.7.2
// and 16 before; 64-token KV blocks and 8,192 prompt tokens an iteration
// everywhere. Before the engine was in the catalog a run naming it took
// the CUDA stack's own limits (TensorRT-LLM's 2,048 and 32-token blocks).
func TestLMDeployLimitsByChip(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		framework, chip string
		batch           int
		era             bool
	}{
		{"lmdeploy", "a100-sxm4-80gb", 384, false},
		{"lmdeploy", "h100-pcie", 1024, false},
		{"lmdeploy", "h200-sxm", 1024, false},
		{"lmdeploy", "b200", 128, false},
		{"lmdeploy", "h20", 128, false},
		{"lmdeploy", "ascend-910b", 256, false},
		{"lmdeploy v0.7.2", "ascend-910b", 256, false},
		{"lmdeploy 0.7.1", "ascend-910b", 16, true},
		{"lmdeploy 2024-12-01", "ascend-910c", 16, true},
	} {
		p, note := profileOn(t, c, tc.framework, tc.chip)
		if p.MaxBatch != tc.batch || p.MaxTokens != 8192 || p.BlockTokens != 64 {
			t.Errorf("%q on %s: %d sequences, %d tokens a step, %d-token blocks; want %d, 8192, 64", tc.framework, tc.chip, p.MaxBatch, p.MaxTokens, p.BlockTokens, tc.batch)
		}
		if era := strings.Contains(note, "before v0.7.2"); era != tc.era {
			t.Errorf("%q on %s: note %q; want the earlier era named: %v", tc.framework, tc.chip, note, tc.era)
		}
	}
}

// Limits without a source are refused when the data loads.
func TestInferenceEngineNeedsSources(t *testing.T) {
	c := loadInfCatalog(t)
	data := stacksData(t, c)
	bad := *data
	bad.Engines = append([]InferenceEngine(nil), data.Engines...)
	bad.Engines[0].Limits.MaxTokens = Param[int]{Value: 4096}
	if err := bad.checkEngines(c, "x.yaml", allInferenceStacks()); err == nil || !strings.Contains(err.Error(), "max_tokens") {
		t.Errorf("an unsourced max_tokens: %v, want an error naming it", err)
	}
}

// An engine's large-device and earlier-era limits are checked when the
// data loads: sourced, on a stack the engine runs on, an era with a date.
func TestInferenceEngineDatedLimitsChecked(t *testing.T) {
	c := loadInfCatalog(t)
	data := stacksData(t, c)
	stacks := allInferenceStacks()
	var vllm int
	for i, e := range data.Engines {
		if e.ID == "vllm" {
			vllm = i
		}
	}
	for _, tc := range []struct {
		name string
		edit func(e *InferenceEngine)
		want string
	}{
		{"unsourced large-device batch", func(e *InferenceEngine) {
			d := *e.LargeDevice
			d.MaxBatch = Param[int]{Value: 1024}
			e.LargeDevice = &d
		}, "large_device: max_batch"},
		{"large device on a stack the engine lacks", func(e *InferenceEngine) {
			d := *e.LargeDevice
			d.Stacks = []string{"cann"}
			e.LargeDevice = &d
		}, `stack "cann"`},
		{"era without a date", func(e *InferenceEngine) {
			b := *e.Before
			b.Date = "March 2025"
			e.Before = &b
		}, "before: date"},
		{"era release not a version", func(e *InferenceEngine) {
			b := *e.Before
			b.Release = "V1"
			e.Before = &b
		}, "before: release"},
		{"era stating nothing", func(e *InferenceEngine) {
			e.Before = &EngineEra{Date: "2025-03-18", Release: "0.8.0", Note: "V0"}
		}, "want max_batch, max_tokens, decode_kv_per_query_head or prefill_first_tokens"},
		{"unsourced era kernel", func(e *InferenceEngine) {
			e.Before = &EngineEra{Date: "2025-03-18", Release: "0.8.0", Note: "V0", DecodeKVPerQueryHead: &Param[int]{Value: 1}}
		}, "before: decode_kv_per_query_head: wants sources"},
		{"era kernel neither 0 nor 1", func(e *InferenceEngine) {
			e.Before = &EngineEra{Date: "2025-03-18", Release: "0.8.0", Note: "V0", DecodeKVPerQueryHead: &Param[int]{Value: 8, Sources: []string{"trtllm_xqa_blog"}}}
		}, "want 0 or 1"},
		{"per-chip batch on an unknown chip", func(e *InferenceEngine) {
			e.ChipLimits = []EngineChipLimits{{Chips: []string{"h1000"}, MaxBatch: &Param[int]{Value: 64, Sources: []string{"vllm_batch_defaults"}}}}
		}, "chip_limits[0]: chips"},
		{"per-chip batch named twice", func(e *InferenceEngine) {
			b := EngineChipLimits{Chips: []string{"h100-sxm"}, MaxBatch: &Param[int]{Value: 64, Sources: []string{"vllm_batch_defaults"}}}
			e.ChipLimits = []EngineChipLimits{b, b}
		}, "named twice"},
		{"unsourced per-chip batch", func(e *InferenceEngine) {
			e.ChipLimits = []EngineChipLimits{{Chips: []string{"h100-sxm"}, MaxBatch: &Param[int]{Value: 64}}}
		}, "chip_limits[0]: max_batch"},
		{"unsourced per-chip chunk", func(e *InferenceEngine) {
			e.ChipLimits = []EngineChipLimits{{Chips: []string{"h100-sxm"}, ChunkTokens: &Param[int]{Value: 4096}}}
		}, "chip_limits[0]: chunk_tokens"},
		{"per-chip entry with no limit", func(e *InferenceEngine) {
			e.ChipLimits = []EngineChipLimits{{Chips: []string{"h100-sxm"}}}
		}, "want max_batch, chunk_tokens or both"},
	} {
		bad := *data
		bad.Engines = append([]InferenceEngine(nil), data.Engines...)
		tc.edit(&bad.Engines[vllm])
		if err := bad.checkEngines(c, "x.yaml", stacks); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
}

// Naming TensorRT-LLM gets its default MoE backend (CUTLASS, the slower
// line of tech blog 24) and its communication (no overlap, no per-layer
// host sync, no dispatch under whole-instance attention TP); the cuda
// stack alone keeps the best measured grouped path (TRTLLM-Gen) and
// DeepSeek's overlap; an engine without a moe section keeps the stack's;
// an unsourced or out-of-range backend value is refused when the data
// loads.
func TestInferenceEngineMoEBackend(t *testing.T) {
	c := loadInfCatalog(t)
	h200, err := c.Chip("h200-sxm")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		framework string
		eff       float64
		fixed     units.Seconds
	}{
		{"tensorrt-llm", 0.34, 93e-6},
		{"", 0.62, 25e-6},
		{"sglang", 0.62, 25e-6},
	} {
		st, _, err := c.InferenceProfile(tc.framework, h200)
		if err != nil {
			t.Fatal(err)
		}
		p := st.Profile()
		// TensorRT-LLM configures no expert balancer by default
		// (MoeConfig.load_balancer None); the CUDA stack's deployments
		// (DeepSeek's, SGLang's large-EP recipe) run EPLB.
		if p.NoBalancer != (tc.framework == "tensorrt-llm") || p.RoutingCV != 1.28 {
			t.Errorf("%q on H200: no balancer %v, routing_cv %g; want %v, 1.28", tc.framework, p.NoBalancer, p.RoutingCV, tc.framework == "tensorrt-llm")
		}
		if p.ExpertMemoryEff != tc.eff || math.Abs(float64(p.MoELayerTime-tc.fixed)) > 1e-12 {
			t.Errorf("%q on H200: expert_memory_eff %g, moe_layer_time %v; want %g, %v", tc.framework, p.ExpertMemoryEff, p.MoELayerTime, tc.eff, tc.fixed)
		}
		// TensorRT-LLM's MoE runs dispatch, experts and combine in
		// sequence (fused_moe_cutlass.py) with the token counts from the
		// step's metadata; the stack keeps DeepSeek's dual micro-batch
		// overlap (0.7) and DeepEP's per-layer sync (30 µs).
		overlap, sync := 0.7, units.Seconds(30e-6)
		if tc.framework == "tensorrt-llm" {
			overlap, sync = 0, 0
		}
		if p.NoTPDispatch != (tc.framework == "tensorrt-llm") {
			t.Errorf("%q on H200: no_tp_dispatch %v; want %v (TensorRT-LLM runs the experts on the TP-replicated tokens)", tc.framework, p.NoTPDispatch, tc.framework == "tensorrt-llm")
		}
		if p.CommOverlap != overlap || math.Abs(float64(p.MoESync-sync)) > 1e-12 {
			t.Errorf("%q on H200: comm_overlap %g, moe_sync %v; want %g, %v", tc.framework, p.CommOverlap, p.MoESync, overlap, sync)
		}
	}
	data := stacksData(t, c)
	unsourced := func(m *EngineMoE) { m.MoELayerTime = Param[units.Seconds]{Value: 50e-6} }
	if err := engineErr(c, data, eachMoE(unsourced)); err == nil || !strings.Contains(err.Error(), "moe_layer_time") {
		t.Errorf("an unsourced moe_layer_time: %v, want an error naming it", err)
	}
	// The optional overlap and sync: unsourced or out of range, refused.
	for _, tc := range []struct {
		name string
		set  func(m *EngineMoE)
		want string
	}{
		{"unsourced overlap", func(m *EngineMoE) { m.CommOverlap = &Param[float64]{Value: 0.5} }, "comm_overlap: want sources"},
		{"overlap above 1", func(m *EngineMoE) { m.CommOverlap = &Param[float64]{Value: 1.5, Assumed: true} }, "comm_overlap = 1.5"},
		{"negative sync", func(m *EngineMoE) { m.MoESync = &Param[units.Seconds]{Value: -1e-6, Assumed: true} }, "moe_sync = "},
		{"tp_dispatch 2", func(m *EngineMoE) { m.TPDispatch = &Param[int]{Value: 2, Assumed: true} }, "tp_dispatch = 2"},
	} {
		if err := engineErr(c, data, eachMoE(tc.set)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// engineErr checks a copy of data's engines after mutate has changed
// them (data is left as loaded).
func engineErr(c *Catalog, data *InferenceStacks, mutate func([]InferenceEngine)) error {
	bad := *data
	bad.Engines = append([]InferenceEngine(nil), data.Engines...)
	mutate(bad.Engines)
	return bad.checkEngines(c, "x.yaml", allInferenceStacks())
}

// eachMoE is a mutation that sets a copy of every engine's MoE section.
func eachMoE(set func(*EngineMoE)) func([]InferenceEngine) {
	return func(es []InferenceEngine) {
		for i, e := range es {
			if e.MoE != nil {
				m := *e.MoE
				set(&m)
				es[i].MoE = &m
			}
		}
	}
}

// TensorRT-LLM and SGLang launch a step with prompt tokens eagerly (their
// CUDA graphs capture decode-only steps): their profiles carry the
// engine's 350 µs per layer; vLLM (torch.compile with piecewise graphs)
// and the bare stack none; an unsourced or negative value is refused.
func TestInferenceEngineEagerLayer(t *testing.T) {
	c := loadInfCatalog(t)
	b200, err := c.Chip("b200")
	if err != nil {
		t.Fatal(err)
	}
	for fw, want := range map[string]units.Seconds{"tensorrt-llm": 350e-6, "sglang": 350e-6, "vllm": 0, "": 0} {
		st, _, err := c.InferenceProfile(fw, b200)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Profile().EagerLayer; math.Abs(float64(got-want)) > 1e-12 {
			t.Errorf("%q on B200: eager_layer %v, want %v", fw, got, want)
		}
	}
	data := stacksData(t, c)
	lo, hi := units.Seconds(250e-6), units.Seconds(450e-6)
	for _, tc := range []struct {
		name string
		p    Param[units.Seconds]
		want string
	}{
		{"unsourced", Param[units.Seconds]{Value: 300e-6}, "eager_layer: want sources"},
		{"negative", Param[units.Seconds]{Value: -1e-6, Assumed: true}, "eager_layer = "},
		{"outside its range", Param[units.Seconds]{Value: 500e-6, Min: &lo, Max: &hi, Assumed: true}, "eager_layer: want min ≤ value ≤ max"},
	} {
		if err := engineErr(c, data, func(es []InferenceEngine) { es[0].EagerLayer = &tc.p }); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// A resolved profile's ranges are its own engine's: TensorRT-LLM on the
// CUDA stack draws its MoE path from the engine's CUTLASS line
// (expert_memory_eff 0.3–0.4 around 0.34, moe_layer_time 80–100 µs), not
// from the stack's TRTLLM-Gen line (0.55–0.7, 25 µs), and the all-typical
// draw gives the resolved profile back. (The serving range once drew from
// the bare stack, so a TensorRT-LLM MoE point sat below its own p10.)
func TestInferenceStackOfKeepsTheEngine(t *testing.T) {
	c := loadInfCatalog(t)
	chip, err := c.Chip("b200")
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := c.InferenceProfile("tensorrt-llm", chip)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Profile()
	if p.Engine != "TensorRT-LLM" || p.ExpertMemoryEff != 0.34 {
		t.Fatalf("resolved profile: engine %q, expert_memory_eff %v; want TensorRT-LLM, 0.34", p.Engine, p.ExpertMemoryEff)
	}
	of, err := c.InferenceStackOf(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if typ, err := of.Sample(uncertain.Typical()); err != nil || !reflect.DeepEqual(typ, p) {
		t.Errorf("InferenceStackOf(p).Sample(Typical) = %+v, %v; want the resolved profile %+v", typ, err, p)
	}
	_, err = uncertain.Run(200, 3, func(d *uncertain.Draw) (map[string]float64, error) {
		q, err := of.Sample(d)
		if err != nil {
			return nil, err
		}
		if q.ExpertMemoryEff < 0.3 || q.ExpertMemoryEff > 0.4 || q.MoELayerTime < 80e-6 || q.MoELayerTime > 100e-6 {
			t.Fatalf("drawn MoE path %.3f, %v: want the engine's 0.3–0.4 and 80–100 µs", q.ExpertMemoryEff, q.MoELayerTime)
		}
		return map[string]float64{"e": q.ExpertMemoryEff}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bare := p
	bare.Engine = "no-such-engine"
	if _, err := c.InferenceStackOf(bare, nil); err == nil || !strings.Contains(err.Error(), "no-such-engine") {
		t.Errorf("unknown engine: err %v, want one naming it", err)
	}
}

// The scorecard's wording, worked for the three cases of fitting, the
// single run, and two or three runs quoted one by one.
func TestScoreSummary(t *testing.T) {
	s := Score{What: "X", Runs: 3, Calibrated: 2, Median: -0.082, Min: -0.095, Max: -0.005}
	if got, want := s.Summary(), "X: −9.5 %, −8.2 % and −0.5 % on 3 published runs, 2 of them used in fitting"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	two := Score{What: "W", Runs: 2, Median: 0.089, Min: 0.019, Max: 0.16}
	if got, want := two.Summary(), "W: +1.9 % and +16 % on 2 published runs, none of them used in fitting"; got != want {
		t.Errorf("Summary = %q, want %q (two runs quoted one by one, not a median that is their mean)", got, want)
	}
	five := Score{What: "V", Runs: 5, Calibrated: 2, Median: -0.082, Min: -0.095, Max: -0.005}
	if got, want := five.Summary(), "V: median −8.2 % (−9.5 % to −0.5 %) over 5 published runs, 2 of them used in fitting"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	s.Calibrated = 0
	if got := s.Summary(); !strings.HasSuffix(got, "none of them used in fitting") {
		t.Errorf("Summary = %q", got)
	}
	many := Score{What: "Z", Runs: 66, Median: -0.02, P10: -0.25, P90: 0.2, Min: -0.6, Max: 1.33}
	if got, want := many.Summary(), "Z: median −2.0 % (P10–P90 −25 % to +20 %; −60 % to +133 % in all) over 66 published runs, none of them used in fitting"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	one := Score{What: "Y", Runs: 1, Median: -0.005, Min: -0.005, Max: -0.005}
	if got, want := one.Summary(), "Y: −0.5 % on 1 published run, not used in fitting"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	one.Calibrated = 1
	if got, want := one.Summary(), "Y: −0.5 % on 1 published run, used in fitting"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}

// Spread turns the P10 and P90 errors into what runs measured around a
// prediction, worked by hand: predicted 1,000 where runs came in 20 %
// high (P90) measured 1,000/1.2 = 833.3, and 25 % low (P10) 1,000/0.75 =
// 1,333.3. Band widens them 1.3x about the median in log(1 + error): with
// a median of +5 %, (1 + low) = 0.75^1.3 / 1.05^0.3 = 0.67799 and
// (1 + high) = 1.2^1.3 / 1.05^0.3 = 1.24905, so 1,000/1.24905 = 800.61
// to 1,000/0.67799 = 1,474.95. Below MinBandRuns runs there is neither.
func TestScoreBand(t *testing.T) {
	s := Score{Runs: MinBandRuns, Median: 0.05, P10: -0.25, P90: 0.2}
	lo, hi, ok := s.Spread(1000)
	if !ok || math.Abs(lo-833.333) > 0.001 || math.Abs(hi-1333.333) > 0.001 {
		t.Errorf("Spread(1000) = %v, %v, %v; want 833.333, 1333.333, true", lo, hi, ok)
	}
	lo, hi, ok = s.Band(1000)
	if !ok || math.Abs(lo-800.61) > 0.01 || math.Abs(hi-1474.95) > 0.01 {
		t.Errorf("Band(1000) = %v, %v, %v; want 800.61, 1474.95, true", lo, hi, ok)
	}
	s.Runs = MinBandRuns - 1
	if _, _, ok := s.Band(1000); ok {
		t.Error("a band from fewer than MinBandRuns runs")
	}
	if _, _, ok := s.Spread(1000); ok {
		t.Error("a spread from fewer than MinBandRuns runs")
	}
}

// A broken scorecard is refused naming the regime and the field.
func TestScorecardChecks(t *testing.T) {
	good := "  - id: a\n    what: A\n    files: [f.yaml]\n    select: {kind: inference, vendor: NVIDIA, models: moe, method: curve}\n    runs: 3\n    calibrated: 1\n    median_error: 0.1\n    p10_error: -0.05\n    p90_error: 0.15\n    min_error: -0.1\n    max_error: 0.2\n"
	if _, err := scorecardFrom(fstest.MapFS{"scorecard.yaml": {Data: []byte("regimes:\n" + good)}}); err != nil {
		t.Fatalf("good regime refused: %v", err)
	}
	for _, c := range []struct{ edit, want string }{
		{"method: curve", "select.method"},
		{"kind: inference", "select.kind"},
		{"models: moe", "select.models"},
		{"calibrated: 1", "calibrated = 4"},
		{"median_error: 0.1", "want −1 < min ≤ p10 ≤ median ≤ p90 ≤ max"},
		{"p90_error: 0.15", "p90 0.3"},
		{"vendor: NVIDIA,", "select.family"},
	} {
		bad := map[string]string{
			"method: curve":     "method: online",
			"kind: inference":   "kind: serving",
			"models: moe":       "models: sparse",
			"calibrated: 1":     "calibrated: 4",
			"median_error: 0.1": "median_error: 0.5",
			"p90_error: 0.15":   "p90_error: 0.3",
			"vendor: NVIDIA,":   "vendor: NVIDIA, family: Huawei Da Vinci,",
		}[c.edit]
		y := "regimes:\n" + strings.Replace(good, c.edit, bad, 1)
		_, err := scorecardFrom(fstest.MapFS{"scorecard.yaml": {Data: []byte(y)}})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `regime 0 ("a")`) {
			t.Errorf("%s → %s: err %v, want one naming regime a and %q", c.edit, bad, err, c.want)
		}
	}
	dup := "regimes:\n" + good + good
	if _, err := scorecardFrom(fstest.MapFS{"scorecard.yaml": {Data: []byte(dup)}}); err == nil || !strings.Contains(err.Error(), "unique") {
		t.Errorf("duplicate id: err %v", err)
	}
	training := strings.Replace(strings.Replace(good, "kind: inference", "kind: training", 1), "method: curve", "method: offline", 1)
	if _, err := scorecardFrom(fstest.MapFS{"scorecard.yaml": {Data: []byte("regimes:\n" + training)}}); err == nil || !strings.Contains(err.Error(), "for inference only") {
		t.Errorf("a method on a training regime: err %v", err)
	}
	onTraining := strings.Replace(strings.Replace(good, "kind: inference", "kind: training", 1), "method: curve", "engine: vllm-ascend", 1)
	if _, err := scorecardFrom(fstest.MapFS{"scorecard.yaml": {Data: []byte("regimes:\n" + onTraining)}}); err == nil || !strings.Contains(err.Error(), "select.engine") {
		t.Errorf("an engine on a training regime: err %v", err)
	}
	// An engine id must be one of the serving stacks' engines.
	withEngine := func(id string) []Score {
		y := "regimes:\n" + strings.Replace(good, "method: curve", "method: curve, engine: "+id, 1)
		sc, err := scorecardFrom(fstest.MapFS{"scorecard.yaml": {Data: []byte(y)}})
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	c := loadInfCatalog(t)
	data := stacksData(t, c)
	if err := checkScoreEngines(withEngine("vllm-ascend"), data); err != nil {
		t.Errorf("engine vllm-ascend refused: %v", err)
	}
	if err := checkScoreEngines(withEngine("vllm-ascnd"), data); err == nil || !strings.Contains(err.Error(), `select.engine = "vllm-ascnd"`) || !strings.Contains(err.Error(), "vllm-ascend") {
		t.Errorf("unknown engine: err %v, want one naming it and suggesting vllm-ascend", err)
	}
	// The engines a regime's runs were predicted with are engine ids or
	// "stack", and only a serving regime has them.
	withEngines := func(kind, list string) []Score {
		y := "regimes:\n" + strings.Replace(strings.Replace(good, "kind: inference", "kind: "+kind, 1), "max_error: 0.2\n", "max_error: 0.2\n    engines: "+list+"\n", 1)
		if kind == "training" {
			y = strings.Replace(y, ", method: curve", "", 1)
		}
		sc, err := scorecardFrom(fstest.MapFS{"scorecard.yaml": {Data: []byte(y)}})
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	if err := checkScoreEngines(withEngines("inference", "[sglang, stack]"), data); err != nil {
		t.Errorf("engines [sglang, stack] refused: %v", err)
	}
	if err := checkScoreEngines(withEngines("inference", "[sglng]"), data); err == nil || !strings.Contains(err.Error(), `engines: "sglng"`) {
		t.Errorf("an unknown engine in engines: err %v, want one naming it", err)
	}
	if err := checkScoreEngines(withEngines("training", "[sglang]"), data); err == nil || !strings.Contains(err.Error(), "for inference only") {
		t.Errorf("engines on a training regime: err %v", err)
	}
}

// A stack's default engine (whose defaults its own limits are) must be
// an engine that runs on it; ScoredEngine takes it for a prediction on
// the stack's own limits, and "stack" where the stack has none.
func TestStackDefaultEngine(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct{ stack, engine, want string }{
		{"cuda", "", "tensorrt-llm"}, {"cuda", "vllm", "vllm"}, {"rocm", "", "vllm"}, {"cann", "", OwnLimits}, {"cann", "sglang-ascend", "sglang-ascend"},
	} {
		if got := c.ScoredEngine(tc.stack, tc.engine); got != tc.want {
			t.Errorf("ScoredEngine(%s, %q) = %q, want %q", tc.stack, tc.engine, got, tc.want)
		}
	}
	data := stacksData(t, c)
	bad := *data
	bad.Stacks = append([]InferenceStack(nil), data.Stacks...)
	for i := range bad.Stacks {
		if bad.Stacks[i].ID == "cann" {
			bad.Stacks[i].DefaultEngine = "tensorrt-llm"
		}
	}
	if err := bad.check(c, "x.yaml"); err == nil || !strings.Contains(err.Error(), `engine = "tensorrt-llm"`) {
		t.Errorf("a default engine that does not run on the stack: %v, want an error naming it", err)
	}
}

// Engine limits are documented defaults: an assumed or calibrated one is
// refused when the data loads, naming it, in a stack or in an engine.
func TestEngineLimitsNeedDocumentedSources(t *testing.T) {
	c := loadInfCatalog(t)
	data := stacksData(t, c)
	st := data.Stacks[0]
	st.Params.BlockTokens = Param[int]{Value: 128, Assumed: true, Note: "a guess"}
	bad := InferenceStacks{Stacks: []InferenceStack{st}}
	if err := bad.check(c, "x.yaml"); err == nil || !strings.Contains(err.Error(), "block_tokens") {
		t.Errorf("an assumed block_tokens: %v, want an error naming it", err)
	}
	eng := *data
	eng.Engines = append([]InferenceEngine(nil), data.Engines...)
	eng.Engines[0].Limits.MaxBatch = Param[int]{Value: 512, Calibrated: "some runs"}
	if err := eng.checkEngines(c, "x.yaml", allInferenceStacks()); err == nil || !strings.Contains(err.Error(), "max_batch") {
		t.Errorf("a calibrated max_batch: %v, want an error naming it", err)
	}
}

// On Ascend and Gaudi the stack's limits are the platform engines'
// documented defaults: MindIE's cacheBlockSize 128 and no fixed batch on
// Ascend, vLLM-Gaudi's 128-token blocks with vLLM's max_num_seqs 1024 for
// a device of 70 GiB or more (vLLM named on Gaudi keeps them: its plugin
// sets the block size). vLLM named on Ascend, as vllm or vllm-ascend, is
// the vLLM-Ascend engine: the plugin's 128-token blocks with vLLM's
// scheduler defaults for a device under 70 GiB, 256 sequences and 2,048
// tokens a step.
func TestPlatformStackLimits(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		chip, framework          string
		engine                   string
		block, batch, tokens     int
		blockSource, batchSource string
	}{
		{"ascend-910c", "", "", 128, 0, 16384, "cacheBlockSize", "maxBatchSize"},
		{"ascend-910c", "vllm", "vLLM-Ascend", 128, 256, 2048, "vllm_ascend/platform.py", "arg_utils.py"},
		{"ascend-910b", "vllm-ascend", "vLLM-Ascend", 128, 256, 2048, "vllm_ascend/platform.py", "arg_utils.py"},
		{"gaudi2", "", "", 128, 1024, 8192, "vllm_gaudi/platform.py", "max_num_seqs 1024"},
		{"gaudi2", "vllm", "", 128, 1024, 8192, "vllm_gaudi/platform.py", "max_num_seqs 1024"},
	} {
		p, _ := profileOn(t, c, tc.framework, tc.chip)
		if p.Engine != tc.engine || p.BlockTokens != tc.block || p.MaxBatch != tc.batch || p.MaxTokens != tc.tokens {
			t.Errorf("%q on %s: engine %q limits %d/%d/%d, want engine %q (empty: the stack's) %d/%d/%d", tc.framework, tc.chip, p.Engine,
				p.BlockTokens, p.MaxBatch, p.MaxTokens, tc.engine, tc.block, tc.batch, tc.tokens)
		}
		if src := p.LimitSources["block_tokens"]; !strings.Contains(src, tc.blockSource) {
			t.Errorf("%q on %s: block_tokens source %q, want one naming %q", tc.framework, tc.chip, src, tc.blockSource)
		}
		if src := p.LimitSources["max_batch"]; !strings.Contains(src, tc.batchSource) {
			t.Errorf("%q on %s: max_batch source %q, want one naming %q", tc.framework, tc.chip, src, tc.batchSource)
		}
	}
}

// The cann stack sizes the KV pool as MindIE's tuning guide does, and
// reproduces its worked example: a 64 GB card holding 130 GB of weights
// over 8 cards gets npuMemSize = (64 − 3 − 130/8 − 2) × 0.8 = 34.2 GB.
func TestCANNKVPoolIsMindIEs(t *testing.T) {
	c := loadInfCatalog(t)
	ch, err := c.Chip("ascend-910b")
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := c.InferenceProfile("mindie", ch)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Profile()
	got := (64e9 - 130e9/8 - float64(p.Reserved)) * p.MemoryFraction
	if want := (64 - 3 - 130.0/8 - 2) * 0.8 * 1e9; math.Abs(got-want) > 1e6 {
		t.Errorf("KV pool of the worked example: %.4g B, want %.4g B", got, want)
	}
}

// A framework name means one engine per stack: vllm is vLLM on CUDA and
// vLLM-Ascend on cann, but two engines claiming vllm on CUDA are refused.
func TestEngineNamesOnePerStack(t *testing.T) {
	c := loadInfCatalog(t)
	data := stacksData(t, c)
	stacks := allInferenceStacks()
	if err := data.checkEngines(c, "x.yaml", stacks); err != nil {
		t.Fatalf("the catalog's engines: %v", err)
	}
	cuda, _ := data.engine("vllm", "cuda")
	cann, _ := data.engine("vllm", "cann")
	if cuda.Name != "vLLM" || cann.Name != "vLLM-Ascend" {
		t.Errorf("vllm names %q on cuda and %q on cann, want vLLM and vLLM-Ascend", cuda.Name, cann.Name)
	}
	eng := *data
	eng.Engines = append([]InferenceEngine(nil), data.Engines...)
	var dup InferenceEngine
	for _, e := range eng.Engines {
		if e.ID == "vllm-ascend" {
			dup = e
		}
	}
	dup.ID, dup.Stacks = "other", []string{"cuda"}
	eng.Engines = append(eng.Engines, dup)
	if err := eng.checkEngines(c, "x.yaml", stacks); err == nil || !strings.Contains(err.Error(), `"vllm"`) {
		t.Errorf("a second engine named vllm on cuda: %v, want an error naming it", err)
	}
}

// TestChipMatmulScalesOneChip: a stack's chip_matmul factor scales
// matmul_eff (and its range) on that chip alone, InferenceStackOf on the
// same chip draws around the scaled value, and check refuses a factor for
// a chip the catalog lacks, one without provenance, and one that would
// take matmul_eff past 1. Gaudi 3's factor is the measured maximum
// achievable matmul rates over the peaks (stas00_mamf): FP8 1,289.5/1,835
// against Gaudi 2's 826.5/835, 0.710; BF16 1,243.0/1,835 against
// 418.7/432, 0.699.
func TestChipMatmulScalesOneChip(t *testing.T) {
	c := loadInfCatalog(t)
	g2, _ := c.Chip("gaudi2")
	g3, _ := c.Chip("gaudi3")
	s2, _, err := c.InferenceProfile("", g2)
	if err != nil {
		t.Fatal(err)
	}
	s3, _, err := c.InferenceProfile("", g3)
	if err != nil {
		t.Fatal(err)
	}
	f := s3.Profile().MatmulEff / s2.Profile().MatmulEff
	fp8 := (1289.5 / 1835) / (826.5 / 835)
	bf16 := (1243.0 / 1835) / (418.7 / 432)
	if f < math.Min(fp8, bf16)-0.005 || f > math.Max(fp8, bf16)+0.005 {
		t.Errorf("Gaudi 3 matmul_eff over Gaudi 2's = %.3f, want within the measured %.3f–%.3f", f, bf16, fp8)
	}
	// The A100 (no FP8) against the Hopper FP8 rows cuda's matmul_eff was
	// fitted on: 271.2/312 over 1,402.6/1,979 (H100) and 1,453.4/1,979
	// (H200).
	a100, _ := c.Chip("a100-sxm4-80gb")
	h100, _ := c.Chip("h100-sxm")
	sa, _, _ := c.InferenceProfile("", a100)
	sh, _, _ := c.InferenceProfile("", h100)
	fa := sa.Profile().MatmulEff / sh.Profile().MatmulEff
	if lo, hi := (271.2/312)/(1453.4/1979), (271.2/312)/(1402.6/1979); fa < lo-0.005 || fa > hi+0.005 {
		t.Errorf("A100 matmul_eff over H100's = %.3f, want within the measured %.3f–%.3f", fa, lo, hi)
	}
	of, err := c.InferenceStackOf(s3.Profile(), g3)
	if err != nil {
		t.Fatal(err)
	}
	if typ, err := of.Sample(uncertain.Typical()); err != nil || typ.MatmulEff != s3.Profile().MatmulEff {
		t.Errorf("InferenceStackOf(gaudi3).Sample(Typical).MatmulEff = %v, %v; want %v", typ.MatmulEff, err, s3.Profile().MatmulEff)
	}
	data := stacksData(t, c)
	for _, tc := range []struct {
		chip string
		f    Param[float64]
		want string
	}{
		{"no-such-chip", Param[float64]{Value: 0.9, Assumed: true}, "chip_matmul.no-such-chip"},
		{"gaudi3", Param[float64]{Value: 0.9}, "want sources"},
		{"gaudi3", Param[float64]{Value: 5, Assumed: true}, "at most 1"},
		{"gaudi3", Param[float64]{Value: 0, Assumed: true}, "factor > 0"},
	} {
		st := data.Stacks[0]
		st.Params.ChipMatmul = map[string]Param[float64]{tc.chip: tc.f}
		bad := InferenceStacks{Stacks: []InferenceStack{st}}
		if err := bad.check(c, "x.yaml"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("chip_matmul.%s = %+v: err = %v, want one containing %q", tc.chip, tc.f, err, tc.want)
		}
	}
}

// TestChipMatmulRange: the resolved matmul_eff on a chip with a ranged
// chip_matmul factor carries the product's range, min × min to max × max
// (a missing end is the value), whether the stack's own matmul_eff has a
// range or not. Gaudi 3: synapse's 0.73 (no range) × 0.70 [0.69, 0.71] =
// 0.511 [0.5037, 0.5183]; the A100: cuda's 0.62 × 1.20 [1.18, 1.23] =
// 0.744 [0.7316, 0.7626]. The draws over it stay inside and spread, and
// check refuses a factor whose range does not hold its value or whose
// max takes matmul_eff's past 1.
func TestChipMatmulRange(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		chip          string
		typ, min, max float64
	}{{"gaudi3", 0.73 * 0.70, 0.73 * 0.69, 0.73 * 0.71}, {"a100-sxm4-80gb", 0.62 * 1.20, 0.62 * 1.18, 0.62 * 1.23}} {
		ch, _ := c.Chip(tc.chip)
		st, _, err := c.InferenceProfile("", ch)
		if err != nil {
			t.Fatal(err)
		}
		m := st.Params.MatmulEff
		if m.Min == nil || m.Max == nil || !near(m.Value, tc.typ) || !near(*m.Min, tc.min) || !near(*m.Max, tc.max) {
			lo, hi := rangeOf(m)
			t.Errorf("%s: matmul_eff = %.4f [%.4f, %.4f] (ranged: %v), want %.4f [%.4f, %.4f]", tc.chip, m.Value, lo, hi, m.Min != nil, tc.typ, tc.min, tc.max)
			continue
		}
		of, err := c.InferenceStackOf(st.Profile(), ch)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		if _, err := uncertain.Run(200, 1, func(d *uncertain.Draw) (map[string]float64, error) {
			p, err := of.Sample(d)
			lo, hi = min(lo, p.MatmulEff), max(hi, p.MatmulEff)
			return nil, err
		}); err != nil {
			t.Fatal(err)
		}
		if lo < tc.min-1e-12 || hi > tc.max+1e-12 || hi-lo < (tc.max-tc.min)/2 {
			t.Errorf("%s: 200 draws of matmul_eff span [%.4f, %.4f], want a spread inside [%.4f, %.4f]", tc.chip, lo, hi, tc.min, tc.max)
		}
	}
	// Both ranged: 0.2 [0.18, 0.5] × 0.9 [0.8, 1] = 0.18 [0.144, 0.5];
	// the stack's alone: × 1.1 = 0.22 [0.198, 0.55].
	f := func(v float64) *float64 { return &v }
	p := InferenceParams{MatmulEff: Param[float64]{Value: 0.2, Min: f(0.18), Max: f(0.5)}}
	for _, tc := range []struct {
		f             Param[float64]
		typ, min, max float64
	}{{Param[float64]{Value: 0.9, Min: f(0.8), Max: f(1)}, 0.18, 0.144, 0.5}, {Param[float64]{Value: 1.1}, 0.22, 0.198, 0.55}} {
		p.ChipMatmul = map[string]Param[float64]{"x": tc.f}
		m := p.onChip(&hardware.Chip{ID: "x"}).MatmulEff
		if m.Min == nil || m.Max == nil || !near(m.Value, tc.typ) || !near(*m.Min, tc.min) || !near(*m.Max, tc.max) {
			lo, hi := rangeOf(m)
			t.Errorf("0.2 [0.18, 0.5] × %g = %g [%g, %g] (ranged: %v), want %g [%g, %g]", tc.f.Value, m.Value, lo, hi, m.Min != nil, tc.typ, tc.min, tc.max)
		}
	}
	if m := (InferenceParams{MatmulEff: Param[float64]{Value: 0.5}, ChipMatmul: map[string]Param[float64]{"x": {Value: 0.9}}}).onChip(&hardware.Chip{ID: "x"}).MatmulEff; m.Min != nil || m.Max != nil {
		t.Errorf("0.5 × 0.9, neither ranged = %+v, want no range", m)
	}
	data := stacksData(t, c)
	for _, tc := range []struct {
		f    Param[float64]
		want string
	}{
		{Param[float64]{Value: 0.9, Min: f(0.95), Assumed: true}, "want min ≤ value ≤ max"},
		{Param[float64]{Value: 1.5, Max: f(1.7), Assumed: true}, "at most 1"}, // cuda 0.62: 0.93 typical, 1.054 at the max
	} {
		st := data.Stacks[0]
		st.Params.ChipMatmul = map[string]Param[float64]{"gaudi3": tc.f}
		bad := InferenceStacks{Stacks: []InferenceStack{st}}
		if err := bad.check(c, "x.yaml"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("chip_matmul.gaudi3 = %+v on %s: err = %v, want one containing %q", tc.f, st.ID, err, tc.want)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// vLLM (and vLLM-Ascend) size the KV pool as a share of the device's
// whole memory (gpu_memory_utilization 0.9, less the weights and the
// profiled reserve); TensorRT-LLM as a share of what the weights and the
// reserve leave. On one 80 GiB H100 with 65.5 GB of weights, vLLM's pool
// is 0.9 × 85.90 − 65.5 − 1.4 = 10.41 GB where TensorRT-LLM's is
// (85.90 − 65.5 − 4) × 0.92 = 15.09 GB. An unsourced or out-of-range
// utilisation is refused.
func TestVLLMKVPoolIsShareOfTotal(t *testing.T) {
	c := loadInfCatalog(t)
	h100, err := c.Chip("h100-sxm")
	if err != nil {
		t.Fatal(err)
	}
	capacity := float64(80 << 30)
	for fw, want := range map[string]float64{"vllm": 0.9*capacity - 65.5e9 - 1.4e9, "tensorrt-llm": (capacity - 65.5e9 - 4e9) * 0.92} {
		st, _, err := c.InferenceProfile(fw, h100)
		if err != nil {
			t.Fatal(err)
		}
		p := st.Profile()
		got := (capacity - 65.5e9 - float64(p.Reserved)) * p.MemoryFraction
		if p.MemoryOfTotal {
			got = capacity*p.MemoryFraction - 65.5e9 - float64(p.Reserved)
		}
		if p.MemoryOfTotal != (fw == "vllm") || math.Abs(got-want) > 1e6 {
			t.Errorf("%s on H100: KV pool %.4g B (of total: %v), want %.4g B", fw, got, p.MemoryOfTotal, want)
		}
	}
	asc, err := c.Chip("ascend-910b")
	if err != nil {
		t.Fatal(err)
	}
	if st, _, err := c.InferenceProfile("vllm", asc); err != nil || !st.Profile().MemoryOfTotal || st.Profile().MemoryFraction != 0.9 {
		t.Errorf("vLLM-Ascend: %v, want gpu_memory_utilization 0.9 of the NPU's memory", err)
	}
	data := stacksData(t, c)
	for _, tc := range []struct {
		name string
		p    Param[float64]
		want string
	}{
		{"unsourced", Param[float64]{Value: 0.9}, "memory_utilization: want sources"},
		{"over 1", Param[float64]{Value: 1.2, Assumed: true}, "memory_utilization = 1.2"},
		{"zero", Param[float64]{Value: 0, Assumed: true}, "memory_utilization = 0"},
	} {
		if err := engineErr(c, data, func(es []InferenceEngine) { es[0].MemoryUtilization = &tc.p }); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	neg := Param[units.Bytes]{Value: -1, Assumed: true}
	if err := engineErr(c, data, func(es []InferenceEngine) { es[0].Reserved = &neg }); err == nil || !strings.Contains(err.Error(), "reserved = ") {
		t.Errorf("a negative engine reserve: %v, want it refused", err)
	}
}

// A serving framework a user gives is checked before InferenceProfile,
// which takes the chip's default stack for any name it does not know (QA:
// --software vlm served on cuda with exit 0): an unknown name, or another
// platform's stack id, is an *input.Error on field framework naming the
// known names and the closest; a framework, an engine id, the chip's own
// stack id pass, with or without a release, and so does a known framework
// that does not run on the chip (it falls back, saying so).
func TestCheckServingFramework(t *testing.T) {
	c := loadInfCatalog(t)
	h100, err := c.Chip("h100-sxm")
	if err != nil {
		t.Fatal(err)
	}
	b910, err := c.Chip("ascend-910b")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		chip *hardware.Chip
		fw   string
	}{
		{h100, ""}, {h100, "vllm"}, {h100, "vllm 0.11.0"}, {h100, "TensorRT-LLM@v0.19"}, {h100, "cuda"}, {h100, "trtllm"},
		{b910, "vllm-ascend 0.9.1"}, {b910, "sglang-ascend"}, {b910, "cann"}, {b910, "tensorrt-llm"},
	} {
		if err := c.CheckServingFramework(tc.fw, tc.chip); err != nil {
			t.Errorf("CheckServingFramework(%q, %s) = %v, want nil", tc.fw, tc.chip.ID, err)
		}
	}
	for _, tc := range []struct {
		fw, want string
	}{
		{"vlm", "did you mean vllm"},
		{"sglnag 0.4", "did you mean sglang"},
		{"cann", "stack cann does not run on h100-sxm, whose stack is cuda: want cuda or one of its frameworks deepseek-infer, lmdeploy, sglang, tensorrt-llm, trtllm, vllm"},
	} {
		err := c.CheckServingFramework(tc.fw, h100)
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != "framework" || !strings.Contains(ie.Want, tc.want) {
			t.Errorf("CheckServingFramework(%q, h100-sxm) = %v, want a framework error with %q", tc.fw, err, tc.want)
		}
	}
	// The chip's own stack id maps directly: no note, where it read
	// "unknown" before.
	if _, note, err := c.InferenceProfile("cuda", h100); err != nil || note != "" {
		t.Errorf("InferenceProfile(cuda, h100-sxm): note %q, %v; want none", note, err)
	}
}
