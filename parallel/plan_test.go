package parallel

import (
	"slices"
	"strings"
	"testing"

	"chipgap/llm"
)

// gpt is GPT-3 175B's shape (Brown et al. 2020): 96 layers, 96 heads.
var gpt = llm.Model{Name: "gpt", Layers: 96, Hidden: 12288, Heads: 96, KVHeads: 96, FFN: 49152, Vocab: 51200, Act: llm.GeLU, Attention: llm.MHA}.WithDefaults()

func TestDivisors(t *testing.T) {
	got := Divisors(5128) // 5128 = 2³ · 641
	want := []int{1, 2, 4, 8, 641, 1282, 2564, 5128}
	if !slices.Equal(got, want) {
		t.Errorf("Divisors(5128) = %v, want %v", got, want)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	prob := Problem{Model: gpt, Devices: 64, GlobalBatch: 512, Seq: 2048}
	ok := Plan{TP: 8, PP: 2, DP: 4, CP: 1, EP: 1, VPP: 1, Microbatch: 2, Recompute: RecomputeFull}
	if err := ok.Validate(prob); err != nil {
		t.Fatalf("valid plan: %v", err)
	}
	cases := []struct {
		edit  func(*Plan)
		field string
	}{
		{func(p *Plan) { p.TP, p.DP = 5, 6 }, "tp"},        // 96 % 5 ≠ 0
		{func(p *Plan) { p.DP = 3 }, "dp"},                 // 8·2·3 ≠ 64
		{func(p *Plan) { p.CP, p.DP = 1000000, 1 }, "cp"},  // 8·2·10⁶ leaves no dp for 64
		{func(p *Plan) { p.VPP = 50 }, "vpp"},              // 2·50 chunks > 96 layers + embedding + loss
		{func(p *Plan) { p.EP = 2 }, "ep"},                 // dense model
		{func(p *Plan) { p.Microbatch = 3 }, "microbatch"}, // 512/4 = 128 % 3 ≠ 0
		{func(p *Plan) { p.TP, p.DP, p.SequenceParallel = 1, 32, true }, "sequence_parallel"},
		{func(p *Plan) { p.ZeRO = 4 }, "zero"},
		{func(p *Plan) { p.Recompute = "some" }, "recompute"},
		{func(p *Plan) { p.Microbatch = -1 }, "microbatch"},
	}
	for _, c := range cases {
		p := ok
		c.edit(&p)
		err := p.Validate(prob)
		if err == nil || !strings.HasPrefix(err.Error(), c.field+" = ") {
			t.Errorf("Validate(%s) = %v; want an error naming %s", p, err, c.field)
		}
	}
}

// Load-balanced causal context parallelism splits the sequence into
// 2·cp chunks: 2,048 tokens take CP 2 to 1,024 (chunks of one token), and
// 3,072 tokens not CP 1,024 (3,072/2,048 is not whole) though CP divides it.
func TestContextParallelChunks(t *testing.T) {
	for _, c := range []struct {
		seq, cp int
		ok      bool
	}{{2048, 2, true}, {2048, 1024, true}, {2048, 2048, false}, {3072, 1024, false}, {3072, 3, true}} {
		prob := Problem{Model: gpt, Devices: 8 * c.cp, GlobalBatch: 8, Seq: c.seq}
		p := Plan{TP: 8, PP: 1, DP: 1, CP: c.cp, EP: 1, VPP: 1, Microbatch: 1, Recompute: RecomputeFull}
		err := p.Validate(prob)
		if c.ok != (err == nil) || (err != nil && !strings.HasPrefix(err.Error(), "cp = ")) {
			t.Errorf("seq %d, cp %d: %v; want valid %v", c.seq, c.cp, err, c.ok)
		}
	}
}

// Sequence parallelism splits a micro-batch's tokens on each context rank
// evenly over TP: 2,050 tokens cannot go to 6 ranks, 2,052 can.
func TestSequenceParallelSplit(t *testing.T) {
	for _, c := range []struct {
		seq int
		ok  bool
	}{{2050, false}, {2052, true}} {
		p := Plan{TP: 6, PP: 1, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: RecomputeFull, SequenceParallel: true}
		err := p.Validate(Problem{Model: gpt, Devices: 6, GlobalBatch: 1, Seq: c.seq})
		if c.ok != (err == nil) || (err != nil && !strings.HasPrefix(err.Error(), "sequence_parallel = ")) {
			t.Errorf("seq %d over tp 6: %v; want valid %v", c.seq, err, c.ok)
		}
	}
}

// Megatron-Core may give the embedding and the loss a virtual pipeline
// stage each, so 96 layers run as PP2 × VPP49 = 98 stages (as NVIDIA's MoE
// model zoo runs Qwen3-235B-A22B's 94 layers as PP32 × VPP3), and no more.
func TestVirtualStagesForEmbeddingAndLoss(t *testing.T) {
	prob := Problem{Model: gpt, Devices: 64, GlobalBatch: 512, Seq: 2048}
	p := Plan{TP: 8, PP: 2, DP: 4, CP: 1, EP: 1, VPP: 49, Microbatch: 2, Recompute: RecomputeFull}
	if err := p.Validate(prob); err != nil {
		t.Errorf("PP2 × VPP49 = 96 layers + 2: %v", err)
	}
	p.VPP = 50
	if err := p.Validate(prob); err == nil {
		t.Error("PP2 × VPP50 = 100 > 96 + 2 stages accepted")
	}
}

// An uneven batch: 2520 sequences over 641 ranks gives ⌈2520/641⌉ = 4 per
// rank, so micro-batches of 1, 2 or 4 are valid and 3 is not.
func TestLocalBatchUneven(t *testing.T) {
	p := Plan{TP: 8, PP: 1, DP: 641, CP: 1, EP: 1, VPP: 1, Microbatch: 4, Recompute: RecomputeFull}
	if got := p.LocalBatch(2520); got != 4 {
		t.Errorf("LocalBatch = %d, want 4", got)
	}
	prob := Problem{Model: gpt, Devices: 5128, GlobalBatch: 2520, Seq: 2048}
	if err := p.Validate(prob); err != nil {
		t.Errorf("mb 4: %v", err)
	}
	p.Microbatch = 3
	if err := p.Validate(prob); err == nil {
		t.Errorf("mb 3 of 4 sequences: want an error")
	}
}

// A space counted by hand: 8 devices, GPT-175B shape, batch 16, seq 2048,
// recompute full only, ZeRO 0 only, no SP, CP 1. TP ∈ {1,2,4,8} (all divide
// 96), PP ∈ divisors of 8/TP, DP the rest. VPP v ≤ 8 is kept when it
// shrinks the chunk ⌈96/(PP·v)⌉: PP = 2: chunks 48,24,16,12,10,8,7,6 (all 8
// values); PP = 4: 24,12,8,6,5,4,4,3 (v = 7 dropped: 7 values); PP = 8:
// 12,6,4,3,3,2,2,2 (v = 1,2,3,4,6: 5 values). Micro-batch sizes: the
// divisors of 16/DP; with v > 1 only those leaving a multiple of PP
// micro-batches (Megatron's interleaved schedule).
func TestEnumerateCountsByHand(t *testing.T) {
	prob := Problem{Model: gpt, Devices: 8, GlobalBatch: 16, Seq: 2048}
	sp := Space{CP: 1, Recompute: []Recompute{RecomputeFull}, ZeRO: []int{0}, SP: []bool{false}}
	shapes, _ := sp.Shapes(prob)
	n := 0
	for _, sh := range shapes {
		sp.Each(prob, sh, func(Plan) bool { n++; return true })
	}
	// (tp,pp,dp): v = 1 × all micro-batch sizes + (v > 1) × those with
	// (16/dp/mb) % pp == 0
	// (1,1,8) 2            (1,2,4) 3 + 7×2 = 17  (1,4,2) 4 + 6×2 = 16
	// (1,8,1) 5 + 4×2 = 13 (2,1,4) 3             (2,2,2) 4 + 7×3 = 25
	// (2,4,1) 5 + 6×3 = 23 (4,1,2) 4             (4,2,1) 5 + 7×4 = 33
	// (8,1,1) 5
	want := 2 + 17 + 16 + 13 + 3 + 25 + 23 + 4 + 33 + 5
	if n != want {
		t.Errorf("plans = %d, want %d", n, want)
	}
}

// A stage's layers are the split's, whatever the virtual stages: 80
// layers at PP 4 are 20 a stage at VPP 1, 3 (chunks of 7, 7, 6), 19
// (chunks of 1 or 2) and 20 alike, never VPP·⌈L/(PP·VPP)⌉ (21 at VPP 3,
// 38 at VPP 19); 61 at PP 16 put ⌈61/16⌉ = 4 on the fullest; a stated
// split's fullest is its largest entry.
func TestFullestStage(t *testing.T) {
	for _, c := range []struct {
		layers int
		plan   Plan
		want   int
	}{
		{80, Plan{PP: 4, VPP: 1}, 20},
		{80, Plan{PP: 4, VPP: 3}, 20},
		{80, Plan{PP: 4, VPP: 19}, 20},
		{80, Plan{PP: 4, VPP: 20}, 20},
		{61, Plan{PP: 16, VPP: 1}, 4},
		{96, Plan{PP: 2, VPP: 1, StageLayers: []int{47, 49}}, 49},
		{80, Plan{PP: 1, VPP: 1}, 80},
	} {
		if got := c.plan.FullestStage(c.layers); got != c.want {
			t.Errorf("%d layers, pp %d vpp %d stages %v: fullest %d, want %d", c.layers, c.plan.PP, c.plan.VPP, c.plan.StageLayers, got, c.want)
		}
		if got := slices.Max(c.plan.Stages(c.layers)); got != c.want {
			t.Errorf("%d layers, pp %d: Stages' largest %d, want %d", c.layers, c.plan.PP, got, c.want)
		}
	}
}

// The per-stage lists and the expert tensor-parallel degree are checked
// against the stage count, the layers and the devices, naming the field.
func TestValidateStageListsAndETP(t *testing.T) {
	prob := Problem{Model: gpt, Devices: 64, GlobalBatch: 512, Seq: 2048}
	base := Plan{TP: 8, PP: 2, DP: 4, CP: 1, EP: 1, VPP: 1, Microbatch: 2, Recompute: RecomputeFull}
	good := base
	good.StageLayers, good.RecomputeLayers = []int{47, 49}, []int{40, 0}
	if err := good.Validate(prob); err != nil {
		t.Fatalf("valid lists: %v", err)
	}
	if got := good.Stages(96); !slices.Equal(got, []int{47, 49}) {
		t.Errorf("Stages = %v, want the stated 47, 49", got)
	}
	if got := base.Stages(7*2 + 1); !slices.Equal(got, []int{8, 7}) {
		t.Errorf("even split of 15 layers over 2 stages = %v, want 8, 7 (extra layer first)", got)
	}
	moe := gpt
	moe.MoE = &llm.MoEConfig{Experts: 64, Active: 2, ExpertFFN: 1024}
	mprob := Problem{Model: moe, Devices: 64, GlobalBatch: 512, Seq: 2048}
	// Megatron-Core's MoE parallel folding: TP8 DP4 (32 ranks per stage);
	// EP 32 > DP·CP = 4 is valid with ETP 1, not with the default ETP = TP.
	fold := base
	fold.EP, fold.ETP = 32, 1
	if err := fold.Validate(mprob); err != nil {
		t.Errorf("folded EP 32 with ETP 1: %v", err)
	}
	cases := []struct {
		edit  func(*Plan)
		prob  Problem
		field string
	}{
		{func(p *Plan) { p.StageLayers = []int{96} }, prob, "stage_layers"},              // one entry for pp 2
		{func(p *Plan) { p.StageLayers = []int{48, 47} }, prob, "stage_layers"},          // sums to 95
		{func(p *Plan) { p.RecomputeLayers = []int{1, 2, 3} }, prob, "recompute_layers"}, // three entries for pp 2
		{func(p *Plan) { p.RecomputeLayers = []int{49, 0} }, prob, "recompute_layers"},   // more than the stage's 48
		{func(p *Plan) { p.RecomputeLayers, p.Recompute = []int{1, 1}, RecomputeNone }, prob, "recompute_layers"},
		{func(p *Plan) { p.EP = 32 }, mprob, "ep"},            // no ETP: EP must divide DP·CP
		{func(p *Plan) { p.EP, p.ETP = 32, 2 }, mprob, "etp"}, // 64 does not divide 32
		{func(p *Plan) { p.ETP = -1 }, mprob, "etp"},
	}
	for _, c := range cases {
		p := base
		c.edit(&p)
		err := p.Validate(c.prob)
		if err == nil || !strings.HasPrefix(err.Error(), c.field+" = ") {
			t.Errorf("Validate(%s) = %v; want an error naming %s", p, err, c.field)
		}
	}
}

// TestWithDefaults: unset degrees are 1, DP takes what the devices leave
// (at least 1, so Validate can name a count that does not divide), an
// unset recompute is full (as memory requires), the rest stays as given.
func TestWithDefaults(t *testing.T) {
	got := Plan{TP: 8, PP: 4, ZeRO: 1, SequenceParallel: true}.WithDefaults(1024)
	want := Plan{TP: 8, PP: 4, DP: 32, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: RecomputeFull, ZeRO: 1, SequenceParallel: true}
	if got.String() != want.String() || got.DP != 32 || got.CP != 1 || got.EP != 1 {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if p := (Plan{TP: 3}).WithDefaults(64); p.DP != 21 || p.Recompute != RecomputeFull {
		t.Errorf("tp 3 on 64 devices: dp %d (want 64/3 = 21), recompute %q", p.DP, p.Recompute)
	}
	if p := (Plan{TP: 128}).WithDefaults(64); p.DP != 1 {
		t.Errorf("tp 128 on 64 devices: dp %d, want 1", p.DP)
	}
	if p := (Plan{DP: 4, Recompute: RecomputeNone}).WithDefaults(64); p.DP != 4 || p.Recompute != RecomputeNone {
		t.Errorf("stated dp and recompute changed: %+v", p)
	}
}

// Valid is Validate without the message: over every combination of small
// degrees (valid or not, dense and MoE, with and without SP) the two agree
// plan by plan, and every broken rule has its own message.
func TestValidAgreesWithValidate(t *testing.T) {
	moe := gpt
	moe.MoE = &llm.MoEConfig{Experts: 8, Active: 2, ExpertFFN: 16384}
	var valid, broken int
	for _, m := range []llm.Model{gpt, moe} {
		prob := Problem{Model: m, Devices: 64, GlobalBatch: 32, Seq: 2048}
		for _, tp := range []int{1, 2, 4, 5, 8} {
			for _, pp := range []int{1, 2, 4, 100} {
				for _, cp := range []int{1, 2, 3} {
					for _, ep := range []int{1, 2, 8} {
						for _, etp := range []int{0, 1, 3} {
							for _, vpp := range []int{1, 2, 50} {
								for _, mb := range []int{1, 2, 3} {
									for _, sp := range []bool{false, true} {
										dp := max(64/(tp*pp*cp), 1)
										pl := Plan{TP: tp, PP: pp, DP: dp, CP: cp, EP: ep, ETP: etp, VPP: vpp, Microbatch: mb,
											Recompute: RecomputeNone, SequenceParallel: sp}
										err := pl.Validate(prob)
										if pl.Valid(prob) != (err == nil) {
											t.Fatalf("%s on %s: Valid %v, Validate %v", pl, m.Name, pl.Valid(prob), err)
										}
										if err == nil {
											valid++
										} else {
											broken++
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	if valid == 0 || broken == 0 {
		t.Fatalf("%d valid and %d broken plans: want both", valid, broken)
	}
	seen := map[string]rule{}
	for r := ruleHeads; r <= ruleSPSplit; r++ {
		msg := Plan{TP: 1, PP: 1, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1}.explain(r, Problem{Model: gpt, Devices: 1, GlobalBatch: 1, Seq: 2048}).Error()
		if prev, ok := seen[msg]; ok {
			t.Errorf("rules %d and %d share the message %q", prev, r, msg)
		}
		seen[msg] = r
	}
}

// A space that states sequence parallelism keeps its tp 1 plans, with it
// off (Megatron's arguments.py: "disable sequence parallelism when
// tp=1"), as a published run written from such a script states it; a
// free choice of sequence parallelism still lists each tp 1 plan once.
func TestStatedSequenceParallelAtTP1(t *testing.T) {
	prob := Problem{Model: gpt, Devices: 8, GlobalBatch: 16, Seq: 2048}
	count := func(sp Space) (tp1, withSP int) {
		shapes, _ := sp.Shapes(prob)
		for _, sh := range shapes {
			sp.Each(prob, sh, func(p Plan) bool {
				if p.TP == 1 {
					tp1++
					if p.SequenceParallel {
						withSP++
					}
				}
				return true
			})
		}
		return tp1, withSP
	}
	base := Space{TP: 1, PP: 1, CP: 1, Recompute: []Recompute{RecomputeFull}, ZeRO: []int{0}}
	stated, free, off := base, base, base
	stated.SP, off.SP = []bool{true}, []bool{false}
	n, on := count(stated)
	nFree, _ := count(free)
	nOff, _ := count(off)
	// dp 8, local batch 2: micro-batches 1 and 2.
	if n != 2 || on != 0 || nFree != 2 || nOff != 2 {
		t.Errorf("tp 1 plans: stated sp %d (%d with sp on), free %d, sp off %d; want 2 (0), 2, 2", n, on, nFree, nOff)
	}
}

// FirstInvalid names the rule a shape's first rejected plan breaks, and
// nil for a shape with none rejected.
func TestFirstInvalidNamesTheRule(t *testing.T) {
	prob := Problem{Model: gpt, Devices: 8, GlobalBatch: 16, Seq: 2048}
	sh := Shape{TP: 8, PP: 1, DP: 1, CP: 1}
	bad := Space{VPP: 2, Recompute: []Recompute{RecomputeFull}, ZeRO: []int{0}, SP: []bool{false}}
	if err := bad.FirstInvalid(prob, sh); err == nil || !strings.Contains(err.Error(), "vpp = 2") {
		t.Errorf("vpp 2 at pp 1: %v, want an error naming vpp", err)
	}
	good := Space{Recompute: []Recompute{RecomputeFull}, ZeRO: []int{0}, SP: []bool{false}}
	if err := good.FirstInvalid(prob, sh); err != nil {
		t.Errorf("a shape with only valid plans: %v, want nil", err)
	}
}

// TestEPErrorListsAllowed: an ep that does not divide dp·cp lists the
// values that do (and divide the experts), and mentions etp only where an
// expert tensor-parallel degree makes the stated ep legal (QA: ep 64 over
// tp 2 · dp 8 = 16 devices per stage was told to set etp, which no etp
// helps). TP 2 PP 16 DP 8 on 256 devices, 256 experts.
func TestEPErrorListsAllowed(t *testing.T) {
	moe := gpt
	moe.Heads, moe.KVHeads = 128, 128
	moe.MoE = &llm.MoEConfig{Experts: 256, Active: 8, ExpertFFN: 2048}
	prob := Problem{Model: moe, Devices: 256, GlobalBatch: 2048, Seq: 4096}
	base := Plan{TP: 2, PP: 16, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: RecomputeFull}
	for _, c := range []struct {
		ep   int
		want string
	}{
		{64, "ep = 64: must divide dp·cp = 8: allowed 1, 2, 4, 8"},
		{16, "ep = 16: must divide dp·cp = 8: allowed 1, 2, 4, 8; with etp 1 (an expert tensor-parallel degree, etp·ep may span tp·cp·dp = 16) also 16"},
	} {
		p := base
		p.EP = c.ep
		err := p.Validate(prob)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || (c.ep == 64 && strings.Contains(err.Error(), "etp")) {
			t.Errorf("ep %d: %v; want %q", c.ep, err, c.want)
		}
	}
	// 12 experts: 8 does not divide them, so it is not offered.
	moe.MoE = &llm.MoEConfig{Experts: 12, Active: 2, ExpertFFN: 2048}
	p := base
	p.EP = 3
	if err := p.Validate(Problem{Model: moe, Devices: 256, GlobalBatch: 2048, Seq: 4096}); err == nil || err.Error() != "ep = 3: must divide dp·cp = 8: allowed 1, 2, 4" {
		t.Errorf("ep 3 of 12 experts: %v", err)
	}
}
