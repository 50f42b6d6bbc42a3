package calc

import (
	"errors"
	"math"
	"testing"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/llm"
)

// TestServeDefaultWidens: with no tp, ep or attention_dp stated, a model
// whose weights leave one node's instance no room for a KV cache gets the
// fewest doubled instance that holds them, worked by hand: Llama 3.1
// 405B in BF16 (810 GB of weights) is 101 GB per device over one node of
// 8 H100 (80 GiB) and 51 GB over two pipeline stages, so tp 8 pp 2;
// Qwen3-235B-A22B in BF16 is 72.8 GB per 910B at EP 8 (the attention
// replicated on every device, 1/8 of the experts), more than its 64 GiB
// (68.7 GB) less 5 GB reserved, and 44.4 GB at EP 16. Once expert
// parallelism spans every device the attention and dense layers split
// over TP inside the expert group: DeepSeek-V3 in BF16 on 16 910C (32
// devices) holds 654.3 B expert parameters (58 MoE layers of 256 experts
// of 3·7168·2048) and 17.1 B others, 2·(654.3/32 + 17.1) = 75.1 GB per
// device at TP 1 EP 32, 2·(654.3/32 + 17.1/2) = 58.0 GB at TP 2. A
// stated layout is not widened, and a model that fits one node keeps it.
func TestServeDefaultWidens(t *testing.T) {
	cat := testCatalog(t)
	for _, c := range []struct {
		model, chip   string
		chips, tp, ep int
		want          inference.Parallel
		refused       bool
	}{
		{model: "llama3.1-405b", chip: "h100-sxm", chips: 16, want: inference.Parallel{TP: 8, PP: 2, EP: 1}},
		{model: "qwen3-235b-a22b", chip: "ascend-910b", chips: 16, want: inference.Parallel{TP: 1, PP: 1, EP: 16}},
		{model: "llama3.1-70b", chip: "h100-sxm", chips: 8, want: inference.Parallel{TP: 8, PP: 1, EP: 1}},
		// A 72-GPU NVLink domain: the default stage stops at TP 8, the
		// rest are further instances (it was TP 64).
		{model: "llama3.1-70b", chip: "gb200", chips: 64, want: inference.Parallel{TP: 8, PP: 1, EP: 1}},
		// Devices that do not split in two: Llama 3.1 70B in BF16 (141 GB)
		// on 3 H100 (TP 3 does not divide its 64 heads, so TP 1) grows to
		// the fewest stages that fill the devices, 3 of 47 GB (doubling to
		// 2 would idle one GPU, and was refused as "more devices").
		{model: "llama3.1-70b", chip: "h100-sxm", chips: 3, want: inference.Parallel{TP: 1, PP: 3, EP: 1}},
		{model: "llama3.1-405b", chip: "h100-sxm", chips: 16, tp: 8, refused: true},
		{model: "llama3.1-405b", chip: "h100-sxm", chips: 8, refused: true}, // no room to grow
		{model: "deepseek-v3", chip: "ascend-910c", chips: 16, want: inference.Parallel{TP: 2, PP: 1, EP: 32}},
		// 654 B expert parameters over 8 devices are 164 GB each at any TP.
		{model: "deepseek-v3", chip: "h100-sxm", chips: 8, refused: true},
	} {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips, r.Parallel.TP, r.Parallel.EP = c.model, c.chip, c.chips, c.tp, c.ep
		s, err := r.Setup(cat)
		if err != nil {
			t.Fatalf("%s on %d %s: %v", c.model, c.chips, c.chip, err)
		}
		_, kerr := inference.KVCapacity(s.Deployment)
		p := s.Deployment.Parallel
		switch {
		case c.refused && !errors.Is(kerr, inference.ErrDoesNotFit):
			t.Errorf("%s on %d %s, tp %d: %+v (%v), want the weights refused", c.model, c.chips, c.chip, c.tp, p, kerr)
		case !c.refused && (kerr != nil || p.TP != c.want.TP || max(p.PP, 1) != c.want.PP || p.EP != c.want.EP):
			t.Errorf("%s on %d %s: tp %d pp %d ep %d (%v), want %+v", c.model, c.chips, c.chip, p.TP, p.PP, p.EP, kerr, c.want)
		}
	}
}

// TestServeRangeCountsNoFit: Qwen3-235B-A22B at EP 16 on 910B needs
// 44.38 GB of weights + 5 GB reserved per device; the range draws the
// 910B's HBM capacity triangular over [32, 64, 64] GiB (a factor on
// [0.5, 1, 1] of 68.72 GB), which is below 49.38 GB for a factor under
// 0.7186: probability (0.7186 − 0.5)² / 0.25 = 0.191, about 38 of 200
// draws. Each counts as 0, so the p10 is 0; the count is within three
// binomial standard deviations (5.6) of that, and a layout on four times the
// devices never misses at EP 64 (the replicated attention and 1/64 of
// the experts, 23.1 GB, 28.1 GB with the reserve, under 32 GiB).
func TestServeRangeCountsNoFit(t *testing.T) {
	cat := testCatalog(t)
	est := func(chips int) ServeEstimate {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips, r.Parallel.EP = "qwen3-235b-a22b", "ascend-910b", chips, chips
		return serveEstimate(t, cat, r)
	}
	e := est(16)
	if want := 0.191 * rangeTrials; math.Abs(float64(e.BestNoFit)-want) > 3*math.Sqrt(want*(1-0.191)) || e.BestLow == nil || *e.BestLow != 0 {
		t.Errorf("EP 16 on 16 910B: %d of %d draws without room, p10 %v; want about %.0f and a p10 of 0", e.BestNoFit, rangeTrials, e.BestLow, want)
	}
	if e := est(64); e.BestNoFit != 0 {
		t.Errorf("EP 64 on 64 910B: %d draws without room, want 0", e.BestNoFit)
	}
}

// TestDefaultTP: a dense model's default tensor-parallel degree is the
// stage's w devices up to 8, lowered until it divides the n devices of a
// pipeline stage (the instances fill them: no device idles) and the
// attention heads, and divides or is a multiple of the KV heads: 28 heads
// with 4 KV heads (Qwen2.5-7B's shape) take 4 of 8; 12 MHA heads take 4
// of 8 (6 would leave 2 idle) and 6 of 6; 64 heads over a 64-device stage
// take 8, over 12 devices 4 (8 would leave 4 idle) and over 6 devices 2;
// 7 heads take 1 of 8 but 7 of 7.
func TestDefaultTP(t *testing.T) {
	for _, c := range []struct {
		heads, kv, w, n, want int
	}{{28, 4, 8, 8, 4}, {12, 12, 8, 8, 4}, {12, 12, 6, 6, 6}, {64, 8, 64, 64, 8}, {64, 8, 8, 12, 4}, {64, 8, 6, 6, 2},
		{40, 8, 16, 16, 8}, {32, 8, 4, 4, 4}, {7, 7, 8, 8, 1}, {7, 7, 7, 7, 7}, {5, 1, 8, 8, 1}} {
		m := llm.Model{Heads: c.heads, KVHeads: c.kv, Attention: llm.GQA}
		if got := defaultTP(c.w, c.n, m); got != c.want {
			t.Errorf("%d heads (%d KV), a stage of %d of %d devices: tp %d, want %d", c.heads, c.kv, c.w, c.n, got, c.want)
		}
	}
}

// serveEstimate sets r up against cat and runs the full estimate,
// failing the test on an error (the serving twin of estimate).
func serveEstimate(t *testing.T, cat *catalog.Catalog, r ServeRequest) ServeEstimate {
	t.Helper()
	s, err := r.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Serve(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
