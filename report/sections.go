package report

import (
	"fmt"
	"math"
	"strings"

	"chipgap/catalog"
	"chipgap/plot"
	"chipgap/scenario"
	"chipgap/uncertain"
	"chipgap/units"
)

// noSamples is verdict's answer where chipgap's P10–P90 is not a pair of
// numbers (a statistic absent or undefined): nothing to compare.
const noSamples = "no finite samples"

// verdict compares the essay's range [lo, hi] with chipgap's P10–P90.
func verdict(lo, hi float64, s scenario.Stat) string {
	switch {
	case math.IsNaN(s.P10) || math.IsNaN(s.P90):
		return noSamples
	case hi < s.P10:
		return "chipgap finds more"
	case lo > s.P90:
		return "chipgap finds less"
	default:
		return "consistent"
	}
}

// judge turns a comparison into the claims table's verdict: supported
// when chipgap's P10–P90 holds the essay's figure, contradicted when it
// does not; but undecided when the inputs that decide it are assumed
// (needs says what evidence would decide it).
func judge(cmp, class, needs string) string {
	if cmp == noSamples {
		return "undecided (" + noSamples + ")"
	}
	if class == scenario.BasisAssumed {
		return "undecided (needs " + needs + "; model: " + cmp + ")"
	}
	if cmp == "consistent" {
		return "supported"
	}
	return "contradicted (" + cmp + ")"
}

// trainingClass is the evidence class that decides the whole-run gap:
// the weakest of the unknowns that move it most (failure rate, recovery,
// porting; see the believe map).
func (b *builder) trainingClass() string {
	if bl := b.r.Believe; bl != nil {
		for _, k := range []string{"failure rate", "recovery time", "porting time"} {
			if bl.Basis[k] == scenario.BasisAssumed {
				return scenario.BasisAssumed
			}
		}
		return scenario.BasisReported
	}
	return scenario.BasisAssumed
}

const needsWholeRun = "Ascend interruption, recovery and porting records"

const needsStackFit = "training measurements to fit the Ascend stack's efficiency"

// weakerClass is the weaker of the two sides' training-stack evidence
// classes: assumed where either side's efficiency is.
func weakerClass(base, chal *scenario.SystemResult) string {
	for _, s := range []*scenario.SystemResult{base, chal} {
		if strings.HasPrefix(s.TrainingEvidence, scenario.BasisAssumed) {
			return scenario.BasisAssumed
		}
	}
	return scenario.BasisMeasured
}

// stackClasses is the evidence class of each side's training-stack
// efficiency (scenario.SystemResult.TrainingEvidence), once where both
// are the same stack's.
func stackClasses(base, chal *scenario.SystemResult) string {
	if base.TrainingEvidence == chal.TrainingEvidence {
		return base.TrainingEvidence
	}
	return base.System.Label + ": " + base.TrainingEvidence + "; " + chal.System.Label + ": " + chal.TrainingEvidence
}

// parityVerdict words the state-media claim that the 910C matches the
// H100 (which the essay itself doubts), with its thresholds, stated
// assumptions: "matches" fails where the steady-state time's P10 exceeds
// 1.1× or the peak is under 0.9× H100's.
func parityVerdict(cmp string) string {
	const th = " (assumed thresholds: it fails where the steady-state time's P10 exceeds 1.1× H100's or the peak is under 0.9×)"
	if cmp == "consistent" {
		return "state-media claim supported, against the essay's doubt" + th
	}
	return "state-media claim contradicted, as the essay expects: chipgap finds less" + th
}

// bandWord says where one band of chipgap's lies against the essay's
// figure v: "consistent per WHAT (1.28×–1.65× holds 1.30×)", or "more"
// or "less" where the P10–P90 lies above or below it.
func bandWord(what string, v float64, s scenario.Stat) string {
	r := times(s.P10) + "–" + times(s.P90)
	switch verdict(v, v, s) {
	case "chipgap finds more":
		return fmt.Sprintf("more %s (%s, above %s)", what, r, times(v))
	case "chipgap finds less":
		return fmt.Sprintf("less %s (%s, below %s)", what, r, times(v))
	case noSamples:
		return noSamples + " " + what
	}
	return fmt.Sprintf("consistent %s (%s holds %s)", what, r, times(v))
}

// timeMoneyCmp compares "paying twice as much, in time and money" with
// the time ratio and the cost ratio each: "consistent" where both bands
// hold 2×, else what each band says ("more in time (2.45×–3.58×, above
// 2.00×); consistent in money (1.40×–2.29× holds 2.00×)").
func timeMoneyCmp(tm, cost scenario.Stat) string {
	if verdict(2, 2, tm) == "consistent" && verdict(2, 2, cost) == "consistent" {
		return "consistent"
	}
	return bandWord("in time", 2, tm) + "; " + bandWord("in money", 2, cost)
}

// powerClass is the power claim's evidence class: the datasheets' TDP
// and peak, and the training MFU the achieved band divides by (each
// side's stack, and the cross-check's where chal has one).
func powerClass(base, chal *scenario.SystemResult) string {
	const tdp = "reported (TDP and peak: datasheets, press)"
	if chal == nil {
		return tdp
	}
	return tdp + "; training MFU: " + stackClasses(base, chal) + crossClass(chal)
}

