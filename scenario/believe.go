package scenario

import (
	"chipgap/training"
	"encoding/json"
	"math"

	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/units"
)

// The essay's claim: a 3-month NVIDIA run takes 5 to 7 months on Ascend.
const (
	ClaimLow  = 5.0 / 3
	ClaimHigh = 7.0 / 3
)

// BelieveResult is "what you would have to believe": the challenger's
// total training time over the baseline's, at typical values of
// everything else, as a function of four unknowns in units a reader
// knows:
//
//   - failure rate, as a multiple of the baseline fleet's (the Llama 3
//     H100 record, every component scaled alike);
//   - recovery time per interruption (detection + restart, minutes);
//   - porting time before the run (months);
//   - stack efficiency: the challenger's steady-state throughput as a
//     fraction of what chipgap's calibrated profile predicts.
//
// The baseline stays at its typical whole run. Typ* are the typical
// values of the unknowns as the full model's typical pass takes them
// (the catalog's, with the scenario's engineering and failure-rate scale
// where it sets them), with the evidence class that decides each (Basis,
// by unknown name).
type BelieveResult struct {
	Baseline     string     `json:"baseline"`
	Challenger   string     `json:"challenger"`
	BaselineTime units.Days `json:"baseline_days"`
	ClaimLow     float64    `json:"claim_low"`
	ClaimHigh    float64    `json:"claim_high"`

	TypFailure float64 `json:"typ_failure_multiple"`
	// TypFailureScale is the scenario's typical failure-rate scale of
	// the challenger's stack (Scenario.FailureRateScale), which
	// TypFailure includes; nil where the scenario sets none.
	TypFailureScale *float64 `json:"typ_failure_rate_scale,omitempty"`
	TypRecovery     float64  `json:"typ_recovery_min"`
	TypPort         float64  `json:"typ_port_months"`
	TypEff          float64  `json:"typ_stack_efficiency"`
	// RatioAtTyp is the ratio at the four typical values in this
	// parameterisation, which folds every failure mode into one multiple
	// of the baseline's rates and one recovery time: close to, not equal
	// to, the full model's typical ratio (Gap's total_ratio typ, the
	// tornado's base), which the report prints beside it.
	RatioAtTyp float64           `json:"ratio_at_typ"`
	Basis      map[string]string `json:"basis"`

	// ByFailure: one curve per recovery time, ratio against the failure
	// multiple (port and efficiency typical).
	ByFailure []BelieveCurve `json:"by_failure"`
	// ByPort: one curve per stack efficiency, ratio against porting
	// months (failure and recovery typical).
	ByPort []BelieveCurve `json:"by_port"`
	// FailWindows: for each recovery time, the failure multiples between
	// which the ratio lies in the claim, with porting excluded (done
	// before the cluster is booked) and the typical stack efficiency.
	FailWindows []BelieveWindow `json:"fail_windows"`
	// PortWindows: for each stack efficiency, the porting months between
	// which the ratio lies in the claim, failures and recovery typical.
	PortWindows []BelieveWindow `json:"port_windows"`
	// Map is the ratio over failure multiple × recovery time (porting
	// excluded, efficiency 100 %): the claim's region drawn as a map.
	Map BelieveMap `json:"map"`
}

// BelieveMap is the ratio on a grid: Ratio[j][i] at Recovery[j] minutes
// MarshalJSON writes the ratio at the typical values as null where the
// challenger's run never finishes (+Inf), as Stat does.
func (b BelieveResult) MarshalJSON() ([]byte, error) {
	type plain BelieveResult
	return json.Marshal(struct {
		plain
		RatioAtTyp *float64 `json:"ratio_at_typ"`
	}{plain(b), finitePtr(b.RatioAtTyp)})
}

// and Failure[i] × the baseline fleet's failure rate.
type BelieveMap struct {
	Failure  []float64   `json:"failure_multiples"`
	Recovery []float64   `json:"recovery_min"`
	Ratio    [][]float64 `json:"ratio"`
}

// MarshalJSON writes a run that never finishes (+Inf) as null.
func (m BelieveMap) MarshalJSON() ([]byte, error) {
	rows := make([][]*float64, len(m.Ratio))
	for j, r := range m.Ratio {
		rows[j] = make([]*float64, len(r))
		for i, v := range r {
			rows[j][i] = finitePtr(v)
		}
	}
	return json.Marshal(struct {
		Failure  []float64    `json:"failure_multiples"`
		Recovery []float64    `json:"recovery_min"`
		Ratio    [][]*float64 `json:"ratio"`
	}{m.Failure, m.Recovery, rows})
}

// BelieveCurve is the ratio along one unknown with another held at Value.
type BelieveCurve struct {
	Value float64   `json:"value"`
	X     []float64 `json:"x"`
	Ratio []float64 `json:"ratio"`
}

