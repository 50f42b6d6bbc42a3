package report

import (
	"strings"
	"testing"

	"chipgap/scenario"
)

// claimRow is the claims table's row whose claim starts with prefix
// (the n-th such row, from 0), or nil.
func claimRow(rep *Report, prefix string, n int) []string {
	for _, r := range rep.Claims.Rows {
		if strings.HasPrefix(r[0], prefix) {
			if n == 0 {
				return r
			}
			n--
		}
	}
	return nil
}

// TestPowerVerdictBothBands: the 910B power claim (1.3×) is judged per
// achieved FLOP/s and per peak, as the report's seed-1 figures have it:
// achieved 1.28–1.65 holds 1.3, peak 1.43–1.79 lies above it.
func TestPowerVerdictBothBands(t *testing.T) {
	ach, peak := st(1.46, 1.28, 1.46, 1.65), st(1.62, 1.43, 1.62, 1.79)
	want := "supported: consistent per achieved FLOP/s (1.28×–1.65× holds 1.30×); more per peak (1.43×–1.79×, above 1.30×)"
	if got := powerVerdict(ach, peak, noCross()); got != want {
		t.Errorf("powerVerdict = %q, want %q", got, want)
	}
	// The band's edges hold the claim: P10 or P90 exactly 1.3×.
	for _, edge := range []scenario.Stat{st(1.5, 1.3, 1.5, 1.7), st(1.1, 0.9, 1.1, 1.3)} {
		if got := powerVerdict(edge, peak, noCross()); !strings.HasPrefix(got, "supported: consistent per achieved FLOP/s") {
			t.Errorf("powerVerdict with the band's edge at 1.3 (%v) = %q", edge, got)
		}
	}
	ach = st(1.6, 1.4, 1.6, 1.8)
	if got := powerVerdict(ach, peak, noCross()); !strings.HasPrefix(got, "contradicted: more per achieved FLOP/s (1.40×–1.80×, above 1.30×)") {
		t.Errorf("powerVerdict with both bands above = %q", got)
	}
	r := fixture()
	r.Gaps = append(r.Gaps, scenario.Gap{Label: "910B", Versus: "H100", Stats: map[string]scenario.Stat{
		scenario.GapPowerRatio: peak, scenario.GapAchRatio: st(1.46, 1.28, 1.46, 1.65)}})
	row := claimRow(Build(r), "910B uses", 0)
	if row == nil || row[4] != want {
		t.Errorf("power claims row = %q, want verdict %q", row, want)
	}
}

// TestPowerVerdictCrossCheck: where the report shows the 910B on its
// fitted profile, the verdict weighs it. Seed 1: H100 1,543 W per
// achieved PFLOP/s; the 910B 2,376 on its default profile (1.54×) and
// 3,163 on mindformers (2.05×): scale 3,163/2,376 = 1.33, the achieved
// band 1.28×–1.65× there 1.70×–2.20×, above 1.3×: the profiles
// disagree, undecided. The evidence class names the assumed MFU.
func TestPowerVerdictCrossCheck(t *testing.T) {
	r := fixture()
	r.Systems[1].System.Label = "910B"
	r.Systems[1].Stats[scenario.OutWPerAchieved] = st(2376, 2000, 2376, 2600)
	r.Systems[0].Stats[scenario.OutWPerAchieved] = st(1543, 1480, 1543, 1611)
	r.Systems[1].Stats[scenario.OutTokensPerSec] = st(1e6, 1e6, 1e6, 1e6)
	r.Systems[1].TrainingCrossCheck = &scenario.CrossCheck{Profile: "mindformers", HardwareStack: "cann", Evidence: "measured (stack mindformers: fitted)",
		TokensPerSec: 0.75e6, WPerAchieved: 3163}
	ach := st(1.54, 1.28, 1.46, 1.65)
	r.Gaps = append(r.Gaps, scenario.Gap{Label: "910B", Versus: "H100", Stats: map[string]scenario.Stat{
		scenario.GapPowerRatio: st(1.62, 1.43, 1.62, 1.79), scenario.GapAchRatio: ach}})
	row := claimRow(Build(r), "910B uses", 0)
	if row == nil {
		t.Fatal("no power row")
	}
	for _, want := range []string{"undecided: consistent per achieved FLOP/s on its default profile (assumed) (1.28×–1.65× holds 1.30×)",
		"more on stack mindformers (fitted; the default's band × 1.33, the two profiles' ratio at typical values) (1.70×–2.20×, above 1.30×)"} {
		if !strings.Contains(row[4], want) {
			t.Errorf("power verdict = %q, want it to contain %q", row[4], want)
		}
	}
	for _, want := range []string{"training MFU: H100: measured", "910B: assumed", "cross-check: measured (stack mindformers: fitted)"} {
		if !strings.Contains(row[3], want) {
			t.Errorf("power evidence class = %q, want it to contain %q", row[3], want)
		}
	}
	// Both profiles inside: supported; neither: contradicted.
	both := crossBand{profile: "mindformers", scale: 1.02, band: st(1.5, 1.3, 1.5, 1.7)}
	if got := powerVerdict(ach, st(1.62, 1.43, 1.62, 1.79), both); !strings.HasPrefix(got, "supported: ") {
		t.Errorf("powerVerdict with both profiles holding 1.3 = %q", got)
	}
	if got := powerVerdict(st(1.6, 1.4, 1.6, 1.8), st(1.62, 1.43, 1.62, 1.79), crossBand{profile: "m", scale: 1.1, band: st(1.8, 1.5, 1.8, 2)}); !strings.HasPrefix(got, "contradicted: ") {
		t.Errorf("powerVerdict with neither profile holding 1.3 = %q", got)
	}
}