// powerVerdict judges the 910B's ~30 % more power on both of chipgap's
// bands: per achieved FLOP/s (the essay's "comparable arithmetic") and
// per peak; supported where the achieved band holds 1.3×, whatever the
// peak band says, and the verdict names both. Where the report shows a
// cross-check (cross is not NaN; crossPowerBand), the achieved band is
// judged on both training profiles: supported only where both hold
// 1.3×, contradicted where neither does, else undecided.
func powerVerdict(ach, peak scenario.Stat, cross crossBand) string {
	hold := func(s scenario.Stat) int {
		switch verdict(1.3, 1.3, s) {
		case "consistent":
			return 1
		case noSamples:
			return -1
		}
		return 0
	}
	word := map[int]string{1: "supported", 0: "contradicted", -1: "undecided"}
	if math.IsNaN(cross.band.P10) {
		return word[hold(ach)] + ": " + bandWord("per achieved FLOP/s", 1.3, ach) + "; " + bandWord("per peak", 1.3, peak)
	}
	v := word[hold(ach)]
	if hold(ach) != hold(cross.band) || hold(ach) < 0 {
		v = "undecided"
	}
	return v + ": " + bandWord("per achieved FLOP/s on its default profile (assumed)", 1.3, ach) + "; " +
		bandWord("on stack "+cross.profile+" (fitted; the default's band × "+fmt.Sprintf("%.2f", cross.scale)+", the two profiles' ratio at typical values)", 1.3, cross.band) +
		"; " + bandWord("per peak", 1.3, peak)
}

func (b *builder) claims() {
	t := Table{Caption: "The essay's claims, tested", Header: []string{"claim", "essay", "chipgap", "evidence class", "verdict", "from"}}
	n := b.marks
	base, chal := b.system(b.r.Strategy.Baseline), b.system(b.r.Strategy.Challenger)
	if g := b.gap("910C"); g != nil && base != nil {
		c := b.system("910C")
		pk := c.Stats[scenario.OutPeak].Typ / base.Stats[scenario.OutPeak].Typ
		st := g.Stats[scenario.GapSteadyRatio]
		cmp := "consistent"
		if st.P10 > 1.1 || pk < 0.9 {
			cmp = "chipgap finds less"
		}
		t.Rows = append(t.Rows, []string{"state media: the 910C matches or exceeds the H100 (the essay: probably cherry-picked)", "≈ 1× H100",
			fmt.Sprintf("peak %.2f× H100's; training throughput per chip %s of H100's (steady-state time %s)%s", pk, b.rng(scenario.Stat{Typ: 1 / st.Typ, P10: 1 / st.P90, P50: 1 / st.P50, P90: 1 / st.P10}, 1, times), b.rng(st, 1, times), crossPerChip(base, c)),
			"reported (910C peak and HBM: press and analysts, no datasheet); " + stackClasses(base, c),
			parityVerdict(cmp), "chips.yaml; training.Estimate on the searched plan"})
	}
	if g := b.gap("910B"); g != nil && base != nil {
		s, c, ach := g.Stats[scenario.GapPowerRatio], b.system("910B"), statOrNaN(g.Stats, scenario.GapAchRatio)
		t.Rows = append(t.Rows, []string{"910B uses ~30 % more power for comparable arithmetic", "1.3× W per FLOP/s",
			b.rng(s, 1, times) + " (TDP per peak); " + b.stat(g.Stats, scenario.GapAchRatio, 1, times) + " per achieved FLOP/s in training" + crossPower(base, c),
			powerClass(base, c),
			powerVerdict(ach, s, crossPowerBand(base, c, ach)), "chip TDP and peak ranges; training MFU"})
	}
	if base != nil && chal != nil {
		cls := b.trainingClass()
		if g := b.gap(chal.System.Label); g != nil {
			s := g.Stats[scenario.GapRatio]
			t.Rows = append(t.Rows, []string{"3 months on NVIDIA, 5–7 on a comparable Ascend cluster", "1.7–2.3× (5/3–7/3)",
				fmt.Sprintf("%s %s months vs %s %s: %s", base.System.Label, b.stat(base.Stats, scenario.OutTotalDays, perMonth, fixed(1)),
					chal.System.Label, b.stat(chal.Stats, scenario.OutTotalDays, perMonth, fixed(1)), b.rng(s, 1, times)),
				cls + " (failure rates, recovery, porting; see 7)", judge(verdict(5.0/3, 7.0/3, s), cls, needsWholeRun),
				"training plan search, goodput (reliability.yaml), engineering (stacks-engineering.yaml)"})
			st := g.Stats[scenario.GapSteadyRatio]
			t.Rows = append(t.Rows, []string{"part of it is lower efficiency (throughput alone)", "a share of 1.7–2.3×",
				fmt.Sprintf("steady-state time %s%s", b.rng(st, 1, times), crossSteady(base, chal)), stackClasses(base, chal) + "; reported (chip peaks)" + crossClass(chal),
				judge(verdict(1, 7.0/3, st), weakerClass(base, chal), needsStackFit), "training.Estimate on the searched plans"})
			cr := g.Stats[scenario.GapCostRatio]
			t.Rows = append(t.Rows, []string{"paying twice as much, in time and money", "2× time, 2× money",
				fmt.Sprintf("time %s, cost per run %s (porting excluded)", b.rng(s, 1, times), b.rng(cr, 1, times)), cls,
				judge(timeMoneyCmp(s, cr), cls, needsWholeRun), "econ.Run over the run's wall time × chips (porting excluded: the cluster is taken as not held while porting)"})
		}
		st := b.r.Strategy
		if rr, ok := st.Stats[scenario.StratRelRate]; ok {
			t.Rows = append(t.Rows, []string{"a 2× slowdown in iteration rate compounds over time", "2× iteration rate",
				fmt.Sprintf("%s iterates %s as often; the lag this makes grows linearly with time, t·(1 − L/F), not by compounding", st.Baseline, b.rng(rr, 1, times)), cls, compoundVerdict(rr, cls),
				"econ.Race: cycle = whole run + time between runs"})
			l6, l18 := st.Stats[scenario.StratLag6], st.Stats[scenario.StratLag18]
			t.Rows = append(t.Rows, []string{"six months on the gap may be similar; eighteen months on, wider", "lag(18) > lag(6)",
				fmt.Sprintf("lag %s months at 6, %s at 18", b.rng(l6, 1, fixed(1)), b.rng(l18, 1, fixed(1))),
				"structural (a constant rate ratio makes the lag grow linearly); its size: " + cls, lagVerdict(l6, l18), "econ.Race lag t·(1 − L/F)"})
		}
		cb, okb := base.Stats[scenario.OutUSDPerMtok]
		cc, okc := chal.Stats[scenario.OutUSDPerMtok]
		if okb && okc {
			ratio := cc.P50 / cb.P50
			v := "supported (viable: ≤ 2× NVIDIA's $/Mtok, a named threshold)"
			if ratio > 2 {
				v = "contradicted (not viable at this threshold)"
			}
			t.Rows = append(t.Rows, []string{"inference on Ascend is viable, if not optimal", "viable",
				fmt.Sprintf("%s $%s vs %s $%s per M output tokens (P50 ratio %.2f×; %s)", chal.System.Label, b.rng(cc, 1, fixed(2)), base.System.Label, b.rng(cb, 1, fixed(2)), ratio, serveSides([]scenario.SystemResult{*chal, *base})),
				servingEvidence(base, chal), v, "inference.BestServing at the SLO; econ owned chip-hour"})
		}
	}
	for _, s := range b.r.Supply {
		t.Rows = append(t.Rows, []string{"low yields (or HBM) cap supply", "supply constrained",
			fmt.Sprintf("%s: %s good/yr, die yield %s; %s", s.ChipName, b.stat(s.Stats, scenario.SupGood, 1, count),
				b.stat(s.Stats, scenario.SupDieYield, 1, pct), "binds: "+bindText(s.Binds)),
			"reported (yields, capacities and HBM stocks from press and analysts; no foundry data)",
			supplyVerdict(s.Binds), "fab.yaml (SMIC capacity, D0, HBM, packaging)"})
	}
	t.marks = b.marks - n
	b.rep.Claims = t
}

