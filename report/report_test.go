package report

import (
	"bytes"
	"chipgap/catalog"
	"encoding/csv"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/scenario"
	"chipgap/uncertain"
	"chipgap/units"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func st(typ, p10, p50, p90 float64) scenario.Stat {
	return scenario.Stat{Typ: typ, P10: p10, P50: p50, P90: p90}
}

// fixture is a small hand-built result: two systems, one gap, a supply
// chip, the strategy race, a tornado and the trail. It does not depend
// on the catalog, so the golden files change only when the layout does.
func fixture() *scenario.Results {
	s := scenario.Default()
	s.Samples, s.Seed = 100, 3
	nv := map[string]scenario.Stat{
		scenario.OutPeak: st(989.4e12, 989.4e12, 989.4e12, 989.4e12), scenario.OutHBM: st(3.35e12, 3.1e12, 3.25e12, 3.33e12),
		scenario.OutTDP: st(700, 700, 700, 700), scenario.OutWPerPFLOPS: st(707.5, 707.5, 707.5, 707.5),
		scenario.OutWPerAchieved: st(1460, 1400, 1459, 1527), scenario.OutMFU: st(0.48, 0.46, 0.48, 0.51),
		scenario.OutSteadyDays: st(56, 53, 56, 58), scenario.OutDowntimeDays: st(9, 7, 9, 10), scenario.OutEngDays: st(0, 1, 4, 10),
		scenario.OutTotalDays: st(65, 64, 69, 75), scenario.OutRunCost: st(50e6, 44.4e6, 53.9e6, 70e6), scenario.OutRunEnergy: st(9e13, 7.8e13, 9.6e13, 1.15e14),
		scenario.OutServeTPS: st(1000, 944, 995, 1045), scenario.OutServeTPSPerKW: st(941, 786, 941, 1167),
		scenario.OutUSDPerMtok: st(0.6, 0.49, 0.6, 0.77), scenario.OutJPerToken: st(1.06, 0.86, 1.06, 1.27), scenario.OutTPOT: st(0.05, 0.0495, 0.05, 0.05),
	}
	as := map[string]scenario.Stat{
		scenario.OutPeak: st(780e12, 763e12, 778e12, 790e12), scenario.OutHBM: st(3.2e12, 2.31e12, 2.88e12, 3.26e12),
		scenario.OutTDP: st(800, 745, 935, 1221), scenario.OutWPerPFLOPS: st(1025, 960, 1204, 1568),
		scenario.OutWPerAchieved: st(2200, 1981, 2567, 3423), scenario.OutMFU: st(0.47, 0.42, 0.47, 0.52),
		scenario.OutSteadyDays: st(73, 66, 73, 81), scenario.OutDowntimeDays: st(35, 51, 87, math.Inf(1)), scenario.OutEngDays: st(65, 50, 71, 102),
		scenario.OutTotalDays: st(175, 189, 238, math.Inf(1)), scenario.OutRunCost: st(68e6, 85.5e6, 123.6e6, math.Inf(1)),
		scenario.OutServeTPS: st(763, 648, 730, 779), scenario.OutUSDPerMtok: st(0.54, 0.57, 0.72, 0.94),
	}
	r := &scenario.Results{Title: "Fixture: NVIDIA vs Ascend", Seed: 3, Samples: 100, Scenario: s,
		Training: scenario.TrainingSetup{Model: "llama3.1-405b", ModelName: "Llama 3.1 405B", Params: 405.85e9, Active: 405.85e9, Tokens: 15e12,
			FLOP: 3.65e25, Seq: 8192, GlobalBatch: 2048, Precision: "bf16", Sizing: "equal-chips"},
		Inference: scenario.InferenceSetup{Model: "deepseek-v3", ModelName: "DeepSeek-V3", Input: 4096, Output: 1024, TPOT: 0.05},
		Systems: []scenario.SystemResult{
			{System: scenario.System{Label: "H100", Chip: "h100-sxm", Side: "nvidia", Region: "us"}, ChipName: "NVIDIA H100", Chips: 16384, NodeChips: 8,
				TrainingStack: "cuda-mcore", ServingStack: "cuda", TrainingEvidence: "measured (stack cuda-mcore: its GEMM efficiency fitted on published runs)", Plan: "tp=8 pp=16 dp=128", Stats: nv,
				Serve:         scenario.ServeSetup{Precision: "fp8", Chips: 16, TP: 1, EP: 16, Batch: 815, Bound: "compute"},
				Trails:        map[string][]string{scenario.OutPeak: {"klockwood_h100"}},
				TrainingScore: &catalog.Score{ID: "nv-train", What: "NVIDIA dense training", Runs: 7, Median: 0.039, Min: -0.038, Max: 0.232},
				ServingScore:  &catalog.Score{ID: "nv-serve", What: "NVIDIA MoE serving", Runs: 25, Median: 0.524, P10: 0.05, P90: 0.9, Min: -0.093, Max: 0.97}},
			{System: scenario.System{Label: "CM384", Chip: "ascend-910c", Side: "ascend", Region: "china"}, ChipName: "Huawei Ascend 910C", Chips: 16512, NodeChips: 384,
				TrainingStack: "cann-mindspeed", ServingStack: "cann", TrainingEvidence: "assumed (stack cann-mindspeed: its GEMM efficiency assumed, not fitted to any run)", Plan: "tp=8 pp=1 dp=2064", Stats: as,
				Serve:         scenario.ServeSetup{Precision: "int8", Chips: 128, TP: 2, EP: 256, Batch: 4882, Bound: "compute"},
				TrainingScore: &catalog.Score{ID: "hw-train", What: "Ascend dense training", Runs: 150, Median: 0.012, P10: -0.107, P90: 0.203, Min: -0.374, Max: 0.721},
				ServingScore:  &catalog.Score{ID: "hw-serve", What: "CloudMatrix 384 MoE serving", Runs: 3, Calibrated: 2, Median: -0.082, Min: -0.095, Max: -0.005}},
			{System: scenario.System{Label: "Tiny", Chip: "h20", Side: "nvidia"}, ChipName: "NVIDIA H20", Chips: 8, TrainError: "no training plan: no valid plan fits in memory",
				Serve: scenario.ServeSetup{Error: "no operating point"}, Stats: map[string]scenario.Stat{}},
		},
		Gaps: []scenario.Gap{{Label: "CM384", Versus: "H100", Stats: map[string]scenario.Stat{
			scenario.GapRatio: st(2.7, 2.68, 3.44, 4.86), scenario.GapSteadyRatio: st(1.3, 1.19, 1.3, 1.47), scenario.GapDelta: st(110, 120, 168, 264),
			scenario.GapSteady: st(17, 10, 17, 26), scenario.GapDowntime: st(26, 42, 78, 174), scenario.GapEngineering: st(65, 45, 67, 97),
			scenario.GapCostRatio: st(1.4, 1.62, 2.24, 3.59), scenario.GapPowerRatio: st(1.45, 1.36, 1.70, 2.2), scenario.GapAchRatio: st(1.5, 1.4, 1.76, 2.3)}}},
		Supply: []scenario.SupplyResult{{Chip: "ascend-910c", ChipName: "Huawei Ascend 910C", Process: "smic-n2", Year: 2026,
			Stats: map[string]scenario.Stat{scenario.SupGood: st(297500, 230700, 318600, 432300), scenario.SupDieYield: st(0.35, 0.25, 0.35, 0.45),
				scenario.SupHBM: st(297500, 230700, 318600, 432300), scenario.SupClusters: st(18.2, 14.1, 19.4, 26.4)},
			Binds: map[string]float64{"hbm": 0.99, "wafers": 0.01}, Binding: "hbm",
			Tornado: []uncertain.Swing{{Input: "hbm_stacks_per_year", LowIn: 2.17e6, HighIn: 4.12e6, LowOut: 231000, HighOut: 438000, Swing: 207000}}}},
		Strategy: scenario.StrategyResult{Baseline: "H100", Challenger: "CM384", Months: []float64{0, 18, 36},
			LagMonths: []scenario.Stat{st(0, 0, 0, 0), st(9, 9.5, 11.2, 13), st(18, 19, 22.3, 26)},
			Stats: map[string]scenario.Stat{scenario.StratRelRate: st(2.1, 2.12, 2.63, 3.61), scenario.StratLag18: st(9.4, 9.5, 11.2, 13),
				scenario.StratPremium: st(3.5, 4.56, 7.61, 17.46), scenario.StratLagHorizon: st(18.9, 19, 22.3, 26)}},
		Tornado: scenario.TornadoResult{Output: "CM384 / H100 total training time", Base: 2.75, Swings: []uncertain.Swing{
			{Input: "cann: porting time", LowIn: 46.4 * 86400, HighIn: 96.8 * 86400, LowOut: 2.53, HighOut: 3.35, Swing: 0.82},
			{Input: "ascend-910c: scale-up bandwidth", LowIn: 306e9, HighIn: 634e9, LowOut: 2.8, HighOut: 2.69, Swing: 0.11}}},
		Inputs: []scenario.Input{
			{Name: "ascend-910c: BF16 peak", Unit: "FLOP/s", Min: 752e12, Typ: 780e12, Max: 800e12, Sources: []string{"tpu_920"}},
			{Name: "ascend-910c: HBM bandwidth", Unit: "B/s", Min: 1.8e12, Typ: 3.2e12, Max: 3.5e12, Sources: []string{"tpu_920"}},
			{Name: "ascend-910c: TDP", Unit: "W", Min: 620, Typ: 800, Max: 933, Assumed: true},
			{Name: "ascend-910c: scale-up bandwidth", Unit: "B/s", Min: 196e9, Typ: 400e9, Max: 784e9, Sources: []string{"tpu_920"}},
			{Name: "h100-sxm: BF16 peak", Unit: "FLOP/s", Min: 989.4e12, Typ: 989.4e12, Max: 989.4e12, Sources: []string{"klockwood_h100"}},
			{Name: "h100-sxm: HBM bandwidth", Unit: "B/s", Min: 3e12, Typ: 3.35e12, Max: 3.35e12, Sources: []string{"klockwood_h100"}},
			{Name: "h100-sxm: TDP", Unit: "W", Min: 700, Typ: 700, Max: 700, Sources: []string{"klockwood_h100"}},
			{Name: "cann: porting time", Unit: "s", Min: 30 * 86400, Typ: 60 * 86400, Max: 120 * 86400, Assumed: true, Note: "ported by hand"},
		},
		Sources: []hardware.Source{{Key: "tpu_920", Title: "TechPowerUp: Ascend 910C", URL: "https://example.org/910c"}},
		Notes:   []string{"CM384: in 3 of 100 samples the training run never finishes"},
	}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update after checking the diff):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	rep := Build(fixture())
	for _, c := range []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"fixture.txt", func(b *bytes.Buffer) error { return Text(b, rep) }},
		{"fixture.html", func(b *bytes.Buffer) error { return HTML(b, rep) }},
		{"fixture.csv", func(b *bytes.Buffer) error { return CSV(b, rep) }},
	} {
		var b bytes.Buffer
		if err := c.render(&b); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		golden(t, c.name, b.Bytes())
	}
}

