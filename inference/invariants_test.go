package inference_test

import (
	"math"
	"testing"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/llm"
)

// Properties every step estimate must keep, on catalog deployments (dense
// and MoE, GPU and NPU, TP and attention-DP with EP): the step's parts
// add up to it; a larger decode batch, a longer context, or a prompt
// chunk added to the decode batch never makes the step shorter; a larger
// decode batch never lowers the tokens a second; FP8 weights and KV cache
// never slow a step against BF16 ones, nor an H200 against an H100; a
// perfect expert balancer or a faster network never slows one; full
// acceptance of speculative drafts emits 1 + drafted tokens a sequence.
func TestStepInvariants(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		model, chip, software, precision string
		chips                            int
		par                              inference.Parallel
	}{
		{"llama3.1-70b", "h100-sxm", "", "fp8", 8, inference.Parallel{TP: 8}},
		{"llama3.1-8b", "b200", "tensorrt-llm", "fp4", 1, inference.Parallel{TP: 1}},
		{"qwen3-235b-a22b", "b200", "tensorrt-llm", "fp4", 4, inference.Parallel{TP: 1, EP: 4, AttentionDP: 4}},
		{"deepseek-v3", "h800-sxm", "", "fp8", 32, inference.Parallel{TP: 1, EP: 32, AttentionDP: 32}},
		{"deepseek-v3", "ascend-910c", "", "int8", 16, inference.Parallel{TP: 1, EP: 32, AttentionDP: 32}},
		{"qwen3-30b-a3b", "h100-sxm", "vllm", "bf16", 4, inference.Parallel{TP: 4}},
		// One expert a device, and fewer experts than devices: the
		// hottest device's rows and weights set the step (an imbalance
		// that falls as the batch grows once made the step shorter).
		{"mixtral-8x7b", "h200-sxm", "", "fp8", 8, inference.Parallel{TP: 1, EP: 8}},
		{"mixtral-8x7b", "h100-sxm", "", "bf16", 64, inference.Parallel{TP: 1, EP: 64, AttentionDP: 64}},
		{"deepseek-v3", "h800-sxm", "", "fp8", 144, inference.Parallel{TP: 1, EP: 144, AttentionDP: 144}},
	} {
		t.Run(c.model+"/"+c.chip, func(t *testing.T) {
			m, err := cat.Model(c.model)
			if err != nil {
				t.Fatal(err)
			}
			d, _, err := cat.Deployment(catalog.DeploymentOptions{Chip: c.chip, Chips: c.chips, Software: c.software, Model: m, Parallel: c.par, Precision: c.precision})
			if err != nil {
				t.Fatal(err)
			}
			step := func(b inference.Batch) inference.StepResult {
				t.Helper()
				r, err := inference.StepTime(d, b)
				if err != nil {
					t.Fatalf("%d decoding, %d prompt chunks: %v", len(b.Decode), len(b.Prefill), err)
				}
				if sum := r.Compute + r.Memory + r.Comm + r.Overhead; math.Abs(float64(sum-r.Time)) > 1e-9*float64(r.Time) {
					t.Errorf("%d decoding, %d prompt chunks: parts add to %v, step %v", len(b.Decode), len(b.Prefill), sum, r.Time)
				}
				return r
			}
			decode := func(n, ctx int) inference.Batch {
				b := inference.Batch{Decode: make([]int, n)}
				for i := range b.Decode {
					b.Decode[i] = ctx
				}
				return b
			}
			var prev inference.StepResult
			for i, n := range []int{1, 2, 4, 8, 16, 32, 48, 64, 96, 128, 192, 256, 384} {
				r := step(decode(n, 1024))
				if i > 0 && (r.Time < prev.Time*(1-1e-9) || r.OutputTokens/float64(r.Time) < prev.OutputTokens/float64(prev.Time)*(1-1e-9)) {
					t.Errorf("decode batch %d: step %v, %g tokens/s; the smaller batch had %v, %g tokens/s", n, r.Time, r.OutputTokens/float64(r.Time), prev.Time, prev.OutputTokens/float64(prev.Time))
				}
				if long := step(decode(n, 4096)); long.Time < r.Time*(1-1e-9) {
					t.Errorf("decode batch %d: 4K context steps in %v, 1K in %v", n, long.Time, r.Time)
				}
				mixed := decode(n, 1024)
				mixed.Prefill = []inference.Chunk{{Tokens: 1024}}
				if mx := step(mixed); mx.Time < r.Time*(1-1e-9) {
					t.Errorf("decode batch %d: with a 1,024-token prompt chunk %v, without %v", n, mx.Time, r.Time)
				}
				prev = r
			}
			checkDeploymentVariants(t, d, decode(64, 1024))
		})
	}

	// One mixed step (64 sequences decoding at 2K context beside a 2K-token
	// prompt chunk) on deployments that differ in one way that may only
	// help: FP8 weights and KV cache against BF16 (fewer bytes, a faster
	// matrix peak); an H200 against an H100 (more and faster HBM).
	models := map[string]llm.Model{}
	for _, id := range []string{"llama3.1-70b", "qwen3-30b-a3b", "deepseek-v3"} {
		if models[id], err = cat.Model(id); err != nil {
			t.Fatal(err)
		}
	}
	tp8 := inference.Parallel{TP: 8}
	dep16 := inference.Parallel{TP: 1, EP: 16, AttentionDP: 16}
	for _, c := range []struct {
		what         string
		slow, faster catalog.DeploymentOptions
	}{
		{"Llama 3.1 70B in FP8, not BF16", catalog.DeploymentOptions{Chip: "h100-sxm", Chips: 8, Model: models["llama3.1-70b"], Parallel: tp8, Precision: "bf16"},
			catalog.DeploymentOptions{Chip: "h100-sxm", Chips: 8, Model: models["llama3.1-70b"], Parallel: tp8, Precision: "fp8"}},
		{"Qwen3-30B-A3B in FP8, not BF16", catalog.DeploymentOptions{Chip: "h100-sxm", Chips: 8, Model: models["qwen3-30b-a3b"], Parallel: tp8, Precision: "bf16"},
			catalog.DeploymentOptions{Chip: "h100-sxm", Chips: 8, Model: models["qwen3-30b-a3b"], Parallel: tp8, Precision: "fp8"}},
		{"Llama 3.1 70B on H200, not H100", catalog.DeploymentOptions{Chip: "h100-sxm", Chips: 8, Model: models["llama3.1-70b"], Parallel: tp8, Precision: "fp8"},
			catalog.DeploymentOptions{Chip: "h200-sxm", Chips: 8, Model: models["llama3.1-70b"], Parallel: tp8, Precision: "fp8"}},
		{"DeepSeek-V3 on H200, not H100", catalog.DeploymentOptions{Chip: "h100-sxm", Chips: 16, Model: models["deepseek-v3"], Parallel: dep16, Precision: "fp8"},
			catalog.DeploymentOptions{Chip: "h200-sxm", Chips: 16, Model: models["deepseek-v3"], Parallel: dep16, Precision: "fp8"}},
	} {
		slow, fast := mixedStep(t, cat, c.slow), mixedStep(t, cat, c.faster)
		if fast.Time > slow.Time*(1+1e-9) {
			t.Errorf("%s: a mixed step takes %v, against %v", c.what, fast.Time, slow.Time)
		}
	}
}

