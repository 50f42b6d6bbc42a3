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

// A profile's dated versions: At picks the latest version on or before
// the date (the earliest for a date before them all) and applies its
// parameters; "" is the current profile.
func TestProfileAtPicksTheVersionByDate(t *testing.T) {
	prof := ideal()
	prof.Versions = []Version{
		{Date: "2024-01-23", Tag: "v1", Params: map[string]Param{"matmul_max": p(0.5)}, Note: "test"},
		{Date: "2024-05-16", Tag: "v2", Params: map[string]Param{"matmul_max": p(0.8)}, Note: "test"},
		{Date: "2024-10-30", Tag: "v3", Note: "current"},
	}
	for _, c := range []struct {
		date  string
		want  float64
		state string
	}{
		{"", 1, "v3 (2024-10-30, the current state)"}, {"2024-03-01", 0.5, "v1 (2024-01-23)"}, {"2024-05-16", 0.8, "v2 (2024-05-16)"},
		{"2025-01-01", 1, "v3 (2024-10-30)"}, {"2023-01-01", 0.5, "v1 (2024-01-23), the earliest known state"},
	} {
		got, err := prof.At(c.date)
		if err != nil {
			t.Fatalf("At(%q): %v", c.date, err)
		}
		if got.MatmulMax.Value != c.want || !strings.HasPrefix(got.State, c.state) {
			t.Errorf("At(%q) = matmul_max %g, state %q; want %g, %q", c.date, got.MatmulMax.Value, got.State, c.want, c.state)
		}
	}
	if _, err := prof.At("2024-02-30"); err == nil || !strings.HasPrefix(err.Error(), "stack_date = ") {
		t.Errorf("At(2024-02-30) = %v; want an error naming stack_date", err)
	}
	if prof.MatmulMax.Value != 1 {
		t.Error("At changed the profile it was called on")
	}
}

// A release a run names: its tag where a version has it; for a calendar
// release (YY.MM, YY.MM.PP) that none has, its YY.MM's version, else the
// state on the release's first day; any other unknown tag is not taken.
func TestProfileAtReleaseByCalendarTag(t *testing.T) {
	prof := ideal()
	prof.Versions = []Version{
		{Date: "2024-03-01", Tag: "24.03", Params: map[string]Param{"matmul_max": p(0.5)}, Note: "test"},
		{Date: "2025-12-09", Tag: "25.11", Params: map[string]Param{"matmul_max": p(0.8)}, Note: "test"},
		{Date: "2026-05-13", Tag: "mcore-2026-05", Note: "current"},
	}
	for _, c := range []struct {
		tag   string
		ok    bool
		want  float64
		state string
	}{
		{"24.03", true, 0.5, "24.03 (2024-03-01)"},
		{"24.12", true, 0.5, "24.03 (2024-03-01)"},       // by date: 2024-12-01
		{"25.11.01", true, 0.8, "25.11 (2025-12-09)"},    // its YY.MM's version, not 2025-11-01 (before 25.11's date)
		{"26.04.01", true, 0.8, "25.11 (2025-12-09)"},    // by date: 2026-04-01
		{"26.06", true, 1, "mcore-2026-05 (2026-05-13)"}, // by date: the current values
		{"23.11", true, 0.5, "24.03 (2024-03-01), the earliest known state"},
		{"2025-05-24", true, 0.5, "24.03 (2024-03-01)"},       // a date: the state that day
		{"2025-12-09", true, 0.8, "25.11 (2025-12-09)"},       // a version's own day
		{"2026-08-21", true, 1, "mcore-2026-05 (2026-05-13)"}, // after the last version: the current values
		{"v9.9", false, 1, ""}, {"25.13", false, 1, ""}, {"2025.11", false, 1, ""},
		{"2025-13-01", false, 1, ""}, {"2025-02-30", false, 1, ""}, {"25-05-24", false, 1, ""},
	} {
		got, ok := prof.AtRelease(c.tag)
		if ok != c.ok || got.MatmulMax.Value != c.want || !strings.HasPrefix(got.State, c.state) {
			t.Errorf("AtRelease(%q) = ok %v, matmul_max %g, state %q; want %v, %g, %q", c.tag, ok, got.MatmulMax.Value, got.State, c.ok, c.want, c.state)
		}
	}
	// A named release's state keeps the current values as the base of an
	// explicit date given later (validate --stack-date wins).
	got, _ := prof.AtRelease("24.12")
	if later, err := got.At("2026-06-01"); err != nil || later.MatmulMax.Value != 1 {
		t.Errorf("At(2026-06-01) after AtRelease(24.12) = %g, %v; want the current 1", later.MatmulMax.Value, err)
	}
}