// compoundVerdict judges "a 2× slowdown in iteration rate compounds over
// time" on both halves: the rate (does chipgap's P10–P90 hold 2×, as
// judge words it: undecided where its inputs are assumed) and the
// compounding, which the model's lag t·(1 − L/F) does not do: it grows
// linearly, so that half is not supported, whatever the rate.
func compoundVerdict(rr scenario.Stat, cls string) string {
	const linear = "the lag grows linearly with time, t·(1 − L/F), not by compounding"
	rate := bandWord("in rate", 2, rr)
	switch {
	case rate == noSamples+" in rate":
		return "undecided (" + noSamples + "); compounding not supported: " + linear
	case cls == scenario.BasisAssumed:
		return "undecided on the rate (needs " + needsWholeRun + "; model: " + rate + "); compounding not supported: " + linear
	case strings.HasPrefix(rate, "consistent"):
		return "partly: the rate holds (" + rate + "); compounding not supported: " + linear
	}
	return "contradicted: " + rate + "; compounding not supported: " + linear
}

// lagVerdict judges "six months on the gap may be similar; eighteen
// months on, wider": the model's lag t·(1 − L/F) grows for any rate
// ratio F/L > 1, so lag(18) > lag(6) is no independent test; the verdict
// says so. The claim's other half, a gap "similar" six months on, is
// undecided where the lag the model adds by 6 months is above zero at
// its P10: the essay's gap is today's gap plus that lag, and the model
// does not estimate today's gap, so whether the added months leave it
// "similar" is not its to say; the verdict is then partly.
func lagVerdict(l6, l18 scenario.Stat) string {
	if !(l18.P50 > l6.P50) {
		return "contradicted (chipgap finds less)"
	}
	wider := "wider at 18 months, but not an independent test: lag(18) > lag(6) follows from the model for any rate ratio > 1"
	lag6 := fixed(1)(l6.P50) + " [" + fixed(1)(l6.P10) + "–" + fixed(1)(l6.P90) + "]"
	if l6.P10 > 0 {
		return "partly: " + wider + "; similar at 6 months undecided: the model adds " + lag6 + " months of lag to today's gap by then, and does not estimate today's gap"
	}
	return "supported: " + wider + "; at 6 months the lag is " + lag6 + " months"
}

// supplyVerdict judges "low yields (or HBM) cap supply" by what binds
// (the share of samples in which each of wafers, HBM and packaging is
// the smallest): supported in direction only where wafers (the yield
// limit) or HBM bind in most samples, together; else partly: supply is
// constrained, but by packaging.
func supplyVerdict(binds map[string]float64) string {
	const size = "; size undecided (needs foundry yield data)"
	p := func(k string) string { return fmt.Sprintf("%.0f %%", 100*binds[k]) }
	if binds["wafers"]+binds["hbm"]+binds["packaging"] <= 0 {
		return "undecided (no samples say what binds)" + size
	}
	if binds["wafers"]+binds["hbm"] > 0.5 {
		return "supported in direction (wafers, the yield limit, or HBM bind in " + fmt.Sprintf("%.0f %%", 100*(binds["wafers"]+binds["hbm"])) +
			" of samples: HBM " + p("hbm") + ", wafers " + p("wafers") + ")" + size
	}
	return "partly: supply is constrained, but by packaging (" + p("packaging") + " of samples), not by yields (wafers " + p("wafers") + ") or HBM (" + p("hbm") + ")" + size
}

