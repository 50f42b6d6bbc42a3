package inference

import (
	"errors"
	"math"
	"testing"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/units"
)

// testChip is a round-number accelerator: 1000 TFLOP/s BF16, 2000 FP8,
// 100 GB of HBM at 2 TB/s, 400 GB/s scale-up each way, 8 per node.
func testChip() *hardware.Chip {
	return &hardware.Chip{ID: "test", Vendor: "Test", DevicesPerChip: 1, Stack: "cuda",
		Peak: map[hardware.Precision]hardware.Value[units.FLOPRate]{
			hardware.BF16: hardware.Fixed(1000 * units.TFLOPS), hardware.FP8: hardware.Fixed(2000 * units.TFLOPS)},
		HBM: hardware.Memory{Capacity: hardware.Fixed(100 * units.GB), Bandwidth: hardware.Fixed(2 * units.TBps)}}
}

func testCluster(chips int) hardware.Cluster {
	return hardware.Cluster{Chip: testChip(), ChipID: "test", Chips: chips, ChipsPerNode: 8,
		ScaleUp:  hardware.Tier{Bandwidth: 400 * units.GBps, Latency: 2e-6},
		ScaleOut: hardware.Tier{Bandwidth: 50 * units.GBps, Latency: 5e-6}}
}

// ideal is a profile at the roofline: every efficiency 1, no overheads.
func ideal() Profile {
	return Profile{ID: "ideal", MatmulEff: 1, FP4MatmulScale: 1, AttentionEff: 1, MemoryEff: 1, CollectiveEff: 1,
		MemoryFraction: 1, BlockTokens: 1, ExpertImbalance: 1}
}

// dense is a small Llama-like GQA model (SwiGLU, untied, RMSNorm).
func dense() llm.Model {
	return llm.Model{Name: "dense", Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 8, FFN: 14336,
		Act: llm.SwiGLU, Vocab: 128256, Attention: llm.GQA}
}

func deepseek() llm.Model {
	return llm.Model{Name: "ds", Layers: 61, Hidden: 7168, Heads: 128, KVHeads: 128, HeadDim: 128, FFN: 18432,
		Act: llm.SwiGLU, Vocab: 129280, Attention: llm.MLA,
		MLA: &llm.MLAConfig{QLoraRank: 1536, KVLoraRank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128},
		MoE: &llm.MoEConfig{Experts: 256, Active: 8, Shared: 1, ExpertFFN: 2048, DenseLayers: 3}}
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Abs(want) }

func TestTokensPerStep(t *testing.T) {
	for _, c := range []struct {
		s    Speculative
		want float64
	}{
		{Speculative{}, 1},
		{Speculative{Tokens: 1, Acceptance: 0.7}, 1.7},           // 1 + 0.7
		{Speculative{Tokens: 3, Acceptance: 0.5}, 1.875},         // (1 − 0.5⁴)/(1 − 0.5)
		{Speculative{Tokens: 2, Acceptance: 1}, 3},               // every draft accepted
		{Speculative{Tokens: 2, Acceptance: 0}, 1},               // none accepted
		{Speculative{Tokens: 2, Acceptance: 0.9}, 1 + 0.9 + .81}, // 2.71
	} {
		if got := c.s.TokensPerStep(); !near(got, c.want, 1e-12) {
			t.Errorf("%+v.TokensPerStep() = %g, want %g", c.s, got, c.want)
		}
	}
}

func TestTouched(t *testing.T) {
	// One token touches exactly k of n experts.
	if got := touched(1, 8, 256); !near(got, 8.0/256, 1e-12) {
		t.Errorf("touched(1, 8, 256) = %g, want 1/32", got)
	}
	// 100 tokens: 1 − (248/256)^100 = 1 − e^(100·ln 0.96875) = 1 − 0.04180 = 0.9582.
	if got := touched(100, 8, 256); !near(got, 0.95820, 1e-4) {
		t.Errorf("touched(100, 8, 256) = %g, want 0.9582", got)
	}
}

