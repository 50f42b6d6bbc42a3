package inference

import (
	"math"
	"testing"

	"chipgap/hardware"
	"chipgap/units"
)

// The expected busiest of d Poisson(λ) counts, worked by hand as
// Σ_k 1 − F(k)^d.
func TestPoissonMaxMean(t *testing.T) {
	// λ = 512/3654 = 0.140120 (the blog configuration below), d = 8:
	// F(0) = e^-λ = 0.869252, F(0)^8 = 0.325940 → 0.674060
	// F(1) = 0.869252·1.140120 = 0.991052, ^8 = 0.930574 → 0.069426
	// F(2) = F(1) + 0.869252·λ²/2 = 0.999585, ^8 = 0.996684 → 0.003316
	// F(3) = F(2) + 0.869252·λ³/6 = 0.999984, ^8 = 0.999873 → 0.000127
	// sum 0.746929 (later terms < 1e-5).
	lambda := 512.0 / 3654
	if got := poissonMaxMean(lambda, 8, 5); !near(got, 0.746929, 2e-4) {
		t.Errorf("poissonMaxMean(%.6f, 8, 5) = %.6f, want 0.746929", lambda, got)
	}
	// One group: its own mean.
	if got := poissonMaxMean(0.7, 1, 0); got != 0.7 {
		t.Errorf("one group: %g, want λ = 0.7", got)
	}
	// Capped at one: P(max > 0) = 1 − e^(−λ·d).
	if got, want := poissonMaxMean(0.5, 8, 1), 1-math.Exp(-4); !near(got, want, 1e-12) {
		t.Errorf("capped at 1: %g, want 1 − e^-4 = %g", got, want)
	}
	// Many arrivals even out: the busiest of 8 groups at λ = 10000 is
	// about λ + √λ·2.85 (the expected maximum of 8 standard normals).
	if got := poissonMaxMean(1e4, 8, 0); !near(got, 1e4+100*1.4236, 2e-3) {
		t.Errorf("λ = 1e4: %g, want about %g", got, 1e4+142.36)
	}
	// A huge λ (a million-token prompt in 1-token chunks) stays cheap and
	// right; a cap below the mean is the cap.
	if got := poissonMaxMean(1e6, 8, 0); !near(got, 1e6+1000*1.4236, 1e-4) {
		t.Errorf("λ = 1e6: %g, want about %g", got, 1e6+1423.6)
	}
	if got := poissonMaxMean(1e6, 8, 3); got != 3 {
		t.Errorf("λ = 1e6 capped at 3: %g, want 3", got)
	}
	// A fractional cap takes that share of the next term: E[min(M, 1.5)] =
	// P(M > 0) + 0.5·P(M > 1). At λ = 0.5, d = 8: F(0) = e^-0.5 = 0.606531,
	// F(0)^8 = e^-4 = 0.018316; F(1) = 1.5·e^-0.5 = 0.909796, F(1)^8 =
	// 0.469410; so 0.981684 + 0.5·0.530590 = 1.246979.
	if got := poissonMaxMean(0.5, 8, 1.5); !near(got, 1.246979, 1e-5) {
		t.Errorf("capped at 1.5: %g, want 1.246979", got)
	}
	// ... and moves with the cap without a step at a whole piece: over
	// 0.002 of a piece, at most 0.002 (the slope is P(M > 3) ≤ 1).
	lo, hi := poissonMaxMean(2.5, 8, 3.999), poissonMaxMean(2.5, 8, 4.001)
	if d := hi - lo; d < 0 || d > 0.002 {
		t.Errorf("cap 3.999 → 4.001: %g → %g, want a continuous rise", lo, hi)
	}
	if a, b := poissonMaxMean(2.5, 8, 3), poissonMaxMean(2.5, 8, 4); !near(poissonMaxMean(2.5, 8, 3.25), 0.75*a+0.25*b, 1e-12) {
		t.Errorf("cap 3.25 is not a quarter of the way from cap 3 (%g) to cap 4 (%g)", a, b)
	}
}

