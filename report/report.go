package report

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"chipgap/plot"
	"chipgap/scenario"
)

// Report is the gap report laid out for rendering: a headline and
// sections of text, tables and charts. Every renderer draws from it.
type Report struct {
	Title    string
	Subtitle string
	Headline []string
	// HeadlineNote follows the headline: typLegend where a bullet
	// carries a typMark, else "".
	HeadlineNote string
	Claims       Table
	Sections     []Section
	// Figures is every number shown, one row each, for CSV.
	Figures []Figure
	// Scenario is the scenario the results came from, as indented JSON
	// (which chipgap reads back as a scenario file).
	Scenario string
}

// Section is one part of the report.
type Section struct {
	ID     string
	Title  string
	Text   []string
	Tables []Table
	Charts []Chart
}

// Table is a captioned grid of cells; Note follows it.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
	Note    string
	// marks counts the typMarks its cells and note carry, counted where
	// they were built (builder.marks): legendTable's decision.
	marks int
}

// Chart is an SVG drawn by package plot.
type Chart struct {
	Title string
	SVG   []byte
}

// Figure is one number of the report with its range and trail.
type Figure struct {
	Section string
	Subject string
	Name    string
	Unit    string
	Stat    scenario.Stat
	Trail   string
}

// Build lays the results out as a report.
func Build(r *scenario.Results) *Report {
	b := &builder{r: r, rep: &Report{Title: r.Title}}
	b.rep.Subtitle = fmt.Sprintf("%d Monte Carlo samples, seed %d. Figures are P50 [P10–P90]; every input is a catalog value or a named assumption (see Assumptions).",
		r.Samples, r.Seed)
	n := b.marks
	b.headline()
	if b.marks > n {
		b.rep.HeadlineNote = typLegend
	}
	b.claims()
	b.from = b.marks
	b.chips()
	b.training()
	b.inference()
	b.supply()
	b.strategy()
	b.sensitivity()
	b.believe()
	b.assumptions()
	b.sources()
	legendTable(&b.rep.Claims)
	if j, err := json.MarshalIndent(r.Scenario, "", "  "); err == nil && r.Scenario != nil {
		b.rep.Scenario = string(j)
	}
	return b.rep
}

type builder struct {
	r   *scenario.Results
	rep *Report
	// marks counts the typMarks of the cells built so far (typMark
	// decides each, by Stat.Apart). A part of the report takes typLegend
	// where its cells added to it: the headline (Build), a table (its
	// marks, counted where its rows are built) or a section's text (add).
	marks int
	// from is marks where the section being built began: after the
	// claims, then at each add.
	from int
}

// add appends s to the report, with typLegend where its tables or text
// carry a typMark: first in a table's note (legendTable), as a last line
// of the text where the section's marks are more than its tables'.
func (b *builder) add(s Section) {
	text := b.marks - b.from
	for i := range s.Tables {
		legendTable(&s.Tables[i])
		text -= s.Tables[i].marks
	}
	if text > 0 {
		s.Text = append(s.Text, typLegend)
	}
	b.from = b.marks
	b.rep.Sections = append(b.rep.Sections, s)
}

// legendTable puts typLegend first in t's note where a cell, or the
// note, carries a typMark (t.marks).
func legendTable(t *Table) {
	if t.marks > 0 {
		t.Note = strings.TrimSpace(typLegend + " " + t.Note)
	}
}

// col describes one figure column: its name and display unit, the
// Stats key, the display scale and format, and its trail.
type col struct {
	name, unit string
	key        string
	scale      float64
	f          fmtFn
	trail      string
}

// fig records a figure for CSV and returns its formatted range.
func (b *builder) fig(section, subject string, m map[string]scenario.Stat, c col) string {
	s, ok := b.record(section, subject, m, c)
	if !ok {
		return "–"
	}
	return b.rng(s, c.scale, c.f)
}