// mixedStep is one step of the deployment o describes: 64 sequences
// decoding at 2,048 tokens of context beside a 2,048-token prompt chunk.
func mixedStep(t *testing.T, cat *catalog.Catalog, o catalog.DeploymentOptions) inference.StepResult {
	t.Helper()
	d, _, err := cat.Deployment(o)
	if err != nil {
		t.Fatal(err)
	}
	b := inference.Batch{Decode: make([]int, 64), Prefill: []inference.Chunk{{Tokens: 2048}}}
	for i := range b.Decode {
		b.Decode[i] = 2048
	}
	r, err := inference.StepTime(d, b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkDeploymentVariants estimates batch b again on variants of
// deployment d that may only help: a perfect expert balancer (imbalance
// 1), twice the scale-up and scale-out bandwidth; and with speculative
// decoding at full acceptance a step emits (1 + drafted) tokens per
// sequence.
func checkDeploymentVariants(t *testing.T, d inference.Deployment, b inference.Batch) {
	t.Helper()
	base, err := inference.StepTime(d, b)
	if err != nil {
		t.Fatal(err)
	}
	better := map[string]inference.Deployment{}
	if d.Model.MoE != nil {
		v := d
		v.ExpertImbalance = 1
		better["a perfect balancer"] = v
	}
	v := d
	v.Cluster.ScaleUp.Bandwidth *= 2
	v.Cluster.ScaleOut.Bandwidth *= 2
	better["twice the network bandwidth"] = v
	for what, v := range better {
		r, err := inference.StepTime(v, b)
		if err != nil || r.Time > base.Time*(1+1e-9) {
			t.Errorf("%s: %v (%v), was %v", what, r.Time, err, base.Time)
		}
	}
	spec := d
	spec.Speculative = inference.Speculative{Tokens: 2, Acceptance: 1}
	r, err := inference.StepTime(spec, b)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * float64(len(b.Decode)); math.Abs(r.OutputTokens/want-1) > 1e-9 || r.Time < base.Time*(1-1e-9) {
		t.Errorf("2 drafted tokens, all accepted: %g tokens in %v, want %g in no less than %v", r.OutputTokens, r.Time, want, base.Time)
	}
}
