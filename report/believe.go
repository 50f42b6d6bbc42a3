package report

import (
	"fmt"
	"math"
	"strings"

	"chipgap/plot"
	"chipgap/scenario"
	"chipgap/uncertain"
)

// believe is "what you would have to believe": where in the unknowns of
// the challenger's whole run the essay's 5–7 months (1.67–2.33×) holds.
func (b *builder) believe() {
	bl := b.r.Believe
	s := Section{ID: "believe", Title: "7. What you would have to believe"}
	if bl == nil {
		s.Text = append(s.Text, "No map: the scenario has no baseline and challenger with training plans.")
		b.add(s)
		return
	}
	s.Text = append(s.Text,
		fmt.Sprintf("The essay: a run of 3 months on NVIDIA takes 5–7 months on Ascend, %.2f×–%.2f×. Below, the ratio of %s's total training time to %s's (%s) as four unknowns move, everything else at typical values: the failure rate as a multiple of the H100 fleet's (the Llama 3 record, every component scaled alike), the recovery time per interruption (detection + restart), the porting time before the run, and the stack's efficiency (steady-state throughput as a fraction of what chipgap's calibrated profile predicts).",
			bl.ClaimLow, bl.ClaimHigh, bl.Challenger, bl.Baseline, b.baselineAt(bl)),
		fmt.Sprintf("%s: failure rate %.1f× H100's%s, recovery %.0f min, porting %.1f months, efficiency %.0f %% (%s). Evidence class of each: %s.",
			typValues(bl), bl.TypFailure, scaleNote(bl), bl.TypRecovery, bl.TypPort, 100*bl.TypEff, b.typRatio(bl), basisList(bl.Basis)),
		believeSentence(bl))
	if e := b.efficiencyEvidence(bl.Challenger); e != "" {
		s.Text = append(s.Text, e)
	}
	fw := Table{Caption: "The claim holds for failure rates (× H100's) in this window, by recovery time (porting excluded, efficiency 100 %)",
		Header: []string{"recovery time", "failure rate from", "to"},
		Note:   fmt.Sprintf("Porting excluded here; the failure-rate chart includes the typical porting of %.1f months, so its curves enter the claim at lower failure rates than these windows (and its axis ends at %s).", bl.TypPort, chartEnd(bl.ByFailure))}
	for _, w := range bl.FailWindows {
		fw.Rows = append(fw.Rows, []string{fmt.Sprintf("%.0f min", w.At), bound(w.Lo, "×"), bound(w.Hi, "×")})
	}
	pw := Table{Caption: fmt.Sprintf("The claim holds for porting times in this window, by stack efficiency (failure rate %.1f× H100's, recovery %.0f min)", bl.TypFailure, bl.TypRecovery),
		Header: []string{"stack efficiency", "porting from (months)", "to (months)"}}
	for _, w := range bl.PortWindows {
		pw.Rows = append(pw.Rows, []string{fmt.Sprintf("%.0f %%", 100*w.At), bound(w.Lo, ""), bound(w.Hi, "")})
	}
	pw.Note = "– : no value of the swept unknown brings the ratio into 1.67×–2.33× (it stays above). Trail: goodput.Closed on the challenger's plan, checkpoints and spares; scenario/believe.go."
	s.Tables = append(s.Tables, fw, pw)
	s.Charts = append(s.Charts,
		Chart{Title: "break-even: failure rate", SVG: plot.Lines(fmt.Sprintf("%s / %s total time vs failure rate, by recovery time (porting %.1f months included, unlike the table's windows)", bl.Challenger, bl.Baseline, bl.TypPort),
			"× H100's failure rate", "× time", believeSeries(bl.ByFailure, "%.0f min recovery", bl), 0)},
		Chart{Title: "break-even: porting", SVG: plot.Lines(fmt.Sprintf("%s / %s total time vs porting time, by stack efficiency", bl.Challenger, bl.Baseline),
			"months of porting", "× time", believeSeries(bl.ByPort, "efficiency %.2f", bl), 0)},
		Chart{Title: "where the claim holds: failure rate × recovery time", SVG: plot.Regions(plot.Map{
			Title: fmt.Sprintf("%s / %s total time by failure rate and recovery time (porting excluded)", bl.Challenger, bl.Baseline),
			XUnit: "× H100's failure rate", YUnit: "recovery, min", YTip: "%s min recovery", ZUnit: "×", X: bl.Map.Failure, Y: bl.Map.Recovery, Z: bl.Map.Ratio,
			Bands: []plot.Band{
				{Label: fmt.Sprintf("< %.2f×: faster", bl.ClaimLow), Lo: 0, Hi: bl.ClaimLow, Color: "#76b7b2"},
				{Label: fmt.Sprintf("%.2f×–%.2f×: claim holds", bl.ClaimLow, bl.ClaimHigh), Lo: bl.ClaimLow, Hi: bl.ClaimHigh, Color: "#edc948"},
				{Label: fmt.Sprintf("> %.2f×: slower", bl.ClaimHigh), Lo: bl.ClaimHigh, Hi: math.Inf(1), Color: "#e15759"},
			}})})
	b.add(s)
}