// BelieveWindow: with the other unknown at At (recovery minutes, or
// stack efficiency), the claim holds for the swept unknown in [Lo, Hi]
// (NaN: the ratio never enters the claim on that side).
type BelieveWindow struct {
	At float64 `json:"at"`
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// MarshalJSON writes a bound the claim never reaches (NaN) as null.
func (r BelieveWindow) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		At float64  `json:"at"`
		Lo *float64 `json:"lo"`
		Hi *float64 `json:"hi"`
	}{r.At, finitePtr(r.Lo), finitePtr(r.Hi)})
}

// MarshalJSON writes a run that never finishes (+Inf) as null.
func (c BelieveCurve) MarshalJSON() ([]byte, error) {
	ys := make([]*float64, len(c.Ratio))
	for i, y := range c.Ratio {
		ys[i] = finitePtr(y)
	}
	return json.Marshal(struct {
		Value float64    `json:"value"`
		X     []float64  `json:"x"`
		Ratio []*float64 `json:"ratio"`
	}{c.Value, c.X, ys})
}

func finitePtr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// Grids of the unknowns.
var (
	believeRecovery = []float64{1, 5, 15, 30, 60}  // minutes
	believeEff      = []float64{0.5, 0.7, 0.85, 1} // fraction of the modelled throughput
	believeFailMax  = 12.0                         // × the baseline fleet's rate
	believePortMax  = 12.0                         // months
)

const month = 365.25 * 86400 / 12

// believeInputs are one point of the four unknowns.
type believeInputs struct {
	fail, recoveryMin, portMonths, eff float64
}

// believe maps the claim's region for the challenger c against the
// baseline b.
func (w *world) believe(b, c *system, sb, sc *series) (BelieveResult, error) {
	cuda, err := w.rel.Profile("cuda")
	if err != nil {
		return BelieveResult{}, err
	}
	res := BelieveResult{Baseline: b.cfg.Label, Challenger: c.cfg.Label, BaselineTime: units.Days(sb.typ[OutTotalDays]),
		ClaimLow: ClaimLow, ClaimHigh: ClaimHigh, TypEff: 1,
		TypPort: float64(c.eng.Port.Typ) / month}
	modes := w.typicalModes(c) // as the full model's typical pass, failure_rate_scale applied
	if r, ok := w.rateScale(c); ok {
		scale := float64(r.Typ)
		res.TypFailureScale = &scale
	}
	res.TypFailure, res.TypRecovery = typicalFailure(modes, cuda.Modes)
	res.Basis = map[string]string{
		"failure rate":     basisOfModes(modes, func(m goodput.Mode) string { return m.Rate.Basis }),
		"recovery time":    basisOfModes(modes, func(m goodput.Mode) string { return m.Restart.Basis }),
		"porting time":     basisOr(c.eng.Port.Basis, c.eng.Port.Assumed),
		"stack efficiency": stackEvidence(c.tprof),
	}
	work := sc.typ[OutSteadyDays] * float64(units.Day)
	ratio := func(in believeInputs) float64 {
		return w.believeRatio(c, cuda.Modes, work, in) / float64(res.BaselineTime)
	}
	res.RatioAtTyp = ratio(believeInputs{res.TypFailure, res.TypRecovery, res.TypPort, 1})
	fails := grid(0.25, believeFailMax, 48)
	for _, rm := range believeRecovery {
		cv := BelieveCurve{Value: rm, X: fails}
		for _, f := range fails {
			cv.Ratio = append(cv.Ratio, ratio(believeInputs{f, rm, res.TypPort, 1}))
		}
		res.ByFailure = append(res.ByFailure, cv)
		lo, hi := window(func(f float64) float64 { return ratio(believeInputs{f, rm, 0, 1}) }, 0, 100)
		res.FailWindows = append(res.FailWindows, BelieveWindow{At: rm, Lo: lo, Hi: hi})
	}
	res.Map.Failure = grid(0.25, believeFailMax, 24)
	res.Map.Recovery = []float64{1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120}
	for _, rm := range res.Map.Recovery {
		row := make([]float64, len(res.Map.Failure))
		for i, f := range res.Map.Failure {
			row[i] = ratio(believeInputs{f, rm, 0, 1})
		}
		res.Map.Ratio = append(res.Map.Ratio, row)
	}
	ports := grid(0, believePortMax, 49)
	for _, e := range believeEff {
		cv := BelieveCurve{Value: e, X: ports}
		for _, p := range ports {
			cv.Ratio = append(cv.Ratio, ratio(believeInputs{res.TypFailure, res.TypRecovery, p, e}))
		}
		res.ByPort = append(res.ByPort, cv)
		lo, hi := window(func(p float64) float64 { return ratio(believeInputs{res.TypFailure, res.TypRecovery, p, e}) }, 0, 60)
		res.PortWindows = append(res.PortWindows, BelieveWindow{At: e, Lo: lo, Hi: hi})
	}
	return res, nil
}

