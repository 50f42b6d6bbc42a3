package training

import (
	"errors"
	"math"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/units"
)

// testChip is an A100-like chip: 312 TFLOP/s, 2 TB/s, 80 GB; nodes of 8
// joined at 300 GB/s each way, 25 GB/s scale-out, no latency.
func testCluster(chips int) hardware.Cluster {
	ch := &hardware.Chip{ID: "test", Architecture: "Ampere", DevicesPerChip: 1,
		Peak: map[hardware.Precision]hardware.Value[units.FLOPRate]{
			hardware.FP16: hardware.Fixed(312 * units.TFLOPS), hardware.BF16: hardware.Fixed(312 * units.TFLOPS)},
		HBM: hardware.Memory{Capacity: hardware.Fixed(80 * units.GB), Bandwidth: hardware.Fixed(2 * units.TBps)}}
	return hardware.Cluster{Chip: ch, ChipID: "test", Chips: chips, ChipsPerNode: min(8, chips), Stack: "cuda",
		ScaleUp: hardware.Tier{Bandwidth: 300 * units.GBps, Size: 8}, ScaleOut: hardware.Tier{Bandwidth: 25 * units.GBps}}
}

func p(v float64) Param { return Param{Value: v, Basis: Assumed, Note: "test"} }

// ideal is a profile with every efficiency 1, no overlap, no overhead:
// step time is pure FLOPs over peak plus bytes over bandwidth.
func ideal() Profile {
	return Profile{ID: "ideal", MatmulMax: p(1), MatmulHalfFLOP: p(0), FP8Max: p(1), AttentionEff: p(1), FlashAttention: p(0),
		MemoryEff: p(1), ScaleUpEff: p(1), ScaleOutEff: p(1), GradBytes: p(2), WeightBytes: p(2), OptimizerBytes: p(12), OptimizerStepBytes: p(34), MaxZeRO: p(3), SelectiveRecompute: p(1),
		SequenceParallel: p(1), Interleaved: p(1), ExpertImbalance: p(1), ContextParallel: p(1), MoECP: p(1), ShardingEP: p(1), PracticeMaxZeRO: p(3), MoEFold: p(1)}
}

// gpt13 is GPT 1.3B-like: 24 layers, h 2048, 16 heads, 4h GeLU, V 51200.
var gpt13 = llm.Model{Name: "gpt", Layers: 24, Hidden: 2048, Heads: 16, KVHeads: 16, FFN: 8192, Vocab: 51200,
	Act: llm.GeLU, Attention: llm.MHA, TiedEmbeddings: true}

func plan1(rc parallel.Recompute) parallel.Plan {
	return parallel.Plan{TP: 1, PP: 1, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: rc}
}

// With ideal efficiencies on one chip and memory-bound work made free,
// compute time must equal Megatron's eq. 3 (Narayanan et al. 2021), the
// FLOPs of a full-recompute step, over the peak:
// F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)).
func TestComputeMatchesMegatronEq3(t *testing.T) {
	prof := ideal()
	prof.MemoryEff = p(1e12) // memory-bound operations cost nothing
	job := Job{Seq: 2048, GlobalBatch: 4, Precision: hardware.FP16}
	pl := plan1(parallel.RecomputeFull)
	pl.Microbatch = 4
	prof.MemoryReserved = p(0)
	c := testCluster(1)
	c.Chip.HBM.Capacity = hardware.Fixed(1 * units.TB)
	r, err := Estimate(gpt13, pl, c, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	B, s, l, h, V := 4.0, 2048.0, 24.0, 2048.0, 51200.0
	eq3 := 96 * B * s * l * h * h * (1 + s/(6*h) + V/(16*l*h))
	want := eq3 / 312e12
	if got := float64(r.Breakdown.Compute); math.Abs(got/want-1) > 1e-3 {
		t.Errorf("compute = %.6f s, want eq. 3 / peak = %.6f s", got, want)
	}
	// HFU counts the recompute pass: HFU = eq.3 FLOPs / (step · peak) = 1.
	if math.Abs(r.HFU-1) > 2e-3 {
		t.Errorf("HFU = %.4f, want 1 for an ideal chip", r.HFU)
	}
}

// Activations follow Korthikanti et al. 2022 Table 2 for a 4h GeLU MHA
// model with tensor parallelism t and no sequence parallelism:
// s·b·h·(10 + 24/t + 5·a·s/(h·t)) bytes per layer; with SP the 10 is
// divided by t too. One stage (PP 1) keeps all L layers for one
// micro-batch, plus the embedding output, one layer as backward working
// memory and the logits (the 16-bit output and the loss's fp32 copy, softmax and gradient in place: 6·s·b·V/t).
func TestActivationsMatchKorthikanti(t *testing.T) {
	pr, err := newPrep(gpt13, testCluster(8), ideal(), Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.BF16})
	if err != nil {
		t.Fatal(err)
	}
	s, b, h, a, L, V := 2048.0, 2.0, 2048.0, 16.0, 24.0, 51200.0
	for _, c := range []struct {
		tp int
		sp bool
	}{{1, false}, {4, false}, {4, true}, {8, true}} {
		pl := parallel.Plan{TP: c.tp, PP: 1, DP: 8 / c.tp, CP: 1, EP: 1, VPP: 1, Microbatch: 2, Recompute: parallel.RecomputeNone, SequenceParallel: c.sp}
		tt := float64(c.tp)
		rep := 10.0
		if c.sp {
			rep /= tt
		}
		layer := s * b * h * (rep + 24/tt + 5*a*s/(h*tt))
		embed := 3 * s * b * h // embedding output and dropout mask
		if c.sp {
			embed /= tt
		}
		// L layers and the embedding for one micro-batch, one layer's
		// set again as backward working memory, the logits.
		want := L*layer + embed + layer + 6*s*b*V/tt
		if got := pr.activations(pl); math.Abs(got/want-1) > 1e-9 {
			t.Errorf("tp %d sp %v: activations = %.4g, want %.4g", c.tp, c.sp, got, want)
		}
	}
}