// TestHTMLSelfContained: no external scripts, styles or images, every
// chart inline with its data (data-chart), and the charting library
// inline.
func TestHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, Build(fixture())); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, bad := range []string{"<script src", "<link", "<img", "src=", "@import", "url(", "fetch("} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	// time to train, where the time goes, cost, W per achieved, 3
	// serving, supply, lag, tornado.
	if n := strings.Count(h, "<svg"); n != 10 {
		t.Errorf("HTML has %d inline charts, want 10", n)
	}
	if n := strings.Count(h, "<svg data-chart="); n != 10 {
		t.Errorf("HTML has %d charts with their data, want 10", n)
	}
	if !strings.Contains(h, "uPlot") || !strings.Contains(h, "chipgapCharts.upgrade(document)") {
		t.Error("HTML lacks the inline charting library")
	}
	if !strings.Contains(h, "<style>") || !strings.HasPrefix(h, "<!DOCTYPE html>") {
		t.Error("HTML lacks its doctype or inline style")
	}
}

// TestFigures: every figure of the report reaches CSV with its numbers
// in display units, non-finite ones as empty cells.
func TestFigures(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, Build(fixture())); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	find := func(subject, figure string) []string {
		for _, r := range rows {
			if r[1] == subject && r[2] == figure {
				return r
			}
		}
		t.Fatalf("no CSV row for %s %s", subject, figure)
		return nil
	}
	// H100 peak 989.4e12 FLOP/s in PFLOP/s: 0.9894, with its source.
	if r := find("H100", "peak"); r[4] != "0.9894" || r[8] != "klockwood_h100" {
		t.Errorf("H100 peak row = %v", r)
	}
	// CM384 total days P90 is +Inf (a run that never finishes): +Inf,
	// as the sweep CSV writes it, not an empty cell.
	if r := find("CM384", "total days"); r[7] != "+Inf" || r[6] != "238" {
		t.Errorf("CM384 total days row = %v, want P50 238 and P90 +Inf", r)
	}
	// Energy in GWh: 9.6e13 J / 3.6e12 = 26.6667.
	if r := find("H100", "energy per run"); r[6] != "26.6667" {
		t.Errorf("H100 energy P50 = %v GWh, want 26.6667", r[6])
	}
}

