package inference

import (
	"errors"
	"math"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/units"
)

// The sampling spread of one step's routing, worked by hand:
// 1 + √(2·ln D/μ), μ = T·k/D, at most D.
func TestSpread(t *testing.T) {
	for _, c := range []struct {
		T, k, D, want float64
	}{
		// DeepSeek decode on EP144 at 88 sequences per GPU: μ = 704,
		// ln 144 = 4.969813, √(9.939627/704) = 0.118823.
		{12672, 8, 144, 1.118823},
		// A 16K-token prefill on EP32: μ = 4096, √(6.931472/4096) = 0.041137.
		{16384, 8, 32, 1.041137},
		{100, 8, 1, 1},            // no EP: no spread
		{0.01, 1, 2, 2},           // one device cannot carry more than the whole load
		{1e12, 8, 256, 1.0000188}, // huge batches even out
	} {
		if got := spread(c.T, c.k, c.D, math.Log(c.D)); !near(got, c.want, 1e-5) {
			t.Errorf("spread(T=%g, k=%g, D=%g) = %.6f, want %.6f", c.T, c.k, c.D, got, c.want)
		}
	}
}

// Grouped expert GEMMs lose half a tile per expert on average.
func TestGroupedEff(t *testing.T) {
	p := ideal()
	if got := p.groupedEff(396, p.MatmulHalfRows, false); got != 1 {
		t.Errorf("no tile: groupedEff(396) = %g, want 1", got)
	}
	p.ExpertTileRows = 128
	if got, want := p.groupedEff(396, p.MatmulHalfRows, false), 396.0/460; !near(got, want, 1e-12) {
		t.Errorf("128-row tiles: groupedEff(396) = %g, want 396/460 = %g", got, want)
	}
	// Padding replaces the dense curve: below a tile, one whole tile.
	p.MatmulEff, p.MatmulHalfRows = 0.6, 24
	for _, c := range []struct{ m, want float64 }{{396, 0.6 * 396 / 460}, {64, 0.6 * 64 / 128}, {1, 0.6 / 128}} {
		if got := p.groupedEff(c.m, p.MatmulHalfRows, false); !near(got, c.want, 1e-12) {
			t.Errorf("groupedEff(%g) = %g, want %g", c.m, got, c.want)
		}
	}
	p.ExpertTileRows = 0
	if got, want := p.groupedEff(24, p.MatmulHalfRows, false), 0.3; !near(got, want, 1e-12) {
		t.Errorf("no tile: groupedEff(24) = %g, want the dense curve 0.6·24/48 = %g", got, want)
	}
	// FP4's own height curve (half rate at 256 rows) bounds the padded
	// tiles: at 187 rows, 0.6·187/443 = 0.2533 under the tiles'
	// 0.6·187/251 = 0.4470; at 4096 rows the tiles' 4096/4160 = 0.9846
	// against the curve's 4096/4352 = 0.9412: the curve still.
	p.ExpertTileRows = 128
	for _, c := range []struct{ m, want float64 }{{187, 0.6 * 187 / 443}, {4096, 0.6 * 4096 / 4352}, {1, 0.6 / 257}} {
		if got := p.groupedEff(c.m, 256, true); !near(got, c.want, 1e-12) {
			t.Errorf("FP4 height: groupedEff(%g) = %g, want %g", c.m, got, c.want)
		}
	}
}

// moeDeployment is DeepSeek-V3 over one 8-device node, EP8, at the
// roofline, with room for the weights.
func moeDeployment() Deployment {
	c := testCluster(8)
	c.Chip.HBM.Capacity = hardware.Fixed(400 * units.GB)
	return Deployment{Model: deepseek(), Cluster: c, Parallel: Parallel{EP: 8}, Precision: hardware.FP8, Profile: ideal()}
}

