package scenario

import (
	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/training"
	"chipgap/units"
)

// Default is the built-in scenario: the essay's question on the
// catalog's data. `chipgap` with no arguments runs it.
func Default() *Scenario {
	s := &Scenario{Format: Format}
	s.WithDefaults()
	return s
}

func rng(lo, typ, hi float64, note string, sources ...string) Range {
	return Range{Min: units.Dimensionless(lo), Typ: units.Dimensionless(typ), Max: units.Dimensionless(hi),
		Note: note, Sources: sources, Assumed: len(sources) == 0}
}

func days(lo, typ, hi float64, note string, sources ...string) Duration {
	return Duration{Min: units.Seconds(lo) * units.Day, Typ: units.Seconds(typ) * units.Day, Max: units.Seconds(hi) * units.Day,
		Note: note, Sources: sources, Assumed: true}
}

func defaultSystems() []System {
	return []System{
		{Label: "H100", Chip: "h100-sxm", Region: "us", Note: "HGX H100, 8 per node, InfiniBand NDR"},
		{Label: "H20", Chip: "h20", Region: "china", Note: "the export-compliant Hopper sold in China"},
		{Label: "B200", Chip: "b200", Region: "us", Note: "HGX B200, 8 per node"},
		{Label: "910B", Chip: "ascend-910b", Region: "china", Note: "Atlas 800T A2, 8 per node, RoCE"},
		{Label: "910C", Chip: "ascend-910c", ChipsPerNode: 8, Region: "china", Note: "Atlas 800T A3 servers of 8, RoCE between them"},
		{Label: "CM384", Chip: "ascend-910c", ChipsPerNode: 384, Region: "china", Note: "CloudMatrix 384: 384 910C on one Unified Bus domain"},
	}
}

// defaultEconomics is catalog/data/econ.yaml (an empty Economics when
// the catalog cannot be read: Validate then reports the missing values).
func defaultEconomics(c *catalog.Catalog) Economics {
	e := Economics{Regions: map[string]Region{}}
	if c == nil {
		return e
	}
	d, err := c.Econ()
	if err != nil {
		return e
	}
	for _, r := range d.Regions {
		e.Regions[r.ID] = Region{USDPerKWh: r.USDPerKWh, PUE: r.PUE}
	}
	e.ServerPower, e.Load = d.Power.ServerMultiplier, d.Power.Load
	e.ServerCost, e.NetworkShare, e.FacilityPerWatt = d.Capex.ServerMultiplier, d.Capex.NetworkShare, d.Capex.FacilityUSDPerWatt
	e.LifeYears, e.Utilisation = d.DepreciationYears, d.Utilisation
	return e
}

// defaultEngineering is catalog/data/stacks-engineering.yaml.
func defaultEngineering(c *catalog.Catalog) map[string]Engineering {
	m := map[string]Engineering{}
	if c == nil {
		return m
	}
	d, err := c.Engineering()
	if err != nil {
		return m
	}
	for k, v := range d {
		e := v.Engineering
		m[k] = Engineering{Port: e.Port, InitialSlowdown: e.InitialSlowdown, Maturation: e.Maturation}
	}
	return m
}

// DefaultEfficiency is the built-in uncertainty of each stack's
// calibrated kernel efficiencies (a multiplier drawn per sample as
// "STACK: kernel efficiency (calibration)"); sweeps draw it too, so a
// sweep cell and the gap report draw the same value.
func DefaultEfficiency() map[string]Range { return defaultEfficiency() }

func defaultEfficiency() map[string]Range {
	const why = "uncertainty of the stack's calibrated kernel efficiencies (matmul, memory); assumed"
	return map[string]Range{
		"cuda":    rng(0.9, 1, 1.1, why+": calibrated on many published runs"),
		"cann":    rng(0.75, 1, 1.15, why+": the cann default profile (cann-mindspeed) is fitted on no MindSpeed run (its kernel efficiencies are MindFormers' fit on the same CANN operators); it scores a median 6.2 % (signed mean +4.5 %) on 130 held-out ModelLink dense runs and 3–20 % under Huawei's two Pangu Ultra dense reports, hence the wider, low-leaning range"),
		"rocm":    rng(0.8, 1, 1.1, why),
		"xla":     rng(0.9, 1, 1.1, why),
		"synapse": rng(0.8, 1, 1.1, why),
	}
}

