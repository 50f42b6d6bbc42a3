package main

import (
	"math"
	"testing"

	"chipgap/catalog"
	"chipgap/runs"
	"chipgap/training"
)

// With -releases a training grid point at the catalog's own values scores
// each run of the stack exactly as validate does, releases and all, and
// leaves out the runs validate gives another stack; without it the runs
// that name an older release score differently (the current state).
func TestReleasesMatchValidate(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	const file = "../calibration-nemo-longseq.yaml" // NeMo 24.03 H100 and later B200 rows
	rs, err := readRuns(file+",../../runs/testdata/published-runs.yaml", "", func(r runs.Run) bool {
		return r.Kind == runs.KindTraining && r.Measured.Metric == runs.MetricTokensPerChip
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for _, r := range runs.Validate(cat, &runs.File{Runs: rs}).Results {
		if r.Error != nil && r.Stack == "cuda-mcore" {
			want[r.ID] = *r.Error
		}
	}
	prof, vals := ownPoint(t, mcore(t, cat))
	got := evaluate(cat, prof, rs, vals, state{releases: true})
	if len(got.errs) != len(want) || len(want) < 9 {
		t.Fatalf("-releases scored %d runs, validate gives cuda-mcore %d (want at least the 9 H100 rows)", len(got.errs), len(want))
	}
	for id, w := range want {
		if g, ok := got.errs[id]; !ok || math.Abs(g-w) > 1e-9 {
			t.Errorf("%s: -releases %+.4f, validate %+.4f", id, g, w)
		}
	}
	old := evaluate(cat, prof, rs, vals, state{})
	const dated = "nemo-longseq-llama2-7b-h100-128k" // NeMo 24.03: attention_eff 0.42 there
	if math.Abs(old.errs[dated]-want[dated]) < 0.01 {
		t.Errorf("%s: the current state scores %+.4f, its release %+.4f: want them apart", dated, old.errs[dated], want[dated])
	}
}

// With -date a run is predicted as validate predicts it when it names a
// release of that date: the framework's practice (Megatron-Core's flex
// dispatcher from 2026-05) does not override a parameter the dated
// version sets (the flat dispatcher before it). The model zoo's TP2 PP8
// EP32 H100 row names 2025-05-24; predicted at -date 2025-05-24 it must
// read what validate gives it, and with the practice laid over the dated
// state (the bug this guards) it reads about 40 % faster.
func TestDateKeepsVersionOverPractice(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	const id = "zoo-qwen3-235b-256xh100-bf16-deepep-tp2-pp8-ep32"
	rs, err := readRuns("../calibration-mcore-moe-zoo.yaml", id, func(r runs.Run) bool { return r.ID == id })
	if err != nil || len(rs) != 1 {
		t.Fatalf("%s: %d runs, %v", id, len(rs), err)
	}
	if rs[0].System.Software != "megatron-core 2025-05-24" {
		t.Fatalf("%s names %q, want the dated release the test is about", id, rs[0].System.Software)
	}
	// The row states its DeepEP dispatch (session 72); read as the format
	// alone it takes the stack's dispatch, which is what the test is about.
	rs[0] = rs[0].FormatOnly()
	res := runs.Validate(cat, &runs.File{Runs: rs}).Results
	if len(res) != 1 || res[0].Error == nil {
		t.Fatalf("validate gave no error for %s", id)
	}
	want := *res[0].Error
	base := mcore(t, cat)
	const date = "2025-05-24"
	dated := versionParams(base, date)
	if !dated["moe_hierarchical_dispatch"] || !dated["moe_host_s"] {
		t.Fatalf("versionParams(%s) = %v: want the 25.04 version's moe_hierarchical_dispatch and moe_host_s", date, dated)
	}
	if versionParams(base, "") != nil {
		t.Error("versionParams with no date names parameters: want none")
	}
	at, err := base.At(date)
	if err != nil {
		t.Fatal(err)
	}
	prof, vals := ownPoint(t, at)
	got := evaluate(cat, prof, rs, vals, state{dated: dated}).errs[id]
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("-date %s scores %s %+.4f, validate %+.4f", date, id, got, want)
	}
	over := evaluate(cat, prof, rs, vals, state{}).errs[id]
	if over-got < 0.2 {
		t.Errorf("practice over the dated state scores %+.4f, the dated version %+.4f: want the hierarchical dispatch of the practice well above", over, got)
	}
}

// mcore is the catalog's cuda-mcore profile.
func mcore(t *testing.T, cat *catalog.Catalog) training.Profile {
	t.Helper()
	p, err := cat.TrainingProfileByID("cuda-mcore")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ownPoint is the one-point grid at p's own matmul_max: p as fit
// evaluates a grid point, with the values it records.
func ownPoint(t *testing.T, p training.Profile) (training.Profile, []float64) {
	t.Helper()
	axes := []axis{{name: "matmul_max", values: []float64{p.MatmulMax.Value}}}
	prof, vals, err := atPoint(p, axes, []int{0}, "cuda-mcore")
	if err != nil {
		t.Fatal(err)
	}
	return prof, vals
}
