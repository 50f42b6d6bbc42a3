package main

import (
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/runs"
)

// bandCoverage worked by hand: two files of one regime holding the same
// twelve errors 0, 0.01, …, 0.11. Each file's band from the other is its
// P10 and P90 (linear between order statistics: 0.011 and 0.099), which
// holds 0.02 … 0.09, eight of the twelve: 16 of 24 runs inside, 67 %.
// Widened 1.3x about the median 0.055 in log(1 + error):
// expm1(ln 1.055 + 1.3 (ln 1.011 − ln 1.055)) = −0.00184 and
// expm1(ln 1.055 + 1.3 (ln 1.099 − ln 1.055)) = 0.11255, which hold all
// twelve: 24 of 24, 100 %.
func TestBandCoverage(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	var s catalog.Score
	for _, sc := range cat.Scorecard() {
		if sc.ID == "nvidia-dense-training" {
			s = sc
		}
	}
	if len(s.Files) < 2 {
		t.Fatalf("regime nvidia-dense-training: files %v, want two or more", s.Files)
	}
	var rs []row
	for _, f := range s.Files[:2] {
		for i := range 12 {
			r := row{file: f, predicted: true, err: float64(i) / 100,
				run: runs.Run{System: runs.System{Chips: 8}},
				res: runs.Result{Kind: runs.KindTraining, Family: "NVIDIA Hopper", Metric: runs.MetricTokensPerChip}}
			rs = append(rs, r)
		}
	}
	if !runs.Selects(s, rs[0].run, rs[0].res) {
		t.Fatal("the regime does not select the test rows")
	}
	var out strings.Builder
	bandCoverage(&out, cat, rs)
	if !strings.Contains(out.String(), "nvidia-dense-training  2      24            16              67 %   24               100 %") {
		t.Errorf("coverage table:\n%s\nwant nvidia-dense-training: 2 files, 24 runs, 16 inside P10–P90 (67 %%), 24 inside the band (100 %%)", out.String())
	}
}
