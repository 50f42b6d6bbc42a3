package training_test

import (
	"math"
	"testing"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/training"
)

// Properties every estimate must keep, checked on the best plans the
// search ranks for catalog models, chips and stacks (dense and MoE, GPU,
// NPU and TPU; long sequences with CP, FSDP, compiled remat): the search
// ranks a plan at what Estimate gives it and only plans that fit; FP8
// never slows a Megatron-Core step; recomputing never makes a step
// faster or its activations larger; MFU ≤ HFU ≤ 1; the breakdown adds up
// to the step; a faster scale-out network never slows a step, a larger
// global batch never lowers the throughput per chip, and on a MoE plan
// expert imbalance never speeds it up nor hierarchical dispatch slows it. A mechanism that one
// policy charges in memory but not in time (the MoE-block recompute did,
// until 3 Dec 2026) breaks the first.
func TestEstimateInvariants(t *testing.T) {
	if testing.Short() {
		t.Skip("searches several catalog cases")
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		model, chip, stack string
		chips, batch, seq  int
		prec               hardware.Precision
	}{
		{"llama3.1-70b", "h100-sxm", "cuda-mcore", 64, 256, 8192, hardware.BF16},
		{"qwen3-30b-a3b", "h100-sxm", "cuda-mcore", 16, 256, 4096, hardware.FP8},
		{"mixtral-8x7b", "ascend-910b", "cann-mindspeed", 32, 256, 4096, hardware.BF16},
		{"deepseek-v3", "b200", "cuda-mcore", 256, 1024, 4096, hardware.FP8},
		{"llama3.1-8b", "b200", "cuda-mcore", 32, 64, 65536, hardware.BF16},
		{"llama2-70b", "ascend-910b", "mindformers", 32, 64, 4096, hardware.BF16},
		{"llama3.1-8b", "a100-sxm4-80gb", "cuda-fsdp", 64, 512, 8192, hardware.BF16},
		{"llama2-13b", "tpu-v5p", "xla-jax", 64, 256, 4096, hardware.BF16},
		{"llama3.1-70b", "gaudi3", "synapse", 64, 256, 4096, hardware.BF16},
		{"deepseek-v3", "ascend-910c", "cann-mindspeed", 512, 1024, 4096, hardware.BF16},
		{"gpt3-175b", "a100-sxm4-80gb", "cuda-megatron", 1024, 1536, 2048, hardware.BF16},
	} {
		t.Run(c.model+"/"+c.chip, func(t *testing.T) {
			m, err := cat.Model(c.model)
			if err != nil {
				t.Fatal(err)
			}
			cl, err := cat.Cluster(c.chip, c.chips, catalog.ClusterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			prof, err := cat.TrainingProfileByID(c.stack)
			if err != nil {
				t.Fatal(err)
			}
			job := training.Job{Seq: c.seq, GlobalBatch: c.batch, Precision: c.prec}
			sr, err := training.Search(m, cl, prof, job, training.SearchOptions{Top: 40})
			if err != nil {
				t.Fatal(err)
			}
			if len(sr.Top) == 0 {
				t.Fatal("no plan fits")
			}
			if len(sr.Practice) > 0 && sr.Practice[0].StepTime < sr.Top[0].StepTime {
				t.Errorf("the best plan in published practice, %s at %v, beats the best of all, %s at %v", sr.Practice[0].Plan, sr.Practice[0].StepTime, sr.Top[0].Plan, sr.Top[0].StepTime)
			}
			fast := cl
			fast.ScaleOut.Bandwidth *= 2
			for _, r := range sr.Top {
				checkResult(t, r)
				if r.Memory.Total > r.Memory.Capacity {
					t.Errorf("%s: ranked though it needs %v of %v", r.Plan, r.Memory.Total, r.Memory.Capacity)
				}
				if c.prec == hardware.BF16 && c.stack == "cuda-mcore" {
					fp8 := job
					fp8.Precision = hardware.FP8
					if f, err := training.Estimate(m, r.Plan, cl, prof, fp8); err == nil && f.StepTime > r.StepTime*(1+1e-9) {
						t.Errorf("%s: FP8 steps in %v, slower than BF16's %v", r.Plan, f.StepTime, r.StepTime)
					}
				}
				if e, err := training.Estimate(m, r.Plan, cl, prof, job); err != nil || math.Abs(float64(e.StepTime/r.StepTime)-1) > 1e-12 || e.Memory.Total != r.Memory.Total {
					t.Errorf("%s: the search ranks it at %v and %v, Estimate gives %v and %v (%v)", r.Plan, r.StepTime, r.Memory.Total, e.StepTime, e.Memory.Total, err)
				}
				checkRecomputeOrder(t, m, r.Plan, cl, prof, job)
				if f, err := training.Estimate(m, r.Plan, fast, prof, job); err != nil || f.StepTime > r.StepTime*(1+1e-9) {
					t.Errorf("%s: twice the scale-out bandwidth gives %v (%v), was %v", r.Plan, f.StepTime, err, r.StepTime)
				}
				more := job
				more.GlobalBatch *= 2
				if f, err := training.Estimate(m, r.Plan, cl, prof, more); err != nil || f.TokensPerSecPerChip < r.TokensPerSecPerChip*(1-1e-9) {
					t.Errorf("%s: twice the global batch gives %g tokens/s per chip (%v), was %g", r.Plan, f.TokensPerSecPerChip, err, r.TokensPerSecPerChip)
				}
				if m.MoE == nil || r.Plan.EP <= 1 {
					continue
				}
				hot := job
				hot.ExpertImbalance = 1.5
				if f, err := training.Estimate(m, r.Plan, cl, prof, hot); err != nil || f.StepTime < r.StepTime*(1-1e-9) {
					t.Errorf("%s: an expert imbalance of 1.5 gives %v (%v), was %v", r.Plan, f.StepTime, err, r.StepTime)
				}
				hier := job
				hier.Dispatch = training.DispatchHierarchical
				if f, err := training.Estimate(m, r.Plan, cl, prof, hier); err != nil || f.StepTime > r.StepTime*(1+1e-9) {
					t.Errorf("%s: hierarchical dispatch gives %v (%v), was %v", r.Plan, f.StepTime, err, r.StepTime)
				}
			}
		})
	}
}

func checkResult(t *testing.T, r training.Result) {
	t.Helper()
	if !(r.MFU > 0 && r.MFU <= r.HFU*(1+1e-9) && r.HFU <= 1) {
		t.Errorf("%s: MFU %g, HFU %g: want 0 < MFU ≤ HFU ≤ 1", r.Plan, r.MFU, r.HFU)
	}
	if sum := r.Breakdown.Total(); math.Abs(float64(sum-r.StepTime)) > 1e-9*float64(r.StepTime) {
		t.Errorf("%s: breakdown adds to %v, step %v", r.Plan, sum, r.StepTime)
	}
}

// checkRecomputeOrder estimates plan pl again under each recompute
// policy the stack offers and the model takes: none is the fastest and
// holds the most activations (full recompute redoes only the layers
// memory needs, so none of them where none fits).
func checkRecomputeOrder(t *testing.T, m llm.Model, pl parallel.Plan, cl hardware.Cluster, prof training.Profile, job training.Job) {
	t.Helper()
	at := func(rc parallel.Recompute) (training.Result, bool) {
		q := pl
		q.Recompute, q.RecomputeLayers = rc, nil
		r, err := training.Estimate(m, q, cl, prof, job)
		return r, err == nil
	}
	none, ok := at(parallel.RecomputeNone)
	if !ok {
		return
	}
	for _, rc := range []parallel.Recompute{parallel.RecomputeSelective, parallel.RecomputeFull, parallel.RecomputeMoE} {
		r, ok := at(rc)
		if !ok {
			continue
		}
		if r.StepTime < none.StepTime*(1-1e-9) {
			t.Errorf("%s: recompute=%s steps in %v, faster than none's %v", pl, rc, r.StepTime, none.StepTime)
		}
		if r.Memory.Activations > none.Memory.Activations*(1+1e-9) {
			t.Errorf("%s: recompute=%s holds %v of activations, more than none's %v", pl, rc, r.Memory.Activations, none.Memory.Activations)
		}
		if rc != parallel.RecomputeFull && r.HFU > r.MFU*(1+1e-9) && r.StepTime <= none.StepTime*(1+1e-12) {
			t.Errorf("%s: recompute=%s counts recomputed FLOPs (HFU %g > MFU %g) but costs no time", pl, rc, r.HFU, r.MFU)
		}
	}
}

// An H200 is an H100 with more and faster HBM, an H800 one with less
// NVLink bandwidth: the same plan is never slower on the H200 nor faster
// on the H800.
func TestHopperVariantsOrder(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	prof, err := cat.TrainingProfileByID("cuda-mcore")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		model string
		plan  parallel.Plan
		job   training.Job
	}{
		{"llama3.1-70b", parallel.Plan{TP: 8, PP: 4, DP: 2, CP: 1, EP: 1, VPP: 5, Microbatch: 1, Recompute: parallel.RecomputeSelective, ZeRO: 1, SequenceParallel: true},
			training.Job{Seq: 8192, GlobalBatch: 128, Precision: hardware.BF16}},
		{"qwen3-30b-a3b", parallel.Plan{TP: 1, PP: 2, DP: 32, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone, ZeRO: 1},
			training.Job{Seq: 4096, GlobalBatch: 512, Precision: hardware.FP8}},
	} {
		m, err := cat.Model(c.model)
		if err != nil {
			t.Fatal(err)
		}
		step := map[string]float64{}
		for _, chip := range []string{"h100-sxm", "h200-sxm", "h800-sxm"} {
			cl, err := cat.Cluster(chip, 64, catalog.ClusterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r, err := training.Estimate(m, c.plan, cl, prof, c.job)
			if err != nil {
				t.Fatalf("%s on %s: %v", c.model, chip, err)
			}
			step[chip] = float64(r.StepTime)
		}
		if step["h200-sxm"] > step["h100-sxm"]*(1+1e-9) || step["h800-sxm"] < step["h100-sxm"]*(1-1e-9) {
			t.Errorf("%s: step %v", c.model, step)
		}
	}
}
