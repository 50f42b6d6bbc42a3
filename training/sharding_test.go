package training

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/units"
)

// A stack whose gradient and weight sharding excludes pipeline parallelism
// (Megatron-FSDP) refuses ZeRO 2–3 with PP > 1, naming the field, and its
// search never returns such a plan; ZeRO 1 with PP and ZeRO 3 without it
// stay allowed.
func TestShardingExcludesPP(t *testing.T) {
	prof := ideal()
	prof.ShardingExcludesPP = p(1)
	job := Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.BF16}
	c := testCluster(16)
	pl := parallel.Plan{TP: 1, PP: 2, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 2}
	_, err := Estimate(gpt13, pl, c, prof, job)
	if err == nil || !strings.Contains(err.Error(), "zero") || !strings.Contains(err.Error(), "pp 1") {
		t.Errorf("ZeRO 2 with PP 2: err %v, want a refusal naming zero and pp 1", err)
	}
	for _, ok := range []parallel.Plan{{TP: 1, PP: 2, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 1},
		{TP: 1, PP: 1, DP: 16, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 3}} {
		if _, err := Estimate(gpt13, ok, c, prof, job); err != nil {
			t.Errorf("plan %s: %v", ok, err)
		}
	}
	res, err := Search(gpt13, c, prof, job, SearchOptions{Top: 1000})
	if err != nil {
		t.Fatal(err)
	}
	sharded := 0
	for _, r := range res.Top {
		if r.Plan.ZeRO >= 2 && r.Plan.PP > 1 {
			t.Errorf("search kept %s", r.PlanText)
		}
		if r.Plan.ZeRO >= 2 {
			sharded++
		}
	}
	if sharded == 0 {
		t.Error("search kept no ZeRO 2-3 plan at all (they stay allowed without PP)")
	}
}

// ZeRO 3 gathers a micro-batch's weights twice, for the forward and for
// the backward, whether or not the layer is recomputed: the recomputed
// forward runs inside the backward on its gather (Megatron-FSDP reshards
// after the backward under recompute). With the overlap off the exposed
// DP time is the micro-batches × (2 all-gathers of the 16-bit weights +
// 1 reduce-scatter of the gradients), the same under none and full.
func TestZeRO3GathersTwicePerMicroBatch(t *testing.T) {
	prof := ideal()
	prof.DPOverlap = p(0)
	job := Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.BF16}
	c := testCluster(16)
	for _, rc := range []parallel.Recompute{parallel.RecomputeNone, parallel.RecomputeFull} {
		pl := parallel.Plan{TP: 1, PP: 1, DP: 16, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: rc, ZeRO: 3}
		pr, err := newPrep(gpt13, c, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		dense, _ := pr.stageParams(pl)
		_, gbytes := pr.paramBytes(pl)
		g := c.Group(16, 1)
		ag := float64(c.AllGather(bytesOf(dense*2), g))
		rs := float64(c.ReduceScatter(bytesOf(dense*gbytes), g))
		mbs := float64(pl.MicroBatches(job.GlobalBatch))
		if got, want := pr.dpTime(pl, stage{}, mbs), mbs*(2*ag+rs); want <= 0 || got != want {
			t.Errorf("recompute %s: ZeRO-3 DP time %g s, want %g s (two gathers and one reduce-scatter per micro-batch)", rc, got, want)
		}
	}
}