// TestTimeMoneyJudgedEach: "paying twice as much, in time and money" is
// judged on the time ratio and the cost ratio each (seed 1: time
// 2.45–3.58 lies above 2, cost 1.40–2.29 holds it); it read "model:
// consistent" on the cost ratio alone.
func TestTimeMoneyJudgedEach(t *testing.T) {
	want := "more in time (2.45×–3.58×, above 2.00×); consistent in money (1.40×–2.29× holds 2.00×)"
	if got := timeMoneyCmp(st(2.5, 2.45, 3.01, 3.58), st(1.3, 1.40, 1.77, 2.29)); got != want {
		t.Errorf("timeMoneyCmp = %q, want %q", got, want)
	}
	if got := timeMoneyCmp(st(2, 1.8, 2, 2.2), st(2, 1.9, 2, 2.1)); got != "consistent" {
		t.Errorf("timeMoneyCmp with both holding 2 = %q, want consistent", got)
	}
	// The fixture: time 2.68–4.86 above 2, cost 1.62–3.59 holds 2.
	row := claimRow(Build(fixture()), "paying twice", 0)
	wantV := "undecided (needs " + needsWholeRun + "; model: more in time (2.68×–4.86×, above 2.00×); consistent in money (1.62×–3.59× holds 2.00×))"
	if row == nil || row[4] != wantV {
		t.Errorf("time-and-money row = %q, want verdict %q", row, wantV)
	}
}

// TestCostLabelsExcludePorting: cost and energy per run are over the
// run's wall time, porting excluded (scenario's TestInvariants: cost =
// chips × wall hours × chip-hour cost, and wall leaves porting out), so
// every label beside total days that include porting says so.
func TestCostLabelsExcludePorting(t *testing.T) {
	rep := Build(fixture())
	var whole, decomp *Table
	for i := range rep.Sections {
		for j := range rep.Sections[i].Tables {
			tb := &rep.Sections[i].Tables[j]
			switch {
			case strings.HasPrefix(tb.Caption, "Whole run"):
				whole = tb
			case strings.Contains(tb.Caption, "decomposed"):
				decomp = tb
			}
		}
	}
	if whole == nil || decomp == nil {
		t.Fatal("no whole-run or decomposition table")
	}
	for _, h := range []string{whole.Header[8], whole.Header[9], decomp.Header[7]} {
		if !strings.Contains(h, "porting excluded") {
			t.Errorf("header %q does not say porting is excluded", h)
		}
	}
	if !strings.Contains(whole.Note, "over the run's wall time") {
		t.Errorf("whole-run note lacks the cost's scope: %q", whole.Note)
	}
	row := claimRow(rep, "paying twice", 0)
	if row == nil || !strings.Contains(row[2], "(porting excluded)") || strings.Contains(row[5], "whole run's chip-hours") {
		t.Errorf("time-and-money row = %q", row)
	}
}