// A stack without context parallelism keeps the search at CP 1 and
// rejects a plan asking for more; the practice search keeps at least
// CPMinTokens tokens per CP rank.
func TestContextParallelFeatureAndPractice(t *testing.T) {
	prof := ideal()
	prof.ContextParallel = p(0)
	pl := parallel.Plan{TP: 1, PP: 1, DP: 4, CP: 2, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	if err := prof.Supports(pl); err == nil || !strings.HasPrefix(err.Error(), "cp = 2") {
		t.Errorf("Supports(cp 2) without CP = %v; want an error naming cp", err)
	}
	if sp := prof.Restrict(parallel.Space{}); sp.CP != 1 {
		t.Errorf("Restrict left CP %d free; want 1", sp.CP)
	}
	prof.ContextParallel, prof.CPMinTokens = p(1), p(4096)
	for _, c := range []struct {
		seq, cp int
		want    bool
	}{{8192, 2, true}, {8192, 4, false}, {4096, 1, true}, {131072, 32, true}, {131072, 64, false}} {
		pl.CP = c.cp
		if got := prof.InPractice(pl, PracticeCase{Seq: c.seq}); got != c.want {
			t.Errorf("InPractice(seq %d, cp %d) = %v, want %v", c.seq, c.cp, got, c.want)
		}
	}
}

// Expert imbalance scales the hottest rank's expert GEMM rows: with
// every efficiency ideal and large GEMMs, the routed-expert time at
// imbalance 1.5 is 1.5 × the balanced one, and a capacity factor of 1.2
// caps it at 1.2 ×.
func TestExpertImbalanceAndCapacity(t *testing.T) {
	job := Job{Seq: 4096, GlobalBatch: 8, Precision: hardware.BF16}
	pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	expert := func(j Job) float64 {
		pr, err := newPrep(tinyMoE, testCluster(8), ideal(), j)
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[len(pr.kinds)-1]
		return pr.layerForward(&k, pl, 4096).expert
	}
	base := expert(job)
	job.ExpertImbalance = 1.5
	if got := expert(job) / base; math.Abs(got-1.5) > 1e-9 {
		t.Errorf("imbalance 1.5: expert time × %g, want 1.5", got)
	}
	job.CapacityFactor = 1.2
	if got := expert(job) / base; math.Abs(got-1.2) > 1e-9 {
		t.Errorf("imbalance 1.5 capped at capacity 1.2: expert time × %g, want 1.2", got)
	}
	// Without expert parallelism every device runs every expert on every
	// token: no rank is hotter (imbalance 1.5 changes nothing), but
	// experts padded to their capacity still compute it.
	ep1 := pl
	ep1.EP = 1
	expert1 := func(j Job) float64 {
		pr, err := newPrep(tinyMoE, testCluster(8), ideal(), j)
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[len(pr.kinds)-1]
		return pr.layerForward(&k, ep1, 4096).expert
	}
	flat := expert1(Job{Seq: 4096, GlobalBatch: 8, Precision: hardware.BF16})
	if got := expert1(Job{Seq: 4096, GlobalBatch: 8, Precision: hardware.BF16, ExpertImbalance: 1.5}) / flat; math.Abs(got-1) > 1e-12 {
		t.Errorf("EP 1, imbalance 1.5: expert time × %g, want 1", got)
	}
	if got := expert1(Job{Seq: 4096, GlobalBatch: 8, Precision: hardware.BF16, CapacityFactor: 1.2, PadToCapacity: true}) / flat; math.Abs(got-1.2) > 1e-9 {
		t.Errorf("EP 1, padded to capacity 1.2: expert time × %g, want 1.2", got)
	}
	job.ExpertImbalance, job.CapacityFactor = 0.5, 0
	if _, err := newPrep(tinyMoE, testCluster(8), ideal(), job); err == nil || !strings.HasPrefix(err.Error(), "expert_imbalance = ") {
		t.Errorf("imbalance 0.5: %v; want an error naming expert_imbalance", err)
	}
	job.ExpertImbalance, job.CapacityFactor = 0, -1
	if _, err := newPrep(tinyMoE, testCluster(8), ideal(), job); err == nil || !strings.HasPrefix(err.Error(), "capacity_factor = ") {
		t.Errorf("capacity -1: %v; want an error naming capacity_factor", err)
	}
}

// tinyMoEModules is the linear modules of tinyMoE's MoE layer, counted by
// hand: qkv, attn_out, router, the experts' gate_up and down, the shared
// expert's gate_up and down.
const tinyMoEModules = 7

// MoE host time is exposed only where it exceeds the GPU work of a pass:
// per MoE layer max(0, H − G_fwd) + max(0, 2H − G_bwd), H = h × the layer's
// linear modules, each pass's GPU work counting its TP and EP
// communication once (G_fwd + G_bwd = 3·compute + flash + 2·comm). A host time far below the GPU work exposes nothing; one
// far above exposes 3H − (G_fwd + G_bwd) per MoE layer.
func TestMoEHostExposure(t *testing.T) {
	job := Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16}
	pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	prof := ideal()
	pr, _ := newPrep(tinyMoE, testCluster(8), prof, job)
	k := pr.kinds[len(pr.kinds)-1]
	q := pr.layerForward(&k, pl, 1024)
	g := 3*q.compute() + pr.flashRecompute(q) + 2*(q.tp+q.ep)
	for _, c := range []struct {
		h, want float64
	}{{1e-9, 0}, {10, 3*10*tinyMoEModules - g}} {
		prof.MoEHost = p(c.h)
		pr, _ := newPrep(tinyMoE, testCluster(8), prof, job)
		s := pr.layerMix(pl, 1024, 0)
		moeLayers := float64(k.count) / float64(tinyMoE.Layers)
		if got := s.host / moeLayers; math.Abs(got-c.want) > 1e-9*math.Max(1, c.want) {
			t.Errorf("host %g s: exposed %g s per MoE layer, want %g", c.h, got, c.want)
		}
	}
}

