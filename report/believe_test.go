package report

import (
	"math"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/scenario"
)

// efficiencyEvidence turns the challenger's training regime into the
// efficiency its runs measured, by hand: P10 −10.7 %, P90 +20.3 % mean
// runs came in at 1/1.203 = 83 % to 1/0.893 = 112 % of the prediction;
// a regime of fewer than catalog.MinBandRuns runs, or none, says nothing.
func TestEfficiencyEvidence(t *testing.T) {
	sc := &catalog.Score{ID: "hw", What: "Ascend dense training", Runs: 150, P10: -0.107, P90: 0.203}
	b := &builder{r: &scenario.Results{Systems: []scenario.SystemResult{
		{System: scenario.System{Label: "H100"}},
		{System: scenario.System{Label: "CM384"}, TrainingScore: sc},
	}}}
	got := b.efficiencyEvidence("CM384")
	if !strings.Contains(got, "measured 83 %–112 % of what chipgap predicted for them (P10–P90 of 150 runs)") || !strings.Contains(got, "Ascend dense training") {
		t.Errorf("evidence %q", got)
	}
	if got := b.efficiencyEvidence("H100"); got != "" {
		t.Errorf("a system without a regime: %q", got)
	}
	sc.Runs = catalog.MinBandRuns - 1
	if got := b.efficiencyEvidence("CM384"); got != "" {
		t.Errorf("a regime of %d runs: %q", sc.Runs, got)
	}
}

// TestTypRatio: section 7's ratio at typical values comes from its
// one-rate, one-recovery model (3.38479 in the equal-peak report) while
// the full model's is the gap's typical ratio (219.986 / 64.958 =
// 3.38661); they print 3.38× and 3.39×, so the section names both and
// says which is which. Where they print alike, one figure.
func TestTypRatio(t *testing.T) {
	bl := &scenario.BelieveResult{Challenger: "CM384", RatioAtTyp: 3.38479}
	b := &builder{r: &scenario.Results{Gaps: []scenario.Gap{{Label: "CM384", Versus: "H100",
		Stats: map[string]scenario.Stat{scenario.GapRatio: {Typ: 219.986 / 64.958, P10: 3.2, P50: 219.986 / 64.958, P90: 3.6}}}}}} // typical at the P50: no note on the samples
	got := b.typRatio(bl)
	for _, want := range []string{"ratio 3.38× in this section's model", "one rate and one recovery time", "the full model gives 3.39× at typical values, as in section 6"} {
		if !strings.Contains(got, want) {
			t.Errorf("typRatio = %q, want it to contain %q", got, want)
		}
	}
	bl.RatioAtTyp = 3.3871 // prints 3.39× too
	if got := b.typRatio(bl); got != "ratio 3.39×" {
		t.Errorf("same printed ratio: %q, want %q", got, "ratio 3.39×")
	}
}

// TestScaleNote: where the scenario scales the challenger's failure
// rates (examples/mature-cann.yaml: cann × 0.4), section 7 says its
// typical multiple is the catalog's times the scale: 0.7631 ÷ 0.4 =
// 1.9077, printed 1.91×; without a scale it names the catalog's values
// alone.
func TestScaleNote(t *testing.T) {
	scale := 0.4
	bl := &scenario.BelieveResult{TypFailure: 0.7631, TypFailureScale: &scale}
	if got, want := scaleNote(bl), " (the catalog's 1.91× times the scenario's failure-rate scale 0.40)"; got != want {
		t.Errorf("scaleNote = %q, want %q", got, want)
	}
	if got := typValues(bl); !strings.Contains(got, "with the scenario's failure-rate scale") {
		t.Errorf("typValues = %q", got)
	}
	bl.TypFailureScale = nil
	if got, want := scaleNote(bl)+typValues(bl), "The catalog's typical values"; got != want {
		t.Errorf("unscaled: %q, want %q", got, want)
	}
}

// TestBelieveNoWindow: the B200 vs CM384 map has no window at all (every
// recovery time and every efficiency keeps the ratio above 2.33×: 6.51×
// at typical values); the headline says no value works instead of "no
// porting time", which read as "with zero porting", and section 7 prints
// no empty range ("lies in  of recovery").
func TestBelieveNoWindow(t *testing.T) {
	nan := math.NaN()
	bl := &scenario.BelieveResult{Baseline: "B200", Challenger: "CM384", ClaimLow: 5.0 / 3, ClaimHigh: 7.0 / 3,
		TypFailure: 1.9, TypRecovery: 21, TypPort: 2, TypEff: 1, RatioAtTyp: 6.51, Basis: map[string]string{"failure rate": "assumed"}}
	for _, m := range []float64{1, 5, 15, 30, 60} {
		bl.FailWindows = append(bl.FailWindows, scenario.BelieveWindow{At: m, Lo: nan, Hi: nan})
	}
	for _, e := range []float64{0.5, 0.7, 0.85, 1} {
		bl.PortWindows = append(bl.PortWindows, scenario.BelieveWindow{At: e, Lo: nan, Hi: nan})
	}
	h := believeHeadline(bl)
	want := "The essay's 5–7 months (1.67×–2.33×) holds nowhere the unknowns were swept: no failure rate at 15 min recovery (porting kept out of the run) and no porting time at the typical 1.9× failure rate and 21 min recovery brings the ratio into it (6.51× at typical values) (failure rate, recovery and porting are assumed values; section 7)."
	if h != want {
		t.Errorf("headline\n%s\nwant\n%s", h, want)
	}
	s := believeSentence(bl)
	if strings.Contains(s, "lies in  of") || strings.Contains(s, "lies in of") {
		t.Errorf("empty range: %q", s)
	}
	for _, w := range []string{"no failure rate at any recovery time swept brings the ratio into 1.67×–2.33×", "no porting time brings it into the claim"} {
		if !strings.Contains(s, w) {
			t.Errorf("sentence %q lacks %q", s, w)
		}
	}
}