// The hottest device sets the time: an imbalance of 1.5 makes the
// (compute-bound) routed-expert GEMMs 1.5 times as long and sends 1.5
// times the bytes to the hottest device; the breakdown shows it.
func TestExpertImbalance(t *testing.T) {
	prompt := Batch{Prefill: []Chunk{{Tokens: 8192}, {Tokens: 8192}}}
	d := moeDeployment()
	flat, err := StepTime(d, prompt)
	if err != nil {
		t.Fatal(err)
	}
	d.ExpertImbalance = 1.5
	hot, err := StepTime(d, prompt)
	if err != nil {
		t.Fatal(err)
	}
	sp := spread(16384, 8, 8, math.Log(8)) // 1 + √(2·ln 8/16384) = 1.01453
	if m := hot.MoE; !near(m.Imbalance, 1.5*sp, 1e-12) || m.Balancer != 1.5 || !near(m.Spread, sp, 1e-12) {
		t.Errorf("MoE imbalance = %g (balancer %g × spread %g), want 1.5 × %g", m.Imbalance, m.Balancer, m.Spread, sp)
	}
	if r := float64(hot.MoE.Experts / flat.MoE.Experts); !near(r, 1.5, 1e-9) {
		t.Errorf("expert time ratio at imbalance 1.5 = %g, want 1.5 (compute-bound)", r)
	}
	if r := float64(hot.MoE.Dispatch / flat.MoE.Dispatch); r < 1.45 || r > 1.5 {
		t.Errorf("dispatch ratio at imbalance 1.5 = %g, want about 1.5 (bytes scale, latency does not)", r)
	}
	if hot.MoE.ImbalanceTime <= flat.MoE.ImbalanceTime || hot.Time <= flat.Time {
		t.Errorf("imbalance time %v vs %v, step %v vs %v: want more with the hotter device",
			hot.MoE.ImbalanceTime, flat.MoE.ImbalanceTime, hot.Time, flat.Time)
	}
	if flat.MoE.Kernels != "normal" {
		t.Errorf("prompt step kernels = %q, want normal", flat.MoE.Kernels)
	}
}

// Without expert parallelism every device holds every expert and runs
// every token: no device is hotter, whatever imbalance the deployment or
// its stack states (the expert time is the balanced one).
func TestExpertImbalanceOneEPRank(t *testing.T) {
	prompt := Batch{Prefill: []Chunk{{Tokens: 8192}}}
	d := moeDeployment()
	d.Parallel = Parallel{TP: 8, EP: 1}
	flat, err := StepTime(d, prompt)
	if err != nil {
		t.Fatal(err)
	}
	d.ExpertImbalance, d.Profile.ExpertImbalance = 1.5, 1.2
	hot, err := StepTime(d, prompt)
	if err != nil {
		t.Fatal(err)
	}
	if m := hot.MoE; m.Imbalance != 1 || m.Balancer != 1 || hot.MoE.Experts != flat.MoE.Experts {
		t.Errorf("EP 1: imbalance %g (balancer %g), experts %v against %v balanced: want 1, the same time", m.Imbalance, m.Balancer, hot.MoE.Experts, flat.MoE.Experts)
	}
}

// An imbalance below 1 is refused, from the deployment and from the
// profile, naming the field.
func TestExpertImbalanceRefused(t *testing.T) {
	for _, c := range []struct {
		set   func(d *Deployment)
		field string
	}{
		{func(d *Deployment) { d.ExpertImbalance = 0.9 }, "expert_imbalance"},
		{func(d *Deployment) { d.ExpertImbalance = math.NaN() }, "expert_imbalance"},
		{func(d *Deployment) { d.Profile.ExpertImbalance = 0.5 }, "profile.expert_imbalance"},
	} {
		d := moeDeployment()
		c.set(&d)
		_, err := StepTime(d, Batch{Decode: []int{100}})
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(err.Error(), "at least 1") {
			t.Errorf("StepTime with a bad imbalance = %v, want a FieldError on %s saying at least 1", err, c.field)
		}
	}
}

