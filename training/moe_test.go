package training

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/units"
)

// tinyMoE: 4 layers (1 dense), h 1024, 16 heads, 8 experts of ffn 512,
// 2 active, 1 shared, SwiGLU, vocab 32000, untied.
var tinyMoE = llm.Model{Name: "moe", Layers: 4, Hidden: 1024, Heads: 16, KVHeads: 16, FFN: 4096, Vocab: 32000,
	Act: llm.SwiGLU, Attention: llm.MHA, MoE: &llm.MoEConfig{Experts: 8, Active: 2, Shared: 1, ExpertFFN: 512, DenseLayers: 1}}

// Parameters per device: attention 4h² per layer; the dense MLP 3·h·ffn;
// each MoE layer a router h·E, a shared expert 3·h·512 and 8 experts of
// 3·h·512, the experts split over EP; plus embedding and head h·V each.
func TestMoEParamsSplitOverEP(t *testing.T) {
	pr, err := newPrep(tinyMoE, testCluster(8), ideal(), Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16})
	if err != nil {
		t.Fatal(err)
	}
	h := 1024.0
	attn := 4 * h * h
	dense := attn + 3*h*4096
	moe := attn + h*8 + 3*h*512
	expert := 8 * 3 * h * 512
	for _, ep := range []int{1, 4, 8} {
		pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: ep, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull}
		d, e := pr.stageParams(pl)
		wantD := dense + 3*moe + 2*h*32000
		wantE := 3 * expert / float64(ep)
		if math.Abs(d/wantD-1) > 1e-12 || math.Abs(e/wantE-1) > 1e-12 {
			t.Errorf("ep %d: params = %.0f dense + %.0f expert, want %.0f + %.0f", ep, d, e, wantD, wantE)
		}
	}
}

// Context parallelism splits the sequence: a layer's activations per
// device halve from CP 1 to CP 2 (t = mb·seq/CP), with fused attention.
func TestCPHalvesActivations(t *testing.T) {
	prof := ideal()
	prof.FlashAttention = p(1)
	pr, _ := newPrep(gpt13, testCluster(8), prof, Job{Seq: 8192, GlobalBatch: 8, Precision: hardware.BF16})
	one := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	two := one
	two.DP, two.CP = 4, 2
	a1, a2 := pr.actParts(one), pr.actParts(two)
	if math.Abs(a2.keep/a1.keep-0.5) > 1e-12 {
		t.Errorf("per-layer activations CP 2 / CP 1 = %g, want 0.5", a2.keep/a1.keep)
	}
}

// FP8 runs the GEMMs at the FP8 peak: with ideal efficiency a big GEMM
// takes half the BF16 time on a chip whose FP8 peak is twice its BF16.
func TestFP8UsesFP8Peak(t *testing.T) {
	c := testCluster(1)
	c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	bf, _ := newPrep(gpt13, c, ideal(), Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.BF16})
	f8, _ := newPrep(gpt13, c, ideal(), Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.FP8})
	f := 2 * 8192.0 * 8192 * 8192
	if got := f8.gemmTime(f, 0) / bf.gemmTime(f, 0); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("fp8/bf16 GEMM time = %g, want 0.5", got)
	}
}

// Transformer Engine's grouped GEMM issues one call per local expert over
// expert_gemm_streams streams: with a fixed cost t0 per call, the 8 local
// experts of tinyMoE (EP 1) on 4 streams pay 2 waves × t0 per expert
// GEMM where one stream pays 8 × t0; each MoE layer has 2 expert GEMMs
// (fc1 with SwiGLU's gate and up fused, fc2), so its forward saves
// 2·(8 − 2)·t0. The ideal profile's memory bound is far below these
// GEMMs' compute time.
func TestExpertGEMMStreams(t *testing.T) {
	t0 := 1e-5
	expert := func(streams float64) float64 {
		prof := ideal()
		prof.MatmulFixed, prof.ExpertGEMMStreams = p(t0), p(streams)
		pr, err := newPrep(tinyMoE, testCluster(8), prof, Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16})
		if err != nil {
			t.Fatal(err)
		}
		pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
		k := pr.kinds[len(pr.kinds)-1]
		return pr.layerForward(&k, pl, 1024).expert
	}
	one, four := expert(1), expert(4)
	if got, want := one-four, 2*(8-2)*t0; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("4 streams save %.4g s of expert GEMM time per layer forward, want %.4g s", got, want)
	}
	if got := expert(16); math.Abs(got/expert(8)-1) > 1e-12 {
		t.Errorf("more streams than local experts: %g s, want the 8-stream time %g s", got, expert(8))
	}
}

