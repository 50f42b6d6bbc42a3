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