// chartEnd is where the failure-rate curves' x axis ends ("12×"), the
// last failure multiple swept; "–" where none was.
func chartEnd(cs []scenario.BelieveCurve) string {
	end := math.NaN()
	for _, c := range cs {
		if len(c.X) > 0 {
			end = c.X[len(c.X)-1]
		}
	}
	return bound(end, "×")
}

// baselineAt is the baseline's total training time at typical values,
// named as the baseline's ("H100's own: 65 days at typical values", in a
// sentence about the challenger's ratio to it), with, where it lies
// outside the samples' P10–P90 of the same figure (the headline's), that
// band and why, as section 6 words its ratio.
func (b *builder) baselineAt(bl *scenario.BelieveResult) string {
	at := fmt.Sprintf("%s's own: %.0f days at typical values", bl.Baseline, float64(bl.BaselineTime))
	if sy := b.system(bl.Baseline); sy != nil {
		if st, ok := sy.Stats[scenario.OutTotalDays]; ok {
			if n := st.Apart().Note(uncertain.TypicalEstimate, "it"); n != "" {
				at += fmt.Sprintf("; %s's samples' P10–P90 is %s–%s days, and %s", bl.Baseline, fixed(0)(st.P10), fixed(0)(st.P90), n)
			}
		}
	}
	return at
}

// efficiencyEvidence is what the challenger's training regime has
// measured against chipgap's predictions, as a stack efficiency: its runs
// came in at 1/(1 + P90 error) to 1/(1 + P10 error) of the prediction
// (catalog.Score.Spread at 1); "" where it has no band.
func (b *builder) efficiencyEvidence(challenger string) string {
	for _, sy := range b.r.Systems {
		if sy.System.Label != challenger || sy.TrainingScore == nil {
			continue
		}
		sc := sy.TrainingScore
		lo, hi, ok := sc.Spread(1)
		if !ok {
			return ""
		}
		return fmt.Sprintf("What efficiency the evidence supports: the published runs of %s's training regime (%s) measured %.0f %%–%.0f %% of what chipgap predicted for them (P10–P90 of %d runs); that is their chips', scales' and releases' efficiency, not a measurement of %s's.",
			challenger, sc.What, 100*lo, 100*hi, sc.Runs, challenger)
	}
	return ""
}

// typValues names whose typical values section 7 starts from: the
// catalog's, or, where the scenario scales the challenger's failure
// rates, the catalog's with that scale.
func typValues(bl *scenario.BelieveResult) string {
	if bl.TypFailureScale == nil {
		return "The catalog's typical values"
	}
	return "The typical values (the catalog's, with the scenario's failure-rate scale)"
}

// scaleNote is the failure multiple's parts where the scenario scales
// the challenger's rates: the catalog's multiple times the scale.
func scaleNote(bl *scenario.BelieveResult) string {
	sc := bl.TypFailureScale
	if sc == nil {
		return ""
	}
	if *sc == 0 {
		return " (the scenario's failure-rate scale is 0)"
	}
	return fmt.Sprintf(" (the catalog's %.2f× times the scenario's failure-rate scale %.2f)", bl.TypFailure / *sc, *sc)
}

