package main

import (
	"math"
	"testing"

	"chipgap/catalog"
	"chipgap/runs"
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
	base, err := cat.TrainingProfileByID("cuda-mcore")
	if err != nil {
		t.Fatal(err)
	}
	axes := []axis{{name: "matmul_max", values: []float64{base.MatmulMax.Value}}}
	prof, vals, err := atPoint(base, axes, []int{0}, "cuda-mcore")
	if err != nil {
		t.Fatal(err)
	}
	got := evaluate(cat, prof, rs, vals, true)
	if len(got.errs) != len(want) || len(want) < 9 {
		t.Fatalf("-releases scored %d runs, validate gives cuda-mcore %d (want at least the 9 H100 rows)", len(got.errs), len(want))
	}
	for id, w := range want {
		if g, ok := got.errs[id]; !ok || math.Abs(g-w) > 1e-9 {
			t.Errorf("%s: -releases %+.4f, validate %+.4f", id, g, w)
		}
	}
	old := evaluate(cat, prof, rs, vals, false)
	const dated = "nemo-longseq-llama2-7b-h100-128k" // NeMo 24.03: attention_eff 0.42 there
	if math.Abs(old.errs[dated]-want[dated]) < 0.01 {
		t.Errorf("%s: the current state scores %+.4f, its release %+.4f: want them apart", dated, old.errs[dated], want[dated])
	}
}