// TestPremiumReadsAsProduct: the headline states the two ratios before
// their product (the fixture's P50s: time 3.44×, cost 2.24×; premium
// 7.61×), and section 5 the essay's 2 × 2 = 4 beside it.
func TestPremiumReadsAsProduct(t *testing.T) {
	rep := Build(fixture())
	h := strings.Join(rep.Headline, "\n")
	want := "a run takes 3.44× the time and 2.24× the money (P50s; money with porting excluded); their product sample by sample, the premium for independence, is 7.61× [4.56×–17.46×]"
	if !strings.Contains(h, want) {
		t.Errorf("headline lacks %q:\n%s", want, h)
	}
	if strings.Contains(h, "independence costs") {
		t.Errorf("headline still reads the premium as a cost multiple:\n%s", h)
	}
	for _, s := range rep.Sections {
		if s.ID == "strategy" && !strings.Contains(strings.Join(s.Text, " "), "2 × 2 = 4×") {
			t.Errorf("section 5 lacks the essay's comparator: %q", s.Text)
		}
	}
}

// TestSupplyVerdictFromBinding: the supply claim's verdict follows what
// binds (seed 1): the 910B's packaging in 76 % of samples makes it
// partly supported; the 910C's HBM in 99 % supports it.
func TestSupplyVerdictFromBinding(t *testing.T) {
	got := supplyVerdict(map[string]float64{"packaging": 0.76, "hbm": 0.14, "wafers": 0.10})
	if want := "partly: supply is constrained, but by packaging (76 % of samples), not by yields (wafers 10 %) or HBM (14 %); size undecided (needs foundry yield data)"; got != want {
		t.Errorf("910B supplyVerdict = %q, want %q", got, want)
	}
	got = supplyVerdict(map[string]float64{"hbm": 0.99, "wafers": 0.01})
	if want := "supported in direction (wafers, the yield limit, or HBM bind in 100 % of samples: HBM 99 %, wafers 1 %); size undecided (needs foundry yield data)"; got != want {
		t.Errorf("910C supplyVerdict = %q, want %q", got, want)
	}
	// At the edge, wafers and HBM in exactly half the samples are no
	// majority; with no samples nothing is decided.
	got = supplyVerdict(map[string]float64{"packaging": 0.5, "hbm": 0.3, "wafers": 0.2})
	if want := "partly: supply is constrained, but by packaging (50 % of samples), not by yields (wafers 20 %) or HBM (30 %); size undecided (needs foundry yield data)"; got != want {
		t.Errorf("half and half: supplyVerdict = %q, want %q", got, want)
	}
	if got, want := supplyVerdict(nil), "undecided (no samples say what binds); size undecided (needs foundry yield data)"; got != want {
		t.Errorf("no samples: supplyVerdict = %q, want %q", got, want)
	}
	r := fixture()
	r.Supply[0].Binds, r.Supply[0].Binding = map[string]float64{"packaging": 0.6, "hbm": 0.3, "wafers": 0.1}, "packaging"
	if row := claimRow(Build(r), "low yields", 0); row == nil || !strings.HasPrefix(row[4], "partly: supply is constrained, but by packaging (60 % of samples)") {
		t.Errorf("supply claims row = %q", row)
	}
}