// Under FP8 each linear layer's input is kept as its 8-bit copy
// (Megatron-Core MoE README, FP8 Training: "Stores linear layer inputs in
// FP8 instead of BF16"). In Korthikanti's 4h GeLU MHA layer that is the
// QKV input and the MLP input (h each, out of the replicated 10), the
// attention output projection's input (h of the split 24) and the GeLU
// output feeding the second MLP GEMM (4h of it): s·b·h·(8 + 19/t + 5as/(ht)).
func TestFP8KeepsLinearInputsInOneByte(t *testing.T) {
	c := testCluster(8)
	c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	pr, err := newPrep(gpt13, c, ideal(), Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.FP8})
	if err != nil {
		t.Fatal(err)
	}
	s, b, h, a, L, V := 2048.0, 2.0, 2048.0, 16.0, 24.0, 51200.0
	for _, tp := range []int{1, 4} {
		pl := parallel.Plan{TP: tp, PP: 1, DP: 8 / tp, CP: 1, EP: 1, VPP: 1, Microbatch: 2, Recompute: parallel.RecomputeNone}
		tt := float64(tp)
		layer := s * b * h * (8 + 19/tt + 5*a*s/(h*tt))
		want := L*layer + 3*s*b*h + layer + 6*s*b*V/tt
		if got := pr.activations(pl); math.Abs(got/want-1) > 1e-9 {
			t.Errorf("fp8 tp %d: activations = %.4g, want %.4g", tp, got, want)
		}
	}
}

// Mixed-precision Adam without ZeRO keeps 2 + GradBytes + 12 bytes per
// parameter; ZeRO-1 divides the 12 by DP, ZeRO-2 also the gradients,
// ZeRO-3 also the weights (Rajbhandari et al. 2020).
func TestModelStatesByZeRO(t *testing.T) {
	pr, _ := newPrep(gpt13, testCluster(8), ideal(), Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
	// Per layer 12h² (QKV 3h², out h², MLP 8h²), plus the tied embedding V·h.
	P := 24*12*2048.0*2048 + 51200*2048.0
	for z, want := range [][3]float64{{2 * P, 2 * P, 12 * P}, {2 * P, 2 * P, 12 * P / 8}, {2 * P, 2 * P / 8, 12 * P / 8}} {
		pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: z}
		m := pr.memory(pl)
		got := [3]float64{float64(m.Weights), float64(m.Grads), float64(m.Optimizer)}
		for i := range got {
			if math.Abs(got[i]/want[i]-1) > 1e-9 {
				t.Errorf("zero %d: states = %v, want %v", z, got, want)
				break
			}
		}
	}
}

// The 1F1B bubble is (p−1)/(v·m) of the ideal per-micro-batch time
// (Narayanan et al. 2021 §2.2): 4 stages, 16 micro-batches, v = 1 and 2.
func TestBubbleFraction(t *testing.T) {
	prof := ideal()
	job := Job{Seq: 2048, GlobalBatch: 32, Precision: hardware.BF16}
	for _, v := range []int{1, 2} {
		pl := parallel.Plan{TP: 1, PP: 4, DP: 2, CP: 1, EP: 1, VPP: v, Microbatch: 1, Recompute: parallel.RecomputeFull}
		r, err := Estimate(gpt13, pl, testCluster(8), prof, job)
		if err != nil {
			t.Fatal(err)
		}
		b := r.Breakdown
		perMB := float64(b.Compute+b.TP+b.PP+b.Other) / 16
		want := 3.0 / float64(v) * perMB
		if got := float64(b.Bubble); math.Abs(got/want-1) > 1e-9 {
			t.Errorf("vpp %d: bubble = %.4g s, want (p−1)/v × per-micro-batch = %.4g s", v, got, want)
		}
	}
}