// ZeRO 2 keeps only its shard of the gradients, so it reduce-scatters
// them after every micro-batch's backward (DeepSpeed issue #2252) and
// gathers the weights once per step; ZeRO 1 reduce-scatters the
// accumulated gradients once. Over 16 ranks (two nodes of 8, the
// hand-worked hierarchical ring of TestFP8ParamGatherHalvesTheWeightGather)
// with the overlap off: ZeRO 1 takes rs + ag, ZeRO 2 m·rs + ag for m
// micro-batches, and one micro-batch makes them equal. With overlap 0.5
// and a backward longer than the collectives, each is half exposed.
func TestZeRO2ReducesEveryMicroBatch(t *testing.T) {
	c := testCluster(16)
	job := Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.BF16}
	coll := func(bytes float64) float64 { return 7.0/8*bytes/300e9 + 1.0/2*(bytes/8)/25e9 }
	for _, ov := range []float64{0, 0.5} {
		prof := ideal()
		prof.DPOverlap = p(ov)
		pr, err := newPrep(gpt13, c, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		pl := parallel.Plan{TP: 1, PP: 1, DP: 16, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 1}
		dense, _ := pr.stageParams(pl)
		rs, ag := coll(dense*2), coll(dense*2) // ideal's 16-bit gradients and weights
		long := stage{bwd: 100}
		for _, mbs := range []float64{1, 4} {
			want1, want2 := (1-ov)*(rs+ag), (1-ov)*(mbs*rs+ag)
			pl.ZeRO = 1
			if got := pr.dpTime(pl, long, mbs); math.Abs(got-want1) > 1e-9*want1 {
				t.Errorf("overlap %g, %g micro-batches: ZeRO-1 DP time %g s, want %g s", ov, mbs, got, want1)
			}
			pl.ZeRO = 2
			if got := pr.dpTime(pl, long, mbs); math.Abs(got-want2) > 1e-9*want2 {
				t.Errorf("overlap %g, %g micro-batches: ZeRO-2 DP time %g s, want %g s", ov, mbs, got, want2)
			}
		}
	}
}

// An FP8 job on a stack that gathers FP8 weights (fp8_param_gather, as
// NeMo's and Megatron-Bridge's FP8 recipes do) moves 1 byte per weight in
// the distributed optimizer's all-gather and keeps its reduce-scatter of
// 16-bit gradients: with the overlap off, ZeRO 1's DP time is one
// reduce-scatter of 2-byte gradients plus one all-gather of 1-byte
// weights over the 16 ranks (two nodes of 8, hierarchical). Without the
// setting, or in BF16, the gather moves 2 bytes.
func TestFP8ParamGatherHalvesTheWeightGather(t *testing.T) {
	c := testCluster(16)
	c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	pl := parallel.Plan{TP: 1, PP: 1, DP: 16, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 1}
	for _, tc := range []struct {
		prec   hardware.Precision
		gather float64
		wbytes float64
	}{{hardware.FP8, 1, 1}, {hardware.FP8, 0, 2}, {hardware.BF16, 1, 2}} {
		prof := ideal()
		prof.DPOverlap = p(0)
		prof.FP8ParamGather = p(tc.gather)
		job := Job{Seq: 2048, GlobalBatch: 64, Precision: tc.prec}
		pr, err := newPrep(gpt13, c, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		dense, _ := pr.stageParams(pl)
		// Hand-worked hierarchical collectives: inside the node a ring
		// over 8 at 300 GB/s, across the two nodes a ring over 2 at
		// 25 GB/s on the 1/8 shard each rank's NIC carries.
		coll := func(bytes float64) float64 { return 7.0/8*bytes/300e9 + 1.0/2*(bytes/8)/25e9 }
		want := coll(dense*2) + coll(dense*tc.wbytes)
		if got := pr.dpTime(pl, stage{}, 64); math.Abs(got-want) > 1e-9*want {
			t.Errorf("%s, fp8_param_gather %g: ZeRO-1 DP time %g s, want %g s (gradients at 2 bytes, weights at %g)", tc.prec, tc.gather, got, want, tc.wbytes)
		}
	}
}

// The answer says when the weight gathers moved FP8 weights: an FP8 job
// on a stack with fp8_param_gather, on a plan that gathers weights (ZeRO
// 1-3 over more than one data-parallel rank); not in BF16, not without
// the setting, not at ZeRO 0 or on one data-parallel rank.
func TestResultSaysFP8WeightGather(t *testing.T) {
	c := testCluster(16)
	c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	z1 := parallel.Plan{TP: 1, PP: 1, DP: 16, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 1}
	z0, tp16 := z1, z1
	z0.ZeRO = 0
	tp16.TP, tp16.DP = 16, 1
	for _, tc := range []struct {
		prec   hardware.Precision
		gather float64
		pl     parallel.Plan
		want   bool
	}{{hardware.FP8, 1, z1, true}, {hardware.FP8, 0, z1, false}, {hardware.BF16, 1, z1, false}, {hardware.FP8, 1, z0, false}, {hardware.FP8, 1, tp16, false}} {
		prof := ideal()
		prof.FP8ParamGather = p(tc.gather)
		r, err := Estimate(gpt13, tc.pl, c, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: tc.prec})
		if err != nil {
			t.Fatalf("%s %s: %v", tc.prec, tc.pl, err)
		}
		if r.FP8WeightGather != tc.want {
			t.Errorf("%s, fp8_param_gather %g, %s: FP8WeightGather %v, want %v", tc.prec, tc.gather, tc.pl, r.FP8WeightGather, tc.want)
		}
	}
}