// typRatio is the section's ratio at the typical values, and, where it
// prints differently, the full model's (the gap's typical ratio, section
// 6's tornado base): this section folds every failure mode into one
// multiple of H100's rates and one recovery time, so the two differ a
// little.
func (b *builder) typRatio(bl *scenario.BelieveResult) string {
	own := fmt.Sprintf("ratio %.2f×", bl.RatioAtTyp)
	g := b.gap(bl.Challenger)
	if g == nil {
		return own
	}
	full, ok := g.Stats[scenario.GapRatio]
	if !ok {
		return own
	}
	if fmt.Sprintf("%.2f", full.Typ) != fmt.Sprintf("%.2f", bl.RatioAtTyp) {
		own += fmt.Sprintf(" in this section's model, which folds every failure mode into one rate and one recovery time; the full model gives %.2f× at typical values, as in section 6", full.Typ)
	}
	return own + sampledNote(full, bl.ClaimLow, bl.ClaimHigh)
}

// sampledNote says where the typical values sit among the samples, for
// a claim of lo–hi: the windows below are read at typical values, and
// where the ratio there lies nearer the claim than the samples' P50 they
// are kinder to it than the median run, where farther harsher (seed 1:
// 2.51× typical against a P50 of 3.01× [2.45×–3.58×], the claim
// 1.67×–2.33×: kinder). Nothing where both are as near (both inside).
func sampledNote(full scenario.Stat, lo, hi float64) string {
	off := func(x float64) float64 { return max(lo-x, x-hi, 0) }
	var how string
	switch t, m := off(full.Typ), off(full.P50); {
	case t < m:
		how = "kinder to the claim than the median run"
	case t > m:
		how = "harsher on the claim than the median run"
	default:
		return ""
	}
	return fmt.Sprintf("; the samples give %.2f× [%.2f×–%.2f×], so the windows below, read at typical values, are %s", full.P50, full.P10, full.P90, how)
}

// believeSentence says where the claim holds, in words; where no value
// of a swept unknown brings the ratio into the claim it says so rather
// than print an empty range.
func believeSentence(bl *scenario.BelieveResult) string {
	var parts []string
	for _, w := range bl.FailWindows {
		if r := failRange(w); r != "" {
			parts = append(parts, fmt.Sprintf("%s at %.0f min", r, w.At))
		}
	}
	var out string
	if len(parts) > 0 {
		out = "With porting kept out of the run and the modelled efficiency, the claim holds if Ascend's failure rate, as a multiple of H100's, lies in " + strings.Join(parts, ", ") + " of recovery per interruption."
	} else {
		out = fmt.Sprintf("With porting kept out of the run and the modelled efficiency, no failure rate at any recovery time swept brings the ratio into %.2f×–%.2f×.", bl.ClaimLow, bl.ClaimHigh)
	}
	for _, w := range bl.PortWindows {
		if w.At != 1 {
			continue
		}
		if r := portRange(w); strings.HasPrefix(r, "porting under ") {
			out += " At the typical failure rate and recovery, porting must take under " + strings.TrimPrefix(r, "porting under ") + "."
		} else if r != "" {
			out += " At the typical failure rate and recovery, the claim needs " + r + "."
		} else {
			out += " At the typical failure rate and recovery, no porting time brings it into the claim."
		}
	}
	return out
}

// failRange is a failure-rate window in words ("" where none): "0.27×–2.27×",
// or "0.27× or more" where the ratio stays in the claim to the sweep's end.
func failRange(w scenario.BelieveWindow) string {
	switch {
	case math.IsNaN(w.Lo):
		return ""
	case math.IsNaN(w.Hi):
		return bound(w.Lo, "×") + " or more"
	}
	return bound(w.Lo, "×") + "–" + bound(w.Hi, "×")
}