// MoE parallel folding (Megatron-Core, arXiv 2504.14960): with TP 2 and
// ETP 1 the 8 experts spread over EP 8 ranks of the 2·4 devices, one
// unsplit expert each, while attention and the dense MLP split over TP 2.
func TestFoldedExpertsSplitOverETPTimesEP(t *testing.T) {
	pr, err := newPrep(tinyMoE, testCluster(8), ideal(), Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16})
	if err != nil {
		t.Fatal(err)
	}
	h := 1024.0
	pl := parallel.Plan{TP: 2, PP: 1, DP: 4, CP: 1, EP: 8, ETP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull}
	if err := pl.Validate(pr.problem()); err != nil {
		t.Fatal(err)
	}
	_, e := pr.stageParams(pl)
	if want := 3 * 8 * 3 * h * 512 / 8; math.Abs(e/want-1) > 1e-12 {
		t.Errorf("expert params per device %.0f, want %.0f (one whole expert per MoE layer)", e, want)
	}
	// Each device's expert GEMMs see all the tokens routed to its expert:
	// t·active·EP·ETP/(E·TP) rows = 1024·2·8/(8·2) = 1024.
	if _, err := Estimate(tinyMoE, pl, testCluster(8), ideal(), Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16}); err != nil {
		t.Errorf("folded plan: %v", err)
	}
}

// A MoE layer keeps its routed experts' input, each token's active
// dispatched copies (tinyMoE: 2 × 1024 elements), for the up-projection's
// weight gradient: 2 bytes each in 16-bit runs, the 8-bit copy under FP8.
// Its forward also moves MoECopyBytes per element of those copies.
func TestRoutedCopiesInMemoryAndTraffic(t *testing.T) {
	for _, c := range []struct {
		prec hardware.Precision
		want float64
	}{{hardware.BF16, 2 * 2 * 1024}, {hardware.FP8, 1 * 2 * 1024}} {
		cl := testCluster(8)
		cl.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
		prof := ideal()
		pr, err := newPrep(tinyMoE, cl, prof, Job{Seq: 1024, GlobalBatch: 8, Precision: c.prec})
		if err != nil {
			t.Fatal(err)
		}
		base := pr.kinds[len(pr.kinds)-1]
		if base.routedIn != c.want {
			t.Errorf("%s: routed input %g bytes per token, want %g", c.prec, base.routedIn, c.want)
		}
		prof.MoECopyBytes = p(8)
		pr, _ = newPrep(tinyMoE, cl, prof, Job{Seq: 1024, GlobalBatch: 8, Precision: c.prec})
		if got, want := pr.kinds[len(pr.kinds)-1].memSplit-base.memSplit, 8*2*1024.0; got != want {
			t.Errorf("%s: copy traffic %g bytes per token, want %g", c.prec, got, want)
		}
	}
}

// Published practice shards the routed experts over at least
// min(EPMin, experts) ranks; dense models and EPMin 0 have no rule.
func TestExpertParallelPractice(t *testing.T) {
	prof := ideal()
	prof.CPMinTokens, prof.EPMin = p(0), p(8)
	for _, c := range []struct {
		ep, experts int
		want        bool
	}{{4, 256, false}, {8, 256, true}, {4, 4, true}, {2, 4, false}, {1, 0, true}} {
		pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: c.ep, VPP: 1, Microbatch: 1}
		if got := prof.InPractice(pl, PracticeCase{Seq: 4096, Experts: c.experts}); got != c.want {
			t.Errorf("ep %d, %d experts: in practice %v, want %v", c.ep, c.experts, got, c.want)
		}
		if gap := prof.PracticeGap(pl, PracticeCase{Seq: 4096, Experts: c.experts}); (gap == "") != c.want {
			t.Errorf("ep %d, %d experts: gap %q", c.ep, c.experts, gap)
		}
	}
	prof.EPMin = p(0)
	if !prof.InPractice(parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1}, PracticeCase{Seq: 4096, Experts: 256}) {
		t.Error("EPMin 0 must leave every EP in practice")
	}
}

// With TPFillsNode, a dense model pipelined over nodes is in practice
// only when TP × CP covers the node (Narayanan et al. 2021, Takeaway #1):
// GPT-3 175B (96 heads) on 8-GPU nodes at TP4 PP24 is out, TP8 PP12 in;
// without pipelining, MoE models, heads that cannot split over the node
// and the rule off leave every TP in practice.
func TestTensorParallelFillsNodePractice(t *testing.T) {
	prof := ideal()
	prof.CPMinTokens, prof.EPMin, prof.TPFillsNode = p(0), p(0), p(1)
	dense := PracticeCase{Seq: 2048, Heads: 96, Node: 8}
	for _, c := range []struct {
		tp, pp, cp int
		c          PracticeCase
		want       bool
	}{
		{4, 24, 1, dense, false},
		{8, 12, 1, dense, true},
		{4, 12, 2, dense, true}, // TP × CP fills the node
		{4, 1, 1, dense, true},  // no pipeline: no rule
		{2, 8, 1, PracticeCase{Seq: 4096, Experts: 128, Heads: 64, Node: 8}, true}, // MoE: no rule
		{4, 8, 1, PracticeCase{Seq: 2048, Heads: 20, Node: 8}, true},               // 20 heads do not split 8 ways
	} {
		pl := parallel.Plan{TP: c.tp, PP: c.pp, DP: 1, CP: c.cp, EP: 1, VPP: 1, Microbatch: 1}
		if got := prof.InPractice(pl, c.c); got != c.want {
			t.Errorf("tp %d pp %d cp %d %+v: in practice %v, want %v", c.tp, c.pp, c.cp, c.c, got, c.want)
		}
		if gap := prof.PracticeGap(pl, c.c); (gap == "") != c.want || (!c.want && !strings.Contains(gap, "node's 8 devices")) {
			t.Errorf("tp %d pp %d: gap %q", c.tp, c.pp, gap)
		}
	}
	prof.TPFillsNode = p(0)
	if !prof.InPractice(parallel.Plan{TP: 4, PP: 24, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1}, dense) {
		t.Error("TPFillsNode 0 must leave TP4 PP24 in practice")
	}
}