// The block-wise FP8 recipe runs the GEMMs at the stack's block-wise rate
// for the chip's family, times the per-tensor one, and gathers 16-bit
// weights; MXFP8 keeps the per-tensor rate and gathers 16-bit weights
// too; a stated per-tensor recipe is the default.
func TestFP8RecipeRatesAndGathers(t *testing.T) {
	c := testCluster(16)
	c.Chip.Architecture = "Blackwell"
	c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	prof := ideal()
	prof.FP8Max = p(0.6)
	prof.FamilyFP8Blockwise = map[string]Param{"blackwell": p(0.8)}
	prof.FP8ParamGather = p(1)
	for _, tc := range []struct {
		recipe string
		matMax float64
		gather float64
	}{{"", 0.6, 1}, {FP8Tensorwise, 0.6, 1}, {FP8Delayed, 0.6, 1}, {FP8Blockwise, 0.48, 2}, {FP8MX, 0.6, 2}} {
		pr, err := newPrep(gpt13, c, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.FP8, FP8Recipe: tc.recipe})
		if err != nil {
			t.Fatalf("%q: %v", tc.recipe, err)
		}
		if math.Abs(pr.matMax-tc.matMax) > 1e-12 || pr.gatherBytes() != tc.gather {
			t.Errorf("recipe %q: GEMM ceiling %g, gather %g bytes; want %g and %g", tc.recipe, pr.matMax, pr.gatherBytes(), tc.matMax, tc.gather)
		}
	}
	// The slower GEMMs lengthen the step, by at most their own factor.
	pl := parallel.Plan{TP: 1, PP: 1, DP: 16, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 0}
	tw, err := Estimate(gpt13, pl, c, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.FP8})
	if err != nil {
		t.Fatal(err)
	}
	bw, err := Estimate(gpt13, pl, c, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.FP8, FP8Recipe: FP8Blockwise})
	if err != nil {
		t.Fatal(err)
	}
	if r := float64(bw.StepTime) / float64(tw.StepTime); !(r > 1.05 && r <= 1/0.8+1e-9) || bw.FP8Recipe != FP8Blockwise {
		t.Errorf("block-wise step %v over per-tensor %v = %.3f, recipe %q; want in (1.05, 1.25] and blockwise", bw.StepTime, tw.StepTime, r, bw.FP8Recipe)
	}
}

// A recipe the chip or stack cannot run, or one stated for a job that is
// not FP8, is a bad input naming fp8_recipe.
func TestFP8RecipeRefusals(t *testing.T) {
	hopper := testCluster(8)
	hopper.Chip.Architecture = "Hopper (GH100)"
	hopper.Chip.Peak[hardware.FP8] = hardware.Fixed(1979 * units.TFLOPS)
	blackwell := testCluster(8)
	blackwell.Chip.Architecture = "Blackwell"
	blackwell.Chip.Peak[hardware.FP8] = hardware.Fixed(4500 * units.TFLOPS)
	prof := ideal()
	prof.FamilyFP8Blockwise = map[string]Param{"hopper": p(0.835)}
	for _, tc := range []struct {
		c      hardware.Cluster
		prec   hardware.Precision
		recipe string
		want   string
	}{
		{hopper, hardware.FP8, FP8MX, "MXFP8 needs Blackwell"},
		{blackwell, hardware.FP8, FP8Blockwise, "no block-wise FP8 rate for Blackwell chips such as test (measured for: hopper)"},
		{hopper, hardware.BF16, FP8Blockwise, "applies to precision fp8 only (the job's is bf16)"},
		{hopper, hardware.FP8, "e4m3", "want tensorwise or delayed"},
	} {
		_, err := newPrep(gpt13, tc.c, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: tc.prec, FP8Recipe: tc.recipe})
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != "fp8_recipe" || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s %q: error %v; want an input error on fp8_recipe with %q", tc.c.Chip.Architecture, tc.prec, tc.recipe, err, tc.want)
		}
	}
	if _, err := newPrep(gpt13, hopper, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.FP8, FP8Recipe: FP8Blockwise}); err != nil {
		t.Errorf("block-wise on Hopper with a Hopper rate: %v", err)
	}
}