// TestLagRowNotATest: the lag row says lag(18) > lag(6) follows from the
// model (lag t·(1 − L/F) at 6 and 18 months: 6·(1 − 1/2.35) = 3.4), and
// the compounding row that the lag grows linearly.
func TestLagRowNotATest(t *testing.T) {
	// Rate ratios 2.0, 2.35, 2.8 at P10, P50, P90: lag(6) = 6·(1 − 1/F) =
	// 3.0, 3.4, 3.9 months added to today's gap, which the model does
	// not estimate: "similar" is undecided.
	l6 := func(f float64) float64 { return 6 * (1 - 1/f) }
	lag6 := st(l6(2.35), l6(2), l6(2.35), l6(2.8))
	want := "partly: wider at 18 months, but not an independent test: lag(18) > lag(6) follows from the model for any rate ratio > 1; similar at 6 months undecided: the model adds 3.4 [3.0–3.9] months of lag to today's gap by then, and does not estimate today's gap"
	if got := lagVerdict(lag6, st(3*l6(2.35), 3*l6(2), 3*l6(2.35), 3*l6(2.8))); got != want {
		t.Errorf("lagVerdict = %q, want %q", got, want)
	}
	if got := lagVerdict(st(0, 0, 0.1, 0.3), st(0.3, 0, 0.3, 0.9)); !strings.HasPrefix(got, "supported: ") {
		t.Errorf("lagVerdict with no lag at 6 months' P10 = %q, want supported", got)
	}
	r := fixture()
	r.Strategy.Stats[scenario.StratLag6] = lag6
	rep := Build(r)
	if row := claimRow(rep, "six months on", 0); row == nil || row[4] != want {
		t.Errorf("lag row = %q", row)
	}
	if row := claimRow(rep, "a 2× slowdown", 0); row == nil || !strings.Contains(row[2], "grows linearly with time, t·(1 − L/F), not by compounding") {
		t.Errorf("compounding row = %q", row)
	}
}

// TestCompoundVerdict: "a 2× slowdown in iteration rate compounds" is
// judged on the rate (2× against chipgap's P10–P90) and on compounding,
// which the model's linear lag does not do: no verdict reads as if the
// whole claim held. The fixture's rate 2.12×–3.61× lies above 2×.
func TestCompoundVerdict(t *testing.T) {
	const lin = "compounding not supported: the lag grows linearly with time, t·(1 − L/F), not by compounding"
	for _, c := range []struct {
		rr   scenario.Stat
		cls  string
		want string
	}{
		{st(2.3, 1.99, 2.35, 2.78), scenario.BasisReported, "partly: the rate holds (consistent in rate (1.99×–2.78× holds 2.00×)); " + lin},
		{st(2.9, 2.5, 2.9, 3.3), scenario.BasisReported, "contradicted: more in rate (2.50×–3.30×, above 2.00×); " + lin},
		{st(2.3, 1.99, 2.35, 2.78), scenario.BasisAssumed, "undecided on the rate (needs " + needsWholeRun + "; model: consistent in rate (1.99×–2.78× holds 2.00×)); " + lin},
		{statOrNaN(nil, "x"), scenario.BasisReported, "undecided (" + noSamples + "); " + lin},
	} {
		if got := compoundVerdict(c.rr, c.cls); got != c.want {
			t.Errorf("compoundVerdict(%v, %s) = %q, want %q", c.rr, c.cls, got, c.want)
		}
	}
	row := claimRow(Build(fixture()), "a 2× slowdown", 0)
	want := "undecided on the rate (needs " + needsWholeRun + "; model: more in rate (2.12×–3.61×, above 2.00×)); " + lin
	if row == nil || row[4] != want {
		t.Errorf("compounding row = %q, want verdict %q", row, want)
	}
}

// TestSumCaptions: the fixture's CM384 parts' P50s, 73 + 87 + 71 = 231,
// are not its total's P50, 238: both captions that state a sum say it
// holds sample by sample, not between the P50s.
func TestSumCaptions(t *testing.T) {
	r := fixture()
	as := r.Systems[1].Stats
	if sum := as[scenario.OutSteadyDays].P50 + as[scenario.OutDowntimeDays].P50 + as[scenario.OutEngDays].P50; sum == as[scenario.OutTotalDays].P50 {
		t.Fatalf("the fixture's P50s add up (%g); the test needs them not to", sum)
	}
	n := 0
	for _, s := range Build(r).Sections {
		for _, tb := range s.Tables {
			if strings.Contains(tb.Caption, "total") {
				n++
				if !strings.Contains(tb.Caption, "sample by sample; the P50s of the parts need not add to the P50 of the total") {
					t.Errorf("caption %q does not say the P50s need not add", tb.Caption)
				}
			}
		}
	}
	if n != 2 {
		t.Errorf("%d captions state a total, want 2", n)
	}
}