func (b *builder) chips() {
	const sec = "chips"
	prec := strings.ToUpper(b.r.Training.Precision)
	t := Table{Caption: "Chips and the software stack each was assumed to run", Header: []string{"system", "chip", "training stack", "serving stack",
		prec + " peak PFLOP/s", "HBM TB/s", "TDP W", "W per peak PFLOP/s", "W per achieved PFLOP/s"}}
	n := b.marks
	for i := range b.r.Systems {
		s := &b.r.Systems[i]
		l := s.System.Label
		t.Rows = append(t.Rows, []string{l, s.ChipName, s.TrainingStack, s.ServingStack,
			b.catalogFig(sec, s, col{"peak", "PFLOP/s", scenario.OutPeak, perPFLOPS, fixed(3), strings.Join(s.Trails[scenario.OutPeak], " ")}),
			b.catalogFig(sec, s, col{"HBM bandwidth", "TB/s", scenario.OutHBM, perTBps, fixed(2), strings.Join(s.Trails[scenario.OutHBM], " ")}),
			b.catalogFig(sec, s, col{"TDP", "W", scenario.OutTDP, 1, fixed(0), strings.Join(s.Trails[scenario.OutTDP], " ")}),
			b.fig(sec, l, s.Stats, col{"W per peak PFLOP/s", "W", scenario.OutWPerPFLOPS, 1, fixed(0), "TDP / peak"}),
			b.fig(sec, l, s.Stats, col{"W per achieved PFLOP/s", "W", scenario.OutWPerAchieved, 1, fixed(0), "TDP / (MFU × peak)"})})
	}
	t.Note = "Peak, HBM and TDP are the catalog's typical value [min–max] (chips.yaml, as chipgap compare-chips prints them; the samples draw from that range); the W columns are P50 [P10–P90] over the samples. Peaks are dense; W per achieved PFLOP/s divides TDP by the training MFU × peak of the plan below. Sources (catalog chips.yaml): " + b.chipTrail()
	t.marks = b.marks - n
	b.add(Section{ID: sec, Title: "1. Chips", Tables: []Table{t}, Charts: []Chart{
		{Title: "W per achieved PFLOP/s", SVG: plot.Bars("TDP per achieved PFLOP/s in training (lower is better)", "W", b.bars(scenario.OutWPerAchieved, 1))}}})
}

// catalogFig records a chip figure for CSV, as fig does, and returns
// the catalog's typical value with its [min–max] (catalogRange), not the
// samples' P50 [P10–P90]: a datasheet figure reads as the datasheet and
// compare-chips give it (H100 HBM 3.35 TB/s, not the draws' median
// 3.25); the samples' P50 where the catalog's range is not listed.
func (b *builder) catalogFig(sec string, sy *scenario.SystemResult, c col) string {
	s, ok := b.record(sec, sy.System.Label, sy.Stats, c)
	if !ok {
		return "–"
	}
	if in, ok := b.r.ChipInput(sy, c.key); ok {
		return catalogRange(in, c.scale, c.f)
	}
	return b.rng(s, c.scale, c.f)
}

// chipTrail lists each system's chip sources once per chip.
func (b *builder) chipTrail() string {
	seen := map[string]bool{}
	var parts []string
	for _, s := range b.r.Systems {
		if seen[s.System.Chip] || len(s.Sources) == 0 {
			continue
		}
		seen[s.System.Chip] = true
		parts = append(parts, s.System.Chip+": "+strings.Join(s.Sources, " "))
	}
	return strings.Join(parts, "; ") + "."
}

// sumNote qualifies a sum of parts shown as P50s: the parts add up per
// sample, their P50s need not (CM384: 75 + 64 + 72 = 211 days vs 216).
const sumNote = "sample by sample; the P50s of the parts need not add to the P50 of the total"

// costScope says what a run's cost and energy cover: the run's wall
// time (steady state, downtime, maturation), not the porting before it
// (scenario's trial: econ.Run on est.Wall × chips), while total days
// include porting.
const costScope = "Cost and energy per run are over the run's wall time (steady state + downtime + maturation), porting excluded: the cluster is taken as not held while the stack is ported, though total days include it."

func (b *builder) training() {
	const sec = "training"
	tr := b.r.Training
	s := Section{ID: sec, Title: "2. Frontier training run"}
	s.Text = append(s.Text, fmt.Sprintf("%s (%s parameters, %s active) on %s tokens (%.2g FLOP), sequence %d, global batch %d, %s, clusters sized %s. Plans are searched once at typical values and held fixed.",
		tr.ModelName, count(tr.Params), count(tr.Active), count(tr.Tokens), tr.FLOP, tr.Seq, tr.GlobalBatch, tr.Precision, tr.Sizing))
	if parts := roundedToNodes(b.r); len(parts) > 0 && tr.Sizing != "equal-peak" {
		s.Text = append(s.Text, fmt.Sprintf("A training cluster fills whole nodes (as chipgap train and run require): %s chips each, rounded to the nearest whole number of a system's nodes — %s.",
			group(fmt.Sprint(b.r.Scenario.Training.Chips)), strings.Join(parts, "; ")))
	}
	t := Table{Caption: "Whole run: total = steady state + downtime + engineering, " + sumNote, Header: []string{"system", "chips", "plan", "MFU",
		"steady days", "downtime days", "engineering days", "total days", "cost per run, porting excluded", "energy GWh, porting excluded"}}
	n := b.marks
	for _, sy := range b.r.Systems {
		l := sy.System.Label
		if sy.TrainError != "" {
			t.Rows = append(t.Rows, []string{l, fmt.Sprint(sy.Chips), "none: " + sy.TrainError, "", "", "", "", "", "", ""})
			continue
		}
		t.Rows = append(t.Rows, []string{l, group(fmt.Sprint(sy.Chips)), sy.Plan,
			b.fig(sec, l, sy.Stats, col{"MFU", "", scenario.OutMFU, 1, pct, "training.Estimate"}),
			b.fig(sec, l, sy.Stats, col{"steady-state days", "d", scenario.OutSteadyDays, 1, fixed(0), "tokens / tokens per s"}),
			b.fig(sec, l, sy.Stats, col{"downtime days", "d", scenario.OutDowntimeDays, 1, fixed(0), "goodput.Closed"}),
			b.fig(sec, l, sy.Stats, col{"engineering days", "d", scenario.OutEngDays, 1, fixed(0), "port + maturation"}),
			b.fig(sec, l, sy.Stats, col{"total days", "d", scenario.OutTotalDays, 1, fixed(0), "port + wall"}),
			b.fig(sec, l, sy.Stats, col{"cost per run", "USD", scenario.OutRunCost, 1, money, "econ.Run, owned"}),
			b.fig(sec, l, sy.Stats, col{"energy per run", "GWh", scenario.OutRunEnergy, perGWh, fixed(1), "at the wall"})})
	}
	t.Note = devicesNote(b.r.Systems, "a plan's tp·pp·dp·cp") + "MFU's P10–P90 is its spread at the plan shown, searched once at typical values and held fixed while the samples vary, not the spread of the best plan each sample could find (so its typical value, where that plan is the best, can lie above its P90). Trail: plan and MFU from training.Search/Estimate with the stack profile (catalog stacks-training.yaml); downtime from goodput.Closed with the failure modes of reliability.yaml (NVIDIA from the Llama 3 record, dubey2024_llama3; other stacks scaled by assumed factors); engineering from stacks-engineering.yaml; cost and energy from econ with econ.yaml (epoch_hardware, epoch_energy, bigtech_useful_life). " + costScope
	t.marks = b.marks - n
	if line := b.scored(func(sy scenario.SystemResult) *catalog.Score { return sy.TrainingScore }); line != "" {
		s.Text = append(s.Text, line)
	}
	s.Text = append(s.Text, b.crossLines()...)
	s.Tables = append(s.Tables, t, b.decomposition())
	s.Charts = append(s.Charts,
		Chart{Title: "time to train", SVG: plot.Bars("Time to train, porting included (P50, P10–P90)", "days", b.bars(scenario.OutTotalDays, 1))},
		Chart{Title: "where the time goes", SVG: plot.Stacked("Where the time goes (P50 of each part; at the bar's end, the total's P50)", "days",
			[]string{"steady state", "downtime", "engineering"}, b.stacks())},
		Chart{Title: "cost per run", SVG: plot.Bars("Cost per run, owned chips, porting excluded (P50, P10–P90)", "$M", b.bars(scenario.OutRunCost, 1e-6))})
	b.add(s)
}