// Without a balancer the routing's own skew sets the hottest device:
// 1 + cv/√g·√(2·ln D) for g experts per device over D devices. TensorRT-
// LLM's blog 4 measured DeepSeek-R1 at EP 32 with 8 experts per rank: a
// per-expert CV of 164.1/128 = 1.282 and a hottest rank 2.564 times the
// mean at 1,024 routed tokens per rank; the skew times that step's
// sampling spread (1 + √(2·ln 32/1024) = 1.082) gives 2.37, 7 % under it
// (the Gaussian maximum misses the hot experts' heavy tail), within 10 %.
// At EP 8 with 32 experts per device: 1 + 1.282/√32·√(2·ln 8) = 1.462.
func TestRoutingSkew(t *testing.T) {
	cv := 164.1 / 128
	got := skew(cv, 8, 32) * spread(1024*32, 1, 32, math.Log(32)) // μ = 1,024 per rank
	if math.Abs(got/2.564-1) > 0.10 {
		t.Errorf("skew at EP 32, 8 experts per rank, × spread = %.4g; want within 10 %% of the measured 2.564", got)
	}
	if s := skew(cv, 32, 8); !near(s, 1+cv/math.Sqrt(32)*math.Sqrt(2*math.Log(8)), 1e-12) || !near(s, 1.462, 1e-3) {
		t.Errorf("skew at EP 8, 32 experts per device = %.5g, want 1.462", s)
	}
	if s := skew(cv, 128, 1); s != 1 {
		t.Errorf("skew on one device = %g, want 1 (it holds every expert)", s)
	}
	if s := skew(50, 1, 4); s != 4 {
		t.Errorf("skew capped = %g, want 4 (one device of 4 carries at most everything)", s)
	}
}

// The deployment's balancer: "none" takes the routing skew in place of
// the profile's EPLB residual and says so; "eplb" the residual even where
// the profile deploys none; a stated expert_imbalance wins over both; any
// other value is refused naming the field.
func TestBalancerOnOff(t *testing.T) {
	dec := Batch{Decode: []int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}}
	d := moeDeployment()
	d.Profile.ExpertImbalance, d.Profile.RoutingCV = 1.2, 1.28
	on, err := StepTime(d, dec)
	if err != nil {
		t.Fatal(err)
	}
	d.Balancer = BalancerNone
	off, err := StepTime(d, dec)
	if err != nil {
		t.Fatal(err)
	}
	g := 256.0 / 8 // DeepSeek-V3's routed experts per device at EP 8
	if want := skew(1.28, g, 8); on.MoE.Routing != BalancerEPLB || on.MoE.Balancer != 1.2 || off.MoE.Routing != BalancerNone || !near(off.MoE.Balancer, want, 1e-12) {
		t.Errorf("balancer on: %s %g; off: %s %g; want eplb 1.2 and none %g", on.MoE.Routing, on.MoE.Balancer, off.MoE.Routing, off.MoE.Balancer, want)
	}
	if off.Time <= on.Time {
		t.Errorf("step without a balancer %v, with %v: want longer without", off.Time, on.Time)
	}
	d.ExpertImbalance = 1.1
	if st, err := StepTime(d, dec); err != nil || st.MoE.Balancer != 1.1 || st.MoE.Routing != BalancerEPLB {
		t.Errorf("stated imbalance 1.1 with balancer none: %v, %+v; want the stated factor", err, st.MoE)
	}
	d = moeDeployment()
	d.Profile.NoBalancer, d.Profile.RoutingCV = true, 1.28
	d.Balancer = BalancerEPLB
	if st, err := StepTime(d, dec); err != nil || st.MoE.Balancer != d.Profile.ExpertImbalance {
		t.Errorf("balancer eplb on a profile without one: %v, %+v; want the profile's residual %g", err, st.MoE, d.Profile.ExpertImbalance)
	}
	// A coarse model (8 routed experts) without a balancer keeps the
	// profile's assumed factor: the skew was measured on fine-grained MoE.
	d = moeDeployment()
	coarse := *d.Model.MoE
	coarse.Experts = 8
	d.Model.MoE = &coarse
	d.Profile.NoBalancer, d.Profile.RoutingCV, d.Profile.RoutingMinExperts = true, 1.28, 64
	if st, err := StepTime(d, dec); err != nil || st.MoE.Routing != RoutingCoarse || st.MoE.Balancer != d.Profile.ExpertImbalance {
		t.Errorf("8 experts without a balancer: %v, %+v; want coarse at the profile's %g", err, st.MoE, d.Profile.ExpertImbalance)
	}
	d.Balancer = "sometimes"
	var fe *input.Error
	if _, err := StepTime(d, dec); !errors.As(err, &fe) || fe.Field != "balancer" {
		t.Errorf("balancer sometimes: %v, want a FieldError on balancer", err)
	}
}