// TestServingSidesStated: the serving table's headers say output tokens,
// and the table, the headline and the claims row name each side's
// precision and region (the fixture: H100 fp8 in us, CM384 int8 in china).
func TestServingSidesStated(t *testing.T) {
	rep := Build(fixture())
	const sides = "CM384 int8, region china; H100 fp8, region us"
	if h := strings.Join(rep.Headline, "\n"); !strings.Contains(h, "per M output tokens vs H100 $0.60 [0.49–0.77] ("+sides+")") {
		t.Errorf("headline serving line lacks the sides:\n%s", h)
	}
	if row := claimRow(rep, "inference on Ascend", 0); row == nil || !strings.Contains(row[2], "per M output tokens (P50 ratio 1.20×; "+sides+")") {
		t.Errorf("serving claims row = %q", row)
	}
	for _, s := range rep.Sections {
		for _, tb := range s.Tables {
			if tb.Caption != "Serving at the SLO" {
				continue
			}
			if got := strings.Join(tb.Header, "|"); !strings.Contains(got, "region|") || !strings.Contains(got, "output tokens/s per chip|") || !strings.Contains(got, "$ per M output tokens|") {
				t.Errorf("serving header = %q", got)
			}
			if !strings.Contains(tb.Note, "H100 fp8, region us; CM384 int8, region china") {
				t.Errorf("serving note = %q", tb.Note)
			}
		}
	}
}

// TestMarkOnlyWherePrintedApart: a typical value below its P10 that
// prints the same as the P10 (0.4803 and 0.4849 both "0.48") carries no
// mark; one that prints apart (0.4700, "0.47") does.
func TestMarkOnlyWherePrintedApart(t *testing.T) {
	b := &builder{}
	if got := b.rng(st(0.4803, 0.4849, 0.61, 0.80), 1, fixed(2)); got != "0.61 [0.48–0.80]" {
		t.Errorf("same at print = %q, want no mark", got)
	}
	if got := b.rng(st(0.47, 0.4849, 0.61, 0.80), 1, fixed(2)); got != "0.61 [0.48–0.80] (typical below: 0.47)" {
		t.Errorf("apart at print = %q, want a mark", got)
	}
	if got := b.rng(st(0.8049, 0.48, 0.61, 0.8001), 1, fixed(2)); got != "0.61 [0.48–0.80]" {
		t.Errorf("above, same at print = %q, want no mark", got)
	}
	if b.marks != 1 {
		t.Errorf("marks = %d, want 1", b.marks)
	}
}

// TestParityVerdict: the 910C-matches-H100 row says whose claim it
// contradicts and its thresholds (a 910C gap with steady-state time
// 1.25–1.49×, P10 above 1.1: contradicted).
func TestParityVerdict(t *testing.T) {
	r := fixture()
	r.Systems = append(r.Systems, scenario.SystemResult{System: scenario.System{Label: "910C"}, Stats: map[string]scenario.Stat{
		scenario.OutPeak: st(780e12, 780e12, 780e12, 780e12)}})
	r.Gaps = append(r.Gaps, scenario.Gap{Label: "910C", Versus: "H100", Stats: map[string]scenario.Stat{
		scenario.GapSteadyRatio: st(1.35, 1.25, 1.35, 1.49)}})
	row := claimRow(Build(r), "state media", 0)
	want := "state-media claim contradicted, as the essay expects: chipgap finds less (assumed thresholds: it fails where the steady-state time's P10 exceeds 1.1× H100's or the peak is under 0.9×)"
	if row == nil || row[4] != want {
		t.Errorf("parity row = %q, want verdict %q", row, want)
	}
}

