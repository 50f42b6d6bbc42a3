package catalog

import (
	"errors"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"chipgap/uncertain"
)

// TestFabCase910C runs the Ascend 910C fab case at its typical values
// and checks it against a hand calculation:
//
//	die 21.32 × 31.22 mm + 0.1 mm scribe = 21.42 × 31.32 = 670.87 mm²;
//	usable diameter 294 mm: 101.19 − 25.22 = 75.98 → 75 dies per wafer;
//	Murphy at D0 0.15, A = 6.6561 cm²: 0.400106;
//	cost per good die $14 000/(75 · 0.400106) = $466.54;
//	HBM: 2.8 M stacks/year / (8 stacks / 0.85 assembly) = 297 500 910Cs,
//	below wafers (60 000 wpm · 12 · 0.10 · 75 / (2/(0.400106·0.85))
//	= 918 244) and packaging (1 M · 0.85 = 850 000): HBM binds — the
//	SemiAnalysis "~300k 910C if HBM-limited" the HBM range is derived from.
func TestFabCase910C(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.FabCase("ascend-910c", "", "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := k.Trial()(uncertain.Typical())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		OutDiesPerWafer: 75, OutDieYield: 0.400106, OutCostPerGoodDie: 466.54,
		OutFromHBM: 297500, OutFromWafers: 918244, OutFromPackaging: 850000, OutGoodPerYear: 297500, OutBinds + "hbm": 1,
	}
	for name, w := range want {
		if got := out[name]; math.Abs(got-w) > 1e-5*math.Max(1, w)+0.005 {
			t.Errorf("910C typical %s = %g, want %g", name, got, w)
		}
	}
}

// TestFabCaseRanges: every fab chip resolves, and a seeded Monte Carlo
// keeps P10 ≤ P50 ≤ P90 inside the sampled extremes.
func TestFabCaseRanges(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Fab()
	if err != nil {
		t.Fatal(err)
	}
	for _, fc := range d.Chips {
		k, err := c.FabCase(fc.Chip, "", "")
		if err != nil {
			t.Fatalf("%s: %v", fc.Chip, err)
		}
		res, err := uncertain.Run(500, 1, k.Trial())
		if err != nil {
			t.Fatalf("%s: %v", fc.Chip, err)
		}
		s := res[OutCostPerGoodPackage]
		if !(s.Min <= s.P10 && s.P10 <= s.P50 && s.P50 <= s.P90 && s.P90 <= s.Max && s.Min > 0) {
			t.Errorf("%s: cost per good package summary %+v out of order", fc.Chip, s)
		}
	}
	if k, err := c.FabCase("ascend-910c", "tsmc-n7", ""); err != nil || k.Supply != nil {
		t.Errorf("910C on TSMC N7: supply %+v, %v; want the SMIC supply case dropped", k, err)
	}
	if _, err := c.FabCase("ascend-910c", "tsmc-n7", "china-2026"); err == nil || !strings.Contains(err.Error(), "smic-n2") {
		t.Errorf("910C on TSMC N7 with SMIC supply: %v, want an error naming smic-n2", err)
	}
	if _, err := c.FabCase("ascend-910", "", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("FabCase(ascend-910): %v, want ErrNotFound", err)
	}
}

func TestFabBadFiles(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	good, err := dataFS.(interface{ ReadFile(string) ([]byte, error) }).ReadFile("fab.yaml")
	if err != nil {
		t.Skip("embedded data has no ReadFile:", err)
	}
	cases := []struct{ name, old, new, want string }{
		{"unknown field", "    kgd: true\n    assembly_yield:\n      {min: 0.75", "    kgd: true\n    kdg: true\n    assembly_yield:\n      {min: 0.75", "line"},
		{"unknown source", "sources: [implicator_75]", "sources: [implicator_76]", "implicator_76"},
		{"unknown chip", "chip: ascend-910c", "chip: ascend-910x", "ascend-910x"},
		{"range out of order", "{min: 0.10, typ: 0.15, max: 0.29", "{min: 0.20, typ: 0.15, max: 0.29", "d0_per_cm2"},
		{"bad model", "model: murphy", "model: bose", "yield.model"},
		{"bad outline", "die_outline_mm: [21.32, 31.22]\n    kgd: true\n    assembly_yield:\n      {min: 0.75", "die_outline_mm: [21.32, 3.22]\n    kgd: true\n    assembly_yield:\n      {min: 0.75", "die_outline_mm"},
	}
	for _, tc := range cases {
		src := string(good)
		if !strings.Contains(src, tc.old) {
			t.Fatalf("%s: fab.yaml no longer contains %q", tc.name, tc.old)
		}
		src = strings.Replace(src, tc.old, tc.new, 1)
		_, err := c.fabFrom(fstest.MapFS{"fab.yaml": {Data: []byte(src)}})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "fab.yaml") {
			t.Errorf("%s: error %v, want one naming fab.yaml and %q", tc.name, err, tc.want)
		}
	}
}

// TestFab910BOnTSMC cross-checks a cost the research catalog computed on
// its own (cost_per_good_die_examples.ascend_910b_die_tsmc_n7: $215–238,
// from $9.3–10k wafers, 76.7 dies, 55–57 % yield). Ours: Murphy at D0
// 0.09 on 6.6561 cm² (x = 0.59905) gives ((1 − e^−x)/x)² = 0.56596; 75
// dies (21.42 × 31.32 mm stepped); $9 500/(75 · 0.56596) = $223.81.
func TestFab910BOnTSMC(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.FabCase("ascend-910b", "tsmc-n7", "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := k.Trial()(uncertain.Typical())
	if err != nil {
		t.Fatal(err)
	}
	if got := out[OutCostPerGoodDie]; math.Abs(got-223.81) > 0.01 || got < 215 || got > 238 {
		t.Errorf("910B die on TSMC N7: $%g, want $223.81 (research catalog $215–238)", got)
	}
}
