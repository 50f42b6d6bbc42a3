package scenario

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/input"
	"chipgap/training"
	"chipgap/units"
)

// MaxSamples bounds a scenario's Monte Carlo samples.
const MaxSamples = 100000

// Sides returns the two supply chains the report contrasts.
func Sides() []string { return []string{"nvidia", "ascend"} }

// Sizings returns how the training clusters may be sized.
func Sizings() []string { return []string{"equal-chips", "equal-peak"} }

// Validate checks every field after WithDefaults, against the catalog;
// the first problem is a *input.Error naming the field's path. It also
// normalises ranges given by typ alone (min = max = typ) and fills a
// system's side and stack from its chip when WithDefaults could not.
func (s *Scenario) Validate() error {
	c, err := catalog.Load()
	if err != nil {
		return err
	}
	v := &validator{c: c}
	v.intIn("samples", s.Samples, 1, MaxSamples)
	if s.StackDate != "" {
		if _, err := time.Parse(time.DateOnly, s.StackDate); err != nil {
			v.fail("stack_date", s.StackDate, "a date YYYY-MM-DD (the stacks as they stood then; empty: their current state)")
		}
	}
	v.systems(s)
	v.training(s.Training)
	v.inference(s.Inference)
	for i, id := range s.Supply.Chips {
		v.fabChip(fmt.Sprintf("supply.chips[%d]", i), id)
	}
	v.economics(&s.Economics)
	v.engineering(s.Engineering)
	for _, k := range sortedKeys(s.Efficiency) {
		v.stack("efficiency."+k, k)
		r := s.Efficiency[k]
		v.rangeIn("efficiency."+k, &r, 0.05, 2, "want a multiplier in [0.05, 2]")
		s.Efficiency[k] = r
	}
	for _, k := range sortedKeys(s.FailureRateScale) {
		v.stack("failure_rate_scale."+k, k)
		r := s.FailureRateScale[k]
		v.rangeIn("failure_rate_scale."+k, &r, 0, 100, "want a multiplier in [0, 100]")
		s.FailureRateScale[k] = r
	}
	v.chips(s.Chips)
	v.strategy(s)
	return v.err
}

type validator struct {
	c   *catalog.Catalog
	err error
}

func (v *validator) fail(field string, value any, allow string) {
	if v.err == nil {
		v.err = &input.Error{Field: field, Value: value, Want: allow, Labelled: true}
	}
}

func (v *validator) intIn(field string, x, lo, hi int) {
	if x < lo || x > hi {
		v.fail(field, x, fmt.Sprintf("want an integer in [%d, %d]", lo, hi))
	}
}

func (v *validator) oneOf(field, x string, allowed []string) {
	if !slices.Contains(allowed, x) {
		v.fail(field, fmt.Sprintf("%q", x), fmt.Sprintf("want one of %v", allowed))
	}
}

func (v *validator) chip(field, id string) *hardware.Chip {
	ch, err := v.c.Chip(id)
	if err != nil {
		v.fail(field, fmt.Sprintf("%q", id), "unknown chip"+catalog.Suggest(id, v.c.ChipIDs())+" (chipgap chips lists them)")
		return nil
	}
	return ch
}

func (v *validator) stack(field, id string) {
	v.oneOf(field, id, catalog.Stacks())
}

// rangeIn normalises a range given by typ alone (min = max = typ) and
// checks min ≤ typ ≤ max within [lo, hi], each finite (a NaN passes every
// comparison; before, it reached the Monte Carlo and failed there
// without the file, line or field).
func (v *validator) rangeIn(field string, r *Range, lo, hi float64, allow string) {
	normalise(r)
	switch {
	case !finite(r.Min, r.Typ, r.Max):
		v.fail(field, fmt.Sprintf("{min: %g, typ: %g, max: %g}", r.Min, r.Typ, r.Max), "want finite values (no NaN or Inf), "+strings.TrimPrefix(allow, "want "))
	case float64(r.Min) < lo || float64(r.Max) > hi:
		v.fail(field, fmt.Sprintf("{min: %g, typ: %g, max: %g}", r.Min, r.Typ, r.Max), allow)
	case r.Min > r.Typ || r.Typ > r.Max:
		v.fail(field, fmt.Sprintf("{min: %g, typ: %g, max: %g}", r.Min, r.Typ, r.Max), "want min ≤ typ ≤ max")
	}
}