// Tensor parallelism inside a node: per layer and pass two ring
// all-reduces of s·b·h 16-bit values: 2 × 2(t−1)/t × bytes / 300 GB/s.
// With full recompute the forward runs twice: 3 passes × L layers.
func TestTPCommRing(t *testing.T) {
	job := Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16}
	pl := parallel.Plan{TP: 8, PP: 1, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull}
	r, err := Estimate(gpt13, pl, testCluster(8), ideal(), job)
	if err != nil {
		t.Fatal(err)
	}
	bytes := 2048 * 2048 * 2.0
	perAR := 2 * 7.0 / 8 * bytes / 300e9
	want := 8 * 24 * 3 * 2 * perAR // 8 micro-batches
	if got := float64(r.Breakdown.TP); math.Abs(got/want-1) > 1e-9 {
		t.Errorf("TP comm = %.6g s, want %.6g s", got, want)
	}
}

func TestDoesNotFitCarriesShortfall(t *testing.T) {
	big := llm.Model{Name: "big", Layers: 96, Hidden: 12288, Heads: 96, KVHeads: 96, FFN: 49152, Vocab: 51200, Act: llm.GeLU, Attention: llm.MHA}
	_, err := Estimate(big, plan1(parallel.RecomputeFull), testCluster(1), ideal(), Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.BF16})
	var nf *NotFitError
	if !errors.Is(err, ErrDoesNotFit) || !errors.As(err, &nf) || nf.Shortfall <= 0 {
		t.Fatalf("175B on one chip: err = %v; want a NotFitError with a shortfall", err)
	}
	// 175B × 16 bytes of states alone is 2.8 TB: the shortfall exceeds 2.7 TB.
	if nf.Shortfall < 2.7*units.TB {
		t.Errorf("shortfall = %s, want > 2.7 TB", nf.Shortfall)
	}
}

func TestBadInputNamesField(t *testing.T) {
	c := testCluster(8)
	pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull}
	cases := []struct {
		job   Job
		field string
	}{
		{Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.FP8}, "precision"}, // the test chip has no FP8
		{Job{Seq: 2048, GlobalBatch: -1, Precision: hardware.BF16}, "global_batch"},
		{Job{Seq: 0, GlobalBatch: 8, Precision: hardware.BF16}, "seq"},
	}
	for _, k := range cases {
		_, err := Estimate(gpt13, pl, c, ideal(), k.job)
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != k.field {
			t.Errorf("job %+v: err = %v; want a FieldError on %s", k.job, err, k.field)
		}
	}
	prof := ideal()
	prof.MaxZeRO = p(1)
	pl.ZeRO = 3
	_, err := Estimate(gpt13, pl, c, prof, Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
	var fe *input.Error
	if !errors.As(err, &fe) || fe.Field != "zero" {
		t.Errorf("zero 3 on a ZeRO-1 stack: err = %v; want a FieldError on zero", err)
	}
}

// GEMM efficiency rises with size: max·F/(F + F½).
func TestGEMMEfficiencyCurve(t *testing.T) {
	prof := ideal()
	prof.MatmulMax, prof.MatmulHalfFLOP = p(0.8), p(1e9)
	pr, _ := newPrep(gpt13, testCluster(1), prof, Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.BF16})
	for _, f := range []float64{1e8, 1e9, 1e12} {
		eff := 0.8 * f / (f + 1e9)
		want := f / (312e12 * eff)
		if got := pr.gemmTime(f, 0); math.Abs(got/want-1) > 1e-12 {
			t.Errorf("gemmTime(%g) = %g, want %g", f, got, want)
		}
	}
	// A skinny GEMM is bound by memory: 1 row × 8192 × 8192 reads 128 MiB.
	if got, want := pr.gemmTime(2*8192*8192, 2*8192*8192), 2*8192*8192/2e12; got != want {
		t.Errorf("skinny GEMM = %g s, want the memory time %g s", got, want)
	}
}

// A fixed time per GEMM call (matmul_fixed_s) in place of a fixed size:
// a call of F FLOPs takes F/(peak·max) + t0 whatever the peak, so the
// size at half efficiency grows with the peak (t0·peak·max): on a chip
// twice as fast the same 1 GFLOP call loses twice the share.
func TestGEMMFixedTime(t *testing.T) {
	prof := ideal()
	prof.MatmulMax, prof.MatmulHalfFLOP, prof.MatmulFixed = p(0.8), p(1e9), p(1e-5)
	pr, _ := newPrep(gpt13, testCluster(1), prof, Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.BF16})
	for _, peak := range []float64{312e12, 624e12} {
		for _, f := range []float64{1e8, 1e9, 1e12} {
			want := f/(peak*0.8) + 1e-5
			if got := pr.gemmAt(f, 0, peak, 0.8); math.Abs(got/want-1) > 1e-12 {
				t.Errorf("peak %g: gemmAt(%g) = %g s, want %g s", peak, f, got, want)
			}
		}
	}
}

