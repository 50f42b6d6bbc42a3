package report

import (
	"fmt"
	"slices"
	"strings"

	"chipgap/scenario"
	"chipgap/units"
)

// The cross-check sets a training figure that rests on an assumed stack
// profile (Ascend's cann-mindspeed) beside the same run on the hardware
// stack's profile fitted on published runs (scenario.CrossCheck), both
// at typical values.

// typTPS is a system's whole-cluster training throughput at typical
// values, 0 where it has none.
func typTPS(sy *scenario.SystemResult) float64 {
	if st, ok := sy.Stats[scenario.OutTokensPerSec]; ok {
		return st.Typ
	}
	return 0
}

// crossUsable reports whether sy carries a cross-check with a plan.
func crossUsable(sy *scenario.SystemResult) bool {
	return sy != nil && sy.TrainingCrossCheck != nil && sy.TrainingCrossCheck.TokensPerSec > 0 && typTPS(sy) > 0
}

// crossSteady is the claims-table addition for the steady-state time
// ratio of chal to base: chal's on its calibrated profile, and on its own
// at the same typical values; "" where chal has no cross-check.
func crossSteady(base, chal *scenario.SystemResult) string {
	if !crossUsable(chal) || typTPS(base) <= 0 {
		return ""
	}
	cc := chal.TrainingCrossCheck
	return fmt.Sprintf("; %s on stack %s, the %s profile fitted on published runs (%s on its default profile at the same typical values)",
		times(typTPS(base)/cc.TokensPerSec), cc.Profile, cc.HardwareStack, times(typTPS(base)/typTPS(chal)))
}

// crossPerChip is the claims-table addition for chal's training
// throughput per chip over base's on its calibrated profile.
func crossPerChip(base, chal *scenario.SystemResult) string {
	if !crossUsable(chal) || typTPS(base) <= 0 || base.Chips <= 0 || chal.Chips <= 0 {
		return ""
	}
	per := typTPS(base) / float64(base.Chips)
	r := chal.TrainingCrossCheck.TokensPerSec / float64(chal.Chips) / per
	return fmt.Sprintf("; %s on stack %s, fitted on published runs (%s on its default profile at the same typical values)", times(r),
		chal.TrainingCrossCheck.Profile, times(typTPS(chal)/float64(chal.Chips)/per))
}

// crossLines is section 2's text on the cross-checks: each system whose
// training profile is assumed, run again on its stack's calibrated one.
func (b *builder) crossLines() []string {
	var parts, stacks []string
	for i := range b.r.Systems {
		sy := &b.r.Systems[i]
		cc := sy.TrainingCrossCheck
		if cc == nil {
			continue
		}
		if !slices.Contains(stacks, cc.Stack) {
			stacks = append(stacks, cc.Stack)
		}
		if cc.Error != "" || cc.TokensPerSec <= 0 {
			parts = append(parts, fmt.Sprintf("%s on stack %s: %s", sy.System.Label, cc.Profile, cc.Error))
			continue
		}
		own := ""
		if st, ok := sy.Stats[scenario.OutSteadyDays]; ok {
			own = fmt.Sprintf(" (%.0f on its own profile)", st.Typ)
		}
		days := b.r.Training.Tokens / cc.TokensPerSec / float64(units.Day)
		b.crossFigures(sy.System.Label, cc, days)
		parts = append(parts, fmt.Sprintf("%s on stack %s: %s, MFU %s, %.0f steady-state days%s", sy.System.Label, cc.Profile, cc.Plan,
			pct(cc.MFU), days, own))
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{"Cross-check of the assumed training profiles, at typical values with the plan searched again on " + strings.Join(stacks, "; ") +
		": " + strings.Join(parts, "; ") + ". The downtime, engineering and cost figures above keep each system's own profile."}
}

// crossClass is the evidence-class addition for chal's cross-check.
func crossClass(chal *scenario.SystemResult) string {
	if !crossUsable(chal) {
		return ""
	}
	return "; cross-check: " + chal.TrainingCrossCheck.Evidence
}

// crossPower is the claims-table addition for chal's watts per achieved
// training FLOP/s over base's with chal on its calibrated profile
// (scenario.CrossCheck.WPerAchieved), typical values.
func crossPower(base, chal *scenario.SystemResult) string {
	if !crossUsable(chal) || chal.TrainingCrossCheck.WPerAchieved <= 0 {
		return ""
	}
	ba, ok := base.Stats[scenario.OutWPerAchieved]
	if !ok || ba.Typ <= 0 {
		return ""
	}
	w := chal.TrainingCrossCheck.WPerAchieved
	own := ""
	if ca, ok := chal.Stats[scenario.OutWPerAchieved]; ok && ca.Typ > 0 {
		own = fmt.Sprintf(" (%s on its default profile at the same typical values)", times(ca.Typ/ba.Typ))
	}
	return fmt.Sprintf("; %s on stack %s%s", times(w/ba.Typ), chal.TrainingCrossCheck.Profile, own)
}

// crossBand is a band of chal's over base's on chal's cross-check
// profile: its default profile's band times scale, the two profiles'
// ratio at typical values. A band of NaNs where the report shows none.
type crossBand struct {
	profile string
	scale   float64
	band    scenario.Stat
}

// noCross is a crossBand where the report shows no cross-check.
func noCross() crossBand { return crossBand{band: statOrNaN(nil, "")} }

// crossPowerBand is the achieved-power band ach (chal's W per achieved
// FLOP/s over base's) carried to chal's cross-check profile, where
// crossPower prints one: ach × (W on the cross-check / W on the default
// profile), both at typical values (seed 1, 910B: 2.05×/1.54× = 1.33).
func crossPowerBand(base, chal *scenario.SystemResult, ach scenario.Stat) crossBand {
	none := noCross()
	if crossPower(base, chal) == "" {
		return none
	}
	ca, ok := chal.Stats[scenario.OutWPerAchieved]
	if !ok || ca.Typ <= 0 {
		return none
	}
	k := chal.TrainingCrossCheck.WPerAchieved / ca.Typ
	return crossBand{profile: chal.TrainingCrossCheck.Profile, scale: k,
		band: scenario.Stat{Typ: k * ach.Typ, P10: k * ach.P10, P50: k * ach.P50, P90: k * ach.P90}}
}

// crossFigures lists a cross-check's MFU and steady-state days among the
// report's figures (the CSV), at typical values (no P10–P90: the
// cross-check is one search at typical values).
func (b *builder) crossFigures(label string, cc *scenario.CrossCheck, days float64) {
	trail := "training.Search on stack " + cc.Profile + " (catalog.CalibratedTrainingProfile), typical values"
	for _, f := range []struct {
		name, unit string
		v          float64
	}{{"MFU on stack " + cc.Profile + " (cross-check)", "", cc.MFU}, {"steady-state days on stack " + cc.Profile + " (cross-check)", "d", days}} {
		b.rep.Figures = append(b.rep.Figures, Figure{Section: "training", Subject: label, Name: f.name, Unit: f.unit,
			Stat: scenario.Stat{Typ: f.v, P10: f.v, P50: f.v, P90: f.v}, Trail: trail})
	}
}