// stacks splits each system's run into steady state, downtime and
// engineering (P50 of each), each bar labelled with the total's P50 (the
// parts' P50s need not add to it; sumNote), as the tables print it.
func (b *builder) stacks() []plot.Stack {
	var out []plot.Stack
	for _, sy := range b.r.Systems {
		var parts []float64
		for _, k := range []string{scenario.OutSteadyDays, scenario.OutDowntimeDays, scenario.OutEngDays} {
			if st, ok := sy.Stats[k]; ok && !math.IsInf(st.P50, 0) {
				parts = append(parts, st.P50)
			}
		}
		if len(parts) == 3 {
			out = append(out, plot.Stack{Label: sy.System.Label, Parts: parts, Total: finiteP50(sy.Stats, scenario.OutTotalDays)})
		}
	}
	return out
}

// decomposition splits each system's gap to the baseline.
func (b *builder) decomposition() Table {
	const sec = "training"
	t := Table{Caption: fmt.Sprintf("The gap to %s, decomposed (days; the parts sum to the total "+sumNote+")", b.r.Strategy.Baseline),
		Header: []string{"system", "time ratio", "throughput alone", "Δ total", "Δ throughput", "Δ downtime", "Δ engineering", "cost ratio (porting excluded)"}}
	n := b.marks
	for _, g := range b.r.Gaps {
		l := g.Label
		t.Rows = append(t.Rows, []string{l,
			b.fig(sec, l, g.Stats, col{"time ratio", "×", scenario.GapRatio, 1, times, "total days ratio"}),
			b.fig(sec, l, g.Stats, col{"steady-state ratio", "×", scenario.GapSteadyRatio, 1, times, ""}),
			b.fig(sec, l, g.Stats, col{"Δ total days", "d", scenario.GapDelta, 1, fixed(0), ""}),
			b.fig(sec, l, g.Stats, col{"Δ throughput days", "d", scenario.GapSteady, 1, fixed(0), ""}),
			b.fig(sec, l, g.Stats, col{"Δ downtime days", "d", scenario.GapDowntime, 1, fixed(0), ""}),
			b.fig(sec, l, g.Stats, col{"Δ engineering days", "d", scenario.GapEngineering, 1, fixed(0), ""}),
			b.fig(sec, l, g.Stats, col{"cost ratio", "×", scenario.GapCostRatio, 1, times, ""})})
	}
	t.marks = b.marks - n
	return t
}

