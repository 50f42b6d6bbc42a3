package report

import (
	"fmt"
	"strings"

	"chipgap/catalog"
	"chipgap/scenario"
)

// scored is the line under a section's table saying how the estimators
// behind its figures score on published runs: each regime once, with
// the systems it covers, and the systems no regime scores.
func (b *builder) scored(pick func(scenario.SystemResult) *catalog.Score) string {
	var order, none []string
	by := map[string]*catalog.Score{}
	who := map[string][]string{}
	for _, sy := range b.r.Systems {
		s := pick(sy)
		if s == nil {
			none = append(none, sy.System.Label)
			continue
		}
		if by[s.ID] == nil {
			order = append(order, s.ID)
			by[s.ID] = s
		}
		who[s.ID] = append(who[s.ID], sy.System.Label)
	}
	if len(order) == 0 && len(none) == 0 {
		return ""
	}
	var parts []string
	for _, id := range order {
		parts = append(parts, fmt.Sprintf("%s [%s]", by[id].Summary(), strings.Join(who[id], ", ")))
	}
	if len(none) > 0 {
		// A system whose estimate no regime scores is named, not left out.
		parts = append(parts, fmt.Sprintf("no regime scores [%s] (no published runs of their vendor, kind of model and software)", strings.Join(none, ", ")))
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
	return fmt.Sprintf("scored on published serving runs, %s's estimator errs %s on throughput (median of %d) and %s's %s (median of %d), so %s's $/Mtok is likely understated against %s's",
		fast.System.Label, catalog.SignedPct(fast.ServingScore.Median), fast.ServingScore.Runs, slow.System.Label, catalog.SignedPct(slow.ServingScore.Median),
		slow.ServingScore.Runs, fast.System.Label, slow.System.Label)
}

// servingBiasShort is servingBias for the claims table.
func servingBiasShort(base, chal *scenario.SystemResult) string {
	fast, slow := servingLean(base, chal)
	if fast == nil {
		return ""
	}
	return fmt.Sprintf("scored: %s's serving estimator %s on published runs, %s's %s (section 3)",
		fast.System.Label, catalog.SignedPct(fast.ServingScore.Median), slow.System.Label, catalog.SignedPct(slow.ServingScore.Median))
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

// scoredRatio is what-if arithmetic, not a correction: the challenger's
// over the baseline's $/Mtok (P50) if each side's measured throughput
// stood to its prediction as its scored median does (cost scales with
// 1 + median error). " " + the sentence, or "" without the figures.
func scoredRatio(base, chal *scenario.SystemResult) string {
	if base == nil || chal == nil || base.ServingScore == nil || chal.ServingScore == nil {
		return ""
	}
	cb, okb := base.Stats[scenario.OutUSDPerMtok]
	cc, okc := chal.Stats[scenario.OutUSDPerMtok]
	if !okb || !okc || cb.P50 <= 0 {
		return ""
	}
	r := cc.P50 / cb.P50
	adj := r * (1 + chal.ServingScore.Median) / (1 + base.ServingScore.Median)
	return fmt.Sprintf(" Were each side's cost off by its scored median, the %s/%s ratio of %.2f× would be %.2f× (a what-if on %d and %d runs, not a correction).",
		chal.System.Label, base.System.Label, r, adj, chal.ServingScore.Runs, base.ServingScore.Runs)
}
