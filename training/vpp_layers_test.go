package training_test

import (
	"math"
	"testing"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/parallel"
	"chipgap/training"
)

// Interleaving splits a stage's layers into virtual stages; it does not
// add layers. Llama 3.1 70B (80 layers) at TP 8, PP 4, DP 2 holds 20
// layers a stage at VPP 19 (76 virtual stages of one or two layers) as at
// VPP 20 (80 of one), so the data-parallel sync and the optimizer step,
// which move and update those 20 layers' weights, take the same time.
// Until 7 Dec 2026 they were charged for VPP·⌈L/(PP·VPP)⌉ = 19·⌈80/76⌉ =
// 38 layers at VPP 19 (DP 213.2 ms and optimizer 88.23 ms against 77.32
// and 63.8 ms at VPP 20).
//
// The optimizer by hand (cuda-mcore on H100 SXM: 34 bytes per parameter,
// memory_eff 0.40, 3.35 TB/s, step_host_s 35 ms): a layer's GEMMs hold
// 2·8192² (Q, O) + 2·8192·1024 (K, V) + 3·8192·28672 (MLP) =
// 855,638,016 weights (the norms are not counted); the first stage's 20
// layers and the untied embedding (128256·8192 = 1,050,673,152; the last
// stage's head is the same size) are 18,163,433,472, over TP 8 and
// ZeRO-1's DP 2 1,135,214,592 a device; 34 bytes each over
// 3.35e12·0.40 B/s is 28.8040 ms, plus 35 ms: 63.8040 ms.
func TestVPPRemainderAddsNoLayers(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	m, err := cat.Model("llama3.1-70b")
	if err != nil {
		t.Fatal(err)
	}
	c, err := cat.Cluster("h100-sxm", 64, catalog.ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prof, err := cat.TrainingProfileByID("cuda-mcore")
	if err != nil {
		t.Fatal(err)
	}
	if prof.OptimizerStepBytes.Value != 34 || prof.MemoryEff.Value != 0.40 || prof.StepHost.Value != 0.035 ||
		float64(c.Chip.HBM.Bandwidth.Typ) != 3.35e12 {
		t.Fatalf("the hand calculation takes 34 B, memory_eff 0.40, step_host_s 0.035 and 3.35 TB/s; the catalog has %g, %g, %g, %g",
			prof.OptimizerStepBytes.Value, prof.MemoryEff.Value, prof.StepHost.Value, float64(c.Chip.HBM.Bandwidth.Typ))
	}
	job := training.Job{Seq: 4096, GlobalBatch: 32, Precision: hardware.BF16}
	run := func(vpp int) training.Result {
		t.Helper()
		pl := parallel.Plan{TP: 8, PP: 4, DP: 2, CP: 1, EP: 1, VPP: vpp, Microbatch: 1, Recompute: parallel.RecomputeNone, ZeRO: 1}
		r, err := training.Estimate(m, pl, c, prof, job)
		if err != nil {
			t.Fatalf("vpp %d: %v", vpp, err)
		}
		return r
	}
	r19, r20 := run(19), run(20)
	const want = 0.035 + 34*1_135_214_592/(3.35e12*0.40)
	for _, r := range []training.Result{r19, r20} {
		if got := float64(r.Breakdown.Optimizer); math.Abs(got/want-1) > 1e-9 {
			t.Errorf("vpp %d: optimizer %.6g s, want %.6g s (20 layers and the embedding)", r.Plan.VPP, got, want)
		}
		if r.Memory.StageLayers != 20 {
			t.Errorf("vpp %d: memory's stage holds %d layers, want 20", r.Plan.VPP, r.Memory.StageLayers)
		}
	}
	if r19.Breakdown.DP != r20.Breakdown.DP {
		t.Errorf("data-parallel sync: %v at vpp 19, %v at vpp 20: the stages hold the same 20 layers", r19.Breakdown.DP, r20.Breakdown.DP)
	}
	if r19.Breakdown.Compute != r20.Breakdown.Compute || r19.Memory.Weights != r20.Memory.Weights {
		t.Errorf("compute %v and weights %v at vpp 19, %v and %v at vpp 20: the same 20 layers",
			r19.Breakdown.Compute, r19.Memory.Weights, r20.Breakdown.Compute, r20.Memory.Weights)
	}
}