// The stack's MoE path follows its scale-up domain: with a graph path
// from 16 chips, an 8-chip node takes moe_host_s and a 32-chip rack
// moe_host_graphed_s, as do 8-chip nodes of a 72-chip rack (the system's
// domain decides); with no graph path (min domain 0) every cluster
// takes moe_host_s. The exposed host time per MoE layer is then 3h − G
// for a host time h far above the GPU work G, as in TestMoEHostExposure.
func TestMoEHostPathFollowsTheScaleUpDomain(t *testing.T) {
	job := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16}
	prof := ideal()
	prof.MoEHost, prof.MoEHostGraphed, prof.MoEGraphMinDomain = p(10), p(4), p(16)
	pl := parallel.Plan{TP: 1, PP: 1, DP: 32, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	rack := testCluster(32)
	rack.ChipsPerNode, rack.ScaleUp.Size = 32, 32
	// Eight chips of a 72-chip rack: the job's own domain is 8, the
	// system's (where the recipes capture graphs) 72.
	part := testCluster(32)
	part.SystemNode = 72
	for _, c := range []struct {
		name    string
		cl      hardware.Cluster
		minDom  float64
		h       float64
		graphed bool
	}{{"8-chip node", testCluster(32), 16, 10, false}, {"32-chip rack", rack, 16, 4, true}, {"32-chip rack, no graph path", rack, 0, 10, false},
		{"8 chips of a 72-chip rack", part, 16, 4, true}} {
		prof.MoEGraphMinDomain = p(c.minDom)
		pr, err := newPrep(tinyMoE, c.cl, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		if pr.moeHost != c.h*tinyMoEModules || pr.moeGraphed != c.graphed {
			t.Errorf("%s: host %g s graphed %v, want %g s %v", c.name, pr.moeHost, pr.moeGraphed, c.h*tinyMoEModules, c.graphed)
		}
		k := pr.kinds[len(pr.kinds)-1]
		q := pr.layerForward(&k, pl, 1024)
		g := 3*q.compute() + pr.flashRecompute(q) + 2*(q.tp+q.ep)
		s := pr.layerMix(pl, 1024, 0)
		moeLayers := float64(k.count) / float64(tinyMoE.Layers)
		if got, want := s.host/moeLayers, 3*c.h*tinyMoEModules-g; math.Abs(got-want) > 1e-9*want {
			t.Errorf("%s: exposed %g s per MoE layer, want %g", c.name, got, want)
		}
		r, err := Estimate(tinyMoE, pl, c.cl, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		wantPath := map[bool]string{true: "graph-captured", false: "uncaptured"}[c.graphed]
		if want := 1e3 * c.h * tinyMoEModules; r.MoEHostPath != wantPath || math.Abs(float64(r.MoEHostPerLayer)/want-1) > 1e-12 {
			t.Errorf("%s: result says %q at %g ms, want %q at %g ms", c.name, r.MoEHostPath, float64(r.MoEHostPerLayer), wantPath, want)
		}
	}
}

// A fully recomputed MoE layer re-issues its forward before its backward:
// with a host time far above the GPU work the backward pass then exposes
// 3H − (G_fwd + G_bwd) instead of 2H − G_bwd, i.e. H − G_fwd more.
func TestMoEHostOfRecomputedLayers(t *testing.T) {
	job := Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16}
	prof := ideal()
	prof.MoEHost = p(10)
	pr, _ := newPrep(tinyMoE, testCluster(8), prof, job)
	k := pr.kinds[len(pr.kinds)-1]
	moeLayers := float64(k.count) / float64(tinyMoE.Layers)
	none := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	full := none
	full.Recompute = parallel.RecomputeFull
	q := pr.layerForward(&k, none, 1024)
	gf := q.compute() + q.tp + q.ep
	H := 10.0 * tinyMoEModules
	got := (pr.layerMix(full, 1024, 1).host - pr.layerMix(none, 1024, 0).host) / moeLayers
	if want := H - gf; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("recompute adds %g s of exposed host per MoE layer, want %g", got, want)
	}
}

// A run that names its release gets that version (AtTag); an explicit
// date then still starts from the current values, and "" keeps the tag.
func TestProfileAtTag(t *testing.T) {
	prof := ideal()
	prof.Versions = []Version{
		{Date: "2024-01-23", Tag: "v1", Params: map[string]Param{"matmul_max": p(0.5), "memory_eff": p(0.2)}, Note: "test"},
		{Date: "2024-05-16", Tag: "v2", Params: map[string]Param{"matmul_max": p(0.8)}, Note: "test"},
		{Date: "2024-10-30", Tag: "v3", Note: "current"},
	}
	v1, ok := prof.AtTag("v1")
	if !ok || v1.MatmulMax.Value != 0.5 || v1.MemoryEff.Value != 0.2 || !strings.HasPrefix(v1.State, "v1 (2024-01-23)") {
		t.Fatalf("AtTag(v1) = matmul_max %g, memory_eff %g, state %q, %v", v1.MatmulMax.Value, v1.MemoryEff.Value, v1.State, ok)
	}
	if same, _ := v1.At(""); same.MatmulMax.Value != 0.5 || same.State != v1.State {
		t.Errorf("At(\"\") on a tagged profile = %g %q, want the tag kept", same.MatmulMax.Value, same.State)
	}
	// v2 does not list memory_eff: from the current values it is 1, not v1's 0.2.
	if v2, _ := v1.At("2024-06-01"); v2.MatmulMax.Value != 0.8 || v2.MemoryEff.Value != 1 {
		t.Errorf("At(2024-06-01) on the v1 profile = matmul_max %g, memory_eff %g; want 0.8 and the current 1", v2.MatmulMax.Value, v2.MemoryEff.Value)
	}
	if _, ok := prof.AtTag("v9"); ok {
		t.Error("AtTag(v9): ok for a tag no version has")
	}
}

// Padded to capacity (Megatron-Core's drop-and-pad), the dispatcher's
// token counts are static: no device-to-host sync per MoE layer, so the
// host runs ahead across layers and a layer mix exposes only what its
// host work exceeds its GPU work by, the dense layer's included:
// (3/4)·3H − Σ n_k·G_k for tinyMoE's 3 MoE layers of 4, against
// (3/4)·(3H − G_moe) dropless. Every expert then runs its capacity
// (expert load = capacity factor), and padding needs a capacity factor.
func TestPaddedMoEHostRunsAhead(t *testing.T) {
	prof := ideal()
	prof.MoEHost = p(10)
	pl := parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	job := Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16}
	dropless, _ := newPrep(tinyMoE, testCluster(8), prof, job)
	job.CapacityFactor, job.PadToCapacity = 1.5, true
	padded, err := newPrep(tinyMoE, testCluster(8), prof, job)
	if err != nil {
		t.Fatal(err)
	}
	H := 10.0 * tinyMoEModules
	g := func(pr *prep, i int) float64 {
		q := pr.layerForward(&pr.kinds[i], pl, 1024)
		return 3*q.compute() + pr.flashRecompute(q) + 2*(q.tp+q.ep)
	}
	var gpu float64
	for i, k := range padded.kinds {
		gpu += float64(k.count) / 4 * g(padded, i)
	}
	if got, want := padded.layerMix(pl, 1024, 0).host, 0.75*3*H-gpu; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("padded: exposed host %g s per layer, want %g", got, want)
	}
	last := len(dropless.kinds) - 1
	if got, want := dropless.layerMix(pl, 1024, 0).host, 0.75*(3*H-g(dropless, last)); math.Abs(got/want-1) > 1e-9 {
		t.Errorf("dropless: exposed host %g s per layer, want %g", got, want)
	}
	if padded.expertLoad != 1.5 {
		t.Errorf("padded expert load = %g, want the capacity factor 1.5", padded.expertLoad)
	}
	if r, err := Estimate(tinyMoE, pl, testCluster(8), prof, Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16, CapacityFactor: 1.5, PadToCapacity: true}); err != nil || !r.PaddedToCapacity || r.ExpertLoad != 1.5 {
		t.Errorf("padded result: padded %v, load %g (err %v), want true at 1.5", r.PaddedToCapacity, r.ExpertLoad, err)
	}
	job.CapacityFactor = 0
	if _, err := newPrep(tinyMoE, testCluster(8), prof, job); err == nil || !strings.Contains(err.Error(), "pad_to_capacity") {
		t.Errorf("padding without a capacity factor: err = %v, want one naming pad_to_capacity", err)
	}
}