func (b *builder) inference() {
	const sec = "inference"
	in := b.r.Inference
	s := Section{ID: sec, Title: "3. Inference service"}
	ttft := "unbounded"
	if in.TTFT > 0 {
		ttft = fmt.Sprintf("%.1f s", in.TTFT)
	}
	s.Text = append(s.Text, fmt.Sprintf("%s, %d tokens in, %d out, TPOT ≤ %.0f ms, TTFT %s. The layout (instance size, TP, experts over the instance, colocated or prefill/decode pools of it) is searched at typical values; each sample finds the best batch that meets the SLO, colocated or disaggregated (pools sized for the mix, output per chip over both).",
		in.ModelName, in.Input, in.Output, 1000*in.TPOT, ttft))
	t := Table{Caption: "Serving at the SLO", Header: []string{"system", "precision", "region", "instance", "batch", "bound",
		"output tokens/s per chip", "output tokens/s per kW at the wall", "$ per M output tokens", "J per token", "TPOT ms"}}
	n := b.marks
	for _, sy := range b.r.Systems {
		l, v := sy.System.Label, sy.Serve
		if v.Error != "" {
			t.Rows = append(t.Rows, []string{l, "", sy.System.Region, "none: " + v.Error, "", "", "", "", "", "", ""})
			continue
		}
		t.Rows = append(t.Rows, []string{l, v.Precision, sy.System.Region, instanceText(v), fmt.Sprint(v.Batch), v.Bound,
			b.fig(sec, l, sy.Stats, col{"output tokens/s per chip", "tok/s", scenario.OutServeTPS, 1, fixed(0), "inference.BestServing"}),
			b.fig(sec, l, sy.Stats, col{"output tokens/s per kW", "tok/s/kW", scenario.OutServeTPSPerKW, 1, fixed(0), "wall power"}),
			b.fig(sec, l, sy.Stats, col{"$ per Mtok", "USD", scenario.OutUSDPerMtok, 1, fixed(2), "econ.PerMillionTokens"}),
			b.fig(sec, l, sy.Stats, col{"J per token", "J", scenario.OutJPerToken, 1, fixed(2), "wall power"}),
			b.fig(sec, l, sy.Stats, col{"TPOT", "ms", scenario.OutTPOT, 1000, fixed(1), ""})})
	}
	t.Note = devicesNote(b.r.Systems, "an instance's TP and EP") + "Each system serves at its own precision and is costed in its region (electricity price and PUE, econ.yaml): " + serveSides(b.r.Systems) + ". Trail: inference.BestServing (inference.Best colocated, or inference.Disaggregate) on the stack's serving profile (catalog stacks-inference.yaml, calibrated on published runs: cm384_paper, trtllm_perf_overview); $ and J from econ at the wall (econ.yaml)."
	t.marks = b.marks - n
	if line := b.scored(func(sy scenario.SystemResult) *catalog.Score { return sy.ServingScore }); line != "" {
		s.Text = append(s.Text, line)
	}
	base, chal := b.system(b.r.Strategy.Baseline), b.system(b.r.Strategy.Challenger)
	if bias := servingBias(base, chal); bias != "" {
		s.Text = append(s.Text, strings.ToUpper(bias[:1])+bias[1:]+"."+scoredRatio(base, chal))
	}
	s.Tables = append(s.Tables, t)
	s.Charts = append(s.Charts,
		Chart{Title: "tokens/s per chip", SVG: plot.Bars("Output tokens/s per chip at the SLO", "tok/s", b.bars(scenario.OutServeTPS, 1))},
		Chart{Title: "tokens/s per kW", SVG: plot.Bars("Output tokens/s per kW at the wall", "tok/s/kW", b.bars(scenario.OutServeTPSPerKW, 1))},
		Chart{Title: "$ per Mtok", SVG: plot.Bars("Cost per million output tokens", "$/Mtok", b.bars(scenario.OutUSDPerMtok, 1))})
	b.add(s)
}

func (b *builder) supply() {
	const sec = "supply"
	s := Section{ID: sec, Title: "4. Ascend supply"}
	t := Table{Caption: "A year of production: good packages and the binding constraint",
		Header: []string{"chip", "process", "year", "die yield", "package yield", "from wafers", "from HBM", "from packaging", "good per year",
			"binds", "cost per good package", "deployed EFLOP/s", "training clusters / yr"}}
	n := b.marks
	var bars []plot.Bar
	for _, su := range b.r.Supply {
		l := su.ChipName
		t.Rows = append(t.Rows, []string{l, su.Process, fmt.Sprint(su.Year),
			b.fig(sec, l, su.Stats, col{"die yield", "", scenario.SupDieYield, 1, pct, "fab.yaml D0, die area"}),
			b.fig(sec, l, su.Stats, col{"package yield", "", scenario.SupPkgYield, 1, pct, ""}),
			b.fig(sec, l, su.Stats, col{"from wafers", "/yr", scenario.SupWafers, 1, count, "wafer starts × share"}),
			b.fig(sec, l, su.Stats, col{"from HBM", "/yr", scenario.SupHBM, 1, count, "HBM stacks"}),
			b.fig(sec, l, su.Stats, col{"from packaging", "/yr", scenario.SupPackaging, 1, count, "packaging capacity"}),
			b.fig(sec, l, su.Stats, col{"good packages per year", "/yr", scenario.SupGood, 1, count, "smallest of the three"}),
			bindText(su.Binds),
			b.fig(sec, l, su.Stats, col{"cost per good package", "USD", scenario.SupCost, 1, money, ""}),
			b.fig(sec, l, su.Stats, col{"deployed EFLOP/s per year", "EFLOP/s", scenario.SupDeployed, 1e-18, fixed(0), "good × peak"}),
			b.fig(sec, l, su.Stats, col{"training clusters per year", "", scenario.SupClusters, 1, fixed(1), "good / cluster chips"})})
		b.otherClusters(sec, su)
		if g, ok := su.Stats[scenario.SupGood]; ok {
			bars = append(bars, plot.Bar{Label: l, Value: g.P50 / 1e3, Lo: g.P10 / 1e3, Hi: g.P90 / 1e3, Group: 1})
		}
	}
	t.Note = b.clusterNote() + " Trail: catalog fab.yaml and chips.yaml through fab.Estimate and fab.Supply."
	t.marks = b.marks - n
	s.Tables = append(s.Tables, t)
	s.Charts = append(s.Charts, Chart{Title: "supply per year", SVG: plot.Bars("Good packages per year (thousands)", "k/yr", bars)})
	for _, su := range b.r.Supply {
		if len(su.Tornado) == 0 {
			continue
		}
		tt := Table{Caption: su.ChipName + ": what moves good packages per year (each input P10 → P90, others typical)",
			Header: []string{"input", "low → high input", "good/yr at low", "good/yr at high"}}
		for _, sw := range su.Tornado {
			name, f := supplyInput(sw.Input)
			tt.Rows = append(tt.Rows, []string{name, f(sw.LowIn) + " → " + f(sw.HighIn), count(sw.LowOut), count(sw.HighOut)})
		}
		s.Tables = append(s.Tables, tt)
	}
	b.add(s)
}

