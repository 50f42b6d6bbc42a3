package runs

import (
	"math"
	"testing"

	"chipgap/llm"
)

// A chip problem is the same chip, model, sequence and precision at any
// scale, batch, plan, software or release; a stated node size equal to
// the chip's usual one is no difference, another one is.
func TestChipProblem(t *testing.T) {
	a := Run{ID: "a", Kind: KindTraining, System: System{Chip: "gb200", Chips: 512, Software: "nemo 25.04"},
		Model:    llm.Model{Name: "DeepSeek-V3", Layers: 61, Hidden: 7168},
		Training: &Training{SeqLen: 4096, GlobalBatch: 2048, Precision: "bf16", Parallel: Parallel{TP: 2, PP: 4, EP: 64}}}
	b := a
	b.System = System{Chip: "gb200", Chips: 256, ChipsPerNode: 72, Software: "megatron-bridge 25.11"}
	b.Model.Name = "DeepSeek-V3 (671B MoE)"
	b.Training = &Training{SeqLen: 4096, GlobalBatch: 8192, Precision: "bf16", Parallel: Parallel{PP: 4, EP: 64}, Recompute: "full"}
	if ChipProblem(a, 72) != ChipProblem(b, 72) {
		t.Errorf("two scales, batches, plans and frameworks of one chip problem read as different:\n%s\n%s", ChipProblem(a, 72), ChipProblem(b, 72))
	}
	if ChipProblem(b, 72) == ChipProblem(b, 4) {
		t.Error("a stated node of 72 read as the usual one where the usual one is 4")
	}
	c, d := b, b
	c.Training = &Training{SeqLen: 4096, Precision: "fp8"}
	d.Training = &Training{SeqLen: 8192, Precision: "bf16"}
	if ChipProblem(c, 72) == ChipProblem(b, 72) || ChipProblem(d, 72) == ChipProblem(b, 72) {
		t.Error("a different precision or sequence read as the same chip problem")
	}
	if a.System.Chips != 512 || a.Model.Name != "DeepSeek-V3" || ChipProblem(Run{Kind: KindInference}, 8) != "" {
		t.Error("ChipProblem changed its argument, or keyed a run without training")
	}
}

// Worked by hand: DeepSeek-V3 with NeMo 25.04 on 512 GB200 (BF16, 956.1
// tokens/s per GPU) searched to 3,200.07 is 3200.07 / 3139 − 1 = +1.95 %
// over Megatron-Bridge 25.11's 3,139 on 256 GB200, which is its chip
// problem's best; that run's own search (3,356) is over its own
// measurement, 3356 / 3139 − 1 = +6.91 %. An FP8 run is another problem
// and keeps its own; an inference run is not compared.
func TestCompareOnChip(t *testing.T) {
	run := func(id, prec string, chips int) Run {
		return Run{ID: id, Kind: KindTraining, System: System{Chip: "gb200", Chips: chips}, Model: llm.Model{Layers: 61, Hidden: 7168},
			Training: &Training{SeqLen: 4096, Precision: prec}}
	}
	f := func(v float64) *float64 { return &v }
	in := []Run{run("nemo", "bf16", 512), run("mbridge", "bf16", 256), run("fp8", "fp8", 256), {ID: "serve", Kind: KindInference}}
	rs := []Result{
		{ID: "nemo", Kind: KindTraining, Metric: MetricTokensPerChip, Measured: 956.1, Error: f(0), FreePredicted: f(3200.07)},
		{ID: "mbridge", Kind: KindTraining, Metric: MetricTokensPerChip, Measured: 3139, Error: f(0), FreePredicted: f(3356)},
		{ID: "fp8", Kind: KindTraining, Metric: MetricTokensPerChip, Measured: 4018, Error: f(0), FreePredicted: f(4100)},
		{ID: "serve", Kind: KindInference, Metric: "output_tokens_per_s_per_chip", Measured: 5000, FreePredicted: f(1)},
	}
	CompareOnChip(rs, in, func(string) int { return 72 })
	for i, want := range []struct {
		at   string
		best float64
		over float64
	}{{"mbridge", 3139, 0.01946}, {"mbridge", 3139, 0.06913}, {"fp8", 4018, 4100/4018.0 - 1}} {
		r := rs[i]
		if r.FreeBestAt != want.at || r.FreeBest == nil || *r.FreeBest != want.best || math.Abs(*r.FreeOverBest-want.over) > 5e-5 {
			t.Errorf("%s: best %v at %q, over it %v; want %g at %q, %+.5f", r.ID, r.FreeBest, r.FreeBestAt, r.FreeOverBest, want.best, want.at, want.over)
		}
	}
	if rs[3].FreeOverBest != nil {
		t.Error("an inference run compared on chip")
	}
	s := Summarize(rs)
	if s.FreeMaxOverBestAt != "mbridge" || math.Abs(s.FreeMaxOverBest-0.06913) > 5e-5 {
		t.Errorf("summary: largest over the best %+.4f at %q, want +0.0691 at mbridge", s.FreeMaxOverBest, s.FreeMaxOverBestAt)
	}
	own := []Result{rs[2]}
	if s := Summarize(own); s.FreeMaxOverBestAt != "" {
		t.Error("a summary whose runs are each their own best reports an optimism over the best")
	}
}