// portRange is a porting window in words ("" where none): "porting under
// 1.5 months" where no porting at all is inside, else its bounds.
func portRange(w scenario.BelieveWindow) string {
	switch {
	case math.IsNaN(w.Lo):
		return ""
	case math.IsNaN(w.Hi):
		return fmt.Sprintf("porting of %.1f months or more", w.Lo)
	case fmt.Sprintf("%.1f", w.Lo) == "0.0":
		return fmt.Sprintf("porting under %.1f months", w.Hi)
	}
	return fmt.Sprintf("porting of %.1f–%.1f months", w.Lo, w.Hi)
}

func bound(v float64, unit string) string {
	if math.IsNaN(v) {
		return "–"
	}
	if unit == "×" {
		return fmt.Sprintf("%.2f×", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func basisList(m map[string]string) string {
	var parts []string
	for _, k := range []string{"failure rate", "recovery time", "porting time", "stack efficiency"} {
		parts = append(parts, k+" "+m[k])
	}
	return strings.Join(parts, "; ")
}

// believeSeries turns curves into chart lines, capped at 6× (a run that
// never finishes is left off), with the claim's two bounds as flat lines.
func believeSeries(cs []scenario.BelieveCurve, name string, bl *scenario.BelieveResult) []plot.Series {
	const cap = 6.0
	var out []plot.Series
	var x0, x1 float64
	for _, c := range cs {
		s := plot.Series{Name: fmt.Sprintf(name, c.Value)}
		for i, y := range c.Ratio {
			if math.IsInf(y, 0) || math.IsNaN(y) || y > cap {
				break
			}
			s.X, s.Y = append(s.X, c.X[i]), append(s.Y, y)
		}
		if len(c.X) > 0 {
			x0, x1 = c.X[0], c.X[len(c.X)-1]
		}
		out = append(out, s)
	}
	return append(out,
		plot.Series{Name: fmt.Sprintf("essay 5 months (%.2f×)", bl.ClaimLow), X: []float64{x0, x1}, Y: []float64{bl.ClaimLow, bl.ClaimLow}},
		plot.Series{Name: fmt.Sprintf("essay 7 months (%.2f×)", bl.ClaimHigh), X: []float64{x0, x1}, Y: []float64{bl.ClaimHigh, bl.ClaimHigh}})
}

// believeHeadline is the headline's sentence on the map: the
// failure-rate window at 15 min of recovery (porting excluded) and the
// porting window at typical failures and full efficiency; where neither
// has a value that brings the ratio into the claim, it says none does.
func believeHeadline(bl *scenario.BelieveResult) string {
	claim := fmt.Sprintf("The essay's 5–7 months (%.2f×–%.2f×)", bl.ClaimLow, bl.ClaimHigh)
	tail := fmt.Sprintf(" (failure rate, recovery and porting are %s values; section 7).", bl.Basis["failure rate"])
	short, any := believeShort(bl)
	if !any {
		return claim + " holds nowhere the unknowns were swept: " + short + tail
	}
	return claim + " holds only where the unknowns allow it: " + short + tail
}

// believeShort is believeHeadline's clause, and whether any window has
// a value inside the claim.
func believeShort(bl *scenario.BelieveResult) (string, bool) {
	var fail, port string
	for _, w := range bl.FailWindows {
		if r := failRange(w); w.At == 15 && r != "" {
			fail = fmt.Sprintf("a failure rate %s H100's at 15 min recovery with porting kept out of the run", r)
		}
	}
	for _, w := range bl.PortWindows {
		if w.At == 1 {
			port = portRange(w)
		}
	}
	typ := fmt.Sprintf("at the typical %.1f× failure rate and %.0f min recovery", bl.TypFailure, bl.TypRecovery)
	switch {
	case fail == "" && port == "":
		return fmt.Sprintf("no failure rate at 15 min recovery (porting kept out of the run) and no porting time %s brings the ratio into it (%.2f× at typical values)",
			typ, bl.RatioAtTyp), false
	case fail == "":
		return typ + ", " + port, true
	case port == "":
		return fail + ", though " + typ + " no porting time does", true
	}
	return fail + ", or, " + typ + ", " + port, true
}