// WithDefaults fills every field left at its zero value with the
// built-in default.
func (s *Scenario) WithDefaults() {
	if s.Format == "" {
		s.Format = Format
	}
	if s.Title == "" {
		s.Title = "NVIDIA vs Ascend: can a constrained supply chain train and serve at the frontier?"
	}
	if s.Seed == 0 {
		s.Seed = 1
	}
	if s.Samples == 0 {
		s.Samples = 1000
	}
	if len(s.Systems) == 0 {
		s.Systems = defaultSystems()
	}
	s.Training.withDefaults()
	s.Inference.withDefaults()
	if len(s.Supply.Chips) == 0 {
		s.Supply.Chips = []string{"ascend-910b", "ascend-910c"}
	}
	c, _ := catalog.Load()
	for i := range s.Systems {
		s.Systems[i].withDefaults(c)
	}
	s.Economics.withDefaults(c)
	s.Engineering = mergeMap(defaultEngineering(c), s.Engineering)
	s.Efficiency = mergeMap(defaultEfficiency(), s.Efficiency)
	s.Strategy.withDefaults(s.Systems)
}

func mergeMap[V any](def, user map[string]V) map[string]V {
	for k, v := range user {
		def[k] = v
	}
	return def
}

// withDefaults fills the side and stack from the chip's catalog entry.
func (sy *System) withDefaults(c *catalog.Catalog) {
	if c == nil {
		return
	}
	ch, err := c.Chip(sy.Chip)
	if err != nil {
		return // Validate names the unknown chip
	}
	setStr(&sy.Side, sideOf(ch))
	setStr(&sy.Stack, ch.Stack)
}

func (t *Training) withDefaults() {
	setStr(&t.Model, "llama3.1-405b")
	if t.Tokens == 0 {
		t.Tokens = 15e12
	}
	setInt(&t.Chips, 16384)
	setStr(&t.Sizing, "equal-chips")
	setInt(&t.Seq, training.DefaultSeq)
	setInt(&t.GlobalBatch, training.DefaultGlobalBatch)
	if t.Precision == "" {
		t.Precision = hardware.BF16
	}
}

func (in *Inference) withDefaults() {
	setStr(&in.Model, "deepseek-v3")
	setInt(&in.Input, 4096)
	setInt(&in.Output, 1024)
	if in.TPOT == 0 {
		in.TPOT = 0.05
	}
	setStr(&in.Precision, "auto")
	setInt(&in.MaxInstanceChips, 384)
}

func (e *Economics) withDefaults(c *catalog.Catalog) {
	d := defaultEconomics(c)
	e.Regions = mergeMap(d.Regions, e.Regions)
	for _, p := range []struct{ v, def *Range }{
		{&e.ServerPower, &d.ServerPower}, {&e.ServerCost, &d.ServerCost}, {&e.NetworkShare, &d.NetworkShare},
		{&e.FacilityPerWatt, &d.FacilityPerWatt}, {&e.LifeYears, &d.LifeYears}, {&e.Utilisation, &d.Utilisation}, {&e.Load, &d.Load},
	} {
		if !given(*p.v) {
			*p.v = *p.def
		}
	}
}

func (st *Strategy) withDefaults(systems []System) {
	if st.Baseline == "" && len(systems) > 0 {
		st.Baseline = systems[0].Label
		if hasLabel(systems, "H100") {
			st.Baseline = "H100"
		}
	}
	if st.Challenger == "" && len(systems) > 0 {
		st.Challenger = systems[len(systems)-1].Label
		if hasLabel(systems, "CM384") {
			st.Challenger = "CM384"
		}
	}
	if !given(st.Between) {
		st.Between = days(14, 30, 60, "time between two frontier runs: evaluation, data and design of the next; assumed")
	}
	if st.Horizon == 0 {
		st.Horizon = 3 * 365.25 * units.Day
	}
}

func hasLabel(systems []System, l string) bool {
	for _, s := range systems {
		if s.Label == l {
			return true
		}
	}
	return false
}

// given reports whether a range was written at all.
func given[T ~float64](v hardware.Value[T]) bool {
	return v.Typ != 0 || v.Min != 0 || v.Max != 0 || v.Assumed || len(v.Sources) > 0 || v.Note != ""
}

func setStr(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}