// TestEqualChipsWholeNodes: equal-chip clusters fill whole nodes, so the
// headline and the training section say which system's count the nodes
// moved: the fixture's CM384 trains on 16,512 chips (16,384 / 384 = 42.67
// supernodes → 43 × 384) against the scenario's 16,384; the H100's 2,048
// servers of 8 are 16,384 exactly and go unnamed.
func TestEqualChipsWholeNodes(t *testing.T) {
	rep := Build(fixture())
	const want = "16,384 chips each (CM384: 16,512, 43 whole nodes of 384):"
	if len(rep.Headline) == 0 || !strings.Contains(rep.Headline[0], want) {
		t.Errorf("headline %q, want it to state %q", rep.Headline, want)
	}
	found := false
	for _, s := range rep.Sections {
		for _, p := range s.Text {
			found = found || (s.ID == "training" && strings.Contains(p, "rounded to the nearest whole number of a system's nodes — CM384: 16,512, 43 whole nodes of 384."))
		}
	}
	if !found {
		t.Error("the training section does not say the CM384's cluster was rounded to 43 whole nodes")
	}
	r := fixture()
	r.Systems[1].Chips = 16384 // every system at the scenario's count: nothing to name
	if h := Build(r).Headline[0]; !strings.Contains(h, "16,384 chips each: ") {
		t.Errorf("headline %q, want plain \"16,384 chips each: \"", h)
	}
}