// A hierarchical dispatcher (DeepEP normal kernels, DeepSeek's own) sends
// each token once per distinct remote node where expert parallelism spans
// nodes: a MoE layer's EP time per forward is then the two hierarchical
// all-to-alls of hardware.ExpertAllToAll (worked by hand there), below the
// flat all-to-all of every copy; inside one node the two are the same.
func TestHierarchicalDispatch(t *testing.T) {
	job := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16}
	c := testCluster(32)
	pl := parallel.Plan{TP: 1, PP: 1, DP: 32, CP: 1, EP: 16, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	ep := func(hier float64, pl parallel.Plan) float64 {
		prof := ideal()
		prof.MoEHierarchicalDispatch = p(hier)
		pr, err := newPrep(tinyMoE, c, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[len(pr.kinds)-1]
		q := pr.layerForward(&k, pl, 1024)
		perCopy := 1024 * float64(tinyMoE.Hidden) * 2
		g := c.Group(pl.EP, 1)
		if want := 2 * float64(c.ExpertAllToAll(units.Bytes(perCopy), float64(tinyMoE.MoE.Active), g, hier == 1, tinyMoE.MoE.ShardsHit)); math.Abs(q.ep-want) > 1e-12*want {
			t.Errorf("EP%d, hierarchical %v: %g s per forward, want %g", pl.EP, hier, q.ep, want)
		}
		return q.ep
	}
	if flat, hier := ep(0, pl), ep(1, pl); !(hier < flat) {
		t.Errorf("EP16 over two nodes: hierarchical %g s, flat %g s; want less", hier, flat)
	}
	pl.EP = 8
	if flat, hier := ep(0, pl), ep(1, pl); flat != hier {
		t.Errorf("EP8 in one node: hierarchical %g s, flat %g s; want equal", hier, flat)
	}
}

// A job's stated dispatch (Job.Dispatch) overrides the stack's both ways:
// the EP time of a flat job on a hierarchical stack equals a flat stack's,
// and the reverse; an unknown path is an input error naming moe_dispatch.
func TestStatedDispatchOverridesStack(t *testing.T) {
	c := testCluster(32)
	pl := parallel.Plan{TP: 1, PP: 1, DP: 32, CP: 1, EP: 16, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	ep := func(stackHier float64, dispatch string) float64 {
		prof := ideal()
		prof.MoEHierarchicalDispatch = p(stackHier)
		pr, err := newPrep(tinyMoE, c, prof, Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16, Dispatch: dispatch})
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[len(pr.kinds)-1]
		return pr.layerForward(&k, pl, 1024).ep
	}
	flat, hier := ep(0, ""), ep(1, "")
	if !(hier < flat) {
		t.Fatalf("EP16 over two nodes: hierarchical %g s not below flat %g s", hier, flat)
	}
	if got := ep(1, DispatchFlat); got != flat {
		t.Errorf("flat job on a hierarchical stack: %g s, want the flat %g s", got, flat)
	}
	if got := ep(0, DispatchHierarchical); got != hier {
		t.Errorf("hierarchical job on a flat stack: %g s, want the hierarchical %g s", got, hier)
	}
	_, err := newPrep(tinyMoE, c, ideal(), Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16, Dispatch: "deepep"})
	var ie *input.Error
	if !errors.As(err, &ie) || ie.Field != "moe_dispatch" {
		t.Errorf("Dispatch \"deepep\": %v, want an input error naming moe_dispatch", err)
	}
}

// A job that states the 1F1B all-to-all overlap (Job.A2AOverlap) hides
// the stack's ep_overlap_1f1b of its EP time instead of its ep_overlap:
// with 0.32 against 0 the exposed dispatch and combine are 0.68 of the
// plain job's; a stack without the overlap refuses it, naming the field.
func TestStatedA2AOverlap(t *testing.T) {
	c := testCluster(32)
	pl := parallel.Plan{TP: 1, PP: 1, DP: 32, CP: 1, EP: 16, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	prof := ideal()
	prof.EPOverlap1F1B = p(0.32)
	ep := func(overlap bool) float64 {
		pr, err := newPrep(tinyMoE, c, prof, Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16, A2AOverlap: &overlap})
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[len(pr.kinds)-1]
		return pr.layerForward(&k, pl, 1024).ep
	}
	plain, over := ep(false), ep(true)
	if plain <= 0 || math.Abs(over/plain-0.68) > 1e-12 {
		t.Errorf("EP time with the overlap %g s, without %g s: want 0.68 of it", over, plain)
	}
	prof.EPOverlap1F1B = p(0)
	_, err := newPrep(tinyMoE, c, prof, Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16, A2AOverlap: ptr(true)})
	var ie *input.Error
	if !errors.As(err, &ie) || ie.Field != "moe_a2a_overlap" {
		t.Errorf("overlap on a stack without it: %v, want an input error naming moe_a2a_overlap", err)
	}
}

