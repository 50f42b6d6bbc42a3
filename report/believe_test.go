package report

import (
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
		Stats: map[string]scenario.Stat{scenario.GapRatio: {Typ: 219.986 / 64.958}}}}}}
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