// MoE-block recompute (Megatron-Core's --recompute-modules moe) drops the
// block's activations and re-runs its GEMMs. For tinyMoE (h 1024, SwiGLU,
// 8 experts of 512 with 2 active and one shared, 3 of 4 layers MoE) a MoE
// layer's block keeps per token, in 16-bit: the 2 routed copies' inputs
// 2·2·1024 = 4096 B, the experts' gate, up and product 2·3·2·512 =
// 6144 B and the shared expert's 3·2·512 = 3072 B, 13,312 B in all; its
// forward runs the router 2·1024·8, the experts 2·2·(1024·1024 + 1024·512)
// and the shared expert 2·(1024·1024 + 1024·512) FLOPs per token,
// 9,453,568 in all.
func TestMoEBlockRecompute(t *testing.T) {
	prof := ideal()
	prof.MemoryEff = p(1e12) // memory-bound work free: the GEMMs alone
	prof.MoERecompute = p(1)
	pr, err := newPrep(tinyMoE, testCluster(1), prof, Job{Seq: 1024, GlobalBatch: 1, Precision: hardware.BF16})
	if err != nil {
		t.Fatal(err)
	}
	pl := plan1(parallel.RecomputeMoE)
	tok := 1024.0
	a := pr.actParts(pl)
	if got, want := a.keep-a.moe, 0.75*tok*13312; math.Abs(got/want-1) > 1e-12 {
		t.Errorf("activations dropped per layer %g B, want %g B", got, want)
	}
	if got, want := a.moeWorst, tok*13312; math.Abs(got/want-1) > 1e-12 {
		t.Errorf("largest block %g B, want %g B", got, want)
	}
	s := pr.layerMix(pl, tok, 1)
	if got, want := s.recompute, 0.75*tok*9453568/312e12; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("recompute %g s per layer, want the MoE block's GEMMs %g s", got, want)
	}
	// The whole step pays it on each of the three MoE layers, though
	// memory does not require it (the policy is not partial).
	withRC, err := pr.evaluate(pl)
	if err != nil {
		t.Fatal(err)
	}
	without, err := pr.evaluate(plan1(parallel.RecomputeNone))
	if err != nil {
		t.Fatal(err)
	}
	work := func(r Result) float64 { return float64(r.Breakdown.Compute + r.Breakdown.Experts) }
	if got, want := work(withRC)-work(without), 3*tok*9453568/312e12; math.Abs(got/want-1) > 1e-6 {
		t.Errorf("step compute grows by %g s under recompute=moe, want the three MoE blocks' GEMMs %g s", got, want)
	}
	if err := prof.Supports(pl); err != nil {
		t.Errorf("a stack with moe_recompute refuses it: %v", err)
	}
	if rcs := prof.Restrict(parallel.Space{}).Recompute; !slices.Contains(rcs, parallel.RecomputeMoE) {
		t.Errorf("the search space %v leaves out recompute=moe on a stack that offers it", rcs)
	}
	prof.MoERecompute = p(0)
	if err := prof.Supports(pl); err == nil {
		t.Error("a stack without moe_recompute accepts recompute=moe")
	}
	dense := parallel.Problem{Model: gpt13, Devices: 1, GlobalBatch: 1, Seq: 1024}
	var ie *input.Error
	if err := pl.Validate(dense); !errors.As(err, &ie) || ie.Field != "recompute" {
		t.Errorf("recompute=moe on a dense model: %v, want an error naming recompute", err)
	}
}