func normalise[T ~float64](r *hardware.Value[T]) {
	if r.Min == 0 && r.Max == 0 {
		r.Min, r.Max = r.Typ, r.Typ
	}
}

func (v *validator) durationIn(field string, d *Duration, hi units.Seconds) {
	normalise(d)
	if d.Min < 0 || d.Max > hi || d.Min > d.Typ || d.Typ > d.Max || !finite(d.Min, d.Typ, d.Max) {
		v.fail(field, fmt.Sprintf("{min: %v, typ: %v, max: %v}", d.Min, d.Typ, d.Max),
			fmt.Sprintf("want 0 ≤ min ≤ typ ≤ max ≤ %v", hi))
	}
}

func (v *validator) systems(s *Scenario) {
	if len(s.Systems) > 16 {
		v.fail("systems", len(s.Systems), "want at most 16 systems")
	}
	seen := map[string]bool{}
	for i := range s.Systems {
		sy := &s.Systems[i]
		at := fmt.Sprintf("systems[%d]", i)
		if sy.Label == "" || seen[sy.Label] {
			v.fail(at+".label", fmt.Sprintf("%q", sy.Label), "want a unique, non-empty label")
		}
		seen[sy.Label] = true
		ch := v.chip(at+".chip", sy.Chip)
		if ch == nil {
			continue
		}
		if sy.Side == "" {
			sy.Side = sideOf(ch)
		}
		v.oneOf(at+".side", sy.Side, Sides())
		if sy.Stack == "" {
			sy.Stack = ch.Stack
		}
		v.stack(at+".stack", sy.Stack)
		v.framework(at+".training_framework", v.c.CheckTrainingFramework(sy.TrainingFramework))
		v.framework(at+".inference_framework", v.c.CheckServingFramework(sy.InferenceFramework, ch))
		v.intIn(at+".chips_per_node", sy.ChipsPerNode, 0, 100000)
		if _, ok := s.Economics.Regions[sy.Region]; !ok {
			v.fail(at+".region", fmt.Sprintf("%q", sy.Region), fmt.Sprintf("want one of %v (economics.regions)", sortedKeys(s.Economics.Regions)))
		}
	}
}

// framework fails field with a framework check's error (an unknown name
// would fall back to the stack's default profile unseen).
func (v *validator) framework(field string, err error) {
	var ie *input.Error
	if errors.As(err, &ie) {
		v.fail(field, fmt.Sprintf("%q", ie.Value), ie.Want)
	}
}

func sideOf(ch *hardware.Chip) string {
	if ch.Stack == "cann" {
		return "ascend"
	}
	return "nvidia"
}

func (v *validator) model(field, id string) {
	if _, err := v.c.Model(id); err != nil {
		var ids []string
		for _, m := range v.c.Models() {
			ids = append(ids, m.ID)
		}
		v.fail(field, fmt.Sprintf("%q", id), "unknown model"+catalog.Suggest(id, ids)+" (chipgap models lists them)")
	}
}

func (v *validator) training(t Training) {
	v.model("training.model", t.Model)
	if !(t.Tokens >= 1e9 && t.Tokens <= 1e16) { // NaN fails too
		v.fail("training.tokens", t.Tokens, "want a token budget in [1e9, 1e16]")
	}
	v.intIn("training.chips", t.Chips, 8, input.MaxSimulatedChips)
	v.oneOf("training.sizing", t.Sizing, Sizings())
	v.intIn("training.seq", t.Seq, 128, 1<<20)
	v.intIn("training.global_batch", t.GlobalBatch, 1, 1<<20)
	if _, err := hardware.ParsePrecisionOf(string(t.Precision), training.Precisions()...); err != nil {
		v.fail("training.precision", fmt.Sprintf("%q", t.Precision), err.Error())
	}
}

func (v *validator) inference(in Inference) {
	v.model("inference.model", in.Model)
	v.intIn("inference.input_tokens", in.Input, 1, 1<<20)
	v.intIn("inference.output_tokens", in.Output, 1, 1<<20)
	if !(in.TPOT > 0 && in.TPOT <= inference.MaxTPOT) { // NaN fails too
		v.fail("inference.tpot", in.TPOT, fmt.Sprintf("want a latency in (0, %v]", inference.MaxTPOT))
	}
	if !(in.TTFT >= 0 && in.TTFT <= 3600) {
		v.fail("inference.ttft", in.TTFT, "want 0 (unbounded) or a latency up to 1h")
	}
	if in.Precision != "auto" {
		if _, err := hardware.ParsePrecisionOf(in.Precision, inference.Precisions()...); err != nil {
			v.fail("inference.precision", fmt.Sprintf("%q", in.Precision), "auto, or "+err.Error())
		}
	}
	v.intIn("inference.max_instance_chips", in.MaxInstanceChips, 1, 4096)
}

