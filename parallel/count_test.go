package parallel_test

import (
	"testing"

	"chipgap/catalog"
	"chipgap/parallel"
)

// eachPlans counts the plans Space.Each yields: what training.Search
// estimates in one pass.
func eachPlans(prob parallel.Problem, sp parallel.Space) int {
	shapes, _ := sp.Shapes(prob)
	n := 0
	for _, sh := range shapes {
		sp.Each(prob, sh, func(parallel.Plan) bool { n++; return true })
	}
	return n
}

// TestCountPlansCountsEach: CountPlans, which multiplies the valid
// choices of each group of degrees, counts exactly the plans Space.Each
// walks, over dense and MoE models, sizes that are and are not powers of
// two, global batches, the stacks' restricted spaces and stated degrees
// (a stated sp with tp 1, moe recompute alone on a dense model, a
// stated ep, etp, vpp and micro-batch).
func TestCountPlansCountsEach(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	cuda, _, err := c.TrainingProfile("cuda", "")
	if err != nil {
		t.Fatal(err)
	}
	cann, _, err := c.TrainingProfile("cann", "")
	if err != nil {
		t.Fatal(err)
	}
	spaces := []struct {
		name string
		sp   parallel.Space
	}{
		{"free", parallel.Space{}},
		{"cuda", cuda.Restrict(parallel.Space{MaxTP: 8})},
		{"cann", cann.Restrict(parallel.Space{MaxTP: 16})},
		{"sp stated", parallel.Space{SP: []bool{true}, MaxTP: 8}},
		{"sp stated twice", parallel.Space{SP: []bool{true, false}, MaxTP: 8}},
		{"tp 1, sp stated", parallel.Space{TP: 1, SP: []bool{true}}},
		{"moe recompute alone", parallel.Space{Recompute: []parallel.Recompute{parallel.RecomputeMoE}}},
		{"moe recompute too", parallel.Space{Recompute: []parallel.Recompute{parallel.RecomputeNone, parallel.RecomputeMoE}, ZeRO: []int{1}}},
		{"ep 8", parallel.Space{EP: 8, MaxTP: 8}},
		{"etp 1", parallel.Space{ETP: 1, MaxTP: 8}},
		{"vpp 2, mb 1", parallel.Space{VPP: 2, Microbatch: 1, MaxVPP: 4}},
	}
	for _, tc := range []struct {
		model       string
		devices, gb int
		seq         int
	}{
		{"llama3.1-8b", 64, 2048, 8192},
		{"llama3.1-70b", 96, 3000, 4096},
		{"deepseek-v3", 128, 2048, 8192},
		{"deepseek-v3", 192, 16384, 4096},
		{"mixtral-8x7b", 120, 360, 4096},
	} {
		m, err := c.Model(tc.model)
		if err != nil {
			t.Fatal(err)
		}
		prob := parallel.Problem{Model: m, Devices: tc.devices, GlobalBatch: tc.gb, Seq: tc.seq}
		for _, s := range spaces {
			want := eachPlans(prob, s.sp)
			if got := s.sp.CountPlans(prob); got != want {
				t.Errorf("%s ×%d, batch %d, space %s: CountPlans %d, Each walks %d", tc.model, tc.devices, tc.gb, s.name, got, want)
			}
			if want == 0 && s.name != "moe recompute alone" && (s.name != "ep 8" || m.MoE != nil) {
				t.Errorf("%s ×%d, space %s: no plan, a weak check", tc.model, tc.devices, s.name)
			}
		}
	}
}