// Drafting costs one layer and the logit projection per draft token: the
// step of a one-layer copy of the model without speculation.
func TestDraftCost(t *testing.T) {
	m := dense()
	d := Deployment{Model: m, Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	b := Batch{Decode: []int{1000, 2000, 3000}}
	one := d
	one.Model.Layers = 1
	want, err := StepTime(one, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2} {
		d.Speculative = Speculative{Tokens: n, Acceptance: 0.8}
		r, err := StepTime(d, b)
		if err != nil {
			t.Fatal(err)
		}
		if !near(float64(r.Draft), float64(n)*float64(want.Time), 1e-4) { // the final norm spread over 1 layer, not 32
			t.Errorf("%d draft tokens: Draft = %v, want %d × %v (one layer + head)", n, r.Draft, n, want.Time)
		}
		if sum := r.Compute + r.Memory + r.Comm + r.Overhead; !near(float64(sum), float64(r.Time), 1e-12) {
			t.Errorf("parts %v ≠ time %v", sum, r.Time)
		}
	}
}

// A prefill batch with more prompt tokens per attention group than the
// engine's per-pass limit runs as several passes instead of being
// refused: DeepSeek-V3, 4 prompts of 4,096 tokens per device on EP8
// (16,384 tokens per group, limit 8,192: two passes). Cutting a batch in
// two halves every per-token cost, so the time stays within the fixed
// costs of the second pass.
func TestPrefillPasses(t *testing.T) {
	d := moeDeployment()
	w := Workload{Input: 4096}
	free, err := Curve(d, Prefill, w, SLO{}, []int{32})
	if err != nil {
		t.Fatal(err)
	}
	d.Profile.MaxTokens, d.Profile.LimitSources = 8192, map[string]string{"max_tokens": "engine docs"}
	split, err := Curve(d, Prefill, w, SLO{}, []int{32})
	if err != nil {
		t.Fatalf("4×4096-token prompts per device with max_tokens 8192: %v, want two passes", err)
	}
	if free[0].Step.Passes != 1 || split[0].Step.Passes != 2 {
		t.Errorf("passes = %d and %d, want 1 without a limit and 2 with max_tokens 8192", free[0].Step.Passes, split[0].Step.Passes)
	}
	if r := float64(split[0].Step.Time / free[0].Step.Time); r < 1 || r > 1.05 {
		t.Errorf("two passes take %.3f× one, want 1 to 1.05×", r)
	}
}

// A refusal names the binding limit and its source.
func TestRefusalNamesLimit(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	d.Profile.MaxBatch, d.Profile.Engine = 4, "Engine"
	d.Profile.LimitSources = map[string]string{"max_batch": "Engine docs: max_num_seqs"}
	_, err := Curve(d, Decode, Workload{Input: 100, Output: 100}, SLO{}, []int{5})
	if !errors.Is(err, ErrDoesNotFit) || !strings.Contains(err.Error(), "Engine max_batch 4 (Engine docs: max_num_seqs)") {
		t.Errorf("batch 5 over max_batch 4: %v, want the limit and its source named", err)
	}
	d.Profile.MaxBatch = 0
	_, err = Curve(d, Decode, Workload{Input: 100, Output: 100}, SLO{}, []int{1 << 30})
	if err == nil || !strings.Contains(err.Error(), "KV cache") {
		t.Errorf("a batch over the KV cache: %v, want the KV cache named", err)
	}
}

// attention_dp sets the attention groups of an instance: TP × groups =
// the stage width; TP left out is EP/groups.
func TestAttentionDP(t *testing.T) {
	for _, c := range []struct {
		p             Parallel
		groups, width int
		bad           string
	}{
		{Parallel{EP: 8, AttentionDP: 2}, 2, 8, ""},        // tp = 4
		{Parallel{EP: 8, TP: 1}, 8, 8, ""},                 // absent: what tp and ep leave
		{Parallel{EP: 8, TP: 2, AttentionDP: 4}, 4, 8, ""}, // as stated
		{Parallel{EP: 8, TP: 2, AttentionDP: 2}, 0, 0, "parallel.attention_dp"},
		{Parallel{EP: 8, AttentionDP: 3}, 0, 0, "parallel.attention_dp"},
	} {
		d := moeDeployment()
		d.Parallel = c.p
		kv, err := KVCapacity(d)
		var fe *input.Error
		switch {
		case c.bad != "":
			if !errors.As(err, &fe) || fe.Field != c.bad {
				t.Errorf("%+v: %v, want a FieldError on %s", c.p, err, c.bad)
			}
		case err != nil:
			t.Errorf("%+v: %v", c.p, err)
		case kv.Groups != c.groups:
			t.Errorf("%+v: %d attention groups, want %d", c.p, kv.Groups, c.groups)
		}
	}
}

// The MoE module line (fixed time + expert weights at a fraction of the
// bandwidth) against TensorRT-LLM's measured module latencies (tech blog
// 24, MoE as Dense GEMM: DeepSeek-V3-style NVFP4 MoE, TP8, one B200 at
// 8 TB/s, router to FC2). Per MoE layer, the two backends' lines as the
// catalog states them reproduce the table within 10 % (the least-squares line is within 10 µs of each of its 11 points).
func TestMoEModuleLine(t *testing.T) {
	for _, c := range []struct {
		name     string
		eff      float64
		fixed    units.Seconds
		tokens   int
		measured units.Seconds // µs per MoE layer
	}{
		{"TRTLLM-Gen", 0.62, 25e-6, 1, 26.78e-6},
		{"TRTLLM-Gen", 0.62, 25e-6, 32, 117.20e-6},
		{"TRTLLM-Gen", 0.62, 25e-6, 128, 161.87e-6},
		{"CUTLASS", 0.34, 93e-6, 1, 96.77e-6},
		{"CUTLASS", 0.34, 93e-6, 32, 262.73e-6},
		{"CUTLASS", 0.34, 93e-6, 128, 335.65e-6},
	} {
		cl := testCluster(8)
		cl.Chip.HBM = hardware.Memory{Capacity: hardware.Fixed(400 * units.GB), Bandwidth: hardware.Fixed(8 * units.TBps)}
		cl.Chip.Peak[hardware.FP4] = hardware.Fixed(9000 * units.TFLOPS)
		p := ideal()
		p.ExpertMemoryEff, p.MoELayerTime = c.eff, c.fixed
		d := Deployment{Model: deepseek(), Cluster: cl, Parallel: Parallel{TP: 8}, Precision: hardware.FP4, Profile: p}
		dec := make([]int, c.tokens)
		for i := range dec {
			dec[i] = 1
		}
		r, err := StepTime(d, Batch{Decode: dec})
		if err != nil {
			t.Fatal(err)
		}
		perLayer := (r.MoE.Experts + r.MoE.Fixed) / 58
		if !near(float64(perLayer), float64(c.measured), 0.10) {
			t.Errorf("%s at %d tokens: %.1f µs per MoE layer, measured %.1f µs", c.name, c.tokens, float64(perLayer)*1e6, float64(c.measured)*1e6)
		}
		if r.MoE.ExpertMemoryEff != c.eff {
			t.Errorf("%s: step reports expert_memory_eff %g, want %g", c.name, r.MoE.ExpertMemoryEff, c.eff)
		}
	}
}

// The MoE dispatch/combine permute traffic is in the step's activation
// traffic: DeepSeek-V3's full-width elements per token, averaged over its
// 61 layers, are the 10h of norms and residuals plus 2·(1 + 8)·h over its
// 58 MoE layers.
func TestPermuteTrafficInShape(t *testing.T) {
	m := deepseek().WithDefaults()
	s := newShape(m)
	h := float64(m.Hidden)
	want := 10*h + 2*9*h*s.moeLayers/s.layers
	if math.Abs(s.actFull/want-1) > 1e-12 {
		t.Errorf("actFull = %g, want %g (10h + 18h × MoE layers / layers)", s.actFull, want)
	}
}

// With attention tensor-parallel over the whole instance an engine such
// as TensorRT-LLM runs each device's experts on the replicated tokens and
// sums them in the all-reduce it already makes (NoTPDispatch): the step
// loses exactly its EP dispatch and combine and keeps the TP all-reduces;
// under attention DP (TP 1, EP 8) the flag changes nothing.
func TestTPReplicatedMoE(t *testing.T) {
	dec := Batch{Decode: []int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}}
	d := moeDeployment()
	d.Parallel = Parallel{TP: 8, EP: 8}
	split, err := StepTime(d, dec)
	if err != nil {
		t.Fatal(err)
	}
	d.Profile.NoTPDispatch = true
	repl, err := StepTime(d, dec)
	if err != nil {
		t.Fatal(err)
	}
	ep := split.MoE.Dispatch + split.MoE.Combine - split.MoE.Hidden
	if split.MoE.Dispatch <= 0 || repl.MoE.Dispatch != 0 || repl.MoE.Combine != 0 {
		t.Fatalf("dispatch split %v, replicated %v/%v: want some, then none", split.MoE.Dispatch, repl.MoE.Dispatch, repl.MoE.Combine)
	}
	if !near(float64(repl.Comm), float64(split.Comm-ep), 1e-9) {
		t.Errorf("comm replicated %v, want split %v less its exposed EP %v", repl.Comm, split.Comm, ep)
	}
	d = moeDeployment()
	adp, err := StepTime(d, dec)
	if err != nil {
		t.Fatal(err)
	}
	d.Profile.NoTPDispatch = true
	if same, err := StepTime(d, dec); err != nil || same.Time != adp.Time || same.MoE.Dispatch != adp.MoE.Dispatch {
		t.Errorf("attention DP with NoTPDispatch: %v, %v / %v; want the same step", err, same.Time, adp.Time)
	}
}