func (v *validator) fabChip(field, id string) {
	if v.chip(field, id) == nil {
		return
	}
	if _, err := v.c.FabCase(id, "", ""); err != nil {
		v.fail(field, fmt.Sprintf("%q", id), "no fab data for this chip (catalog/data/fab.yaml): "+err.Error())
	}
}

func (v *validator) economics(e *Economics) {
	for _, k := range sortedKeys(e.Regions) {
		r := e.Regions[k]
		v.rangeIn("economics.regions."+k+".usd_per_kwh", &r.USDPerKWh, 0.001, 2, "want USD per kWh in [0.001, 2]")
		v.rangeIn("economics.regions."+k+".pue", &r.PUE, 1, 3, "want a PUE in [1, 3]")
		e.Regions[k] = r
	}
	v.rangeIn("economics.server_power", &e.ServerPower, 1, 4, "want a multiplier in [1, 4]")
	v.rangeIn("economics.server_cost", &e.ServerCost, 1, 4, "want a multiplier in [1, 4]")
	v.rangeIn("economics.network_share", &e.NetworkShare, 0, 1, "want a fraction in [0, 1]")
	v.rangeIn("economics.facility_per_watt", &e.FacilityPerWatt, 0, 100, "want USD per watt in [0, 100]")
	v.rangeIn("economics.life_years", &e.LifeYears, 0.5, 20, "want years in [0.5, 20]")
	v.rangeIn("economics.utilisation", &e.Utilisation, 0.01, 1, "want a fraction in [0.01, 1]")
	v.rangeIn("economics.load", &e.Load, 0.05, 1, "want a fraction of TDP in [0.05, 1]")
}

func (v *validator) engineering(m map[string]Engineering) {
	for _, k := range sortedKeys(m) {
		e := m[k]
		at := "engineering." + k
		v.stack(at, k)
		v.durationIn(at+".port", &e.Port, 3*365*units.Day)
		v.rangeIn(at+".initial_slowdown", &e.InitialSlowdown, 0, 0.95, "want a fraction in [0, 0.95]")
		v.durationIn(at+".maturation", &e.Maturation, 3*365*units.Day)
		m[k] = e
	}
}

func (v *validator) chips(m map[string]ChipOverride) {
	for _, id := range sortedKeys(m) {
		at := "chips." + id
		v.chip(at, id)
		o := m[id]
		checkPositive(v, at+".peak", &o.Peak)
		checkPositive(v, at+".hbm_bandwidth", &o.HBMBandwidth)
		checkPositive(v, at+".tdp", &o.TDP)
		checkPositive(v, at+".price", &o.Price)
		m[id] = o
	}
}

func checkPositive[T ~float64](v *validator, field string, r *hardware.Value[T]) {
	if !given(*r) {
		return
	}
	normalise(r)
	if r.Min <= 0 || r.Min > r.Typ || r.Typ > r.Max || !finite(r.Min, r.Typ, r.Max) {
		v.fail(field, fmt.Sprintf("{min: %v, typ: %v, max: %v}", r.Min, r.Typ, r.Max), "want 0 < min ≤ typ ≤ max, finite")
	}
}

func (v *validator) strategy(s *Scenario) {
	st := &s.Strategy
	var labels []string
	for _, sy := range s.Systems {
		labels = append(labels, sy.Label)
	}
	v.oneOf("strategy.baseline", st.Baseline, labels)
	v.oneOf("strategy.challenger", st.Challenger, labels)
	if st.Baseline == st.Challenger {
		v.fail("strategy.challenger", fmt.Sprintf("%q", st.Challenger), "want a system other than the baseline")
	}
	v.durationIn("strategy.between", &st.Between, 3*365*units.Day)
	if !(st.Horizon >= 30*units.Day && st.Horizon <= 20*365.25*units.Day) { // NaN fails too
		v.fail("strategy.horizon", st.Horizon, "want a horizon in [30d, 20 years]")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// finite reports whether no x is NaN or ±Inf (a NaN passes every
// ordered comparison above unnoticed).
func finite[T ~float64](xs ...T) bool {
	for _, x := range xs {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}