// Pipeline sends hide behind compute only under a schedule that overlaps
// them: plain 1F1B charges them in full (Megatron-LM turns
// overlap_p2p_comm off without interleaving), the interleaved schedule
// (1 − pp_overlap) of them. Per micro-batch: activations forward and
// gradients backward, once per virtual stage, s·b·h·2 bytes over the
// scale-up link at 300 GB/s: 2 × VPP × 2048·2048·2 B / 300 GB/s.
func TestPipelineSendsOverlapOnlyWhenInterleaved(t *testing.T) {
	prof := ideal()
	prof.PPOverlap = p(0.9)
	job := Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16}
	send := 2048.0 * 2048 * 2 / 300e9
	for _, c := range []struct {
		vpp  int
		want float64 // per micro-batch
	}{{1, 2 * 1 * send}, {2, 2 * 2 * send * (1 - 0.9)}} {
		pl := parallel.Plan{TP: 1, PP: 4, DP: 2, CP: 1, EP: 1, VPP: c.vpp, Microbatch: 1, Recompute: parallel.RecomputeFull}
		pr, err := newPrep(gpt13, testCluster(8), prof, job)
		if err != nil {
			t.Fatal(err)
		}
		if got := pr.p2pTime(pl, 2048); math.Abs(got/c.want-1) > 1e-9 {
			t.Errorf("vpp %d: exposed sends %.4g s per micro-batch, want %.4g s", c.vpp, got, c.want)
		}
	}
}

// Selective recompute re-runs the core attention (Korthikanti et al.
// 2022 §5): its QKᵀ and attention-over-V FLOPs and, without fused
// attention, the traffic of the s² score tensors (scores, softmax,
// dropout and its mask: 9·a·s bytes per token per layer, as the
// forward charges). For GPT 1.3B-like (a 16, head 128) at s 2048, one
// sequence on one ideal chip: per layer 2·s·s·a·256 FLOPs over 312
// TFLOP/s plus 9·a·s·s bytes over 2 TB/s, times 24 layers.
func TestSelectiveRecomputesScores(t *testing.T) {
	job := Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.BF16}
	c := testCluster(1)
	c.Chip.HBM.Capacity = hardware.Fixed(1 * units.TB)
	compute := func(rc parallel.Recompute) float64 {
		prof := ideal()
		prof.MemoryReserved = p(0)
		r, err := Estimate(gpt13, plan1(rc), c, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		return float64(r.Breakdown.Compute)
	}
	s, a, L := 2048.0, 16.0, 24.0
	want := L * (2*s*s*a*256/312e12 + 9*a*s*s/2e12)
	if got := compute(parallel.RecomputeSelective) - compute(parallel.RecomputeNone); math.Abs(got/want-1) > 1e-6 {
		t.Errorf("selective − none = %.6g s, want %.6g s (attention FLOPs and score traffic again)", got, want)
	}
}