// A GShard MoE layer (AscendSpeed's, DeepSpeed's: moe_dense_dispatch)
// dispatches and combines by matmuls over its [s, e·c] one-hot masks,
// e·c = active·cf·s. tinyMoE, 1,024 tokens on one device, cf 1.25: e·c
// = 2,560 slots; each matmul 2·1024·2560·1024 FLOPs at 312 TFLOP/s. The
// forward runs two and moves 34 bytes per mask element, the backward three
// and 22 bytes, and the layer keeps 4 bytes per element; every expert
// computes its capacity (load 1.25). Under TP 2 with sequence parallelism
// the gate sees half the tokens, a quarter of the mask.
func TestDenseDispatch(t *testing.T) {
	job := Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16}
	setup := func(dense float64, pl parallel.Plan) (*prep, pass) {
		prof := ideal()
		prof.MoECapacityFactor, prof.MoEDenseDispatch = p(1.25), p(dense)
		j := job
		if dense == 0 {
			j.CapacityFactor, j.PadToCapacity = 1.25, true // the same expert load without the masks
		}
		pr, err := newPrep(tinyMoE, testCluster(8), prof, j)
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[len(pr.kinds)-1]
		return pr, pr.layerForward(&k, pl, 1024)
	}
	pl := plan1(parallel.RecomputeNone)
	pr, q := setup(1, pl)
	pr0, q0 := setup(0, pl)
	if pr.expertLoad != 1.25 || !pr.padded || !pr.dense {
		t.Errorf("dense dispatch: expert load %g, padded %v, dense %v; want 1.25, true, true", pr.expertLoad, pr.padded, pr.dense)
	}
	s, ec := 1024.0, 2560.0
	mm := 2 * s * ec * 1024 / 312e12
	mask := s * ec / 2e12
	if got, want := q.compute()-q0.compute(), 2*mm+34*mask; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("forward adds %.4g s, want %.4g s (two matmuls and 34 B per mask element)", got, want)
	}
	if got, want := pr.backward(q)-pr0.backward(q0), 3*mm+22*mask; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("backward adds %.4g s, want %.4g s (three matmuls and 22 B per mask element)", got, want)
	}
	a, a0 := pr.actParts(pl), pr0.actParts(pl)
	if got, want := (a.keep-a0.keep)*4, 3*4*s*ec; math.Abs(got/want-1) > 1e-9 { // 3 MoE layers of 4
		t.Errorf("kept activations grow by %.4g B over the layers, want %.4g B (4 B per mask element)", got, want)
	}
	sp := parallel.Plan{TP: 2, PP: 1, DP: 4, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone, SequenceParallel: true}
	_, qs := setup(1, sp)
	_, qs0 := setup(0, sp)
	if got, want := qs.compute()-qs0.compute(), 2*mm/4+34*mask/4; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("TP 2 with sequence parallelism: forward adds %.4g s, want %.4g s (half the tokens)", got, want)
	}
	prof := ideal()
	prof.MoEDenseDispatch = p(1)
	if err := prof.checkDispatch(); err == nil {
		t.Error("a dense dispatch without a capacity factor passed the profile check")
	}
	folded := sp
	folded.ETP = 1
	var fe *input.Error
	if err := prof.Supports(folded); !errors.As(err, &fe) || fe.Field != "etp" {
		t.Errorf("a GShard layer folded over the TP ranks (etp 1, tp 2): %v, want an error naming etp", err)
	}
	folded.ETP = 2
	if err := prof.Supports(folded); err != nil {
		t.Errorf("etp = tp: %v", err)
	}
	// expert ranks come from the data-parallel group alone: EP 4 over DP 2
	// x CP 2 is Megatron-Core's folding, not the GShard layer's
	overCP := parallel.Plan{TP: 2, PP: 1, DP: 2, CP: 2, EP: 4, ETP: 2, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	if err := prof.Supports(overCP); !errors.As(err, &fe) || fe.Field != "ep" {
		t.Errorf("a GShard layer with ep 4 over dp 2, cp 2: %v, want an error naming ep", err)
	}
	overCP.EP = 2
	if err := prof.Supports(overCP); err != nil {
		t.Errorf("ep 2 within dp 2: %v", err)
	}
	mcore := ideal()
	overCP.EP, overCP.ETP = 4, 1
	if err := mcore.Supports(overCP); err != nil {
		t.Errorf("token dispatch (Megatron-Core) with ep 4 over dp 2 x cp 2: %v", err)
	}
}

// Each communicator a rank joins holds the collective library's buffers
// (HCCL: 2 × HCCL_BUFFSIZE). tinyMoE at TP 2, PP 2, DP 2, EP 2 (experts
// split like attention) on 8 devices: the world, tensor, pipeline, data
// and model (TP × PP) groups and the expert group; the expert
// data-parallel group has one rank (2·2/(2·2)) and context parallelism
// none: 6 communicators, 6 × 100 MB more overhead.
func TestCommBuffersPerCommunicator(t *testing.T) {
	job := Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16}
	pl := parallel.Plan{TP: 2, PP: 2, DP: 2, CP: 1, EP: 2, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	over := func(buf float64) float64 {
		prof := ideal()
		prof.CommBuffer = p(buf)
		pr, err := newPrep(tinyMoE, testCluster(8), prof, job)
		if err != nil {
			t.Fatal(err)
		}
		if n := pr.communicators(pl); n != 6 {
			t.Errorf("communicators = %d, want 6", n)
		}
		return float64(pr.memory(pl).Overhead)
	}
	if got := over(1e8) - over(0); math.Abs(got-6e8) > 1 {
		t.Errorf("100 MB per communicator adds %.4g B, want 6e8", got)
	}
}

