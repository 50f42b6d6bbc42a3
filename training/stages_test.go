package training

import (
	"errors"
	"math"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/parallel"
	"chipgap/units"
)

// Seven layers over four stages: split evenly (⌈7/4⌉ = 2 per stage) the
// last stage runs 2 layers plus the head; with uneven stages it takes
// 7 − 3·2 = 1 layer plus the head, and the pace is the slower of a
// middle stage (2 layers) and that. With a vocabulary of 8192 the head
// (2·V·h = 34 MFLOP per token, plus the cross-entropy) is below one
// layer (24·h² + 4·s·h = 117 MFLOP), so the middle stages set the pace:
// exactly 2 layers.
func TestUnevenStagesBalanceTheHead(t *testing.T) {
	m := gpt13
	m.Layers, m.Vocab = 7, 8192
	prof := ideal()
	pr, err := newPrep(m, testCluster(4), prof, Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
	if err != nil {
		t.Fatal(err)
	}
	pl := parallel.Plan{TP: 1, PP: 4, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	tok := 2048.0
	one := pr.layerMix(pl, tok, 0).total()
	hf, hb := pr.headTime(pl, tok)
	if h := hf + hb; h >= one {
		t.Fatalf("head %g s not below one layer %g s: the example needs a small head", h, one)
	}
	even := pr.stageTime(pl, tok, 0).total()
	if math.Abs(even/(2*one+hf+hb)-1) > 1e-12 {
		t.Errorf("even split: stage %g s, want 2 layers + head = %g s", even, 2*one+hf+hb)
	}
	pr.prof.UnevenStages = p(1)
	if got := pr.stageTime(pl, tok, 0).total(); math.Abs(got/(2*one)-1) > 1e-12 {
		t.Errorf("uneven split: stage %g s, want 2 layers = %g s", got, 2*one)
	}
	// Eight layers divide over four stages: the framework's default split
	// stands (2 + head on the last), not a layout that moves a layer off
	// the last stage (3, 3, 2, 0 + head), which a run would have to state.
	m.Layers = 8
	pr8, err := newPrep(m, testCluster(4), prof, Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
	if err != nil {
		t.Fatal(err)
	}
	pr8.prof.UnevenStages = p(1)
	one8 := pr8.layerMix(pl, tok, 0).total()
	hf8, hb8 := pr8.headTime(pl, tok)
	if got := pr8.stageTime(pl, tok, 0).total(); math.Abs(got/(2*one8+hf8+hb8)-1) > 1e-12 {
		t.Errorf("8 layers over 4 stages: stage %g s, want 2 layers + head = %g s", got, 2*one8+hf8+hb8)
	}
}

// Ten layers over PP4 × VPP3 = 12 virtual stages: the embedding and the
// loss take one each, every other holds one layer, so device 3 runs its
// last two chunks' layers plus the head and devices 1-2 three layers.
// With a vocabulary of 131072 the head (2·V·h = 537 MFLOP per token plus
// the cross-entropy) outweighs a layer (24·h² + 4·s·h = 117 MFLOP), so the
// last device sets the pace at exactly 2 layers + head, uneven stages or
// not (the head cannot shed part of a one-layer chunk); with the default
// 8192 vocabulary the middle devices' 3 layers do.
func TestEmbeddingAndLossVirtualStages(t *testing.T) {
	for _, c := range []struct {
		vocab     int
		headPaces bool
	}{{131072, true}, {8192, false}} {
		m := gpt13
		m.Layers, m.Vocab = 10, c.vocab
		pr, err := newPrep(m, testCluster(4), ideal(), Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
		if err != nil {
			t.Fatal(err)
		}
		pr.prof.UnevenStages = p(1)
		pl := parallel.Plan{TP: 1, PP: 4, DP: 1, CP: 1, EP: 1, VPP: 3, Microbatch: 1, Recompute: parallel.RecomputeNone}
		tok := 2048.0
		one := pr.layerMix(pl, tok, 0).total()
		hf, hb := pr.headTime(pl, tok)
		want := 3 * one
		if c.headPaces {
			want = 2*one + hf + hb
		}
		if (2*one+hf+hb > 3*one) != c.headPaces {
			t.Fatalf("vocab %d: head %g s against a layer %g s does not make the case", c.vocab, hf+hb, one)
		}
		if got := pr.stageTime(pl, tok, 0).total(); math.Abs(got/want-1) > 1e-12 {
			t.Errorf("vocab %d: stage %g s, want %g s", c.vocab, got, want)
		}
	}
}

// Under FP8 only the layers' linear GEMMs run at the FP8 peak: the
// attention core and the head run at the 16-bit peak, so their times do
// not change between a BF16 and an FP8 job on a chip with FP8 = 2 × BF16.
func TestFP8KeepsAttentionAndHeadAt16Bit(t *testing.T) {
	c := testCluster(1)
	c.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	job := Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.BF16}
	bf, _ := newPrep(gpt13, c, ideal(), job)
	job.Precision = hardware.FP8
	f8, _ := newPrep(gpt13, c, ideal(), job)
	pl := plan1(parallel.RecomputeNone)
	qb, q8 := bf.layerForward(&bf.kinds[0], pl, 2048), f8.layerForward(&f8.kinds[0], pl, 2048)
	if q8.attn != qb.attn {
		t.Errorf("attention fp8 %g s, bf16 %g s: want equal", q8.attn, qb.attn)
	}
	hb, _ := bf.headTime(pl, 2048)
	h8, _ := f8.headTime(pl, 2048)
	if h8 != hb {
		t.Errorf("head fp8 %g s, bf16 %g s: want equal", h8, hb)
	}
}

// Compiled remat (XLA) keeps one layer's set at the recompute peak
// instead of two: the activations differ by exactly the largest layer's
// set.
func TestCompiledRematOneWorkingSet(t *testing.T) {
	pr, _ := newPrep(gpt13, testCluster(1), ideal(), Job{Seq: 2048, GlobalBatch: 1, Precision: hardware.BF16})
	pl := plan1(parallel.RecomputeFull)
	eager := pr.actParts(pl)
	pr.prof.CompiledRemat = p(1)
	comp := pr.actParts(pl)
	st := pr.stages(pl, 1)[0]
	if d := eager.stage(st) - comp.stage(st); math.Abs(d/eager.worst-1) > 1e-12 {
		t.Errorf("eager − compiled = %g B, want one worst set %g B", d, eager.worst)
	}
}

// A stack that always recomputes (Megatron 2021) searches full recompute
// only and rejects a plan without it, naming the field.
func TestAlwaysRecompute(t *testing.T) {
	prof := ideal()
	prof.AlwaysRecompute = p(1)
	s := prof.Restrict(parallel.Space{})
	if len(s.Recompute) != 1 || s.Recompute[0] != parallel.RecomputeFull {
		t.Errorf("search recompute = %v, want [full]", s.Recompute)
	}
	var fe *input.Error
	if err := prof.Supports(plan1(parallel.RecomputeNone)); !errors.As(err, &fe) || fe.Field != "recompute" {
		t.Errorf("Supports(none) = %v, want a recompute field error", err)
	}
}

// An MTP module adds to the last stage one more layer of the model's last
// kind, a 2h→h projection and a second pass through the head: forward
// layer + proj + head, backward twice the layer and projection plus the
// head's backward.
func TestMTPOnLastStage(t *testing.T) {
	m := tinyMoE
	job := Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16}
	pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	base, _ := newPrep(m, testCluster(8), ideal(), job)
	m.MTPModules = 1
	mtp, _ := newPrep(m, testCluster(8), ideal(), job)
	tok := 1024.0
	q := base.layerForward(&base.kinds[len(base.kinds)-1], pl, tok)
	h := float64(m.Hidden)
	proj := base.gemmTime(2*tok*2*h*h, 2*(2*tok*h+2*h*h+tok*h))
	hf, hb := base.headTime(pl, tok)
	want := 3*q.compute() + 3*proj + hf + hb + 2*q.ep + 2*q.tp
	got := mtp.stageTime(pl, tok, 0).total() - base.stageTime(pl, tok, 0).total()
	if math.Abs(got/want-1) > 1e-9 {
		t.Errorf("MTP adds %g s, want %g s", got, want)
	}
}

// DualPipe's bubble (DeepSeek-V3 report Table 2) at PP 16 with B = 2F
// and W = B/2: (16/2 − 1)·(F&B + B − 3W) = 7·2F = 7·⅔·(F + B) = 4.67
// micro-batch times, against 1F1B's PP − 1 = 15.
func TestDualPipeBubble(t *testing.T) {
	pr, _ := newPrep(gpt13, testCluster(16), ideal(), Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.BF16})
	pl := parallel.Plan{TP: 1, PP: 16, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	if got := pr.bubbleStages(pl); got != 15 {
		t.Errorf("1F1B bubble = %g micro-batches, want 15", got)
	}
	pr.prof.DualPipe = p(1)
	if got := pr.bubbleStages(pl); math.Abs(got-7*2.0/3) > 1e-12 {
		t.Errorf("DualPipe bubble = %g micro-batches, want 4.667", got)
	}
}

// A full recompute that memory lets redo no layer (partial recompute,
// Megatron-Core's block method with 0 layers) is no recompute: the
// result's plan says none, and its step time and memory are the none
// plan's.
func TestFullRecomputeOfNoLayerIsNone(t *testing.T) {
	c := testCluster(1)
	prof := ideal()
	prof.PartialRecompute = p(1)
	job := Job{Seq: 1024, GlobalBatch: 16, Precision: hardware.BF16}
	full, err := Estimate(gpt13, plan1(parallel.RecomputeFull), c, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	none, err := Estimate(gpt13, plan1(parallel.RecomputeNone), c, prof, job)
	if err != nil {
		t.Fatal(err)
	}
	if full.Plan.Recompute != parallel.RecomputeNone || full.RecomputedLayers != 0 || !strings.Contains(full.PlanText, "recompute=none") {
		t.Errorf("full recompute where everything fits: plan %s (%q), %d layers recomputed; want recompute=none", full.Plan, full.PlanText, full.RecomputedLayers)
	}
	if full.StepTime != none.StepTime || full.Memory.Total != none.Memory.Total {
		t.Errorf("full recompute of no layer: step %v, memory %v; the none plan: %v, %v", full.StepTime, full.Memory.Total, none.StepTime, none.Memory.Total)
	}
}

// The split a plan leaves to the framework, worked by hand on a model
// whose every cost is a FLOP count (ideal profile, memory-bound work
// free): GPT with h = s = 2048 and V = 57344 over four stages, one MTP
// module. A layer runs 24h² + 4sh = 28h² FLOPs per token forward, the
// head 2Vh = 56h² (2 layers), an MTP module the 2h→h projection 4h², one
// more layer 28h² and the head again 56h²: 88h², 22/7 = 3.14 layers,
// which moves at most 3 layers off the last stage; every part's backward
// is twice its forward, so the ratios hold for the whole pass.
//
//   - 12 layers, uneven stages or not: the default split is 3, 3, 3, 3
//     and the last stage runs 3 + 2 + 22/7 = 57/7 = 8.14 layers; no stage
//     may pass ⌈12/4⌉ = 3 (the size the memory check and the gradient
//     traffic take), so no layer moves: 57/7. (Moving them, 4, 4, 4, 0,
//     would time a last stage of 36/7 but size the middle ones at 3.)
//   - 11 layers, even split only: one spare slot (4·3 − 11), so the split
//     is 3, 3, 3, 2 and the last runs 2 + 2 + 22/7 = 50/7 = 7.14 layers.
//   - Without MTP the head alone moves no layer (the default split):
//     12 layers uneven, 3 + 2 = 5 layers; 11 layers uneven (3, 3, 3, 2
//     by default), max(3, 2 + 2) = 4.
func TestSplitMakesRoomForMTP(t *testing.T) {
	for _, c := range []struct {
		layers, mtp int
		uneven      bool
		want        float64 // the slowest stage, in layers
	}{
		{12, 1, true, 57.0 / 7},
		{12, 1, false, 57.0 / 7},
		{11, 1, false, 50.0 / 7},
		{12, 0, true, 5},
		{11, 0, true, 4},
	} {
		m := gpt13
		m.Layers, m.Vocab, m.MTPModules = c.layers, 57344, c.mtp
		prof := ideal()
		prof.MemoryEff = p(1e12) // memory-bound operations cost nothing
		if c.uneven {
			prof.UnevenStages = p(1)
		}
		pr, err := newPrep(m, testCluster(4), prof, Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
		if err != nil {
			t.Fatal(err)
		}
		pl := parallel.Plan{TP: 1, PP: 4, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
		tok, h := 2048.0, 2048.0
		one := pr.layerMix(pl, tok, 0).total()
		if want := 3 * 28 * h * h * tok / float64(312*units.TFLOPS); math.Abs(one/want-1) > 1e-6 {
			t.Fatalf("one layer %g s, want 3·28h²·t / peak = %g s", one, want)
		}
		if got := pr.stageTime(pl, tok, 0).total() / one; math.Abs(got/c.want-1) > 1e-6 {
			t.Errorf("%d layers, %d MTP, uneven %v: slowest stage %.4f layers, want %.4f", c.layers, c.mtp, c.uneven, got, c.want)
		}
	}
}
