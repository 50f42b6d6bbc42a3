package training_test

import (
	"testing"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/training"
)

// DeepSeek-V3's pre-training (report Sec. 3.2: 2048 H800, PP 16, EP 64,
// DP 128, ZeRO-1, seq 4096, batch 15360, FP8) with its one MTP module
// costs about what the module's FLOPs add: a layer, the 2h→h projection
// and a second pass through the head, 3.9 % of the model's forward (the
// step 5.3 % longer). Put
// beside a full stage of 4 layers and the head it made the last stage
// 40 % slower (+47 % chip-hours in validate); the split makes room for it
// in the even split's spare slots (61 layers in 16 stages of up to 4:
// 4 × 14, 3, 2, as a run could state it).
func TestDeepSeekV3MTPCostsItsFLOPs(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	m, err := cat.Model("deepseek-v3")
	if err != nil {
		t.Fatal(err)
	}
	c, err := cat.Cluster("h800-sxm", 2048, catalog.ClusterOptions{ChipsPerNode: 8})
	if err != nil {
		t.Fatal(err)
	}
	prof, _, err := cat.TrainingProfile(c.Stack, "hai-llm")
	if err != nil {
		t.Fatal(err)
	}
	job := training.Job{Seq: 4096, GlobalBatch: 15360, Precision: hardware.FP8}
	space := parallel.Space{TP: 1, PP: 16, DP: 128, EP: 64, CP: 1, ZeRO: []int{1}}
	rate := func(m llm.Model) float64 {
		sr, err := training.Search(m, c, prof, job, training.SearchOptions{Space: space, Top: 1, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		return sr.Best().TokensPerSecPerChip
	}
	with := rate(m)
	m.MTPModules = 0
	without := rate(m)
	m.MTPModules = 1
	d := m.WithDefaults()
	flops := 1 + float64(d.MTPFLOPsPerToken())/float64(d.ForwardFLOPsPerToken(job.Seq, true))
	got := without / with
	t.Logf("tokens/s per chip %.0f without MTP, %.0f with: %.3f× the time; FLOPs %.3f×", without, with, got, flops)
	if got < 1 || got > flops*1.03 {
		t.Errorf("one MTP module costs %.3f× the step time, want about its FLOPs' %.3f× (within 3 %%)", got, flops)
	}
}