func TestFormat(t *testing.T) {
	b := &builder{}
	for _, c := range []struct{ got, want string }{
		{group("1234567.50"), "1,234,567.50"}, {group("-1234"), "-1,234"}, {group("999"), "999"}, {fixed(0)(-0.2), "0"}, {fixed(1)(-0.04), "0.0"}, {fixed(0)(-1.6), "-2"},
		{money(2.5e9), "$2.50B"}, {money(53.9e6), "$53.9M"}, {money(3800), "$3.8k"}, {money(0.72), "$0.72"},
		{count(15e12), "15T"}, {count(405.85e9), "406B"}, {count(975000), "975k"}, {count(1.35e6), "1.35M"},
		{b.rng(st(2, 2, 3, math.Inf(1)), 1, fixed(0)), "3 [2–never]"}, {b.rng(st(1, 2, 3, math.Inf(1)), 1, fixed(0)), "3 [2–never] (typical below: 1)"},
		{b.rng(st(0.5, 0.41, 0.45, 0.49), 1, pct), "45% [41%–49%] (typical above: 50%)"}, {b.rng(st(5, 5, 5, 5), 1, fixed(1)), "5.0"},
		{pct(0.355), "36%"}, {times(2.631), "2.63×"}, {times(math.Inf(1)), "∞×"},
		// A median run that never finishes reads as such, not "never days".
		{b.takes("CM384", "", map[string]scenario.Stat{"d": st(0, 200, math.Inf(1), math.Inf(1))}, "d"), "CM384 never finishes (in more than half the samples)"},
		{b.takes("H100", "takes", map[string]scenario.Stat{"d": st(80, 77, 83, 88)}, "d"), "H100 takes 83 [77–88] days"},
		// A typical value outside the band is marked after "days".
		{b.takes("H100", "takes", map[string]scenario.Stat{"d": st(65, 68, 72, 78)}, "d"), "H100 takes 72 [68–78] days (typical below: 65)"},
		{b.takes("CM384", "", map[string]scenario.Stat{"d": st(200, 189, 238, math.Inf(1))}, "d"), "CM384 238 [189–never] days"}, {sig(0.000123), "0.000123"}, {sig(1234.5), "1,234"},
		{inputValue(30*86400, "s"), "30.0d"}, {inputValue(400e9, "B/s"), "400 GB/s"}, {inputValue(1.5e-5, "/chip-h"), "1.5e-05/chip-h"},
		{verdict(1.3, 1.3, st(0, 1.43, 1.62, 1.79)), "chipgap finds more"}, {verdict(1.7, 2.3, st(0, 1.5, 2, 3)), "consistent"},
		{verdict(5, 6, st(0, 1, 2, 3)), "chipgap finds less"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// The three marked cells above, counted where they were built (the
	// legend's decision, no search of the text).
	if b.marks != 3 {
		t.Errorf("%d typMarks counted, want 3", b.marks)
	}
}

// TestJSONNull: a figure that never finishes is null in JSON.
func TestJSONNull(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not parse: %v", err)
	}
	if !regexp.MustCompile(`"total_days": \{\s*"typ": 175,\s*"p10": 189,\s*"p50": 238,\s*"p90": null`).Match(b.Bytes()) {
		t.Error("CM384 total_days P90 is not null in JSON")
	}
}

// The serving lean names the side whose estimator over-predicts published
// runs by more than 10 points beyond the other's, and nothing otherwise.
func TestServingBias(t *testing.T) {
	side := func(label string, median float64, runs int) *scenario.SystemResult {
		return &scenario.SystemResult{System: scenario.System{Label: label},
			ServingScore: &catalog.Score{Runs: runs, Median: median}}
	}
	for _, c := range []struct {
		base, chal *scenario.SystemResult
		want       string
	}{
		{side("H100", 0.524, 25), side("CM384", -0.082, 3), "H100's estimator errs +52 % on throughput (median of 25) and CM384's −8.2 % (median of 3), so H100's $/Mtok is likely understated against CM384's"},
		{side("H100", -0.05, 25), side("CM384", 0.3, 3), "CM384's estimator errs +30 % on throughput (median of 3) and H100's −5.0 % (median of 25), so CM384's $/Mtok is likely understated against H100's"},
		{side("H100", 0.05, 25), side("CM384", -0.04, 3), ""},
		{side("H100", 0.5, 25), &scenario.SystemResult{System: scenario.System{Label: "CM384"}}, ""},
	} {
		got := servingBias(c.base, c.chal)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("servingBias(%s %v, %s %v) = %q, want %q", c.base.System.Label, c.base.ServingScore, c.chal.System.Label, c.chal.ServingScore, got, c.want)
		}
	}
}