// TensorRT-LLM's ADP Balance post (tech blog 10): DeepSeek-V3 on 8 GB200,
// attention DP 8 and EP 8, max_batch_size 512 and max_num_tokens 4678 per
// rank, requests of 803 prompt and 3654 output tokens on average, the
// baseline scheduler: average balance ratio 54.11 % measured. chipgap's
// colocated step at 512 sequences per group (colocated.go): the instance
// starts λ = 4096/3654 = 1.12096 prompts a step, each whole in one piece
// (803 tokens, within the 4678 − 512 the budget leaves); no prompt with
// probability e^−λ = 0.32596, else on average λ/(1 − e^−λ) = 1.66305 of
// them: one in a share 0.67404·0.33695 = 0.22712 of the steps, two in
// 0.67404·0.66305 = 0.44692. The busiest group holds the one prompt
// (⌈1/8⌉·8 = 8 times the mean, above the Poisson maximum's
// 0.69064/0.125 = 5.525), or of two the Poisson maximum of 8 Poisson(0.25)
// counts, 1.07630, over 0.25 = 4.3052 times the mean. The balance ratio
// is the mean tokens, 4096 + 4096·803/3654 = 4996.14, over the busiest
// group's times 8, 4096 + 0.22712·803·8 + 0.44692·1606·4.3052 = 8645.0:
// 0.5779.
func TestADPBalanceBlog(t *testing.T) {
	d := moeDeployment()
	d.Cluster.Chip.HBM.Capacity = hardware.Fixed(4000 * units.GB)
	d.Parallel = Parallel{EP: 8, TP: 1}
	d.Profile.MaxTokens = 4678
	pts, err := Curve(d, Colocated, Workload{Input: 803, Output: 3654}, SLO{}, []int{4096})
	if err != nil {
		t.Fatal(err)
	}
	st := pts[0].Step
	if !near(st.ADPBalance, 0.5779, 1e-3) {
		t.Errorf("balance ratio %.4f, want 0.5779 worked by hand", st.ADPBalance)
	}
	if math.Abs(st.ADPBalance-0.5411) > 0.05 {
		t.Errorf("balance ratio %.4f, want within 0.05 of the 0.5411 the blog measured", st.ADPBalance)
	}
	if st.ADPWait <= 0 || st.ADPWait >= st.Time {
		t.Errorf("ADP wait %v of a %v step, want a positive part of it", st.ADPWait, st.Time)
	}
	// Routed experts see every group's tokens, not the busiest group's:
	// the hottest device's rows are T × 8 experts / 256 times the
	// sampling spread of T × 8 / 8 copies a device, 1 + √(2·ln 8 / T),
	// over the three kinds of step above: T = 4096 (no prompt, share
	// 0.32596), 4899 (one, 0.22712) and 5702 (two, 0.44692); 132.08,
	// 157.56 and 182.99 rows, 160.62 on average (no balancer factor: the
	// profile's is 1).
	want := 0.0
	for _, k := range []struct{ tok, share float64 }{{4096, math.Exp(-4096.0 / 3654)}, {4096 + 803, 0.22712}, {4096 + 1606, 0.44692}} {
		want += k.share * k.tok * 8 / 256 * (1 + math.Sqrt(2*math.Log(8)/k.tok))
	}
	if !near(st.MoE.RowsPerExpert, want, 1e-4) {
		t.Errorf("rows per expert %g, want the hottest device's %g", st.MoE.RowsPerExpert, want)
	}
	// Attention TP over the same 8 devices: one group, nothing to wait for.
	d.Parallel = Parallel{EP: 8, TP: 8}
	pts, err = Curve(d, Colocated, Workload{Input: 803, Output: 3654}, SLO{}, []int{512})
	if err != nil {
		t.Fatal(err)
	}
	if st := pts[0].Step; st.ADPBalance != 0 || st.ADPWait != 0 {
		t.Errorf("one attention group: balance %g, wait %v, want none", st.ADPBalance, st.ADPWait)
	}
	// Decode-only instances get no new prompts: nothing to wait for.
	d.Parallel = Parallel{EP: 8, TP: 1}
	pts, err = Curve(d, Decode, Workload{Input: 803, Output: 3654}, SLO{}, []int{4096})
	if err != nil {
		t.Fatal(err)
	}
	if st := pts[0].Step; st.ADPBalance != 0 {
		t.Errorf("decode mode: balance %g, want none", st.ADPBalance)
	}
}