// Megatron-Core accepts the 1F1B all-to-all overlap only with expert
// parallelism, the interleaved schedule when pipelining, no full or
// MoE-block recompute and at most one MTP module (transformer_config.py);
// a plan outside them is refused naming the field, and the search skips
// it. MoE settings on a dense model are refused, not ignored.
func TestA2AOverlapConditions(t *testing.T) {
	c := testCluster(32)
	prof := ideal()
	prof.EPOverlap1F1B = p(0.32)
	prof.MoERecompute = p(1)
	job := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16, A2AOverlap: ptr(true)}
	ok := parallel.Plan{TP: 1, PP: 2, DP: 16, CP: 1, EP: 8, VPP: 2, Microbatch: 1, Recompute: parallel.RecomputeNone}
	if _, err := Estimate(tinyMoE, ok, c, prof, job); err != nil {
		t.Fatalf("an interleaved EP8 plan with the overlap: %v", err)
	}
	for _, cs := range []struct {
		edit  func(*parallel.Plan)
		field string
	}{
		{func(pl *parallel.Plan) { pl.EP, pl.DP = 1, 16 }, "ep"},
		{func(pl *parallel.Plan) { pl.VPP = 1 }, "vpp"},
		{func(pl *parallel.Plan) { pl.Recompute = parallel.RecomputeFull }, "recompute"},
		{func(pl *parallel.Plan) { pl.Recompute = parallel.RecomputeMoE }, "recompute"},
	} {
		pl := ok
		cs.edit(&pl)
		_, err := Estimate(tinyMoE, pl, c, prof, job)
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != cs.field {
			t.Errorf("%s with the overlap: %v, want an input error naming %s", pl, err, cs.field)
		}
	}
	// On a stack whose full recompute is partial (as many layers as
	// memory requires), a plan that fits recomputes none, and so runs
	// with the overlap: an unstated recompute defaults to full, and a
	// stated --moe-a2a-overlap was refused naming a recompute never given.
	partial := prof
	partial.PartialRecompute = p(1)
	unstated := ok
	unstated.Recompute = ""
	unstated = unstated.WithDefaults(32)
	if unstated.Recompute != parallel.RecomputeFull {
		t.Fatalf("an unstated recompute defaults to %q, want full", unstated.Recompute)
	}
	if r, err := Estimate(tinyMoE, unstated, c, partial, job); err != nil || r.Plan.Recompute != parallel.RecomputeNone {
		t.Errorf("partial recompute that fits, with the overlap: %v (%v), want it run as none", r.Plan, err)
	}
	mtp := tinyMoE
	mtp.MTPModules = 2
	if _, err := Estimate(mtp, ok, c, prof, job); err == nil || !strings.Contains(err.Error(), "at most one MTP module") {
		t.Errorf("two MTP modules with the overlap: %v, want a refusal", err)
	}
	sr, err := Search(tinyMoE, c, prof, job, SearchOptions{Top: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sr.Top {
		if r.Plan.EP <= 1 || (r.Plan.PP > 1 && r.Plan.VPP <= 1) || r.Plan.Recompute == parallel.RecomputeFull || r.Plan.Recompute == parallel.RecomputeMoE {
			t.Errorf("the search ranks %s, which the overlap does not run with", r.Plan)
		}
	}
	full := SearchOptions{Space: parallel.Space{Recompute: []parallel.Recompute{parallel.RecomputeFull}}}
	if _, err := Search(tinyMoE, c, prof, job, full); !errors.Is(err, ErrNoPlan) || !strings.Contains(err.Error(), "moe_a2a_overlap") {
		t.Errorf("a full-recompute-only search with the overlap: %v, want ErrNoPlan naming moe_a2a_overlap", err)
	}
	dense := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16}
	for field, j := range map[string]Job{
		"expert_imbalance": {ExpertImbalance: 1.5}, "capacity_factor": {CapacityFactor: 1}, "moe_dispatch": {Dispatch: DispatchHierarchical},
		"moe_a2a_overlap": {A2AOverlap: ptr(false)},
	} {
		j.Seq, j.GlobalBatch, j.Precision = dense.Seq, dense.GlobalBatch, dense.Precision
		_, err := newPrep(gpt13, c, prof, j)
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != field || !strings.Contains(err.Error(), "is dense") {
			t.Errorf("%s on a dense model: %v, want an input error naming it", field, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// Where the stack's recipes run the 1F1B all-to-all overlap
// (moe_a2a_overlap_domain: systems of at most that many chips per
// scale-up domain), a job that says nothing gets it on every plan
// Megatron-Core allows it for, and not on the others, nor on a larger
// domain; a job's own false wins. The EP time with it is the
// ep_overlap_1f1b share (0.32) against the plain ep_overlap (0): 0.68.
func TestA2AOverlapPractice(t *testing.T) {
	prof := ideal()
	prof.EPOverlap1F1B = p(0.32)
	prof.MoEA2AOverlapDomain = p(8)
	job := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16}
	allowed := parallel.Plan{TP: 1, PP: 2, DP: 16, CP: 1, EP: 8, VPP: 2, Microbatch: 1, Recompute: parallel.RecomputeNone}
	plain := allowed
	plain.VPP = 1 // pipelined without interleaving: Megatron-Core refuses the overlap
	ep := func(c hardware.Cluster, j Job, pl parallel.Plan) (float64, bool) {
		pr, err := newPrep(tinyMoE, c, prof, j)
		if err != nil {
			t.Fatal(err)
		}
		k := pr.kinds[len(pr.kinds)-1]
		return pr.layerForward(&k, pl, 1024).ep, pr.a2aOverlap(pl)
	}
	node8 := testCluster(32) // 8 chips per node
	off := job
	off.A2AOverlap = ptr(false)
	base, _ := ep(node8, off, allowed)
	got, on := ep(node8, job, allowed)
	if !on || base <= 0 || math.Abs(got/base-0.68) > 1e-12 {
		t.Errorf("practice on an 8-chip node: overlap %v, EP time %g s against %g s without: want on, 0.68 of it", on, got, base)
	}
	if _, on := ep(node8, job, plain); on {
		t.Errorf("practice on %s (pp > 1 without vpp): the overlap is on, want off", plain)
	}
	rack := node8
	rack.SystemNode = 72 // an NVL72-sized domain
	if _, on := ep(rack, job, allowed); on {
		t.Error("practice on a 72-chip domain: the overlap is on, want off (the recipes run it on 8-GPU nodes)")
	}
	if _, on := ep(node8, off, allowed); on {
		t.Error("a job stating moe_a2a_overlap false: the overlap is on")
	}
	r, err := Estimate(tinyMoE, allowed, node8, prof, job)
	if err != nil || !r.MoEA2AOverlap {
		t.Errorf("Estimate under the practice: %v, MoEA2AOverlap %v, want true", err, r.MoEA2AOverlap)
	}
	// An FP8 practice that reaches racks (moe_a2a_overlap_fp8_domain 72,
	// Megatron-Bridge's MXFP8 rack recipes from 26.06): an FP8 job on the
	// 72-chip domain gets the overlap, a BF16 one does not, and neither
	// does an FP8 job on a larger domain.
	prof.MoEA2AOverlapFP8Domain = p(72)
	fp8 := job
	fp8.Precision = hardware.FP8
	rack.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	if _, on := ep(rack, fp8, allowed); !on {
		t.Error("FP8 on a 72-chip domain with the FP8 rack practice: the overlap is off, want on")
	}
	if _, on := ep(rack, job, allowed); on {
		t.Error("BF16 on a 72-chip domain with the FP8 rack practice: the overlap is on, want off")
	}
	cs := fp8
	cs.FP8Recipe = FP8Tensorwise
	if _, on := ep(rack, cs, allowed); on {
		t.Error("per-tensor FP8 stated on a 72-chip domain: the overlap is on, want off (the rack practice is the MXFP8 recipes')")
	}
	mx := fp8
	mx.FP8Recipe = FP8MX
	rack.Chip.Architecture = "Blackwell"
	if _, on := ep(rack, mx, allowed); !on {
		t.Error("MXFP8 stated on a 72-chip domain: the overlap is off, want on")
	}
	rack.Chip.Architecture = "Ampere"
	big := rack
	big.SystemNode = 144
	if _, on := ep(big, fp8, allowed); on {
		t.Error("FP8 on a 144-chip domain: the overlap is on, want off (the practice reaches 72)")
	}
}

// A version may set a per-family scale by its dotted name: the version's
// profile has it, the current profile's map is not written, and a name
// that is neither a parameter nor a family scale is refused.
func TestVersionSetsAFamilyScale(t *testing.T) {
	prof := ideal()
	prof.FamilyAttention = map[string]Param{"hopper": p(1.4)}
	prof.Versions = []Version{
		{Date: "2024-03-01", Tag: "old", Params: map[string]Param{"family_attention.hopper": p(1), "family_matmul.ampere": p(0.9)}, Note: "test"},
		{Date: "2025-06-01", Tag: "new", Note: "current"},
	}
	old, err := prof.At("2024-06-01")
	if err != nil {
		t.Fatal(err)
	}
	if got := old.FamilyAttention["hopper"].Value; got != 1 {
		t.Errorf("the old version's family_attention.hopper = %g, want 1", got)
	}
	if got := old.FamilyMatmul["ampere"].Value; got != 0.9 {
		t.Errorf("the old version's family_matmul.ampere = %g, want 0.9 (set in a map the profile did not have)", got)
	}
	if got := prof.FamilyAttention["hopper"].Value; got != 1.4 || prof.FamilyMatmul != nil {
		t.Errorf("the current profile changed: family_attention.hopper %g, family_matmul %v", got, prof.FamilyMatmul)
	}
	for _, bad := range []string{"family_attention.", "family_speed.hopper", "attention_eff.hopper"} {
		if _, err := prof.With(map[string]Param{bad: p(1)}); err == nil {
			t.Errorf("With(%q) accepted an unknown name", bad)
		}
	}
}

// Where the stack's CUDA graphs refuse activation recompute
// (moe_graph_no_recompute, Megatron-Core to v0.14), a plan that
// recomputes runs its MoE layers uncaptured on a rack that would capture
// them: moe_host_s, not moe_host_graphed_s; without recompute, or where the
// graphs allow it, the graph path stays.
func TestMoEGraphPathNeedsNoRecompute(t *testing.T) {
	job := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16}
	rack := testCluster(32)
	rack.ChipsPerNode, rack.ScaleUp.Size = 32, 32
	prof := ideal()
	prof.MoEHost, prof.MoEHostGraphed, prof.MoEGraphMinDomain = p(10), p(4), p(16)
	for _, c := range []struct {
		name    string
		rule    float64
		rc      parallel.Recompute
		h       float64
		graphed bool
	}{{"rule, selective recompute", 1, parallel.RecomputeSelective, 10, false}, {"rule, full recompute", 1, parallel.RecomputeFull, 10, false},
		{"rule, no recompute", 1, parallel.RecomputeNone, 4, true}, {"no rule, selective recompute", 0, parallel.RecomputeSelective, 4, true}} {
		prof.MoEGraphNoRecompute = p(c.rule)
		pl := parallel.Plan{TP: 1, PP: 1, DP: 32, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: c.rc}
		r, err := Estimate(tinyMoE, pl, rack, prof, job)
		if err != nil {
			t.Fatal(err)
		}
		wantPath := map[bool]string{true: "graph-captured", false: "uncaptured"}[c.graphed]
		if want := 1e3 * c.h * tinyMoEModules; r.MoEHostPath != wantPath || math.Abs(float64(r.MoEHostPerLayer)/want-1) > 1e-12 {
			t.Errorf("%s: %q at %g ms, want %q at %g ms", c.name, r.MoEHostPath, float64(r.MoEHostPerLayer), wantPath, want)
		}
	}
}

// Where the release's graphs capture static expert shapes only
// (moe_graph_needs_pad: Megatron-Core 0.12 captured a dropless layer's
// attention alone; Megatron-Bridge 25.09's graphs are whole layers), a
// dropless job on a rack that would capture its MoE layers runs them
// uncaptured, at moe_host_s (10 per module); a job that pads to capacity
// keeps the graph path (4); without the rule the dropless job keeps it too.
func TestMoEGraphPathNeedsPad(t *testing.T) {
	rack := testCluster(32)
	rack.ChipsPerNode, rack.ScaleUp.Size = 32, 32
	prof := ideal()
	prof.MoEHost, prof.MoEHostGraphed, prof.MoEGraphMinDomain = p(10), p(4), p(16)
	dropless := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16}
	padded := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16, CapacityFactor: 1, PadToCapacity: true}
	pl := parallel.Plan{TP: 1, PP: 1, DP: 32, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	for _, c := range []struct {
		name string
		rule float64
		job  Job
		h    float64
		path string
	}{{"rule, dropless", 1, dropless, 10, "uncaptured"}, {"rule, padded", 1, padded, 4, "graph-captured"},
		{"no rule, dropless", 0, dropless, 4, "graph-captured"}} {
		prof.MoEGraphNeedsPad = p(c.rule)
		r, err := Estimate(tinyMoE, pl, rack, prof, c.job)
		if err != nil {
			t.Fatal(err)
		}
		if want := 1e3 * c.h * tinyMoEModules; r.MoEHostPath != c.path || math.Abs(float64(r.MoEHostPerLayer)/want-1) > 1e-12 {
			t.Errorf("%s: %q at %g ms, want %q at %g ms", c.name, r.MoEHostPath, float64(r.MoEHostPerLayer), c.path, want)
		}
	}
}

// Whole MoE layers in CUDA graphs (Job.LayerGraphs): on 8-chip nodes,
// where the stack's path is the uncaptured one (host 10 s per module), a
// padded job stating them takes no MoE host time and says so, and is
// faster; where the stack's graphs refuse activation recompute a plan
// that recomputes runs uncaptured again, at the uncaptured host time.
// Without padding, with the full-iteration path also stated, or on a
// dense model the field is refused by name.
func TestMoELayerGraphs(t *testing.T) {
	node := testCluster(32)
	prof := ideal()
	prof.MoEHost, prof.MoEHostGraphed, prof.MoEGraphMinDomain = p(10), p(4), p(16)
	on := true
	padded := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16, CapacityFactor: 1, PadToCapacity: true}
	graphs := padded
	graphs.LayerGraphs = &on
	pl := parallel.Plan{TP: 1, PP: 1, DP: 32, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	base, err := Estimate(tinyMoE, pl, node, prof, padded)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Estimate(tinyMoE, pl, node, prof, graphs)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1e3 * 10 * tinyMoEModules; base.MoEHostPath != "uncaptured" || math.Abs(float64(base.MoEHostPerLayer)/want-1) > 1e-12 {
		t.Errorf("padded, no graphs: %q at %g ms, want uncaptured at %g ms", base.MoEHostPath, float64(base.MoEHostPerLayer), want)
	}
	if g.MoEHostPath != "layer-graphs" || g.MoEHostPerLayer != 0 || g.Breakdown.MoEHost != 0 || g.StepTime >= base.StepTime {
		t.Errorf("layer graphs: %q at %g ms, exposed %v, step %v (without %v): want no host time and a shorter step",
			g.MoEHostPath, float64(g.MoEHostPerLayer), g.Breakdown.MoEHost, g.StepTime, base.StepTime)
	}
	prof.MoEGraphNoRecompute = p(1)
	pl.Recompute = parallel.RecomputeFull
	rc, err := Estimate(tinyMoE, pl, node, prof, graphs)
	if want := 1e3 * 10 * tinyMoEModules; err != nil || rc.MoEHostPath != "uncaptured" || math.Abs(float64(rc.MoEHostPerLayer)/want-1) > 1e-12 {
		t.Errorf("layer graphs with recompute where graphs refuse it: %v, %q at %g ms; want uncaptured at %g ms", err, rc.MoEHostPath, float64(rc.MoEHostPerLayer), want)
	}
	unpadded := graphs
	unpadded.CapacityFactor, unpadded.PadToCapacity = 0, false
	both := graphs
	both.FullIteration = &on
	var ie *input.Error
	for name, c := range map[string]struct {
		m llm.Model
		j Job
	}{"dropless": {tinyMoE, unpadded}, "with the full-iteration path": {tinyMoE, both}, "dense model": {gpt13, Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16, LayerGraphs: &on}}} {
		if _, err := Estimate(c.m, pl, node, prof, c.j); !errors.As(err, &ie) || ie.Field != "moe_layer_graphs" {
			t.Errorf("%s: %v, want an input error on moe_layer_graphs", name, err)
		}
	}
	// CUDA graphs are a CUDA stack's: a chip of another stack refuses them.
	npu := testCluster(32)
	npu.Stack = "cann"
	if _, err := Estimate(tinyMoE, pl, npu, prof, graphs); !errors.As(err, &ie) || ie.Field != "moe_layer_graphs" || !strings.Contains(ie.Error(), "cann") {
		t.Errorf("cann stack: %v, want an input error on moe_layer_graphs naming the stack", err)
	}
}