// A MoE layer's TP communication follows its expert TP. tinyMoE without
// its shared expert, 1,024 tokens, TP 2 with sequence parallelism on the
// test node (300 GB/s, no latency: a reduce-scatter or all-gather over 2
// ranks moves half its buffer, so each pair costs its buffer over the
// bandwidth). Attention moves the activations, a = 1024·1024·2 bytes: a/B.
// With ETP 1 the routed experts move nothing over TP; with ETP 2 each
// rank gathers and scatters its experts' routed copies, active 2 × a:
// 2a/B more. A dense layer moves a twice (attention and MLP).
func TestMoETPCommFollowsExpertTP(t *testing.T) {
	m := tinyMoE
	moe := *m.MoE
	moe.Shared = 0
	m.MoE = &moe
	pr, err := newPrep(m, testCluster(8), ideal(), Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16})
	if err != nil {
		t.Fatal(err)
	}
	a := 1024.0 * 1024 * 2 / 300e9
	tp := func(k layerKind, etp int) float64 {
		pl := parallel.Plan{TP: 2, PP: 1, DP: 4, CP: 1, EP: 1, ETP: etp, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone, SequenceParallel: true}
		return pr.layerForward(&k, pl, 1024).tp
	}
	dense, moeK := pr.kinds[0], pr.kinds[len(pr.kinds)-1]
	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{{"dense layer", tp(dense, 0), 2 * a}, {"MoE layer, ETP 1", tp(moeK, 1), a}, {"MoE layer, ETP 2", tp(moeK, 2), 3 * a}} {
		if math.Abs(c.got/c.want-1) > 1e-9 {
			t.Errorf("%s: TP communication %.4g s, want %.4g s", c.name, c.got, c.want)
		}
	}
}

// Megatron-Core's all-gather token dispatcher (core_r0.8.0
// token_dispatcher.py, MoEAllGatherTokenDispatcher) gathers each rank's
// t/tp tokens over the expert-TP × EP group, every token once, and
// reduce-scatters the same [tp·ep·t/tp, h] tensor back; the all-to-all
// dispatcher sends the active copies. tinyMoE without its shared expert,
// 1024 tokens, h 1024 in 16 bits (a = 2 MiB), 300 GB/s, no latency, no
// overlap, one forward of a MoE layer:
//   - TP 1, EP 8 (one node): all-gather and reduce-scatter of 8a, each
//     7/8·8a/B, against two all-to-alls of 2a, each 7/8·2a/B: EP/k = 4
//     times the EP time;
//   - TP 2, EP 1, ETP 2 with sequence parallelism: attention's pair a/B
//     plus the experts' gather of one copy, a/B, against the all-to-all
//     dispatcher's two routed copies, 2a/B;
//   - TP 2, EP 4 (8 ranks, one node): the gather spans the TP × EP group,
//     2·7/8·4a/B of EP time, and TP moves attention's a/B alone.
//
// A stated dispatch beats the stack's practice (MoEAllGatherDispatch),
// which the job's empty one follows.
func TestAllGatherDispatcher(t *testing.T) {
	m := tinyMoE
	moe := *m.MoE
	moe.Shared = 0
	m.MoE = &moe
	a := 1024.0 * 1024 * 2
	B := 300e9
	fwd := func(prof Profile, d string, pl parallel.Plan) pass {
		pr, err := newPrep(m, testCluster(8), prof, Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16, Dispatch: d})
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[len(pr.kinds)-1]
		return pr.layerForward(&k, pl, 1024)
	}
	ep8 := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	tp2 := parallel.Plan{TP: 2, PP: 1, DP: 4, CP: 1, EP: 1, ETP: 2, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone, SequenceParallel: true}
	tp2ep4 := tp2
	tp2ep4.EP = 4
	for _, c := range []struct {
		name  string
		d     string
		pl    parallel.Plan
		got   func(q pass) float64
		wantS float64
	}{
		{"TP 1 EP 8, all-to-all", DispatchFlat, ep8, func(q pass) float64 { return q.ep }, 2 * 7.0 / 8 * 2 * a / B},
		{"TP 1 EP 8, all-gather", DispatchAllGather, ep8, func(q pass) float64 { return q.ep }, 2 * 7.0 / 8 * 8 * a / B},
		{"TP 2 EP 1, all-to-all", DispatchFlat, tp2, func(q pass) float64 { return q.tp }, 3 * a / B},
		{"TP 2 EP 1, all-gather", DispatchAllGather, tp2, func(q pass) float64 { return q.tp }, 2 * a / B},
		{"TP 2 EP 4, all-gather: EP", DispatchAllGather, tp2ep4, func(q pass) float64 { return q.ep }, 2 * 7.0 / 8 * 4 * a / B},
		{"TP 2 EP 4, all-gather: TP", DispatchAllGather, tp2ep4, func(q pass) float64 { return q.tp }, a / B},
	} {
		if got := c.got(fwd(ideal(), c.d, c.pl)); math.Abs(got/c.wantS-1) > 1e-9 {
			t.Errorf("%s: %.4g s, want %.4g s", c.name, got, c.wantS)
		}
	}
	prof := ideal()
	prof.MoEAllGatherDispatch = p(1)
	if got, want := fwd(prof, "", ep8).ep, fwd(ideal(), DispatchAllGather, ep8).ep; got != want {
		t.Errorf("the stack's all-gather practice: EP time %.4g s, want the stated dispatcher's %.4g s", got, want)
	}
	if got, want := fwd(prof, DispatchFlat, ep8).ep, fwd(ideal(), DispatchFlat, ep8).ep; got != want {
		t.Errorf("a stated flat dispatch over the stack's all-gather: EP time %.4g s, want %.4g s", got, want)
	}
}

