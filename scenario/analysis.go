package scenario

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"chipgap/catalog"
	"chipgap/econ"
	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/uncertain"
	"chipgap/units"
)

func (w *world) results(systems []*system, ser []*series, sup []SupplyResult, reg *registry) (*Results, error) {
	s := w.s
	p := w.trainModel.Params()
	r := &Results{Title: s.Title, Seed: s.Seed, Samples: s.Samples, Scenario: s, Supply: sup,
		Training: TrainingSetup{Model: w.trainModel.ID, ModelName: w.trainModel.Name, Params: float64(p.Total), Active: float64(p.Active),
			Tokens: float64(s.Training.Tokens), FLOP: 6 * float64(p.Active) * float64(s.Training.Tokens), Seq: s.Training.Seq,
			GlobalBatch: s.Training.GlobalBatch, Precision: string(s.Training.Precision), Sizing: s.Training.Sizing},
		Inference: InferenceSetup{Model: w.serveModel.ID, ModelName: w.serveModel.Name, Input: s.Inference.Input,
			Output: s.Inference.Output, TPOT: float64(s.Inference.TPOT), TTFT: float64(s.Inference.TTFT)},
	}
	w.supplyClusters(r.Supply, systems)
	base := -1
	chal := -1
	var nevers []string
	for i, sy := range systems {
		r.Systems = append(r.Systems, w.systemResult(sy, ser[i]))
		if sy.cfg.Label == s.Strategy.Baseline {
			base = i
		}
		if sy.cfg.Label == s.Strategy.Challenger {
			chal = i
		}
		if never := countInf(ser[i].xs[OutTotalDays]); never > 0 {
			nevers = append(nevers, fmt.Sprintf("%s %d", sy.cfg.Label, never))
		}
		if miss := s.Samples - len(ser[i].xs[OutServeTPS]); sy.serve != nil && miss > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%s: in %d of %d samples no batch met the latency target; its serving ranges cover the other samples.",
				sy.cfg.Label, miss, s.Samples))
		}
	}
	if len(nevers) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("Training runs that never finish (interruptions take the expected wall time past %d× the failure-free time, where a simulation stops a run), counted as infinite time and cost: %s of %d samples.", goodput.DefaultLimit,
			strings.Join(nevers, ", "), s.Samples))
	}
	if base >= 0 && systems[base].plan != nil {
		for i, sy := range systems {
			if i != base && sy.plan != nil {
				r.Gaps = append(r.Gaps, gapOf(sy.cfg.Label, systems[base].cfg.Label, ser[i], ser[base]))
			}
		}
	}
	if base >= 0 && chal >= 0 && systems[base].plan != nil && systems[chal].plan != nil {
		var err error
		if r.Strategy, err = w.strategy(systems[base], systems[chal], ser[base], ser[chal], reg); err != nil {
			return nil, err
		}
		if r.Tornado, err = w.tornado(systems[base], systems[chal]); err != nil {
			return nil, err
		}
		bl, err := w.believe(systems[base], systems[chal], ser[base], ser[chal])
		if err != nil {
			return nil, err
		}
		r.Believe = &bl
	}
	r.Inputs = reg.list()
	r.Fixed = w.fixedInputs(systems)
	r.Sources = w.sources(r, systems)
	return r, nil
}

func (w *world) systemResult(sy *system, se *series) SystemResult {
	node := sy.cfg.ChipsPerNode
	if node == 0 {
		node = sy.chip.ChipsPerNode
	}
	res := SystemResult{System: sy.cfg, ChipName: sy.chip.Name, Vendor: sy.chip.Vendor, Chips: sy.chips, NodeChips: min(node, sy.chips),
		TrainingStack: sy.tstack, ServingStack: sy.sstack, TrainingEvidence: stackEvidence(sy.tprof), TrainingCrossCheck: sy.cross,
		TrainError: sy.trainErr, Serve: sy.ssetup, Stats: se.stats()}
	if sy.chip.DevicesPerChip > 1 {
		res.DevicesPerChip = sy.chip.DevicesPerChip
	}
	if sy.plan != nil {
		res.Plan = sy.plan.PlanText
	}
	pk, _ := sy.chip.PeakFor(w.s.Training.Precision)
	res.Trails = map[string][]string{OutPeak: pk.Sources, OutHBM: sy.chip.HBM.Bandwidth.Sources, OutTDP: sy.chip.TDP.Sources,
		OutHourCost: sy.chip.Price.Sources}
	res.Sources = uniq(pk.Sources, sy.chip.HBM.Bandwidth.Sources, sy.chip.TDP.Sources, sy.chip.Price.Sources)
	if sc, ok := w.c.ScoreFor(catalog.ScoreQuery{Kind: "training", Vendor: sy.chip.Vendor, Family: catalog.Family(sy.chip), MoE: w.trainModel.MoE != nil, Chips: sy.chips}); ok {
		res.TrainingScore = &sc
	}
	if sc, ok := w.c.ScoreFor(catalog.ScoreQuery{Kind: "inference", Vendor: sy.chip.Vendor, Family: catalog.Family(sy.chip), MoE: w.serveModel.MoE != nil, Chips: sy.chips, Method: "curve", Stack: sy.sdata.ID, Engine: sy.sdata.EngineID}); ok {
		res.ServingScore = &sc
	}
	return res
}