// A stack's dense-only TP overlap (MC2: fused matmul-collective kernels
// its MoE layers do not run) hides the larger of it and tp_overlap of a
// layer without routed experts, and leaves a MoE layer at tp_overlap:
// tinyMoE's dense first layer at TP 4 exposes (1 − 0.5) of its TP
// collectives, its MoE layers (1 − 0.2), and a dense-only overlap below
// tp_overlap changes nothing.
func TestTPOverlapDense(t *testing.T) {
	c := testCluster(8)
	pl := parallel.Plan{TP: 4, PP: 1, DP: 2, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone, SequenceParallel: true}
	tp := func(overlap, dense float64) (first, last, comm0, comm1 float64) {
		prof := ideal()
		prof.TPOverlap, prof.TPOverlapDense = p(overlap), p(dense)
		pr, err := newPrep(tinyMoE, c, prof, Job{Seq: 1024, GlobalBatch: 8, Precision: hardware.BF16})
		if err != nil {
			t.Fatal(err)
		}
		k0, k1 := pr.kinds[0], pr.kinds[len(pr.kinds)-1]
		if k0.expert != 0 || k1.expert == 0 {
			t.Fatalf("kinds: first expert %g, last %g; want a dense first kind and a MoE last one", k0.expert, k1.expert)
		}
		return pr.layerForward(&k0, pl, 1024).tp, pr.layerForward(&k1, pl, 1024).tp, pr.tpComm(&k0, pl, 1024), pr.tpComm(&k1, pl, 1024)
	}
	d, m, c0, c1 := tp(0.2, 0.5)
	if c0 <= 0 || c1 <= 0 {
		t.Fatalf("TP collectives %g and %g s; want both positive at TP 4", c0, c1)
	}
	for _, x := range []struct {
		name      string
		got, want float64
	}{{"dense layer, dense overlap 0.5", d, 0.5 * c0}, {"MoE layer, dense overlap 0.5", m, 0.8 * c1}} {
		if math.Abs(x.got-x.want) > 1e-12*x.want {
			t.Errorf("%s: %g s exposed, want %g", x.name, x.got, x.want)
		}
	}
	if d2, m2, _, _ := tp(0.2, 0.1); math.Abs(d2-0.8*c0) > 1e-12*c0 || m2 != m {
		t.Errorf("dense overlap 0.1 under tp_overlap 0.2: dense %g s (want %g), MoE %g s (want %g)", d2, 0.8*c0, m2, m)
	}
}