// Each rank of an expert-TP group holds the routed copies of all the
// group's tokens (Megatron-Core gathers them over the ETP ranks after the
// dispatch): per rank, t·active·h·etp/tp elements instead of 1/tp. The
// local permute and unpermute (moe_copy_bytes 8 per element) then move
// (etp-1)/tp more of them than at ETP 1, and the routed inputs kept for
// the backward (2 bytes × active·h per token in 16 bits) grow alike.
// Worked by hand for tinyMoE at TP 4, 1024 tokens: 1024·8·(2·1024)·3/4
// bytes of traffic and 1024·(2·2·1024)·3/4 bytes kept per MoE layer.
func TestExpertTPGathersRoutedCopies(t *testing.T) {
	prof := ideal()
	prof.MoECopyBytes = p(8)
	pr, err := newPrep(tinyMoE, testCluster(8), prof, Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16})
	if err != nil {
		t.Fatal(err)
	}
	plan := func(etp int) parallel.Plan {
		return parallel.Plan{TP: 4, PP: 1, DP: 2, CP: 1, EP: 1, ETP: etp, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone, SequenceParallel: true}
	}
	k := pr.kinds[len(pr.kinds)-1]
	bw := pr.hbm * prof.MemoryEff.Value
	mem := func(etp int) float64 { return pr.layerForward(&k, plan(etp), 1024).mem * bw }
	if got, want := mem(4)-mem(1), 1024*8*2*1024*3/4.0; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("ETP 4 over ETP 1: %.6g more bytes of traffic per MoE layer, want %.6g", got, want)
	}
	// keep averages the layers: 3 of tinyMoE's 4 are MoE layers.
	keep := func(etp int) float64 { return pr.actParts(plan(etp)).keep }
	if got, want := keep(4)-keep(1), 1024*2*2*1024*3/4.0*3/4; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("ETP 4 over ETP 1: %.6g more bytes kept per layer, want %.6g", got, want)
	}
}