// gapOf compares a system's run with the baseline's, sample by sample.
func gapOf(label, versus string, a, b *series) Gap {
	g := Gap{Label: label, Versus: versus, Stats: map[string]Stat{}}
	ratio := func(k string) (float64, []float64) { return a.typ[k] / b.typ[k], zip(a.xs[k], b.xs[k], div) }
	delta := func(k string) (float64, []float64) { return a.typ[k] - b.typ[k], zip(a.xs[k], b.xs[k], sub) }
	for name, f := range map[string]func() (float64, []float64){
		GapRatio:       func() (float64, []float64) { return ratio(OutTotalDays) },
		GapSteadyRatio: func() (float64, []float64) { return ratio(OutSteadyDays) },
		GapCostRatio:   func() (float64, []float64) { return ratio(OutRunCost) },
		GapPowerRatio:  func() (float64, []float64) { return ratio(OutWPerPFLOPS) },
		GapAchRatio:    func() (float64, []float64) { return ratio(OutWPerAchieved) },
		GapDelta:       func() (float64, []float64) { return delta(OutTotalDays) },
		GapSteady:      func() (float64, []float64) { return delta(OutSteadyDays) },
		GapDowntime:    func() (float64, []float64) { return delta(OutDowntimeDays) },
		GapEngineering: func() (float64, []float64) { return delta(OutEngDays) },
	} {
		if typ, xs := f(); len(xs) > 0 {
			g.Stats[name] = statOf(typ, xs)
		}
	}
	return g
}

func countInf(xs []float64) int {
	n := 0
	for _, x := range xs {
		if math.IsInf(x, 1) {
			n++
		}
	}
	return n
}

func div(x, y float64) float64 { return x / y }
func sub(x, y float64) float64 { return x - y }

func zip(a, b []float64, f func(x, y float64) float64) []float64 {
	if len(a) != len(b) {
		return nil
	}
	out := make([]float64, len(a))
	for i := range a {
		out[i] = f(a[i], b[i])
	}
	return out
}

// strategy races the baseline (leader) against the challenger, sample
// by sample, with one draw of the time between runs per sample.
func (w *world) strategy(b, c *system, sb, sc *series, reg *registry) (StrategyResult, error) {
	st := w.s.Strategy
	between := func(d *uncertain.Draw, rg *registry) float64 {
		return draw(newDrawer(d, rg), "time between runs", "s", st.Between)
	}
	res := StrategyResult{Baseline: b.cfg.Label, Challenger: c.cfg.Label, Stats: map[string]Stat{}}
	n := len(sb.xs[OutTotalDays])
	// The between-runs draws use their own stream, so they pair with
	// sample i of both systems' runs.
	bt := make([]float64, n)
	d := uncertain.Stream(w.s.Seed, "strategy")
	p, err := uncertain.FromRange(float64(st.Between.Min), float64(st.Between.Typ), float64(st.Between.Max))
	if err != nil {
		return res, fmt.Errorf("strategy.between: %w", err)
	}
	for i := range bt {
		bt[i] = p.Sample(d)
	}
	typBetween := between(uncertain.Typical(), reg)
	month := float64(econ.Year) / 12
	horizon := float64(st.Horizon)
	calc := func(tb, tc, cb, cc, gap float64) (map[string]float64, error) {
		if math.IsInf(tb, 1) || math.IsInf(tc, 1) {
			return neverFinishes(tb, tc, horizon/month), nil
		}
		lb, err := econ.Cycle(units.Seconds(tb*float64(units.Day)), units.Seconds(gap))
		if err != nil {
			return nil, err
		}
		lc, err := econ.Cycle(units.Seconds(tc*float64(units.Day)), units.Seconds(gap))
		if err != nil {
			return nil, err
		}
		race := econ.Race{Leader: lb, Follower: lc}
		prem, err := econ.Premium(units.Seconds(tb), units.USD(cb), units.Seconds(tc), units.USD(cc))
		if err != nil {
			return nil, err
		}
		return map[string]float64{
			StratCycleBase: float64(lb / units.Day), StratCycleChal: float64(lc / units.Day),
			StratItersBase: econ.IterationsPerYear(lb), StratItersChal: econ.IterationsPerYear(lc),
			StratRelRate: race.RelativeRate(), StratLag6: float64(race.Lag(units.Seconds(6*month))) / month,
			StratLag18: float64(race.Lag(units.Seconds(18*month))) / month, StratLagHorizon: float64(race.Lag(units.Seconds(horizon))) / month,
			StratGapHorizon: race.IterationGap(units.Seconds(horizon)), StratPremium: prem,
			StratExtraCost: cc - cb, StratExtraMonths: (tc - tb) * float64(units.Day) / month,
		}, nil
	}
	typ, err := calc(sb.typ[OutTotalDays], sc.typ[OutTotalDays], sb.typ[OutRunCost], sc.typ[OutRunCost], typBetween)
	if err != nil {
		return res, err
	}
	xs := map[string][]float64{}
	for i := range n {
		o, err := calc(sb.xs[OutTotalDays][i], sc.xs[OutTotalDays][i], sb.xs[OutRunCost][i], sc.xs[OutRunCost][i], bt[i])
		if err != nil {
			return res, err
		}
		for k, v := range o {
			xs[k] = append(xs[k], v)
		}
	}
	for k, v := range typ {
		res.Stats[k] = statOf(v, xs[k])
	}
	res.lagCurve(horizon / month)
	return res, nil
}