// Op-level selective checkpointing as torchtitan defines it, worked by
// hand for Llama 2 70B (h 8192, 64 heads, 8 KV heads of 128, SwiGLU ffn
// 28672): the linear modules in forward order are q (8192×8192), k and v
// (1024×8192 each), o (8192×8192), gate and up (28672×8192 each) and down
// (8192×28672); every second one (k, o, up) is recomputed, 310,378,496 of
// 855,638,016 weight elements, and the others' outputs (q 8192, v 1024,
// gate 28672, down 8192 elements) are kept with the attention output
// (8192), 54,272 elements or 108,544 bytes per token. On an ideal chip
// with memory-bound work free, selective − none is that share of the
// layer GEMMs' forward FLOPs, and HFU counts it.
func TestOpLevelSelectiveCheckpointing(t *testing.T) {
	m, job, c, prof := twoLlama2Layers()
	prof.MemoryEff = p(1e12) // memory-bound operations cost nothing
	prof.SelectiveOpSAC = p(1)
	pr, err := newPrep(m, c, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	k := pr.kinds[0]
	if wantShare := 310378496.0 / 855638016.0; k.sacKeep != 108544 || math.Abs(k.sacShare/wantShare-1) > 1e-12 {
		t.Errorf("op SAC keeps %g bytes/token and recomputes %.6f of the GEMMs; want 108544 and %.6f", k.sacKeep, k.sacShare, wantShare)
	}
	run := func(rc parallel.Recompute) Result {
		r, err := Estimate(m, plan1(rc), c, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	none, sel := run(parallel.RecomputeNone), run(parallel.RecomputeSelective)
	s, L := 4096.0, 2.0
	want := L * 2 * s * 310378496 / 312e12
	if got := float64(sel.Breakdown.Compute - none.Breakdown.Compute); math.Abs(got/want-1) > 1e-6 {
		t.Errorf("selective − none = %.6g s, want %.6g s (every second linear module again)", got, want)
	}
	// Activations: per layer the 16-bit input (2h) and the kept outputs,
	// against Megatron's selective set for the same profile without op SAC.
	perLayer := s * (2*8192 + 108544)
	meg := prof
	meg.SelectiveOpSAC = p(0)
	rm, err := Estimate(m, plan1(parallel.RecomputeSelective), c, meg, job)
	if err != nil {
		t.Fatal(err)
	}
	prm, err := newPrep(m, c, meg, job)
	if err != nil {
		t.Fatal(err)
	}
	megSet := prm.actParts(plan1(parallel.RecomputeSelective)).selective
	if opSet := pr.actParts(plan1(parallel.RecomputeSelective)).selective; opSet != perLayer {
		t.Errorf("op SAC keeps %.6g B per layer, want s·(2h + 108544) = %.6g B", opSet, perLayer)
	}
	if d := float64(rm.Memory.Activations - sel.Memory.Activations); math.Abs(d/(L*(megSet-perLayer))-1) > 1e-9 {
		t.Errorf("activations: Megatron's selective − op SAC = %.6g B, want %.6g B", d, L*(megSet-perLayer))
	}
	if !strings.Contains(sel.SelectivePolicy, "op-level") || !strings.Contains(rm.SelectivePolicy, "attention core") {
		t.Errorf("selective policies %q and %q: want the op-level one named, and Megatron's attention core", sel.SelectivePolicy, rm.SelectivePolicy)
	}
	// HFU counts the attention the kernel runs (full: this profile has no
	// flash kernels) and the recomputed modules; MFU the causal model.
	if want := (pr.execFLOPs + pr.sacFLOPs) / pr.modelFLOPs; sel.HFU <= sel.MFU || math.Abs(sel.HFU/sel.MFU-want) > 1e-9 {
		t.Errorf("HFU/MFU = %.6f, want (executed + recomputed)/model FLOPs = %.6f", sel.HFU/sel.MFU, want)
	}
}

// twoLlama2Layers is two Llama 2 70B layers at 4,096 tokens on one ideal
// chip with room for any activation set and no reserve: the setting the
// selective-recompute variants are worked by hand in.
func twoLlama2Layers() (llm.Model, Job, hardware.Cluster, Profile) {
	m := llm.Model{Name: "llama2-70b", Layers: 2, Hidden: 8192, Heads: 64, KVHeads: 8, HeadDim: 128, FFN: 28672, Vocab: 32000,
		Act: llm.SwiGLU, Attention: llm.GQA}.WithDefaults()
	c := testCluster(1)
	c.Chip.HBM.Capacity = hardware.Fixed(10 * units.TB)
	prof := ideal()
	prof.MemoryReserved = p(0)
	return m, Job{Seq: 4096, GlobalBatch: 1, Precision: hardware.BF16}, c, prof
}

// MaxText's "minimal" remat policy (checkpoint_dots_with_no_batch_dims)
// keeps every weight GEMM's output: for Llama 2 70B per token 2 bytes ×
// (Q 8192 + K, V 2·1024 + O 8192 + gate, up 2·28672 + down 8192) = 167,936
// bytes besides the 16-bit layer input, and recomputes the attention core
// and the element-wise work, no GEMM.
func TestSelectiveKeepsTheDots(t *testing.T) {
	m, job, c, prof := twoLlama2Layers()
	prof.SelectiveDots = p(1)
	pr, err := newPrep(m, c, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	if k := pr.kinds[0]; k.dotsKeep != 167936 {
		t.Errorf("the dots keep %g bytes per token, want 167936", k.dotsKeep)
	}
	s := 4096.0
	if got, want := pr.actParts(plan1(parallel.RecomputeSelective)).selective, s*(2*8192+167936); got != want {
		t.Errorf("a layer keeps %.6g B, want s·(2h + 167936) = %.6g B", got, want)
	}
	k := pr.kinds[0]
	q := pr.layerForward(&k, plan1(parallel.RecomputeSelective), s)
	if rc, _, _, _ := pr.recomputeWork(&k, q, plan1(parallel.RecomputeSelective)); math.Abs(rc/(q.attn+q.scores+q.mem)-1) > 1e-12 || q.mem <= 0 {
		t.Errorf("recomputed work %g s per layer, want the attention core and the element-wise work %g s", rc, q.attn+q.scores+q.mem)
	}
	r, err := Estimate(m, plan1(parallel.RecomputeSelective), c, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.SelectivePolicy, "minimal remat policy") {
		t.Errorf("selective policy %q: want MaxText's minimal policy named", r.SelectivePolicy)
	}
}

// family_fp8 scales only FP8 GEMMs, on top of family_matmul, and only on
// its family: an FP8 job on a Hopper chip runs its linear GEMMs at
// fp8_max × 0.8 × 1.25 = 0.5 × 0.8 × 1.25 = 0.5 of the FP8 peak and keeps
// its 16-bit GEMMs (output layer) at matmul_max × 0.8 = 0.72; a BF16 job
// there runs at 0.72; an FP8 job on another family at fp8_max.
func TestFamilyFP8ScalesFP8GEMMsOnly(t *testing.T) {
	prof := ideal()
	prof.MatmulMax, prof.FP8Max = p(0.9), p(0.5)
	prof.FamilyMatmul = map[string]Param{"hopper": p(0.8)}
	prof.FamilyFP8 = map[string]Param{"hopper": p(1.25)}
	for _, tc := range []struct {
		arch      string
		prec      hardware.Precision
		max, max6 float64
	}{
		{"Hopper (test)", hardware.FP8, 0.5, 0.72},
		{"Hopper (test)", hardware.BF16, 0.72, 0.72},
		{"Ampere (test)", hardware.FP8, 0.5, 0.9},
	} {
		c := testCluster(8)
		c.Chip.Architecture = tc.arch
		c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
		pr, err := newPrep(gpt13, c, prof, Job{Seq: 2048, GlobalBatch: 64, Precision: tc.prec})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(pr.matMax-tc.max) > 1e-12 || math.Abs(pr.matMax16-tc.max6) > 1e-12 {
			t.Errorf("%s %s: GEMM ceilings %.4g (16-bit %.4g), want %.4g (%.4g)", tc.arch, tc.prec, pr.matMax, pr.matMax16, tc.max, tc.max6)
		}
	}
}

// chip_tensor scales one chip's tensor-core work once more, by its id: a
// Hopper chip with id "slow" under chip_tensor.slow = 0.8 runs its FP8
// GEMMs at 0.5 × 0.8 × 1.25 × 0.8 = 0.4 of the FP8 peak, its 16-bit GEMMs
// at 0.9 × 0.8 × 0.8 = 0.576 and its attention at 0.5 × 0.8 = 0.4; a chip
// of the same family with another id keeps 0.5, 0.72 and 0.5.
func TestChipTensorScalesOneChip(t *testing.T) {
	prof := ideal()
	prof.MatmulMax, prof.FP8Max, prof.AttentionEff = p(0.9), p(0.5), p(0.5)
	prof.FamilyMatmul = map[string]Param{"hopper": p(0.8)}
	prof.FamilyFP8 = map[string]Param{"hopper": p(1.25)}
	scaled, err := prof.With(map[string]Param{"chip_tensor.slow": p(0.8)})
	if err != nil {
		t.Fatal(err)
	}
	if prof.ChipTensor != nil {
		t.Errorf("With wrote the profile's own chip_tensor map: %v", prof.ChipTensor)
	}
	for _, tc := range []struct {
		id               string
		max, max16, attn float64
	}{
		{"slow", 0.4, 0.576, 0.4},
		{"other", 0.5, 0.72, 0.5},
	} {
		c := testCluster(8)
		c.Chip.ID, c.Chip.Architecture = tc.id, "Hopper (test)"
		c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
		pr, err := newPrep(gpt13, c, scaled, Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.FP8})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(pr.matMax-tc.max) > 1e-12 || math.Abs(pr.matMax16-tc.max16) > 1e-12 || math.Abs(pr.attnEff-tc.attn) > 1e-12 {
			t.Errorf("chip %s: GEMM ceilings %.4g (16-bit %.4g), attention %.4g; want %.4g (%.4g), %.4g", tc.id, pr.matMax, pr.matMax16, pr.attnEff, tc.max, tc.max16, tc.attn)
		}
	}
}

// With attention_exp_ratio on, a fused attention's softmax is priced on
// the special-function units after its two products. GPT 1.3B at 2,048
// tokens, causal (context 1,024.5), 16 heads of 128: 2,048 × 1,024.5 × 16
// = 33,570,816 score elements. At 312 TFLOP/s and attention_eff 0.5 the
// products take 2 × 33,570,816 × 256 / (312e12 × 0.5) = 110.18 µs and, at
// 2e12 exponentials/s, the softmax 33,570,816 / (2e12 × 0.5) = 33.57 µs;
// the backward's extra over twice the forward is half the products less
// one softmax, 55.09 − 33.57 = 21.52 µs. A chip that states no rate gets
// ratio × peak = 0.01 × 312e12: 21.52 µs of softmax; ratio 0 prices none.
func TestAttentionSoftmaxOnTheSFUs(t *testing.T) {
	job := Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.BF16}
	pl := plan1(parallel.RecomputeNone)
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-3*want }
	prof := ideal()
	prof.FlashAttention, prof.AttentionEff, prof.AttentionExpRatio = p(1), p(0.5), p(0.01)
	c := testCluster(1)
	c.Chip.ExpRate = hardware.Fixed(2 * units.TFLOPS)
	pr, err := newPrep(gpt13, c, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	q := pr.layerForward(&pr.kinds[0], pl, 2048)
	if !near(q.attn, 110.18e-6+33.57e-6) || !near(q.attnExp, 33.57e-6) || !near(pr.flashRecompute(q), 21.52e-6) {
		t.Errorf("attention %.5g s (softmax %.5g s), backward extra %.5g s; want 143.75 µs (33.57 µs), 21.52 µs", q.attn, q.attnExp, pr.flashRecompute(q))
	}
	c.Chip.ExpRate = hardware.Value[units.FLOPRate]{}
	pr, _ = newPrep(gpt13, c, prof, job)
	if q := pr.layerForward(&pr.kinds[0], pl, 2048); !near(q.attnExp, 21.52e-6) {
		t.Errorf("no stated rate: softmax %.5g s, want 21.52 µs at 0.01 × the 16-bit peak", q.attnExp)
	}
	prof.AttentionExpRatio = p(0)
	pr, _ = newPrep(gpt13, c, prof, job)
	if q := pr.layerForward(&pr.kinds[0], pl, 2048); q.attnExp != 0 || !near(q.attn, 110.18e-6) {
		t.Errorf("ratio 0: attention %.5g s (softmax %.5g s), want 110.18 µs and none", q.attn, q.attnExp)
	}
}

// With attention_ramp_tokens s₀ = 1,100 and attention_ramp_exp k = 1.7 a
// fused attention's time scales by (1 + (s₀/l)^k) / (1 + (s₀/16384)^k)
// for kernel calls of l tokens (the sequence over CP): by hand, (1100/2048)
// ^1.7 = e^(1.7 ln 0.53711) = 0.34763 and (1100/16384)^1.7 = 0.010130, so
// 1.34763 / 1.010130 = 1.3341 at 2,048 tokens: GPT 1.3B's 110.18 µs of
// products (see TestAttentionSoftmaxOnTheSFUs) take 146.99 µs. At 8,192
// tokens over CP 2 (4,096 a rank, context 4,096.5) the products' 881.13 µs
// take (1 + (1100/4096)^1.7) / 1.010130 = 1.10699 / 1.010130 = 1.09589
// times as long: 965.61 µs. Without s₀ nothing changes; s₀ without an
// exponent is refused.
func TestAttentionRampByKernelLength(t *testing.T) {
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-3*want }
	prof := ideal()
	prof.FlashAttention, prof.AttentionEff = p(1), p(0.5)
	prof.AttentionRampTokens, prof.AttentionRampExp = p(1100), p(1.7)
	for _, q := range prof.ParamRefs() {
		if q.P.Basis == "" {
			*q.P = p(0)
		}
	}
	if err := prof.Check(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		seq, cp int
		tokens  float64
		want    float64
	}{{2048, 1, 2048, 146.99e-6}, {8192, 2, 4096, 965.61e-6}}
	for _, tc := range cases {
		pl := plan1(parallel.RecomputeNone)
		pl.CP = tc.cp
		pr, err := newPrep(gpt13, testCluster(tc.cp), prof, Job{Seq: tc.seq, GlobalBatch: 1, Precision: hardware.BF16})
		if err != nil {
			t.Fatal(err)
		}
		if q := pr.layerForward(&pr.kinds[0], pl, tc.tokens); !near(q.attn, tc.want) {
			t.Errorf("seq %d over CP %d: attention %.5g s, want %.5g s", tc.seq, tc.cp, q.attn, tc.want)
		}
	}
	prof.AttentionRampTokens = p(0)
	pr, _ := newPrep(gpt13, testCluster(1), prof, Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.BF16})
	if q := pr.layerForward(&pr.kinds[0], plan1(parallel.RecomputeNone), 2048); !near(q.attn, 110.18e-6) {
		t.Errorf("no ramp: attention %.5g s, want 110.18 µs", q.attn)
	}
	prof.AttentionRampTokens, prof.AttentionRampExp = p(1100), p(0)
	if err := prof.Check(); err == nil || !strings.Contains(err.Error(), "attention_ramp_exp") {
		t.Errorf("ramp tokens without an exponent: error %v, want one naming attention_ramp_exp", err)
	}
}