// A sketch small enough to count by hand: 2 layers, hidden 8, 2 heads of
// 4 (MHA), a GeLU MLP of 16, vocabulary 32, sequences of 4 tokens. Per
// token and layer the GEMMs are 2·8·24 (QKV) + 2·8·8 (output) + 2·8·16 ·
// 2 (MLP) = 1,024 FLOPs, the head 2·8·32 = 512, and causal attention
// 2·2·(4+4)·(4+1)/2 = 80 a layer: forward 2·1,024 + 512 + 2·80 = 2,720,
// training 3 × 2,720 = 8,160 FLOPs a token. One MTP module adds its 2h→h
// projection 2·16·8 = 256, one layer's GEMMs 1,024, the shared head 512
// and one layer's attention 80: 3 × 1,872 = 5,616, so 13,776 a token.
// Runs with and without the module are one chip problem, ranked by work
// per second: 1,000 tokens/s without the module is 8,160,000 FLOP/s,
// 592.3 tokens/s of the MTP run's 13,776 FLOPs each, so a search of 600
// for the MTP run is 600 / 592.33 − 1 = +1.29 % over that best.
func TestWorkPerTokenMTP(t *testing.T) {
	m := llm.Model{Layers: 2, Hidden: 8, Heads: 2, KVHeads: 2, FFN: 16, Act: llm.GeLU, Vocab: 32, Attention: llm.MHA}
	run := func(id string, mtp int) Run {
		mm := m
		mm.MTPModules = mtp
		return Run{ID: id, Kind: KindTraining, System: System{Chip: "gb200", Chips: 64}, Model: mm, Training: &Training{SeqLen: 4, Precision: "bf16"}}
	}
	without, with := run("without", 0), run("with", 1)
	if got := WorkPerToken(without); math.Abs(got-8160) > 1e-6 {
		t.Errorf("training FLOPs a token without MTP %.1f, want 8,160", got)
	}
	if got := WorkPerToken(with); math.Abs(got-13776) > 1e-6 {
		t.Errorf("training FLOPs a token with one MTP module %.1f, want 13,776", got)
	}
	if ChipProblem(with, 72) != ChipProblem(without, 72) {
		t.Error("runs with and without MTP modules read as different chip problems")
	}
	f := func(v float64) *float64 { return &v }
	rs := []Result{
		{ID: "without", Kind: KindTraining, Metric: MetricTokensPerChip, Measured: 1000, Error: f(0), FreePredicted: f(1000)},
		{ID: "with", Kind: KindTraining, Metric: MetricTokensPerChip, Measured: 400, Error: f(0), FreePredicted: f(600)},
	}
	CompareOnChip(rs, []Run{without, with}, func(string) int { return 72 })
	r := rs[1]
	if r.FreeBestAt != "without" || math.Abs(*r.FreeBest-1000*8160.0/13776) > 1e-6 || math.Abs(*r.FreeOverBest-0.012949) > 1e-5 {
		t.Errorf("MTP run: best %.2f at %q, over it %+.5f; want 592.33 at \"without\", +0.01295", *r.FreeBest, r.FreeBestAt, *r.FreeOverBest)
	}
	if r := rs[0]; r.FreeBestAt != "without" || math.Abs(*r.FreeBest-1000) > 1e-9 {
		t.Errorf("the run without MTP: best %.2f at %q, want its own 1,000", *r.FreeBest, r.FreeBestAt)
	}
}