// neverFinishes is the race when a run never finishes (its expected
// wall time reaches goodput.DefaultLimit × the failure-free time): that
// side makes no iterations.
func neverFinishes(tb, tc, horizonMonths float64) map[string]float64 {
	inf := math.Inf(1)
	o := map[string]float64{StratCycleBase: tb, StratCycleChal: tc, StratItersBase: 0, StratItersChal: 0,
		StratRelRate: inf, StratLag6: 6, StratLag18: 18, StratLagHorizon: horizonMonths, StratGapHorizon: inf,
		StratPremium: inf, StratExtraCost: inf, StratExtraMonths: inf}
	if !math.IsInf(tb, 1) {
		o[StratItersBase] = float64(econ.Year / (units.Seconds(tb) * units.Day))
	}
	if math.IsInf(tb, 1) {
		o[StratRelRate], o[StratLag6], o[StratLag18], o[StratLagHorizon], o[StratPremium] = 0, -inf, -inf, -inf, 0
		o[StratExtraCost], o[StratExtraMonths], o[StratGapHorizon] = -inf, -inf, -inf
	}
	return o
}

// lagCurve is the lag at each month: linear in time, so the lag at the
// horizon scales to every month.
func (res *StrategyResult) lagCurve(months float64) {
	h := res.Stats[StratLagHorizon]
	for m := 0.0; m <= math.Ceil(months); m++ {
		f := m / months
		res.Months = append(res.Months, m)
		res.LagMonths = append(res.LagMonths, h.Scale(f))
	}
}

// tornado ranks the inputs by their swing of the challenger's total
// training time over the baseline's.
func (w *world) tornado(b, c *system) (TornadoResult, error) {
	trial := func(d *uncertain.Draw) (map[string]float64, error) {
		dr := newDrawer(d, nil)
		ob, oc := map[string]float64{}, map[string]float64{}
		if err := w.eval(b, dr, ob); err != nil {
			return nil, err
		}
		if err := w.eval(c, dr, oc); err != nil {
			return nil, err
		}
		return map[string]float64{GapRatio: oc[OutTotalDays] / ob[OutTotalDays]}, nil
	}
	base, swings, err := uncertain.Tornado(trial, GapRatio)
	if err != nil {
		return TornadoResult{}, err
	}
	if len(swings) > 15 {
		swings = swings[:15]
	}
	return TornadoResult{Output: fmt.Sprintf("%s / %s total training time", c.cfg.Label, b.cfg.Label), Base: base, Swings: swings}, nil
}

// sources resolves every key the results cite to its catalog entry.
func (w *world) sources(r *Results, systems []*system) []hardware.Source {
	var keys [][]string
	for _, in := range append(r.Inputs, r.Fixed...) {
		keys = append(keys, in.Sources)
	}
	for _, s := range r.Systems {
		keys = append(keys, s.Sources)
	}
	keys = append(keys, w.trainModel.Sources, w.serveModel.Sources, w.rel.Record.Sources)
	for _, sy := range systems {
		for _, p := range sy.tprof.Params() {
			keys = append(keys, p.Sources)
		}
	}
	// The scenario echoed in the results cites its own keys too: a
	// region's PUE or an engineering block no system uses.
	keys = append(keys, hardware.CitedKeys(r.Scenario))
	var out []hardware.Source
	for _, k := range uniq(keys...) {
		if src, err := w.c.Source(k); err == nil {
			out = append(out, *src)
		} else {
			out = append(out, hardware.Source{Key: k, Title: "(not in the catalog's sources)"})
		}
	}
	return out
}

func uniq(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, k := range l {
			if k != "" && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