// Section 7 reads its windows at typical values; where the ratio there
// lies nearer the claim (1.67×–2.33×) than the samples' P50 (seed 1:
// 2.51× against 3.01× [2.45×–3.58×]) it says the windows are kinder to
// the claim than the median run, where farther harsher, and nothing
// where both lie inside the claim.
func TestSampledNoteWhereTypicalIsKinder(t *testing.T) {
	const lo, hi = 1.67, 2.33
	got := sampledNote(scenario.Stat{Typ: 2.51, P10: 2.45, P50: 3.01, P90: 3.58}, lo, hi)
	if want := "; the samples give 3.01× [2.45×–3.58×], so the windows below, read at typical values, are kinder to the claim than the median run"; got != want {
		t.Errorf("typical 2.51× under P50 3.01×: %q, want %q", got, want)
	}
	if got := sampledNote(scenario.Stat{Typ: 3.2, P10: 2.45, P50: 3.01, P90: 3.58}, lo, hi); !strings.HasSuffix(got, "harsher on the claim than the median run") {
		t.Errorf("typical 3.2× above P50 3.01×, both above the claim: %q, want harsher", got)
	}
	if got := sampledNote(scenario.Stat{Typ: 1.2, P10: 1.3, P50: 1.5, P90: 1.9}, lo, hi); !strings.HasSuffix(got, "harsher on the claim than the median run") {
		t.Errorf("typical 1.2× under P50 1.5×, both under the claim: %q, want harsher", got)
	}
	if got := sampledNote(scenario.Stat{Typ: 1.8, P10: 1.7, P50: 2.0, P90: 2.3}, lo, hi); got != "" {
		t.Errorf("both inside the claim: %q, want nothing", got)
	}
}

// A statistic the report lacks (or an undefined one) decides nothing: the
// verdict says so instead of reading a zero or NaN band as chipgap finding
// less or as consistent.
func TestVerdictWithoutSamples(t *testing.T) {
	none := statOrNaN(map[string]scenario.Stat{}, "absent")
	if got := verdict(1.3, 1.3, none); got != noSamples {
		t.Errorf("verdict on an absent stat: %q, want %q", got, noSamples)
	}
	if got := judge(verdict(2, 2, none), scenario.BasisMeasured, "x"); got != "undecided (no finite samples)" {
		t.Errorf("judge: %q, want undecided", got)
	}
	peak := scenario.Stat{Typ: 1.6, P10: 1.43, P50: 1.6, P90: 1.79}
	if got := powerVerdict(none, peak, noCross()); !strings.HasPrefix(got, "undecided: no finite samples per achieved FLOP/s; more per peak") {
		t.Errorf("power verdict without the achieved ratio: %q", got)
	}
}

// TestStackedBarEndIsTotal: the "where the time goes" bars end in the
// total's P50, as the tables print it, not the parts' P50s summed: the
// fixture's CM384 parts 73 + 87 + 71 = 231 against a total of 238.
func TestStackedBarEndIsTotal(t *testing.T) {
	rep := Build(fixture())
	var svg string
	for _, s := range rep.Sections {
		for _, c := range s.Charts {
			if c.Title == "where the time goes" {
				svg = string(c.SVG)
			}
		}
	}
	if !strings.Contains(svg, `class="v">238</text>`) || strings.Contains(svg, `class="v">231</text>`) {
		t.Errorf("CM384's bar does not end in its total's P50, 238:\n%s", svg)
	}
}

// TestDevicesNote: where a system's chip is more than one device (the
// 910C's two dies), the training and serving tables say their degrees
// count devices (CM384's 16,512 chips at 2 a chip: plans over 33,024);
// with every chip one device, neither says anything.
func TestDevicesNote(t *testing.T) {
	notes := func(r *scenario.Results) map[string]string {
		out := map[string]string{}
		for _, s := range Build(r).Sections {
			for _, tb := range s.Tables {
				out[tb.Caption] = tb.Note
			}
		}
		return out
	}
	r := fixture()
	for i := range r.Systems {
		if r.Systems[i].System.Label == "CM384" {
			r.Systems[i].DevicesPerChip = 2
		}
	}
	got := notes(r)
	for caption, what := range map[string]string{"Serving at the SLO": "an instance's TP and EP count devices"} {
		if n := got[caption]; !strings.Contains(n, "Devices, not chips: the software sees more than one device in a package for CM384 (2 devices a chip), so "+what) {
			t.Errorf("%s note = %q", caption, n)
		}
	}
	var whole string
	for c, n := range got {
		if strings.HasPrefix(c, "Whole run") {
			whole = n
		}
	}
	if !strings.Contains(whole, "Devices, not chips: the software sees more than one device in a package for CM384 (2 devices a chip), so a plan's tp·pp·dp·cp count devices") {
		t.Errorf("whole-run note = %q", whole)
	}
	for c, n := range notes(fixture()) {
		if strings.Contains(n, "Devices, not chips") {
			t.Errorf("%s note speaks of devices with every chip one device: %q", c, n)
		}
	}
}