// supplyInputs names the fab inputs (catalog.FabCase.Inputs' draws) as
// the supply table and the catalog's fab.yaml word them, with the format
// of their values (yields and shares in %, as the table has them).
var supplyInputs = map[string]struct {
	name string
	f    fmtFn
}{
	"packages_per_year":      {"packaging capacity (packages/yr)", count},
	"hbm_stacks_per_year":    {"HBM stacks per year", count},
	"wafer_starts_per_month": {"wafer starts per month", count},
	"ai_share":               {"AI share of wafer starts", pct},
	"assembly_yield":         {"package yield (assembly)", pct},
	"d0_per_cm2":             {"defect density D0 (/cm²)", sig},
	"negbin_alpha":           {"defect clustering α", sig},
	"die_area_mm2":           {"die area (mm²)", sig},
	"wafer_price":            {"wafer price", money},
	"hbm_stack_price":        {"HBM stack price", money},
	"packaging_cost":         {"packaging cost", money},
	"test_cost":              {"test cost", money},
}

// supplyInput is a supply tornado input's label and value format; the
// identifier and sig where it has none.
func supplyInput(id string) (string, fmtFn) {
	if in, ok := supplyInputs[id]; ok {
		return in.name, in.f
	}
	return id, sig
}

// otherClusters records, for the CSV, a supply chip's clusters per year
// counted in the training clusters of its second and later systems (the
// table's column shows the first's; clusterNote names them all).
func (b *builder) otherClusters(sec string, su scenario.SupplyResult) {
	for i, c := range su.Clusters {
		if i > 0 {
			b.record(sec, su.ChipName, map[string]scenario.Stat{scenario.SupClusters: c.PerYear},
				col{"training clusters per year (" + c.System + "'s cluster)", "", scenario.SupClusters, 1, fixed(1), "good / cluster chips"})
		}
	}
}

// clusterNote says what the training clusters per year divide by: the
// scenario's chips where every cluster has that many, else each supply
// chip's clusters by system (equal-peak sizing gives each its own).
func (b *builder) clusterNote() string {
	r := b.r
	n := r.Scenario.Training.Chips
	var parts []string
	uniform := true
	for _, su := range r.Supply {
		var cs []string
		for i, c := range su.Clusters {
			uniform = uniform && c.Chips == n
			who := "the cluster the sizing gives it"
			if c.System != "" {
				who = c.System + "'s cluster"
			}
			t := fmt.Sprintf("%s chips (%s)", group(fmt.Sprint(c.Chips)), who)
			if i > 0 {
				t += ": " + b.rng(c.PerYear, 1, fixed(1))
			}
			cs = append(cs, t)
		}
		if len(cs) > 0 {
			parts = append(parts, su.ChipName+": "+strings.Join(cs, "; "))
		}
	}
	if uniform {
		return fmt.Sprintf("Training clusters per year: good packages / %s chips (the training run's cluster).", group(fmt.Sprint(n)))
	}
	return "Training clusters per year: good packages / the chips of a training cluster on that chip (the column: its first system's) — " +
		strings.Join(parts, "; ") + "."
}

func (b *builder) strategy() {
	const sec = "strategy"
	st := b.r.Strategy
	s := Section{ID: sec, Title: "5. Strategy: iteration rate and the price of independence"}
	if st.Baseline == "" || len(st.Stats) == 0 {
		s.Text = append(s.Text, "No strategy figures: the baseline or the challenger has no training plan.")
		b.add(s)
		return
	}
	between := b.r.Scenario.Strategy.Between
	horizon := horizonMonths(b.r)
	s.Text = append(s.Text, fmt.Sprintf("A lab retrains its frontier model again and again: a cycle is one whole run plus %.0f days between runs (typical; range %.0f–%.0f). The follower's lag grows linearly with time: t·(1 − cycle_leader/cycle_follower) (econ.Race). The horizon is %.0f months; generations behind there counts the runs the leader has finished more than the follower by then, t/cycle_leader − t/cycle_follower (econ.Race.IterationGap). The premium for independence is a product of two ratios, sample by sample: the run's time ratio (porting included) × its cost ratio (porting excluded), (T_f·C_f)/(T_l·C_l) (econ.Premium); the essay's 2× the time and 2× the money make 2 × 2 = 4×.",
		between.Typ.Days(), between.Min.Days(), between.Max.Days(), horizon))
	t := Table{Caption: fmt.Sprintf("%s (leader) vs %s (follower)", st.Baseline, st.Challenger), Header: []string{"figure", "value"}}
	n := b.marks
	for _, row := range []struct {
		name, unit, key string
		scale           float64
		f               fmtFn
	}{
		{"cycle, " + st.Baseline + " (days)", "d", scenario.StratCycleBase, 1, fixed(0)},
		{"cycle, " + st.Challenger + " (days)", "d", scenario.StratCycleChal, 1, fixed(0)},
		{"iterations per year, " + st.Baseline, "/yr", scenario.StratItersBase, 1, fixed(2)},
		{"iterations per year, " + st.Challenger, "/yr", scenario.StratItersChal, 1, fixed(2)},
		{"relative iteration rate", "×", scenario.StratRelRate, 1, times},
		{"lag after 6 months (months)", "months", scenario.StratLag6, 1, fixed(1)},
		{"lag after 18 months (months)", "months", scenario.StratLag18, 1, fixed(1)},
		{fmt.Sprintf("lag after %.0f months (months)", st.Months[len(st.Months)-1]), "months", scenario.StratLagHorizon, 1, fixed(1)},
		{fmt.Sprintf("generations behind at the horizon (%.0f months)", horizon), "generations", scenario.StratGapHorizon, 1, fixed(1)},
		{"extra months per run", "months", scenario.StratExtraMonths, 1, fixed(1)},
		{"extra cost per run", "USD", scenario.StratExtraCost, 1, money},
		{"premium for independence (time × money)", "×", scenario.StratPremium, 1, times},
	} {
		t.Rows = append(t.Rows, []string{row.name, b.fig(sec, st.Challenger, st.Stats, col{row.name, row.unit, row.key, row.scale, row.f, "econ strategy"})})
	}
	t.marks = b.marks - n
	s.Tables = append(s.Tables, t)
	var p10, p50, p90 []float64
	for _, l := range st.LagMonths {
		p10, p50, p90 = append(p10, l.P10), append(p50, l.P50), append(p90, l.P90)
	}
	s.Charts = append(s.Charts, Chart{Title: "lag", SVG: plot.Lines(fmt.Sprintf("%s's lag behind %s", st.Challenger, st.Baseline), "months", "months behind",
		[]plot.Series{{Name: "P90", X: st.Months, Y: p90}, {Name: "P50", X: st.Months, Y: p50}, {Name: "P10", X: st.Months, Y: p10}}, 0)})
	b.add(s)
}