// The what-if ratio: each side's cost scaled by 1 + its scored median,
// worked by hand: 0.72 / 0.60 = 1.20; 1.20 × 0.918 / 1.129 = 0.976.
func TestScoredRatio(t *testing.T) {
	side := func(label string, usd, median float64, runs int) *scenario.SystemResult {
		return &scenario.SystemResult{System: scenario.System{Label: label},
			Stats:        map[string]scenario.Stat{scenario.OutUSDPerMtok: st(usd, usd, usd, usd)},
			ServingScore: &catalog.Score{Runs: runs, Median: median}}
	}
	got := scoredRatio(side("H100", 0.60, 0.129, 2), side("CM384", 0.72, -0.082, 3))
	if want := "the CM384/H100 ratio of 1.20× would be 0.98× (a what-if on 3 and 2 runs, not a correction)"; !strings.Contains(got, want) {
		t.Errorf("scoredRatio = %q, want it to contain %q", got, want)
	}
	if got := scoredRatio(side("H100", 0.60, 0.129, 2), &scenario.SystemResult{}); got != "" {
		t.Errorf("scoredRatio without a challenger score = %q, want empty", got)
	}
}

// TestCrossCheckClaims: the claims table sets the challenger's figures
// on its calibrated profile beside its own, worked by hand: H100 at
// 2.8 M tokens/s on 16,384 chips, CM384 at 2.0 M on its default profile
// and 1.5 M on mindformers, on 16,384 chips: steady-state time 2.8/1.5 =
// 1.87× (1.40× on the default), throughput per chip 1.5/2.8 = 0.54× (0.71×).
func TestCrossCheckClaims(t *testing.T) {
	tps := func(v float64) map[string]scenario.Stat {
		return map[string]scenario.Stat{scenario.OutTokensPerSec: st(v, v, v, v), scenario.OutSteadyDays: st(62, 62, 62, 62)}
	}
	base := &scenario.SystemResult{System: scenario.System{Label: "H100"}, Chips: 16384, Stats: tps(2.8e6)}
	chal := &scenario.SystemResult{System: scenario.System{Label: "CM384"}, Chips: 16384, Stats: tps(2.0e6),
		TrainingCrossCheck: &scenario.CrossCheck{Profile: "mindformers", HardwareStack: "cann", Stack: "stack mindformers (the cann profile whose GEMM efficiency was fitted on published runs)",
			Evidence: "measured (stack mindformers: fitted)", Plan: "tp=16 pp=2", TokensPerSec: 1.5e6, MFU: 0.3}}
	if got, want := crossSteady(base, chal), "; 1.87× on stack mindformers, the cann profile fitted on published runs (1.40× on its default profile at the same typical values)"; got != want {
		t.Errorf("crossSteady = %q, want %q", got, want)
	}
	if got, want := crossPerChip(base, chal), "; 0.54× on stack mindformers, fitted on published runs (0.71× on its default profile at the same typical values)"; got != want {
		t.Errorf("crossPerChip = %q, want %q", got, want)
	}
	// Watts per achieved PFLOP/s: H100 1,460; CM384 at 935 W, 0.78 PFLOP/s
	// peak and MFU 0.30 on mindformers: 935 / 0.234 = 3,995.7, 2.74×.
	base.Stats[scenario.OutWPerAchieved] = st(1460, 1460, 1460, 1460)
	chal.TrainingCrossCheck.WPerAchieved = 935 / (0.30 * 0.78)
	chal.Stats[scenario.OutWPerAchieved] = st(3100, 3100, 3100, 3100) // 3,100 / 1,460 = 2.12× on its own profile
	if got, want := crossPower(base, chal), "; 2.74× on stack mindformers (2.12× on its default profile at the same typical values)"; got != want {
		t.Errorf("crossPower = %q, want %q", got, want)
	}
	if got := crossSteady(base, base); got != "" {
		t.Errorf("crossSteady without a cross-check = %q, want empty", got)
	}
	chal.TrainingCrossCheck.TokensPerSec, chal.TrainingCrossCheck.Error = 0, "no training plan"
	if got := crossPerChip(base, chal); got != "" {
		t.Errorf("crossPerChip of a cross-check without a plan = %q, want empty", got)
	}
}