// With ShardUnsplit and ShardMaxActive (MindSpeed-LLM's fully sharded
// recipes run FSDP without TP or PP, for models up to Qwen3-32B), ZeRO 3
// is within practice only at TP 1 and PP 1 and only up to 33 B active
// parameters; the gap names which rule a plan breaks, ZeRO 1 stays within
// practice at any split, every plan still runs, and without the rules
// every ZeRO 3 plan is in practice.
func TestShardUnsplitPractice(t *testing.T) {
	prof := ideal()
	prof.CPMinTokens, prof.EPMin, prof.ShardUnsplit, prof.ShardMaxActive = p(0), p(0), p(1), p(33e9)
	// Llama 2 70B-like: 68.98 B parameters (TestLargeModelTPPractice).
	big := llm.Model{Name: "70b", Layers: 80, Hidden: 8192, Heads: 64, KVHeads: 8, FFN: 28672, Vocab: 32000, Act: llm.SwiGLU, Attention: llm.GQA}
	// Llama 2 7B-like: 32 layers, h 4096, 32 heads, FFN 11008, V 32000:
	// 6.74 B parameters.
	small := llm.Model{Name: "7b", Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 32, FFN: 11008, Vocab: 32000, Act: llm.SwiGLU, Attention: llm.MHA}
	cs, cb := NewPracticeCase(small, 4096, 8), NewPracticeCase(big, 4096, 8)
	if cs.Active < 6.6e9 || cs.Active > 6.9e9 {
		t.Fatalf("7B active parameters %g, want about 6.74e9", cs.Active)
	}
	for _, k := range []struct {
		c          PracticeCase
		tp, pp, z  int
		want       bool
		gapContain string
	}{
		{cs, 1, 1, 3, true, ""},
		{cs, 2, 1, 3, false, "TP 1 and PP 1"},
		{cs, 1, 2, 3, false, "TP 1 and PP 1"},
		{cs, 2, 1, 1, true, ""},
		{cb, 1, 1, 3, false, "above the 33 B"},
		{cb, 8, 4, 1, true, ""},
		{cb, 8, 1, 3, false, "TP 1 and PP 1"},
	} {
		pl := parallel.Plan{TP: k.tp, PP: k.pp, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: k.z}
		gap := prof.PracticeGap(pl, k.c)
		if prof.InPractice(pl, k.c) != k.want || (gap == "") != k.want || !strings.Contains(gap, k.gapContain) {
			t.Errorf("%.3g B tp %d pp %d zero %d: in practice %v, gap %q; want %v (%q)", k.c.Active/1e9, k.tp, k.pp, k.z, prof.InPractice(pl, k.c), gap, k.want, k.gapContain)
		}
	}
	prof.ShardUnsplit, prof.ShardMaxActive = p(0), p(0)
	for _, pl := range []parallel.Plan{{TP: 8, PP: 1, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: 3}, {TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: 3}} {
		if !prof.InPractice(pl, cb) {
			t.Errorf("without the rules %v must be in practice", pl)
		}
	}
}

// practiceRuleCase is one plan a practice rule judges: whether it is in
// practice and, if not, what its gap must say.
type practiceRuleCase struct {
	name string
	pl   parallel.Plan
	want bool
	gap  string
}