// record records a figure for CSV, unformatted (no cell, so no typMark
// counted): the figure and whether m has it.
func (b *builder) record(section, subject string, m map[string]scenario.Stat, c col) (scenario.Stat, bool) {
	s, ok := m[c.key]
	if ok {
		b.rep.Figures = append(b.rep.Figures, Figure{Section: section, Subject: subject, Name: c.name, Unit: c.unit, Stat: s.Scale(c.scale), Trail: c.trail})
	}
	return s, ok
}

func (b *builder) system(label string) *scenario.SystemResult {
	for i := range b.r.Systems {
		if b.r.Systems[i].System.Label == label {
			return &b.r.Systems[i]
		}
	}
	return nil
}

func (b *builder) gap(label string) *scenario.Gap {
	for i := range b.r.Gaps {
		if b.r.Gaps[i].Label == label {
			return &b.r.Gaps[i]
		}
	}
	return nil
}

func sideGroup(side string) int {
	if side == "ascend" {
		return 1
	}
	return 0
}

// bars turns one figure of every system into chart bars (P50 with a
// P10–P90 whisker); systems without the figure, or with an infinite
// one, are left out.
func (b *builder) bars(key string, scale float64) []plot.Bar {
	var out []plot.Bar
	for _, s := range b.r.Systems {
		st, ok := s.Stats[key]
		if !ok || math.IsInf(st.P50, 0) || math.IsNaN(st.P50) {
			continue
		}
		st = st.Scale(scale)
		hi := st.P90
		if math.IsInf(hi, 0) {
			hi = st.P50
		}
		out = append(out, plot.Bar{Label: s.System.Label, Value: st.P50, Lo: st.P10, Hi: hi, Group: sideGroup(s.System.Side)})
	}
	return out
}

func (b *builder) headline() {
	r := b.r
	st := r.Strategy
	base, chal := b.system(st.Baseline), b.system(st.Challenger)
	if base != nil && chal != nil {
		if g := b.gap(chal.System.Label); g != nil {
			size := equalChips(r)
			if r.Training.Sizing == "equal-peak" {
				size = fmt.Sprintf("clusters of equal peak (%s: %s chips, %s: %s)", base.System.Label, group(fmt.Sprint(base.Chips)),
					chal.System.Label, group(fmt.Sprint(chal.Chips)))
			}
			b.rep.Headline = append(b.rep.Headline, fmt.Sprintf("Training %s on %s tokens, %s: %s, %s — %s as long (throughput alone %s).%s",
				r.Training.ModelName, count(r.Training.Tokens), size, b.takes(base.System.Label, "takes", base.Stats, scenario.OutTotalDays),
				b.takes(chal.System.Label, "", chal.Stats, scenario.OutTotalDays),
				b.stat(g.Stats, scenario.GapRatio, 1, times), b.stat(g.Stats, scenario.GapSteadyRatio, 1, times), b.dominant()))
			if bl := r.Believe; bl != nil {
				b.rep.Headline = append(b.rep.Headline, believeHeadline(bl))
			}
		}
		b.rep.Headline = append(b.rep.Headline, fmt.Sprintf("A lab retraining on %s iterates %s as often as one on %s; after 18 months the %s lab is %s months behind; %s.",
			base.System.Label, b.stat(st.Stats, scenario.StratRelRate, 1, times), chal.System.Label, chal.System.Label,
			b.stat(st.Stats, scenario.StratLag18, 1, fixed(1)), b.premiumText(b.gap(chal.System.Label))))
		serve := fmt.Sprintf("Serving %s at TPOT ≤ %.0f ms: %s $%s per M output tokens vs %s $%s (%s)",
			r.Inference.ModelName, 1000*r.Inference.TPOT, chal.System.Label, b.stat(chal.Stats, scenario.OutUSDPerMtok, 1, fixed(2)),
			base.System.Label, b.stat(base.Stats, scenario.OutUSDPerMtok, 1, fixed(2)), serveSides([]scenario.SystemResult{*chal, *base}))
		if bias := servingBias(base, chal); bias != "" {
			serve += "; " + bias
		}
		b.rep.Headline = append(b.rep.Headline, serve+".")
	}
	for _, s := range r.Supply {
		b.rep.Headline = append(b.rep.Headline, fmt.Sprintf("%s supply: %s good packages a year; the binding constraint is %s.",
			s.ChipName, b.stat(s.Stats, scenario.SupGood, 1, count), bindText(s.Binds)))
	}
	b.rep.Headline = append(b.rep.Headline, r.Notes...)
}