// TestCrossCheckSection: a cross-check on the fixture's CM384 reaches
// section 2's text and the figures (the CSV): 15 T tokens at 1.5 M
// tokens/s is 1e7 s, 115.7 days.
func TestCrossCheckSection(t *testing.T) {
	r := fixture()
	r.Systems[1].TrainingCrossCheck = &scenario.CrossCheck{Profile: "mindformers", HardwareStack: "cann", Stack: "stack mindformers (fitted)",
		Evidence: "measured", Plan: "tp=16 pp=2", TokensPerSec: 1.5e6, MFU: 0.3}
	rep := Build(r)
	var text string
	for _, s := range rep.Sections {
		text += strings.Join(s.Text, "\n")
	}
	if !strings.Contains(text, "CM384 on stack mindformers: tp=16 pp=2, MFU 30%, 116 steady-state days (73 on its own profile)") {
		t.Errorf("section text lacks the cross-check:\n%s", text)
	}
	var days float64
	for _, f := range rep.Figures {
		if f.Subject == "CM384" && f.Name == "steady-state days on stack mindformers (cross-check)" {
			days = f.Stat.Typ
		}
	}
	if math.Abs(days-15e12/1.5e6/86400) > 1e-9 {
		t.Errorf("cross-check steady-state days figure %g, want %g", days, 15e12/1.5e6/86400)
	}
}

// TestSensitivityTypicalOutside: the sensitivity section's output at
// typical values says where it lies outside the headline gap's samples'
// P10–P90 (the fixture's 2.68×–4.86×), and says nothing inside it.
func TestSensitivityTypicalOutside(t *testing.T) {
	text := func(r *scenario.Results) string {
		for _, s := range Build(r).Sections {
			if s.ID == "sensitivity" {
				return strings.Join(s.Text, "\n")
			}
		}
		return ""
	}
	if got := text(fixture()); !strings.Contains(got, "(2.75× at typical values).") {
		t.Errorf("inside: %q", got)
	}
	r := fixture()
	r.Tornado.Base = 2.5
	if got, want := text(r), "(2.50× at typical values; the samples' P10–P90 is 2.68×–4.86×, and the estimate at typical values lies below it: some typical values sit near an end of their ranges)."; !strings.Contains(got, want) {
		t.Errorf("below: %q, want %q", got, want)
	}
}