// TestBelieveWindows: the default report's windows (15 min: 2.60×–4.60×;
// porting at 100 %: from a hair above 0 to 1.5 months) read as before; a
// failure window open at the top reads "or more"; a porting window that
// starts above 0 gives both bounds; a failure window with no porting
// window says no porting time does.
func TestBelieveWindows(t *testing.T) {
	bl := &scenario.BelieveResult{ClaimLow: 5.0 / 3, ClaimHigh: 7.0 / 3, TypFailure: 1.9, TypRecovery: 21, Basis: map[string]string{"failure rate": "assumed"},
		FailWindows: []scenario.BelieveWindow{{At: 15, Lo: 2.6, Hi: 4.6}}, PortWindows: []scenario.BelieveWindow{{At: 1, Lo: 0.01, Hi: 1.5}}}
	if got, _ := believeShort(bl); got != "a failure rate 2.60×–4.60× H100's at 15 min recovery with porting kept out of the run, or, at the typical 1.9× failure rate and 21 min recovery, porting under 1.5 months" {
		t.Errorf("default: %q", got)
	}
	if got := believeSentence(bl); !strings.HasSuffix(got, "At the typical failure rate and recovery, porting must take under 1.5 months.") {
		t.Errorf("default sentence: %q", got)
	}
	bl.FailWindows[0].Hi, bl.PortWindows[0].Lo = math.NaN(), 0.5
	if got, _ := believeShort(bl); !strings.Contains(got, "2.60× or more H100's") || !strings.HasSuffix(got, "porting of 0.5–1.5 months") {
		t.Errorf("open window: %q", got)
	}
	bl.PortWindows[0] = scenario.BelieveWindow{At: 1, Lo: math.NaN(), Hi: math.NaN()}
	if got, ok := believeShort(bl); !ok || !strings.HasSuffix(got, "though at the typical 1.9× failure rate and 21 min recovery no porting time does") {
		t.Errorf("no porting window: %q %v", got, ok)
	}
}

// TestBaselineAtNamesWhose: section 7's opening names whose days it
// gives: H100's 65 days at typical values and H100's samples' 68–78, in
// a sentence on CM384's ratio to it (it read "CM384's total training
// time over H100's (65 days ...)", as if the days were CM384's).
func TestBaselineAtNamesWhose(t *testing.T) {
	bl := &scenario.BelieveResult{Baseline: "H100", Challenger: "CM384", BaselineTime: 65}
	b := &builder{r: &scenario.Results{Systems: []scenario.SystemResult{{System: scenario.System{Label: "H100"},
		Stats: map[string]scenario.Stat{scenario.OutTotalDays: {Typ: 65, P10: 68, P50: 72, P90: 78}}}}}}
	got := b.baselineAt(bl)
	for _, want := range []string{"H100's own: 65 days at typical values", "H100's samples' P10–P90 is 68–78 days"} {
		if !strings.Contains(got, want) {
			t.Errorf("baselineAt = %q, want it to contain %q", got, want)
		}
	}
}

// TestBelieveMapTips: the section-7 map's cells read "0.25 × H100's
// failure rate, 1 min recovery: 1.21×", not "1 recovery, min: 1.21".
func TestBelieveMapTips(t *testing.T) {
	r := fixture()
	r.Believe = &scenario.BelieveResult{Baseline: "H100", Challenger: "CM384", ClaimLow: 5.0 / 3, ClaimHigh: 7.0 / 3,
		Map: scenario.BelieveMap{Failure: []float64{0.25}, Recovery: []float64{1}, Ratio: [][]float64{{1.21}}}}
	var svg string
	for _, s := range Build(r).Sections {
		for _, c := range s.Charts {
			if strings.HasPrefix(c.Title, "where the claim holds") {
				svg = string(c.SVG)
			}
		}
	}
	if !strings.Contains(svg, "failure rate, 1 min recovery: 1.21×</title>") {
		t.Errorf("map tooltip not worded as '..., 1 min recovery: 1.21×':\n%s", svg)
	}
}

// TestFailureChartBasisStated: the failure-rate chart includes porting
// (2.0 months) while the windows table excludes it, so each says so:
// the table's note names the chart's porting and its axis end (12×).
func TestFailureChartBasisStated(t *testing.T) {
	r := fixture()
	r.Believe = &scenario.BelieveResult{Baseline: "H100", Challenger: "CM384", ClaimLow: 5.0 / 3, ClaimHigh: 7.0 / 3, TypPort: 2,
		ByFailure:   []scenario.BelieveCurve{{Value: 1, X: []float64{0.25, 12}, Ratio: []float64{2.2, 4}}},
		FailWindows: []scenario.BelieveWindow{{At: 1, Lo: 14.48, Hi: 33.11}}}
	for _, s := range Build(r).Sections {
		if s.ID != "believe" {
			continue
		}
		if n := s.Tables[0].Note; !strings.Contains(n, "Porting excluded here; the failure-rate chart includes the typical porting of 2.0 months") || !strings.Contains(n, "its axis ends at 12.00×") {
			t.Errorf("windows table note = %q", n)
		}
		if !strings.Contains(string(s.Charts[0].SVG), "porting 2.0 months included, unlike the table") {
			t.Errorf("failure-rate chart title does not say porting is included")
		}
	}
}
