package main

import (
	"math"
	"testing"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/runs"
)

// At the catalog's own value a serving grid point scores each run exactly
// as validate does, and a different value moves only the stack's runs.
func TestScoreServingMatchesValidate(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := readRuns("../../runs/testdata/published-runs.yaml", "", func(r runs.Run) bool { return r.Kind == runs.KindInference })
	if err != nil {
		t.Fatal(err)
	}
	inf := runs.File{Runs: rs}
	want := map[string]float64{}
	for _, r := range runs.Validate(cat, &inf).Results {
		if r.Error != nil && r.Stack == "cuda" {
			want[r.ID] = *r.Error
		}
	}
	if len(want) < 4 {
		t.Fatalf("%d cuda inference runs predicted, want the 4 TensorRT-LLM rows", len(want))
	}
	data, err := cat.InferenceStacksData()
	if err != nil {
		t.Fatal(err)
	}
	own := 0.0
	for _, st := range data.Stacks {
		if st.ID == "cuda" {
			own = st.Params.MatmulEff.Value
		}
	}
	same := scoreServing(cat, &inf, "cuda", func(p *inference.Profile) {
		if p.ID == "cuda" {
			servingParams["matmul_eff"].set(p, own)
		}
	}, []float64{own})
	if len(same.errs) != len(want) {
		t.Fatalf("scored %d runs, want %d", len(same.errs), len(want))
	}
	for id, e := range want {
		if math.Abs(same.errs[id]-e) > 1e-12 {
			t.Errorf("%s: %+.4f at the catalog's matmul_eff, validate gives %+.4f", id, same.errs[id], e)
		}
	}
	slower := scoreServing(cat, &inf, "cuda", func(p *inference.Profile) {
		if p.ID == "cuda" {
			servingParams["matmul_eff"].set(p, own/2)
		}
	}, []float64{own / 2})
	for id, e := range want {
		if slower.errs[id] >= e {
			t.Errorf("%s: half the GEMM efficiency gives %+.4f, want below %+.4f", id, slower.errs[id], e)
		}
	}
}