// TestNoTornadoSaysWhy: with no tornado (no training plan for the
// baseline or the challenger) the sensitivity section says why in one
// line rather than a heading with nothing under it.
func TestNoTornadoSaysWhy(t *testing.T) {
	r := fixture()
	r.Strategy, r.Tornado, r.Gaps = scenario.StrategyResult{}, scenario.TornadoResult{}, nil
	for _, s := range Build(r).Sections {
		if s.ID == "sensitivity" {
			if got := strings.Join(s.Text, "\n"); got != "No tornado: the baseline or the challenger has no training plan." {
				t.Errorf("sensitivity text %q", got)
			}
			return
		}
	}
	t.Error("no sensitivity section")
}

// TestStrategyUnits: every strategy figure carries its unit in the CSV
// (they were blank while cost rows said USD): the fixture's strategy
// with every strategy figure present.
func TestStrategyUnits(t *testing.T) {
	want := map[string]string{
		"cycle, H100 (days)": "d", "cycle, CM384 (days)": "d",
		"iterations per year, H100": "/yr", "iterations per year, CM384": "/yr",
		"relative iteration rate":                       "×",
		"lag after 6 months (months)":                   "months",
		"lag after 18 months (months)":                  "months",
		"lag after 36 months (months)":                  "months",
		"generations behind at the horizon (36 months)": "generations",
		"extra months per run":                          "months",
		"extra cost per run":                            "USD",
		"premium for independence (time × money)":       "×",
	}
	r := fixture()
	for _, k := range []string{scenario.StratCycleBase, scenario.StratCycleChal, scenario.StratItersBase, scenario.StratItersChal,
		scenario.StratLag6, scenario.StratGapHorizon, scenario.StratExtraMonths, scenario.StratExtraCost} {
		r.Strategy.Stats[k] = st(1, 1, 1, 1)
	}
	n := 0
	for _, f := range Build(r).Figures {
		if f.Section != "strategy" {
			continue
		}
		n++
		if f.Unit != want[f.Name] {
			t.Errorf("strategy %q unit = %q, want %q", f.Name, f.Unit, want[f.Name])
		}
	}
	if n != len(want) {
		t.Errorf("%d strategy figures, want %d", n, len(want))
	}
}

// TestStrategyHorizonStated: section 5 states the horizon, read from
// the scenario (2 years: 24 months), what generations behind counts, and
// the time between runs as typical with its range (14, 30, 60 days: the
// default), not as a P50 [P10–P90].
func TestStrategyHorizonStated(t *testing.T) {
	r := fixture()
	r.Scenario.Strategy.Horizon = 2 * 365.25 * units.Day
	r.Strategy.Stats[scenario.StratGapHorizon] = st(2, 1.5, 2, 2.5)
	rep := Build(r)
	var text string
	for _, s := range rep.Sections {
		if s.ID == "strategy" {
			text = strings.Join(s.Text, "\n")
		}
	}
	for _, want := range []string{"30 days between runs (typical; range 14–60)", "The horizon is 24 months",
		"the runs the leader has finished more than the follower by then, t/cycle_leader − t/cycle_follower"} {
		if !strings.Contains(text, want) {
			t.Errorf("strategy text lacks %q:\n%s", want, text)
		}
	}
	found := false
	for _, f := range rep.Figures {
		found = found || f.Name == "generations behind at the horizon (24 months)"
	}
	if !found {
		t.Error("no figure 'generations behind at the horizon (24 months)'")
	}
}

// TestTextSaysWhatIsListed: the text's section 8 names its two counts
// (the fixture's 8 inputs drawn over ranges, and the 2 held fixed added
// here) rather than "8 + 2 assumptions"; section 3's per-kW header says
// at the wall, as its CSV trail and chart do (section 1's W are TDP).
func TestTextSaysWhatIsListed(t *testing.T) {
	r := fixture()
	r.Fixed = []scenario.Input{{Name: "cann: ckpt", Typ: 1}, {Name: "cuda: ckpt", Typ: 2}}
	var b bytes.Buffer
	if err := Text(&b, Build(r)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"8 uncertain inputs drawn over their ranges (min, typ, max) and 2 parameters held at one value, listed in full with --html and --json.",
		"output tokens/s per kW at the wall", "1 sources listed in full"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
}