// checkPracticeRule checks each case's InPractice and PracticeGap
// against the case, and that practice never refuses a plan (Supports).
func checkPracticeRule(t *testing.T, prof Profile, c PracticeCase, cases []practiceRuleCase) {
	t.Helper()
	for _, k := range cases {
		gap := prof.PracticeGap(k.pl, c)
		if prof.InPractice(k.pl, c) != k.want || (gap == "") != k.want || (!k.want && !strings.Contains(gap, k.gap)) {
			t.Errorf("%s: in practice %v, gap %q; want %v (%q)", k.name, prof.InPractice(k.pl, c), gap, k.want, k.gap)
		}
		if err := prof.Supports(k.pl); err != nil {
			t.Errorf("%s: %v; practice must not refuse a plan", k.name, err)
		}
	}
}

// flatPlan is a data-parallel plan over 8 devices with pp stages at
// ZeRO stage z.
func flatPlan(pp, z int) parallel.Plan {
	return parallel.Plan{TP: 1, PP: pp, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: z}
}

// With NoPPPractice (no MaxText benchmark configuration pipelines) a plan
// with PP > 1 is outside practice and the gap says so; PP 1 stays within
// it, the pipelined plan still runs, and without the rule it is in
// practice.
func TestNoPPPractice(t *testing.T) {
	prof := ideal()
	prof.CPMinTokens, prof.EPMin, prof.NoPPPractice = p(0), p(0), p(1)
	c := PracticeCase{Seq: 4096}
	var cases []practiceRuleCase
	for pp, want := range map[int]bool{1: true, 2: false, 8: false} {
		cases = append(cases, practiceRuleCase{fmt.Sprintf("pp %d", pp), flatPlan(pp, 1), want, "never pipeline"})
	}
	checkPracticeRule(t, prof, c, cases)
	prof.NoPPPractice = p(0)
	if !prof.InPractice(flatPlan(8, 1), c) {
		t.Error("without the rule PP 8 must be in practice")
	}
}

// With NoVPPPractice (ModelLink's example scripts before 2024-05-27 never
// interleave) a pipelined plan with virtual stages is outside practice and
// the gap names them; plain 1F1B stays within it, the interleaved plan
// still runs where the schedule exists, and without the rule it is in
// practice.
func TestNoVPPPractice(t *testing.T) {
	prof := ideal()
	prof.CPMinTokens, prof.EPMin, prof.NoVPPPractice = p(0), p(0), p(1)
	c := PracticeCase{Seq: 4096}
	vpp := func(v int) parallel.Plan {
		pl := flatPlan(4, 1)
		pl.VPP = v
		return pl
	}
	var cases []practiceRuleCase
	for v, want := range map[int]bool{1: true, 2: false, 8: false} {
		cases = append(cases, practiceRuleCase{fmt.Sprintf("vpp %d", v), vpp(v), want, fmt.Sprintf("interleaves %d virtual stages", v)})
	}
	checkPracticeRule(t, prof, c, cases)
	if !prof.Allows(vpp(2)) {
		t.Error("the rule is practice: an interleaved plan must still run")
	}
	prof.NoVPPPractice = p(0)
	if !prof.InPractice(vpp(8), c) {
		t.Error("without the rule VPP 8 must be in practice")
	}
}

// With PracticeMaxZeRO 1 (Intel's Megatron-DeepSpeed examples for Gaudi
// shard at ZeRO 0 or 1) a ZeRO 2 or 3 plan is outside practice and the gap
// names its stage; ZeRO 0 and 1 stay within it, the deeper plans still
// run, and at 3 (no rule) every stage is in practice.
func TestPracticeMaxZeRO(t *testing.T) {
	prof := ideal()
	prof.CPMinTokens, prof.EPMin, prof.PracticeMaxZeRO = p(0), p(0), p(1)
	c := PracticeCase{Seq: 8192}
	var cases []practiceRuleCase
	for z, want := range map[int]bool{0: true, 1: true, 2: false, 3: false} {
		cases = append(cases, practiceRuleCase{fmt.Sprintf("zero %d", z), flatPlan(1, z), want, fmt.Sprintf("ZeRO %d, deeper than the ZeRO 1", z)})
	}
	checkPracticeRule(t, prof, c, cases)
	prof.PracticeMaxZeRO = p(3)
	if !prof.InPractice(flatPlan(1, 3), c) {
		t.Error("without the rule ZeRO 3 must be in practice")
	}
}
