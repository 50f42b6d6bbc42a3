package main

import (
	"math"
	"testing"

	"chipgap/catalog"
	"chipgap/runs"
	"chipgap/training"
)

// -scan on cuda-megatron's own calibration rows (the Megatron-LM 2021
// runs of runs/testdata/published-runs.yaml, which fitted its matmul_max):
// at the catalog's value matmul_max's best multiple is 1 and nothing is
// over the rule for it; with matmul_max moved 10 % up the scan finds ×0.9
// best, more than 5 % lower, and marks it. Whole-number sourced values
// (grad_bytes 4) are not moved.
func TestScanMarksAMovedValue(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	base, err := cat.TrainingProfileByID("cuda-megatron")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := readRuns("../../runs/testdata/published-runs.yaml", "megatron2021", func(r runs.Run) bool {
		return r.Kind == runs.KindTraining && r.Measured.Metric == runs.MetricTokensPerChip
	})
	if err != nil || len(rs) < 4 {
		t.Fatalf("%d Megatron 2021 runs, %v", len(rs), err)
	}
	row := func(rows []scanRow, name string) scanRow {
		t.Helper()
		for _, r := range rows {
			if r.name == name {
				return r
			}
		}
		t.Fatalf("scan has no row for %s", name)
		return scanRow{}
	}
	rows, err := scan(cat, base, rs, state{})
	if err != nil {
		t.Fatal(err)
	}
	mm := row(rows, "matmul_max")
	if scanFactors[mm.best] != 1 || mm.gain() != 0 {
		t.Errorf("matmul_max %.2f: best ×%g (gain %.3f), want its own value best", mm.value, scanFactors[mm.best], mm.gain())
	}
	if mm.rms[0] < 2*mm.rms[ownFactor()] {
		t.Errorf("matmul_max at ×0.5 rms %.4f, at ×1 %.4f: want the half value far worse", mm.rms[0], mm.rms[ownFactor()])
	}
	for _, r := range rows {
		if r.name == "grad_bytes" || r.name == "optimizer_bytes" {
			t.Errorf("scan moved %s (%g), a whole-number sourced value", r.name, r.value)
		}
	}

	moved, err := base.With(map[string]training.Param{"matmul_max": {Value: base.MatmulMax.Value * 1.1, Basis: training.Calibrated, Note: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	rows, err = scan(cat, moved, rs, state{})
	if err != nil {
		t.Fatal(err)
	}
	mm = row(rows, "matmul_max")
	if scanFactors[mm.best] != 0.9 || !mm.over() {
		t.Errorf("matmul_max moved to %.3f: best ×%g, gain %.3f; want ×0.9 and over the %.0f %% rule", mm.value, scanFactors[mm.best], mm.gain(), 100*scanRule)
	}
	if rows[0].name != "matmul_max" {
		t.Errorf("largest gain first: got %s first", rows[0].name)
	}
}

// -serving -scan on the Hopper TensorRT-LLM rows cuda's matmul_eff was
// fitted on (runs/testdata/published-runs.yaml without its Blackwell
// rows, the note's own command): the scan reads the catalog's value off
// the profiles (0.62), puts its best at ×1, and a halved value far worse.
func TestScanServingFindsTheFittedValue(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	old := skip
	skip = "b200,gb200"
	defer func() { skip = old }()
	rs, err := readRuns("../../runs/testdata/published-runs.yaml", "", func(r runs.Run) bool { return r.Kind == runs.KindInference })
	if err != nil {
		t.Fatal(err)
	}
	rows := scanServing(cat, &runs.File{Runs: rs}, "cuda", []string{"matmul_eff"})
	if len(rows) != 1 {
		t.Fatalf("%d rows, want matmul_eff's", len(rows))
	}
	r := rows[0]
	if math.Abs(r.value-0.62) > 1e-9 {
		t.Errorf("matmul_eff read as %g, want the catalog's 0.62", r.value)
	}
	if scanFactors[r.best] != 1 {
		t.Errorf("matmul_eff best at ×%g (rms %v), want ×1, where it was fitted", scanFactors[r.best], r.rms)
	}
	if r.rms[0] < 2*r.rms[ownFactor()] {
		t.Errorf("matmul_eff at ×0.5 rms %.4f, at ×1 %.4f: want the half value far worse", r.rms[0], r.rms[ownFactor()])
	}
}
