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
