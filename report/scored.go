package report

import (
	"fmt"
	"strings"

	"chipgap/catalog"
	"chipgap/scenario"
)

// signedPct is an error as the report writes it: "+52 %", "−8.2 %".
func signedPct(x float64) string {
	v := fmt.Sprintf("%+.1f %%", 100*x)
	if x >= 0.1 || x <= -0.1 {
		v = fmt.Sprintf("%+.0f %%", 100*x)
	}
	return strings.Replace(v, "-", "−", 1)
}

// scoreText is a scorecard regime as the report quotes it: "NVIDIA MoE
// serving (…): median +52 % (−9.3 % to +97 %) over 25 published runs,
// none of them fitted on".
func scoreText(s *catalog.Score) string {
	fitted := "none of them fitted on"
	switch {
	case s.Calibrated == s.Runs:
		fitted = "all of them fitted on"
	case s.Calibrated > 0:
		fitted = fmt.Sprintf("%d of them fitted on", s.Calibrated)
	}
	return fmt.Sprintf("%s: median %s (%s to %s) over %d published runs, %s", s.What, signedPct(s.Median), signedPct(s.Min), signedPct(s.Max), s.Runs, fitted)
}

// scored is the line under a section's table saying how the estimators
// behind its figures score on published runs: each regime once, with
// the systems it covers.
func (b *builder) scored(pick func(scenario.SystemResult) *catalog.Score) string {
	var order []string
	by := map[string]*catalog.Score{}
	who := map[string][]string{}
	for _, sy := range b.r.Systems {
		s := pick(sy)
		if s == nil {
			continue
		}
		if by[s.ID] == nil {
			order = append(order, s.ID)
			by[s.ID] = s
		}
		who[s.ID] = append(who[s.ID], sy.System.Label)
	}
	if len(order) == 0 {
		return ""
	}
	var parts []string
	for _, id := range order {
		parts = append(parts, fmt.Sprintf("%s [%s]", scoreText(by[id]), strings.Join(who[id], ", ")))
	}
	return "Scored on published runs (signed error, predicted / measured − 1; catalog scorecard.yaml, recomputed by validate in the tests): " +
		strings.Join(parts, "; ") + "."
}

// servingBias says which way the scored serving estimators lean between
// the baseline and the challenger: "" when their medians are within 10
// points of each other.
func servingBias(base, chal *scenario.SystemResult) string {
	fast, slow := servingLean(base, chal)
	if fast == nil {
		return ""
	}
	return fmt.Sprintf("scored on published serving runs, %s's estimator predicts %s more throughput than measured (median of %d) and %s's %s (median of %d), so %s's $/Mtok is likely understated against %s's",
		fast.System.Label, signedPct(fast.ServingScore.Median), fast.ServingScore.Runs, slow.System.Label, signedPct(slow.ServingScore.Median),
		slow.ServingScore.Runs, fast.System.Label, slow.System.Label)
}

// servingBiasShort is servingBias for the claims table.
func servingBiasShort(base, chal *scenario.SystemResult) string {
	fast, slow := servingLean(base, chal)
	if fast == nil {
		return ""
	}
	return fmt.Sprintf("scored: %s's serving estimator %s on published runs, %s's %s (section 3)",
		fast.System.Label, signedPct(fast.ServingScore.Median), slow.System.Label, signedPct(slow.ServingScore.Median))
}

// servingLean is the side whose serving estimator over-predicts
// published runs by more than 10 points beyond the other's, and the
// other; nil when neither does (or a side has no score).
func servingLean(base, chal *scenario.SystemResult) (fast, slow *scenario.SystemResult) {
	if base == nil || chal == nil || base.ServingScore == nil || chal.ServingScore == nil {
		return nil, nil
	}
	switch bm, cm := base.ServingScore.Median, chal.ServingScore.Median; {
	case bm-cm > 0.1:
		return base, chal
	case cm-bm > 0.1:
		return chal, base
	}
	return nil, nil
}