// The full-iteration path (moe_full_graph_fp8_min_domain): an FP8 MoE job
// on a scale-up domain of at least that many chips has no MoE host time
// and none of the routed experts' activation traffic, which the fused
// grouped MLP keeps inside the GEMMs: per token of a MoE layer's forward,
// SwiGLU's gate, up and product of each routed copy, 3·(2·512) bytes × 2
// active experts, at 1.5× (layerKind's memSplit for up-projection
// outputs), over the HBM bandwidth. BF16, a smaller domain or the
// parameter at 0 keep the ordinary path.
func TestFullIterationMoEPath(t *testing.T) {
	prof := ideal()
	prof.MoEHost = p(0.0005)
	prof.MoEFullGraphFP8MinDomain = p(16)
	rack := testCluster(16)
	rack.SystemNode = 72
	rack.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	fp8 := Job{Seq: 1024, GlobalBatch: 16, Precision: hardware.FP8}
	pl := parallel.Plan{TP: 1, PP: 1, DP: 16, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	mem := func(c hardware.Cluster, pr Profile, j Job) (float64, *prep) {
		x, err := newPrep(tinyMoE, c, pr, j)
		if err != nil {
			t.Fatal(err)
		}
		k := x.kinds[len(x.kinds)-1]
		return x.layerForward(&k, pl, 1024).mem, x
	}
	full, fp := mem(rack, prof, fp8)
	off := prof
	off.MoEFullGraphFP8MinDomain = p(0)
	plain, pp := mem(rack, off, fp8)
	if !fp.moeFull || fp.moeHost != 0 || pp.moeFull || pp.moeHost <= 0 {
		t.Fatalf("full path %v host %g; without it %v host %g: want the path and no host time only with the parameter", fp.moeFull, fp.moeHost, pp.moeFull, pp.moeHost)
	}
	want := 1024 * 1.5 * 3 * (2 * 512) * 2 / 2e12 // tokens × bytes per token / (2 TB/s × memory_eff 1)
	if got := plain - full; math.Abs(got-want) > 1e-9*want {
		t.Errorf("activation traffic removed: %g s, want %g s", got, want)
	}
	bf16 := fp8
	bf16.Precision = hardware.BF16
	tensorwise := fp8
	tensorwise.FP8Recipe = FP8Tensorwise
	node8 := testCluster(16)
	node8.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	for name, c := range map[string]struct {
		cl hardware.Cluster
		j  Job
	}{"bf16 on the rack": {rack, bf16}, "fp8 on 8-chip nodes": {node8, fp8}, "per-tensor fp8 stated on the rack": {rack, tensorwise}} {
		if _, x := mem(c.cl, prof, c.j); x.moeFull || x.moeHost <= 0 {
			t.Errorf("%s: full-iteration path %v, host %g: want the ordinary path", name, x.moeFull, x.moeHost)
		}
	}
	// A job may state the path either way: on for BF16 on 8-chip nodes,
	// off against the practice on the rack; a dense model refuses it.
	on, off2 := true, false
	stated := bf16
	stated.FullIteration = &on
	if _, x := mem(node8, prof, stated); !x.moeFull || x.moeHost != 0 {
		t.Errorf("stated on (BF16, 8-chip nodes): full-iteration path %v, host %g; want it", x.moeFull, x.moeHost)
	}
	unstated := fp8
	unstated.FullIteration = &off2
	if _, x := mem(rack, prof, unstated); x.moeFull || x.moeHost <= 0 {
		t.Errorf("stated off on the rack: full-iteration path %v, host %g; want the ordinary path", x.moeFull, x.moeHost)
	}
	var ie *input.Error
	if _, err := newPrep(gpt13, rack, prof, stated); !errors.As(err, &ie) || ie.Field != "moe_full_iteration" {
		t.Errorf("a dense model stating the path: %v, want an input error on moe_full_iteration", err)
	}
	r, err := Estimate(tinyMoE, pl, rack, prof, fp8)
	if err != nil || r.MoEHostPath != "full-iteration" || r.MoEHostPerLayer != 0 || r.Breakdown.MoEHost != 0 {
		t.Errorf("Estimate: %v, path %q, host %v ms, exposed %v: want the full-iteration path without host time", err, r.MoEHostPath, r.MoEHostPerLayer, r.Breakdown.MoEHost)
	}
}

// With NoZeRO2Practice (the Megatron frameworks' recipes: a distributed
// optimizer or full sharding), a ZeRO 2 plan is outside published
// practice and says why; ZeRO 0, 1 and 3 stay in, and without the rule
// ZeRO 2 does too.
func TestZeRO2OutsidePractice(t *testing.T) {
	prof := ideal()
	prof.CPMinTokens, prof.EPMin, prof.NoZeRO2Practice = p(0), p(0), p(1)
	c := PracticeCase{Seq: 4096}
	var cases []practiceRuleCase
	for z, want := range map[int]bool{0: true, 1: true, 2: false, 3: true} {
		cases = append(cases, practiceRuleCase{fmt.Sprintf("zero %d", z), flatPlan(1, z), want, "ZeRO 2"})
	}
	checkPracticeRule(t, prof, c, cases)
	prof.NoZeRO2Practice = p(0)
	if !prof.InPractice(flatPlan(1, 2), c) {
		t.Error("without the rule ZeRO 2 must stay in practice")
	}
}

// With FullShardPractice (every published LLM Foundry and torchtitan run
// shards weights, gradients and optimizer) only ZeRO 3 is within
// practice, and the gap names it; every stage still runs, and without
// the rule every stage is in practice.
func TestFullShardPractice(t *testing.T) {
	prof := ideal()
	prof.CPMinTokens, prof.EPMin, prof.FullShardPractice = p(0), p(0), p(1)
	pl := func(z int) parallel.Plan {
		return parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: z}
	}
	c := PracticeCase{Seq: 4096}
	for z, want := range map[int]bool{0: false, 1: false, 2: false, 3: true} {
		gap := prof.PracticeGap(pl(z), c)
		if prof.InPractice(pl(z), c) != want || (gap == "") != want || (!want && !strings.Contains(gap, "ZeRO 3")) {
			t.Errorf("zero %d: in practice %v, gap %q; want %v", z, prof.InPractice(pl(z), c), gap, want)
		}
		if err := prof.Supports(pl(z)); err != nil {
			t.Errorf("zero %d: %v; practice must not refuse a plan", z, err)
		}
	}
	prof.FullShardPractice = p(0)
	if !prof.InPractice(pl(1), c) {
		t.Error("without the rule ZeRO 1 must be in practice")
	}
}