// At FP4 with the stack's own FP4 height curve, a deployment's routed
// experts run at no more than that curve gives a dense GEMM of their
// rows (m/(m + 256) here), under the 128-row padding's m/max(m + 64, 128);
// at FP8 the padding alone applies.
func TestFP4ExpertsOnTheirHeightCurve(t *testing.T) {
	prompt := Batch{Prefill: []Chunk{{Tokens: 4096}}}
	for _, c := range []struct {
		prec hardware.Precision
		want func(m float64) float64
	}{
		{hardware.FP4, func(m float64) float64 { return m / (m + 256) }},
		{hardware.FP8, func(m float64) float64 { return m / math.Max(m+64, 128) }},
	} {
		d := moeDeployment()
		d.Cluster.Chip.Peak[hardware.FP4] = hardware.Fixed(2 * d.Cluster.Chip.Peak[hardware.FP8].Typ)
		d.Precision = c.prec
		d.Profile.ExpertTileRows, d.Profile.FP4MatmulHalfRows = 128, 256
		r, err := StepTime(d, prompt)
		if err != nil {
			t.Fatal(err)
		}
		m := r.MoE.RowsPerExpert
		if m <= 0 || !near(r.MoE.GroupedGEMMEff, c.want(m), 1e-12) {
			t.Errorf("%s: grouped GEMM eff at %g rows = %g, want %g", c.prec, m, r.MoE.GroupedGEMMEff, c.want(m))
		}
	}
}