// horizonMonths is the strategy's horizon (the scenario's, JSON
// horizon) in months of a 365.25-day year.
func horizonMonths(r *scenario.Results) float64 {
	return float64(r.Scenario.Strategy.Horizon) / float64(365.25/12*units.Day)
}

func (b *builder) sensitivity() {
	tr := b.r.Tornado
	s := Section{ID: "sensitivity", Title: "6. Sensitivity"}
	if len(tr.Swings) == 0 {
		why := "No tornado: the baseline or the challenger has no training plan."
		if tr.Output != "" {
			why = "No tornado: no input moves " + tr.Output + " between its low and high values."
		}
		s.Text = append(s.Text, why)
		b.add(s)
		return
	}
	at := fmt.Sprintf("%.2f× at typical values", tr.Base)
	if g := b.gap(b.r.Strategy.Challenger); g != nil {
		if st, ok := g.Stats[scenario.GapRatio]; ok {
			if n := (uncertain.Beside{Typ: tr.Base, Lo: st.P10, Hi: st.P90}).Note(uncertain.TypicalEstimate, "it", uncertain.NearEnd); n != "" {
				at += fmt.Sprintf("; the samples' P10–P90 is %s–%s, and %s", times(st.P10), times(st.P90), n)
			}
		}
	}
	s.Text = append(s.Text, fmt.Sprintf("Each input swung from its P10 to its P90 with the others at typical values; output: %s (%s).", tr.Output, at))
	t := Table{Caption: "Inputs that move the headline most", Header: []string{"input", "low → high input", "ratio at low", "ratio at high", "swing"}}
	var rows []plot.Swing
	unit := map[string]string{}
	for _, in := range b.r.Inputs {
		unit[in.Name] = in.Unit
	}
	for _, sw := range tr.Swings {
		rows = append(rows, plot.Swing{Label: sw.Input, Low: sw.LowOut, High: sw.HighOut})
		t.Rows = append(t.Rows, []string{sw.Input, inputRange(sw.LowIn, sw.HighIn, unit[sw.Input]), fmt.Sprintf("%.2f×", sw.LowOut),
			fmt.Sprintf("%.2f×", sw.HighOut), fmt.Sprintf("%.2f", sw.Swing)})
	}
	s.Tables = append(s.Tables, t)
	s.Charts = append(s.Charts, Chart{Title: "tornado", SVG: plot.Tornado("Tornado: "+tr.Output, "×", tr.Base, rows)})
	b.add(s)
}

// serveSides names each system's serving precision and region: "H100
// fp8, region us; CM384 int8, region china".
func serveSides(sys []scenario.SystemResult) string {
	var parts []string
	for _, sy := range sys {
		if sy.Serve.Error == "" {
			parts = append(parts, fmt.Sprintf("%s %s, region %s", sy.System.Label, sy.Serve.Precision, sy.System.Region))
		}
	}
	return strings.Join(parts, "; ")
}

// instanceText is a serving layout: chips, TP, EP and how it serves (with
// the prefill pool's size per decode chip when the pools are split).
// devicesNote says, where a system's chip holds more than one device
// (the 910C's two dies, each a device to CANN), that what counts
// (a plan's degrees, an instance's TP and EP) counts devices, not chips;
// empty where every chip is one device.
func devicesNote(systems []scenario.SystemResult, what string) string {
	var parts []string
	for _, sy := range systems {
		if sy.DevicesPerChip > 1 {
			parts = append(parts, fmt.Sprintf("%s (%d devices a chip)", sy.System.Label, sy.DevicesPerChip))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Devices, not chips: the software sees more than one device in a package for " + strings.Join(parts, ", ") +
		", so " + what + " count devices and multiply to chips × devices a chip. "
}

func instanceText(v scenario.ServeSetup) string {
	t := fmt.Sprintf("%d chips, TP %d, EP %d, %s", v.Chips, v.TP, v.EP, v.Mode)
	if v.PrefillPerDecode > 0 {
		t += fmt.Sprintf(" (%.2g prefill chips per decode chip)", v.PrefillPerDecode)
	}
	return t
}

// servingEvidence is the serving claim's evidence class, with which way
// the scored estimators lean.
func servingEvidence(base, chal *scenario.SystemResult) string {
	e := "measured (serving calibrated on the CloudMatrix 384 serving paper); reported (prices)"
	if bias := servingBiasShort(base, chal); bias != "" {
		e += "; " + bias
	}
	return e
}

// finiteP50 is stats[k]'s P50 where it is finite, else 0.
func finiteP50(stats map[string]scenario.Stat, k string) float64 {
	if st, ok := stats[k]; ok && !math.IsInf(st.P50, 0) && !math.IsNaN(st.P50) {
		return st.P50
	}
	return 0
}

// statOrNaN is stats[k], or a Stat of NaNs where the report has none:
// a verdict then says it has nothing to compare rather than reading a
// zero Stat as chipgap finding less.
func statOrNaN(stats map[string]scenario.Stat, k string) scenario.Stat {
	if st, ok := stats[k]; ok {
		return st
	}
	n := math.NaN()
	return scenario.Stat{Typ: n, P10: n, P50: n, P90: n}
}