// With LargeParams, TPMinLarge and PPMinLarge (MindFormers' recipes split
// every model of about 20 B active parameters or more over
// model_parallel 4 or 8 and pipeline_stage 2 or more), a plan of such a
// model below TP 4 or PP 2 is outside practice and says so; a smaller
// model, or a MoE model whose active parameters are below the threshold
// however many it holds, keeps every TP and PP.
func TestLargeModelTPPractice(t *testing.T) {
	prof := ideal()
	prof.CPMinTokens, prof.EPMin, prof.LargeParams, prof.TPMinLarge, prof.PPMinLarge = p(0), p(0), p(17e9), p(4), p(2)
	// Llama 2 70B-like: 80 layers, h 8192, 64 heads (8 KV), FFN 28672:
	// 68.98 B parameters (chipgap models).
	big := llm.Model{Name: "70b", Layers: 80, Hidden: 8192, Heads: 64, KVHeads: 8, FFN: 28672, Vocab: 32000, Act: llm.SwiGLU, Attention: llm.GQA}
	c := NewPracticeCase(big, 4096, 8)
	if c.Active < 68e9 || c.Active > 70e9 {
		t.Fatalf("active parameters %g, want about 68.98e9", c.Active)
	}
	for _, k := range []struct {
		tp, pp int
		want   bool
	}{{1, 2, false}, {2, 2, false}, {4, 1, false}, {8, 1, false}, {4, 2, true}, {8, 2, true}, {8, 8, true}} {
		pl := parallel.Plan{TP: k.tp, PP: k.pp, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: 1}
		gap := prof.PracticeGap(pl, c)
		if prof.InPractice(pl, c) != k.want || (gap == "") != k.want || (!k.want && !strings.Contains(gap, "below the TP 4 and PP 2")) {
			t.Errorf("tp %d pp %d: in practice %v, gap %q; want %v", k.tp, k.pp, prof.InPractice(pl, c), gap, k.want)
		}
	}
	small := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: 1}
	if !prof.InPractice(small, NewPracticeCase(gpt13, 2048, 8)) {
		t.Error("a 1.3 B model must keep TP 1 within practice")
	}
	// Mixtral 8x7B-like: 46.7 B parameters, 12.9 B active.
	mixtral := llm.Model{Name: "mixtral", Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 8, FFN: 14336, Vocab: 32000, Act: llm.SwiGLU, Attention: llm.GQA,
		MoE: &llm.MoEConfig{Experts: 8, Active: 2, ExpertFFN: 14336}}
	if mc := NewPracticeCase(mixtral, 4096, 8); mc.Active > 13.5e9 || !prof.InPractice(small, mc) {
		t.Errorf("Mixtral 8x7B: active %g; its TP 1 plan must stay within practice", mc.Active)
	}
	prof.LargeParams = p(0)
	if !prof.InPractice(small, c) {
		t.Error("without the rule a 70 B model keeps TP 1 within practice")
	}
}

// A stack whose MoE layer runs static shapes (MindFormers' MoEV2: every
// expert's tokens gathered into a [experts, capacity] buffer, the FFN run
// over all of it) computes what a job's drop-and-pad does: every expert its
// capacity, the expert GEMMs 1.25× the rows of the balanced dropless ones
// at a capacity factor of 1.25, with no one-hot masks (no dense dispatch). A
// profile that pads without a capacity is refused.
func TestStaticExpertShapes(t *testing.T) {
	job := Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16}
	pl := plan1(parallel.RecomputeNone)
	run := func(prof Profile, j Job) (*prep, pass) {
		pr, err := newPrep(tinyMoE, testCluster(8), prof, j)
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[len(pr.kinds)-1]
		return pr, pr.layerForward(&k, pl, 1024)
	}
	static := ideal()
	static.MoECapacityFactor, static.MoEPadCapacity = p(1.25), p(1)
	ps, qs := run(static, job)
	if ps.expertLoad != 1.25 || !ps.padded || ps.dense {
		t.Errorf("static shapes: expert load %g, padded %v, dense %v; want 1.25, true, false", ps.expertLoad, ps.padded, ps.dense)
	}
	jp := job
	jp.CapacityFactor, jp.PadToCapacity = 1.25, true
	_, qj := run(ideal(), jp)
	if qs != qj {
		t.Errorf("the stack's static shapes give %+v, a job's drop-and-pad at the same capacity %+v: want the same pass", qs, qj)
	}
	// 1.25× the rows: more time, but under 1.25× as the larger GEMMs run
	// higher on the size curve max·f/(f + F½)
	_, q0 := run(ideal(), job)
	if r := qs.expert / q0.expert; q0.expert <= 0 || r <= 1.1 || r > 1.25 {
		t.Errorf("padded expert GEMMs take %.4g s, %.3f × the dropless %.4g s: want more than 1.1× and at most 1.25×", qs.expert, r, q0.expert)
	}
	loose := ideal()
	loose.MoEPadCapacity = p(1)
	if err := loose.checkDispatch(); err == nil {
		t.Error("static expert shapes without a capacity factor passed the profile check")
	}
}