// premiumText states the premium for independence as what it is, the
// product of two ratios: the run's time ratio and its cost ratio first
// (their P50s), then their product sample by sample (econ.Premium):
// "a run takes 3.01× the time and 1.77× the money (P50s; ...); their
// product, ..., 5.27× [3.63×–7.81×]".
func (b *builder) premiumText(g *scenario.Gap) string {
	p := b.stat(b.r.Strategy.Stats, scenario.StratPremium, 1, times)
	if g == nil {
		return "independence costs " + p + " the time ratio × the cost ratio of a run"
	}
	tm, okT := g.Stats[scenario.GapRatio]
	cost, okC := g.Stats[scenario.GapCostRatio]
	if !okT || !okC {
		return "independence costs " + p + " the time ratio × the cost ratio of a run"
	}
	return fmt.Sprintf("a run takes %s the time and %s the money (P50s; money with porting excluded); their product sample by sample, the premium for independence, is %s, against the essay's 2 × 2 = 4×",
		times(tm.P50), times(cost.P50), p)
}

// equalChips states the equal-chip clusters: the scenario's chips each,
// and every system whose whole nodes round them to another count
// "16,384 chips each (CM384: 16,512, 43 whole nodes of 384)".
func equalChips(r *scenario.Results) string {
	size := group(fmt.Sprint(r.Scenario.Training.Chips)) + " chips each"
	if parts := roundedToNodes(r); len(parts) > 0 {
		size += " (" + strings.Join(parts, "; ") + ")"
	}
	return size
}

// roundedToNodes names each system whose training cluster is not the
// scenario's chip count, because it fills whole nodes of its node
// (scenario chipCount): "CM384: 16,512, 43 whole nodes of 384".
func roundedToNodes(r *scenario.Results) []string {
	var parts []string
	for _, sy := range r.Systems {
		if sy.Chips == r.Scenario.Training.Chips || sy.NodeChips < 1 {
			continue
		}
		nodes := group(fmt.Sprint(sy.Chips/sy.NodeChips)) + " whole nodes"
		if sy.Chips == sy.NodeChips {
			nodes = "1 whole node"
		}
		parts = append(parts, fmt.Sprintf("%s: %s, %s of %s", sy.System.Label, group(fmt.Sprint(sy.Chips)), nodes, group(fmt.Sprint(sy.NodeChips))))
	}
	return parts
}

// dominant names the input that moves the headline ratio most and its
// evidence class: " Dominant input: cann: porting time (assumed)."
func (b *builder) dominant() string {
	tr := b.r.Tornado
	if len(tr.Swings) == 0 {
		return ""
	}
	name := tr.Swings[0].Input
	cls := scenario.BasisAssumed
	for _, in := range b.r.Inputs {
		if in.Name == name {
			cls = basis(in)
		}
	}
	return fmt.Sprintf(" Evidence class of its dominant input (%s): %s.", name, cls)
}

// bindText says how often each constraint binds, most often first:
// "HBM in 99% of samples, wafers 1%".
func bindText(m map[string]float64) string {
	names := map[string]string{"wafers": "wafers", "hbm": "HBM", "packaging": "packaging"}
	keys := []string{"wafers", "hbm", "packaging"}
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	var parts []string
	for _, k := range keys {
		if p := m[k]; p > 0 {
			if len(parts) == 0 {
				parts = append(parts, fmt.Sprintf("%s in %.0f%% of samples", names[k], 100*p))
			} else {
				parts = append(parts, fmt.Sprintf("%s %.0f%%", names[k], 100*p))
			}
		}
	}
	return strings.Join(parts, ", ")
}