// KV bytes per token: GQA 2·kv_heads·head_dim·layers·bytes, split over TP
// up to kv_heads; MLA (kv_lora + rope)·layers·bytes, not split.
func TestKVPerToken(t *testing.T) {
	for _, c := range []struct {
		m    llm.Model
		tp   int
		prec hardware.Precision
		want float64
	}{
		{dense(), 1, hardware.BF16, 2 * 8 * 128 * 32 * 2},     // 131,072 B
		{dense(), 2, hardware.BF16, 2 * 8 * 128 * 32 * 2 / 2}, // split by 2
		{dense(), 16, hardware.FP8, 2 * 8 * 128 * 32 * 1 / 8}, // only 8 KV heads to split
		{deepseek(), 1, hardware.FP8, (512 + 64) * 61},        // 35,136 B
		{deepseek(), 8, hardware.FP8, (512 + 64) * 61},        // latent replicated
	} {
		d := Deployment{Model: c.m, Cluster: testCluster(16), Parallel: Parallel{TP: c.tp}, Precision: c.prec, Profile: ideal()}
		if c.m.MoE != nil {
			d.Parallel.EP = 16
			d.Cluster.Chip.HBM.Capacity = hardware.Fixed(1000 * units.GB)
		}
		kv, err := KVCapacity(d)
		if err != nil {
			t.Fatalf("%s tp=%d: %v", c.m.Name, c.tp, err)
		}
		if got := float64(kv.BytesPerToken); !near(got, c.want, 1e-12) {
			t.Errorf("%s tp=%d %s: KV bytes/token = %g, want %g", c.m.Name, c.tp, c.prec, got, c.want)
		}
	}
}

// A batch-1 decode step of the 8B-shaped dense model on the ideal profile
// is memory-bound. By hand (BF16, 2 TB/s):
//
//	weights read: (32 layers × (41.94M attention + 176.16M MLP) + 266,240
//	norm scales + 525.34M head) × 2 B = 15.0098 GB → 7.5049 ms
//	KV: 1000 tokens × 131,072 B = 131 MB → 65.5 µs
//	activations: (10·4096 + 3·6144 + 2·4096 + 5·14336) × 2 B × 32 = 8.9 MB → 4.5 µs
//
// total 7.5749 ms; the step's FLOPs (15 GFLOP) need 15 µs, far less.
func TestDecodeStepMemoryBound(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	r, err := StepTime(d, Batch{Decode: []int{1000}})
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(r.Time) * 1e3; !near(got, 7.5749, 2e-3) {
		t.Errorf("StepTime(decode 1 × 1000) = %.4f ms, want 7.5749 ms", got)
	}
	if r.Bound != "memory" || r.Compute > r.Time/100 {
		t.Errorf("bound = %s (compute %v of %v), want memory-bound", r.Bound, r.Compute, r.Time)
	}
	if r.OutputTokens != 1 {
		t.Errorf("OutputTokens = %g, want 1", r.OutputTokens)
	}
}

// A 4096-token prefill from an empty cache is compute-bound. By hand:
//
//	linear: 2 × 7.4795 G params × 4096 tokens = 57.176 TFLOP → 57.176 ms
//	attention: 4096·4097/2 pairs × 4·32·128 × 32 layers = 4.399 TFLOP → 4.399 ms
//	activations: 4096 × 278,528 B × 32 layers = 36.50 GB → 18.25 ms (memory)
//	head, one logit row: 1.0507 GB of weights → 0.525 ms (memory)
//
// total 80.35 ms.
func TestPrefillStepComputeBound(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	r, err := StepTime(d, Batch{Prefill: []Chunk{{Tokens: 4096}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(r.Time) * 1e3; !near(got, 80.35, 2e-3) {
		t.Errorf("StepTime(prefill 4096) = %.3f ms, want 80.35 ms", got)
	}
	if r.Bound != "compute" || r.PrefillTokens != 4096 {
		t.Errorf("bound = %s, prefill tokens %d; want compute, 4096", r.Bound, r.PrefillTokens)
	}
	// Chunked: the second half of the prompt attends to the cached first
	// half, so two chunks cost the same attention pairs as one.
	a, _ := StepTime(d, Batch{Prefill: []Chunk{{Tokens: 2048}}})
	b, _ := StepTime(d, Batch{Prefill: []Chunk{{Tokens: 2048, Cached: 2048}}})
	if a.Time >= b.Time {
		t.Errorf("second chunk (%v) should cost more than the first (%v): it attends to 2048 cached tokens", b.Time, a.Time)
	}
}

// TP all-reduces are exposed: at TP 2 a layer pays two all-reduces of
// tokens × hidden × 2 B. With 1000 decode tokens, 8.19 MB each; ring over
// 2 ranks at 400 GB/s: 2·(1/2)·8.19 MB/400 GB/s + 2·2 µs = 24.48 µs;
// × 2 × 32 layers = 1.567 ms.
func TestTPAllReduceExposed(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(2), Parallel: Parallel{TP: 2}, Precision: hardware.BF16, Profile: ideal()}
	ctx := make([]int, 1000)
	for i := range ctx {
		ctx[i] = 100
	}
	r, err := StepTime(d, Batch{Decode: ctx})
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(r.Comm) * 1e3; !near(got, 1.567, 2e-3) {
		t.Errorf("Comm = %.4f ms, want 1.567 ms", got)
	}
}

func TestSpeculativeStep(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal(),
		Speculative: Speculative{Tokens: 1, Acceptance: 0.7}}
	r, err := StepTime(d, Batch{Decode: []int{100, 200}})
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.OutputTokens, 3.4, 1e-12) { // 2 sequences × 1.7
		t.Errorf("OutputTokens = %g, want 3.4", r.OutputTokens)
	}
}