// Chunks that name their attention group: the busiest group's prompt
// tokens over the mean. Eight groups, 2000 prompt tokens: both chunks on
// group 0 → 2000/(2000/8) = 8; on groups 0 and 9 (= 1) → 1000/250 = 4.
func TestGroupedChunks(t *testing.T) {
	d := moeDeployment()
	d.Parallel = Parallel{EP: 8, TP: 1}
	dec := make([]int, 64)
	for i := range dec {
		dec[i] = 1000
	}
	step := func(g1, g2 int, grouped bool) StepResult {
		t.Helper()
		r, err := StepTime(d, Batch{Decode: dec, Grouped: grouped,
			Prefill: []Chunk{{Tokens: 1000, Group: g1}, {Tokens: 1000, Group: g2}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	even, same, apart := step(0, 0, false), step(0, 0, true), step(0, 9, true)
	// Balance ratio = (decode + prompt tokens)/(decode + prompt × skew).
	for _, c := range []struct {
		name string
		r    StepResult
		skew float64
	}{{"same group", same, 8}, {"groups 0 and 1", apart, 4}} {
		want := (64 + 2000) / (64 + 2000*c.skew)
		if !near(c.r.ADPBalance, want, 1e-12) {
			t.Errorf("%s: balance %.6f, want %.6f (skew %g)", c.name, c.r.ADPBalance, want, c.skew)
		}
		if !near(float64(c.r.ADPWait), float64(c.r.Time-even.Time), 1e-9) || c.r.ADPWait <= 0 {
			t.Errorf("%s: wait %v, want the step's %v over the even %v", c.name, c.r.ADPWait, c.r.Time, even.Time)
		}
	}
	if !(same.Time > apart.Time && apart.Time > even.Time) {
		t.Errorf("steps: same group %v, groups 0 and 1 %v, even %v: want decreasing", same.Time, apart.Time, even.Time)
	}
	if even.ADPBalance != 0 {
		t.Errorf("ungrouped batch: balance %g, want none", even.ADPBalance)
	}
}

// BestServing keeps the better of colocated and disaggregated serving,
// per chip over every chip serving. DeepSeek-V3 over 8 devices with
// attention DP at 4096 in / 1024 out: colocated steps wait for the group
// that prefills, so split pools win by far (1,733 vs 288 tokens/s per
// chip when written); with one attention group (TP 8) there is no wait
// and the margin is small (473 vs 403). Either way the answer is the
// larger of the two, computed here directly.
func TestBestServing(t *testing.T) {
	w, slo := Workload{Input: 4096, Output: 1024}, SLO{TPOT: 0.1}
	for _, p := range []Parallel{{EP: 8, TP: 1}, {EP: 8, TP: 8}} {
		d := moeDeployment()
		d.Parallel = p
		s, err := BestServing(d, w, slo)
		if err != nil {
			t.Fatal(err)
		}
		col, errC := Best(d, Colocated, w, slo)
		dis, errD := Disaggregate(d, d, w, slo)
		if errC != nil || errD != nil {
			t.Fatalf("%+v: colocated %v, disaggregated %v", p, errC, errD)
		}
		want, mode := col.OutputPerChip, "colocated"
		if dis.OutputPerChip > want {
			want, mode = dis.OutputPerChip, "disaggregated"
		}
		if s.OutputPerChip != want || s.Mode() != mode {
			t.Errorf("%+v: %s %g per chip, want %s %g (colocated %g, disaggregated %g)", p, s.Mode(), s.OutputPerChip, mode, want, col.OutputPerChip, dis.OutputPerChip)
		}
		if s.Disaggregated && (s.Disagg == nil || s.Point.Batch != dis.Decode.Batch) {
			t.Errorf("%+v: disaggregated without its pools or the decode pool's point", p)
		}
		t.Logf("%+v: %s, colocated %.0f, disaggregated %.0f tokens/s per chip", p, s.Mode(), col.OutputPerChip, dis.OutputPerChip)
	}
	if _, err := BestServing(moeDeployment(), Workload{Input: 0, Output: 10}, slo); err == nil {
		t.Error("a bad workload: no error")
	}
}

// Uniform lengths all queued at once (an offline benchmark): the groups
// refill in lockstep, so the colocated step waits for no busiest group.
// At 1024 sequences of 1024 + 2048 tokens the instance starts 0.5
// prompts a step, whole (no per-pass budget), a round of 8 (one a group)
// at a time: one step in 16 carries a prompt on every group, the others
// only decode. The mean step is theirs in those shares, each the step of
// that batch (StepTime): 1024 sequences at the mean context of 1024 +
// 2048/2 tokens, and with the round of 8 prompts.
func TestUniformLengthsNoWait(t *testing.T) {
	d := moeDeployment()
	d.Cluster.Chip.HBM.Capacity = hardware.Fixed(4000 * units.GB)
	d.Parallel = Parallel{EP: 8, TP: 1}
	w := Workload{Input: 1024, Output: 2048}
	mixed, err := Curve(d, Colocated, w, SLO{}, []int{1024})
	if err != nil {
		t.Fatal(err)
	}
	w.Uniform = true
	uni, err := Curve(d, Colocated, w, SLO{}, []int{1024})
	if err != nil {
		t.Fatal(err)
	}
	m, u := mixed[0].Step, uni[0].Step
	if u.ADPBalance != 0 || u.ADPWait != 0 || m.ADPWait <= 0 {
		t.Fatalf("uniform: balance %g, wait %v; mixed wait %v: want no wait only for uniform", u.ADPBalance, u.ADPWait, m.ADPWait)
	}
	dec := make([]int, 1024)
	for i := range dec {
		dec[i] = 1024 + 2048/2
	}
	decode, err := StepTime(d, Batch{Decode: dec})
	if err != nil {
		t.Fatal(err)
	}
	round := Batch{Decode: dec, Grouped: true}
	for g := range 8 {
		round.Prefill = append(round.Prefill, Chunk{Tokens: 1024, Group: g})
	}
	prompts, err := StepTime(d, round)
	if err != nil {
		t.Fatal(err)
	}
	if want := 15.0/16*float64(decode.Time) + 1.0/16*float64(prompts.Time); !near(float64(u.Time), want, 1e-9) {
		t.Errorf("uniform step %v, want 15/16 of %v and 1/16 of %v = %.6g s", u.Time, decode.Time, prompts.Time, want)
	}
}

// powInt agrees with math.Pow on integer exponents (the squaring loop's
// odd and even bits, and n = 0).
func TestPowInt(t *testing.T) {
	for _, c := range []struct {
		x float64
		n int
	}{{0.9, 0}, {0.9, 1}, {0.9, 2}, {0.9, 7}, {0.5, 8}, {0.999, 1023}, {0, 3}, {1, 64}} {
		if got, want := powInt(c.x, c.n), math.Pow(c.x, float64(c.n)); !near(got, want, 1e-12) {
			t.Errorf("powInt(%v, %d) = %v, want %v", c.x, c.n, got, want)
		}
	}
}