// Block-scaled FP8 (Profile.FP8BlockScale): a fine-grained MoE model's
// FP8 GEMMs on a chip without hardware block scaling (no FP4 peak) run at
// the factor times the per-tensor rate, so its compute-bound routed
// experts take 1/0.8 = 1.25 times as long at 0.8; a chip with FP4 (block
// scales in its tensor cores) and a model with fewer routed experts than
// RoutingMinExperts keep the per-tensor rate.
func TestBlockScaledFP8(t *testing.T) {
	prompt := Batch{Prefill: []Chunk{{Tokens: 8192}, {Tokens: 8192}}}
	for _, c := range []struct {
		name    string
		fp4     bool
		experts int
		want    float64
	}{
		{"fine-grained MoE, no FP4", false, 256, 1 / 0.8},
		{"fine-grained MoE, FP4 chip", true, 256, 1},
		{"coarse MoE (32 experts)", false, 32, 1},
	} {
		var shown float64 // the breakdown's FP8BlockScale at 0.8
		time := func(scale float64) float64 {
			d := moeDeployment()
			if c.fp4 {
				d.Cluster.Chip.Peak[hardware.FP4] = hardware.Fixed(2 * d.Cluster.Chip.Peak[hardware.FP8].Typ)
			}
			m := *d.Model.MoE
			m.Experts = c.experts
			d.Model.MoE = &m
			d.Profile.RoutingMinExperts, d.Profile.FP8BlockScale = 64, scale
			r, err := StepTime(d, prompt)
			if err != nil {
				t.Fatal(err)
			}
			if scale > 0 {
				shown = r.MoE.FP8BlockScale
			}
			return float64(r.MoE.Experts)
		}
		if r := time(0.8) / time(0); !near(r, c.want, 1e-9) {
			t.Errorf("%s: routed-expert time at fp8_block_scale 0.8 over per-tensor = %g, want %g", c.name, r, c.want)
		}
		if want := map[bool]float64{true: 0.8, false: 0}[c.want != 1]; shown != want {
			t.Errorf("%s: breakdown's fp8_block_scale = %g, want %g", c.name, shown, want)
		}
	}
}