// A fused attention operator that takes the values at the query/key
// width (attention_pad_v, MindSpeed-LLM's MLA) runs its second product on
// values zero-padded from v_head_dim to qk_nope + qk_rope: the attention
// time scales by (qk + qk)/(qk + v) = (192 + 192)/(192 + 128) = 1.2 for
// DeepSeek-V2's head shapes; a model whose widths agree, or the
// parameter at 0, is unchanged.
func TestAttentionPadsMLAValues(t *testing.T) {
	m := llm.Model{Name: "mla", Layers: 2, Hidden: 1024, Heads: 8, KVHeads: 8, FFN: 4096, Vocab: 32000, Act: llm.SwiGLU, Attention: llm.MLA,
		MLA: &llm.MLAConfig{QLoraRank: 256, KVLoraRank: 128, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128}}
	attn := func(m llm.Model, pad float64) float64 {
		prof := ideal()
		prof.FlashAttention, prof.AttentionPadV = p(1), p(pad)
		pr, err := newPrep(m, testCluster(8), prof, Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[0]
		return pr.layerForward(&k, parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}, 2048).attn
	}
	if got, want := attn(m, 1)/attn(m, 0), (192.0+192)/(192+128); math.Abs(got/want-1) > 1e-9 {
		t.Errorf("MLA: padded over unpadded attention time %.6g, want %.6g", got, want)
	}
	if got := attn(tinyMoE, 1) / attn(tinyMoE, 0); math.Abs(got-1) > 1e-12 {
		t.Errorf("MHA: padded over unpadded attention time %.6g, want 1", got)
	}
}