// believeRatio is the challenger's total days at one point: the cuda
// modes with every rate × fail, detection folded into a restart of the
// given minutes, the steady-state work ÷ eff and the port in months; its
// checkpoints, spares and maturation as in the typical run.
func (w *world) believeRatio(c *system, cuda []goodput.Mode, work float64, in believeInputs) float64 {
	modes := make([]goodput.Mode, len(cuda))
	for i, m := range cuda {
		m.Rate = hardware.Fixed(m.Rate.Typ * units.Dimensionless(in.fail))
		m.Detect = hardware.Fixed(units.Seconds(0))
		m.Restart = hardware.Fixed(units.Seconds(in.recoveryMin * 60))
		modes[i] = m
	}
	e := c.eng
	job := goodput.Job{Work: units.Seconds(work / in.eff), Chips: c.cluster.Chips, ChipsPerNode: c.cluster.ChipsPerNode,
		Modes: modes, Checkpoint: c.ckpt, Spares: c.spares, Engineering: goodput.Engineering{
			Port:            hardware.Fixed(units.Seconds(in.portMonths * month)),
			InitialSlowdown: hardware.Fixed(units.Dimensionless(e.InitialSlowdown.Typ)),
			Maturation:      hardware.Fixed(units.Seconds(e.Maturation.Typ)),
		}}
	est, err := goodput.Closed(job)
	if err != nil || est.NoProgress {
		return math.Inf(1)
	}
	return float64(est.Port+est.Wall) / float64(units.Day)
}

// typicalFailure is the challenger's typical total rate over the cuda
// fleet's, and its rate-weighted mean detection + restart in minutes.
func typicalFailure(modes, cuda []goodput.Mode) (mult, recoveryMin float64) {
	var sc, sb, out float64
	for _, m := range modes {
		r := float64(m.Rate.Typ)
		sc += r
		out += r * float64(m.Detect.Typ+m.Restart.Typ)
	}
	for _, m := range cuda {
		sb += float64(m.Rate.Typ)
	}
	if sc == 0 || sb == 0 {
		return 0, 0
	}
	return sc / sb, out / sc / 60
}

// basisOfModes is the weakest evidence class among the modes' values.
func basisOfModes(modes []goodput.Mode, f func(goodput.Mode) string) string {
	worst := "measured"
	for _, m := range modes {
		worst = weakerBasis(worst, f(m))
	}
	return worst
}

// weakerBasis is the weaker of two evidence classes ("" is assumed).
func weakerBasis(a, b string) string {
	rank := map[string]int{BasisMeasured: 0, BasisReported: 1, BasisAssumed: 2, "": 2}
	if rank[b] > rank[a] {
		a = b
	}
	if a == "" {
		return BasisAssumed
	}
	return a
}

// stackEvidence is the evidence class of a training profile's
// efficiency, by the basis of the parameter that sets most of a step's
// time, the large-GEMM efficiency (matmul_max): measured where it was
// fitted on published runs, reported where a source gives it, assumed
// where nobody did (the profile then rests on assumed values, however
// well it scores on runs held out from it); a value taken over from
// another profile's fit (training.Param.From) stays assumed for this
// stack, and the line says whose fit it is.
func stackEvidence(p training.Profile) string {
	if from := p.MatmulMax.From; from != "" && p.MatmulMax.Basis == training.Assumed {
		return BasisAssumed + " (stack " + p.ID + ": its GEMM efficiency taken over from stack " + from + ", fitted on that stack's published runs; none of its own runs fitted)"
	}
	switch p.MatmulMax.Basis {
	case training.Calibrated:
		return BasisMeasured + " (stack " + p.ID + ": its GEMM efficiency fitted on published runs)"
	case training.Sourced:
		return BasisReported + " (stack " + p.ID + ": its GEMM efficiency from a published source, not fitted)"
	}
	return BasisAssumed + " (stack " + p.ID + ": its GEMM efficiency assumed, not fitted to any run)"
}

func basisOr(b string, assumed bool) string {
	switch {
	case b != "":
		return b
	case assumed:
		return "assumed"
	}
	return "reported"
}

// grid is n evenly spaced points from lo to hi.
func grid(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return out
}

// window finds where a non-decreasing f crosses ClaimLow and ClaimHigh
// on [lo, hi] by bisection; a bound the claim never reaches is NaN (the
// low bound is lo when f(lo) already exceeds ClaimLow).
func window(f func(float64) float64, lo, hi float64) (a, b float64) {
	cross := func(y float64) float64 {
		if f(lo) >= y {
			return lo
		}
		if f(hi) < y {
			return math.NaN()
		}
		l, h := lo, hi
		for range 60 {
			m := (l + h) / 2
			if f(m) < y {
				l = m
			} else {
				h = m
			}
		}
		return (l + h) / 2
	}
	a, b = cross(ClaimLow), cross(ClaimHigh)
	if !math.IsNaN(b) && f(lo) > ClaimHigh {
		a, b = math.NaN(), math.NaN() // above the claim everywhere
	}
	return a, b
}

// Evidence classes (catalog.Bases), repeated for the report.
const (
	BasisMeasured = "measured"
	BasisReported = "reported"
	BasisAssumed  = "assumed"
)