// A stated recipe replaces the default: a coarse MoE model stated
// blockwise pays the factor, a fine-grained one stated tensorwise does not,
// and an unknown recipe is refused naming the field.
func TestFP8RecipeStated(t *testing.T) {
	prompt := Batch{Prefill: []Chunk{{Tokens: 8192}, {Tokens: 8192}}}
	expert := func(experts int, recipe string, scale float64) float64 {
		d := moeDeployment()
		m := *d.Model.MoE
		m.Experts = experts
		d.Model.MoE = &m
		d.Profile.RoutingMinExperts, d.Profile.FP8BlockScale, d.FP8Recipe = 64, scale, recipe
		r, err := StepTime(d, prompt)
		if err != nil {
			t.Fatal(err)
		}
		return float64(r.MoE.Experts)
	}
	if r := expert(32, FP8Blockwise, 0.8) / expert(32, FP8Blockwise, 0); !near(r, 1/0.8, 1e-9) {
		t.Errorf("32 experts stated blockwise: expert time ratio %g, want 1.25", r)
	}
	if r := expert(256, FP8Tensorwise, 0.8) / expert(256, FP8Tensorwise, 0); !near(r, 1, 1e-9) {
		t.Errorf("256 experts stated tensorwise: expert time ratio %g, want 1", r)
	}
	d := moeDeployment()
	d.FP8Recipe = "sometimes"
	if _, err := StepTime(d, prompt); err == nil || !strings.Contains(err.Error(), "fp8_recipe") {
		t.Errorf("fp8_recipe sometimes: err %v, want one naming fp8_recipe", err)
	}
}