// A package of two devices (the Ascend 910C's two dies) is, to the
// collectives, two devices sharing the package's links: each drives half
// its scale-up and scale-out rate, and a node of 4 packages holds 8
// devices. So 4 two-die packages of 624 TFLOP/s, 4 TB/s and 300/25 GB/s
// links step exactly as 8 one-die chips of 312 TFLOP/s, 2 TB/s and
// 150/12.5 GB/s links in nodes of 8. A TP 2 group inside one package runs
// on the scale-up tier (it ran on the scale-out tier, the dies counted
// as chips of a one-package node, until 7 Dec 2026), and at the
// per-device rate: 2 × (2 − 1)/2 × S/150 GB/s per all-reduce.
func TestTwoDiePackageSharesItsLinks(t *testing.T) {
	prof := ideal()
	job := Job{Seq: 2048, GlobalBatch: 16, Precision: hardware.BF16}
	pl := parallel.Plan{TP: 2, PP: 2, DP: 2, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 1}
	two := testCluster(4)
	two.Chip.DevicesPerChip = 2
	two.Chip.Peak = map[hardware.Precision]hardware.Value[units.FLOPRate]{hardware.BF16: hardware.Fixed(624 * units.TFLOPS)}
	two.Chip.HBM = hardware.Memory{Capacity: hardware.Fixed(160 * units.GB), Bandwidth: hardware.Fixed(4 * units.TBps)}
	two.ChipsPerNode = 4
	one := testCluster(8)
	one.ScaleUp.Bandwidth, one.ScaleOut.Bandwidth = 150*units.GBps, 12.5*units.GBps
	a, err := Estimate(gpt13, pl, two, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Estimate(gpt13, pl, one, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(a.StepTime-b.StepTime)) > 1e-9*float64(b.StepTime) || a.Breakdown != b.Breakdown {
		t.Errorf("two-die packages: step %v %+v, want the one-die chips' %v %+v", a.StepTime, a.Breakdown, b.StepTime, b.Breakdown)
	}
	// One package, TP 2 over its two dies: the all-reduces of the layers'
	// activations at 150 GB/s each way.
	pl = parallel.Plan{TP: 2, PP: 1, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull}
	job.GlobalBatch = 1
	one1 := testCluster(1)
	one1.Chip = two.Chip
	r, err := Estimate(gpt13, pl, one1, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	s := 2048 * 2048 * 2.0 // one micro-batch's activations, bytes
	ar := 2 * 0.5 * s / 150e9
	// Megatron's TP: 2 all-reduces forward, 2 backward, 2 in the recomputed forward, per layer.
	if want := 24 * 6 * ar; math.Abs(float64(r.Breakdown.TP)-want) > 1e-6*want {
		t.Errorf("TP 2 inside one two-die package: %v of TP comm, want %.6g s (24 layers × 6 all-reduces of %.4g s at 150 GB/s)", r.Breakdown.TP, want, ar)
	}
}

// MFU counts one convention on every stack, causal attention: a step's
// MFU is tokens/s × TrainingFLOPsPerToken(s, causal, no recompute) over
// the peak whether or not the stack's kernels skip the masked half; HFU
// counts the full attention a non-flash kernel runs. (MFU once followed
// the stack's kernel: 2.7 % higher on cuda-megatron for an 18B model at
// 2,048 tokens.)
func TestMFUConventionIsCausal(t *testing.T) {
	job := Job{Seq: 2048, GlobalBatch: 4, Precision: hardware.FP16}
	pl := plan1(parallel.RecomputeNone)
	c := testCluster(1)
	c.Chip.HBM.Capacity = hardware.Fixed(1 * units.TB)
	for _, flash := range []float64{0, 1} {
		prof := ideal()
		prof.FlashAttention = p(flash)
		r, err := Estimate(gpt13, pl, c, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		pr, err := newPrep(gpt13, c, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		causal := float64(pr.m.TrainingFLOPsPerToken(2048, true, false))
		full := float64(pr.m.TrainingFLOPsPerToken(2048, false, false))
		if want := r.TokensPerSec * causal / 312e12; math.Abs(r.MFU/want-1) > 1e-12 {
			t.Errorf("flash %v: MFU %.6f, want %.6f (causal attention)", flash, r.MFU, want)
		}
		exec := causal
		if flash == 0 {
			exec = full
		}
		if want := r.TokensPerSec * exec / 312e12; math.Abs(r.HFU/want-1) > 1e-12 {
			t.Errorf("flash %v: HFU %.6f, want %.6f (the attention the kernel runs)", flash, r.HFU, want)
		}
	}
}

// Full recompute on no layer is no recompute: its HFU is the
// no-recompute HFU, full attention and all on a stack without flash
// kernels (it once started from MFU's causal count, 1.071 × lower).
func TestHFUOfNoRecomputedLayer(t *testing.T) {
	job := Job{Seq: 2048, GlobalBatch: 4, Precision: hardware.FP16}
	c := testCluster(1)
	c.Chip.HBM.Capacity = hardware.Fixed(1 * units.TB)
	prof := ideal()
	none, err := Estimate(gpt13, plan1(parallel.RecomputeNone), c, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	pl := plan1(parallel.RecomputeFull)
	pl.RecomputeLayers = []int{0}
	zero, err := Estimate(gpt13, pl, c, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := none.HFU/none.MFU, zero.HFU/zero.MFU; math.Abs(a/b-1) > 1e-9 || a <= 1 {
		t.Errorf("HFU/MFU: no recompute %.6f, full on no layer %.6f: want equal, above 1 (full attention runs)", a, b)
	}
}