// An eager RMSNorm (AscendSpeed 2023: pow, mean, rsqrt and two products,
// 14 bytes per element in 16 bits against a fused kernel's read and
// write, 4) adds 10 bytes per hidden element to each of a layer's two
// norms: 20·h to the replicated forward traffic, nothing to the rest.
func TestEagerNorm(t *testing.T) {
	kinds := func(eager float64) []layerKind {
		prof := ideal()
		prof.EagerNorm = p(eager)
		pr, err := newPrep(gpt13, testCluster(8), prof, Job{Seq: 2048, GlobalBatch: 8, Precision: hardware.BF16})
		if err != nil {
			t.Fatal(err)
		}
		return pr.kinds
	}
	fused, eager := kinds(0), kinds(1)
	h := float64(gpt13.Hidden)
	for i := range fused {
		if got := eager[i].memRep - fused[i].memRep; got != 20*h {
			t.Errorf("kind %d: eager norms add %g bytes per token, want 20·h = %g", i, got, 20*h)
		}
		if eager[i].memSplit != fused[i].memSplit || eager[i].actRep != fused[i].actRep {
			t.Errorf("kind %d: eager norms moved the split traffic or the activations", i)
		}
	}
}

// A stated graph scope (Job.Graphs): on an 8-chip node, where the stack's
// practice is the uncaptured path (10 per module), a job stating CUDA
// graphs over the router and preprocessing takes the graph-captured host
// time (4 per module); on a rack, where the practice captures them, a job
// stating none takes the uncaptured one; stating either leaves the
// full-iteration practice of FP8 rack jobs aside. Where the release's
// graphs need static shapes a dropless job stating them still runs
// uncaptured, as the framework did. The field is refused on a dense
// model, beside another graph path, and on a stack with no graph path.
func TestMoEGraphsStated(t *testing.T) {
	node := testCluster(32)
	rack := testCluster(32)
	rack.ChipsPerNode, rack.ScaleUp.Size = 32, 32
	prof := ideal()
	prof.MoEHost, prof.MoEHostGraphed, prof.MoEGraphMinDomain = p(10), p(4), p(16)
	on, off := true, false
	job := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16}
	graphs, none := job, job
	graphs.Graphs, none.Graphs = &on, &off
	pl := parallel.Plan{TP: 1, PP: 1, DP: 32, CP: 1, EP: 8, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone}
	for _, c := range []struct {
		name string
		c    hardware.Cluster
		j    Job
		h    float64
		path string
	}{{"node, practice", node, job, 10, "uncaptured"}, {"node, graphs stated", node, graphs, 4, "graph-captured"},
		{"rack, practice", rack, job, 4, "graph-captured"}, {"rack, none stated", rack, none, 10, "uncaptured"}} {
		r, err := Estimate(tinyMoE, pl, c.c, prof, c.j)
		if err != nil {
			t.Fatal(err)
		}
		if want := 1e3 * c.h * tinyMoEModules; r.MoEHostPath != c.path || math.Abs(float64(r.MoEHostPerLayer)/want-1) > 1e-12 {
			t.Errorf("%s: %q at %g ms, want %q at %g ms", c.name, r.MoEHostPath, float64(r.MoEHostPerLayer), c.path, want)
		}
	}
	// The FP8 rack practice's full iteration gives way to a stated scope.
	fp8 := prof
	fp8.MoEFullGraphFP8MinDomain = p(16)
	rack.Chip.Peak[hardware.FP8] = hardware.Fixed(624 * units.TFLOPS)
	fp8Job := Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.FP8}
	fp8Graphs := fp8Job
	fp8Graphs.Graphs = &on
	if r, err := Estimate(tinyMoE, pl, rack, fp8, fp8Job); err != nil || r.MoEHostPath != "full-iteration" {
		t.Errorf("FP8 rack practice: %v, %q; want full-iteration", err, r.MoEHostPath)
	}
	if r, err := Estimate(tinyMoE, pl, rack, fp8, fp8Graphs); err != nil || r.MoEHostPath != "graph-captured" {
		t.Errorf("FP8 rack stating graphs: %v, %q; want graph-captured", err, r.MoEHostPath)
	}
	needsPad := prof
	needsPad.MoEGraphNeedsPad = p(1)
	if r, err := Estimate(tinyMoE, pl, node, needsPad, graphs); err != nil || r.MoEHostPath != "uncaptured" {
		t.Errorf("dropless job stating graphs at a release that needs static shapes: %v, %q; want uncaptured", err, r.MoEHostPath)
	}
	both := graphs
	both.FullIteration = &on
	noPath := prof
	noPath.MoEHostGraphed = p(0)
	var ie *input.Error
	for name, c := range map[string]struct {
		m    llm.Model
		prof Profile
		j    Job
		want string
	}{
		"dense model":                  {gpt13, prof, Job{Seq: 1024, GlobalBatch: 32, Precision: hardware.BF16, Graphs: &on}, "applies to MoE models"},
		"with the full-iteration path": {tinyMoE, prof, both, "state one MoE graph path"},
		"stack without a graph path":   {tinyMoE, noPath, graphs, "no graph-captured MoE path"},
	} {
		if _, err := Estimate(c.m, pl, node, c.prof, c.j); !errors.As(err, &ie) || ie.Field != "moe_graphs" || !strings.Contains(ie.Error(), c.want) {
			t.Errorf("%s: %v, want an input error on moe_graphs saying %q", name, err, c.want)
		}
	}
}