// MoE decode reads only the experts the batch touches: one token on one
// device touches 8 of 256 experts per layer.
func TestMoETouchedExperts(t *testing.T) {
	c := testCluster(1)
	c.Chip.HBM.Capacity = hardware.Fixed(2000 * units.GB)
	d := Deployment{Model: deepseek(), Cluster: c, Precision: hardware.FP8, Profile: ideal()}
	one, err := StepTime(d, Batch{Decode: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	many, _ := StepTime(d, Batch{Decode: make1(512)})
	// 1 token: 8/256 of the routed weights; 512 tokens: 1 − (31/32)^512 ≈ all.
	// Routed experts are 58 × 256 × 44.04M = 654 G of the 671 G parameters,
	// so the step's bytes grow by far more than 10×.
	if ratio := float64(many.Bytes) / float64(one.Bytes); ratio < 10 {
		t.Errorf("bytes(512 tokens)/bytes(1 token) = %.1f, want > 10 (more experts touched)", ratio)
	}
}

func make1(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

func TestErrors(t *testing.T) {
	base := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	cases := []struct {
		name string
		mod  func(*Deployment)
		b    Batch
		want error
	}{
		{"fp4 on a chip without it", func(d *Deployment) { d.Precision = hardware.FP4 }, Batch{Decode: []int{1}}, ErrPrecision},
		{"weights overflow", func(d *Deployment) { d.Cluster.Chip.HBM.Capacity = hardware.Fixed(10 * units.GB) }, Batch{Decode: []int{1}}, ErrDoesNotFit},
		{"batch over the KV cache", func(*Deployment) {}, Batch{Decode: []int{10_000_000}}, ErrDoesNotFit},
	}
	for _, c := range cases {
		d := base
		ch := *testChip()
		d.Cluster.Chip = &ch
		c.mod(&d)
		if _, err := StepTime(d, c.b); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	var fe *input.Error
	if _, err := StepTime(base, Batch{}); !errors.As(err, &fe) || fe.Field != "batch" {
		t.Errorf("empty batch: err = %v, want a FieldError on batch", err)
	}
	if _, err := StepTime(base, Batch{Decode: []int{0}}); !errors.As(err, &fe) || fe.Field != "batch.decode[0]" {
		t.Errorf("zero context: err = %v, want a FieldError on batch.decode[0]", err)
	}
	bad := base
	bad.Parallel = Parallel{TP: 4}
	if _, err := StepTime(bad, Batch{Decode: []int{1}}); !errors.As(err, &fe) || fe.Field != "parallel.tp" || !errors.Is(err, ErrInstanceTooLarge) {
		t.Errorf("tp 4 on 1 chip: err = %v, want a FieldError on parallel.tp", err)
	}
}

// The curve's TPOT grows with batch; Best meets the target and the next
// batch does not; an unreachable target says why.
func TestBestUnderTPOT(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	w := Workload{Input: 1000, Output: 200}
	pts, err := Curve(d, Decode, w, SLO{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].TPOT < pts[i-1].TPOT || pts[i].OutputPerChip < pts[i-1].OutputPerChip {
			t.Errorf("batch %d → %d: TPOT %v → %v, rate %.0f → %.0f: want both non-decreasing",
				pts[i-1].Batch, pts[i].Batch, pts[i-1].TPOT, pts[i].TPOT, pts[i-1].OutputPerChip, pts[i].OutputPerChip)
		}
	}
	slo := SLO{TPOT: 12 * units.Seconds(1e-3)}
	b, err := Best(d, Decode, w, slo)
	if err != nil {
		t.Fatal(err)
	}
	next, err := Curve(d, Decode, w, slo, []int{b.Batch + 1})
	if !b.Meets || err == nil && next[0].Meets {
		t.Errorf("Best = batch %d (TPOT %v, meets %v); batch %d meets too", b.Batch, b.TPOT, b.Meets, b.Batch+1)
	}
	if _, err := Best(d, Decode, w, SLO{TPOT: 1e-3}); !errors.Is(err, ErrNoOperatingPoint) {
		t.Errorf("TPOT 1 ms (below the 7.5 ms weight read): err = %v, want ErrNoOperatingPoint", err)
	}
	if _, err := Curve(d, Decode, w, SLO{}, []int{1 << 30}); !errors.Is(err, ErrDoesNotFit) {
		t.Errorf("batch 2^30: err = %v, want ErrDoesNotFit", err)
	}
}

// Disaggregation balances request rates: prefill chips × their request
// rate = decode chips × theirs.
func TestDisaggregate(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	w := Workload{Input: 2000, Output: 500}
	g, err := Disaggregate(d, d, w, SLO{TPOT: 30e-3, TTFT: 2})
	if err != nil {
		t.Fatal(err)
	}
	pre := g.PrefillPerDecodeChip * g.Prefill.InputPerChip / 2000
	dec := g.Decode.OutputPerChip / 500
	if !near(pre, dec, 1e-9) {
		t.Errorf("prefill pool serves %g req/s per decode chip, decode pool %g: want equal", pre, dec)
	}
	if !near(g.OutputPerChip, g.Decode.OutputPerChip/(1+g.PrefillPerDecodeChip), 1e-12) {
		t.Errorf("OutputPerChip = %g, want decode rate / (1 + ratio)", g.OutputPerChip)
	}
}

// Cost: 1000 tokens/s at $3.6/h is $1 per million tokens; at 500 W,
// 0.5 J per token.
func TestTokenCost(t *testing.T) {
	c, err := TokenCost(1000, 3.6, 500)
	if err != nil {
		t.Fatal(err)
	}
	if !near(float64(c.USDPerMillion), 1, 1e-12) || !near(float64(c.JoulesPerToken), 0.5, 1e-12) {
		t.Errorf("TokenCost = %v, %v; want $1, 0.5 J", c.USDPerMillion, c.JoulesPerToken)
	}
	if _, err := TokenCost(0, 3.6, 500); err == nil {
		t.Error("TokenCost(0 tokens/s): want an error")
	}
}

// Colocated TTFT: a prompt arriving at a random time waits for the step
// in flight, then (no token limit) is prefilled in one step beside the
// decode batch. At batch 1 and 256 output tokens a prompt starts in one
// step in 256, so the step in flight is nearly always a decode step and
// the wait about half of one (its residual, E[T²]/2E[T], within 3 %).
// With MaxTokens 256 a 1024-token prompt takes ⌈1024/(256 − 1)⌉ = 5
// chunked steps, each cheaper than the whole prompt.
func TestColocatedTTFT(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	w := Workload{Input: 1024, Output: 256}
	ctx := []int{1024 + 256/2}
	decode, err := StepTime(d, Batch{Decode: ctx})
	if err != nil {
		t.Fatal(err)
	}
	prompt, err := StepTime(d, Batch{Decode: ctx, Prefill: []Chunk{{Tokens: 1024}}})
	if err != nil {
		t.Fatal(err)
	}
	one, err := Curve(d, Colocated, w, SLO{}, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	if want := prompt.Time + decode.Time/2; !near(float64(one[0].TTFT), float64(want), 0.03) {
		t.Errorf("TTFT at batch 1 = %v, want half a decode step (%v) and the prompt's step beside the decode (%v): %v", one[0].TTFT, decode.Time, prompt.Time, want)
	}
	d.Profile.MaxTokens = 256
	chunked, err := Curve(d, Colocated, w, SLO{}, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	if r := float64(chunked[0].TTFT / one[0].TTFT); r < 1.5 || r > 5 {
		t.Errorf("TTFT chunked/whole = %.2f, want between 1.5 and 5 (5 steps, each with a quarter of the prompt)", r)
	}
}

// Prompt attention in FP8 (Profile.FP8ContextAttention 1.62): a prompt of
// N = 16,384 tokens on the dense model (32 layers, 32 heads of 128) has
// N(N+1)/2 causal pairs a layer, each 4·32·128 FLOPs (QKᵀ and PV), 2.2e15
// FLOPs in all, 2.252 s at the test chip's 1,000 TFLOP/s BF16 peak; at
// 1.62 times that rate the step's compute is 2.252·(1 − 1/1.62) = 0.862 s
// shorter. It applies with FP8 weights or an FP8 KV cache, not to 16-bit
// weights and cache, nor on a chip without FP8, nor to decode steps.
func TestFP8ContextAttention(t *testing.T) {
	const n = 16384
	attn := 4.0 * 32 * 128 * n * (n + 1) / 2 * 32 / 1000e12 // s at the BF16 peak
	step := func(prec, kv hardware.Precision, f float64, chip *hardware.Chip, b Batch) StepResult {
		t.Helper()
		c := testCluster(1)
		if chip != nil {
			c.Chip = chip
		}
		p := ideal()
		p.FP8ContextAttention = f
		r, err := StepTime(Deployment{Model: dense(), Cluster: c, Precision: prec, KVPrecision: kv, Profile: p}, b)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	prompt := Batch{Prefill: []Chunk{{Tokens: n}}}
	for _, c := range []struct {
		prec, kv hardware.Precision
		want     float64 // compute saved
	}{
		{hardware.FP8, "", attn * (1 - 1/1.62)},
		{hardware.BF16, hardware.FP8, attn * (1 - 1/1.62)},
		{hardware.BF16, hardware.BF16, 0},
	} {
		saved := float64(step(c.prec, c.kv, 0, nil, prompt).Compute - step(c.prec, c.kv, 1.62, nil, prompt).Compute)
		if !near(saved, c.want, 1e-9) && !(c.want == 0 && saved == 0) {
			t.Errorf("%s weights, %q KV cache: %.4f s saved, want %.4f", c.prec, c.kv, saved, c.want)
		}
	}
	noFP8 := testChip()
	delete(noFP8.Peak, hardware.FP8)
	if a, b := step(hardware.BF16, hardware.BF16, 0, noFP8, prompt), step(hardware.BF16, hardware.BF16, 1.62, noFP8, prompt); a.Time != b.Time {
		t.Errorf("a chip without FP8: %v against %v, want the same", b.Time, a.Time)
	}
	dec := Batch{Decode: []int{4096, 4096, 4096, 4096}}
	if a, b := step(hardware.FP8, "", 0, nil, dec), step(hardware.FP8, "", 1.62, nil, dec); a.Time != b.Time {
		t.Errorf("a decode step: %v against %v, want the same", b.Time, a.Time)
	}
}

// Prefill TTFT: a pool kept at 4 prompts a step; a prompt arriving at a
// random time waits for the pass in flight, half of one on average, then
// its batch's step: 1.5 steps. Four prompts of 1024 tokens over a
// 2048-token pass budget run as 2 passes: the wait is a quarter of the
// step. A batch sent at once (uniform lengths, all queued together) waits
// for nothing: its TTFT is its step.
func TestPrefillTTFT(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	w := Workload{Input: 1024, Output: 1}
	for _, c := range []struct {
		maxTokens int
		uniform   bool
		want      float64 // TTFT over the step
	}{
		{0, false, 1.5}, {2048, false, 1.25}, {0, true, 1}, {2048, true, 1},
	} {
		d.Profile.MaxTokens = c.maxTokens
		w.Uniform = c.uniform
		pts, err := Curve(d, Prefill, w, SLO{}, []int{4})
		if err != nil {
			t.Fatal(err)
		}
		p := pts[0]
		if got := float64(p.TTFT / p.Step.Time); !near(got, c.want, 1e-12) {
			t.Errorf("max_tokens %d, uniform %v: TTFT %v over a %v step (%d passes) = %.4f, want %.4f",
				c.maxTokens, c.uniform, p.TTFT, p.Step.Time, p.Step.Passes, got, c.want)
		}
	}
}

// An engine that reserves each request's whole prompt and output when it
// admits it (TensorRT-LLM's GUARANTEED_NO_EVICT) fits KV/(I + O)
// sequences; one whose cache grows as requests decode fits KV/(I + O/2).
func TestKVReservation(t *testing.T) {
	w := Workload{Input: 1000, Output: 1000}
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	kv, err := KVCapacity(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, full := range []bool{false, true} {
		d.Profile.KVReserveFull = full
		got, err := MaxBatch(d, Colocated, w)
		if err != nil {
			t.Fatal(err)
		}
		want := int(float64(kv.Tokens) / 1500)
		if full {
			want = int(float64(kv.Tokens) / 2000)
		}
		if got != want {
			t.Errorf("reserve whole %v: max batch %d, want %d (KV %d tokens)", full, got, want, kv.Tokens)
		}
	}
}

// The host prepares the next step while the GPU runs this one: a step
// takes the longer of the two. One decoding sequence of 1000 tokens is a
// 7.5749 ms GPU step (TestDecodeStepMemoryBound); at 29 µs per sequence
// the host's 0.029 ms for it is hidden.
func TestHostBound(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	d.Cluster.Chip.HBM.Capacity = hardware.Fixed(1000 * units.GB)
	d.Profile.HostPerSeq = 29e-6
	one, err := StepTime(d, Batch{Decode: []int{1000}})
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(one.Time) * 1e3; !near(got, 7.5749, 2e-3) || one.Bound != "memory" {
		t.Errorf("one sequence: %.4f ms (%s), want the GPU's 7.5749 ms, memory-bound", got, one.Bound)
	}
	if got := float64(one.Host) * 1e6; !near(got, 29, 1e-9) {
		t.Errorf("one sequence: host %.3f µs, want 29", got)
	}
	// 4000 sequences of 10 tokens: the GPU multiplies 4000 rows by the
	// 7.48 G weights (about 60 ms at the test chip's 1000 TFLOP/s) and
	// reads little KV; the host needs 4000 × 29 µs = 116 ms.
	dec := make([]int, 4000)
	for i := range dec {
		dec[i] = 10
	}
	gpu := d
	gpu.Profile.HostPerSeq = 0
	g, err := StepTime(gpu, Batch{Decode: dec})
	if err != nil {
		t.Fatal(err)
	}
	h, err := StepTime(d, Batch{Decode: dec})
	if err != nil {
		t.Fatal(err)
	}
	if !near(float64(h.Time), 0.116, 1e-9) || h.Bound != "host" || g.Time >= h.Time {
		t.Errorf("4000 sequences: %v (%s), GPU alone %v, want the host's 116 ms", h.Time, h.Bound, g.Time)
	}
	if sum := h.Compute + h.Memory + h.Comm + h.Overhead; !near(float64(sum), float64(h.Time), 1e-9) {
		t.Errorf("parts add to %v, want the step's %v", sum, h.Time)
	}
}

// A step that carries prompt tokens runs outside the engine's decode-only
// CUDA graphs: the host launches each of the 32 layers, 350 µs apiece,
// 11.2 ms on top of its 29 µs per sequence. The GPU's step for one
// decoding sequence and a 16-token chunk is about 7.6 ms (the weights
// read once, TestHostBound), so the launch sets the step. A decode-only
// step pays none of it, and a blended steady-state step that carries a
// quarter of a prompt (chunks 0.25) pays a quarter.
func TestEagerPromptSteps(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	d.Cluster.Chip.HBM.Capacity = hardware.Fixed(1000 * units.GB)
	d.Profile.HostPerSeq = 29e-6
	d.Profile.EagerLayer = 350e-6
	dec, err := StepTime(d, Batch{Decode: []int{1000}})
	if err != nil {
		t.Fatal(err)
	}
	if dec.Eager != 0 || !near(float64(dec.Host), 29e-6, 1e-9) || dec.Bound == "host" {
		t.Errorf("decode-only: eager %v, host %v (%s), want none, 29 µs, GPU-bound", dec.Eager, dec.Host, dec.Bound)
	}
	mixed, err := StepTime(d, Batch{Decode: []int{1000}, Prefill: []Chunk{{Tokens: 16}}})
	if err != nil {
		t.Fatal(err)
	}
	if !near(float64(mixed.Eager), 32*350e-6, 1e-9) {
		t.Errorf("with a prompt chunk: eager %v, want 32 × 350 µs = 11.2 ms", mixed.Eager)
	}
	if want := 2*29e-6 + 32*350e-6; !near(float64(mixed.Time), want, 1e-9) || mixed.Bound != "host" {
		t.Errorf("with a prompt chunk: %v (%s), want the host's %.4g s", mixed.Time, mixed.Bound, want)
	}
	if sum := mixed.Compute + mixed.Memory + mixed.Comm + mixed.Overhead; !near(float64(sum), float64(mixed.Time), 1e-9) {
		t.Errorf("parts add to %v, want the step's %v", sum, mixed.Time)
	}
	l, err := resolve(d)
	if err != nil {
		t.Fatal(err)
	}
	q := l.step(load{decSeqs: 1, decCtx: 1000, preTokens: 4, prePairs: 10, preCtx: 4, chunks: 0.25})
	if !near(float64(q.Eager), 0.25*32*350e-6, 1e-9) {
		t.Errorf("a quarter of a prompt per step: eager %v, want 2.8 ms", q.Eager)
	}
	d.Profile.EagerLayer = 0
	g, err := StepTime(d, Batch{Decode: []int{1000}, Prefill: []Chunk{{Tokens: 16}}})
	if err != nil {
		t.Fatal(err)
	}
	if g.Eager != 0 || g.Time >= mixed.Time || g.Bound == "host" {
		t.Errorf("graphs over every step: eager %v, step %v (%s), want none, under %v", g.Eager, g.Time, g.Bound, mixed.Time)
	}
}

// A KV pool sized as a share of the whole device (vLLM's
// gpu_memory_utilization) is fraction × capacity − weights − reserve;
// one sized as a share of what is left (TensorRT-LLM's free fraction),
// (capacity − weights − reserve) × fraction. The dense model's BF16
// weights: 2 × (128256 × 4096 × 2 + 32 × (2 × 4096² + 2 × 4096 × 1024 +
// 3 × 4096 × 14336 + 2 × 4096) + 4096) = 16.06 GB; on the 100 GB test
// chip with 2 GB reserved at 0.9: 90 − 16.06 − 2 = 71.94 GB against
// (100 − 16.06 − 2) × 0.9 = 73.75 GB.
func TestKVPoolOfTotal(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	d.Profile.MemoryFraction, d.Profile.Reserved = 0.9, 2*units.GB
	w := 2 * (128256*4096*2 + 32*(2*4096*4096+2*4096*1024+3*4096*14336+2*4096) + 4096.0)
	for _, total := range []bool{false, true} {
		d.Profile.MemoryOfTotal = total
		m, err := MemoryUse(d)
		if err != nil {
			t.Fatal(err)
		}
		want := (100e9 - w - 2e9) * 0.9
		if total {
			want = 0.9*100e9 - w - 2e9
		}
		if !near(float64(m.Weights), w, 1e-9) || !near(float64(m.KVSpace), want, 1e-9) {
			t.Errorf("of total %v: weights %v, KV %v, want %.4g and %.4g", total, m.Weights, m.KVSpace, w, want)
		}
	}
}

// A disaggregated deployment's requests get their first token from the
// prefill pool: its TTFT is the request's, not the decode point's (the
// sweep once stored the decode pool's 49 ms for a 1.28 s prefill).
func TestServingTTFTIsThePrefillPools(t *testing.T) {
	s := Serving{Disaggregated: true, Point: Point{TTFT: 0.049}, Disagg: &Disagg{Prefill: Point{TTFT: 1.28}, Decode: Point{TTFT: 0.049}}}
	if got := s.TTFT(); got != 1.28 {
		t.Errorf("disaggregated TTFT %v, want the prefill pool's 1.28 s", got)
	}
	s = Serving{Point: Point{TTFT: 0.2}}
	if got := s.TTFT(); got != 0.2 {
		t.Errorf("colocated TTFT %v, want the point's 0.2 s", got)
	}
}
