package training_test

import (
	"testing"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/training"
)

// BenchmarkSearchMTNLG is the speed target: Megatron-Turing NLG
// 530B (105 layers, h 20480, 128 heads, seq 2048) on 5128 A100-80GB with
// global batch 2520, the full space. It reports plans estimated per second
// (Calculon: 8,112 plans in 70.8 s, 117 plans/s, on this machine class).
func BenchmarkSearchMTNLG(b *testing.B) {
	benchSearch(b, "mt-nlg-530b", "a100-sxm4-80gb", 5128, training.Job{Seq: 2048, GlobalBatch: 2520, Precision: hardware.BF16})
}

// BenchmarkSearchLarge is a wide space: Llama-3.1-405B-like GQA on 16384
// H100 with batch 2048, every dimension free (CP included).
func BenchmarkSearchLarge(b *testing.B) {
	benchSearch(b, "llama3.1-405b", "h100-sxm", 16384, training.Job{Seq: 8192, GlobalBatch: 2048, Precision: hardware.BF16})
}

// benchSearch runs the full plan search for model on chips × chip and
// reports plans per second and the ratio to Calculon's.
func benchSearch(b *testing.B, model, chip string, chips int, job training.Job) {
	cat, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	m, err := cat.Model(model)
	if err != nil {
		b.Fatal(err)
	}
	c, err := cat.Cluster(chip, chips, catalog.ClusterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	prof, _, err := cat.TrainingProfile(c.Stack, "")
	if err != nil {
		b.Fatal(err)
	}
	plans := 0
	for b.Loop() {
		sr, err := training.Search(m, c, prof, job, training.SearchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		plans += sr.Evaluated
	}
	rate := float64(plans) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "plans/s")
	b.ReportMetric(rate/calculonPlansPerSec, "x-calculon")
}

// calculonPlansPerSec is the baseline: Calculon's llm-optimal-execution on
// the MT-NLG 530B / 5128 A100 case, 8,112 plans in 70.8 s on a 2-core
// machine like ours (docs: ../shared/docs/peers.md).
const calculonPlansPerSec = 117
